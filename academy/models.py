"""Imports every model module so metadata is complete (Alembic, create_all in tests)."""

from academy.admin.models import Invitation, NameCorrection  # noqa: F401
from academy.api.models import ApiToken, ApiUsage  # noqa: F401
from academy.assessments.models import (  # noqa: F401
    AttemptAnswer,
    Question,
    QuestionText,
    Quiz,
    QuizAttempt,
)
from academy.assessments.rubric_models import Rubric, RubricCriterion, RubricLevel  # noqa: F401
from academy.auth.models import LoginFailure, Tisc, User, UserRole  # noqa: F401
from academy.certificates.models import Certificate  # noqa: F401
from academy.certification.models import (  # noqa: F401
    Attendance,
    CertificationProgramme,
    CertificationRecord,
    Cohort,
    CohortInstructor,
    DeadlineExtension,
    InstructorAssessment,
    Notification,
    PracticeSubmission,
    PracticeTask,
    ProgrammeCourse,
    SubmissionCriterionGrade,
    SubmissionFile,
    SubmissionGrade,
    TrainingSession,
)
from academy.core.audit import AuditEvent  # noqa: F401
from academy.core.mail import OutgoingMail  # noqa: F401
from academy.courses.models import (  # noqa: F401
    Course,
    CourseMedia,
    CourseVersion,
    Enrollment,
    Lesson,
    LessonProgress,
    LessonText,
    Module,
    ModuleText,
)
from academy.jobs.models import Job  # noqa: F401
from academy.stats import models as _stats_models  # noqa: F401  (indexes on others' tables)
from academy.xapi.models import XapiStatement  # noqa: F401

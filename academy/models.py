"""Imports every model module so metadata is complete (Alembic, create_all in tests)."""

from academy.admin.models import Invitation, NameCorrection  # noqa: F401
from academy.announcements.models import CohortAnnouncement  # noqa: F401
from academy.api.models import ApiToken, ApiUsage  # noqa: F401
from academy.assessments.exercise_models import Exercise, ExerciseAnswer, ExerciseText  # noqa: F401
from academy.assessments.models import (  # noqa: F401
    AttemptAnswer,
    Question,
    QuestionText,
    Quiz,
    QuizAttempt,
)
from academy.assessments.rubric_models import (  # noqa: F401
    Rubric,
    RubricCriterion,
    RubricCriterionTranslation,
    RubricLevel,
    RubricLevelTranslation,
    RubricTranslation,
)
from academy.assignments.models import (  # noqa: F401
    AssignmentCriterionGrade,
    AssignmentGrade,
    AssignmentSubmission,
    CourseAssignment,
    CourseAssignmentText,
)
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
    PracticeTaskTranslation,
    ProgrammeCourse,
    SubmissionCriterionGrade,
    SubmissionFile,
    SubmissionGrade,
    TrainingSession,
)
from academy.coordinators.models import CoordinatorScope  # noqa: F401
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
from academy.nudges.models import ProgrammeNudgeSettings  # noqa: F401
from academy.offline.models import PartialUpload, SyncReceipt  # noqa: F401
from academy.preferences.models import DigestItem, NotificationPreference  # noqa: F401
from academy.reports.models import ReportSend, ScheduledReport  # noqa: F401
from academy.stats import models as _stats_models  # noqa: F401  (indexes on others' tables)
from academy.surveys.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveySendPoint  # noqa: F401
from academy.xapi.models import XapiStatement  # noqa: F401

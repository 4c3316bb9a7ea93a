"""Demo data for the certification: TISC-F, the 2023–24 pilot cohort, a workshop with
attendance, the three practice tasks with rubrics, and submissions in several states.

Idempotent: everything is looked up by its natural key first. One learner per pilot
country has finished DL177; pilot.ph01 is certified; pilot.sa01 has passed two tasks and is
waiting for the third to be graded, so grading it certifies her (in Arabic).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from academy.auth.models import User
from academy.certification import queries, services
from academy.certification.enums import AssessmentOutcome, AttendanceStatus, GradeDecision, SessionMode
from academy.certification.models import CertificationProgramme, Cohort, TrainingSession
from academy.certification.notifications import mail_muted
from academy.core.enums import EnrollmentStatus
from academy.courses.models import Course, Enrollment, Lesson, Module
from academy.extensions import db

TITLES = {
    "en": "TISC Staff Certification — Foundation",
    "fr": "Certification du personnel des CATI — niveau fondamental",
    "es": "Certificación del personal de los CATI — nivel básico",
    "ar": "شهادة موظفي مراكز دعم التكنولوجيا والابتكار — المستوى التأسيسي",
    "zh": "技术与创新支持中心（TISC）员工认证——基础级",
    "ru": "Сертификация сотрудников ЦПТИ — базовый уровень",
    "pt": "Certificação do pessoal dos CATI — nível básico",
}


def _levels(*pairs):
    return [{"title": t, "points": p, "descriptor": d} for t, p, d in pairs]


TASKS = [
    {
        "key": "prior-art-search",
        "title": "Prior-art search for a local inventor",
        "due_days": 45,
        "instructions": (
            "Take a real request from an inventor or small company that came to your TISC (remove personal "
            "details if they have not agreed to share them). Run a prior-art search in at least two free "
            "databases (for example PATENTSCOPE and Espacenet) and write a search report for the client.\n\n"
            "Submit: the report (PDF or DOCX) with the search question, the strategy (keywords, synonyms, "
            "IPC/CPC classes, operators, the exact search strings and the date of each search), the five to ten "
            "most relevant documents with a short note on each, and your conclusion in language the client "
            "understands, including the limits of a free-database search."
        ),
        "rubric": {
            "title": "Prior-art search report",
            "pass_threshold": 9,
            "criteria": [
                {"title": "Search strategy", "min_level": "Adequate", "levels": _levels(
                    ("Insufficient", 0, "Keywords only; no classification; strategy not documented."),
                    ("Adequate", 2,
                     "Keywords with synonyms and at least one relevant IPC/CPC class; strings recorded."),
                    ("Good", 3, "Combines keywords, classes and operators; strategy reproducible."),
                    ("Excellent", 4, "Adds citation searching and justifies each choice; fully reproducible."),
                )},
                {"title": "Databases and coverage", "levels": _levels(
                    ("Insufficient", 0, "One source; coverage not discussed."),
                    ("Adequate", 2, "Two free databases; coverage mentioned."),
                    ("Good", 3, "Sources chosen for the technology and countries; coverage gaps named."),
                )},
                {"title": "Relevance of the results", "min_level": "Adequate", "levels": _levels(
                    ("Insufficient", 0, "Results not relevant or not explained."),
                    ("Adequate", 2, "Relevant documents with a short note each."),
                    ("Good", 3, "Documents compared with the invention feature by feature."),
                )},
                {"title": "Report for the client", "levels": _levels(
                    ("Unclear", 0, "Jargon; no conclusion."),
                    ("Clear", 2, "Plain conclusion the client can act on."),
                    ("Actionable", 3, "Clear conclusion, limits and next steps (e.g. professional search, FTO)."),
                )},
            ],
        },
    },
    {
        "key": "landscape-snapshot",
        "title": "Patent-landscape snapshot on a technology of local interest",
        "due_days": 60,
        "instructions": (
            "Choose a technology that matters in your region (for example solar drying of crops, mobile "
            "payments or a traditional medicine). Build a result set of at least 100 patent families, clean "
            "it, and present a short snapshot: filings by year, by office, the main applicants and the main "
            "IPC classes, with two or three charts.\n\n"
            "Submit: a short report (PDF or DOCX) and the cleaned data (XLSX). Explain how you de-duplicated by "
            "family and what the snapshot can and cannot tell a decision maker."
        ),
        "rubric": {
            "title": "Patent-landscape snapshot",
            "pass_threshold": 7,
            "criteria": [
                {"title": "Scope and data set", "min_level": "Adequate", "levels": _levels(
                    ("Insufficient", 0, "Scope unclear; fewer than 100 families or not cleaned."),
                    ("Adequate", 2, "Clear scope; data set cleaned and de-duplicated by family."),
                    ("Good", 3, "Scope justified; cleaning steps documented and reproducible."),
                )},
                {"title": "Analysis and charts", "levels": _levels(
                    ("Insufficient", 0, "Counts wrong or charts misleading."),
                    ("Adequate", 2, "Correct counts by year, office, applicant and class."),
                    ("Good", 3, "Correct counts with readable charts and trends explained."),
                )},
                {"title": "Interpretation and limits", "levels": _levels(
                    ("Insufficient", 0, "Conclusions not supported by the data."),
                    ("Adequate", 2, "Supported conclusions; main limits named (publication delay, coverage)."),
                    ("Good", 3, "Insight a local decision maker can use, with limits and caveats."),
                )},
            ],
        },
    },
    {
        "key": "awareness-session",
        "title": "Patent-information awareness session for researchers or SMEs",
        "due_days": 75,
        "instructions": (
            "Plan and run a session of at least one hour for researchers, students or small companies on "
            "finding and using patent information. Adapt the examples to your audience.\n\n"
            "Submit: the agenda and slides (PDF), an attendance list or photo (PNG or JPEG; blur faces if "
            "participants did not agree to be photographed), the feedback you collected, and a one-page "
            "reflection on what worked and what you will change."
        ),
        "rubric": {
            "title": "Awareness session",
            "pass_threshold": 6,
            "criteria": [
                {"title": "Preparation and content", "min_level": "Adequate", "levels": _levels(
                    ("Insufficient", 0, "Generic content; errors about patents."),
                    ("Adequate", 2, "Correct content with a live search demonstration."),
                    ("Good", 3, "Content and examples adapted to the audience's field."),
                )},
                {"title": "Delivery and participation", "levels": _levels(
                    ("Insufficient", 0, "Session not evidenced."),
                    ("Adequate", 2, "Session held and evidenced; participants practised a search."),
                    ("Good", 3, "Hands-on exercises; questions answered and follow-ups offered."),
                )},
                {"title": "Feedback and reflection", "levels": _levels(
                    ("Insufficient", 0, "No feedback collected."),
                    ("Adequate", 2, "Feedback collected and summarised."),
                    ("Good", 3, "Feedback analysed with concrete changes for next time."),
                )},
            ],
        },
    },
]

COHORT_NAME = "2023–24 pilot"
SESSION_TITLE = "Foundation workshop"
# One learner per pilot country has finished DL177 and moves through the phases.
FRONT_RUNNERS = ["pilot.sa01", "pilot.cn01", "pilot.mg01", "pilot.ke01", "pilot.pe01", "pilot.ph01",
                 "pilot.ke02", "pilot.ph02"]


def _finish_dl177(user: User, dl177: Course) -> None:
    from academy.courses.services import complete_lesson, enroll, mark_completed

    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == user.id,
                                                            Enrollment.course_id == dl177.id))
    if enrollment is None:
        enrollment = enroll(user, dl177, "en")
        db.session.flush()
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return
    lessons = db.session.scalars(select(Lesson).join(Module).where(Module.course_id == dl177.id,
                                                                   ~Lesson.is_retired, ~Module.is_retired))
    for lesson in lessons:
        complete_lesson(enrollment, lesson)
    if enrollment.status != EnrollmentStatus.COMPLETED:
        # Other completion rules (the final assessment) are not seeded: complete it directly.
        mark_completed(enrollment)


def _programme(dl177: Course) -> CertificationProgramme:
    programme = db.session.scalar(select(CertificationProgramme).where(CertificationProgramme.code == "TISC-F"))
    if programme is None:
        programme = services.create_programme(
            code="TISC-F", titles=TITLES, validity_months=36, min_attendance_percent=80, resubmission_limit=2,
            description="Course-based professional certification for TISC staff in three phases: distance "
                        "learning, instructor-led training, and on-the-job practice providing TISC services.")
        services.set_required_courses(programme, [dl177])
    have = {t.key for t in programme.tasks}
    for spec in TASKS:
        if spec["key"] not in have:
            services.add_task(programme, key=spec["key"], title=spec["title"], instructions=spec["instructions"],
                              due_days=spec["due_days"], rubric=spec["rubric"])
    db.session.expire(programme, ["tasks"])
    return programme


def seed_certification(dl177: Course, echo=print) -> None:
    """Create whatever certification demo data is missing."""
    with mail_muted():
        _seed(dl177)
    echo("Certification: TISC-F with the 2023–24 pilot cohort (instructor1, instructor2).")


def _seed(dl177: Course) -> None:
    programme = _programme(dl177)
    instructor1 = db.session.scalar(select(User).where(User.email == "instructor1@academy.example"))
    instructor2 = db.session.scalar(select(User).where(User.email == "instructor2@academy.example"))
    cohort = db.session.scalar(select(Cohort).where(Cohort.programme_id == programme.id, Cohort.name == COHORT_NAME))
    if cohort is None:
        cohort = services.create_cohort(programme, COHORT_NAME, date(2023, 9, 1), date(2024, 8, 31))
    for instructor in (instructor1, instructor2):
        services.assign_instructor(cohort, instructor)

    pilots = list(db.session.scalars(select(User).where(User.email.like("pilot.%@tisc.example")).order_by(User.email)))
    front = {f"{p}@tisc.example" for p in FRONT_RUNNERS}
    for user in pilots:
        if user.email in front:
            _finish_dl177(user, dl177)
    db.session.flush()
    records = {}
    for user in pilots:
        record = queries.latest_record(user.id, programme.id)
        if record is None:
            record = services.enrol_learner(cohort, user)
        records[user.email] = record

    session = db.session.scalar(select(TrainingSession).where(TrainingSession.cohort_id == cohort.id,
                                                              TrainingSession.title == SESSION_TITLE))
    if session is None:
        session = services.create_session(cohort, title=SESSION_TITLE, starts_on=date(2024, 3, 11),
                                          ends_on=date(2024, 3, 13), mode=SessionMode.IN_PERSON,
                                          place="WIPO, Geneva", language="en")
    days = session.days
    marks = {}
    for email in sorted(front):
        record = records[email]
        if record.phase1_passed_at is None:
            continue
        statuses = [AttendanceStatus.PRESENT] * len(days)
        if email == "pilot.ph02@tisc.example":  # missed two of three days: phase 2 fails
            statuses = [AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.ABSENT]
        if email == "pilot.ke02@tisc.example":  # an excused day does not count against her
            statuses = [AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.PRESENT]
        marks[record.id] = dict(zip(days, statuses, strict=True))
    services.record_attendance(session, marks, instructor1)
    for email in sorted(front):
        record = records[email]
        if record.phase1_passed_at is None or queries.assessment_for(record) is not None:
            continue
        services.assess(record, session, outcome=AssessmentOutcome.PASS,
                        comments="Took an active part in the search exercises and the group report.",
                        score_value=85, by=instructor1)
    db.session.flush()
    _seed_submissions(programme, records, instructor1, instructor2)


def _grade(sub, grader, decision, position, feedback):
    """Grade every criterion at the level in ``position`` (1 = lowest)."""
    picks = {c.id: c.levels[min(position, len(c.levels)) - 1].id for c in sub.rubric.criteria}
    services.grade(sub, grader, expected_version=sub.version, picks=picks, criterion_feedback={},
                   feedback=feedback, decision=decision)


def _submit(record, task, text):
    sub = services.submission_for(record, task, create=True)
    services.save_draft(sub, text, [], record.user)
    services.submit(sub)
    return sub


def _seed_submissions(programme, records, instructor1, instructor2) -> None:
    t1, t2, t3 = programme.tasks[:3]
    plan = {
        # Two tasks passed, the third waiting: grading it certifies her.
        "pilot.sa01@tisc.example": [(t1, "pass"), (t2, "pass"), (t3, "submit")],
        # Returned for revision with feedback, then a draft.
        "pilot.cn01@tisc.example": [(t1, "revise"), (t2, "draft")],
        "pilot.mg01@tisc.example": [(t1, "submit")],
        "pilot.ke01@tisc.example": [(t1, "pass"), (t2, "submit")],
        "pilot.pe01@tisc.example": [(t1, "draft")],
        # Certified: all three tasks passed (her certificate is issued in English).
        "pilot.ph01@tisc.example": [(t1, "pass"), (t2, "pass"), (t3, "pass")],
    }
    texts = {
        t1.key: "Search report for a solar crop-dryer inventor: question, strategy (F26B 3/28, keywords "
                "dryer/drier/dehydrat*, solar), PATENTSCOPE and Espacenet strings with dates, eight relevant "
                "documents with notes, and a conclusion for the client.",
        t2.key: "Landscape snapshot on mobile payments: 240 families after de-duplication; filings by year and "
                "office, top applicants, main CPC classes; limits of an 18-month publication delay.",
        t3.key: "Awareness session for 25 researchers at the university: agenda, slides, a live PATENTSCOPE "
                "search, feedback forms (average 4.6/5) and a reflection.",
    }
    for email, steps in plan.items():
        record = records.get(email)
        if record is None or record.phase2_passed_at is None:
            continue
        for task, action in steps:
            if services.submission_for(record, task) is not None:
                continue
            if action == "draft":
                sub = services.submission_for(record, task, create=True)
                services.save_draft(sub, texts[task.key][:80] + " …", [], record.user)
                continue
            sub = _submit(record, task, texts[task.key])
            if action == "pass":
                _grade(sub, instructor1, GradeDecision.PASS, 3,
                       "A solid piece of work: clear, reproducible and useful to the client.")
            elif action == "revise":
                _grade(sub, instructor2, GradeDecision.REVISE, 2,
                       "Good start. Record the exact search strings and dates, and end with a plain-language "
                       "conclusion the inventor can act on.")
            db.session.flush()

"""Demo data for the certification: TISC-F and its 2023–24 pilot cohort, run as it happened.

Every step goes through the services on a frozen clock set to when it took place, so
dates, notifications, audit entries and certificates are those of a real programme:
enrolment in September 2023, DL177 finished between October and early March, the
Geneva workshop of 11–13 March 2024 (attendance, assessments), practice work submitted
and graded from April to July 2024 (some returned for revision first), awards from May
2024. A few learners never finished DL177; one missed most of the workshop; one failed
a task after its revision.

A few learners were given more time after the pilot (a recorded extension) and are
still at work today, so the demo has something to do: pilot.sa01 has passed two tasks
and submitted the third a few days ago (grading it certifies her, in Arabic); pilot.cn01
has a task returned for revision; pilot.mg01 and pilot.ke01 are waiting for grading.

Idempotent: everything is looked up by its natural key first and skipped if present.
Deterministic: one seeded random generator.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from academy.auth.models import User
from academy.certification import queries, services
from academy.certification.enums import AssessmentOutcome, AttendanceStatus, GradeDecision, SessionMode
from academy.certification.models import (
    CertificationProgramme,
    CertificationRecord,
    Cohort,
    DeadlineExtension,
)
from academy.certification.notifications import mail_muted
from academy.core.enums import EnrollmentStatus
from academy.core.models import frozen_clock, utcnow
from academy.courses.models import Course, Enrollment, Lesson, Module
from academy.demo.task_translations import seed_task_translations
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
PROGRAMME_CREATED = datetime(2023, 6, 1, 9, 0, tzinfo=UTC)
ENROLLED = datetime(2023, 9, 4, 9, 0, tzinfo=UTC)
WORKSHOP = (date(2024, 3, 11), date(2024, 3, 13))
#: finished DL177 too late for the workshop, or never: they stay in phase 1
NOT_FINISHED = {"pilot.cn08", "pilot.ke08", "pilot.mg07", "pilot.mg08", "pilot.pe08", "pilot.sa08"}
#: attendance other than three days present
ATTENDANCE = {
    "pilot.ph02": ("present", "absent", "absent"),  # 33 %: phase 2 not passed
    "pilot.ke02": ("present", "excused", "present"),  # an excused day does not count against her
    "pilot.pe05": ("present", "present", "excused"),
}
#: still at work today after an extension: (task number, what happened, days ago)
STILL_AT_WORK = {
    "pilot.sa01": [(1, "pass", None), (2, "pass", None), (3, "submit", 3)],
    "pilot.cn01": [(1, "revise", 9), (2, "draft", 2)],
    "pilot.mg01": [(1, "submit", 5)],
    "pilot.ke01": [(1, "pass", None), (2, "submit", 12)],
    "pilot.pe01": [(1, "draft", 4)],
}
#: graded as not passed after its revisions: phase 3 failed
FAILED_TASK = {"pilot.pe06": 2}
#: phase 3 never started and no extension asked for
STALLED = {"pilot.mg06"}

TEXTS = {
    "prior-art-search": "Search report for a local inventor's solar crop dryer: the question, the strategy (F26B 3/28, "
                        "keywords dryer/drier/dehydrat* and solar), PATENTSCOPE and Espacenet strings with their "
                        "dates, eight relevant documents with a note on each, and a conclusion for the client.",
    "landscape-snapshot": "Landscape snapshot on mobile payments: 240 families after de-duplication; filings by year "
                          "and office, top applicants, main CPC classes; the limits of the 18-month publication "
                          "delay.",
    "awareness-session": "Awareness session for 25 researchers at the university: agenda, slides, a live PATENTSCOPE "
                         "search, feedback forms (average 4.6 of 5) and a reflection.",
}
FEEDBACK_PASS = [
    "A solid piece of work: clear, reproducible and useful to the client.",
    "Well documented. Next time, add citation searching to the strategy.",
    "Good work. The conclusion is clear and honest about the limits of free databases.",
]
FEEDBACK_REVISE = ("Good start. Record the exact search strings and dates, and end with a plain-language conclusion "
                   "the inventor can act on.")


def _at(day: date, hour: int, rng: random.Random) -> datetime:
    return datetime.combine(day, time(hour, rng.randint(0, 59)), tzinfo=UTC)


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
    with frozen_clock(PROGRAMME_CREATED):
        if programme is None:
            programme = services.create_programme(
                code="TISC-F", titles=TITLES, validity_months=36, min_attendance_percent=80, resubmission_limit=2,
                description="Course-based professional certification for TISC staff in three phases: distance "
                            "learning, instructor-led training, and on-the-job practice providing TISC services.")
            services.set_required_courses(programme, [dl177])
        have = {t.key for t in programme.tasks}
        for spec in TASKS:
            if spec["key"] not in have:
                services.add_task(programme, key=spec["key"], title=spec["title"],
                                  instructions=spec["instructions"], due_days=spec["due_days"],
                                  rubric=spec["rubric"])
        db.session.expire(programme, ["tasks"])
        # Every learner reads the tasks and rubrics in their own language (seven of them).
        seed_task_translations(programme)
    return programme


def seed_certification(dl177: Course, echo=print) -> None:
    """Create whatever certification demo data is missing."""
    with mail_muted():
        _seed(dl177)
    echo("Certification: TISC-F with the 2023–24 pilot cohort (instructor1, instructor2).")


def _seed(dl177: Course) -> None:
    rng = random.Random(2324)
    now = utcnow()
    programme = _programme(dl177)
    instructor1 = db.session.scalar(select(User).where(User.email == "instructor1@academy.example"))
    instructor2 = db.session.scalar(select(User).where(User.email == "instructor2@academy.example"))
    cohort = db.session.scalar(select(Cohort).where(Cohort.programme_id == programme.id, Cohort.name == COHORT_NAME))
    if cohort is not None:
        return  # the pilot is seeded as a whole, once
    with frozen_clock(ENROLLED - timedelta(days=10)):
        cohort = services.create_cohort(programme, COHORT_NAME, date(2023, 9, 1), date(2024, 8, 31))
        for instructor in (instructor1, instructor2):
            services.assign_instructor(cohort, instructor)
        session = services.create_session(cohort, title=SESSION_TITLE, starts_on=WORKSHOP[0], ends_on=WORKSHOP[1],
                                          mode=SessionMode.IN_PERSON, place="WIPO, Geneva", language="en")

    pilots = list(db.session.scalars(select(User).where(User.email.like("pilot.%@tisc.example")).order_by(User.email)))
    records: dict[str, CertificationRecord] = {}
    for user in pilots:
        with frozen_clock(ENROLLED + timedelta(minutes=len(records))):
            records[user.email.split("@")[0]] = services.enrol_learner(cohort, user)

    # Phase 1: DL177, finished by early March 2024 (the seeded course history is kept).
    for key, record in records.items():
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == record.user_id,
                                                                Enrollment.course_id == dl177.id))
        if key in NOT_FINISHED:
            continue
        if enrollment is None or enrollment.status != EnrollmentStatus.COMPLETED:
            # Finished after their own enrolment and last lesson, not only after the cohort began:
            # some enrolled weeks after it (the course history seeded in academy/demo.py).
            started = [enrollment.enrolled_at, enrollment.last_activity_at] if enrollment else []
            last = max(d for d in (*started, ENROLLED) if d)
            day = min(last.date() + timedelta(days=rng.randint(6, 40)), date(2024, 3, 1))
            with frozen_clock(max(_at(day, rng.randint(8, 20), rng), last + timedelta(hours=1))):
                _finish_dl177(record.user, dl177)
        else:
            # Completed before the cohort was formed: phase 1 passed when they joined.
            if record.phase1_passed_at is None:
                with frozen_clock(max(enrollment.completed_at, ENROLLED)):
                    services.evaluate(record)
        done = db.session.scalar(select(Enrollment.completed_at).where(Enrollment.user_id == record.user_id,
                                                                       Enrollment.course_id == dl177.id))
        if record.phase1_passed_at is not None and done is not None and done > record.phase1_passed_at:
            record.phase1_passed_at = done  # joined before finishing: passed when they finished
    db.session.flush()

    # Phase 2: the Geneva workshop; attendance on the last day, assessments the day after.
    in_workshop = {k: r for k, r in records.items() if r.phase1_passed_at is not None
                   and r.phase1_passed_at.date() < WORKSHOP[0]}
    marks = {}
    for key, record in in_workshop.items():
        statuses = ATTENDANCE.get(key, ("present",) * len(session.days))
        marks[record.id] = {d: AttendanceStatus(s) for d, s in zip(session.days, statuses, strict=True)}
    with frozen_clock(_at(WORKSHOP[1], 17, rng)):
        services.record_attendance(session, marks, instructor1)
    comments = ["Took an active part in the search exercises and the group report.",
                "Strong on classification searching; presented the group's landscape exercise.",
                "Asked good questions about legal status; needs practice with Boolean operators."]
    for key, record in in_workshop.items():
        failed = key in ATTENDANCE and ATTENDANCE[key].count("absent") * 3 > len(session.days)
        with frozen_clock(_at(WORKSHOP[1] + timedelta(days=1), rng.randint(9, 16), rng)):
            services.assess(record, session,
                            outcome=AssessmentOutcome.FAIL if failed else AssessmentOutcome.PASS,
                            comments="Missed two of the three days." if failed else rng.choice(comments),
                            score_value=None if failed else rng.randint(68, 96), by=instructor1)
    db.session.flush()

    # Phase 3: practice work from April to July 2024.
    for key, record in records.items():
        if record.phase2_passed_at is None or key in STALLED:
            continue
        if key in STILL_AT_WORK:
            _still_at_work(programme, record, STILL_AT_WORK[key], instructor1, instructor2, now, rng)
        else:
            _historic_practice(programme, record, instructor1, instructor2, rng, fail_task=FAILED_TASK.get(key))

    # The awards' certificates, issued here rather than left to the queue (whose consumer may
    # not be running while the demo is seeded); the tasks the awards queued then find them.
    for record in records.values():
        if record.awarded_at is not None and record.certificate_id is None:
            with frozen_clock(record.awarded_at):
                services.issue_award_certificate(record)


def _submit(record, task, text, when):
    with frozen_clock(when):
        sub = services.submission_for(record, task, create=True)
        services.save_draft(sub, text, [], record.user)
        services.submit(sub)
    return sub


def _grade(sub, grader, decision, position, feedback, when, rng=None):
    """Grade every criterion at the level in ``position`` (1 = lowest); with ``rng``, a passing
    grade varies by criterion (at least each criterion's minimum, the threshold met)."""
    from academy.assessments.rubrics import score

    criteria = sub.rubric.criteria
    picks = {c.id: c.levels[min(position, len(c.levels)) - 1].id for c in criteria}
    if rng is not None:
        varied = {c.id: rng.choice(c.levels[max(1, c.min_level_position or 2) - 1:]).id for c in criteria}
        if score(sub.rubric, varied).passes:
            picks = varied
    with frozen_clock(when):
        services.grade(sub, grader, expected_version=sub.version, picks=picks, criterion_feedback={},
                       feedback=feedback, decision=decision)


def _historic_practice(programme, record, instructor1, instructor2, rng, fail_task=None) -> None:
    opened = record.phase2_passed_at
    for number, task in enumerate(programme.tasks[:3], start=1):
        grader = instructor1 if rng.random() < 0.6 else instructor2
        when = opened + timedelta(days=rng.randint(14, task.due_days - 10), hours=rng.randint(0, 8))
        sub = _submit(record, task, TEXTS[task.key], when)
        when += timedelta(days=rng.randint(2, 9), hours=rng.randint(1, 6))
        if fail_task == number or rng.random() < 0.2:
            _grade(sub, grader, GradeDecision.REVISE, 2, FEEDBACK_REVISE, when)
            deadline = queries.deadline_for(record, task)
            when = min(when + timedelta(days=rng.randint(4, 12)), deadline - timedelta(hours=rng.randint(6, 30)))
            with frozen_clock(when):
                services.save_draft(sub, TEXTS[task.key] + " Revised: search strings and dates added.", [],
                                    record.user)
                services.submit(sub)
            when += timedelta(days=rng.randint(2, 7), hours=rng.randint(1, 6))
        if fail_task == number:
            _grade(sub, grader, GradeDecision.FAIL, 1, "The revised report still has no documented strategy and "
                   "no conclusion for the client.", when)
            return
        _grade(sub, grader, GradeDecision.PASS, 4, rng.choice(FEEDBACK_PASS), when, rng)
    db.session.flush()


def _still_at_work(programme, record, steps, instructor1, instructor2, now, rng) -> None:
    """Tasks passed during the pilot, then an extension and work still in progress today."""
    tasks = programme.tasks[:3]
    opened = record.phase2_passed_at
    for number, action, _days_ago in steps:
        if action == "pass":
            task = tasks[number - 1]
            when = opened + timedelta(days=rng.randint(15, task.due_days - 8))
            sub = _submit(record, task, TEXTS[task.key], when)
            _grade(sub, instructor1, GradeDecision.PASS, 4, rng.choice(FEEDBACK_PASS), when + timedelta(days=4),
                   rng)
    if not db.session.scalar(select(DeadlineExtension.id).where(DeadlineExtension.record_id == record.id)):
        with frozen_clock(now - timedelta(days=30)):
            services.extend_deadline(record, None, datetime.combine((now + timedelta(days=60)).date(), time(23, 59),
                                                                    tzinfo=UTC),
                                     "The TISC closed for several months during a move; the learner asked for "
                                     "more time to finish the practice tasks.", instructor1)
    for number, action, days_ago in steps:
        task = tasks[number - 1]
        if action == "pass":
            continue
        when = now - timedelta(days=days_ago, hours=rng.randint(1, 8))
        if action == "draft":
            with frozen_clock(when):
                sub = services.submission_for(record, task, create=True)
                services.save_draft(sub, TEXTS[task.key][:80] + " …", [], record.user)
            continue
        sub = _submit(record, task, TEXTS[task.key], when)
        if action == "revise":
            _grade(sub, instructor2, GradeDecision.REVISE, 2, FEEDBACK_REVISE, when + timedelta(days=3))
    db.session.flush()

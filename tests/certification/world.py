"""A small certification set-up for tests: programme requiring the mini course, two tasks,
a cohort with one instructor, a two-day session, enrolled learners."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from academy.certification import services
from academy.certification.enums import SessionMode
from academy.extensions import db

RUBRIC = {
    "title": "Search report",
    "pass_threshold": 5,
    "criteria": [
        {"title": "Search strategy", "min_level": "Adequate", "levels": [
            {"title": "Insufficient", "points": 0, "descriptor": "No documented strategy."},
            {"title": "Adequate", "points": 2, "descriptor": "Keywords and one classification."},
            {"title": "Good", "points": 3, "descriptor": "Synonyms, classes, citations."},
            {"title": "Excellent", "points": 4, "descriptor": "Complete and reproducible."},
        ]},
        {"title": "Report", "levels": [
            {"title": "Unclear", "points": 0},
            {"title": "Clear", "points": 2},
            {"title": "Actionable", "points": 4},
        ]},
    ],
}


def build(course, instructor, learners, *, tasks: int = 1, resubmission_limit: int = 2) -> SimpleNamespace:
    w = SimpleNamespace()
    w.programme = services.create_programme(code="TEST-F", resubmission_limit=resubmission_limit,
                                            titles={"en": "Test certification", "fr": "Certification test"})
    services.set_required_courses(w.programme, [course])
    w.tasks = [services.add_task(w.programme, key=f"task{i}", title=f"Task {i}", instructions="Do the work.",
                                 due_days=30, rubric=RUBRIC) for i in range(1, tasks + 1)]
    w.cohort = services.create_cohort(w.programme, "Test cohort")
    services.assign_instructor(w.cohort, instructor)
    today = date.today()
    w.session = services.create_session(w.cohort, title="Training week", starts_on=today - timedelta(days=1),
                                        ends_on=today, mode=SessionMode.IN_PERSON, place="Geneva")
    w.records = [services.enrol_learner(w.cohort, u) for u in learners]
    db.session.commit()
    return w


def complete_course(user, course) -> None:
    from academy.courses.services import complete_lesson, enroll

    enrollment = enroll(user, course, "en")
    db.session.flush()
    for module in course.modules:
        for lesson in module.lessons:
            complete_lesson(enrollment, lesson)
    db.session.commit()


def levels(task, *titles) -> dict[int, int]:
    """criterion id → level id for level titles given in criterion order."""
    out = {}
    for criterion, title in zip(task.rubric.criteria, titles, strict=True):
        out[criterion.id] = next(lv.id for lv in criterion.levels if lv.title == title)
    return out

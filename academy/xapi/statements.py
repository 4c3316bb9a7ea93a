"""xAPI 1.0.3 statements for the platform's learning events.

Actor: an account on this site (homePage = BASE_URL, name = the user's id, which never
changes); an e-mail (mbox) instead only when XAPI_ACTOR_EMAIL is on. Activities are
named with a language map holding every language version's title. Statement ids are
UUIDs derived from the event, so the same event always makes the same statement: a retry
or a replay is recognised by the LRS instead of recorded twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import select

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "registered": (ADL + "registered", "registered"),
    "completed": (ADL + "completed", "completed"),
    "scored": (ADL + "scored", "scored"),
    "passed": (ADL + "passed", "passed"),
    # ADL's "answered" is for one question (its result carries the answer); "responded" is
    # for replying to a poll or survey as a whole.
    "responded": (ADL + "responded", "responded"),
    # Not in the ADL vocabulary: the Tin Can registry's "earned" (an award), and this site's own.
    "earned": ("http://id.tincanapi.com/verb/earned", "earned"),
}
ACTIVITY_TYPES = {
    "lms": "http://id.tincanapi.com/activitytype/lms",
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "objective": "http://adlnet.gov/expapi/activities/objective",
    "certification": "http://id.tincanapi.com/activitytype/certification",
    "certificate": "http://id.tincanapi.com/activitytype/certificate",
    "survey": "http://id.tincanapi.com/activitytype/survey",
}


def base() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def revoked_verb() -> tuple[str, str]:
    return base() + "/xapi/verbs/revoked", "revoked"


def statement_uuid(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base()}/xapi/{key}"))


def iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def actor(user) -> dict:
    if current_app.config.get("XAPI_ACTOR_EMAIL"):
        return {"objectType": "Agent", "mbox": f"mailto:{user.email}"}
    return {"objectType": "Agent", "account": {"homePage": base() + "/", "name": str(user.id)}}


def language_map(titles: dict[str, str], fallback: str) -> dict[str, str]:
    return {lang: title for lang, title in titles.items() if title} or {"en": fallback}


def activity(path: str, kind: str, titles: dict[str, str], fallback: str) -> dict:
    return {"objectType": "Activity", "id": base() + path,
            "definition": {"type": ACTIVITY_TYPES[kind], "name": language_map(titles, fallback)}}


def course_activity(course) -> dict:
    return activity(f"/courses/{course.slug}", "course", {v.language: v.title for v in course.versions}, course.code)


def lesson_activity(lesson) -> dict:
    texts = {t.language: t.title for t in lesson_texts(lesson)}
    return activity(f"/courses/{lesson.module.course.slug}/lessons/{lesson.module.key}/{lesson.key}", "lesson",
                    texts, lesson.key)


def lesson_texts(lesson) -> list:
    from academy.courses.models import LessonText
    from academy.extensions import db

    return list(db.session.scalars(select(LessonText).where(LessonText.lesson_id == lesson.id)))


def quiz_activity(quiz) -> dict:
    course = quiz.course
    if quiz.module is not None:
        titles = {t.language: t.title for t in quiz.module.texts}
    else:
        titles = {v.language: v.title for v in course.versions}
    return activity(f"/courses/{course.slug}/quizzes/{quiz.key}", "assessment", titles, quiz.key)


def programme_activity(programme) -> dict:
    return activity(f"/certification/{programme.code}", "certification", dict(programme.titles or {}), programme.code)


def survey_activity(survey) -> dict:
    # Named by id, not code: an admin may rename a survey's code, and an activity id must not change.
    return activity(f"/xapi/activities/surveys/{survey.id}", "survey", dict(survey.titles or {}), survey.code)


def context(*, language: str | None = None, parents: list[dict] | None = None, registration: str | None = None,
            extra: dict | None = None) -> dict:
    ctx: dict = {"platform": "Academy"}
    if language:
        ctx["language"] = language
    if registration:
        ctx["registration"] = registration
    if parents:
        ctx["contextActivities"] = {"parent": [{"objectType": "Activity", "id": p["id"]} for p in parents]}
    if extra:
        ctx["extensions"] = extra
    return ctx


def statement(key: str, user, verb: tuple[str, str], obj: dict, when: datetime, *, result: dict | None = None,
              ctx: dict | None = None) -> dict:
    out = {
        "id": statement_uuid(key),
        "actor": actor(user),
        "verb": {"id": verb[0], "display": {"en-US": verb[1]}},
        "object": obj,
        "timestamp": iso(when),
        "context": ctx or context(),
        "version": "1.0.3",
    }
    if result:
        out["result"] = result
    return out


def enrolment_registration(enrollment) -> str:
    """One registration UUID per enrolment: an LRS groups the statements of one course attempt by it."""
    return statement_uuid(f"enrolment/{enrollment.id}")


# --- the events -------------------------------------------------------------------------


def for_registration(user) -> dict:
    site = activity("/", "lms", {"en": "Academy"}, "Academy")
    return statement(f"user/{user.id}/registered", user, VERBS["registered"], site, user.created_at,
                     ctx=context(language=user.preferred_language))


def for_enrolment(enrollment) -> dict:
    course = enrollment.course
    return statement(f"enrolment/{enrollment.id}/registered", enrollment.user, VERBS["registered"],
                     course_activity(course), enrollment.enrolled_at,
                     ctx=context(language=enrollment.language, registration=enrolment_registration(enrollment)))


def for_lesson(enrollment, lesson, when: datetime) -> dict:
    course = enrollment.course
    return statement(f"enrolment/{enrollment.id}/lesson/{lesson.id}/completed", enrollment.user, VERBS["completed"],
                     lesson_activity(lesson), when, result={"completion": True},
                     ctx=context(language=enrollment.language, parents=[course_activity(course)],
                                 registration=enrolment_registration(enrollment)))


def for_quiz(attempt) -> dict:
    enrollment = attempt.enrollment
    score = float(attempt.score or 0)
    return statement(
        f"attempt/{attempt.id}/scored", attempt.user, VERBS["scored"], quiz_activity(attempt.quiz),
        attempt.graded_at or attempt.submitted_at,
        result={"score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
                "success": bool(attempt.is_passed), "completion": True},
        ctx=context(language=attempt.language, parents=[course_activity(attempt.quiz.course)],
                    registration=enrolment_registration(enrollment),
                    extra={base() + "/xapi/extensions/attempt-number": attempt.number}),
    )


def for_course_completed(enrollment) -> dict:
    result: dict = {"completion": True}
    if enrollment.final_score is not None:
        score = float(enrollment.final_score)
        result["score"] = {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100}
        result["success"] = True
    return statement(f"enrolment/{enrollment.id}/completed", enrollment.user, VERBS["completed"],
                     course_activity(enrollment.course), enrollment.completed_at, result=result,
                     ctx=context(language=enrollment.language, registration=enrolment_registration(enrollment)))


def for_phase(record, phase: int) -> dict:
    programme = programme_activity(record.programme)
    titles = {lang: f"{title} – {phase}" for lang, title in (record.programme.titles or {}).items()}
    obj = activity(f"/certification/{record.programme.code}/phase-{phase}", "objective", titles,
                   f"{record.programme.code} phase {phase}")
    return statement(f"record/{record.id}/phase/{phase}/passed", record.user, VERBS["passed"], obj,
                     getattr(record, f"phase{phase}_passed_at"), result={"success": True, "completion": True},
                     ctx=context(parents=[programme]))


def for_certified(record) -> dict:
    return statement(f"record/{record.id}/certified", record.user, VERBS["passed"],
                     programme_activity(record.programme), record.awarded_at,
                     result={"success": True, "completion": True})


def certificate_activity(cert) -> dict:
    return activity(f"/verify/{cert.verification_code}", "certificate", dict(cert.titles or {}), cert.subject_code)


def for_certificate_issued(cert, when: datetime | None = None) -> dict:
    """``when``: the moment it was issued (now, live; its date when rebuilt from history)."""
    from academy.core.models import utcnow

    return statement(f"certificate/{cert.id}/issued", cert.user, VERBS["earned"], certificate_activity(cert),
                     when or utcnow(), ctx=context(language=cert.language))


def for_certificate_revoked(cert) -> dict:
    return statement(f"certificate/{cert.id}/revoked", cert.user, revoked_verb(), certificate_activity(cert),
                     cert.revoked_at, ctx=context(language=cert.language))


def for_survey_answered(invitation) -> dict:
    """The learner responded to a follow-up survey. No answers go with it: free texts are
    personal, and the outcome statistics read them from the site, not from the LRS."""
    from academy.courses.queries import enrollment_for

    point = invitation.send_point
    registration = None
    if point.course_id is not None:
        parent = course_activity(point.course)
        enrollment = enrollment_for(invitation.user_id, point.course_id)
        registration = enrolment_registration(enrollment) if enrollment is not None else None
    else:
        parent = programme_activity(point.programme)
    return statement(f"survey-invitation/{invitation.id}/responded", invitation.user, VERBS["responded"],
                     survey_activity(point.survey), invitation.submitted_at, result={"completion": True},
                     ctx=context(language=invitation.language, parents=[parent], registration=registration,
                                 extra={base() + "/xapi/extensions/months-after": point.months_after}))

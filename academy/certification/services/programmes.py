"""Authoring programmes and their practice tasks (with versioned rubrics); audited."""

from __future__ import annotations

import re
import unicodedata

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from academy.assessments.rubric_models import Rubric
from academy.assessments.rubrics import build_rubric
from academy.certification.models import (
    CertificationProgramme,
    CertificationRecord,
    PracticeSubmission,
    PracticeTask,
    ProgrammeCourse,
)
from academy.certification.services.common import (
    CertificateLanguageError,
    CertificationError,
    SourceLanguageError,
)
from academy.certification.services.phases import evaluate
from academy.certification.translations import carry_over_rubric_translations
from academy.core.audit import record as audit
from academy.courses.models import Course
from academy.extensions import db

#: ``update_programme``'s certificate_second_language when the form did not send it
KEEP = "keep"


def create_programme(*, code: str, titles: dict, description: str = "", min_attendance_percent: int = 80,
                     validity_months: int = 36, resubmission_limit: int = 2,
                     source_language: str = "en") -> CertificationProgramme:
    """Add a programme; its code is unique."""
    programme = CertificationProgramme(code=code.strip(), titles=titles, description=description,
                                       min_attendance_percent=min_attendance_percent,
                                       validity_months=validity_months, resubmission_limit=resubmission_limit,
                                       source_language=source_language)
    db.session.add(programme)
    db.session.flush()
    return programme


def update_programme(programme: CertificationProgramme, *, min_attendance_percent: int, validity_months: int,
                     resubmission_limit: int, courses: list[Course], code: str | None = None,
                     titles: dict | None = None, source_language: str | None = None,
                     certificate_second_language: str | None = KEEP) -> None:
    """Change a programme's settings and required courses (audited); re-evaluates open records.

    A new code only changes the serial prefix of certificates issued from now on, a new
    certificate language only the certificates issued from now on. ``certificate_second_language``
    "" or None prints one language; KEEP (not sent) leaves it as it is.
    """
    before = _programme_snapshot(programme)
    if certificate_second_language != KEEP:
        programme.certificate_second_language = _check_certificate_language(certificate_second_language)
    if code is not None and code.strip() != programme.code:
        _check_code_free(code, programme.id)
        programme.code = code.strip()
    if titles is not None:
        programme.titles = {lang: t.strip() for lang, t in titles.items() if t and t.strip()}
    if source_language is not None and source_language != programme.source_language:
        # The tasks' own words are in the source language: relabelling them would pass
        # English off as French, and make the French translations a translation of itself.
        if programme.tasks:
            raise SourceLanguageError(_("The language of the practice tasks cannot change once the programme "
                                        "has tasks."))
        programme.source_language = source_language
    programme.min_attendance_percent = min_attendance_percent
    programme.validity_months = validity_months
    programme.resubmission_limit = resubmission_limit
    set_required_courses(programme, courses)
    db.session.flush()
    audit("certification.programme.update", "certification_programme", programme.id, before=before,
          after=_programme_snapshot(programme))
    for record in db.session.scalars(
        select(CertificationRecord).where(CertificationRecord.programme_id == programme.id,
                                          CertificationRecord.awarded_at.is_(None))
    ):
        evaluate(record)


def _check_certificate_language(language: str | None) -> str | None:
    language = language or None
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise CertificateLanguageError(_("Choose a language from the list."))
    return language


def _check_code_free(code: str, programme_id: int | None) -> None:
    taken = db.session.scalar(select(CertificationProgramme.id).where(CertificationProgramme.code == code.strip()))
    if taken is not None and taken != programme_id:
        raise CertificationError(_("Another programme already has the code %(code)s.", code=code.strip()))


def author_programme(*, code: str, titles: dict, min_attendance_percent: int, validity_months: int,
                     resubmission_limit: int, courses: list[Course], source_language: str | None = None,
                     certificate_second_language: str | None = None) -> CertificationProgramme:
    """Create a programme from the admin form (audited); raises CertificationError for a taken code
    or a certificate language that is not offered."""
    second_language = _check_certificate_language(None if certificate_second_language == KEEP
                                                  else certificate_second_language)
    _check_code_free(code, None)
    programme = create_programme(code=code, titles={k: v.strip() for k, v in titles.items() if v and v.strip()},
                                 min_attendance_percent=min_attendance_percent, validity_months=validity_months,
                                 resubmission_limit=resubmission_limit, source_language=source_language or "en")
    programme.certificate_second_language = second_language
    set_required_courses(programme, courses)
    audit("certification.programme.create", "certification_programme", programme.id,
          after=_programme_snapshot(programme))
    return programme


def _programme_snapshot(p: CertificationProgramme) -> dict:
    return {"code": p.code, "titles": dict(p.titles), "min_attendance_percent": p.min_attendance_percent,
            "validity_months": p.validity_months,
            "resubmission_limit": p.resubmission_limit, "source_language": p.source_language,
            "certificate_second_language": p.certificate_second_language,
            "courses": [pc.course.code for pc in p.required_courses]}


def set_required_courses(programme: CertificationProgramme, courses: list[Course]) -> None:
    """Make ``courses`` (in order) the phase 1 requirements of ``programme``."""
    wanted = {c.id: i for i, c in enumerate(courses, start=1)}
    for pc in list(programme.required_courses):
        if pc.course_id not in wanted:
            programme.required_courses.remove(pc)
            db.session.delete(pc)
    have = {pc.course_id: pc for pc in programme.required_courses}
    for course in courses:
        pc = have.get(course.id)
        if pc is None:
            programme.required_courses.append(ProgrammeCourse(course_id=course.id, position=wanted[course.id]))
        else:
            pc.position = wanted[course.id]
    db.session.flush()
    db.session.expire(programme, ["required_courses"])


def add_task(programme: CertificationProgramme, *, key: str, title: str, instructions: str, due_days: int,
             rubric: dict) -> PracticeTask:
    """Add a practice task with its rubric; raises RubricError for an unusable rubric."""
    built = build_rubric(rubric)
    position = max((t.position for t in programme.tasks), default=0) + 1
    task = PracticeTask(programme_id=programme.id, key=key, position=position, title=title,
                        instructions=instructions, due_days=due_days, rubric_id=built.id)
    db.session.add(task)
    db.session.flush()
    db.session.expire(programme, ["tasks"])
    return task


def _task_key(programme: CertificationProgramme, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", title).encode("ascii", "ignore")
                  .decode().lower()).strip("-")[:50] or "task"
    taken = {t.key for t in programme.tasks}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _move_task(programme: CertificationProgramme, task: PracticeTask, position: int) -> None:
    """Put ``task`` at ``position`` (1 = first) and number the others around it."""
    others = [t for t in sorted(programme.tasks, key=lambda t: (t.position, t.id)) if t.id != task.id]
    position = max(1, min(position, len(others) + 1))
    others.insert(position - 1, task)
    for i, t in enumerate(others, start=1):
        t.position = i


def _task_snapshot(task: PracticeTask) -> dict:
    return {"title": task.title, "due_days": task.due_days, "position": task.position,
            "rubric_id": task.rubric_id, "instructions_chars": len(task.instructions)}


def author_task(programme: CertificationProgramme, *, title: str, instructions: str, due_days: int,
                position: int, rubric: dict) -> PracticeTask:
    """Add a practice task and its rubric from the admin form (audited); raises RubricError."""
    task = add_task(programme, key=_task_key(programme, title), title=title.strip(),
                    instructions=instructions.strip(), due_days=due_days, rubric=rubric)
    db.session.refresh(programme, ["tasks"])
    _move_task(programme, task, position)
    db.session.flush()
    audit("certification.task.create", "practice_task", task.id, after=_task_snapshot(task))
    return task


def rubric_in_use(rubric: Rubric) -> int:
    """How many submissions were submitted against ``rubric`` (they are graded on it)."""
    return db.session.scalar(select(func.count()).select_from(PracticeSubmission)
                             .where(PracticeSubmission.rubric_id == rubric.id)) or 0


def _same_rubric(rubric: Rubric, spec: dict) -> bool:
    def shape(criteria):
        return [(c["title"], (c.get("min_level") or "").lower(),
                 [(lv["title"], lv["points"], lv.get("descriptor") or "") for lv in c["levels"]]) for c in criteria]

    current = [{"title": c.title, "min_level": c.min_level.title if c.min_level else None,
                "levels": [{"title": lv.title, "points": lv.points, "descriptor": lv.descriptor}
                           for lv in c.levels]} for c in rubric.criteria]
    return (rubric.title == spec["title"].strip() and rubric.pass_threshold == spec["pass_threshold"]
            and shape(current) == shape(spec["criteria"]))


def update_task(task: PracticeTask, *, title: str, instructions: str, due_days: int, position: int,
                rubric: dict) -> bool:
    """Change a practice task and its rubric (audited); returns True when the rubric got a new version.

    A rubric nobody has submitted against is replaced. One that has submitted or graded
    work is kept as it is: the new rubric becomes its next version, used for work submitted
    from now on, so no past grade changes. Raises RubricError for an unusable rubric.
    """
    before = _task_snapshot(task)
    old = task.rubric
    versioned = False
    if not _same_rubric(old, rubric):
        new = build_rubric(rubric)
        carry_over_rubric_translations(old, new)
        if rubric_in_use(old):
            new.version, new.previous_id = old.version + 1, old.id
            versioned = True
        else:
            new.version, new.previous_id = old.version, old.previous_id
        task.rubric_id = new.id
        db.session.flush()
        db.session.expire(task, ["rubric"])
        if not versioned:
            db.session.delete(old)
    task.title = title.strip()
    task.instructions = instructions.strip()
    task.due_days = due_days
    _move_task(task.programme, task, position)
    db.session.flush()
    audit("certification.task.update", "practice_task", task.id, before=before,
          after={**_task_snapshot(task), "rubric_version": task.rubric.version, "rubric_versioned": versioned})
    return versioned

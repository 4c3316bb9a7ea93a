"""Writes for courses, enrolment and progress. They add and flush; the request commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from academy.core import signals
from academy.core.enums import EnrollmentStatus
from academy.core.models import utcnow
from academy.courses import freshness
from academy.courses.models import (
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
from academy.courses.package import CoursePackage
from academy.extensions import db


class EnrollmentError(ValueError):
    pass


def _objective_texts(objectives, language: str) -> list[dict] | None:
    return [{"key": o.key, "text": o.text.get(language, "")} for o in objectives] or None


# --- import ---------------------------------------------------------------------------

def import_package(pkg: CoursePackage) -> tuple[Course, dict]:
    """Create or update the course described by a validated package, in place.

    Modules and lessons are matched by key, so learners' progress survives; those no
    longer in the package are retired, never deleted. Returns the course and a summary.
    """
    summary = {"created": False, "lessons_added": 0, "lessons_updated": 0, "lessons_retired": 0}
    course = db.session.scalar(select(Course).where(Course.code == pkg.code))
    if course is None:
        course = Course(code=pkg.code, slug=pkg.slug)
        db.session.add(course)
        summary["created"] = True
    course.slug = pkg.slug
    course.default_language = pkg.default_language
    course.estimated_hours = max(1, round(pkg.estimated_minutes.get(pkg.default_language, 60) / 60))
    course.has_sequential_release = pkg.sequential_release
    course.package_sha256 = pkg.sha256

    versions = {v.language: v for v in course.versions}
    for lang in pkg.languages:
        v = versions.get(lang)
        if v is None:
            v = CourseVersion(language=lang, title="", description="")
            course.versions.append(v)
        v.title = pkg.title[lang]
        v.description = pkg.description.get(lang, "")
        v.estimated_minutes = pkg.estimated_minutes.get(lang)
        v.objectives = _objective_texts(pkg.objectives, lang)
    db.session.flush()

    modules = {m.key: m for m in course.modules}
    seen_modules = set()
    for mpos, spec in enumerate(pkg.modules, start=1):
        mod = modules.get(spec.key)
        if mod is None:
            mod = Module(key=spec.key, position=mpos)
            course.modules.append(mod)
        mod.position = mpos
        mod.is_retired = False
        seen_modules.add(spec.key)
        texts = {t.language: t for t in mod.texts}
        for lang, title in spec.title.items():
            if lang not in texts:
                texts[lang] = ModuleText(language=lang, title=title)
                mod.texts.append(texts[lang])
            texts[lang].title = title
            texts[lang].objectives = _objective_texts(spec.objectives, lang)
        db.session.flush()
        lessons = {les.key: les for les in mod.lessons}
        for lpos, lspec in enumerate(spec.lessons, start=1):
            lesson = lessons.pop(lspec.key, None)
            if lesson is None:
                # A lesson may have moved from another module: keep its row (and progress).
                lesson = db.session.scalar(
                    select(Lesson).join(Module).where(Module.course_id == course.id, Lesson.key == lspec.key)
                ) if course.id else None
                if lesson is not None:
                    lesson.module = mod
                else:
                    lesson = Lesson(key=lspec.key, position=lpos, module=mod)
                    db.session.add(lesson)
                    summary["lessons_added"] += 1
            lesson.position = lpos
            lesson.estimated_minutes = lspec.minutes
            lesson.video_url = lspec.video
            lesson.is_retired = False
            db.session.flush()
            existing = {
                t.language: t
                for t in db.session.scalars(select(LessonText).where(LessonText.lesson_id == lesson.id))
            }
            default = pkg.lessons[(pkg.default_language, spec.key, lspec.key)]
            previous_default = existing.get(pkg.default_language)
            for lang in pkg.languages:
                src = pkg.lessons[(lang, spec.key, lspec.key)]
                text = existing.get(lang)
                objectives = _objective_texts(lspec.objectives, lang)
                translated_from = None if lang == pkg.default_language else freshness.translated_from(
                    declared=src.translated_from, source_sha256=default.sha256,
                    previous_source_sha256=previous_default.source_sha256 if previous_default else None,
                    changed=text is None or text.source_sha256 != src.sha256,
                    recorded=text.translated_from if text is not None else None)
                if text is None:
                    db.session.add(LessonText(lesson_id=lesson.id, language=lang, title=src.title,
                                              body_html=src.html, source_sha256=src.sha256, objectives=objectives,
                                              translated_from=translated_from))
                else:
                    if (text.source_sha256 != src.sha256 or text.body_html != src.html
                            or text.objectives != objectives):
                        text.title, text.body_html, text.source_sha256 = src.title, src.html, src.sha256
                        text.objectives = objectives
                        summary["lessons_updated"] += 1
                    text.translated_from = translated_from
        for leftover in lessons.values():
            if not leftover.is_retired and leftover.module_id == mod.id:
                leftover.is_retired = True
                summary["lessons_retired"] += 1
    for mod in course.modules:
        if mod.key not in seen_modules and not mod.is_retired:
            mod.is_retired = True
            for les in mod.lessons:
                les.is_retired = True
                summary["lessons_retired"] += 1

    media = {cm.path: cm for cm in db.session.scalars(select(CourseMedia).where(CourseMedia.course_id == course.id))}
    for name, (ctype, data) in pkg.media.items():
        import hashlib

        sha = hashlib.sha256(data).hexdigest()
        row = media.pop(name, None)
        if row is None:
            db.session.add(CourseMedia(course_id=course.id, path=name, content_type=ctype, data=data, sha256=sha))
        elif row.sha256 != sha:
            row.content_type, row.data, row.sha256 = ctype, data, sha
    for row in media.values():
        db.session.delete(row)
    db.session.flush()
    signals.course_imported.send(course, pkg=pkg)
    db.session.flush()
    for e in db.session.scalars(select(Enrollment).where(Enrollment.course_id == course.id)):
        refresh_progress(e)
    summary["stale_translations"] = {lang: len(items) for lang, items in freshness.stale_translations(course).items()}
    return course, summary


# --- enrolment and progress -----------------------------------------------------------


def enroll(user, course: Course, language: str) -> Enrollment:
    """Enrol ``user`` in ``course`` in a language version; an existing enrolment switches language."""
    version = course.version(language)
    if version is None or not version.is_published or not course.is_published:
        raise EnrollmentError("This language version is not available.")
    existing = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    )
    if existing is not None:
        existing.language = language
        return existing
    enrollment = Enrollment(user_id=user.id, course_id=course.id, language=language)
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
    except IntegrityError:
        # Enrolled from another tab a moment ago: use that row.
        enrollment = db.session.scalar(
            select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
        )
        enrollment.language = language
        return enrollment
    signals.enrolled.send(enrollment)
    return enrollment


def _progress_row(enrollment: Enrollment, lesson: Lesson) -> LessonProgress:
    row = db.session.scalar(
        select(LessonProgress).where(
            LessonProgress.enrollment_id == enrollment.id, LessonProgress.lesson_id == lesson.id
        )
    )
    if row is not None:
        return row
    row = LessonProgress(enrollment_id=enrollment.id, lesson_id=lesson.id)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(
            select(LessonProgress).where(
                LessonProgress.enrollment_id == enrollment.id, LessonProgress.lesson_id == lesson.id
            )
        )
    return row


#: Visits to the same lesson closer together than this are recorded once.
VISIT_RESOLUTION = timedelta(minutes=1)


def visit_changes_anything(enrollment, lesson_id: int, now=None) -> bool:
    """Whether record_visit would write: not for a reload of the lesson just visited
    (``enrollment`` may be a read-only row with Enrollment's attribute names)."""
    now = now or utcnow()
    last = enrollment.last_activity_at
    return not (enrollment.last_lesson_id == lesson_id and last is not None
                and enrollment.status != EnrollmentStatus.ENROLLED
                and timedelta(0) <= now - last < VISIT_RESOLUTION)


def record_visit(enrollment: Enrollment, lesson: Lesson) -> LessonProgress | None:
    """Note that the learner opened ``lesson`` now; it becomes the resume point.

    A reload of the lesson just visited (within VISIT_RESOLUTION) changes nothing a learner
    or a report can see, so it writes nothing: no write lock taken for a page view."""
    now = utcnow()
    if not visit_changes_anything(enrollment, lesson.id, now):
        return None
    row = _progress_row(enrollment, lesson)
    row.last_visited_at = now
    enrollment.last_lesson_id = lesson.id
    enrollment.last_activity_at = now
    if enrollment.status == EnrollmentStatus.ENROLLED:
        enrollment.status = EnrollmentStatus.IN_PROGRESS
    return row


def complete_lesson(enrollment: Enrollment, lesson: Lesson) -> bool:
    """Mark the lesson complete (once; a repeat keeps the first time). True if newly done."""
    row = _progress_row(enrollment, lesson)
    db.session.flush()
    now = utcnow()
    # Conditional UPDATE: two tabs completing at once set completed_at exactly once.
    result = db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.id == row.id, LessonProgress.completed_at.is_(None))
        .values(completed_at=now, last_visited_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    enrollment.last_activity_at = now
    enrollment.last_lesson_id = lesson.id
    if enrollment.status == EnrollmentStatus.ENROLLED:
        enrollment.status = EnrollmentStatus.IN_PROGRESS
    refresh_progress(enrollment)
    if result.rowcount == 1:
        signals.lesson_completed.send(enrollment, lesson=lesson)
    return result.rowcount == 1


def refresh_progress(enrollment: Enrollment) -> None:
    """Recompute the enrolment's percentage and, when everything is done, complete it."""
    from academy.courses.queries import module_completion

    total, done = db.session.execute(
        select(func.count(Lesson.id), func.count(LessonProgress.completed_at))
        .select_from(Lesson)
        .join(Module, Module.id == Lesson.module_id)
        .outerjoin(
            LessonProgress,
            (LessonProgress.lesson_id == Lesson.id) & (LessonProgress.enrollment_id == enrollment.id),
        )
        .where(Module.course_id == enrollment.course_id, ~Lesson.is_retired, ~Module.is_retired)
    ).one()
    enrollment.progress_percent = int(100 * done / total) if total else 0
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return
    modules = module_completion(enrollment)
    if modules and all(modules.values()) and all(ok for _r, ok in signals.course_requirements.send(enrollment)):
        mark_completed(enrollment)


def check_completion_date(enrollment: Enrollment, completed_at) -> None:
    """Refuse a completion dated before the enrolment: every "days to complete" figure
    would turn negative (the database refuses it too, with a CHECK)."""
    if completed_at is not None and enrollment.enrolled_at is not None and completed_at < enrollment.enrolled_at:
        raise EnrollmentError(
            f"Enrolment {enrollment.id} cannot be completed on {completed_at.isoformat()}, "
            f"before the learner enrolled ({enrollment.enrolled_at.isoformat()})."
        )


def mark_completed(enrollment: Enrollment) -> bool:
    """Record completion once and send ``course_completed``. True if this call completed it."""
    signals.before_course_completion.send(enrollment)
    now = utcnow()
    db.session.flush()
    if enrollment.status != EnrollmentStatus.COMPLETED:
        check_completion_date(enrollment, now)
    result = db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.status != EnrollmentStatus.COMPLETED)
        .values(status=EnrollmentStatus.COMPLETED, completed_at=now, progress_percent=100)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(enrollment)
    if result.rowcount == 1:
        signals.course_completed.send(enrollment, enrollment=enrollment)
        return True
    return False

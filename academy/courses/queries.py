"""Reads for courses and progress, shaped for the pages that show them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import String, bindparam, cast, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from academy.core import signals
from academy.core.signals import values_from_signal
from academy.courses.models import (
    Course,
    CourseMedia,
    CourseVersion,
    Enrollment,
    Lesson,
    LessonProgress,
    LessonText,
    Module,
)
from academy.courses.structure import LessonNode, ModuleNode, structure
from academy.extensions import db


@cache
def _catalogue_statement():
    # Built once, run with the learner's id: building a statement costs about as much as
    # running it on every page view.
    enrolled = (Enrollment.course_id == Course.id) & (Enrollment.user_id == bindparam("user_id"))
    return (select(Course.id, Course.content_token, Course.slug, Course.code, Course.estimated_hours,
                   Course.default_language, Enrollment.id.is_not(None).label("is_enrolled"))
            .outerjoin(Enrollment, enrolled).where(Course.is_published).order_by(Course.code))


def catalogue_rows(user_id: int | None) -> list:
    """The published courses, by code, as rows of the columns their catalogue card's cache
    key names (id, content token, and the course row's columns a card shows), and
    ``is_enrolled`` (whether ``user_id`` is enrolled; the page's own, never in a key): the
    cards come from the shared cache, so no course object is built unless a card is rendered."""
    return list(db.session.execute(_catalogue_statement(), {"user_id": user_id or 0}))


def courses_by_id(ids: list[int]) -> dict[int, Course]:
    """{id: course} with their language versions, for rendering cards that were not cached."""
    return {c.id: c for c in db.session.scalars(
        select(Course).where(Course.id.in_(ids)).options(selectinload(Course.versions)))}


def module_counts(course_ids: list[int]) -> dict[int, int]:
    """{course_id: number of active modules}, in one query."""
    return dict(
        db.session.execute(
            select(Module.course_id, func.count())
            .where(Module.course_id.in_(course_ids), ~Module.is_retired)
            .group_by(Module.course_id)
        ).all()
    )


def course_by_slug(slug: str) -> Course | None:
    # One query with its (few) language versions joined in.
    return db.session.scalars(
        select(Course).where(Course.slug == slug).options(joinedload(Course.versions))
    ).unique().one_or_none()


@cache
def _course_with_enrollment_statement():
    # The completed lesson ids come in the same statement, as one comma-separated string
    # (group_concat on SQLite, string_agg on PostgreSQL): every lesson view and course
    # home needs them, and a second round trip cost as much as the rest of the read.
    # Built once and run with parameters, like the catalogue's.
    done = (
        select(func.aggregate_strings(cast(LessonProgress.lesson_id, String), ","))
        .where(LessonProgress.enrollment_id == Enrollment.id, LessonProgress.completed_at.is_not(None))
        .scalar_subquery()
    )
    return (select(Course, Enrollment, done)
            .outerjoin(Enrollment, (Enrollment.course_id == Course.id) & (Enrollment.user_id == bindparam("user_id")))
            .where(Course.slug == bindparam("slug")))


def course_with_enrollment(slug: str, user_id: int) -> tuple[Course | None, Enrollment | None, set[int]]:
    """(the course or None, the user's enrolment in it or None, ids of its completed
    lessons): what the course home and lesson pages start from."""
    row = db.session.execute(_course_with_enrollment_statement(), {"slug": slug, "user_id": user_id}).one_or_none()
    if row is None:
        return None, None, set()
    course, enrollment, ids = row
    return course, enrollment, {int(i) for i in ids.split(",")} if ids else set()


def enrollment_for(user_id: int, course_id: int) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.course_id == course_id)
    )


def active_modules(course_id: int) -> list[Module]:
    return list(
        db.session.scalars(
            select(Module)
            .where(Module.course_id == course_id, ~Module.is_retired)
            .options(selectinload(Module.lessons))
            .order_by(Module.position)
        )
    )


def completed_lesson_ids(enrollment_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.enrollment_id == enrollment_id, LessonProgress.completed_at.is_not(None)
            )
        )
    )


def module_completion(enrollment: Enrollment, modules: list[Module] | None = None,
                      done: set[int] | None = None, course: Course | None = None) -> dict[int, bool]:
    """{module_id: complete?}: all active lessons complete plus every extra requirement.

    ``course``: the enrolment's course, when the caller has it already."""
    modules = modules if modules is not None else active_modules(enrollment.course_id)
    done = done if done is not None else completed_lesson_ids(enrollment.id)
    result = {
        m.id: all(les.id in done for les in m.lessons if not les.is_retired) for m in modules
    }
    answers = signals.module_requirements.send(enrollment, module_ids=[m.id for m in modules], course=course)
    for extra in values_from_signal(answers):
        for mid, ok in extra.items():
            result[mid] = result.get(mid, False) and ok
    return result


@dataclass
class LessonView:
    lesson: LessonNode
    title: str
    is_complete: bool


@dataclass
class ModuleView:
    module: ModuleNode
    title: str
    lessons: list[LessonView]
    is_complete: bool
    is_locked: bool
    locked_by: str | None = None  # title of the module to finish first
    extras: dict = field(default_factory=dict)

    @property
    def done_count(self) -> int:
        return sum(1 for les in self.lessons if les.is_complete)

    @property
    def percent(self) -> int:
        return int(100 * self.done_count / len(self.lessons)) if self.lessons else 0


def course_outline(course: Course, enrollment: Enrollment | None, language: str,
                   done: set[int] | None = None) -> list[ModuleView]:
    """Modules with lessons, titles in ``language``, completion and lock state.

    The modules and lessons come from the process's structure cache (keyed by the
    course's content token); only progress is read per request (unless the caller passes
    ``done``, the completed lesson ids it has read already)."""
    modules = structure(course).modules
    if done is None:
        done = completed_lesson_ids(enrollment.id) if enrollment else set()
    complete = module_completion(enrollment, modules, done, course) if enrollment else {m.id: False for m in modules}
    fallback = course.default_language
    views: list[ModuleView] = []
    previous: ModuleView | None = None
    for m in modules:
        lessons = [LessonView(les, les.title(language, fallback), les.id in done) for les in m.lessons]
        locked = False
        locked_by = None
        if course.has_sequential_release and previous is not None and (previous.is_locked or not previous.is_complete):
            locked = True
            locked_by = previous.title
        view = ModuleView(m, m.title(language, fallback), lessons, complete.get(m.id, False), locked, locked_by)
        views.append(view)
        previous = view
    return views


def lesson_text(lesson_id: int, language: str, fallback: str) -> LessonText | None:
    texts = {
        t.language: t
        for t in db.session.scalars(
            select(LessonText).where(LessonText.lesson_id == lesson_id, LessonText.language.in_({language, fallback}))
        )
    }
    return texts.get(language) or texts.get(fallback)


@cache
def _user_enrollments_statement():
    return (
        select(Enrollment, CourseVersion)
        .join(Course, Course.id == Enrollment.course_id)
        .outerjoin(
            CourseVersion,
            (CourseVersion.course_id == Enrollment.course_id) & (CourseVersion.language == Enrollment.language),
        )
        .where(Enrollment.user_id == bindparam("user_id"))
        .options(contains_eager(Enrollment.course))  # the page links to e.course: no query per row
        .order_by(Enrollment.last_activity_at.desc().nulls_last(), Enrollment.enrolled_at.desc())
    )


def user_enrollments(user_id: int) -> list[tuple[Enrollment, CourseVersion | None]]:
    rows = db.session.execute(_user_enrollments_statement(), {"user_id": user_id}).all()
    return [(e, v) for e, v in rows]


def enrollment_counts(course_ids: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Enrollment.course_id, func.count()).where(Enrollment.course_id.in_(course_ids))
            .group_by(Enrollment.course_id)
        ).all()
    )


def course_media(slug: str, name: str) -> CourseMedia | None:
    return db.session.scalar(select(CourseMedia).join(Course).where(Course.slug == slug, CourseMedia.path == name))


def media_is_public(media: CourseMedia) -> bool:
    """Whether learners can see the image: a lesson of a published language version of a
    published course shows it. An image of a course (or a translation) still being
    prepared is not public before the text that shows it."""
    shown = (
        select(LessonText.id)
        .join(Lesson, Lesson.id == LessonText.lesson_id)
        .join(Module, Module.id == Lesson.module_id)
        .join(Course, Course.id == Module.course_id)
        .join(CourseVersion, (CourseVersion.course_id == Course.id) & (CourseVersion.language == LessonText.language))
        .where(
            Course.id == media.course_id,
            Course.is_published,
            CourseVersion.is_published,
            ~Module.is_retired,
            ~Lesson.is_retired,
            # the rendered lesson names it as /courses/<slug>/media/<name>
            LessonText.body_html.contains(f'/media/{media.path}"', autoescape=True),
        )
        .limit(1)
    )
    return db.session.scalar(shown) is not None

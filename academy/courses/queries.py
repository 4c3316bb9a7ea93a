"""Reads for courses and progress, shaped for the pages that show them."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field, replace

from sqlalchemy import bindparam, func, select
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
from academy.courses.structure import LessonNode, ModuleNode, VersionNode, structure
from academy.extensions import db, read


def published_courses() -> list[Course]:
    """Published courses with their language versions (modules are not loaded: the
    catalogue needs only their number, see module_counts)."""
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.is_published)
            .options(selectinload(Course.versions))
            .order_by(Course.code)
        )
    )


# Statements that every page view runs are built once: building a select costs about as
# much as running it against SQLite.
_CATALOGUE_STATE = (
    select(Course.id, Course.code, Course.slug, Course.estimated_hours, Course.default_language, Course.content_token)
    .where(Course.is_published)
    .order_by(Course.code)
)


def catalogue_state_for(user_id: int | None) -> tuple[tuple, set[int]]:
    """(the catalogue's state, ids of the published courses ``user_id`` is enrolled in,
    none for None), in one query: what each catalogue view starts from.

    The state is what the catalogue shows of each published course, one cheap row per
    course: another process's edit to a course, a language version, a module or a lesson
    changes one of these (the content token follows versions and structure), so a cached
    catalogue compared against it is never stale."""
    rows = read(_CATALOGUE_STATE_FOR, {"user_id": user_id}).all()
    return tuple(tuple(row)[:-1] for row in rows), {row.id for row in rows if row.enrollment_id is not None}


_CATALOGUE_STATE_FOR = _CATALOGUE_STATE.add_columns(Enrollment.id.label("enrollment_id")).outerjoin(
    Enrollment, (Enrollment.course_id == Course.id) & (Enrollment.user_id == bindparam("user_id")))


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


@dataclass(frozen=True)
class CourseSnapshot:
    """A Course's columns and language versions, read-only (the ORM's attribute names), for
    the pages that only show a course: one row read per request, the versions from the
    structure cache (they renew the content token)."""

    id: int
    code: str
    slug: str
    default_language: str
    estimated_hours: int
    is_published: bool
    has_sequential_release: bool
    content_token: str
    versions: tuple[VersionNode, ...]

    def version(self, language: str) -> VersionNode | None:
        return next((v for v in self.versions if v.language == language), None)

    @property
    def published_versions(self) -> list[VersionNode]:
        return [v for v in self.versions if v.is_published]


_SNAPSHOT_COLUMNS = (Course.id, Course.code, Course.slug, Course.default_language, Course.estimated_hours,
                     Course.is_published, Course.has_sequential_release, Course.content_token)


_COURSE_SNAPSHOT = select(*_SNAPSHOT_COLUMNS).where(Course.slug == bindparam("slug"))


def course_snapshot(slug: str) -> CourseSnapshot | None:
    row = read(_COURSE_SNAPSHOT, {"slug": slug}).one_or_none()
    if row is None:
        return None
    return CourseSnapshot(*row, versions=structure(row).versions)


#: Enrollment's columns, for reads that show an enrolment without changing it.
_ENROLLMENT_COLUMNS = tuple(getattr(Enrollment, c.key) for c in Enrollment.__table__.columns)


#: An enrolment read with its course (Enrollment's attribute names, read-only).
EnrollmentRow = namedtuple("EnrollmentRow", [c.key for c in Enrollment.__table__.columns])

_COURSE_WITH_ENROLLMENT = (
    select(*_SNAPSHOT_COLUMNS,
           *(column.label(f"e_{column.key}") for column in _ENROLLMENT_COLUMNS),
           LessonProgress.lesson_id.label("completed_lesson_id"))
    .select_from(Course)
    .outerjoin(Enrollment, (Enrollment.course_id == Course.id) & (Enrollment.user_id == bindparam("user_id")))
    .outerjoin(LessonProgress, (LessonProgress.enrollment_id == Enrollment.id)
               & LessonProgress.completed_at.is_not(None))
    .where(Course.slug == bindparam("slug"))
)


def course_with_enrollment(slug: str, user_id: int):
    """(the course's snapshot or None, the user's enrolment row or None, ids of its
    completed lessons), in one query: what the course home and lesson pages start from."""
    rows = read(_COURSE_WITH_ENROLLMENT, {"slug": slug, "user_id": user_id}).all()
    if not rows:
        return None, None, set()
    first = rows[0]
    bare = CourseSnapshot(*first[:len(_SNAPSHOT_COLUMNS)], versions=())
    course = replace(bare, versions=structure(bare).versions)
    if first.e_id is None:
        return course, None, set()
    start = len(_SNAPSHOT_COLUMNS)
    enrollment = EnrollmentRow(*first[start:start + len(_ENROLLMENT_COLUMNS)])
    return course, enrollment, {r.completed_lesson_id for r in rows if r.completed_lesson_id is not None}


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

    ``course`` (the enrolment's course, or its snapshot) lets a requirement key a cache on
    its content token without loading the course again."""
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

    The modules and lessons come from the process's structure cache (plain frozen
    objects with the ORM's attribute names); only progress is read per request (unless
    the caller passes ``done``, the completed lesson ids it has read already)."""
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


def user_enrollments(user_id: int) -> list[tuple[Enrollment, CourseVersion | None]]:
    rows = db.session.execute(
        select(Enrollment, CourseVersion)
        .join(Course, Course.id == Enrollment.course_id)
        .outerjoin(
            CourseVersion,
            (CourseVersion.course_id == Enrollment.course_id) & (CourseVersion.language == Enrollment.language),
        )
        .where(Enrollment.user_id == user_id)
        .options(contains_eager(Enrollment.course))  # the page links to e.course: no query per row
        .order_by(Enrollment.last_activity_at.desc().nulls_last(), Enrollment.enrolled_at.desc())
    ).all()
    return [(e, v) for e, v in rows]


def dashboard_rows(user_id: int):
    """The learner's enrolments for their dashboard, most recent activity first: rows of
    plain columns (language, status, dates, progress, the course's slug and code, the
    title of the enrolment's language version or None). A Core read of a statement built
    once: the page needs no ORM objects, and building and running the select through
    the ORM cost six times the query itself."""
    return read(_DASHBOARD_ROWS, {"user_id": user_id}).all()


_DASHBOARD_ROWS = (
    select(Enrollment.language, Enrollment.status, Enrollment.completed_at, Enrollment.progress_percent,
           Enrollment.last_activity_at, Course.slug, Course.code, CourseVersion.title)
    .join(Course, Course.id == Enrollment.course_id)
    .outerjoin(
        CourseVersion,
        (CourseVersion.course_id == Enrollment.course_id) & (CourseVersion.language == Enrollment.language),
    )
    .where(Enrollment.user_id == bindparam("user_id"))
    .order_by(Enrollment.last_activity_at.desc().nulls_last(), Enrollment.enrolled_at.desc())
)


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

"""A per-process cache of each course's structure: modules, lessons and their titles.

Every learner page needs the same read-only tree (which modules and lessons are active,
in which order, with which titles); only progress differs per learner. Reading the tree
took five queries and most of a lesson page's time, so each process keeps it in memory as
frozen plain objects, keyed by the course's ``content_token``.

The token changes whenever a module, lesson or their texts change through the ORM (a
package import, an admin edit; see ``_new_token_on_structure_change``), and it lives in the
course row that every page loads anyway, so another worker or another server sees a new
token on its next request and rebuilds: nothing is stale for longer than one commit.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from academy.courses.models import Course, CourseVersion, Lesson, LessonText, Module, ModuleText
from academy.extensions import cache, db

#: Courses whose structure a process keeps (LRU).
MAX_COURSES = 256


def new_token() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class LessonNode:
    id: int
    key: str
    position: int
    module_id: int
    estimated_minutes: int
    video_url: str | None
    titles: dict[str, str]
    is_retired: bool = False

    def title(self, language: str, fallback: str = "en") -> str:
        return self.titles.get(language) or self.titles.get(fallback) or self.key


@dataclass(frozen=True)
class ModuleNode:
    id: int
    key: str
    position: int
    course_id: int
    titles: dict[str, str]
    lessons: tuple[LessonNode, ...]
    is_retired: bool = False
    # Learning objectives by language (texts), from the package.
    objectives: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def title(self, language: str, fallback: str = "en") -> str:
        return self.titles.get(language) or self.titles.get(fallback) or self.key

    def objectives_in(self, language: str, fallback: str = "en") -> tuple[str, ...]:
        return self.objectives.get(language) or self.objectives.get(fallback) or ()


@dataclass(frozen=True)
class VersionNode:
    """A CourseVersion's columns (the same attribute names)."""

    id: int
    course_id: int
    language: str
    title: str
    description: str
    is_published: bool


@dataclass(frozen=True)
class CourseStructure:
    token: str
    modules: tuple[ModuleNode, ...]  # active modules, each with its active lessons, in order
    versions: tuple[VersionNode, ...] = ()  # every language version, by language


@dataclass(frozen=True)
class LessonBody:
    """What the lesson page shows of a LessonText (the same attribute names)."""

    lesson_id: int
    language: str
    title: str
    body_html: str
    objectives: tuple[str, ...] = ()


_lock = threading.Lock()
_structures: OrderedDict[tuple[int, str], CourseStructure] = OrderedDict()


def _remember(cache: OrderedDict, key, value, limit: int) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > limit:
            cache.popitem(last=False)


def _recall(cache: OrderedDict, key):
    with _lock:
        value = cache.get(key, _MISSING)
        if value is not _MISSING:
            cache.move_to_end(key)
        return value


_MISSING = object()


def clear() -> None:
    with _lock:
        _structures.clear()


def structure(course: Course) -> CourseStructure:
    """The course's active modules and lessons, from this process's cache when current."""
    key = (course.id, course.content_token)
    cached = _recall(_structures, key)
    if cached is not _MISSING:
        return cached
    built = _build(course)
    _remember(_structures, key, built, MAX_COURSES)
    return built


def _build(course: Course) -> CourseStructure:
    modules = db.session.execute(
        select(Module.id, Module.key, Module.position)
        .where(Module.course_id == course.id, ~Module.is_retired).order_by(Module.position)
    ).all()
    module_ids = [m.id for m in modules]
    lessons = db.session.execute(
        select(Lesson.id, Lesson.key, Lesson.position, Lesson.module_id, Lesson.estimated_minutes, Lesson.video_url)
        .where(Lesson.module_id.in_(module_ids), ~Lesson.is_retired).order_by(Lesson.module_id, Lesson.position)
    ).all() if module_ids else []
    module_titles: dict[int, dict[str, str]] = {mid: {} for mid in module_ids}
    module_objectives: dict[int, dict[str, tuple[str, ...]]] = {mid: {} for mid in module_ids}
    for mid, lang, title, objectives in db.session.execute(
        select(ModuleText.module_id, ModuleText.language, ModuleText.title, ModuleText.objectives)
        .where(ModuleText.module_id.in_(module_ids))
    ) if module_ids else []:
        module_titles[mid][lang] = title
        if objectives:
            module_objectives[mid][lang] = tuple(o["text"] for o in objectives)
    lesson_titles: dict[int, dict[str, str]] = {les.id: {} for les in lessons}
    for lid, lang, title in db.session.execute(
        select(LessonText.lesson_id, LessonText.language, LessonText.title)
        .join(Lesson, Lesson.id == LessonText.lesson_id)
        .where(Lesson.module_id.in_(module_ids), ~Lesson.is_retired)
    ) if module_ids else []:
        lesson_titles[lid][lang] = title
    by_module: dict[int, list[LessonNode]] = {mid: [] for mid in module_ids}
    for les in lessons:
        by_module[les.module_id].append(LessonNode(les.id, les.key, les.position, les.module_id,
                                                   les.estimated_minutes, les.video_url, lesson_titles[les.id]))
    versions = tuple(VersionNode(*row) for row in db.session.execute(
        select(CourseVersion.id, CourseVersion.course_id, CourseVersion.language, CourseVersion.title,
               CourseVersion.description, CourseVersion.is_published)
        .where(CourseVersion.course_id == course.id).order_by(CourseVersion.language)
    ))
    return CourseStructure(course.content_token, tuple(
        ModuleNode(m.id, m.key, m.position, course.id, module_titles[m.id], tuple(by_module[m.id]),
                   objectives=module_objectives[m.id])
        for m in modules
    ), versions)


def lesson_body(course: Course, lesson_id: int, language: str) -> LessonBody | None:
    """The lesson's text in ``language`` (else the course's default language): the same for
    every learner, so kept in the shared cache (academy.core.cache), keyed by the course's
    content token, which any edit of a text renews."""
    key = f"lesson-body:{lesson_id}:{language}:{course.default_language}:{course.content_token}"
    body = cache.get(key)
    if body is not None:
        return body or None  # False: no text in either language
    texts = {
        t.language: t
        for t in db.session.execute(
            select(LessonText.lesson_id, LessonText.language, LessonText.title, LessonText.body_html,
                   LessonText.objectives).where(
                LessonText.lesson_id == lesson_id, LessonText.language.in_({language, course.default_language})
            )
        )
    }
    row = texts.get(language) or texts.get(course.default_language)
    body = LessonBody(row.lesson_id, row.language, row.title, row.body_html,
                      tuple(o["text"] for o in row.objectives or ())) if row else None
    cache.set(key, body or False)
    return body


# -- invalidation -------------------------------------------------------------------------

def _course_of(session: Session, obj) -> Course | None:
    if isinstance(obj, Course):
        return obj
    if isinstance(obj, CourseVersion):
        return obj.course if obj.course is not None else (
            session.get(Course, obj.course_id) if obj.course_id else None)
    if isinstance(obj, Module):
        return obj.course if obj.course is not None else (
            session.get(Course, obj.course_id) if obj.course_id else None)
    if isinstance(obj, ModuleText):
        module = session.get(Module, obj.module_id) if obj.module_id else None
        return _course_of(session, module) if module is not None else None
    if isinstance(obj, Lesson):
        module = obj.module if obj.module is not None else (
            session.get(Module, obj.module_id) if obj.module_id else None)
        return _course_of(session, module) if module is not None else None
    if isinstance(obj, LessonText):
        lesson = session.get(Lesson, obj.lesson_id) if obj.lesson_id else None
        return _course_of(session, lesson) if lesson is not None else None
    return None


# Language versions too: the catalogue's cached cards (courses.views) follow the token.
_STRUCTURAL = (CourseVersion, Module, ModuleText, Lesson, LessonText)


@event.listens_for(Session, "before_flush")
def _new_token_on_structure_change(session: Session, flush_context, instances) -> None:
    changed = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, _STRUCTURAL)]
    if not changed:
        return
    courses: set[int] = set()
    with session.no_autoflush:
        for obj in changed:
            course = _course_of(session, obj)
            if course is not None and id(course) not in courses:
                courses.add(id(course))
                course.content_token = new_token()

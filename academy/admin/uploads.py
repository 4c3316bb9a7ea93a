"""Course packages uploaded through the browser: kept server-side between preview and
apply, unpacked safely, validated exactly like ``academy courses import``.

An upload lives in STORAGE_DIR/package-uploads/<token>.zip with a small JSON sidecar
naming the admin who sent it; the random token in the preview URL is the only handle.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from academy.admin.safezip import UnsafeArchive, ZipLimits, safe_extract
from academy.core import signals
from academy.core.storage import get_storage
from academy.courses.models import Course, LessonText, Module
from academy.courses.package import CoursePackage, PackageError, Problem, load_package
from academy.extensions import db

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_AGE_SECONDS = 6 * 3600


UPLOAD_PREFIX = "package-uploads/"


def upload_dir() -> Path:
    path = Path(current_app.config["STORAGE_DIR"]) / "package-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def zip_limits() -> ZipLimits:
    return current_app.config.get("PACKAGE_ZIP_LIMITS") or ZipLimits()


def _remove_stale() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in upload_dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        except OSError:
            pass  # another worker got there first


def store(data: bytes, filename: str, user_id: int) -> str:
    """Keep an uploaded ZIP until it is applied or discarded; return its token."""
    _remove_stale()
    token = secrets.token_hex(16)  # 32 characters; a storage key part must start alphanumeric
    # Through the storage layer: written whole or not at all (a full disk raises
    # StorageFullError, answered with a clear 507 page). The sidecar goes last, so a
    # half-stored upload is never "found".
    store_ = get_storage()
    try:
        store_.put(f"{UPLOAD_PREFIX}{token}.zip", data)
        store_.put(f"{UPLOAD_PREFIX}{token}.json",
                   json.dumps({"user_id": user_id, "filename": filename, "at": time.time()}).encode())
    except BaseException:
        discard(token)
        raise
    return token


def find(token: str, user_id: int) -> tuple[Path, dict] | None:
    """The stored ZIP and its details, if ``token`` is a live upload of this admin."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    d = upload_dir()
    zip_path, meta_path = d / f"{token}.zip", d / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None
    if (
        meta.get("user_id") != user_id
        or not zip_path.is_file()
        or time.time() - meta.get("at", 0) > MAX_AGE_SECONDS
    ):
        return None
    return zip_path, meta


def discard(token: str) -> None:
    if TOKEN_RE.fullmatch(token or ""):
        for suffix in (".zip", ".json"):
            (upload_dir() / f"{token}{suffix}").unlink(missing_ok=True)


def _package_root(folder: Path) -> Path:
    """course.yaml at the top of the ZIP, or inside its single top-level folder."""
    if (folder / "course.yaml").is_file():
        return folder
    subdirs = [p for p in folder.iterdir() if p.is_dir() and p.name != "__MACOSX"]
    if len(subdirs) == 1 and (subdirs[0] / "course.yaml").is_file():
        return subdirs[0]
    return folder  # load_package reports the missing manifest


@contextmanager
def unpacked(zip_path: Path) -> Iterator[CoursePackage]:
    """Unpack and validate; yields the package while its files exist.

    Raises ``UnsafeArchive`` for a refused ZIP and ``PackageError`` for an invalid package.
    """
    work = Path(tempfile.mkdtemp(prefix="unpack-", dir=upload_dir()))
    try:
        safe_extract(zip_path, work / "pkg", zip_limits())
        yield load_package(_package_root(work / "pkg"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check(zip_path: Path) -> tuple[CoursePackage | None, list[Problem]]:
    try:
        with unpacked(zip_path) as pkg:
            return pkg, []
    except UnsafeArchive as exc:
        return None, [Problem("(zip)", None, str(exc))]
    except PackageError as exc:
        return None, exc.problems


# --- what an import would change ------------------------------------------------------------


@dataclass
class LessonChange:
    module_key: str
    lesson_key: str
    title: str
    detail: str = ""


@dataclass
class PackageChanges:
    course: Course | None
    slug_conflict: Course | None = None
    new_languages: list[str] = field(default_factory=list)
    new_modules: list[str] = field(default_factory=list)
    removed_modules: list[str] = field(default_factory=list)
    new_lessons: list[LessonChange] = field(default_factory=list)
    changed_lessons: list[LessonChange] = field(default_factory=list)
    removed_lessons: list[LessonChange] = field(default_factory=list)
    unchanged_lessons: int = 0
    # Sections other features add (e.g. quiz questions): title -> list of lines.
    extra_sections: dict = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        return self.course is None


def changes_for(pkg: CoursePackage) -> PackageChanges:
    """Compare a validated package with the database (read-only)."""
    course = db.session.scalar(select(Course).where(Course.code == pkg.code))
    changes = PackageChanges(course=course)
    other = db.session.scalar(
        select(Course).where(Course.slug == pkg.slug, Course.code != pkg.code)
    )
    changes.slug_conflict = other
    lang = pkg.default_language
    if course is None:
        for spec in pkg.modules:
            changes.new_modules.append(spec.key)
            for les in spec.lessons:
                changes.new_lessons.append(
                    LessonChange(spec.key, les.key, pkg.lessons[(lang, spec.key, les.key)].title)
                )
    else:
        have = {v.language for v in course.versions}
        changes.new_languages = [x for x in pkg.languages if x not in have]
        modules = list(db.session.scalars(select(Module).where(Module.course_id == course.id)))
        active_modules = {m.key for m in modules if not m.is_retired}
        lessons = {les.key: (m, les) for m in modules for les in m.lessons}
        texts: dict[int, dict[str, LessonText]] = {}
        lesson_ids = [les.id for _m, les in lessons.values()]
        for t in db.session.scalars(select(LessonText).where(LessonText.lesson_id.in_(lesson_ids))):
            texts.setdefault(t.lesson_id, {})[t.language] = t
        seen = set()
        for spec in pkg.modules:
            if spec.key not in active_modules:
                changes.new_modules.append(spec.key)
            for les in spec.lessons:
                seen.add(les.key)
                title = pkg.lessons[(lang, spec.key, les.key)].title
                found = lessons.get(les.key)
                if found is None or found[1].is_retired:
                    changes.new_lessons.append(LessonChange(spec.key, les.key, title))
                    continue
                mod, lesson = found
                details = []
                if mod.key != spec.key:
                    details.append(f"moved from {mod.key}")
                current = texts.get(lesson.id, {})
                changed_langs = [
                    x
                    for x in pkg.languages
                    if x not in current
                    or current[x].source_sha256 != pkg.lessons[(x, spec.key, les.key)].sha256
                ]
                if changed_langs:
                    details.append("text: " + ", ".join(changed_langs))
                if lesson.estimated_minutes != les.minutes:
                    details.append(f"minutes {lesson.estimated_minutes} → {les.minutes}")
                if details:
                    changes.changed_lessons.append(
                        LessonChange(spec.key, les.key, title, "; ".join(details))
                    )
                else:
                    changes.unchanged_lessons += 1
        changes.removed_modules = sorted(active_modules - {s.key for s in pkg.modules})
        for key, (mod, lesson) in sorted(
            lessons.items(), key=lambda kv: (kv[1][0].position, kv[1][1].position)
        ):
            if key not in seen and not lesson.is_retired:
                old = texts.get(lesson.id, {})
                title = old.get(course.default_language) or next(iter(old.values()), None)
                changes.removed_lessons.append(
                    LessonChange(mod.key, key, title.title if title else key)
                )
    signals.upload_preview.send(pkg, course=course, changes=changes)
    return changes

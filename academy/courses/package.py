"""Reading and validating a course package from disk (see packages/README.md).

``load_package(path)`` reads everything, checks everything, and either returns a
``CoursePackage`` or raises ``PackageError`` listing every problem with file and line.
Nothing here touches the database: ``services.import_package`` writes a loaded package.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
import nh3
import yaml

from academy.config import LANGUAGES
from academy.core import signals

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml",
               ".webp": "image/webp"}
MAX_MEDIA_BYTES = 2 * 1024 * 1024
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "small",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start"},
}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class PackageError(Exception):
    """The package is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- YAML with line numbers and duplicate-key detection -------------------------------


class LineDict(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class LineList(list):
    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_yaml(text: str, filename: str, line_offset: int = 0) -> Any:
    """Parse YAML, raising PackageError with file and line on any syntax problem."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (_Loader derives from SafeLoader)  # nosec B506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        raise PackageError([Problem(filename, line, f"invalid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise PackageError([Problem(filename, None, f"invalid YAML: {exc}")]) from None


def line_of(data: Any, key: str | None = None) -> int | None:
    if key is not None and isinstance(data, LineDict):
        return data.key_lines.get(key, data.line)
    return getattr(data, "line", None)


def _estimate_time(pkg: CoursePackage) -> None:
    """Each lesson's minutes (default language) and each language's total, from the content."""

    for mod in pkg.modules:
        for les in mod.lessons:
            les.minutes = max(1, math.ceil(reading_minutes(pkg.lessons[(pkg.default_language, mod.key, les.key)].html,
                                                           pkg.default_language)))
    for lang in pkg.languages:
        reading = sum(reading_minutes(pkg.lessons[(lang, mod.key, les.key)].html, lang)
                      for mod in pkg.modules for les in mod.lessons)
        pkg.estimated_minutes[lang] = math.ceil(reading + pkg.activity_minutes.get(lang, 0))


# --- the package ----------------------------------------------------------------------


# Reading speed for study, per language: about 0.8 of the mean silent reading speeds of the
# IReST standardised texts (Trauzettel-Klosinski & Dietz 2012: en 228, fr 195, es 218,
# pt 181, ru 184, ar 138 words and zh 255 characters a minute), because a course is studied,
# not skimmed. Chinese counts characters, every other language words.
STUDY_READING_SPEED = {"en": 180, "fr": 155, "es": 175, "pt": 145, "ru": 145, "ar": 110, "zh": 205}
CHARACTER_COUNTED = {"zh"}
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TAG = re.compile(r"<[^>]+>")


def text_length(html: str, language: str) -> int:
    """Words in a rendered lesson (Han characters for Chinese, plus any Latin words)."""
    text = _TAG.sub(" ", html)
    if language in CHARACTER_COUNTED:
        return len(_HAN.findall(text)) + len(_HAN.sub(" ", text).split())
    return len(text.split())


def reading_minutes(html: str, language: str) -> float:
    return text_length(html, language) / STUDY_READING_SPEED.get(language, 150)


@dataclass
class Objective:
    """A learning objective: what the learner can do afterwards, in every language."""

    key: str
    text: dict[str, str]


@dataclass
class LessonSpec:
    key: str
    # Computed from the default language's text on load (reading time, rounded up).
    minutes: int = 1
    video: str | None = None
    objectives: list[Objective] = field(default_factory=list)


@dataclass
class ModuleSpec:
    key: str
    title: dict[str, str]
    lessons: list[LessonSpec]
    quiz: dict | None = None
    objectives: list[Objective] = field(default_factory=list)


@dataclass
class LessonSource:
    title: str
    html: str
    sha256: str
    #: a translation's ``translated_from:`` front-matter field: the sha256 (or a prefix of
    #: it) of the default-language file it was translated from, when the translator says so
    translated_from: str | None = None


@dataclass
class CoursePackage:
    root: Path
    code: str
    slug: str
    default_language: str
    languages: list[str]
    sequential_release: bool
    title: dict[str, str]
    description: dict[str, str]
    modules: list[ModuleSpec]
    final_exam: dict | None
    objectives: list[Objective] = field(default_factory=list)
    lessons: dict[tuple[str, str, str], LessonSource] = field(default_factory=dict)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # Filled by package extensions (the assessments package adds quizzes).
    extra: dict[str, Any] = field(default_factory=dict)
    # Minutes of work besides reading, per language, added by package extensions (quizzes,
    # exercises); with the reading time it makes ``estimated_minutes``.
    activity_minutes: dict[str, float] = field(default_factory=dict)
    estimated_minutes: dict[str, int] = field(default_factory=dict)
    sha256: str = ""

    def all_objectives(self) -> dict[str, Objective]:
        """Every objective of the course, its modules and its lessons, by key."""
        found = {o.key: o for o in self.objectives}
        for mod in self.modules:
            found.update((o.key, o) for o in mod.objectives)
            for les in mod.lessons:
                found.update((o.key, o) for o in les.objectives)
        return found

    def words(self, language: str, module_key: str, lesson_key: str) -> int:
        return text_length(self.lessons[(language, module_key, lesson_key)].html, language)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, line: int | None, message: str) -> None:
        self.problems.append(Problem(file, line, message))


def _texts(value: Any, languages: list[str], file: str, line: int | None, what: str, c: _Collector,
           ) -> dict[str, str]:
    if not isinstance(value, dict):
        c.add(file, line, f"{what} must be a mapping of language code to text")
        return {}
    for lang in languages:
        if not isinstance(value.get(lang), str) or not value.get(lang).strip():
            c.add(file, line_of(value) or line, f"{what} is missing the {lang!r} text")
    return {k: str(v) for k, v in value.items() if isinstance(v, str)}


def _objectives(value: Any, languages: list[str], file: str, where: str, seen: set[str], c: _Collector,
                ) -> list[Objective]:
    """``objectives:`` of the course, a module or a lesson: a list of {key, text: {lang: ...}}."""
    if value is None:
        return []
    if not isinstance(value, list):
        c.add(file, line_of(value), f"{where}: objectives must be a list of {{key, text}}")
        return []
    found = []
    for obj in value:
        if not isinstance(obj, dict) or not isinstance(obj.get("key"), str) or not KEY_RE.fullmatch(obj["key"]):
            c.add(file, line_of(obj) or line_of(value), f"{where}: each objective needs a key of lower-case letters, "
                  "digits and dashes")
            continue
        if obj["key"] in seen:
            c.add(file, line_of(obj, "key"), f"{where}: duplicate objective key {obj['key']!r}")
            continue
        seen.add(obj["key"])
        for extra in sorted(set(obj) - {"key", "text"}):
            c.add(file, line_of(obj, extra), f"objective {obj['key']!r}: unknown field {extra!r}")
        text = _texts(obj.get("text"), languages, file, line_of(obj, "text") or line_of(obj),
                      f"objective {obj['key']!r} text", c)
        found.append(Objective(obj["key"], text))
    return found


def split_front_matter(text: str, filename: str) -> tuple[dict, str, int]:
    """Return (front matter, body, line where the body starts)."""
    if not text.startswith("---\n"):
        raise PackageError([Problem(filename, 1, "missing front matter (a '---' block with 'title:')")])
    end = text.find("\n---", 3)
    if end == -1:
        raise PackageError([Problem(filename, 1, "front matter is not closed by '---'")])
    meta = parse_yaml(text[4:end + 1], filename, line_offset=1) or {}
    if not isinstance(meta, dict):
        raise PackageError([Problem(filename, 2, "front matter must be a mapping")])
    rest = text[end + 4:]
    body = rest.lstrip("\n")
    body_start = text.count("\n", 0, end + 4) + 1 + (len(rest) - len(body))
    return meta, body, body_start


_IMG_RE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")
_IMG_ALT_RE = re.compile(r"!\[([^\]]*)\]\(")
_HTML_IMG_RE = re.compile(r"<img\b[^>]*>")


def render_markdown(body: str, media_url_prefix: str) -> str:
    """Markdown to sanitised HTML; media/… image paths point at the course's media route."""
    html = markdown.markdown(body, extensions=["tables", "fenced_code", "sane_lists"], output_format="html")
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    html = html.replace('src="media/', f'src="{media_url_prefix}')
    return html.replace("<img ", '<img loading="lazy" ').replace("<table>", '<div class="table-wrap"><table>').replace(
        "</table>", "</table></div>")


def load_package(path: str | Path) -> CoursePackage:
    root = Path(path)
    c = _Collector()
    manifest_path = root / "course.yaml"
    if not root.is_dir():
        raise PackageError([Problem(str(root), None, "not a folder")])
    if not manifest_path.is_file():
        raise PackageError([Problem("course.yaml", None, "missing file: every package needs a course.yaml manifest")])
    mf = "course.yaml"
    raw_manifest = manifest_path.read_text(encoding="utf-8")
    m = parse_yaml(raw_manifest, mf)
    if not isinstance(m, dict):
        raise PackageError([Problem(mf, 1, "the manifest must be a mapping")])

    for required in ("code", "slug", "languages", "title", "modules"):
        if required not in m:
            c.add(mf, 1, f"missing required field {required!r}")
    if c.problems:
        raise PackageError(c.problems)

    code = str(m["code"])
    if not re.fullmatch(r"[A-Za-z0-9-]{1,32}", code):
        c.add(mf, line_of(m, "code"), "code must be 1-32 letters, digits or dashes")
    slug = str(m["slug"])
    if not KEY_RE.fullmatch(slug):
        c.add(mf, line_of(m, "slug"), "slug must be lower-case letters, digits and dashes")
    languages = m["languages"]
    if not isinstance(languages, list) or not languages:
        c.add(mf, line_of(m, "languages"), "languages must be a non-empty list")
        languages = []
    for lang in languages:
        if lang not in LANGUAGES:
            c.add(mf, line_of(m, "languages"), f"unsupported language {lang!r} (supported: {', '.join(LANGUAGES)})")
    languages = [str(lang) for lang in languages]
    default_language = str(m.get("default_language", languages[0] if languages else "en"))
    if languages and default_language not in languages:
        c.add(mf, line_of(m, "default_language"), "default_language must be one of the languages")
    if "estimated_hours" in m:
        c.add(mf, line_of(m, "estimated_hours"), "estimated_hours: remove it; the importer computes the time "
              "from the lessons' text (reading speed per language), the exercises and the quizzes")
    title = _texts(m["title"], languages, mf, line_of(m, "title"), "title", c)
    description = _texts(m.get("description", dict.fromkeys(languages, "")) or {}, [], mf,
                         line_of(m, "description"), "description", c)

    modules: list[ModuleSpec] = []
    lesson_keys: set[str] = set()
    objective_keys: set[str] = set()
    course_objectives = _objectives(m.get("objectives"), languages, mf, "course", objective_keys, c)
    if not isinstance(m["modules"], list) or not m["modules"]:
        c.add(mf, line_of(m, "modules"), "modules must be a non-empty list")
    else:
        module_keys: set[str] = set()
        for mod in m["modules"]:
            if not isinstance(mod, dict) or "key" not in mod:
                c.add(mf, line_of(mod), "each module needs a key")
                continue
            mkey = str(mod["key"])
            if not KEY_RE.fullmatch(mkey):
                c.add(mf, line_of(mod, "key"), f"module key {mkey!r}: use lower-case letters, digits, dashes")
            if mkey in module_keys:
                c.add(mf, line_of(mod, "key"), f"duplicate module key {mkey!r}")
            module_keys.add(mkey)
            mtitle = _texts(mod.get("title"), languages, mf, line_of(mod, "title") or line_of(mod),
                            f"module {mkey!r} title", c)
            lessons = []
            if not isinstance(mod.get("lessons"), list) or not mod.get("lessons"):
                c.add(mf, line_of(mod), f"module {mkey!r} needs a non-empty list of lessons")
            else:
                for les in mod["lessons"]:
                    if not isinstance(les, dict) or "key" not in les:
                        c.add(mf, line_of(les), f"module {mkey!r}: each lesson needs a key")
                        continue
                    lkey = str(les["key"])
                    if not KEY_RE.fullmatch(lkey):
                        c.add(mf, line_of(les, "key"), f"lesson key {lkey!r}: use lower-case letters, digits, dashes")
                    if lkey in lesson_keys:
                        c.add(mf, line_of(les, "key"), f"duplicate lesson key {lkey!r}")
                    lesson_keys.add(lkey)
                    if "minutes" in les:
                        c.add(mf, line_of(les, "minutes"), f"lesson {lkey!r}: minutes: remove it; the importer "
                              "computes a lesson's time from its text")
                    lessons.append(LessonSpec(lkey, video=les.get("video"), objectives=_objectives(
                        les.get("objectives"), languages, mf, f"lesson {lkey!r}", objective_keys, c)))
            quiz = mod.get("quiz")
            if quiz is not None and not isinstance(quiz, dict):
                c.add(mf, line_of(mod, "quiz"), f"module {mkey!r}: quiz settings must be a mapping")
                quiz = None
            modules.append(ModuleSpec(mkey, mtitle, lessons, quiz, _objectives(
                mod.get("objectives"), languages, mf, f"module {mkey!r}", objective_keys, c)))
    final_exam = m.get("final_exam")
    if final_exam is not None and not isinstance(final_exam, dict):
        c.add(mf, line_of(m, "final_exam"), "final_exam settings must be a mapping")
        final_exam = None
    if c.problems:
        raise PackageError(c.problems)

    pkg = CoursePackage(
        root=root, code=code, slug=slug, default_language=default_language, languages=languages,
        sequential_release=bool(m.get("sequential_release", True)), title=title,
        description=description, modules=modules, final_exam=final_exam, objectives=course_objectives,
    )
    digest = hashlib.sha256(raw_manifest.encode())

    # Media first, so lessons can be checked against it.
    media_dir = root / "media"
    if media_dir.is_dir():
        for f in sorted(media_dir.iterdir()):
            rel = f"media/{f.name}"
            ctype = MEDIA_TYPES.get(f.suffix.lower())
            if not f.is_file():
                continue
            if ctype is None:
                c.add(rel, None, "unsupported media type (use PNG, JPEG, WebP or SVG)")
                continue
            data = f.read_bytes()
            if len(data) > MAX_MEDIA_BYTES:
                c.add(rel, None, "image larger than 2 MB")
                continue
            if ctype == "image/svg+xml" and re.search(rb"<script|on\w+\s*=|javascript:", data, re.I):
                c.add(rel, None, "SVG contains scripts or event handlers")
                continue
            pkg.media[f.name] = (ctype, data)
            digest.update(rel.encode() + data)

    media_prefix = f"/courses/{slug}/media/"
    for lang in languages:
        lang_dir = root / lang
        if not lang_dir.is_dir():
            c.add(f"{lang}/", None, f"missing folder for language {lang!r}")
            continue
        for mod in modules:
            for les in mod.lessons:
                rel = f"{lang}/{mod.key}/{les.key}.md"
                fp = root / rel
                if not fp.is_file():
                    c.add(rel, None, f"missing file: lesson {les.key!r} has no {lang!r} text")
                    continue
                text = fp.read_text(encoding="utf-8")
                digest.update(rel.encode() + text.encode())
                try:
                    meta, body, body_line = split_front_matter(text, rel)
                except PackageError as exc:
                    c.problems.extend(exc.problems)
                    continue
                if not isinstance(meta.get("title"), str) or not meta["title"].strip():
                    c.add(rel, 2, "front matter needs a title")
                    continue
                if not body.strip():
                    c.add(rel, body_line, "the lesson has no text")
                for i, line in enumerate(body.splitlines(), start=body_line):
                    for src in _IMG_RE.findall(line):
                        if src.startswith("media/") and src[6:] not in pkg.media:
                            c.add(rel, i, f"image {src!r} not found in media/")
                        elif not src.startswith("media/"):
                            # Pages fetch nothing from other hosts: slow links, offline copies, CSP.
                            c.add(rel, i, f"image {src!r}: use media/<file> from the package")
                    for alt in _IMG_ALT_RE.findall(line):
                        if not alt.strip():
                            c.add(rel, i, "image without alt text: describe what it shows in ![…](media/…)")
                if meta.get("video") and not str(meta["video"]).startswith("https://"):
                    c.add(rel, line_of(meta, "video"), "video must be an https:// link")
                    continue
                html = render_markdown(body, media_prefix)
                # Raw <img> tags in the Markdown: the same rules (Markdown images were checked above).
                from_markdown = {src.replace("media/", media_prefix, 1) for src in _IMG_RE.findall(body)}
                from_markdown |= set(_IMG_RE.findall(body))
                for tag in _HTML_IMG_RE.findall(html):
                    src = re.search(r'src="([^"]*)"', tag)
                    if src is not None and src.group(1) in from_markdown:
                        continue
                    if src is None or not src.group(1).startswith(media_prefix):
                        c.add(rel, None, f"image {src.group(1) if src else tag!r}: use media/<file> from the package")
                    elif not re.search(r'alt="[^"]*\S[^"]*"', tag):
                        c.add(rel, None, f"image {src.group(1)!r} without alt text: describe what it shows")
                pkg.lessons[(lang, mod.key, les.key)] = LessonSource(
                    title=meta["title"].strip(), html=html,
                    sha256=hashlib.sha256(text.encode()).hexdigest(),
                    translated_from=(str(meta["translated_from"]).strip().lower()
                                     if meta.get("translated_from") else None),
                )
                if meta.get("video"):
                    les.video = str(meta["video"])
        # Files that belong to no lesson in the manifest are mistakes, not extras.
        for fp in sorted(lang_dir.rglob("*.md")):
            parts = fp.relative_to(lang_dir).parts
            if len(parts) != 2:
                continue
            mkey, lkey = parts[0], fp.stem
            if not any(mod.key == mkey and any(les.key == lkey for les in mod.lessons) for mod in modules):
                c.add(f"{lang}/{mkey}/{fp.name}", None,
                      f"unknown lesson key {lkey!r}: not listed under module {mkey!r} in course.yaml")

    from academy.courses.review import load_glossary  # it reads this module's package

    load_glossary(pkg, c)
    signals.course_package_loaded.send(pkg, problems=c)
    if c.problems:
        raise PackageError(c.problems)
    _estimate_time(pkg)
    for key in sorted(pkg.extra):
        digest.update(repr(pkg.extra[key]).encode())
    pkg.sha256 = digest.hexdigest()
    return pkg

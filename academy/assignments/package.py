"""Assignments in a course package: ``<lang>/assignments/<key>.yaml``, one file per language.

Read on ``course-package-loaded``: every language must have the same assignments, each with a title,
instructions (Markdown), a download template and a rubric that ``validate_spec`` accepts; the rubric
has the same shape (criteria, points, threshold, minimum levels) in every language, so a report is
held to the same standard whatever language it is written in. The result goes to
``pkg.extra["assignments"]`` for the import to write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from academy.assessments.rubrics import validate_spec
from academy.courses.package import CoursePackage, PackageError, line_of, parse_yaml, render_markdown

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FILENAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
# Excel refuses these in a sheet name, and names longer than 31 characters.
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class AssignmentSpec:
    key: str
    module: str
    #: language -> {title, instructions_html, template, rubric}
    texts: dict[str, dict] = field(default_factory=dict)


def rubric_shape(spec: dict) -> tuple:
    """What must be equal in every language: the threshold and, per criterion, the points and minimum level."""
    criteria = []
    for crit in spec.get("criteria") or []:
        levels = crit.get("levels") or []
        titles = [str(lv.get("title", "")).strip().lower() for lv in levels]
        minimum = str(crit.get("min_level") or "").strip().lower()
        criteria.append((tuple(lv.get("points") for lv in levels),
                         titles.index(minimum) + 1 if minimum in titles else None))
    return spec.get("pass_threshold"), tuple(criteria)


def _check_template(template, rel: str, c) -> list[tuple]:
    """Problems are added to ``c``; returns the template's shape (sheet kinds and sizes)."""
    if not isinstance(template, dict):
        c.add(rel, None, "'template:' must be a mapping with 'filename' and 'sheets'")
        return []
    if not FILENAME_RE.match(str(template.get("filename") or "")):
        c.add(rel, line_of(template, "filename"), "template filename: lower-case letters, digits and '-' only")
    sheets = template.get("sheets")
    if not isinstance(sheets, list) or not sheets:
        c.add(rel, line_of(template, "sheets"), "the template needs at least one sheet")
        return []
    shape = []
    for i, sheet in enumerate(sheets, start=1):
        if not isinstance(sheet, dict):
            c.add(rel, None, f"template sheet {i} is not a mapping")
            continue
        name = str(sheet.get("name") or "").strip()
        if not name or len(name) > 31 or SHEET_FORBIDDEN.search(name):
            c.add(rel, line_of(sheet, "name"),
                  f"template sheet {i}: a name of 1 to 31 characters without []:*?/\\ is required")
        kinds = [k for k in ("fields", "columns") if k in sheet]
        if len(kinds) != 1 or not isinstance(sheet[kinds[0]], list) or not sheet[kinds[0]] or not all(
                isinstance(x, str) and x.strip() for x in sheet[kinds[0]]):
            c.add(rel, line_of(sheet, "name"), f"template sheet {i}: give either 'fields' or 'columns', "
                                                "a list of labels")
            continue
        choices = sheet.get("choices")
        if choices is not None:
            if kinds[0] != "columns" or not isinstance(choices, dict) or not isinstance(choices.get("column"), int) \
                    or not 1 <= choices["column"] <= len(sheet["columns"]) or not choices.get("values"):
                c.add(rel, line_of(sheet, "choices"), f"template sheet {i}: 'choices' needs a column number "
                                                      "(1 = first column) and a list of values")
            elif not all(isinstance(v, str) and v and not re.search(r'[,"]', v) for v in choices["values"]) \
                    or len(",".join(choices["values"])) > 250:
                c.add(rel, line_of(sheet, "choices"), f"template sheet {i}: choice values are short texts "
                                                      "without commas or double quotes")
        shape.append((kinds[0], len(sheet[kinds[0]])))
    return shape


def load_assignments(pkg: CoursePackage, problems, **_kw) -> None:
    """On ``course-package-loaded``: validate every assignment file and store AssignmentSpecs in pkg.extra."""
    c = problems
    default_dir = pkg.root / pkg.default_language / "assignments"
    keys = sorted(p.stem for p in default_dir.glob("*.yaml")) if default_dir.is_dir() else []
    module_keys = {m.key for m in pkg.modules}
    specs: list[AssignmentSpec] = []
    for lang in pkg.languages:
        lang_dir = pkg.root / lang / "assignments"
        for extra in sorted(set(p.stem for p in lang_dir.glob("*.yaml")) - set(keys)) if lang_dir.is_dir() else []:
            c.add(f"{lang}/assignments/{extra}.yaml", None,
                  f"assignment {extra!r} has no {pkg.default_language!r} file: add it or remove this one")
    for key in keys:
        if not KEY_RE.match(key):
            c.add(f"{pkg.default_language}/assignments/{key}.yaml", None,
                  "an assignment's file name must be lower-case letters, digits and '-'")
            continue
        spec = AssignmentSpec(key=key, module="")
        shapes: dict[str, tuple] = {}
        for lang in pkg.languages:
            rel = f"{lang}/assignments/{key}.yaml"
            fp = pkg.root / rel
            if not fp.is_file():
                c.add(rel, None, f"missing file: assignment {key!r} has no {lang!r} text")
                continue
            try:
                data = parse_yaml(fp.read_text(encoding="utf-8"), rel)
            except PackageError as exc:
                c.problems.extend(exc.problems)
                continue
            if not isinstance(data, dict):
                c.add(rel, 1, "the file must be a mapping (title, module, instructions, template, rubric)")
                continue
            module = str(data.get("module") or "")
            if module not in module_keys:
                c.add(rel, line_of(data, "module"), f"module {module!r} is not a module of course.yaml")
            elif spec.module and module != spec.module:
                c.add(rel, line_of(data, "module"), f"module {module!r} differs from {spec.module!r} in another "
                                                    "language")
            spec.module = spec.module or module
            title = str(data.get("title") or "").strip()
            if not title:
                c.add(rel, line_of(data, "title"), "the assignment needs a title")
            instructions = str(data.get("instructions") or "").strip()
            if not instructions:
                c.add(rel, line_of(data, "instructions"), "the assignment needs instructions")
            template_shape = _check_template(data.get("template"), rel, c)
            rubric = data.get("rubric")
            if not isinstance(rubric, dict):
                c.add(rel, line_of(data, "rubric"), "the assignment needs a rubric")
                continue
            for message in validate_spec(rubric):
                c.add(rel, line_of(data, "rubric"), f"rubric: {message}")
            shapes[lang] = (rubric_shape(rubric), tuple(template_shape))
            spec.texts[lang] = {"title": title, "instructions_html": render_markdown(instructions, f"/courses/"
                                                                                     f"{pkg.slug}/media/"),
                                "template": data.get("template"), "rubric": rubric}
        reference = shapes.get(pkg.default_language)
        for lang, shape in shapes.items():
            if reference is not None and shape != reference:
                what = "rubric" if shape[0] != reference[0] else "template"
                c.add(f"{lang}/assignments/{key}.yaml", None,
                      f"the {what} differs from the {pkg.default_language!r} one: the same criteria, points, "
                      "threshold and minimum levels (rubric) or sheets and columns (template) in every language")
        specs.append(spec)
    pkg.extra["assignments"] = specs

"""What a content reviewer needs to know about a course package, computed, not hand-counted.

``glossary`` reads each language's ``<lang>/glossary.yaml`` (the course's terms and their
translation, with the variants to avoid and the phrases in which a variant is right) and
reports every lesson, quiz, exercise set, assignment and course text that uses a variant to
avoid: a report, not an import error, so a text being reworded does not block an import.
``review_report`` gathers the figures the package README quotes: words per lesson and
language, exercises per module, the share of application items per quiz, pools and draws,
and the computed study time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from academy.courses.package import CoursePackage, PackageError, line_of, parse_yaml

_TAG = re.compile(r"<[^>]+>")


@dataclass
class GlossaryTerm:
    key: str
    term: str
    avoid: list[str] = field(default_factory=list)
    # Phrases where a variant is right, e.g. Russian "англ. PCT" naming the English acronym, or
    # "PCT/" in an application number: the report would otherwise list them for ever.
    allow: list[str] = field(default_factory=list)


def load_glossary(pkg: CoursePackage, problems, **_kw) -> None:
    """On ``course-package-loaded``: read the glossaries (same keys in every language) and
    leave ``pkg.extra["glossary"]`` and the list of inconsistent uses in ``glossary_report``."""
    c = problems
    glossaries: dict[str, dict[str, GlossaryTerm]] = {}
    for lang in pkg.languages:
        rel = f"{lang}/glossary.yaml"
        path = pkg.root / rel
        if not path.is_file():
            continue
        try:
            data = parse_yaml(path.read_text(encoding="utf-8"), rel)
        except PackageError as exc:
            c.problems.extend(exc.problems)
            continue
        terms: dict[str, GlossaryTerm] = {}
        if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
            c.add(rel, line_of(data) or 1, "a glossary needs a 'terms:' list")
            continue
        for t in data["terms"]:
            if not isinstance(t, dict) or not isinstance(t.get("key"), str) or not isinstance(t.get("term"), str):
                c.add(rel, line_of(t), "each glossary term needs a key and a term")
                continue
            avoid = t.get("avoid", [])
            if not isinstance(avoid, list) or not all(isinstance(a, str) and a.strip() for a in avoid):
                c.add(rel, line_of(t, "avoid"), f"term {t['key']!r}: avoid must be a list of texts")
                avoid = []
            allow = t.get("allow", [])
            if not isinstance(allow, list) or not all(isinstance(a, str) and a.strip() for a in allow):
                c.add(rel, line_of(t, "allow"), f"term {t['key']!r}: allow must be a list of texts")
                allow = []
            if t["key"] in terms:
                c.add(rel, line_of(t, "key"), f"duplicate glossary key {t['key']!r}")
            terms[t["key"]] = GlossaryTerm(t["key"], t["term"], avoid, allow)
        glossaries[lang] = terms
    if not glossaries:
        return
    reference = glossaries.get(pkg.default_language, {})
    for lang in pkg.languages:
        if lang not in glossaries:
            c.add(f"{lang}/glossary.yaml", None, f"missing file: the glossary has no {lang!r} version")
        elif set(glossaries[lang]) != set(reference):
            c.add(f"{lang}/glossary.yaml", None,
                  f"the glossary's keys differ from {pkg.default_language}/glossary.yaml")
    pkg.extra["glossary"] = glossaries
    pkg.extra["glossary_report"] = glossary_report(pkg, glossaries)


def _uses(text: str, variant: str) -> int:
    # Whole words for alphabetic scripts; Chinese and Arabic marks are matched as written.
    if re.fullmatch(r"[\w\s.-]+", variant) and not re.search(r"[\u3400-\u9fff]", variant):
        return len(re.findall(rf"(?<!\w){re.escape(variant)}(?!\w)", text))
    return text.count(variant)


def _strings(data: Any, lang: str | None = None) -> list[str]:
    """Every text in a YAML document; with ``lang``, only the values of that language's keys
    (course.yaml holds all languages side by side)."""
    if isinstance(data, str):
        return [data] if lang is None else []
    if isinstance(data, dict):
        own = [data[lang]] if lang is not None and isinstance(data.get(lang), str) else []
        return own + [s for key, value in data.items() if key != lang for s in _strings(value, lang)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value, lang)]
    return []


def _texts(pkg: CoursePackage, lang: str) -> list[tuple[str, str]]:
    """(file, text) for everything a learner reads in ``lang``: lessons, then the quizzes,
    exercises and assignments, then the course's titles, description and objectives."""
    texts = [(f"{lang}/{module_key}/{lesson_key}.md", _TAG.sub(" ", source.html))
             for (lesson_lang, module_key, lesson_key), source in sorted(pkg.lessons.items()) if lesson_lang == lang]
    for path in sorted((pkg.root / lang).rglob("*.yaml")):
        rel = path.relative_to(pkg.root).as_posix()
        if path.name == "glossary.yaml":
            continue
        try:
            texts.append((rel, "\n".join(_strings(parse_yaml(path.read_text(encoding="utf-8"), rel)))))
        except PackageError:
            continue  # the loader that owns the file reports it
    course = pkg.root / "course.yaml"
    if course.is_file():
        texts.append((f"course.yaml ({lang})", "\n".join(_strings(parse_yaml(course.read_text(encoding="utf-8"),
                                                                     "course.yaml"), lang))))
    return texts


def glossary_report(pkg: CoursePackage, glossaries: dict[str, dict[str, GlossaryTerm]]) -> list[str]:
    """One line per file and variant to avoid that the file uses, outside the allowed phrases."""
    lines = []
    for lang in pkg.languages:
        terms = glossaries.get(lang, {}).values()
        for name, text in _texts(pkg, lang) if terms else []:
            for term in terms:
                kept = text
                for phrase in term.allow:
                    kept = kept.replace(phrase, " ")
                for variant in term.avoid:
                    count = _uses(kept, variant)
                    if count:
                        lines.append(f"{name}: {count}× {variant!r}, the glossary says {term.term!r} ({term.key})")
    return lines


def review_report(pkg: CoursePackage) -> dict[str, Any]:
    """The figures a reviewer checks, all computed from the package."""
    quizzes = pkg.extra.get("quizzes", [])
    exercises = pkg.extra.get("exercises", [])
    words = {
        f"{mod.key}/{les.key}": {lang: pkg.words(lang, mod.key, les.key) for lang in pkg.languages}
        for mod in pkg.modules for les in mod.lessons
    }
    quiz_rows = []
    for quiz in quizzes:
        skills = [q.texts[pkg.default_language].get("skill") for q in quiz.questions]
        quiz_rows.append({
            "quiz": quiz.key, "pool": len(quiz.questions), "draw": quiz.settings["draw"] or len(quiz.questions),
            "apply": skills.count("apply"), "share_apply": skills.count("apply") / len(skills) if skills else 0.0,
            "linked": sum(1 for q in quiz.questions if q.texts[pkg.default_language].get("objective")),
        })
    exercise_rows = [{
        "module": mod.key,
        "exercises": sum(1 for e in exercises if e.module_key == mod.key),
        "graded": sum(1 for e in exercises if e.module_key == mod.key and e.type != "open"),
    } for mod in pkg.modules]
    return {"languages": pkg.languages, "words": words, "quizzes": quiz_rows, "exercises": exercise_rows,
            "minutes": dict(pkg.estimated_minutes), "glossary_report": pkg.extra.get("glossary_report", [])}


def review_markdown(pkg: CoursePackage) -> str:
    """The report as Markdown tables (the package README pastes this output)."""
    r = review_report(pkg)
    langs = r["languages"]
    unit = {lang: ("characters" if lang == "zh" else "words") for lang in langs}
    out = ["### Words per lesson", "", "| lesson | " + " | ".join(f"{lang} ({unit[lang]})" for lang in langs) + " |",
           "|---|" + "---:|" * len(langs)]
    for lesson, counts in r["words"].items():
        out.append(f"| {lesson} | " + " | ".join(f"{counts[lang]:,}" for lang in langs) + " |")
    totals = {lang: sum(c[lang] for c in r["words"].values()) for lang in langs}
    out.append("| **total** | " + " | ".join(f"**{totals[lang]:,}**" for lang in langs) + " |")
    out += ["", "### Exercises per module", "", "| module | exercises | graded automatically |", "|---|---:|---:|"]
    out += [f"| {row['module']} | {row['exercises']} | {row['graded']} |" for row in r["exercises"]]
    out += ["", "### Quizzes: application items, pool and draw", "",
            "| quiz | items in pool | drawn per attempt | apply items | share apply | linked to an objective |",
            "|---|---:|---:|---:|---:|---:|"]
    out += [f"| {q['quiz']} | {q['pool']} | {q['draw']} | {q['apply']} | {q['share_apply']:.0%} | {q['linked']} |"
            for q in r["quizzes"]]
    out += ["", "### Estimated study time (computed by the importer)", "", "| language | minutes | hours |",
            "|---|---:|---:|"]
    out += [f"| {lang} | {m} | {m / 60:.1f} |" for lang, m in r["minutes"].items()]
    out += ["", "### Glossary report", ""]
    out += [f"- {line}" for line in r["glossary_report"]] or ["- no text uses a variant the glossary avoids"]
    return "\n".join(out) + "\n"

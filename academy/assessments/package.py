"""Loading and validating quizzes from a course package (see courses/packages/README.md).

Connected to ``course-package-loaded`` (academy.core.signals): ``load_quizzes(pkg, problems)``
reads ``<lang>/<module>/quiz.yaml`` and ``<lang>/final-exam.yaml`` with the settings
from ``course.yaml``, reports every problem with its file and line, and leaves the
result in ``pkg.extra["quizzes"]`` for the import hook to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from academy.assessments.enums import ShowAnswers
from academy.assessments.models import FINAL_EXAM_KEY
from academy.assessments.questions import COMMON_FIELDS, QUESTION_TYPES, SKILLS, normalise_text
from academy.courses.package import KEY_RE, CoursePackage, PackageError, line_of, parse_yaml

#: Time a learner takes per question asked, reading it included (for the course's estimate).
MINUTES_PER_QUESTION = 1.5

DEFAULT_SETTINGS: dict[str, Any] = {
    "pass_mark": 70,  # nosec B105 - a percentage, not a password
    "max_attempts": None,
    "time_limit_minutes": None,
    "shuffle_questions": False,
    "shuffle_options": False,
    "draw": None,
    "show_answers": ShowAnswers.AFTER_EACH_ATTEMPT.value,
    "wait_minutes": 0,
    "questions_per_page": 5,
}


@dataclass
class QuestionSpec:
    key: str
    type: str
    texts: dict[str, dict] = field(default_factory=dict)  # language -> normalised definition


@dataclass
class QuizSpec:
    key: str
    module_key: str | None  # None for the final exam
    settings: dict[str, Any]
    questions: list[QuestionSpec] = field(default_factory=list)


def _check_settings(raw: dict | None, where: str, c) -> dict[str, Any]:
    """Validate quiz settings from course.yaml; returns them with defaults filled in."""
    mf = "course.yaml"
    settings = dict(DEFAULT_SETTINGS)
    raw = raw or {}
    for name, value in raw.items():
        line = line_of(raw, name)
        if name not in DEFAULT_SETTINGS:
            c.add(
                mf,
                line,
                f"{where}: unknown quiz setting {name!r} (known: {', '.join(DEFAULT_SETTINGS)})",
            )
            continue
        ok = True
        if name == "pass_mark":
            ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100
            msg = "pass_mark must be a whole number from 0 to 100"
        elif name in ("max_attempts", "time_limit_minutes", "draw"):
            ok = value is None or (
                isinstance(value, int) and not isinstance(value, bool) and value >= 1
            )
            msg = f"{name} must be a whole number of 1 or more, or null"
        elif name in ("shuffle_questions", "shuffle_options"):
            ok = isinstance(value, bool)
            msg = f"{name} must be true or false"
        elif name == "show_answers":
            ok = value in {s.value for s in ShowAnswers}
            msg = f"show_answers must be one of {', '.join(s.value for s in ShowAnswers)}"
        elif name == "wait_minutes":
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            msg = "wait_minutes must be a whole number of 0 or more"
        elif name == "questions_per_page":
            ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 50
            msg = "questions_per_page must be a whole number from 1 to 50"
        if not ok:
            c.add(mf, line, f"{where}: {msg}")
            continue
        settings[name] = value
    return settings


def _read_questions(
    pkg: CoursePackage, rel: str, c, keys: set[str]
) -> list[tuple[dict, Any]] | None:
    """Parse one quiz file and validate each question; returns [(question, raw mapping)].

    ``keys`` collects every question key in the file, valid or not, so a broken question
    is reported once and not again as "missing".
    """
    path = pkg.root / rel
    text = path.read_text(encoding="utf-8")
    try:
        data = parse_yaml(text, rel)
    except PackageError as exc:
        c.problems.extend(exc.problems)
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("questions"), list)
        or not data["questions"]
    ):
        c.add(rel, line_of(data) or 1, "a quiz file needs a non-empty 'questions:' list")
        return None
    for extra in set(data) - {"questions"}:
        c.add(
            rel,
            line_of(data, extra),
            f"unknown field {extra!r} (a quiz file has only 'questions:')",
        )
    result = []
    seen: dict[str, int | None] = {}
    for q in data["questions"]:
        if not isinstance(q, dict):
            c.add(rel, line_of(data["questions"]), "each question must be a mapping")
            continue

        def report(node: Any, fld: str | None, message: str, _q=q) -> None:
            key = _q.get("key", "?")
            c.add(
                rel,
                line_of(node, fld) if fld else line_of(node) or line_of(_q),
                f"question {key!r}: {message}",
            )

        key = q.get("key")
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            c.add(
                rel,
                line_of(q, "key") if "key" in q else line_of(q),
                "each question needs a key of lower-case letters, digits and dashes",
            )
            continue
        keys.add(key)
        if key in seen:
            c.add(
                rel,
                line_of(q, "key"),
                f"duplicate question key {key!r} (first used on line {seen[key]})",
            )
            continue
        seen[key] = line_of(q, "key")
        qtype = QUESTION_TYPES.get(q.get("type"))
        if qtype is None:
            c.add(
                rel,
                line_of(q, "type"),
                f"question {key!r}: unknown type {q.get('type')!r} "
                f"(known: {', '.join(sorted(QUESTION_TYPES))})",
            )
            continue
        if not isinstance(q.get("prompt"), str) or not q["prompt"].strip():
            report(q, "prompt" if "prompt" in q else None, "needs a prompt")
        if "explanation" in q and not (
            isinstance(q["explanation"], str) and q["explanation"].strip()
        ):
            report(q, "explanation", "explanation must be text")
        objectives = pkg.all_objectives()
        if "objective" in q and q["objective"] not in objectives:
            report(q, "objective", f"unknown objective {q['objective']!r}: use the key of an objective of the "
                   "course, a module or a lesson in course.yaml")
        elif "objective" not in q and objectives:
            report(q, None, "needs an objective: the key of the course, module or lesson objective it checks")
        if "skill" in q and q["skill"] not in SKILLS:
            report(q, "skill", f"skill must be one of {', '.join(SKILLS)}")
        for unknown in sorted(set(q) - COMMON_FIELDS - qtype.fields):
            report(q, unknown, f"unknown field {unknown!r} for type {qtype.name}")
        before = len(c.problems)
        qtype.validate(q, report)
        if len(c.problems) == before:
            result.append((qtype.normalise(q), q))
    return result


def _load_quiz(
    pkg: CoursePackage,
    key: str,
    module_key: str | None,
    settings_raw: Any,
    files: dict[str, str],
    c,
) -> QuizSpec | None:
    where = f"module {module_key!r} quiz" if module_key else "final exam"
    settings = _check_settings(settings_raw, where, c)
    spec = QuizSpec(key=key, module_key=module_key, settings=settings)
    langs = [pkg.default_language] + [
        lang for lang in pkg.languages if lang != pkg.default_language
    ]
    parsed: dict[str, list[tuple[dict, Any]]] = {}
    present: dict[str, set[str]] = {lang: set() for lang in langs}
    for lang in langs:
        rel = files[lang]
        if not (pkg.root / rel).is_file():
            c.add(rel, None, f"missing file: the {where} has no {lang!r} version")
            continue
        questions = _read_questions(pkg, rel, c, present[lang])
        if questions is not None:
            parsed[lang] = questions
    reference = parsed.get(pkg.default_language)
    if reference is None:
        return None
    ref_rel = files[pkg.default_language]
    ref_by_key = {q["key"]: q for q, _raw in reference}
    for lang in langs[1:]:
        if lang not in parsed:
            continue
        rel = files[lang]
        by_key = {q["key"]: (q, raw) for q, raw in parsed[lang]}
        for key_ in ref_by_key:
            if key_ not in present[lang]:
                c.add(
                    rel, None, f"question {key_!r} is missing in this language (it is in {ref_rel})"
                )
        for key_, (q, raw) in by_key.items():
            ref = ref_by_key.get(key_)
            if ref is None:
                c.add(
                    rel,
                    line_of(raw, "key"),
                    f"question {key_!r} is not in {ref_rel}: "
                    "every language needs the same questions",
                )
                continue
            if q["type"] != ref["type"]:
                c.add(
                    rel,
                    line_of(raw, "type"),
                    f"question {key_!r}: type {q['type']!r} "
                    f"differs from {ref['type']!r} in {ref_rel}",
                )
                continue
            qtype = QUESTION_TYPES[q["type"]]
            if q.get("skill") != ref.get("skill") or q.get("objective") != ref.get("objective"):
                c.add(
                    rel,
                    line_of(raw, "skill" if q.get("skill") != ref.get("skill") else "objective"),
                    f"question {key_!r}: skill and objective must be the same as in {ref_rel}",
                )
                continue
            if qtype.structure(q) != qtype.structure(ref):
                c.add(
                    rel,
                    line_of(raw),
                    f"question {key_!r}: its structure (options, correct answers or scoring) "
                    f"differs from {ref_rel}; only texts may differ between languages",
                )
    for q, _raw in reference:
        texts = {
            lang: next(x for x, _r in parsed[lang] if x["key"] == q["key"])
            for lang in langs
            if lang in parsed and any(x["key"] == q["key"] for x, _r in parsed[lang])
        }
        spec.questions.append(QuestionSpec(key=q["key"], type=q["type"], texts=texts))
    draw = settings["draw"]
    if draw is not None and draw > len(spec.questions):
        line = line_of(settings_raw, "draw") if isinstance(settings_raw, dict) else None
        c.add(
            "course.yaml",
            line,
            f"{where}: draw {draw} is more than the {len(spec.questions)} questions in the pool",
        )
    elif draw is not None and len(spec.questions) < 2 * draw:
        line = line_of(settings_raw, "draw") if isinstance(settings_raw, dict) else None
        c.add(
            "course.yaml",
            line,
            f"{where}: draw {draw} needs a pool of at least {2 * draw} questions (it has "
            f"{len(spec.questions)}), so that a retake sees different questions",
        )
    return spec


def _stem(prompt: str) -> str:
    return " ".join(normalise_text(prompt, case_sensitive=False, ignore_accents=True).strip("?!.:;").split())


def _check_repeated_items(pkg: CoursePackage, quizzes: list[QuizSpec], c) -> None:
    """The same question in two quizzes (or twice in one) teaches nothing the second time."""
    for lang in pkg.languages:
        seen: dict[str, tuple[str, str]] = {}
        for quiz in quizzes:
            rel = f"{lang}/final-exam.yaml" if quiz.module_key is None else f"{lang}/{quiz.module_key}/quiz.yaml"
            for question in quiz.questions:
                spec = question.texts.get(lang)
                if spec is None:
                    continue
                stem = _stem(spec["prompt"])
                if stem in seen:
                    other_rel, other_key = seen[stem]
                    c.add(rel, None, f"question {question.key!r} repeats the prompt of question {other_key!r} "
                          f"in {other_rel}: every item asks something new")
                else:
                    seen[stem] = (rel, question.key)


def load_quizzes(pkg: CoursePackage, problems, **_kw) -> None:
    """On ``course-package-loaded``: validate every quiz file and store QuizSpecs in pkg.extra."""
    c = problems
    quizzes: list[QuizSpec] = []
    for mod in pkg.modules:
        files = {lang: f"{lang}/{mod.key}/quiz.yaml" for lang in pkg.languages}
        if mod.quiz is None:
            for rel in files.values():
                if (pkg.root / rel).is_file():
                    c.add(
                        rel,
                        None,
                        f"module {mod.key!r} has no 'quiz:' settings in course.yaml; add them "
                        "(pass_mark, max_attempts, ...) or remove this file",
                    )
            continue
        quiz = _load_quiz(pkg, mod.key, mod.key, mod.quiz, files, c)
        if quiz is not None:
            quizzes.append(quiz)
    files = {lang: f"{lang}/final-exam.yaml" for lang in pkg.languages}
    if pkg.final_exam is None:
        for rel in files.values():
            if (pkg.root / rel).is_file():
                c.add(
                    rel,
                    None,
                    "there is no 'final_exam:' in course.yaml; "
                    "add its settings or remove this file",
                )
    else:
        quiz = _load_quiz(pkg, FINAL_EXAM_KEY, None, pkg.final_exam, files, c)
        if quiz is not None:
            quizzes.append(quiz)
    _check_repeated_items(pkg, quizzes, c)
    pkg.extra["quizzes"] = quizzes
    for quiz in quizzes:
        asked = quiz.settings["draw"] or len(quiz.questions)
        for lang in pkg.languages:
            pkg.activity_minutes[lang] = pkg.activity_minutes.get(lang, 0) + asked * MINUTES_PER_QUESTION

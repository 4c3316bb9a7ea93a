"""A survey written as YAML by the admin: its title and questions, each in every language.

Parsing checks everything before anything is stored, and every error names the question
(by its number and key), the field and the language, so the admin can find it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from flask import current_app
from flask_babel import gettext as _

from academy.surveys.enums import QuestionKind

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

EXAMPLE = """\
title:
  en: Six months after the training
  fr: Six mois après la formation
  # … one line per language
questions:
  - key: searches
    kind: number            # single, multiple, likert, number or text
    text:
      en: How many patent searches have you done for clients since the training?
      fr: Combien de recherches de brevets avez-vous faites pour des clients depuis la formation ?
  - key: skills
    kind: multiple
    text: {en: Which skills do you use?, fr: Quelles compétences utilisez-vous ?}
    options:
      - key: prior-art
        labels: {en: Prior-art searching, fr: Recherche d'antériorités}
  - key: comments
    kind: text
    required: false
    text: {en: Anything else?, fr: Autre chose ?}
"""


class DefinitionError(ValueError):
    pass


@dataclass
class QuestionDef:
    key: str
    kind: QuestionKind
    texts: dict
    options: list = field(default_factory=list)
    is_required: bool = True


@dataclass
class SurveyDef:
    titles: dict
    questions: list[QuestionDef]


def _languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def _translations(value, where: str) -> dict:
    """A {language: text} mapping with a non-empty text for every site language."""
    if not isinstance(value, dict):
        raise DefinitionError(_("%(where)s: give one text per language (en, fr, …).", where=where))
    texts = {str(k): ("" if v is None else str(v)).strip() for k, v in value.items()}
    unknown = sorted(set(texts) - set(_languages()))
    if unknown:
        raise DefinitionError(_("%(where)s: unknown language %(language)s.", where=where, language=unknown[0]))
    missing = [lang for lang in _languages() if not texts.get(lang)]
    if missing:
        raise DefinitionError(_("%(where)s: the translation in %(language)s is missing.", where=where,
                                language=missing[0]))
    return texts


def parse(source: str) -> SurveyDef:
    """The survey described by ``source``, or DefinitionError naming the first problem."""
    try:
        data = yaml.safe_load(source or "")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise DefinitionError(_("The definition is not valid YAML (line %(line)s).", line=line)) from exc
    if not isinstance(data, dict):
        raise DefinitionError(_("The definition needs a title and a list of questions."))
    titles = _translations(data.get("title"), _("Title"))
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise DefinitionError(_("The definition needs at least one question."))
    questions, seen = [], set()
    for n, raw in enumerate(raw_questions, start=1):
        where = _("Question %(number)s", number=n)
        if not isinstance(raw, dict):
            raise DefinitionError(_("%(where)s: expected key, kind and text.", where=where))
        key = str(raw.get("key") or "").strip()
        if not KEY.match(key):
            raise DefinitionError(_("%(where)s: the key must be lower-case letters, digits, - or _.", where=where))
        if key in seen:
            raise DefinitionError(_("%(where)s: the key %(key)s is used twice.", where=where, key=key))
        seen.add(key)
        where = f"{where} ({key})"
        try:
            kind = QuestionKind(str(raw.get("kind") or ""))
        except ValueError:
            raise DefinitionError(_("%(where)s: the kind must be one of %(kinds)s.", where=where,
                                    kinds=", ".join(k.value for k in QuestionKind))) from None
        texts = _translations(raw.get("text"), where)
        options = []
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            raw_options = raw.get("options")
            if not isinstance(raw_options, list) or len(raw_options) < 2:
                raise DefinitionError(_("%(where)s: a choice question needs at least two options.", where=where))
            option_keys = set()
            for m, option in enumerate(raw_options, start=1):
                owhere = _("%(where)s, option %(number)s", where=where, number=m)
                if not isinstance(option, dict) or not KEY.match(str(option.get("key") or "")):
                    raise DefinitionError(
                        _("%(where)s: the key must be lower-case letters, digits, - or _.", where=owhere))
                if option["key"] in option_keys:
                    raise DefinitionError(_("%(where)s: the key %(key)s is used twice.", where=owhere,
                                            key=option["key"]))
                option_keys.add(option["key"])
                options.append({"key": option["key"], "labels": _translations(option.get("labels"), owhere)})
        elif raw.get("options"):
            raise DefinitionError(_("%(where)s: only single and multiple choice questions have options.",
                                    where=where))
        questions.append(QuestionDef(key, kind, texts, options, bool(raw.get("required", True))))
    return SurveyDef(titles, questions)


def dump(survey) -> str:
    """The YAML an admin edits for an existing survey."""
    data = {"title": dict(survey.titles), "questions": []}
    for q in survey.questions:
        item = {"key": q.key, "kind": q.kind.value, "text": dict(q.texts)}
        if not q.is_required:
            item["required"] = False
        if q.options:
            item["options"] = [{"key": o["key"], "labels": dict(o["labels"])} for o in q.options]
        data["questions"].append(item)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)

"""Practice tasks and rubrics in every language: reading the right words, saving translations.

A programme's tasks and rubrics are written in its ``source_language``. A translation
holds the same words in another language: the task's title and instructions
(``PracticeTaskTranslation``), and the rubric's title, criteria and levels (rows keyed by
the rubric version's own criterion and level ids, so a pinned version keeps its words).
Where a word is not translated, the source is shown and marked as such: the reader
sees that the text is not in their language yet, rather than guessing why.

Kept apart from ``services``/``queries`` so the feature's words live in one place; the
writes here add and flush and record audit events, like every service.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from academy.assessments.rubric_models import (
    Rubric,
    RubricCriterionTranslation,
    RubricLevelTranslation,
    RubricTranslation,
)
from academy.certification.models import PracticeTask, PracticeTaskTranslation
from academy.core.audit import record as audit
from academy.core.models import utcnow
from academy.extensions import db


class TranslationError(ValueError):
    """A translation that cannot be saved; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def source_language(task: PracticeTask) -> str:
    return task.programme.source_language or "en"


def source_hash(task: PracticeTask) -> str:
    """A fingerprint of every source word a translation of ``task`` covers (task and current
    rubric). Points and thresholds are not words: changing them leaves translations current."""
    rubric = task.rubric
    words = [task.title, task.instructions, rubric.title,
             [[c.title, c.description, [[lv.title, lv.descriptor] for lv in c.levels]] for c in rubric.criteria]]
    return hashlib.sha256(json.dumps(words, ensure_ascii=False).encode()).hexdigest()


# --- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskWords:
    """What a reader sees of a task in ``wanted``: ``language`` is the language the words
    are actually in (the source language when not translated)."""

    title: str
    instructions: str
    language: str
    wanted: str
    is_stale: bool = False

    @property
    def is_fallback(self) -> bool:
        return self.language != self.wanted


def task_words(task: PracticeTask, language: str | None) -> TaskWords:
    src = source_language(task)
    language = language or src
    if language != src:
        row = next((t for t in task.translations if t.language == language), None)
        if row is not None:
            return TaskWords(row.title, row.instructions, language, language,
                             is_stale=row.source_hash != source_hash(task))
    return TaskWords(task.title, task.instructions, src, language)


class RubricWords:
    """The words of one rubric version in ``wanted``, each falling back to the source on its own."""

    def __init__(self, rubric: Rubric, wanted: str, source: str = "en"):
        self.rubric, self.wanted, self.source = rubric, wanted, source
        self._title: str | None = None
        self._criteria: dict[int, RubricCriterionTranslation] = {}
        self._levels: dict[int, RubricLevelTranslation] = {}
        if wanted != source:
            self._title = db.session.scalar(select(RubricTranslation.title).where(
                RubricTranslation.rubric_id == rubric.id, RubricTranslation.language == wanted))
            criterion_ids = [c.id for c in rubric.criteria]
            level_ids = [lv.id for c in rubric.criteria for lv in c.levels]
            self._criteria = {t.criterion_id: t for t in db.session.scalars(select(RubricCriterionTranslation).where(
                RubricCriterionTranslation.criterion_id.in_(criterion_ids),
                RubricCriterionTranslation.language == wanted))}
            self._levels = {t.level_id: t for t in db.session.scalars(select(RubricLevelTranslation).where(
                RubricLevelTranslation.level_id.in_(level_ids), RubricLevelTranslation.language == wanted))}

    @property
    def title(self) -> str:
        return self._title or self.rubric.title

    @property
    def translated_title(self) -> str:
        return self._title or ""

    def translated_criterion(self, criterion) -> RubricCriterionTranslation | None:
        return self._criteria.get(criterion.id)

    def translated_level(self, level) -> RubricLevelTranslation | None:
        return self._levels.get(level.id)

    def criterion_title(self, criterion) -> str:
        return _word(self._criteria.get(criterion.id), criterion, "title")

    def criterion_description(self, criterion) -> str:
        return _word(self._criteria.get(criterion.id), criterion, "description")

    def level_title(self, level) -> str:
        return _word(self._levels.get(level.id), level, "title")

    def level_descriptor(self, level) -> str:
        return _word(self._levels.get(level.id), level, "descriptor")

    def criterion_language(self, criterion) -> str:
        row = self._criteria.get(criterion.id)
        return self.wanted if row and row.title else self.source

    def level_language(self, level) -> str:
        row = self._levels.get(level.id)
        return self.wanted if row and row.title else self.source

    @property
    def is_fallback(self) -> bool:
        """True when any word is shown in the source language instead of ``wanted``."""
        if self.wanted == self.source:
            return False
        if not self._title:
            return True
        for c in self.rubric.criteria:
            if c.id not in self._criteria or (c.description and not self._criteria[c.id].description):
                return True
            for lv in c.levels:
                if lv.id not in self._levels or (lv.descriptor and not self._levels[lv.id].descriptor):
                    return True
        return False


def _word(translation, source, name: str):
    """The translated word ``name``, or the source's where it is not translated (no row, or empty)."""
    return (getattr(translation, name) if translation is not None else None) or getattr(source, name)


def rubric_words(rubric: Rubric, language: str | None, source: str = "en") -> RubricWords:
    return RubricWords(rubric, language or source, source)


@dataclass(frozen=True)
class TranslationStatus:
    language: str
    state: str  # "source", "missing", "current", "stale"
    translation: PracticeTaskTranslation | None = None


def translation_statuses(task: PracticeTask) -> list[TranslationStatus]:
    """One line per configured language: the source, or whether a translation is missing,
    current, or made from source words that have changed since (stale)."""
    src = source_language(task)
    current = source_hash(task)
    by_lang = {t.language: t for t in task.translations}
    rows = []
    for lang in current_app.config["LANGUAGES"]:
        row = by_lang.get(lang)
        if lang == src:
            rows.append(TranslationStatus(lang, "source"))
        elif row is None:
            rows.append(TranslationStatus(lang, "missing"))
        else:
            rows.append(TranslationStatus(lang, "current" if row.source_hash == current else "stale", row))
    return rows


# --- writing ----------------------------------------------------------------------------


def save_task_translation(task: PracticeTask, language: str, *, title: str, instructions: str, rubric_title: str,
                          criteria: dict[int, tuple[str, str]], levels: dict[int, tuple[str, str]],
                          by=None) -> PracticeTaskTranslation:
    """Write the ``language`` words of a task and its current rubric version (audited).

    Records the source version it was made from, so a later edit of the source shows it
    as out of date. Empty criterion or level fields are left untranslated (shown in the
    source language); title and instructions are required. Raises TranslationError.
    """
    if language == source_language(task) or language not in current_app.config["LANGUAGES"]:
        raise TranslationError(_("This task cannot be translated into that language."), "language")
    title, instructions = title.strip(), instructions.strip()
    if not title:
        raise TranslationError(_("Give the translated title."), "title")
    if not instructions:
        raise TranslationError(_("Give the translated instructions."), "instructions")
    row = next((t for t in task.translations if t.language == language), None)
    before = {"title": row.title, "instructions": row.instructions, "source_hash": row.source_hash} if row else None
    if row is None:
        row = PracticeTaskTranslation(task_id=task.id, language=language, title=title, instructions=instructions,
                                      source_hash="")
        task.translations.append(row)
    row.title, row.instructions = title, instructions
    row.source_hash = source_hash(task)
    row.updated_at = utcnow()
    row.updated_by_id = by.id if by is not None else None
    rubric = task.rubric
    _upsert(RubricTranslation, {"rubric_id": rubric.id, "language": language}, title=rubric_title.strip() or None)
    for c in rubric.criteria:
        ctitle, cdesc = criteria.get(c.id, ("", ""))
        _upsert(RubricCriterionTranslation, {"criterion_id": c.id, "language": language},
                title=ctitle.strip() or None, description=cdesc.strip())
        for lv in c.levels:
            ltitle, ldesc = levels.get(lv.id, ("", ""))
            _upsert(RubricLevelTranslation, {"level_id": lv.id, "language": language},
                    title=ltitle.strip() or None, descriptor=ldesc.strip())
    db.session.flush()
    audit("certification.task.translate", "practice_task", task.id, before=before,
          after={"language": language, "title": title, "instructions": instructions,
                 "source_hash": row.source_hash, "rubric_version": rubric.version})
    return row


def _upsert(model, key: dict, *, title: str | None, **values) -> None:
    """Add, change, or (when the title is emptied) remove one translation row."""
    row = db.session.scalar(select(model).filter_by(**key))
    if title is None:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = model(**key, title=title, **values)
        db.session.add(row)
    else:
        row.title = title
        for name, value in values.items():
            setattr(row, name, value)


def carry_over_rubric_translations(old: Rubric, new: Rubric) -> int:
    """Copy the translations of ``old`` to its replacement ``new`` wherever the source words
    did not change (same criterion, same level, same text), so a new rubric version keeps
    every translation that still says the right thing; returns how many rows were copied."""
    copied = 0
    if old.title == new.title:
        copied += _copy_translations(RubricTranslation, "rubric_id", old.id, new.id, "title")
    old_criteria = {(c.title, c.description): c for c in old.criteria}
    for c in new.criteria:
        before = old_criteria.get((c.title, c.description))
        if before is None:
            continue
        copied += _copy_translations(RubricCriterionTranslation, "criterion_id", before.id, c.id,
                                     "title", "description")
        old_levels = {(lv.title, lv.descriptor): lv for lv in before.levels}
        for lv in c.levels:
            prev = old_levels.get((lv.title, lv.descriptor))
            if prev is not None:
                copied += _copy_translations(RubricLevelTranslation, "level_id", prev.id, lv.id,
                                             "title", "descriptor")
    db.session.flush()
    return copied


def _copy_translations(model, key: str, old_id: int, new_id: int, *words: str) -> int:
    """Add, for ``new_id``, a copy of every ``model`` translation row of ``old_id`` (its
    language and ``words``); returns how many."""
    rows = db.session.scalars(select(model).where(getattr(model, key) == old_id)).all()
    for t in rows:
        db.session.add(model(**{key: new_id, "language": t.language}, **{w: getattr(t, w) for w in words}))
    return len(rows)

"""The demo's practice tasks and rubrics read fully in each of the seven languages."""

from __future__ import annotations

from academy.certification import services, translations
from academy.demo.certification import TASKS
from academy.demo.task_translations import seed_task_translations
from academy.extensions import db


def test_every_demo_task_and_rubric_is_translated_into_the_six_other_languages(app_ctx):
    programme = services.create_programme(code="DEMO-T", titles={"en": "Demo"})
    for spec in TASKS:
        services.add_task(programme, key=spec["key"], title=spec["title"], instructions=spec["instructions"],
                          due_days=spec["due_days"], rubric=spec["rubric"])
    db.session.expire(programme, ["tasks"])
    assert seed_task_translations(programme) == 3 * 6
    assert seed_task_translations(programme) == 0  # idempotent
    for task in programme.tasks:
        for lang in ("fr", "es", "pt", "ru", "zh", "ar"):
            words = translations.task_words(task, lang)
            assert not words.is_fallback and not words.is_stale, (task.key, lang)
            assert words.title != task.title and words.instructions != task.instructions
            assert not translations.rubric_words(task.rubric, lang).is_fallback, (task.key, lang)

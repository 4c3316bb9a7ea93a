"""DL177's quizzes teach what is true and make a retake a different quiz (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from academy.courses.package import load_package

DL177 = Path(__file__).resolve().parents[2] / "academy" / "courses" / "packages" / "dl177"


@pytest.fixture(scope="module")
def dl177(app):
    with app.app_context():
        return load_package(DL177)


def _question(pkg, quiz_key, question_key):
    quiz = next(q for q in pkg.extra["quizzes"] if q.key == quiz_key)
    return next(q for q in quiz.questions if q.key == question_key)


def test_not_every_international_application_gets_a_search_report_and_30_months_is_a_deadline(dl177):
    # PCT Art. 17(2)(a): the searching authority may declare that no report will be established.
    question = _question(dl177, "final-exam", "basics-pct")
    for lang, spec in question.texts.items():
        options = {o["key"]: o for o in spec["options"]}
        assert options["b"]["correct"] is False, lang
        assert "17" in options["b"]["feedback"], lang
        assert options["c"]["correct"] is True, lang
        assert "40" in options["c"]["feedback"], lang

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


def test_every_dl177_quiz_draws_from_a_pool_twice_its_size_so_a_retake_differs(dl177):
    for quiz in dl177.extra["quizzes"]:
        draw = quiz.settings["draw"]
        assert draw is not None, quiz.key
        assert len(quiz.questions) >= 2 * draw, quiz.key


def test_at_least_half_of_each_dl177_quiz_asks_the_learner_to_apply_knowledge(dl177):
    for quiz in dl177.extra["quizzes"]:
        skills = [q.texts[dl177.default_language].get("skill") for q in quiz.questions]
        assert None not in skills, quiz.key
        assert skills.count("apply") * 2 >= len(skills), (quiz.key, skills.count("apply"), len(skills))


def test_no_dl177_item_is_asked_twice(dl177):
    # The importer refuses a repeated prompt; here the old "18 months" recall items are gone
    # from the module quizzes, where the same words appeared twice.
    prompts = [q.texts["en"]["prompt"] for quiz in dl177.extra["quizzes"] for q in quiz.questions]
    assert len(prompts) == len(set(prompts))
    months_18 = [p for p in prompts if "how many months after the earliest priority date" in p.lower()]
    assert len(months_18) <= 1


def test_every_attempt_at_a_dl177_quiz_is_at_least_half_application(import_course):
    """A pool of half application items is not enough: a random draw of 5 from 5 apply and 5 recall
    items gives half the attempts a majority of recall. Each attempt must itself be application-first."""
    import random

    from academy.assessments.models import Quiz
    from academy.assessments.queries import specs_for
    from academy.assessments.services import draw_questions
    from academy.extensions import db

    course = import_course(DL177)
    quizzes = db.session.scalars(db.select(Quiz).where(Quiz.course_id == course.id)).all()
    assert len(quizzes) == 4
    for quiz in quizzes:
        specs = specs_for([q.id for q in quiz.active_questions], "en", "en")
        for seed in range(60):
            drawn = draw_questions(quiz, specs, random.Random(seed))
            assert len(drawn) == quiz.draw_count
            applied = sum(specs[q.id]["skill"] == "apply" for q in drawn)
            assert applied * 2 >= len(drawn), (quiz.id, seed, applied, len(drawn))


def test_final_exam_items_tagged_apply_give_the_learner_a_case_to_work_on(dl177):
    """A trainer's recount: 'what is B1?' and 'which letter means X?' are recall, whatever their tag.
    They now ask which document of a family to open and which letter a document earns against a feature list."""
    kind_code = _question(dl177, "final-exam", "basics-kind-code")
    category_x = _question(dl177, "final-exam", "analysis-category-x")
    for lang in dl177.languages:
        spec = kind_code.texts[lang]
        assert spec["skill"] == "apply"
        assert all(code in spec["prompt"] for code in ("A2", "A3", "B1")), lang
        (right,) = [o for o in spec["options"] if o.get("correct")]
        assert right["text"].endswith("B1"), lang
        prompt = category_x.texts[lang]["prompt"]
        assert "D1" in prompt and "1" in prompt and "3" in prompt, lang


def test_a_quiz_does_not_ask_again_about_the_document_an_exercise_already_used(dl177):
    """The basics exercise has the learner look up US 5,443,036 A; a quiz item on the same document
    would only check the learner remembers the exercise, not that they can date another US 'A'."""
    import re

    number = re.compile(r"\d{1,2},\d{3},\d{3}")
    for lang in dl177.languages:
        in_exercises = {n for e in dl177.extra["exercises"] for n in number.findall(e.texts[lang]["prompt"])}
        assert in_exercises, lang
        for quiz in dl177.extra["quizzes"]:
            for q in quiz.questions:
                assert not in_exercises & set(number.findall(q.texts[lang]["prompt"])), (lang, quiz.key, q.key)


def test_the_cleaning_item_gives_a_messy_result_set_to_clean(dl177):
    """'Which are sound cleaning steps?' recalled a list; the item tagged apply now shows the mess to clean."""
    question = _question(dl177, "analysis", "cleaning-steps")
    for lang, spec in question.texts.items():
        assert spec["skill"] == "apply"
        assert "480" in spec["prompt"] and "UNIVERSITY OF NAIROBI" in spec["prompt"], lang


def test_the_narrowing_item_starts_from_a_query_that_found_too_much(dl177):
    """'Which operators narrow a search?' is recall; the item now gives the query and its 3,000 results to fix."""
    question = _question(dl177, "final-exam", "search-narrowing-operators")
    for lang, spec in question.texts.items():
        assert spec["skill"] == "apply"
        assert "pump AND solar" in spec["prompt"] and "3" in spec["prompt"], lang

"""Learners type answers the way their language and keyboard write them, and are marked right.

Issue 19: numeric items without a unit rejected "18 months" as not a number, and the Arabic
unit was spelled "شهراً" in one quiz and "شهرًا" in another.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from academy.assessments.questions import QUESTION_TYPES

PACKAGE = Path(__file__).resolve().parents[2] / "academy" / "courses" / "packages" / "dl177"

# What a learner in each language might type when the answer is 18 (months).
TYPED_18 = {
    "en": ["18", "18 months", "18 Months", " 18  months. ", "about 18 months", "18-month", "１８"],
    "fr": ["18 mois", "18 MOIS", "environ 18 mois", "18,0"],
    "es": ["18 meses", "18,0 meses", "unos 18 meses"],
    "pt": ["18 meses", "18,0", "cerca de 18 meses"],
    "ru": ["18 месяцев", "18 мес.", "18,0", "около 18 месяцев"],
    "zh": ["18个月", "１８个月", "18 个月", "约18个月", "18月"],
    "ar": ["١٨", "١٨ شهرًا", "١٨ شهراً", "18 شهرا", "١٨ شهر", "۱۸ ماه"],
}
NOT_18 = ["19", "1.8", "18 or 30", "eighteen", "", "30 months", "18 18"]


def numeric(**spec):
    qtype = QUESTION_TYPES["numeric"]
    return qtype, qtype.normalise({"key": "k", "type": "numeric", "prompt": "?", **spec})


@pytest.mark.parametrize("lang", sorted(TYPED_18))
def test_a_learner_types_eighteen_months_in_their_language_and_is_right(lang):
    # Whatever unit the author wrote (or none), the typed unit word does not matter.
    for unit in (None, "months", "mois", "meses", "месяцев", "个月", "شهراً", "شهرًا"):
        t, spec = numeric(answer=18, **({"unit": unit} if unit else {}))
        for typed in TYPED_18[lang]:
            assert t.grade(spec, typed) == 1.0, (lang, unit, typed)
        for typed in NOT_18:
            assert t.grade(spec, typed) == 0.0, (lang, unit, typed)


@pytest.mark.parametrize(("typed", "value"), [
    ("1 000", "1000"), ("1\u00a0000", "1000"), ("1\u202f000", "1000"), ("1'000", "1000"),
    ("1,000", "1000"), ("1.000", "1000"), ("1,000.5", "1000.5"), ("1.000,5", "1000.5"),
    ("2,5", "2.5"), ("0,5", "0.5"), ("٢٫٥", "2.5"), ("١٬٠٠٠", "1000"), ("２０", "20"), ("\u22123", "-3"),
])
def test_decimal_commas_thousands_separators_and_other_digits_are_read(typed, value):
    from academy.assessments.questions import parse_number

    assert str(parse_number(typed)) == value


@pytest.mark.parametrize(("lang", "accepted", "typed"), [
    ("en", "INPADOC", "  inpadoc. "),
    ("fr", "Traité de coopération", "traité  DE coopération"),
    ("es", "Oficina Europea de Patentes", "oficina europea de patentes"),
    ("pt", "Escritório Europeu de Patentes", "ESCRITÓRIO EUROPEU DE PATENTES"),
    ("ru", "Договор о патентной кооперации", "договор о патентной кооперации"),
    ("zh", "＊", "*"),
    ("zh", "专利合作条约", " 专利合作条约 "),
    ("ar", "شهراً", "شهرًا"),
    ("ar", "براءة", "بَرَاءَة"),
    ("ar", "أسرة البراءات", "اسرة البراءات"),
    ("ar", "الأسرة", "الاسـرة"),
])
def test_short_answers_ignore_case_spaces_width_and_arabic_marks(lang, accepted, typed):
    qtype = QUESTION_TYPES["short_answer"]
    spec = qtype.normalise({"key": "k", "type": "short_answer", "prompt": "?", "accepted": [accepted]})
    assert qtype.grade(spec, typed) == 1.0


def _numeric_items(lang):
    for path in sorted((PACKAGE / lang).rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data.get("questions") or data.get("exercises") or []:
            if item["type"] == "numeric":
                yield path.relative_to(PACKAGE), item


@pytest.mark.parametrize("lang", ["en", "fr", "es", "pt", "ru", "zh", "ar"])
def test_every_number_item_of_the_course_takes_the_answer_with_its_unit_typed_after_it(lang):
    t = QUESTION_TYPES["numeric"]
    units = {"en": "months", "fr": "mois", "es": "meses", "pt": "meses", "ru": "месяцев", "zh": "个月",
             "ar": "شهرًا"}
    for where, item in _numeric_items(lang):
        spec = t.normalise(item)
        answer = spec["answer"]
        for typed in (str(answer), f"{answer} {units[lang]}", f"{answer} {spec.get('unit', '')}"):
            assert t.grade(spec, typed) == 1.0, (where, spec["key"], typed)
        if lang == "ar":
            arabic = str(answer).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
            for typed in (arabic, f"{arabic} شهراً", f"{arabic} شهرًا", f"{arabic} سنة"):
                assert t.grade(spec, typed) == 1.0, (where, spec["key"], typed)

"""Each question type graded right, wrong, partly right, and at its edges."""

from __future__ import annotations

import random

import pytest
from werkzeug.datastructures import MultiDict

from academy.assessments.questions import QUESTION_TYPES, normalise_text, parse_number


def q(type_: str, **spec):
    qtype = QUESTION_TYPES[type_]
    return qtype, qtype.normalise({"key": "k", "type": type_, "prompt": "?", **spec})


CHOICES = [
    {"key": "a", "text": "A", "correct": True},
    {"key": "b", "text": "B"},
    {"key": "c", "text": "C"},
]
MULTI = [
    {"key": "a", "text": "A", "correct": True},
    {"key": "b", "text": "B", "correct": True},
    {"key": "c", "text": "C"},
    {"key": "d", "text": "D"},
]


def test_single_choice_right_wrong_and_blank():
    t, spec = q("single_choice", options=CHOICES)
    assert t.grade(spec, "a") == 1.0
    assert t.grade(spec, "b") == 0.0
    assert t.grade(spec, None) == 0.0
    assert t.parse(spec, [], MultiDict({"q": "zzz"}), "q") is None  # not one of the options


def test_multiple_choice_all_or_nothing():
    t, spec = q("multiple_choice", options=MULTI)
    assert t.grade(spec, ["a", "b"]) == 1.0
    assert t.grade(spec, ["a"]) == 0.0
    assert t.grade(spec, ["a", "b", "c"]) == 0.0
    assert t.parse(spec, [], MultiDict([("q", "b"), ("q", "a"), ("q", "x")]), "q") == ["a", "b"]


def test_multiple_choice_partial_credit_and_penalty_floor():
    t, spec = q("multiple_choice", options=MULTI, scoring="partial")
    assert t.grade(spec, ["a", "b"]) == 1.0
    assert t.grade(spec, ["a"]) == 0.5
    assert t.grade(spec, ["a", "b", "c"]) == 0.5  # a wrong pick costs a right one
    assert t.grade(spec, ["a", "c", "d"]) == 0.0  # never below zero
    assert t.grade(spec, ["c"]) == 0.0


def test_true_false_strict_booleans():
    t, spec = q("true_false", answer=False)
    assert t.grade(spec, False) == 1.0
    assert t.grade(spec, True) == 0.0
    assert t.grade(spec, 0) == 0.0
    assert t.parse(spec, [], MultiDict({"q": "false"}), "q") is False
    assert t.parse(spec, [], MultiDict({"q": "maybe"}), "q") is None


def test_short_answer_normalises_case_space_and_optionally_accents():
    t, spec = q("short_answer", accepted=["Traité de coopération", "PCT"])
    assert t.grade(spec, "  traité   DE coopération. ") == 1.0
    assert t.grade(spec, "pct") == 1.0
    assert t.grade(spec, "traite de cooperation") == 0.0  # accents count by default
    t, spec = q("short_answer", accepted=["Traité de coopération"], ignore_accents=True)
    assert t.grade(spec, "TRAITE DE COOPERATION") == 1.0
    t, spec = q("short_answer", accepted=["INID"], case_sensitive=True)
    assert t.grade(spec, "INID") == 1.0
    assert t.grade(spec, "inid") == 0.0
    assert t.grade(spec, "INIDs") == 0.0


def test_numeric_tolerance_edges_are_inclusive_and_exact():
    t, spec = q("numeric", answer=20, tolerance=0.5, unit="years")
    assert t.grade(spec, "20") == 1.0
    assert t.grade(spec, "20.5") == 1.0
    assert t.grade(spec, "19,5") == 1.0  # decimal comma
    assert t.grade(spec, "20.51") == 0.0
    assert t.grade(spec, "19.49") == 0.0
    assert t.grade(spec, "20 years") == 1.0
    assert t.grade(spec, "twenty") == 0.0
    t, spec = q("numeric", answer=0.3, tolerance=0.1)
    assert t.grade(spec, "0.4") == 1.0  # 0.1 + 0.2 style float error must not bite
    assert t.grade(spec, "0.2") == 1.0
    t, spec = q("numeric", answer=12)
    assert t.grade(spec, "12.0") == 1.0
    assert t.grade(spec, "12.001") == 0.0


def test_parse_number_reads_common_notations():
    assert str(parse_number("1 000")) == "1000"
    assert str(parse_number("1,000.5")) == "1000.5"
    assert str(parse_number("1.000,5")) == "1000.5"
    assert str(parse_number("\u22123")) == "-3"
    assert parse_number("12 or 13") is None
    assert parse_number("") is None


def test_matching_partial_by_pair_and_all_or_nothing():
    pairs = [
        {"left": "L1", "right": "R1"},
        {"left": "L2", "right": "R2"},
        {"left": "L3", "right": "R3"},
        {"left": "L4", "right": "R4"},
    ]
    t, spec = q("matching", pairs=pairs)
    assert t.grade(spec, [0, 1, 2, 3]) == 1.0
    assert t.grade(spec, [0, 1, 3, 2]) == 0.5
    assert t.grade(spec, [None, None, None, None]) == 0.0
    assert t.grade(spec, [0, 1]) == 0.0  # malformed
    t, spec = q("matching", pairs=pairs, scoring="all_or_nothing")
    assert t.grade(spec, [0, 1, 3, 2]) == 0.0
    form = MultiDict({"q-0": "0", "q-1": "9", "q-2": "", "q-3": "3"})
    assert t.parse(spec, [], form, "q") == [0, None, None, 3]


def test_matching_layout_never_shows_the_answer_in_order():
    t, spec = q("matching", pairs=[{"left": "a", "right": "1"}, {"left": "b", "right": "2"}])
    for seed in range(20):
        assert t.layout(spec, random.Random(seed), False) == [1, 0]


def test_ordering_all_or_nothing_by_default_and_partial_when_asked():
    t, spec = q("ordering", items=["one", "two", "three", "four"])
    assert t.grade(spec, [1, 2, 3, 4]) == 1.0
    assert t.grade(spec, [1, 2, 4, 3]) == 0.0
    t, spec = q("ordering", items=["one", "two", "three", "four"], scoring="partial")
    assert t.grade(spec, [1, 2, 4, 3]) == 0.5
    assert t.parse(spec, [], MultiDict({"q-0": "2", "q-1": "5", "q-3": "1"}), "q") == [
        2,
        None,
        None,
        1,
    ]


@pytest.mark.parametrize("name", sorted(QUESTION_TYPES))
def test_every_type_gives_zero_for_a_blank_or_garbage_response(name):
    specs = {
        "single_choice": {"options": CHOICES},
        "multiple_choice": {"options": MULTI},
        "true_false": {"answer": True},
        "short_answer": {"accepted": ["x"]},
        "numeric": {"answer": 1},
        "matching": {"pairs": [{"left": "a", "right": "b"}, {"left": "c", "right": "d"}]},
        "ordering": {"items": ["a", "b", "c"]},
    }
    t, spec = q(name, **specs[name])
    for garbage in (None, {"x": 1}, 17, "zzz"):
        assert t.grade(spec, garbage) == 0.0


def test_normalise_text_keeps_non_latin_scripts():
    assert normalise_text("  专利  ", case_sensitive=False, ignore_accents=True) == "专利"
    assert normalise_text("براءة", case_sensitive=False, ignore_accents=True) == "براءة"

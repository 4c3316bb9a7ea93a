"""Question types: one class per type, registered by name (CTFd's challenge classes).

Each type knows how to
- ``validate`` its authored definition (a question mapping from a quiz YAML file),
- ``structure``: the language-independent part, which must match across languages,
- ``layout`` the question for one attempt (shuffled option order),
- ``parse`` a learner's answer from a submitted form into a JSON-able response,
- ``grade`` a response: a score from 0 to 1,
- ``render`` itself for answering or for review.

A new type is one subclass decorated with ``@register``.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from academy.assessments.answers import normalise_text, parse_number

#: report(node, field, message): ``node`` is the mapping the problem is in (for its line).
Report = Callable[[Any, str | None, str], None]

QUESTION_TYPES: dict[str, QuestionType] = {}

COMMON_FIELDS = {"key", "type", "prompt", "explanation", "skill", "objective"}
#: What an item asks of the learner: to recall a fact, or to apply knowledge to a case
#: (decode a front page, work out a deadline, read a family table, write a query...).
SKILLS = ("recall", "apply")


def register(cls: type[QuestionType]) -> type[QuestionType]:
    QUESTION_TYPES[cls.name] = cls()
    return cls


def question_type(name: str) -> QuestionType:
    return QUESTION_TYPES[name]


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _plain(value: Any) -> Any:
    """Strip the line-tracking YAML containers down to plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class QuestionType(ABC):
    """A question type; ``@register`` instantiates it, so a subclass that leaves an abstract
    method out fails at import, not in front of a learner."""

    name: ClassVar[str]
    label: ClassVar[Any]
    #: Fields this type accepts besides key, type, prompt and explanation.
    fields: ClassVar[set[str]] = set()
    template: ClassVar[str]

    # --- authoring --------------------------------------------------------------------

    def validate(self, spec: dict, report: Report) -> None:  # noqa: B027  (optional: most types add checks)
        """Report every problem in an authored definition (the loader checks common fields)."""

    def structure(self, spec: dict) -> Any:
        """What must be identical in every language (everything except texts)."""
        return None

    def normalise(self, spec: dict) -> dict:
        return _plain(spec)

    # --- an attempt -------------------------------------------------------------------

    def layout(self, spec: dict, rng: random.Random, shuffle: bool) -> list:
        """The presentation order for one attempt (option keys or indexes)."""
        return []

    @abstractmethod
    def parse(self, spec: dict, layout: list, form, name: str) -> Any:
        """The response from a submitted form, or None when the question was left blank."""

    @abstractmethod
    def grade(self, spec: dict, response: Any) -> float:
        """The score of ``response``, from 0 (wrong or blank) to 1 (right)."""

    @abstractmethod
    def right_response(self, spec: dict) -> Any:
        """A response that earns full marks (demo data, tests, the benchmark)."""

    def render(self, **context: Any) -> Markup:
        """HTML for the question: ``mode`` is "answer" or "review".

        Everything inside the question (its instructions, True/False, units, verdicts) is
        in the question's ``language``, the course version's, whatever the interface
        language of the page around it: a French quiz reads "Vrai/Faux" in an English page.
        """
        language = context.get("language")
        if not language:
            return Markup(render_template(self.template, qtype=self, **context))  # noqa: S704  # nosec B704
        with force_locale(language):
            return Markup(render_template(self.template, qtype=self, **context))  # noqa: S704  # nosec B704


# --- choice questions -------------------------------------------------------------------


class _ChoiceType(QuestionType, ABC):
    fields = {"options"}

    def validate(self, spec: dict, report: Report) -> None:
        options = spec.get("options")
        if not isinstance(options, list) or len(options) < 2:
            report(spec, "options", "needs at least 2 options")
            return
        seen: set[str] = set()
        for opt in options:
            if not isinstance(opt, dict):
                report(options, None, "each option must be a mapping with key and text")
                continue
            unknown = set(opt) - {"key", "text", "correct", "feedback"}
            if unknown:
                report(opt, sorted(unknown)[0], f"unknown option field {sorted(unknown)[0]!r}")
            key = opt.get("key")
            if not isinstance(key, str | int) or not str(key).strip():
                report(opt, None, "option needs a key")
                continue
            if str(key) in seen:
                report(opt, "key", f"duplicate option key {str(key)!r}")
            seen.add(str(key))
            if not _is_text(opt.get("text")):
                report(opt, "text", f"option {str(key)!r} needs a text")
            if "correct" in opt and not isinstance(opt["correct"], bool):
                report(opt, "correct", f"option {str(key)!r}: correct must be true or false")
            if "feedback" in opt and not _is_text(opt["feedback"]):
                report(opt, "feedback", f"option {str(key)!r}: feedback must be text")
        correct = [o for o in options if isinstance(o, dict) and o.get("correct") is True]
        self.validate_correct(spec, correct, report)

    @abstractmethod
    def validate_correct(self, spec: dict, correct: list, report: Report) -> None:
        """Report a wrong number of correct options for this kind of choice."""

    def normalise(self, spec: dict) -> dict:
        spec = _plain(spec)
        for opt in spec["options"]:
            opt["key"] = str(opt["key"])
            opt["correct"] = bool(opt.get("correct", False))
        return spec

    def structure(self, spec: dict) -> Any:
        return [
            (str(o.get("key")), bool(o.get("correct", False)))
            for o in spec.get("options", [])
            if isinstance(o, dict)
        ]

    def layout(self, spec: dict, rng: random.Random, shuffle: bool) -> list:
        keys = [o["key"] for o in spec["options"]]
        if shuffle:
            rng.shuffle(keys)
        return keys

    @staticmethod
    def correct_keys(spec: dict) -> set[str]:
        return {o["key"] for o in spec["options"] if o.get("correct")}

    @staticmethod
    def option(spec: dict, key: str) -> dict | None:
        return next((o for o in spec["options"] if o["key"] == key), None)


@register
class SingleChoice(_ChoiceType):
    name = "single_choice"
    label = _l("Single choice")
    template = "assessments/questions/choice.html"
    is_multiple = False

    def validate_correct(self, spec: dict, correct: list, report: Report) -> None:
        if not correct:
            report(spec, "options", "no correct option: mark exactly one option with correct: true")
        elif len(correct) > 1:
            report(
                spec, "options", "more than one correct option: use type multiple_choice for that"
            )

    def parse(self, spec: dict, layout: list, form, name: str) -> Any:
        value = form.get(name)
        return value if value in {o["key"] for o in spec["options"]} else None

    def grade(self, spec: dict, response: Any) -> float:
        return 1.0 if isinstance(response, str) and response in self.correct_keys(spec) else 0.0

    def right_response(self, spec: dict) -> Any:
        return sorted(self.correct_keys(spec))[0]


@register
class MultipleChoice(_ChoiceType):
    name = "multiple_choice"
    label = _l("Multiple choice")
    fields = {"options", "scoring"}
    template = "assessments/questions/choice.html"
    is_multiple = True
    SCORINGS = ("all_or_nothing", "partial")

    def validate(self, spec: dict, report: Report) -> None:
        super().validate(spec, report)
        if spec.get("scoring", "all_or_nothing") not in self.SCORINGS:
            report(spec, "scoring", "scoring must be all_or_nothing or partial")

    def validate_correct(self, spec: dict, correct: list, report: Report) -> None:
        if not correct:
            report(
                spec, "options", "no correct option: mark one or more options with correct: true"
            )

    def normalise(self, spec: dict) -> dict:
        spec = super().normalise(spec)
        spec.setdefault("scoring", "all_or_nothing")
        return spec

    def structure(self, spec: dict) -> Any:
        return (super().structure(spec), spec.get("scoring", "all_or_nothing"))

    def parse(self, spec: dict, layout: list, form, name: str) -> Any:
        keys = {o["key"] for o in spec["options"]}
        chosen = sorted({v for v in form.getlist(name) if v in keys})
        return chosen or None

    def grade(self, spec: dict, response: Any) -> float:
        if not isinstance(response, list) or not all(isinstance(k, str) for k in response):
            return 0.0
        chosen = set(response)
        correct = self.correct_keys(spec)
        if spec.get("scoring") == "partial":
            # Each right choice earns a share, each wrong choice costs one; never below 0.
            right = len(chosen & correct)
            wrong = len(chosen - correct)
            return max(0.0, (right - wrong) / len(correct))
        return 1.0 if chosen == correct else 0.0

    def right_response(self, spec: dict) -> Any:
        return sorted(self.correct_keys(spec))


@register
class TrueFalse(QuestionType):
    name = "true_false"
    label = _l("True or false")
    fields = {"answer", "feedback_true", "feedback_false"}
    template = "assessments/questions/true_false.html"

    def validate(self, spec: dict, report: Report) -> None:
        if not isinstance(spec.get("answer"), bool):
            report(spec, "answer", "answer must be true or false")
        for f in ("feedback_true", "feedback_false"):
            if f in spec and not _is_text(spec[f]):
                report(spec, f, f"{f} must be text")

    def structure(self, spec: dict) -> Any:
        return spec.get("answer")

    def parse(self, spec: dict, layout: list, form, name: str) -> Any:
        return {"true": True, "false": False}.get(form.get(name, ""))

    def grade(self, spec: dict, response: Any) -> float:
        return 1.0 if response is spec["answer"] else 0.0

    def right_response(self, spec: dict) -> Any:
        return spec["answer"]


@register
class ShortAnswer(QuestionType):
    name = "short_answer"
    label = _l("Short answer")
    fields = {"accepted", "case_sensitive", "ignore_accents", "max_length"}
    template = "assessments/questions/short_answer.html"
    MAX_LENGTH = 200

    def validate(self, spec: dict, report: Report) -> None:
        accepted = spec.get("accepted")
        if not isinstance(accepted, list) or not accepted:
            report(spec, "accepted", "accepted must be a list of one or more answers")
        elif not all(isinstance(a, str | int | float) and str(a).strip() for a in accepted):
            report(spec, "accepted", "every accepted answer must be non-empty text")
        for f in ("case_sensitive", "ignore_accents"):
            if f in spec and not isinstance(spec[f], bool):
                report(spec, f, f"{f} must be true or false")

    def normalise(self, spec: dict) -> dict:
        spec = _plain(spec)
        spec["accepted"] = [str(a) for a in spec["accepted"]]
        spec.setdefault("case_sensitive", False)
        spec.setdefault("ignore_accents", False)
        return spec

    def structure(self, spec: dict) -> Any:
        # Accepted answers are texts (they differ by language); the rules must not.
        return (spec.get("case_sensitive", False), spec.get("ignore_accents", False))

    def parse(self, spec: dict, layout: list, form, name: str) -> Any:
        value = (form.get(name) or "").strip()[: self.MAX_LENGTH]
        return value or None

    def grade(self, spec: dict, response: Any) -> float:
        if not isinstance(response, str):
            return 0.0
        opts = {
            "case_sensitive": spec.get("case_sensitive", False),
            "ignore_accents": spec.get("ignore_accents", False),
        }
        given = normalise_text(response, **opts)
        return 1.0 if any(given == normalise_text(a, **opts) for a in spec["accepted"]) else 0.0

    def right_response(self, spec: dict) -> Any:
        return spec["accepted"][0]


@register
class Numeric(QuestionType):
    name = "numeric"
    label = _l("Number")
    fields = {"answer", "tolerance", "unit"}
    template = "assessments/questions/numeric.html"

    def validate(self, spec: dict, report: Report) -> None:
        answer = spec.get("answer")
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            report(spec, "answer", "answer must be a number")
        tol = spec.get("tolerance", 0)
        if isinstance(tol, bool) or not isinstance(tol, int | float) or tol < 0:
            report(spec, "tolerance", "tolerance must be a number of 0 or more")
        if "unit" in spec and not _is_text(spec["unit"]):
            report(spec, "unit", "unit must be text")

    def normalise(self, spec: dict) -> dict:
        spec = _plain(spec)
        spec.setdefault("tolerance", 0)
        return spec

    def structure(self, spec: dict) -> Any:
        return (spec.get("answer"), spec.get("tolerance", 0))

    def parse(self, spec: dict, layout: list, form, name: str) -> Any:
        value = (form.get(name) or "").strip()[:40]
        return value or None

    def grade(self, spec: dict, response: Any) -> float:
        if not isinstance(response, str):
            return 0.0
        number = parse_number(response, spec.get("unit"))
        if number is None:
            return 0.0
        # Decimal arithmetic from the authored text: 20.5 within 0.5 of 20 is right, exactly.
        answer = Decimal(str(spec["answer"]))
        tolerance = Decimal(str(spec.get("tolerance", 0)))
        return 1.0 if abs(number - answer) <= tolerance else 0.0

    def right_response(self, spec: dict) -> Any:
        return str(spec["answer"])

    def is_valid_response(self, spec: dict, response: Any) -> bool:
        return isinstance(response, str) and parse_number(response, spec.get("unit")) is not None


class _IndexedType(QuestionType, ABC):
    """Matching and ordering: a response is one choice per row (None where left blank)."""

    SCORINGS = ("all_or_nothing", "partial")
    default_scoring = "all_or_nothing"

    def validate_scoring(self, spec: dict, report: Report) -> None:
        if spec.get("scoring", self.default_scoring) not in self.SCORINGS:
            report(spec, "scoring", "scoring must be all_or_nothing or partial")

    def normalise(self, spec: dict) -> dict:
        spec = _plain(spec)
        spec.setdefault("scoring", self.default_scoring)
        return spec

    @abstractmethod
    def rows(self, spec: dict) -> int:
        """How many items the learner places (pairs to match, items to order)."""

    @abstractmethod
    def expected(self, spec: dict) -> list[int]:
        """The right placement, one index per item."""

    def right_response(self, spec: dict) -> Any:
        return self.expected(spec)

    def grade(self, spec: dict, response: Any) -> float:
        expected = self.expected(spec)
        if not isinstance(response, list) or len(response) != len(expected):
            return 0.0
        right = sum(1 for got, want in zip(response, expected, strict=True) if got == want)
        if spec.get("scoring", self.default_scoring) == "partial":
            return right / len(expected)
        return 1.0 if right == len(expected) else 0.0


@register
class Matching(_IndexedType):
    """Pairs: each left item is matched to a right item (the right side is shuffled).

    A response lists, for each left item in authored order, the index of the chosen right item.
    """

    name = "matching"
    label = _l("Matching")
    fields = {"pairs", "scoring"}
    template = "assessments/questions/matching.html"
    default_scoring = "partial"

    def validate(self, spec: dict, report: Report) -> None:
        pairs = spec.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            report(spec, "pairs", "needs at least 2 pairs")
            return
        lefts, rights = set(), set()
        for pair in pairs:
            if (
                not isinstance(pair, dict)
                or not _is_text(pair.get("left"))
                or not _is_text(pair.get("right"))
            ):
                report(
                    pair if isinstance(pair, dict) else pairs,
                    None,
                    "each pair needs a left and a right text",
                )
                continue
            if set(pair) - {"left", "right"}:
                report(
                    pair, None, f"unknown pair field {sorted(set(pair) - {'left', 'right'})[0]!r}"
                )
            if pair["left"] in lefts:
                report(pair, "left", f"duplicate left item {pair['left']!r}")
            if pair["right"] in rights:
                report(
                    pair,
                    "right",
                    f"duplicate right item {pair['right']!r}: each match must be unique",
                )
            lefts.add(pair["left"])
            rights.add(pair["right"])
        self.validate_scoring(spec, report)

    def structure(self, spec: dict) -> Any:
        return (len(spec.get("pairs") or []), spec.get("scoring", self.default_scoring))

    def rows(self, spec: dict) -> int:
        return len(spec["pairs"])

    def expected(self, spec: dict) -> list[int]:
        return list(range(len(spec["pairs"])))

    def layout(self, spec: dict, rng: random.Random, shuffle: bool) -> list:
        order = list(range(len(spec["pairs"])))
        # The right side is always shuffled: in authored order every answer would be "same row".
        rng.shuffle(order)
        if order == sorted(order) and len(order) > 1:
            order = order[1:] + order[:1]
        return order

    def parse(self, spec: dict, layout: list, form, name: str) -> Any:
        n = self.rows(spec)
        values: list[int | None] = []
        for i in range(n):
            raw = form.get(f"{name}-{i}", "")
            values.append(int(raw) if raw.isdigit() and int(raw) < n else None)
        return values if any(v is not None for v in values) else None


@register
class Ordering(_IndexedType):
    """Items in the right order, shown shuffled; the learner gives each its position.

    A response lists, for each item in authored order, the position (1-based) chosen.
    """

    name = "ordering"
    label = _l("Ordering")
    fields = {"items", "scoring"}
    template = "assessments/questions/ordering.html"

    def validate(self, spec: dict, report: Report) -> None:
        items = spec.get("items")
        if not isinstance(items, list) or len(items) < 3:
            report(spec, "items", "needs at least 3 items, in the correct order")
            return
        if not all(_is_text(i) for i in items):
            report(spec, "items", "every item must be non-empty text")
        elif len(set(items)) != len(items):
            report(spec, "items", "items must all be different")
        self.validate_scoring(spec, report)

    def structure(self, spec: dict) -> Any:
        return (len(spec.get("items") or []), spec.get("scoring", self.default_scoring))

    def rows(self, spec: dict) -> int:
        return len(spec["items"])

    def expected(self, spec: dict) -> list[int]:
        return list(range(1, len(spec["items"]) + 1))

    def layout(self, spec: dict, rng: random.Random, shuffle: bool) -> list:
        order = list(range(len(spec["items"])))
        rng.shuffle(order)
        if order == sorted(order):
            order.reverse()
        return order

    def parse(self, spec: dict, layout: list, form, name: str) -> Any:
        n = self.rows(spec)
        values: list[int | None] = []
        for i in range(n):
            raw = form.get(f"{name}-{i}", "")
            values.append(int(raw) if raw.isdigit() and 1 <= int(raw) <= n else None)
        return values if any(v is not None for v in values) else None

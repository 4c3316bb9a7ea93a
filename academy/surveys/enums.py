"""Survey question kinds, stored as strings with a CHECK, shown translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from academy.core.enums import TitledEnum


class QuestionKind(TitledEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    LIKERT = "likert"
    NUMBER = "number"
    TEXT = "text"

    @classmethod
    def _titles(cls) -> dict:
        return {
            cls.SINGLE: _l("Single choice"),
            cls.MULTIPLE: _l("Multiple choice"),
            cls.LIKERT: _l("Agreement scale"),
            cls.NUMBER: _l("Number"),
            cls.TEXT: _l("Free text"),
        }

    @property
    def has_options(self) -> bool:
        return self in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.LIKERT)


#: the five points of the agreement (Likert) scale, the same for every survey
LIKERT_POINTS = (
    ("1", _l("Strongly disagree")),
    ("2", _l("Disagree")),
    ("3", _l("Neither agree nor disagree")),
    ("4", _l("Agree")),
    ("5", _l("Strongly agree")),
)

"""What people type, made comparable: the answer matching of short-answer and number items.

Learners type on phones and keyboards of every script: "18 months", "18 mois", "18个月",
"١٨ شهرًا", "１８", "1 000", "2,5". Both the authored answers and the typed ones go through
the same normalisation, so an author's spelling of a unit or of Arabic tanween never decides
whether a learner's answer counts.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Arabic short vowels, tanween, shadda, sukun, the dagger alif and Quranic marks: optional
# in everyday writing, and "شهراً" and "شهرًا" differ only in where the tanween sits.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
# Hamza on or under alif, and madda, are often left out when typing.
_ALEF_FORMS = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627"})
# Separators NFKC leaves alone: Arabic decimal and thousands signs, the Arabic comma,
# the minus sign, the ideographic full stop and comma.
_SEPARATORS = str.maketrans({"\u066b": ".", "\u066c": ",", "\u060c": ",", "\u2212": "-", "\u3002": ".",
                             "\u3001": ","})


def ascii_digits(value: str) -> str:
    """Every decimal digit (Arabic-Indic, Persian, Devanagari, full-width…) as 0–9."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value)


def normalise_typed(value: str) -> str:
    """NFKC, ASCII digits, no Arabic diacritics or tatweel, plain alif, single spaces."""
    value = unicodedata.normalize("NFKC", value)
    value = ascii_digits(value).translate(_SEPARATORS)
    value = _ARABIC_MARKS.sub("", value).replace(_TATWEEL, "").translate(_ALEF_FORMS)
    return " ".join(value.split())


def normalise_text(value: str, *, case_sensitive: bool, ignore_accents: bool) -> str:
    """A short answer as compared: see ``normalise_typed``; a final full stop, surrounding
    spaces and (unless case_sensitive) case do not count; accents only if ignore_accents."""
    value = normalise_typed(value).strip(" .")
    if not case_sensitive:
        value = value.casefold()
    if ignore_accents:
        value = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
        value = unicodedata.normalize("NFKC", value)
    return value


# A number as people write it: "1 000", "1,000.5", "1.000,5", "20,5", "-3". Groups of
# three after a space, apostrophe or thin space are thousands.
_GROUP = r"[ \u00a0\u202f\u2009',.]"
_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z.,])[+-]?(?:\d{{1,3}}(?:{_GROUP}\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|[.,]\d+)(?!\d)"
)
_WORDS_ONLY = re.compile(r"^[\w\s.,:;()'\"«»“”‘’\-–—/%]*$")


def _to_decimal(token: str) -> Decimal | None:
    token = re.sub(r"[\s\u00a0\u202f\u2009']", "", token)
    if "," in token and "." in token:
        # The separator that comes last is the decimal one.
        thousands = "," if token.rfind(".") > token.rfind(",") else "."
        token = token.replace(thousands, "")
    elif token.count(",") > 1 or token.count(".") > 1:
        token = token.replace(",", "").replace(".", "")
    elif re.fullmatch(r"[+-]?[1-9]\d{0,2}[.,]\d{3}", token):
        # "1,000" or "1.000": a thousands separator (a decimal answer is rarely typed with
        # exactly three decimals and this reading is the one every locale shares).
        token = token.replace(",", "").replace(".", "")
    try:
        return Decimal(token.replace(",", "."))
    except InvalidOperation:
        return None


def parse_number(text: str, unit: str | None = None) -> Decimal | None:
    """The one number in what a learner typed, or None.

    Words around it are fine ("18 months", "18 mois", "18个月", "about 18", "١٨ شهرًا");
    two numbers ("18 or 30") or no digits at all ("eighteen") are not an answer. ``unit``
    is accepted for callers that know it; any unit word is ignored anyway.
    """
    value = normalise_typed(text or "")
    if not value:
        return None
    if unit:
        # An authored unit may carry digits ("m2") that must not count as a second number.
        unit_norm = normalise_typed(unit).casefold()
        if unit_norm and value.casefold().endswith(unit_norm):
            value = value[: -len(unit_norm)].strip()
    numbers = _NUMBER.findall(value)
    if len(numbers) != 1:
        return None
    rest = _NUMBER.sub(" ", value, count=1)
    if re.search(r"\d", rest) or not _WORDS_ONLY.match(rest):
        return None
    return _to_decimal(numbers[0])

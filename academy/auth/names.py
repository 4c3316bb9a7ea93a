"""Person names as they will be printed on certificates.

A name is stored in NFC (so "é" typed as e + combining accent and as one character
compare and print alike) with its whitespace collapsed. Refused: control characters
(NUL, escape…), which no printed name has; the bidirectional overrides, embeddings and
isolates (U+202A–U+202E, U+2066–U+2069), which make a name display as different text
from what it is ("Ali\u202eznuN" reads "AliNunz"); and names with nothing visible
(only zero-width, format or space characters). Zero-width joiners and non-joiners stay
allowed inside a name that has visible letters: Arabic and Indic names need them.
"""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern):
# the usual way to make a "name" that looks empty pass a has-a-letter check.
BLANK_GRAPHEMES = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class InvalidName(ValueError):
    """A name refused, with a translated message that says why."""


def normalise_name(value):
    """NFC with runs of whitespace collapsed to one space (a WTForms filter too)."""
    if not isinstance(value, str):
        return value
    return " ".join(unicodedata.normalize("NFC", value).split())


def _is_visible(ch: str) -> bool:
    # Format (Cf: zero-width joiners, marks), separators (Z*), controls and combining marks
    # on nothing draw no glyph of their own.
    return unicodedata.category(ch)[0] not in "CZM" and ch not in BLANK_GRAPHEMES


def clean_name(value: str) -> str:
    """The name normalised, or InvalidName saying what is wrong with it."""
    name = normalise_name(value or "")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise InvalidName(_("The name contains a control character (such as NUL). Type the name again."))
    if any(ch in BIDI_CONTROLS for ch in name):
        raise InvalidName(
            _("The name contains invisible characters that reverse the direction of the text. Remove them.")
        )
    if not any(_is_visible(ch) for ch in name):
        raise InvalidName(_("The name is empty or made only of invisible characters."))
    return name


def person_name(form, field) -> None:
    """WTForms validator for a full name (use with the ``normalise_name`` filter)."""
    from wtforms.validators import ValidationError

    if field.data:
        try:
            field.data = clean_name(field.data)
        except InvalidName as exc:
            raise ValidationError(str(exc)) from None

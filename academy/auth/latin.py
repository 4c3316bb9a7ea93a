"""A Latin-script form of a person's name, suggested from the name as written.

A partner abroad compares a certificate with an identity document: a name in Chinese,
Arabic or Cyrillic script needs its Latin form beside it. The learner gives that form
(it is theirs, as in their passport); this module only suggests one to start from:

- Chinese: Hanyu Pinyin (pypinyin), family name first and given name as one word,
  as Chinese passports write it ("王小明" -> "Wang Xiaoming").
- Cyrillic: ICAO Doc 9303, the standard of machine-readable passports (iuliia), so the
  suggestion matches a Russian passport ("Юрий" -> "Iurii").
- Arabic: Arabic script leaves short vowels unwritten, so no library can know them. The
  long vowels and the article are written out here (alif, waw and ya as vowels, taa
  marbuta as "a", "ال" as "Al-") and AnyAscii gives the consonants; the learner corrects the
  rest ("فاطمة" -> "Fatma", "القحطاني" -> "Al-Qhtani").
- Any other script: AnyAscii.
"""

from __future__ import annotations

import unicodedata

#: Arabic letters that are long vowels between consonants (alif, waw, ya, alif maqsura)
_ARABIC_VOWELS = {"\u0627": "a", "\u0622": "a", "\u0649": "a", "\u0648": "u", "\u064a": "i"}
_ARABIC_CONSONANT_FORM = {"\u0648": "w", "\u064a": "y"}
_ARABIC_HAMZA_SEATS = {"\u0623": "a", "\u0625": "i", "\u0624": "u", "\u0626": "i", "\u0621": ""}


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith("CJK") or "IDEOGRAPH" in name:
        return "han"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("ARABIC"):
        return "arabic"
    if name.startswith("LATIN") or ch.isascii():
        return "latin"
    return "other"


def needs_latin_form(name: str) -> bool:
    """Whether the name has letters outside the Latin script."""
    return any(ch.isalpha() and _script(ch) != "latin" for ch in name or "")


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


#: two-character family names (the rest are one character, far the commonest case)
_HAN_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 尉迟 公孙 夏侯 长孙 宇文 司徒 端木 独孤 南宫 西门 澹台 轩辕".split()
)


def _han(word: str) -> str:
    from pypinyin import Style, lazy_pinyin

    def pinyin(text: str) -> str:
        return "".join(s for s in lazy_pinyin(text, style=Style.NORMAL) if s.strip())

    split = 2 if word[:2] in _HAN_COMPOUND_SURNAMES else 1
    family, given = pinyin(word[:split]), pinyin(word[split:])
    return " ".join(_capitalise(part) for part in (family, given) if part)


def _cyrillic(word: str) -> str:
    import iuliia

    return iuliia.ICAO_DOC_9303.translate(word)


def _arabic_word(word: str) -> str:
    from anyascii import anyascii

    prefix = ""
    if word.startswith("\u0627\u0644") and len(word) > 3:  # the article
        prefix, word = "Al-", word[2:]
    out: list[str] = []
    for i, ch in enumerate(word):
        previous_is_vowel = i > 0 and word[i - 1] in _ARABIC_VOWELS and out and out[-1] in "aiu"
        if ch == "\u0629":  # taa marbuta: pronounced "a" at the end of a name
            out.append("a")
        elif ch in _ARABIC_HAMZA_SEATS:
            out.append(_ARABIC_HAMZA_SEATS[ch] if i == 0 else "")
        elif ch == "\u0639":  # ayn: no Latin letter; a vowel carries it at the start of a name
            out.append("a" if i == 0 else "")
        elif ch in _ARABIC_CONSONANT_FORM and (i == 0 or previous_is_vowel):
            out.append(_ARABIC_CONSONANT_FORM[ch])
        elif ch in _ARABIC_VOWELS:
            out.append(_ARABIC_VOWELS[ch])
        else:
            out.append(anyascii(ch))
    latin = "".join(out).replace("'", "").replace("`", "")
    return prefix + _capitalise(latin)


def suggest_latin(name: str) -> str | None:
    """A Latin-script form of ``name`` to suggest, or None if it is already in Latin script."""
    from anyascii import anyascii

    if not needs_latin_form(name):
        return None
    words = []
    for word in (name or "").split():
        scripts = {_script(ch) for ch in word if ch.isalpha()}
        if scripts == {"han"}:
            words.append(_han(word))
        elif scripts == {"cyrillic"}:
            words.append(_cyrillic(word))
        elif scripts == {"arabic"}:
            words.append(_arabic_word(word))
        elif scripts <= {"latin"}:
            words.append(word)
        else:
            words.append(_capitalise(anyascii(word)))
    suggestion = " ".join(w for w in words if w)
    return suggestion or None


def latin_form_of(name: str, latin: str | None) -> str | None:
    """What to keep as the Latin form of ``name``: None when none was given or when it is the
    name itself (a name already in Latin letters is printed once)."""
    latin = (latin or "").strip()
    if not latin or latin == (name or "").strip():
        return None
    return latin

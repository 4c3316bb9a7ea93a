"""Counts read right in every language, with the plural rules of the Babel the lock installs.

Babel 2.19 (CLDR) gave French, Spanish and Portuguese a third form for exact millions
("1 000 000 de leçons") and rewrote the Russian and Arabic expressions; a catalogue written for
older rules compiles fine and then shows "1000000 leçons", or "11 درس" for eleven lessons.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask_babel import ngettext

from academy.core import catalogues

LANGUAGES = catalogues.target_languages()


def _catalog(lang: str):
    with catalogues.po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_carries_the_installed_babels_plural_rule_and_fills_every_form(lang):
    rule = get_plural(lang)
    catalog = _catalog(lang)
    assert dict(catalog.mime_headers)["Plural-Forms"] == rule.plural_forms
    plural = [m for m in catalog if m.id and m.pluralizable]
    assert len(plural) > 30
    for message in plural:
        assert len(message.string) == rule.num_plurals, message.id
        assert all(form.strip() for form in message.string), message.id
        assert not message.fuzzy, message.id


def _lessons(app, lang: str, n: int) -> str:
    # The app picks the locale from the browser's language, then loads the compiled catalogue.
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        return ngettext("%(count)s lesson", "%(count)s lessons", n, count=n)


@pytest.mark.parametrize("lang, many, other", [
    ("fr", "de leçons", "leçons"),
    ("es", "de lecciones", "lecciones"),
    ("pt", "de lições", "lições"),
])
def test_a_million_lessons_read_with_de_in_french_spanish_and_portuguese(app, lang, many, other):
    assert _lessons(app, lang, 1_000_000) == f"1000000 {many}"
    assert _lessons(app, lang, 3_000_000) == f"3000000 {many}"
    assert _lessons(app, lang, 2) == f"2 {other}"
    assert _lessons(app, lang, 1_500_000) == f"1500000 {other}"


def test_russian_lessons_take_the_form_their_last_digits_ask_for(app):
    said = {n: _lessons(app, "ru", n) for n in (1, 2, 5, 11, 21, 22, 25)}
    assert said == {1: "1 урок", 2: "2 урока", 5: "5 уроков", 11: "11 уроков",
                    21: "21 урок", 22: "22 урока", 25: "25 уроков"}


def test_arabic_lessons_take_the_form_of_their_number(app):
    said = {n: _lessons(app, "ar", n) for n in (0, 1, 2, 3, 11, 100, 101, 102)}
    assert said == {0: "لا دروس", 1: "درس واحد", 2: "درسان", 3: "3 دروس",
                    11: "11 درسًا", 100: "100 درس", 101: "101 درس", 102: "102 درس"}


# --- a Babel upgrade that changes a rule ------------------------------------------------------

OLD_FRENCH = """\
msgid ""
msgstr ""
"Language: fr\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#, python-format
msgid "%(count)s lesson"
msgid_plural "%(count)s lessons"
msgstr[0] "%(count)s leçon"
msgstr[1] "%(count)s leçons"
"""

OLD_ARABIC = """\
msgid ""
msgstr ""
"Language: ar\\n"
"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
"n%100>=3 && n%100<=10 ? 3 : n%100>=0 && n%100<=2 ? 4 : 5);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#, python-format
msgid "%(count)s lesson"
msgid_plural "%(count)s lessons"
msgstr[0] "لا دروس"
msgstr[1] "درس واحد"
msgstr[2] "درسان"
msgstr[3] "%(count)s دروس"
msgstr[4] "%(count)s درسًا"
msgstr[5] "%(count)s درس"
"""


def test_a_new_plural_form_is_left_for_a_translator_and_not_compiled_meanwhile(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(OLD_FRENCH, encoding="utf-8")
    assert catalogues.migrate_plural_forms(po, "fr") == 1
    message = _read(po, "fr").get("%(count)s lesson")
    assert message.string == ("%(count)s leçon", "", "%(count)s leçons")  # one, many, other
    assert message.fuzzy
    problems = catalogues.check_catalogue("fr", path=po).problems
    assert any("plural form 1 is untranslated" in p for p in problems)
    assert not any("Plural-Forms" in p for p in problems)
    after_first = po.read_bytes()
    assert catalogues.migrate_plural_forms(po, "fr") is None
    assert po.read_bytes() == after_first


def test_a_rule_written_differently_keeps_each_form_in_its_category(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(OLD_ARABIC, encoding="utf-8")
    assert catalogues.migrate_plural_forms(po, "ar") == 0
    catalog = _read(po, "ar")
    assert catalog.plural_forms == get_plural("ar").plural_forms
    message = catalog.get("%(count)s lesson")
    assert message.string[4:] == ("%(count)s درسًا", "%(count)s درس") and not message.fuzzy


def _read(path, lang):
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


# --- GNU gettext agrees ------------------------------------------------------------------------

MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(
    MSGFMT is None, reason="GNU gettext's msgfmt is not installed (make sysdeps-test installs Debian's gettext)")


def _msgfmt_check(path) -> subprocess.CompletedProcess:
    return subprocess.run([MSGFMT, "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)


@needs_msgfmt
@pytest.mark.parametrize("lang", LANGUAGES)
def test_gnu_msgfmt_accepts_every_catalogue(lang):
    result = _msgfmt_check(catalogues.po_path(lang))
    assert result.returncode == 0, result.stderr


@needs_msgfmt
def test_gnu_msgfmt_refuses_a_catalogue_with_fewer_forms_than_its_rule(tmp_path):
    po = tmp_path / "messages.po"
    po.write_text(OLD_FRENCH.replace("nplurals=2; plural=(n > 1);", get_plural("fr").plural_forms), encoding="utf-8")
    assert _msgfmt_check(po).returncode != 0

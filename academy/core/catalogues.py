"""Message catalogues: extract → update → compile, and the checks a complete catalogue passes.

Run as ``python -m academy.core.catalogues update|compile|check`` (``make translations``
runs ``update``) or as ``flask --app wsgi academy translations …``. No Flask app is needed.

``update`` is idempotent: when the extracted messages have not changed, the template and
the catalogues keep their bytes (Babel would otherwise stamp a new creation date on every
run), so running it on a clean checkout leaves no diff. Location comments carry the file
only, not the line, so an edit elsewhere in a file does not touch every catalogue.

English is the source language: its text is the msgid, so there is no English catalogue.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from academy.config import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
SOURCE_LANGUAGE = "en"
KEYWORDS = ["_l", "lazy_gettext", "ngettext:1,2", "lazy_ngettext:1,2", "_n:1,2"]
# Header lines Babel rewrites on every run although nothing changed.
_VOLATILE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', re.MULTILINE)
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
# Variables that select the plural form: a form may say "one lesson" instead of "1 lesson".
PLURAL_VARIABLES = {"count", "num", "n"}
# CLDR's plural categories in the order Babel numbers the forms of a Plural-Forms expression.
CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")
# Numbers that reach every form of the rules we ship: 0-1000 and exact millions (French "many").
SAMPLE_NUMBERS = (*range(1001), *(k * 1_000_000 for k in (1, 2, 5, 10)))


def target_languages() -> list[str]:
    return [code for code in LANGUAGES if code != SOURCE_LANGUAGE]


def po_path(lang: str, directory: Path = TRANSLATIONS) -> Path:
    return directory / lang / "LC_MESSAGES" / "messages.po"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def _keep_if_unchanged(path: Path, before: str | None) -> bool:
    """Put back the old bytes when only volatile header dates differ. True if it changed."""
    if before is None:
        return True
    after = path.read_text(encoding="utf-8")
    if _VOLATILE.sub("", after) == _VOLATILE.sub("", before):
        path.write_text(before, encoding="utf-8")
        return False
    return True


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def extract(pot: Path = POT) -> bool:
    """Write translations/messages.pot from the sources. True if its messages changed."""
    before = _read(pot)
    args = ["extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot), "--add-location=file",
            "--project=Academy", "--version=1", "--copyright-holder=Academy",
            "--msgid-bugs-address=academy@localhost"]
    for keyword in KEYWORDS:
        args += ["-k", keyword]
    # babel.cfg's patterns and the location comments are relative to the repository.
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        _pybabel(*args, ".")
    finally:
        os.chdir(cwd)
    return _keep_if_unchanged(pot, before)


def numbers_per_form(plural_expr: str) -> dict[int, list[int]]:
    """Which of SAMPLE_NUMBERS each form of a gettext plural expression is used for."""
    choose = gettext.c2py(plural_expr)
    forms: dict[int, list[int]] = defaultdict(list)
    for n in SAMPLE_NUMBERS:
        forms[choose(n)].append(n)
    return dict(forms)


def form_categories(lang: str, plural_expr: str) -> list[str]:
    """The CLDR category each form of an expression stands for: the one most of its numbers are in."""
    locale = Locale.parse(lang)
    forms = numbers_per_form(plural_expr)
    return [Counter(map(locale.plural_form, forms[index])).most_common(1)[0][0] for index in sorted(forms)]


def migrate_plural_forms(path: Path, lang: str) -> int | None:
    """Give a catalogue the installed Babel's plural rule, moving each translation to its category.

    Babel's `update` keeps a catalogue's own Plural-Forms, so a Babel upgrade that changes a rule
    (French gained "many" for exact millions in 2.19) would otherwise go unnoticed. The old
    expression says which categories the catalogue has; their forms are read in CLDR order, which
    is how the translators wrote them (Babel 2.18's Arabic expression numbered "other" before
    "many"; the Arabic forms were written many, then other: "11 درسًا", "100 درس"). A category the
    catalogue lacked gets an empty form and the entry is marked fuzzy, so it is not compiled and
    `check` lists it until someone translates it. Returns how many entries need a new form, or
    None when the rule was already current.
    """
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    rule = get_plural(lang)
    if catalog.plural_forms == rule.plural_forms:
        return None
    old = form_categories(lang, catalog.plural_expr)
    if len(set(old)) != len(old) or len(old) != catalog.num_plurals:
        raise ValueError(f"{path}: cannot tell which plural category each form of "
                         f"{catalog.plural_expr!r} is for; set Plural-Forms to {rule.plural_forms!r} by hand")
    old_order = sorted(old, key=CATEGORY_ORDER.index)
    new_order = form_categories(lang, rule.plural_expr)
    catalog.mime_headers = [("Plural-Forms", rule.plural_forms)]
    incomplete = 0
    for message in catalog:
        if not message.id or not message.pluralizable:
            continue
        by_category = dict(zip(old_order, message.string, strict=True))
        message.string = tuple(by_category.get(category, "") for category in new_order)
        if any(by_category.values()) and not all(message.string):
            message.flags.add("fuzzy")
            incomplete += 1
    with path.open("wb") as fh:
        write_po(fh, catalog, ignore_obsolete=True)
    return incomplete


def update(directory: Path = TRANSLATIONS) -> list[str]:
    """Create missing catalogues, merge the template into each one. Returns the changed ones."""
    pot = directory / POT.name
    changed = []
    for lang in target_languages():
        path = po_path(lang, directory)
        before = _read(path)
        if before is None:
            _pybabel("init", "-i", str(pot), "-d", str(directory), "-l", lang)
        incomplete = migrate_plural_forms(path, lang)
        if incomplete is not None:
            todo = f"; {incomplete} entries need their new form (marked fuzzy)" if incomplete else ""
            print(f"{lang}: plural rule is now {get_plural(lang).plural_forms!r}{todo}", file=sys.stderr)
        _pybabel("update", "-i", str(pot), "-d", str(directory), "-l", lang,
                 "--no-fuzzy-matching", "--ignore-obsolete")
        if _keep_if_unchanged(path, before):
            changed.append(lang)
    return changed


def compile_all() -> None:
    """Compile every catalogue to .mo (build output, ignored by git). Fuzzy entries are skipped."""
    for lang in target_languages():
        if po_path(lang).exists():
            _pybabel("compile", "-d", str(TRANSLATIONS), "-l", lang)


@dataclass
class Report:
    lang: str
    problems: list[str] = field(default_factory=list)
    messages: int = 0

    def add(self, msgid, problem: str) -> None:
        first = msgid[0] if isinstance(msgid, tuple) else msgid
        self.problems.append(f"{self.lang}: {first!r}: {problem}")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


def check_catalogue(lang: str, template_ids: set | None = None, path: Path | None = None) -> Report:
    """Everything that makes a catalogue incomplete or dangerous, one line per problem."""
    report = Report(lang)
    path = path or po_path(lang)
    if not path.exists():
        report.problems.append(f"{lang}: {path} is missing (run make translations)")
        return report
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    expected_plurals = get_plural(lang)
    numbers = numbers_per_form(expected_plurals.plural_expr)
    header = dict(catalog.mime_headers)
    if header.get("Plural-Forms") != expected_plurals.plural_forms:
        report.problems.append(
            f"{lang}: Plural-Forms is {header.get('Plural-Forms')!r}, "
            f"expected {expected_plurals.plural_forms!r}"
        )
    if catalog.fuzzy:
        report.problems.append(f"{lang}: the header is marked fuzzy, so nothing would be compiled")
    ids = set()
    for message in catalog:
        if not message.id:
            continue
        report.messages += 1
        ids.add(message.id)
        if message.fuzzy:
            report.add(message.id, "marked fuzzy")
        if message.pluralizable:
            singular, plural = message.id
            strings = list(message.string) if isinstance(message.string, tuple) else [message.string]
            if len(strings) != expected_plurals.num_plurals:
                report.add(message.id, f"has {len(strings)} plural forms, expected {expected_plurals.num_plurals}")
            wanted = placeholders(singular) | placeholders(plural)
            for index, text in enumerate(strings):
                if not text:
                    report.add(message.id, f"plural form {index} is untranslated")
                    continue
                found = placeholders(text)
                if found - wanted:
                    report.add(message.id, f"form {index} has unknown placeholders {sorted(found - wanted)}")
                missing = wanted - found
                if len(numbers.get(index, SAMPLE_NUMBERS)) <= 2:
                    # A form for one or two numbers may spell its count out ("une leçon", "درسان");
                    # the others ("21 урок", "1 000 000 de leçons") must show it.
                    # The count is a usual name, or the message's only value.
                    missing -= PLURAL_VARIABLES | (wanted if len(wanted) == 1 else set())
                if missing:
                    report.add(message.id, f"form {index} drops placeholders {sorted(missing)}")
        else:
            if not message.string:
                report.add(message.id, "untranslated")
                continue
            wanted, found = placeholders(message.id), placeholders(message.string)
            if wanted != found:
                report.add(message.id, f"placeholders {sorted(found)} differ from {sorted(wanted)}")
    # Babel's own checks: python-format conversions that do not match ("% of" vs "% des").
    for message, errors in catalog.check():
        for error in errors:
            report.add(message.id, f"format: {error}")
    if template_ids is not None:
        for missing in sorted(template_ids - ids, key=str):
            report.add(missing, "in messages.pot but not in the catalogue (run make translations)")
    return report


def template_ids() -> set:
    with POT.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


def check_all() -> list[Report]:
    ids = template_ids()
    return [check_catalogue(lang, ids) for lang in target_languages()]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else "update"
    out = io.StringIO()
    if command == "update":
        if extract():
            print("messages.pot: messages changed", file=out)
        for lang in update():
            print(f"{lang}: catalogue updated", file=out)
        compile_all()
        command = "check-soft"
    elif command == "compile":
        compile_all()
        return 0
    if command in {"check", "check-soft"}:
        reports = check_all()
        failed = False
        for report in reports:
            untranslated = sum("untranslated" in p for p in report.problems)
            print(f"{report.lang}: {report.messages} messages, {len(report.problems)} problems"
                  f" ({untranslated} untranslated)", file=out)
            if command == "check":
                for problem in report.problems:
                    print("  " + problem, file=out)
            failed = failed or bool(report.problems)
        sys.stdout.write(out.getvalue())
        return 1 if (failed and command == "check") else 0
    print(f"usage: python -m academy.core.catalogues [update|compile|check], not {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())

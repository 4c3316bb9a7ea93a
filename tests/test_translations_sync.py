"""The catalogues keep step with the code: `make translations` on a clean checkout changes nothing.

A new ``_()`` string that nobody extracted and translated fails here, with the fix in the message.
"""

from __future__ import annotations

import shutil

from academy.core import catalogues


def test_make_translations_leaves_no_diff(tmp_path):
    copy = tmp_path / "translations"
    shutil.copytree(catalogues.TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    catalogues.extract(copy / catalogues.POT.name)
    catalogues.update(copy)
    stale = [
        str(path.relative_to(catalogues.TRANSLATIONS))
        for path in sorted(catalogues.TRANSLATIONS.rglob("*.po*"))
        if path.read_bytes() != (copy / path.relative_to(catalogues.TRANSLATIONS)).read_bytes()
    ]
    assert not stale, (f"out of date: {stale}. Run `make translations`, translate the new entries in every "
                       "translations/<ll>/LC_MESSAGES/messages.po, then `make translations-check`.")


def test_the_sync_check_notices_a_new_string(tmp_path):
    copy = tmp_path / "translations"
    shutil.copytree(catalogues.TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    pot = copy / catalogues.POT.name
    before = pot.read_text(encoding="utf-8")
    # The template as it would be without its last message: extraction must bring it back.
    trimmed = before[: before.rstrip().rfind("\n\n")] + "\n"
    pot.write_text(trimmed, encoding="utf-8")
    assert catalogues.extract(pot) is True
    assert pot.read_text(encoding="utf-8") != trimmed

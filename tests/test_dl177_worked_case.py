"""DL177's worked case: one TISC request followed from the client's question to the search report.

A learner meets the same client in every module (issue 19): the request and what to ask in the basics,
the strategy and search log in search, family cleaning and the X/Y/A report in analysis, in every language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DL177 = Path(__file__).resolve().parent.parent / "academy" / "courses" / "packages" / "dl177"
LANGS = ["en", "fr", "es", "pt", "ru", "zh", "ar"]
PARTS = {"basics/what-is-a-patent": 1, "search/strategy-citations-legal-status": 2,
         "analysis/writing-a-search-report": 3}


def case_section(lang: str, path: str) -> str:
    """The lesson's last section, where the worked case continues."""
    text = (DL177 / lang / f"{path}.md").read_text(encoding="utf-8")
    return text.rsplit("\n## ", 1)[1]


@pytest.mark.parametrize("lang", LANGS)
def test_the_worked_case_runs_through_the_three_modules_in_every_language(lang):
    sections = {path: case_section(lang, path) for path in PARTS}
    for path, part in PARTS.items():
        numeral = "一二三"[part - 1] if lang == "zh" else str(part)
        assert numeral in sections[path].splitlines()[0], (lang, path)
    feature = "П" if lang == "ru" else "C" if lang in ("fr", "es", "pt") else "F"
    # the client's request becomes three numbered features, confirmed before searching
    basics = sections["basics/what-is-a-patent"]
    assert all(f"**{feature}{n}**" in basics for n in (1, 2, 3)), lang
    # the strategy names concepts, keywords and classification, and logs every query with its hit count
    search = sections["search/strategy-citations-legal-status"]
    assert "F04B 17/006" in search and "`solar, photovoltaic, PV; pump*, submersible`" in search
    log = [line for line in search.splitlines() if re.match(r"\| Q\d \|", line)]
    assert len(log) == 5 and all(re.search(r"\| \d+ \|", line) for line in log), lang
    # the results are cleaned by family before the X/Y/A report, and the learner gets the template
    analysis = sections["analysis/writing-a-search-report"]
    for count in ("350", "325", "268", "141", "23"):
        assert count in analysis, (lang, count)
    assert "INPADOC" in analysis and "&" in analysis
    assert "](../assignments/search-report/template)" in analysis
    assert "](../assignments/search-report/)" in analysis


@pytest.mark.parametrize("lang", LANGS)
def test_the_worked_case_says_its_documents_are_invented(lang):
    """No real patent number is invented: the case says so, and names documents D1 to D4 only."""
    basics = case_section(lang, "basics/what-is-a-patent")
    words = {"en": "invented", "fr": "inventés", "es": "inventados", "pt": "inventados", "ru": "придуманы",
             "zh": "虚构", "ar": "مختلَقة"}
    assert words[lang] in basics
    assert words[lang] in case_section(lang, "search/strategy-citations-legal-status")

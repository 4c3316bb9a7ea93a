"""A Chinese or Arabic learner can tell an instructor-led session from a course.

The trainer's review of issue 19 found both called "course" (课程, دورة) on the cohort, schedule
and attendance pages; the DL177 glossaries name a session 培训场次 and جلسة.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# Login sessions (会话, الجلسات) are another thing; only the training session must not read "course".
LOGIN = re.compile(r"password|logging out|logged in", re.I)
WORDS = {"zh": ("培训场次", "课程"), "ar": ("جلس", "دورة")}


def training_session_messages(lang):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and any(re.search(r"\bsessions?\b", i, re.I) for i in ids) and not LOGIN.search(ids[0]):
            yield ids[0], strings


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_a_training_session_is_never_called_a_course(lang):
    session_word, course_word = WORDS[lang]
    messages = list(training_session_messages(lang))
    assert len(messages) >= 10
    for msgid, strings in messages:
        for text in strings:
            assert course_word not in text, (msgid, text)
            assert session_word in text, (msgid, text)


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_the_interface_and_the_course_glossary_name_a_session_the_same_way(lang):
    """One choice per language: the DL177 glossary's session term is the one the interface uses,
    and the glossary reports course texts that call a session a course."""
    import yaml

    glossary = Path(__file__).resolve().parent.parent / "academy/courses/packages/dl177" / lang / "glossary.yaml"
    terms = {t["key"]: t for t in yaml.safe_load(glossary.read_text(encoding="utf-8"))["terms"]}
    session_word, course_word = WORDS[lang]
    assert terms["session"]["term"].startswith(session_word)
    assert terms["session"]["avoid"] and all(course_word in v for v in terms["session"]["avoid"])

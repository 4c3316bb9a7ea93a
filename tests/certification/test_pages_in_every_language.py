"""The practice pages read wholly in each of the seven languages: the learner's record and
task, the instructor's grading page, and the admin's task authoring. Words that are marked
as being in another language (a source shown beside its translation) do not count."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from academy.certification import services
from academy.certification.enums import SessionMode
from academy.core.models import utcnow
from academy.demo.certification import TASKS
from academy.demo.task_translations import seed_task_translations
from academy.extensions import db
from tests.conftest import login

LANGUAGES = ["en", "fr", "es", "pt", "ru", "zh", "ar"]
TITLES = {"en": "TISC certification", "fr": "Certification des CATI", "es": "Certificación de los CATI",
          "pt": "Certificação dos CATI", "ru": "Сертификация ЦПТИ", "zh": "TISC认证", "ar": "شهادة المراكز"}
#: the agreed untranslated terms, file formats and names used below
ALLOWED = {"tisc", "patentscope", "espacenet", "ipc", "cpc", "fto", "pdf", "docx", "xlsx", "png", "jpeg", "pct",
           "inid", "nour", "haddad", "ines", "mbeki", "ada", "lovelace", "utc"}
#: words spelled the same in English and in the language
COGNATES = {
    "fr": {"certification", "instructions", "date", "version", "versions", "total", "description", "page", "points",
           "phase", "phases", "distance", "session", "excellent", "source", "document", "documents", "message",
           "question", "format", "minimum", "actions", "action", "notes", "note", "plus", "local", "information",
           "classes", "classification", "client", "conclusion", "invention", "jargon", "sources", "possible",
           "programmes", "citations"},
    "es": {"total", "final", "instructor", "error", "inventor", "local", "real", "reproducible", "descriptor"},
    "pt": {"total", "final", "inventor", "local", "real", "classes"},
    "ru": set(), "zh": set(), "ar": set(),
}


class VisibleText(HTMLParser):
    """The page's readable words, leaving out scripts, form field contents and anything
    inside an element that declares another language than the page's."""

    SKIP = {"script", "style", "textarea", "pre", "code", "title"}

    def __init__(self, page_lang: str, skip: set[str] = SKIP):
        super().__init__()
        self.page_lang, self.skip, self.stack, self.words = page_lang, skip, [], []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}:
            return
        lang = dict(attrs).get("lang")
        foreign = tag in self.skip or (lang is not None and lang != self.page_lang)
        self.stack.append((tag, foreign or bool(self.stack and self.stack[-1][1])))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.words.append(data)


#: pages whose <pre> and <code> hold text to read rather than code or data: the authoring
#: page shows a rubric example, which must be in the reader's language
READ_PRE = {"authoring"}


def words_of(html: str, lang: str, page: str = "") -> set[str]:
    parser = VisibleText(lang, VisibleText.SKIP - {"pre", "code"} if page in READ_PRE else VisibleText.SKIP)
    parser.feed(html[html.index("<main"):html.index("</main>")] if "<main" in html else html)
    text = " ".join(parser.words)
    return {w.lower() for w in re.findall(r"\w{3,}", text) if w.isascii() and w.isalpha()}


@pytest.fixture
def world(app_ctx, make_user):
    programme = services.create_programme(code="TISC-X", titles=TITLES)
    for spec in TASKS:
        services.add_task(programme, key=spec["key"], title=spec["title"], instructions=spec["instructions"],
                          due_days=spec["due_days"], rubric=spec["rubric"])
    db.session.expire(programme, ["tasks"])
    seed_task_translations(programme)
    cohort = services.create_cohort(programme, "2024")
    today = date.today()
    session = services.create_session(cohort, title="TISC 2024", starts_on=today - timedelta(days=2),
                                      ends_on=today - timedelta(days=1), mode=SessionMode.IN_PERSON, place="Genève")
    people = {}
    for lang in LANGUAGES:
        instructor = make_user("instructor", full_name="Ines Mbeki", preferred_language=lang)
        learner = make_user("learner", full_name="Nour Haddad", preferred_language=lang)
        admin = make_user("admin", full_name="Ada Lovelace", preferred_language=lang)
        services.assign_instructor(cohort, instructor)
        record = services.enrol_learner(cohort, learner)
        record.phase1_passed_at = utcnow() - timedelta(days=10)
        record.phase2_passed_at = utcnow() - timedelta(days=5)
        task = programme.tasks[0]
        sub = services.submission_for(record, task, create=True)
        sub.text = "…"
        services.submit(sub)
        people[lang] = (learner, instructor, admin, record, task, sub)
    db.session.commit()
    return programme, session, people


def pages(client, people, lang):
    learner, instructor, admin, record, task, sub = people[lang]
    out = {}
    login(client, learner)
    out["record"] = client.get(f"/certification/records/{record.id}").get_data(as_text=True)
    out["task"] = client.get(f"/certification/records/{record.id}/tasks/{task.id}").get_data(as_text=True)
    client.post("/logout")
    login(client, instructor)
    out["grading"] = client.get(f"/certification/submissions/{sub.id}/grade").get_data(as_text=True)
    client.post("/logout")
    login(client, admin)
    out["authoring"] = client.get(f"/certification/admin/tasks/{task.id}").get_data(as_text=True)
    target = "fr" if lang == "en" else lang
    out["translating"] = client.get(f"/certification/admin/tasks/{task.id}/translations/{target}").get_data(
        as_text=True)
    client.post("/logout")
    return out


def test_practice_pages_have_no_english_left_in_any_language(world, app):
    _programme, _session, people = world
    english = {name: words_of(html, "en", name) for name, html in pages(app.test_client(), people, "en").items()}
    assert {"deadline", "instructions", "rubric"} <= english["task"] | english["grading"]
    assert {"unclear", "reproducible"} <= english["authoring"]  # the rubric example's words are read
    left_over = {}
    for lang in LANGUAGES[1:]:
        for name, html in pages(app.test_client(), people, lang).items():
            assert f'lang="{lang}"' in html[:300], (lang, name)
            left = words_of(html, lang, name) & english[name] - ALLOWED - COGNATES[lang]
            if left:
                left_over[(lang, name)] = sorted(left)
    assert not left_over, "\n".join(f"{lang} {page}: {words}" for (lang, page), words in left_over.items())

"""The API reference read by an integrator whose language is not English: the page's own words
are theirs, and what the OpenAPI description says stays English, marked as English."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import login
from tests.test_i18n import english_leftovers

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _PageOwnText(HTMLParser):
    """The page's own words: visible text and aria-labels, leaving out what is marked lang="en"
    and code (paths, field and schema names are the same in every language)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._english_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._english_depth:
            self._english_depth += tag not in VOID
            return
        if (attrs.get("lang") == "en" or tag == "code") and tag not in VOID:
            self._english_depth = 1
            return
        if attrs.get("aria-label"):
            self.parts.append(attrs["aria-label"])

    def handle_endtag(self, tag):
        if self._english_depth:
            self._english_depth -= 1

    def handle_data(self, data):
        if not self._english_depth:
            self.parts.append(data)


def own_text(html: str) -> str:
    parser = _PageOwnText()
    parser.feed(html.split("<body>", 1)[1])
    return " ".join(" ".join(parser.parts).split())


def headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html)]


ENGLISH_HEADINGS = ["Parameters", "Request body", "Responses", "Schemas"]
EXPECTED = {
    "fr": {"dir": "ltr", "title": "Référence de l’API, version 1",
           "headings": ["Paramètres", "Corps de la requête", "Réponses", "Schémas"],
           "scope": "Portée : <code dir=\"ltr\">read:users</code> (Lire les comptes des personnes)."},
    "ar": {"dir": "rtl", "title": "مرجع واجهة البرمجة، الإصدار 1",
           "headings": ["المعاملات", "جسم الطلب", "الاستجابات", "المخططات"],
           "scope": "نطاق الصلاحية: <code dir=\"ltr\">read:users</code> (قراءة حسابات الأشخاص)."},
}


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_integrator_reads_the_api_reference_in_their_language(client, lang):
    expected = EXPECTED[lang]
    html = client.get("/api/v1/docs", headers={"Accept-Language": lang}).get_data(as_text=True)

    assert f'<html lang="{lang}" dir="{expected["dir"]}">' in html
    found = headings(html)
    assert found[0] == expected["title"]
    for heading in expected["headings"]:
        assert heading in found, (heading, sorted(set(found))[:20])
    assert expected["scope"] in html
    text = own_text(html)
    for english in ENGLISH_HEADINGS + ["Scope:", "API reference", "machine-readable", "May be null", "Field"]:
        assert english not in text, english
    assert english_leftovers(text, lang) == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_what_the_openapi_description_says_stays_english_and_is_marked_so(client, lang):
    html = client.get("/api/v1/docs", headers={"Accept-Language": lang}).get_data(as_text=True)
    # An Arabic page sets English runs left to right, or their punctuation lands on the wrong side.
    marker = 'lang="en" dir="ltr"' if lang == "ar" else 'lang="en"'
    assert f"<span {marker}>List people, by id</span>" in html
    assert f"<p {marker}><strong>List people, by id</strong></p>" in html
    assert f"<td {marker}>Items per page (1–500)</td>" in html


def test_the_english_reference_has_nothing_marked_as_foreign(client):
    html = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert 'lang="en"' not in html.split("<body>", 1)[1]
    assert "<h3>Parameters</h3>" in html and "<h2>Schemas</h2>" in html


def test_the_token_screens_open_the_reference_in_the_readers_language(app, client, make_user):
    # No cookie reaches /api/v1, so the page cannot know the language from the account alone.
    login(client, make_user("admin", preferred_language="ar"))
    page = client.get("/admin/api-tokens/").get_data(as_text=True)
    assert 'href="/api/v1/docs?lang=ar"' in page
    learner = app.test_client()
    login(learner, make_user("learner", preferred_language="fr"))
    assert 'href="/api/v1/docs?lang=fr"' in learner.get("/account/api-token").get_data(as_text=True)

    html = client.get("/api/v1/docs?lang=ar", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html and "<h2>المخططات</h2>" in html
    # An unknown language falls back to the browser's.
    html = client.get("/api/v1/docs?lang=xx", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_token_screens_leave_no_english_behind(app, client, make_user, lang):
    from tests.test_i18n import visible_text

    login(client, make_user("admin", preferred_language=lang))
    admin_page = client.post("/admin/api-tokens/", data={"name": "HR", "scopes": ["read:users"]})
    learner = app.test_client()
    login(learner, make_user("learner", preferred_language=lang))
    pages = {"admin": admin_page, "personal": learner.post("/account/api-token", data={"name": "Mine"}),
             "personal, with an error": learner.post("/account/api-token", data={"name": ""})}
    for name, resp in pages.items():
        text = visible_text(resp.get_data(as_text=True))
        assert english_leftovers(text, lang) == [], name
        for english in ("Copy the token", "Last used", "Never", "Revoke", "Create token", "Begins with"):
            assert english not in text, (name, english)

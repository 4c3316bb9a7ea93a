"""Every learner reached in their own language: complete catalogues, the right locale, translated pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from academy.auth.models import User
from academy.core import catalogues, mail
from academy.courses.services import enroll
from academy.extensions import db
from tests.conftest import login

DL177 = Path(__file__).resolve().parent.parent / "academy" / "courses" / "packages" / "dl177"
LANGUAGES = catalogues.target_languages()
FIX_HINT = "\nFix: make translations, then translate the entries in translations/<ll>/LC_MESSAGES/messages.po"


# --- the catalogues ---------------------------------------------------------------------------


def test_every_ui_language_has_a_catalogue():
    assert set(LANGUAGES) == {"fr", "es", "pt", "ru", "zh", "ar"}
    for lang in LANGUAGES:
        assert catalogues.po_path(lang).exists(), lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete_with_its_plural_forms_and_placeholders(lang):
    report = catalogues.check_catalogue(lang, catalogues.template_ids())
    assert report.messages > 100
    assert not report.problems, "\n".join(report.problems[:30]) + FIX_HINT


def test_plural_forms_follow_the_language():
    # The rules come from the Babel in requirements/*.lock (CLDR's), not from a list kept here.
    for lang in LANGUAGES:
        count = get_plural(lang).num_plurals
        with catalogues.po_path(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        assert catalog.num_plurals == count, lang
        plural = [m for m in catalog if m.id and m.pluralizable]
        assert plural and all(len(m.string) == count for m in plural), lang


FRENCH_RULE = get_plural("fr").plural_forms


def _write_po(path: Path, body: str, plural_forms: str = FRENCH_RULE) -> Path:
    path.write_text(
        'msgid ""\nmsgstr ""\n'
        f'"Language: fr\\n"\n"Plural-Forms: {plural_forms}\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n\n' + body,
        encoding="utf-8",
    )
    return path


def test_the_checker_catches_what_would_break_a_page(tmp_path):
    po = _write_po(tmp_path / "messages.po", (
        'msgid "Hello %(name)s"\nmsgstr "Bonjour"\n\n'                       # placeholder dropped
        'msgid "Bye %(name)s"\nmsgstr "Au revoir %(nom)s"\n\n'               # placeholder renamed
        '#, fuzzy\nmsgid "Save"\nmsgstr "Sauver"\n\n'                          # fuzzy
        'msgid "Empty"\nmsgstr ""\n\n'                                         # untranslated
        'msgid "%(count)s lesson"\nmsgid_plural "%(count)s lessons"\n'
        'msgstr[0] "une leçon"\nmsgstr[1] "un million de leçons"\nmsgstr[2] "leçons"\n'  # drop the count
    ))
    problems = "\n".join(catalogues.check_catalogue("fr", {"Hello %(name)s", "Missing"}, path=po).problems)
    assert "'Hello %(name)s': placeholders [] differ" in problems
    assert "'Bye %(name)s': placeholders ['nom'] differ" in problems
    assert "'Save': marked fuzzy" in problems
    assert "'Empty': untranslated" in problems
    assert "form 2 drops placeholders ['count']" in problems
    # "many" is also 2 000 000, 3 000 000…: only a form for one or two numbers may spell its count out.
    assert "form 1 drops placeholders ['count']" in problems
    assert "form 0 drops" not in problems  # "une leçon" (0 or 1) may spell the count out
    assert "Plural-Forms" not in problems
    assert "'Missing': in messages.pot but not in the catalogue" in problems


def test_the_checker_catches_wrong_plural_forms(tmp_path):
    po = _write_po(tmp_path / "messages.po", 'msgid "x"\nmsgstr "x"\n', plural_forms="nplurals=2; plural=(n != 1);")
    problems = catalogues.check_catalogue("ru", path=po).problems
    assert any("Plural-Forms" in p and get_plural("ru").plural_forms in p for p in problems)


# --- choosing the locale ----------------------------------------------------------------------


def _html_lang(resp) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', resp.get_data(as_text=True))
    assert match
    return match.group(1), match.group(2)


def test_browser_language_is_used_when_nothing_was_chosen(client, app):
    assert _html_lang(client.get("/", headers={"Accept-Language": "ar,en;q=0.5"})) == ("ar", "rtl")
    assert _html_lang(client.get("/", headers={"Accept-Language": "pt-BR,pt;q=0.9"})) == ("pt", "ltr")
    assert _html_lang(client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})) == ("zh", "ltr")


def test_english_when_the_browser_asks_for_a_language_we_lack(client, app):
    assert _html_lang(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})) == ("en", "ltr")
    assert _html_lang(client.get("/")) == ("en", "ltr")


def test_switcher_choice_beats_the_browser_language(client, app):
    resp = client.post("/language", data={"lang": "ru", "next": "/courses/"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/courses/")
    assert _html_lang(client.get("/", headers={"Accept-Language": "fr"})) == ("ru", "ltr")


def test_switcher_refuses_unknown_languages_and_foreign_redirects(client, app):
    assert client.post("/language", data={"lang": "xx"}).status_code == 400
    resp = client.post("/language", data={"lang": "es", "next": "//evil.example/"})
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]


def test_saved_preference_beats_session_and_browser(client, app_ctx, make_user):
    user = make_user(preferred_language="zh")
    client.post("/language", data={"lang": "fr", "next": "/"})
    login(client, user)
    assert _html_lang(client.get("/dashboard", headers={"Accept-Language": "es"})) == ("zh", "ltr")


def test_the_switcher_is_on_every_page_and_marks_the_current_language(client, app):
    for path in ("/", "/login", "/register", "/reset-password", "/no-such-page"):
        html = client.get(path, headers={"Accept-Language": "ar"}).get_data(as_text=True)
        assert 'id="lang-select"' in html, path
        assert '<option value="ar" lang="ar" selected>العربية</option>' in html, path
        assert '<option value="zh" lang="zh" >中文</option>' in html, path


def test_country_and_language_names_in_the_users_language(client, app_ctx, make_user):
    kenya_in = {"ru": "Кения", "zh": "肯尼亚", "ar": "كينيا", "fr": "Kenya", "es": "Kenia", "pt": "Quênia"}
    for lang, kenya in kenya_in.items():
        html = client.get("/register", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert f'<option value="KE">{kenya}</option>' in html, lang
    user = make_user(preferred_language="fr")
    login(client, user)
    html = client.get("/account").get_data(as_text=True)
    assert ">Kenya<" in html and ">Chine<" in html and ">Arabie saoudite<" in html


def test_password_reset_mail_is_written_in_the_users_language(client, app_ctx, make_user):
    user = make_user(preferred_language="es")
    client.post("/reset-password", data={"email": user.email}, headers={"Accept-Language": "en"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message["subject"] == "Restablezca su contraseña de Academy"
    assert "Abra este enlace" in message.get_content()


# --- pages in every language ------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes and the attributes screen readers announce."""

    SKIP = {"script", "style"}
    SPOKEN = ("aria-label", "alt", "title", "placeholder")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.parts.append(value)
        # The switcher names each language in itself ("English"), which is intended.
        if tag == "select" and dict(attrs).get("id") == "lang-select":
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP or tag == "select":
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_leftovers(text: str, lang: str) -> list[str]:
    """UI strings that appear in English although the catalogue translates them."""
    with catalogues.po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    # A word both languages share ("complete" is also Spanish) is not a leftover.
    native = " ".join(m.string if isinstance(m.string, str) else " ".join(m.string) for m in catalog if m.id)
    found = []
    for message in catalog:
        if not message.id or message.pluralizable:
            continue
        english, translated = message.id, message.string
        if not translated or english == translated or "%(" in english:
            continue
        if len(english) < 8 and " " not in english:
            continue  # "Email", "Main": too short to tell from course content
        pattern = r"(?<!\w)" + re.escape(english) + r"(?!\w)"
        if re.search(pattern, text) and not re.search(pattern, native):
            found.append(english)
    return found


@pytest.fixture
def dl177(import_course):
    return import_course(DL177)


def _pages(client, course) -> dict[str, str]:
    module = course.modules[0]
    pages = {
        "catalogue": "/courses/",
        "course page": f"/courses/{course.slug}/",
        "course home": f"/learn/{course.slug}/",
        "lesson": f"/learn/{course.slug}/{module.key}/{module.lessons[0].key}",
        "dashboard": "/dashboard",
        "account": "/account",
        "password": "/account/password",
    }
    out = {}
    for name, url in pages.items():
        resp = client.get(url)
        assert resp.status_code == 200, (name, url, resp.status_code)
        out[name] = resp.get_data(as_text=True)
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_key_pages_show_no_english_ui_text(client, app_ctx, make_user, dl177, lang):
    for path in ("/login", "/register", "/reset-password", "/no-such-page"):
        resp = client.get(path, headers={"Accept-Language": lang})
        leftovers = english_leftovers(visible_text(resp.get_data(as_text=True)), lang)
        assert not leftovers, f"{lang} {path}: {leftovers}"
    user = make_user(preferred_language=lang)
    enroll(user, dl177, lang)
    db.session.commit()
    login(client, user)
    for name, html in _pages(client, dl177).items():
        assert f'<html lang="{lang}"' in html, name
        leftovers = english_leftovers(visible_text(html), lang)
        assert not leftovers, f"{lang} {name}: {leftovers}"


def test_the_leftover_detector_sees_an_untranslated_label():
    assert english_leftovers("Votre compte · Skip to content · Mot de passe", "fr") == ["Skip to content"]


def test_a_new_account_defaults_to_the_language_the_page_is_shown_in(client, app_ctx):
    html = client.get("/register", headers={"Accept-Language": "pt"}).get_data(as_text=True)
    assert re.search(r'<option value="pt"[^>]*selected', html)
    resp = client.post("/register", headers={"Accept-Language": "pt"}, data={
        "full_name": "Ana Souza", "email": "ana@example.org", "password": "a long enough passphrase",
        "confirm": "a long enough passphrase", "gender": "woman", "country_code": "BR", "tisc_id": "",
        "institution_other": "INPI", "preferred_language": "pt"})
    assert resp.status_code == 302
    assert db.session.scalar(db.select(User.preferred_language).where(User.email == "ana@example.org")) == "pt"


def test_mail_sent_by_an_administrator_is_in_the_recipients_language(client, app_ctx, make_user):
    import io

    admin = make_user("admin", preferred_language="en")
    learner = make_user(preferred_language="ar")
    login(client, admin)
    csv = "name,email,gender,country,tisc,language,role\n李娜,li.na@example.org,woman,CN,,zh,learner\n"
    resp = client.post("/admin/people/invite", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(csv.encode()), "people.csv"), "mode": "all"})
    assert resp.status_code == 200
    invitation = next(m for m in mail.outbox if m["To"] == "li.na@example.org")
    assert invitation["Subject"] == "邀请您加入 Academy"
    assert "李娜，您好" in invitation.get_content()
    client.post(f"/admin/people/{learner.id}/password-reset")
    reset = next(m for m in mail.outbox if m["To"] == learner.email)
    assert reset["Subject"] == "إعادة تعيين كلمة المرور في Academy"
    # The administrator's own page stays in English.
    assert '<html lang="en"' in client.get("/admin/people").get_data(as_text=True)


def test_certificate_wording_lives_in_the_main_catalogues_under_its_own_context():
    """One catalogue system: the PDF's wording is extracted, updated and checked with the rest
    (context "certificate", so it may differ from the same English on a screen), and no
    feature keeps a catalogue of its own that `make translations-check` would not see."""
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "academy"
    assert not sorted(root.glob("*/translations/**/*.po*"))
    with catalogues.POT.open("rb") as fh:
        pdf_ids = {m.id for m in read_po(fh) if m.context == "certificate"}
    assert "Certificate of Completion" in pdf_ids and ("%(hours)s hour of study", "%(hours)s hours of study") in pdf_ids
    with catalogues.po_path("fr").open("rb") as fh:
        fr = read_po(fh, locale="fr")
    assert fr.get("Completed on %(date)s", context="certificate").string == "Achevé le %(date)s"
    assert fr.get("Completed on %(date)s").string == "Terminé le %(date)s"

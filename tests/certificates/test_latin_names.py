"""Names in two scripts: a learner whose name is written in Chinese, Arabic or Cyrillic
adds its Latin form (suggested for them, theirs to correct); certificates and the public
verification page show both, so a partner abroad can read the name against an ID."""

from __future__ import annotations

import pytest

from academy.auth.latin import latin_form_of, suggest_latin
from academy.auth.models import User
from academy.certificates.services import pdf_bytes
from academy.extensions import db
from tests.certificates.conftest import pdf_text


@pytest.mark.parametrize(("name", "latin"), [
    # Chinese: Hanyu Pinyin, family name first, the given name as one word (as in a passport)
    ("王芳", "Wang Fang"),
    ("王小明", "Wang Xiaoming"),
    ("欧阳娜娜", "Ouyang Nana"),  # a two-character family name
    # Russian: ICAO Doc 9303, the transliteration of Russian passports
    ("Екатерина Александровна Смирнова", "Ekaterina Aleksandrovna Smirnova"),
    ("Юрий Щербаков", "Iurii Shcherbakov"),
    # Arabic: long vowels, taa marbuta and the article written out; short vowels are not
    # written in Arabic script, so the learner completes them
    ("نورة القحطاني", "Nura Al-Qhtani"),
    ("فاطمة", "Fatma"),
    ("علي", "Ali"),
])
def test_a_latin_form_is_suggested_from_chinese_arabic_and_cyrillic_names(name, latin):
    assert suggest_latin(name) == latin


def test_a_name_already_in_latin_letters_gets_no_suggestion_and_is_printed_once():
    assert suggest_latin("Hérimanana Rakotomalala") is None
    assert latin_form_of("Jane Mwangi", "Jane Mwangi") is None
    assert latin_form_of("王芳", " Wang Fang ") == "Wang Fang"


def _profile(**fields):
    data = {"full_name": "王芳", "full_name_latin": "", "gender": "woman", "country_code": "CN", "tisc_id": "",
            "institution_other": "CNIPA", "preferred_language": "zh"}
    data.update(fields)
    return data


def test_the_profile_suggests_the_latin_form_and_the_learner_saves_a_corrected_one(client, login_as, make_user):
    user = make_user(full_name="王芳", preferred_language="zh")
    login_as(user)
    page = client.get("/account").get_data(as_text=True)
    assert 'value="Wang Fang"' in page and 'lang="und-Latn"' in page
    resp = client.post("/account", data=_profile(full_name_latin="WANG Fang"))
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name_latin == "WANG Fang"


def test_the_latin_form_must_be_in_latin_letters(client, login_as, make_user):
    user = make_user(full_name="王芳")
    login_as(user)
    resp = client.post("/account", data=_profile(full_name_latin="王芳"))
    assert resp.status_code == 200
    assert "Latin letters" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name_latin is None


def test_certificate_and_verification_page_print_both_forms(client, make_user, issue):
    user = make_user(full_name="نورة القحطاني", full_name_latin="Noura Al-Qahtani", gender="woman")
    cert = issue(user, language="ar", titles={"ar": "المعلومات المتعلقة بالبراءات"})
    assert cert.learner_name_latin == "Noura Al-Qahtani"
    text = pdf_text(pdf_bytes(cert))
    assert "نورة القحطاني" in text and "Noura Al-Qahtani" in text
    page = client.get(f"/verify/{cert.verification_code}").get_data(as_text=True)
    assert "نورة القحطاني" in page and "Noura Al-Qahtani" in page
    facts = client.get(f"/verify/{cert.verification_code}.json").get_json()
    assert facts["learner_name_latin"] == "Noura Al-Qahtani"


def test_a_verifier_abroad_may_answer_with_the_latin_surname(client, make_user, issue):
    user = make_user(full_name="王芳", full_name_latin="Wang Fang")
    cert = issue(user, language="zh", titles={"zh": "专利信息"})
    resp = client.post(f"/verify/{cert.serial}/holder", data={"answer": "Fang"})
    assert resp.status_code == 200 and "王芳" in resp.get_data(as_text=True)

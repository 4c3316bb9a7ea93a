"""An instructor writes to the cohort: every learner gets it in the app and by e-mail, in
their own language where the instructor wrote one, and it stays on the cohort page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from academy.certification import services as cert_services
from academy.certification.enums import NotificationKind
from academy.certification.models import Notification
from academy.core import mail
from academy.core.audit import AuditEvent
from academy.extensions import db
from tests.conftest import login

LANGS = ("en", "fr", "es", "pt", "ru", "zh", "ar")


def form(main="en", **texts):
    data = {"language": main}
    for lang in LANGS:
        subject, body = texts.get(lang, ("", ""))
        data[f"subject_{lang}"], data[f"body_{lang}"] = subject, body
    return data


@pytest.fixture
def cohort(app_ctx, make_user):
    w = SimpleNamespace()
    w.instructor = make_user("instructor", full_name="Ines Instructor")
    w.other_instructor = make_user("instructor", full_name="Oscar Other")
    w.english = make_user(full_name="Ella English")
    w.french = make_user(full_name="Fanny Française", preferred_language="fr")
    w.russian = make_user(full_name="Rita Russkaya", preferred_language="ru")
    w.programme = cert_services.create_programme(code="TEST-F", titles={"en": "Test certification"})
    w.cohort = cert_services.create_cohort(w.programme, "Pilot")
    cert_services.assign_instructor(w.cohort, w.instructor)
    w.records = [cert_services.enrol_learner(w.cohort, u) for u in (w.english, w.french, w.russian)]
    db.session.commit()
    mail.outbox.clear()
    return w


def test_instructor_writes_to_the_cohort_in_each_learners_language(cohort, client):
    login(client, cohort.instructor)
    resp = client.post(f"/certification/cohorts/{cohort.cohort.id}/announcements", data=form(
        en=("Workshop moved", "The workshop starts on Tuesday."),
        fr=("Atelier déplacé", "L'atelier commence mardi.")))
    assert resp.status_code == 302
    got = {m["To"]: (m["Subject"], m.get_content()) for m in mail.outbox}
    assert got[cohort.english.email][0] == "Workshop moved"
    assert got[cohort.french.email][0] == "Atelier déplacé"
    assert "L'atelier commence mardi." in got[cohort.french.email][1]
    assert got[cohort.russian.email][0] == "Workshop moved"  # no Russian text: the main language
    notes = db.session.scalars(select(Notification).where(Notification.kind == NotificationKind.ANNOUNCEMENT)).all()
    assert len(notes) == 3
    page = client.get(f"/certification/cohorts/{cohort.cohort.id}").get_data(as_text=True)
    assert "Workshop moved" in page and "The workshop starts on Tuesday." in page
    assert db.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "cohort.announcement"))[
        "recipients"] == 3


def test_learners_preferences_are_honoured(cohort, client):
    from academy.preferences.services import save_preferences

    save_preferences(cohort.english, {"announcement": "off"})
    db.session.commit()
    login(client, cohort.instructor)
    client.post(f"/certification/cohorts/{cohort.cohort.id}/announcements",
                data=form(en=("Reading list", "Chapter 3 before Friday.")))
    assert cohort.english.email not in {m["To"] for m in mail.outbox}
    assert len(mail.outbox) == 2


def test_a_translation_without_its_message_is_refused_and_nothing_is_sent(cohort, client):
    login(client, cohort.instructor)
    resp = client.post(f"/certification/cohorts/{cohort.cohort.id}/announcements",
                       data=form(en=("Workshop moved", "Tuesday."), fr=("Atelier déplacé", "")))
    assert resp.status_code == 400
    assert "The French version needs both a subject and a message." in resp.get_data(as_text=True)
    assert mail.outbox == []


def test_the_main_language_must_be_written(cohort, client):
    login(client, cohort.instructor)
    resp = client.post(f"/certification/cohorts/{cohort.cohort.id}/announcements",
                       data=form(main="es", en=("Workshop moved", "Tuesday.")))
    assert resp.status_code == 400
    assert "Write the announcement at least in its main language (Spanish)." in resp.get_data(as_text=True)


def test_an_instructor_of_another_cohort_cannot_write_to_it(cohort, client):
    login(client, cohort.other_instructor)
    resp = client.post(f"/certification/cohorts/{cohort.cohort.id}/announcements",
                       data=form(en=("Hello", "Hi.")))
    assert resp.status_code == 404 and mail.outbox == []


def test_a_learner_without_e_mail_for_announcements_reads_the_message_from_their_notification(cohort, client):
    """The in-app notification carries the subject; its link opens the learner's own page
    in the cohort, where the whole message is, in their language."""
    from academy.preferences.services import save_preferences

    save_preferences(cohort.french, {"announcement": "off"})
    db.session.commit()
    login(client, cohort.instructor)
    client.post(f"/certification/cohorts/{cohort.cohort.id}/announcements", data=form(
        en=("Workshop moved", "The workshop starts on Tuesday."),
        fr=("Atelier déplacé", "L'atelier commence mardi.\nApportez vos recherches.")))
    assert cohort.french.email not in {m["To"] for m in mail.outbox}
    client.post("/logout")
    login(client, cohort.french)
    note = db.session.scalar(select(Notification).where(Notification.user_id == cohort.french.id,
                                                        Notification.kind == NotificationKind.ANNOUNCEMENT))
    assert note.message == "Atelier déplacé"
    page = client.get(note.link).get_data(as_text=True)
    assert 'id="announcements"' in page and "L&#39;atelier commence mardi." in page
    assert "Workshop moved" not in page

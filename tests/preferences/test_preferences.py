"""Notification preferences: per kind, e-mail at once, in a weekly digest, or not at all;
a certificate issued is always e-mailed; the digest is one e-mail with everything held."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from academy.certification.enums import NotificationKind
from academy.certification.models import Notification
from academy.certification.notifications import notify
from academy.core import mail
from academy.core.models import frozen_clock
from academy.extensions import db
from academy.preferences import services
from academy.preferences.models import DigestItem
from academy.preferences.tasks import weekly_digests


def at(year, month, day, hour=9):
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def say(user, kind, text, link="/certification/"):
    note = notify(user, kind, lambda: (text, f"{text} (body)"), link=link)
    db.session.commit()
    return note


@pytest.fixture
def learner(app_ctx, make_user):
    return make_user(full_name="Lea Learner")


def mails_to(user):
    return [m for m in mail.outbox if m["To"] == user.email]


def test_by_default_every_notification_is_e_mailed_at_once(learner):
    say(learner, NotificationKind.DEADLINE_NEAR, "Task due soon")
    assert [m["Subject"] for m in mails_to(learner)] == ["Task due soon"]


def test_off_keeps_the_notification_in_the_app_but_sends_no_e_mail(learner):
    services.save_preferences(learner, {"survey": "off"})
    db.session.commit()
    say(learner, NotificationKind.SURVEY, "A survey for you")
    assert mails_to(learner) == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_weekly_notifications_arrive_together_in_one_e_mail_on_monday(learner):
    services.save_preferences(learner, {"deadline_near": "weekly", "phase_opened": "weekly"})
    db.session.commit()
    with frozen_clock(at(2026, 3, 4)):
        say(learner, NotificationKind.DEADLINE_NEAR, "Task due soon", link="/certification/records/1")
        say(learner, NotificationKind.PHASE_OPENED, "Phase 2 is open")
        say(learner, NotificationKind.SUBMISSION_PASSED, "Your work passed")  # immediate
    assert [m["Subject"] for m in mails_to(learner)] == ["Your work passed"]
    with frozen_clock(at(2026, 3, 9, 7)):
        assert weekly_digests() == 1
        assert weekly_digests() == 0  # the same Monday again
    digest = mails_to(learner)[-1]
    assert digest["Subject"] == "Your weekly summary of notifications: 2"
    body = digest.get_content()
    assert "- Task due soon" in body and "http://localhost/certification/records/1" in body
    assert "- Phase 2 is open" in body and "Your work passed" not in body
    assert db.session.scalar(select(func.count()).select_from(DigestItem).where(DigestItem.sent_at.is_(None))) == 0


def test_nothing_held_means_no_digest(learner):
    with frozen_clock(at(2026, 3, 9, 7)):
        assert weekly_digests() == 0
    assert mails_to(learner) == []


def test_a_certificate_issued_is_always_e_mailed(learner):
    services.save_preferences(learner, {"certified": "off"})
    db.session.commit()
    assert services.preferences(learner.id)["certified"].value == "immediate"
    say(learner, NotificationKind.CERTIFIED, "You are certified")
    assert [m["Subject"] for m in mails_to(learner)] == ["You are certified"]


def test_the_learner_chooses_on_the_account_page_and_a_reset_mail_still_comes(learner, client):
    from tests.conftest import login

    login(client, learner)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "Follow-up survey" in page
    assert "Always sent by e-mail at once: password resets, Certified, and Name change decided." in page
    assert 'name="kind_certified"' not in page
    resp = client.post("/account/notifications", data={"kind_survey": "off", "kind_deadline_near": "weekly"})
    assert resp.status_code == 302
    prefs = services.preferences(learner.id)
    assert (prefs["survey"].value, prefs["deadline_near"].value, prefs["phase_opened"].value) == (
        "off", "weekly", "immediate")
    client.post("/logout")
    client.post("/reset-password", data={"email": learner.email})
    assert any("password" in m["Subject"].lower() for m in mails_to(learner))


def test_an_unknown_choice_is_refused_and_nothing_changes(learner, client):
    from tests.conftest import login

    login(client, learner)
    resp = client.post("/account/notifications", data={"kind_survey": "sometimes"})
    assert resp.status_code == 200 and "Not a valid choice" in resp.get_data(as_text=True)
    assert services.preferences(learner.id)["survey"].value == "immediate"

"""Nudges on a frozen clock: expiry reminders 90 and 30 days before, inactivity nudges, and
the instructors' daily digest; each sent once, with the thresholds set per programme."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from academy.certification import services as cert_services
from academy.certification.enums import NotificationKind
from academy.certification.models import CertificationRecord, Notification
from academy.core import mail
from academy.core.models import frozen_clock
from academy.extensions import db
from academy.nudges import services
from academy.nudges.tasks import send_nudges
from tests.certification.world import RUBRIC


def at(year, month, day, hour=7):
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


def notes(kind, user=None):
    stmt = select(Notification).where(Notification.kind == kind)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return db.session.scalars(stmt.order_by(Notification.id)).all()


@pytest.fixture
def world(app_ctx, make_user, mini_course):
    w = SimpleNamespace()
    w.instructor = make_user("instructor", full_name="Ines Instructor")
    w.holder = make_user(full_name="Hana Holder")
    w.quiet = make_user(full_name="Quentin Quiet")
    w.busy = make_user(full_name="Bea Busy")
    with frozen_clock(at(2024, 1, 1)):
        w.programme = cert_services.create_programme(code="TEST-F", titles={"en": "Test certification"})
        cert_services.set_required_courses(w.programme, [mini_course])
        w.task = cert_services.add_task(w.programme, key="search", title="Search report", instructions="Search.",
                                        due_days=30, rubric=RUBRIC)
        w.cohort = cert_services.create_cohort(w.programme, "Pilot")
        cert_services.assign_instructor(w.cohort, w.instructor)
        w.quiet_record = cert_services.enrol_learner(w.cohort, w.quiet)
        w.busy_record = cert_services.enrol_learner(w.cohort, w.busy)
        w.holder_record = CertificationRecord(user_id=w.holder.id, programme_id=w.programme.id,
                                              started_at=at(2023, 1, 1), awarded_at=at(2024, 6, 1),
                                              expires_at=at(2027, 6, 1))
        db.session.add(w.holder_record)
        db.session.commit()
    mail.outbox.clear()
    return w


def test_the_holder_is_reminded_90_and_30_days_before_expiry_once_each(world):
    with frozen_clock(at(2027, 3, 1)):  # 92 days before
        send_nudges()
    assert notes(NotificationKind.CERTIFICATION_EXPIRING) == []
    for day in (at(2027, 3, 4), at(2027, 3, 5), at(2027, 4, 20)):
        with frozen_clock(day):
            send_nudges()
    [first] = notes(NotificationKind.CERTIFICATION_EXPIRING)
    assert first.message == "Your certification “Test certification” expires on June 1, 2027"
    assert first.link == "/certification/"
    for day in (at(2027, 5, 3), at(2027, 5, 4), at(2027, 5, 31)):
        with frozen_clock(day):
            send_nudges()
    assert len(notes(NotificationKind.CERTIFICATION_EXPIRING)) == 2
    reminders = [m for m in mail.outbox if "expires on June 1, 2027" in m["Subject"]]
    assert len(reminders) == 2 and "http://localhost/certification/" in reminders[0].get_content()
    with frozen_clock(at(2027, 6, 2)):  # expired: nothing more
        send_nudges()
    assert len(notes(NotificationKind.CERTIFICATION_EXPIRING)) == 2


def test_a_reminder_whose_time_has_passed_is_not_sent_late(world):
    with frozen_clock(at(2027, 5, 20)):
        send_nudges()
    assert [n.dedupe_key for n in notes(NotificationKind.CERTIFICATION_EXPIRING)] == [
        f"expiry:{world.holder_record.id}:30"]


def test_no_expiry_reminder_once_a_recertification_has_started(world):
    db.session.add(CertificationRecord(user_id=world.holder.id, programme_id=world.programme.id, attempt=2,
                                       previous_record_id=world.holder_record.id, started_at=at(2027, 2, 1)))
    db.session.commit()
    with frozen_clock(at(2027, 5, 20)):
        send_nudges()
    assert notes(NotificationKind.CERTIFICATION_EXPIRING) == []


def test_expiry_reminders_follow_the_programmes_thresholds(world):
    services.save_settings(world.programme, inactive_days=30, expiry_first_days=60, expiry_final_days=7)
    db.session.commit()
    with frozen_clock(at(2027, 3, 10)):
        send_nudges()
    assert notes(NotificationKind.CERTIFICATION_EXPIRING) == []
    with frozen_clock(at(2027, 4, 5)):
        send_nudges()
    with frozen_clock(at(2027, 5, 26)):
        send_nudges()
    assert [n.dedupe_key.rsplit(":", 1)[1] for n in notes(NotificationKind.CERTIFICATION_EXPIRING)] == ["60", "7"]


def test_a_learner_quiet_for_30_days_in_phase_1_is_nudged_once_per_quiet_stretch(world):
    from academy.courses.services import enroll

    with frozen_clock(at(2024, 1, 2)):
        busy = enroll(world.busy, world.quiet_record.programme.required_courses[0].course, "en")
        busy.last_activity_at = at(2024, 1, 25)
        db.session.commit()
    with frozen_clock(at(2024, 1, 30)):
        send_nudges()
    assert notes(NotificationKind.INACTIVITY_NUDGE) == []
    with frozen_clock(at(2024, 1, 31)):
        send_nudges()
    with frozen_clock(at(2024, 2, 5)):
        send_nudges()
    [nudge] = notes(NotificationKind.INACTIVITY_NUDGE)
    assert nudge.user_id == world.quiet.id and nudge.link == f"/certification/records/{world.quiet_record.id}"
    assert "phase 1 of “Test certification” for 30 days" in next(
        m for m in mail.outbox if m["To"] == world.quiet.email and "Keep going" in m["Subject"]).get_content()
    with frozen_clock(at(2024, 2, 24)):  # Bea's 30 days since her last lesson
        send_nudges()
    assert [n.user_id for n in notes(NotificationKind.INACTIVITY_NUDGE)] == [world.quiet.id, world.busy.id]
    busy.last_activity_at = at(2024, 2, 26)
    db.session.commit()
    with frozen_clock(at(2024, 3, 27)):  # quiet again for 30 days after coming back: a new nudge
        send_nudges()
    assert len(notes(NotificationKind.INACTIVITY_NUDGE, world.busy)) == 2


def test_learners_in_the_workshop_phase_are_not_nudged(world):
    world.quiet_record.phase1_passed_at = at(2024, 1, 10)
    db.session.commit()
    with frozen_clock(at(2024, 3, 1)):
        send_nudges()
    assert notes(NotificationKind.INACTIVITY_NUDGE, world.quiet) == []


def test_the_inactivity_threshold_is_set_per_programme(world):
    services.save_settings(world.programme, inactive_days=10, expiry_first_days=90, expiry_final_days=30)
    db.session.commit()
    with frozen_clock(at(2024, 1, 11)):
        send_nudges()
    assert len(notes(NotificationKind.INACTIVITY_NUDGE)) == 2


def test_instructors_get_one_digest_a_day_of_learners_nudged_and_deadlines_near(world):
    world.busy_record.phase1_passed_at = at(2024, 1, 5)
    world.busy_record.phase2_passed_at = at(2024, 1, 8)  # practice due on 7 February
    db.session.commit()
    with frozen_clock(at(2024, 1, 31)):
        assert send_nudges()["digests"] == 1
        assert send_nudges()["digests"] == 0  # the same day again
    [digest] = notes(NotificationKind.INSTRUCTOR_DIGEST)
    assert digest.user_id == world.instructor.id
    assert digest.message == "Learners to follow up in your cohorts: 2"
    body = next(m for m in mail.outbox if m["To"] == world.instructor.email).get_content()
    assert "Quentin Quiet: no activity for a while, nudged today" in body
    assert "Bea Busy: “Search report” is due on February 7, 2024" in body
    with frozen_clock(at(2024, 2, 1)):  # nobody new to nudge, Bea's deadline still near
        send_nudges()
    assert len(notes(NotificationKind.INSTRUCTOR_DIGEST)) == 2


def test_no_digest_when_there_is_nobody_to_follow_up(world):
    with frozen_clock(at(2024, 1, 15)):
        assert send_nudges() == {"expiry": 0, "inactive": 0, "digests": 0}
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == NotificationKind.INSTRUCTOR_DIGEST)) == 0


def test_admin_sets_the_thresholds_and_a_wrong_order_is_refused(world, make_user, login_as):
    from academy.core.audit import AuditEvent

    client = login_as(make_user("admin", email="nudge-admin@example.org"))
    page = client.get("/admin/nudges/").get_data(as_text=True)
    assert "Test certification" in page and 'value="30"' in page
    p = f"p{world.programme.id}-"
    resp = client.post(f"/admin/nudges/{world.programme.id}",
                       data={p + "inactive_days": "21", p + "expiry_first_days": "30", p + "expiry_final_days": "60"})
    assert resp.status_code == 400
    assert "The first expiry reminder must come before the final one." in resp.get_data(as_text=True)
    assert client.post(f"/admin/nudges/{world.programme.id}", data={
        p + "inactive_days": "21", p + "expiry_first_days": "120", p + "expiry_final_days": "14"}).status_code == 302
    db.session.expire_all()
    settings = services.settings_for(world.programme.id)
    assert (settings.inactive_days, settings.expiry_first_days, settings.expiry_final_days) == (21, 120, 14)
    assert db.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "nudges.settings")) == {
        "inactive_days": 21, "expiry_first_days": 120, "expiry_final_days": 14}


def test_the_expiry_reminders_link_says_when_and_where_to_recertify(world, client):
    """The reminder's link opens "My certification", which tells the holder when their
    certification lapses and that recertification starts there from that day; once it has
    lapsed the button is there."""
    from tests.conftest import login

    login(client, world.holder)
    with frozen_clock(at(2027, 3, 5)):
        send_nudges()
        [note] = notes(NotificationKind.CERTIFICATION_EXPIRING, world.holder)
        html = client.get(note.link).get_data(as_text=True)
    assert ("Your certification “Test certification” expires on June 1, 2027. From that day you can enrol in "
            "recertification here.") in html
    assert "Enrol in recertification" not in html
    with frozen_clock(at(2027, 6, 2)):
        html = client.get(note.link).get_data(as_text=True)
    assert "Enrol in recertification" in html and "From that day" not in html
    with frozen_clock(at(2026, 6, 1)):  # a year before: nothing to say yet
        assert "From that day" not in client.get(note.link).get_data(as_text=True)

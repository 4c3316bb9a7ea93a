"""Mail through the outbox and the queue, run in-process (Huey's immediate mode): what a
rolled-back request sends, and what a retried or repeated task sends twice (nothing)."""

from __future__ import annotations

from sqlalchemy import func, select

from academy.core import mail
from academy.extensions import db


def test_a_rolled_back_request_sends_no_mail_and_a_committed_one_sends_it_once(app_ctx):
    from academy.core.mail import OutgoingMail, deliver, send_mail

    send_mail("gone@example.org", "Never", "This transaction rolls back.")
    db.session.rollback()
    assert mail.outbox == [] and db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0

    queued = send_mail("kept@example.org", "Hello", "Sent after the commit.")
    assert mail.outbox == []  # not before the commit
    db.session.commit()
    assert [m["To"] for m in mail.outbox] == ["kept@example.org"]
    # The queue delivers at most once, but a duplicated or retried task must not send twice.
    assert deliver(queued.id) is False
    assert len(mail.outbox) == 1


def test_asking_twice_for_the_same_keyed_message_queues_one(app_ctx):
    from academy.core.mail import send_mail

    assert send_mail("a@example.org", "Reminder", "Due soon.", key="deadline:1") is not None
    db.session.commit()
    assert send_mail("a@example.org", "Reminder", "Due soon.", key="deadline:1") is None
    db.session.commit()
    assert len(mail.outbox) == 1

"""Outgoing mail: written to an outbox table in the caller's transaction, sent by the queue.

``send_mail`` adds an ``OutgoingMail`` row and asks the queue to deliver it once the
transaction commits: a request that rolls back sends nothing, a slow SMTP server never
slows a page, and a page takes as long whether or not it sends mail (password reset).
``deliver`` claims the row before sending and marks it sent after, so a retried or
duplicated task never sends a message twice; a ``key`` (a natural key such as
``notification:12``) makes asking twice for the same message add one row.

Attachments are not copied into the outbox: the files already sit in storage, so the
feature that wrote a message answers the ``mail-attachments`` signal at send time with
the files it carries (scheduled reports: the PDF and the XLSX). Above
``MAX_ATTACHMENT_BYTES`` together none is attached (the message must say where else to
find them); many mail servers refuse larger messages outright.

Backends: ``console`` (development) writes the message to the log, ``memory`` (tests)
keeps it in ``outbox``, ``smtp`` sends it through ACADEMY_SMTP_HOST.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Optional
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Index, Integer, String, Text, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from academy.core import signals
from academy.core.models import UTCDateTime, utcnow
from academy.core.queue import retries_left, task
from academy.extensions import db

log = logging.getLogger(__name__)
outbox: list[EmailMessage] = []
#: a claimed message not marked sent after this long was lost with its consumer
CLAIM_TIMEOUT = timedelta(minutes=5)
KEEP_DELIVERED = timedelta(days=30)
#: attachments larger than this together are left out: base64 adds a third, and many
#: servers refuse messages over 10-25 MB
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class MailAttachment:
    """A file a message carries, as a ``mail-attachments`` receiver returns it."""

    filename: str
    mimetype: str
    data: bytes


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_unsent", "sent_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[Optional[str]] = mapped_column(String(255), unique=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[Optional[str]] = mapped_column(Text)


def send_mail(to: str, subject: str, body: str, *, key: str | None = None) -> OutgoingMail | None:
    """Queue one plain-text message, sent after the current transaction commits. With ``key``,
    a message already queued under that key is not queued again (returns None)."""
    if key is not None and db.session.scalar(select(OutgoingMail.id).where(OutgoingMail.key == key)):
        return None
    mail = OutgoingMail(key=key, to=to, subject=subject, body=body)
    try:
        with db.session.begin_nested():
            db.session.add(mail)
    except IntegrityError:  # the same key written a moment ago by a concurrent transaction
        return None
    deliver.after_commit(mail.id)
    return mail


def message_id_domain() -> str:
    """The site's own host name (ACADEMY_BASE_URL), so Message-IDs are unique to this
    site; never the machine's name (make_msgid's default asks DNS, and says nothing true)."""
    return urlsplit(current_app.config.get("BASE_URL") or "").hostname or "localhost"


def _message(mail: OutgoingMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    # RFC 5322 requires Date; spam filters and mail clients (threading, deduplication)
    # expect Message-ID. Added here so every backend sends the same message.
    # "+0000", not formatdate()'s "-0000" ("zone unknown"): the moment is known, in UTC.
    # Both come from the outbox row, so a message sent again after a consumer died between
    # sending and recording it is the same message, which receivers can recognise.
    msg["Date"] = format_datetime(mail.created_at)
    msg["Message-ID"] = f"<academy.{mail.id}.{int(mail.created_at.timestamp() * 1000)}@{message_id_domain()}>"
    msg.set_content(mail.body)
    files = signals.values_from_signal(signals.mail_attachments.send(mail))
    total = sum(len(f.data) for f in files)
    if total > MAX_ATTACHMENT_BYTES:
        log.warning("mail %s: %s bytes of attachments left out (over %s)", mail.id, total, MAX_ATTACHMENT_BYTES)
        files = []
    for f in files:
        maintype, _sep, subtype = f.mimetype.partition("/")
        msg.add_attachment(f.data, maintype=maintype, subtype=subtype, filename=f.filename)
    return msg


def _transmit(msg: EmailMessage) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox.append(msg)
    elif backend == "smtp":
        with smtplib.SMTP(current_app.config["SMTP_HOST"], current_app.config["SMTP_PORT"]) as smtp:
            smtp.send_message(msg)
    else:
        attached = [f"{part.get_filename()} ({part.get_content_type()}, {len(part.get_content())} bytes)"
                    for part in msg.iter_attachments()]
        current_app.logger.info("mail to %s: %s\nMessage-ID: %s\n%s%s", msg["To"], msg["Subject"], msg["Message-ID"],
                                msg.get_body(preferencelist=("plain",)).get_content(),
                                "".join(f"\nAttached: {name}" for name in attached))


@task(retries=3, retry_delay=30)
def deliver(mail_id: int, task=None) -> bool:
    """Send one queued message unless it was sent (or is being sent) already; True if sent now."""
    now = utcnow()
    claimed = db.session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.sent_at.is_(None),
               (OutgoingMail.claimed_at.is_(None)) | (OutgoingMail.claimed_at < now - CLAIM_TIMEOUT))
        .values(claimed_at=now, attempts=OutgoingMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        return False
    mail = db.session.get(OutgoingMail, mail_id)
    try:
        _transmit(_message(mail))
    except Exception as exc:
        mail.claimed_at, mail.error = None, f"{exc.__class__.__name__}: {exc}"[:2000]
        db.session.commit()
        log.warning("mail %s not sent (%s retries left): %s", mail_id, retries_left(task), exc)
        raise
    # The body can hold a password-reset link: it is not kept once sent.
    mail.sent_at, mail.body, mail.error = utcnow(), "", None
    db.session.commit()
    return True


def resend_unsent(now: datetime | None = None) -> int:
    """Queue again the messages not sent a minute after they were written (a lost task, an
    SMTP server that was down); returns how many."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(OutgoingMail.id).where(
            OutgoingMail.sent_at.is_(None), OutgoingMail.created_at < now - timedelta(minutes=1),
            OutgoingMail.attempts < 20,
            (OutgoingMail.claimed_at.is_(None)) | (OutgoingMail.claimed_at < now - CLAIM_TIMEOUT),
        ).limit(1000)
    ).all()
    db.session.commit()
    for mail_id in ids:
        deliver.enqueue(mail_id)
    return len(ids)


def purge_delivered(now: datetime | None = None) -> int:
    """Delete the records of messages sent more than KEEP_DELIVERED ago; returns how many."""
    now = now or utcnow()
    result = db.session.execute(delete(OutgoingMail).where(OutgoingMail.sent_at < now - KEEP_DELIVERED))
    return result.rowcount or 0

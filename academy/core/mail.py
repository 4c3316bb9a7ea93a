"""Outgoing mail through a configurable backend.

``console`` (development) writes the message to the log, ``memory`` (tests) keeps it in
``outbox``, ``smtp`` sends it through ACADEMY_SMTP_HOST.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app

outbox: list[EmailMessage] = []


@dataclass
class Mail:
    to: str
    subject: str
    body: str


def message_id_domain() -> str:
    """The site's own host name (ACADEMY_BASE_URL), so Message-IDs are unique to this
    site; never the machine's name (make_msgid's default asks DNS, and says nothing true)."""
    return urlsplit(current_app.config.get("BASE_URL") or "").hostname or "localhost"


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message through the configured backend."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    # RFC 5322 requires Date; spam filters and mail clients (threading, deduplication)
    # expect Message-ID. Added here so every backend sends the same message.
    # "+0000", not formatdate()'s "-0000" ("zone unknown"): the moment is known, in UTC.
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=message_id_domain())
    msg.set_content(body)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox.append(msg)
    elif backend == "smtp":
        with smtplib.SMTP(current_app.config["SMTP_HOST"], current_app.config["SMTP_PORT"]) as smtp:
            smtp.send_message(msg)
    else:
        current_app.logger.info("mail to %s: %s\nMessage-ID: %s\n%s", to, subject, msg["Message-ID"], body)

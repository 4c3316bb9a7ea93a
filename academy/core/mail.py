"""Outgoing mail through a configurable backend.

``console`` (development) writes the message to the log, ``memory`` (tests) keeps it in
``outbox``, ``smtp`` sends it through ACADEMY_SMTP_HOST.
"""

from __future__ import annotations

import smtplib
import threading
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


# Threads started by send_in_background() and maybe still running (for wait_for_background()).
_background: list[threading.Thread] = []
_background_lock = threading.Lock()


def send_in_background(message: Mail | None) -> None:
    """Send ``message`` from a short-lived thread, so the request does not wait for the
    mail server; ``None`` starts the same thread with nothing to send.

    For replies that must not reveal whether a mail went out (a password reset for an
    address with or without an account): both branches start one thread and return, so
    the answer takes as long either way, where sending inline added the SMTP round trips
    to one branch only. The thread is not a daemon, so a worker that is told to stop
    finishes sending first. A task queue replaces this when the project gets one."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's documented accessor
    thread = threading.Thread(target=_deliver, args=(app, message), name="academy-mail")
    with _background_lock:
        _background[:] = [t for t in _background if t.is_alive()]
        _background.append(thread)
    thread.start()


def _deliver(app, message: Mail | None) -> None:
    if message is None:
        return
    with app.app_context():
        try:
            send_mail(message.to, message.subject, message.body)
        except Exception:  # nobody is left to show it to: the log is where it must go
            app.logger.exception("mail to %s could not be sent", message.to)


def wait_for_background(timeout: float = 30) -> None:
    """Wait until every message handed to send_in_background() has been sent (tests, CLI)."""
    with _background_lock:
        pending = list(_background)
    for thread in pending:
        thread.join(timeout)

"""Outgoing mail through a configurable backend.

``console`` (development) writes the message to the log, ``memory`` (tests) keeps it in
``outbox``, ``smtp`` sends it through ACADEMY_SMTP_HOST.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

outbox: list[EmailMessage] = []


@dataclass
class Mail:
    to: str
    subject: str
    body: str


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message through the configured backend."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        outbox.append(msg)
    elif backend == "smtp":
        with smtplib.SMTP(current_app.config["SMTP_HOST"], current_app.config["SMTP_PORT"]) as smtp:
            smtp.send_message(msg)
    else:
        current_app.logger.info("mail to %s: %s\n%s", to, subject, body)

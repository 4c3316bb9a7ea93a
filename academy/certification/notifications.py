"""In-app notifications, each also sent by e-mail, in the recipient's language."""

from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, g, has_app_context
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from academy.certification.enums import NotificationKind
from academy.certification.models import Notification
from academy.core.mail import send_mail
from academy.core.models import utcnow
from academy.core.template_helpers import forget_unread_notifications
from academy.extensions import db


def notify(user, kind: NotificationKind, render, link: str = "", dedupe_key: str | None = None) -> Notification | None:
    """Add a notification for ``user`` and e-mail it; a repeated ``dedupe_key`` does nothing.

    ``render`` is a callable returning (subject, body) that runs under the user's locale,
    so the message is stored and mailed in their language. Returns None for a duplicate.
    """
    if dedupe_key is not None and db.session.scalar(
        select(Notification.id).where(Notification.user_id == user.id, Notification.dedupe_key == dedupe_key)
    ):
        return None
    forget_unread_notifications()
    with force_locale(user.preferred_language or "en"):
        subject, body = render()
        subject, body = str(subject), str(body)
    note = Notification(user_id=user.id, kind=kind, message=subject, link=link, dedupe_key=dedupe_key)
    try:
        with db.session.begin_nested():
            db.session.add(note)
    except IntegrityError:  # the same reminder written by a concurrent run
        return None
    if has_app_context() and g.get("certification_mail_muted"):
        return note
    from academy.preferences.services import route_mail

    if not route_mail(user, kind, note):  # the user's choice: held for the weekly digest, or in the app only
        return note
    url = current_app.config.get("BASE_URL", "").rstrip("/") + link if link else ""
    send_mail(user.email, subject, body + (f"\n\n{url}\n" if url else "\n"), key=f"notification:{note.id}")
    return note


@contextmanager
def mail_muted():
    """Record in-app notifications without e-mailing them (demo data, bulk imports)."""
    g.certification_mail_muted = True
    try:
        yield
    finally:
        g.certification_mail_muted = False


def unread_count_of(user_id_column):
    """The header's badge as a scalar subquery of a user id (a column, or a value): the
    covering index ix_notification_user_unread answers it."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id_column, Notification.read_at.is_(None)).scalar_subquery())


def unread_count(user_id: int) -> int:
    """The header's badge, counted again (after a notification was added or read)."""
    return db.session.scalar(select(unread_count_of(user_id))) or 0


def recent(user_id: int, limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ))


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of the user as read; returns how many."""
    forget_unread_notifications()
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0

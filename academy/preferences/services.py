"""Which notifications are e-mailed when, and the weekly digest that batches the rest.

``route_mail`` is asked by ``academy.certification.notifications.notify`` before it
e-mails a notification. Some kinds are always sent at once, whatever the preference:
``MUST_SEND`` (a certificate issued; the decision on a request to change the name that
certificates print). Password resets are not notifications and are
never held back.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from academy.certification.enums import NotificationKind
from academy.core.audit import record
from academy.core.mail import send_mail
from academy.core.models import utcnow
from academy.extensions import db
from academy.preferences.models import Delivery, DigestItem, NotificationPreference

MUST_SEND = frozenset({NotificationKind.CERTIFIED, NotificationKind.NAME_CHANGE_DECIDED})


def choosable_kinds() -> list[NotificationKind]:
    return [k for k in NotificationKind if k not in MUST_SEND]


def preferences(user_id: int) -> dict[str, Delivery]:
    """{kind value: delivery} for every kind (the default where no choice was saved)."""
    saved = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.delivery)
                                    .where(NotificationPreference.user_id == user_id)).all())
    return {k.value: Delivery.IMMEDIATE if k in MUST_SEND else saved.get(k.value, Delivery.IMMEDIATE)
            for k in NotificationKind}


def save_preferences(user, choices: dict[str, str]) -> None:
    """Store ``user``'s choices ({kind value: delivery value}); must-send kinds are not choosable."""
    current = {p.kind: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    changed = {}
    for kind in choosable_kinds():
        value = choices.get(kind.value)
        if value is None:
            continue
        delivery = Delivery(value)
        row = current.get(kind.value)
        if row is None:
            if delivery == Delivery.IMMEDIATE:
                continue
            db.session.add(NotificationPreference(user_id=user.id, kind=kind.value, delivery=delivery))
        elif row.delivery == delivery:
            continue
        else:
            row.delivery = delivery
        changed[kind.value] = delivery.value
    db.session.flush()
    if changed:
        record("account.notification_preferences", "user", user.id, after=changed, actor_id=user.id)


def route_mail(user, kind: NotificationKind, note) -> bool:
    """True if ``note`` is to be e-mailed now; else it is held for the digest or not mailed."""
    if kind in MUST_SEND:
        return True
    delivery = db.session.scalar(select(NotificationPreference.delivery).where(
        NotificationPreference.user_id == user.id, NotificationPreference.kind == kind.value))
    if delivery in (None, Delivery.IMMEDIATE):
        return True
    if delivery == Delivery.WEEKLY:
        db.session.add(DigestItem(user_id=user.id, notification_id=note.id))
        db.session.flush()
    return False


def send_weekly_digests(now: datetime | None = None) -> int:
    """One e-mail per user with notifications held for the digest, listing them all; returns
    how many e-mails. A rerun in the same week sends nothing twice (the items are marked
    sent, and the e-mail's key is the user and the week)."""
    now = now or utcnow()
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    items = db.session.scalars(select(DigestItem).where(DigestItem.sent_at.is_(None))
                               .order_by(DigestItem.user_id, DigestItem.id)).all()
    by_user: dict[int, list[DigestItem]] = {}
    for item in items:
        by_user.setdefault(item.user_id, []).append(item)
    sent = 0
    for user_id, held in by_user.items():
        from academy.auth.models import User

        user = db.session.get(User, user_id)
        with force_locale(user.preferred_language or "en"):
            subject = _("Your weekly summary of notifications: %(count)s", count=len(held))
            lines = [_("Here is what happened this week. Every notification is also in the app.")]
            for item in held:
                note = item.notification
                lines.append("")
                lines.append(f"- {note.message}")
                if note.link:
                    lines.append(f"  {base}{note.link}")
            lines += ["", _("You can choose which notifications come by e-mail on your account page.")]
        mail = send_mail(user.email, str(subject), "\n".join(str(line) for line in lines),
                         key=f"digest:{user_id}:{now:%G-W%V}")
        for item in held:
            item.sent_at = now
        sent += mail is not None
    db.session.flush()
    return sent

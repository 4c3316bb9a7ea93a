"""The per-account login limit (LOGIN_RATE_LIMIT_ACCOUNT, e.g. "8 per 5 minutes").

Failures are rows in ``login_failure``, so the limit holds across gunicorn workers and
servers on the embedded default too; flask-limiter's memory:// counters were per
process (3 workers let 24 guesses through instead of 8). The per-IP limit stays on
flask-limiter, whose storage is Redis when ACADEMY_RATELIMIT_STORAGE_URI says so.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from limits import parse
from sqlalchemy import delete, select

from academy.auth.models import LoginFailure
from academy.auth.services import normalise_email
from academy.core.models import utcnow
from academy.core.transactions import keep_on_error
from academy.extensions import db


def _limit() -> tuple[int, timedelta]:
    item = parse(current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"])
    return item.amount, timedelta(seconds=item.get_expiry())


def is_enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def wait_before_next_login(email: str) -> timedelta | None:
    """How long this address must wait before a password is checked again, or None."""
    if not is_enabled():
        return None
    amount, window = _limit()
    now = utcnow()
    recent = db.session.scalars(
        select(LoginFailure.failed_at)
        .where(LoginFailure.account_key == normalise_email(email), LoginFailure.failed_at > now - window)
        .order_by(LoginFailure.failed_at.desc())
        .limit(amount)
    ).all()
    if len(recent) < amount:
        return None
    # Open again when the oldest of the last ``amount`` failures leaves the window.
    return max(recent[-1] + window - now, timedelta(seconds=1))


def record_login_failure(email: str) -> None:
    """Count one wrong password for this address; forget failures older than the window."""
    if not is_enabled():
        return
    _amount, window = _limit()
    now = utcnow()
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - window))
    db.session.add(LoginFailure(account_key=normalise_email(email), failed_at=now))
    db.session.flush()
    # The login page answers a wrong password with a 401, and a request that fails keeps
    # nothing (academy/core/transactions.py); the failure must count all the same, or the
    # limit would never be reached.
    keep_on_error()


def clear_login_failures(email: str) -> None:
    """A successful login starts the count again."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.account_key == normalise_email(email)))

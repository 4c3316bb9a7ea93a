"""API tokens: create (the secret shown once), revoke, find by secret, and count each use.

A token's secret is ``acd_`` followed by 43 URL-safe characters (256 random bits); the
database keeps its SHA-256 only. Use is counted per rate-limit window in ``api_usage``
(shared by every worker, like the login throttle), and the first request of each window
writes one audit event: the log says which token was used when, without a row per call.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from academy.api.models import ApiToken, ApiUsage, TokenKind
from academy.core.audit import AuditEvent, record
from academy.core.models import utcnow
from academy.extensions import db

PREFIX = "acd_"
#: every scope an integration token may hold, with what it lets a system do
SCOPES = {
    "read:users": _l("Read people's accounts"),
    "read:progress": _l("Read enrolments, progress, quiz results and certification records"),
    "read:certificates": _l("Read certificates"),
    "read:stats": _l("Read the statistics"),
    "write:enrolments": _l("Enrol learners in courses"),
    "write:learners": _l("Create and update learners from a staff registry"),
    "write:certificates": _l("Issue and revoke certificates"),
}
#: what a learner's own token may do: read their own records, nothing else
PERSONAL_SCOPES = ("read:progress", "read:certificates")
MAX_NAME = 120


class TokenError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _snapshot(token: ApiToken) -> dict:
    return {"name": token.name, "kind": token.kind.value, "scopes": list(token.scopes),
            "owner_id": token.owner_id,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None}


def create_token(*, name: str, scopes=(), kind: TokenKind = TokenKind.INTEGRATION, owner=None,
                 expires_at: datetime | None = None, created_by=None) -> tuple[ApiToken, str]:
    """Add a token; returns it with its secret, which is not stored and cannot be shown again.
    A personal token gets the personal scopes whatever was asked."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise TokenError(str(_l("Give the token a name of at most %(n)d characters.", n=MAX_NAME)), field="name")
    if kind == TokenKind.PERSONAL:
        if owner is None:
            raise TokenError("a personal token needs an owner", field="owner")
        scopes = list(PERSONAL_SCOPES)
    else:
        scopes = sorted(set(scopes or ()))
        unknown = [s for s in scopes if s not in SCOPES]
        if unknown or not scopes:
            raise TokenError(str(_l("Choose at least one of the listed scopes.")), field="scopes")
    if expires_at is not None and expires_at <= utcnow():
        raise TokenError(str(_l("The expiry date must be in the future.")), field="expires_at")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(kind=kind, name=name, scopes=scopes, owner_id=owner.id if owner else None,
                     created_by_id=created_by.id if created_by else None, expires_at=expires_at,
                     token_hash=hash_secret(secret), prefix=secret[: len(PREFIX) + 6])
    db.session.add(token)
    db.session.flush()
    record("api_token.created", "api_token", token.id, after=_snapshot(token),
           actor_id=created_by.id if created_by else None)
    return token, secret


def revoke_token(token: ApiToken, *, actor) -> bool:
    """Stop a token working from now on; False if it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    record("api_token.revoked", "api_token", token.id, before=_snapshot(token), actor_id=actor.id if actor else None)
    return True


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token with this secret, or None (unknown, revoked, expired)."""
    if not secret.startswith(PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or not token.is_usable():
        return None
    return token


@dataclass
class Usage:
    limit: int
    remaining: int
    reset_at: datetime  # when the window ends

    @property
    def is_over(self) -> bool:
        return self.remaining < 0


def rate_limit() -> tuple[int, timedelta]:
    item = parse(current_app.config["API_RATE_LIMIT"])
    return item.amount, timedelta(seconds=item.get_expiry())


def count_request(token: ApiToken, *, path: str, ip_address: str | None) -> Usage:
    """Count one request against the token's window, in a transaction of its own (committed
    now, whatever becomes of the request: a refused or failed call still counts). Records
    the token's use in the audit log once per window and keeps last_used_at to the minute."""
    amount, window = rate_limit()
    now = utcnow()
    seconds = int(window.total_seconds())
    start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)
    with db.engine.begin() as conn:
        bumped = conn.execute(
            update(ApiUsage).where(ApiUsage.token_id == token.id, ApiUsage.window_start == start)
            .values(request_count=ApiUsage.request_count + 1)
        )
        if bumped.rowcount == 0:
            try:
                with conn.begin_nested():
                    conn.execute(insert(ApiUsage).values(token_id=token.id, window_start=start, request_count=1))
            except IntegrityError:  # another worker opened the window a moment ago
                conn.execute(
                    update(ApiUsage).where(ApiUsage.token_id == token.id, ApiUsage.window_start == start)
                    .values(request_count=ApiUsage.request_count + 1)
                )
            else:
                conn.execute(insert(AuditEvent).values(
                    created_at=now, actor_id=token.owner_id or token.created_by_id, action="api_token.used",
                    target_type="api_token", target_id=str(token.id), after={"window_start": start.isoformat(),
                                                                              "first_path": path},
                    ip_address=ip_address))
        stale = ApiToken.last_used_at.is_(None) | (ApiToken.last_used_at < now - timedelta(minutes=1))
        conn.execute(update(ApiToken).where(ApiToken.id == token.id, stale).values(last_used_at=now))
        used = conn.scalar(select(ApiUsage.request_count).where(ApiUsage.token_id == token.id,
                                                                ApiUsage.window_start == start))
    return Usage(limit=amount, remaining=amount - int(used or 0), reset_at=start + window)


def audit_write(action: str, entity: str, entity_id: int, after: dict) -> None:
    """Record an API write in the audit log with the acting user and the token that made it."""
    from academy.api.core import acting_user, current_token

    record(action, entity, entity_id, actor_id=getattr(acting_user(), "id", None),
           after={**after, "token_id": current_token().id})

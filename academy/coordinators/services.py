"""Giving and taking the coordinator role and its scope (audited)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from academy.auth.models import Tisc, User, UserRole
from academy.coordinators.models import CoordinatorScope
from academy.core.audit import record
from academy.core.enums import Role
from academy.extensions import db


class CoordinatorError(ValueError):
    pass


def assign(user: User, *, countries: list[str], tisc_ids: list[int]) -> None:
    """Make ``user`` a coordinator of ``countries`` or of ``tisc_ids`` (not both: a scope is
    either whole countries or a network of TISCs), replacing any earlier scope."""
    countries = sorted({c.strip().upper() for c in countries if c.strip()})
    tisc_ids = sorted(set(tisc_ids))
    if bool(countries) == bool(tisc_ids):
        raise CoordinatorError(_("Assign either countries or TISCs to a coordinator."))
    if any(len(c) != 2 or not c.isalpha() for c in countries):
        raise CoordinatorError(_("Countries are two-letter codes, such as KE or PE."))
    known = set(db.session.scalars(select(Tisc.id).where(Tisc.id.in_(tisc_ids))))
    if set(tisc_ids) - known:
        raise CoordinatorError(_("Unknown TISC: %(id)s.", id=min(set(tisc_ids) - known)))
    db.session.execute(delete(CoordinatorScope).where(CoordinatorScope.user_id == user.id))
    for c in countries:
        db.session.add(CoordinatorScope(user_id=user.id, country_code=c))
    for t in tisc_ids:
        db.session.add(CoordinatorScope(user_id=user.id, tisc_id=t))
    if not user.has_role(Role.COORDINATOR):
        user.role_rows.append(UserRole(role=Role.COORDINATOR))
    db.session.flush()
    record("coordinator.assign", "user", user.id, after={"countries": countries, "tisc_ids": tisc_ids})


def revoke(user: User) -> None:
    """Take the role and its scope away."""
    db.session.execute(delete(CoordinatorScope).where(CoordinatorScope.user_id == user.id))
    user.role_rows = [r for r in user.role_rows if r.role != Role.COORDINATOR]
    db.session.flush()
    record("coordinator.revoke", "user", user.id)

"""What falls inside a coordinator's scope: its learners, as a statistics filter and as a
subquery every list is restricted by."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select

from academy.auth.models import User
from academy.certificates.models import Certificate
from academy.certification import queries as cert_queries
from academy.coordinators.models import CoordinatorScope
from academy.extensions import db
from academy.stats.queries import Filters


@dataclass(frozen=True)
class Scope:
    countries: tuple[str, ...]
    tisc_ids: tuple[int, ...]
    tisc_names: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.countries and not self.tisc_ids

    def filters(self) -> Filters:
        """The statistics restricted to the scope (an empty scope counts nobody)."""
        if self.countries:
            return Filters(countries=self.countries)
        return Filters(tisc_ids=self.tisc_ids or (-1,))

    def users(self) -> Select:
        conds = []
        if self.countries:
            conds.append(User.country_code.in_(self.countries))
        if self.tisc_ids:
            conds.append(User.tisc_id.in_(self.tisc_ids))
        return select(User.id).where(or_(*conds) if conds else User.id.is_(None))


def scope_of(user_id: int) -> Scope:
    rows = db.session.scalars(select(CoordinatorScope).where(CoordinatorScope.user_id == user_id)).all()
    return Scope(tuple(sorted(r.country_code for r in rows if r.country_code)),
                 tuple(sorted(r.tisc_id for r in rows if r.tisc_id)),
                 tuple(sorted(r.tisc.name for r in rows if r.tisc)))


def at_risk(scope: Scope) -> list[dict]:
    members = set(db.session.scalars(scope.users()))
    return [row for row in cert_queries.learners_at_risk(None) if row["record"].user_id in members]


def certificates(scope: Scope, limit: int = 500) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.user_id.in_(scope.users()))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(limit)))


def coordinators() -> list[tuple[User, Scope]]:
    from academy.auth.models import UserRole
    from academy.core.enums import Role

    users = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                               .where(UserRole.role == Role.COORDINATOR).order_by(User.full_name)).all()
    return [(u, scope_of(u.id)) for u in users]

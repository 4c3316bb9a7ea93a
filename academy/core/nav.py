"""Header navigation entries that features add for the roles that use them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from academy.core.enums import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    roles: tuple[Role, ...]
    order: int = 50


NAV: list[NavItem] = []


def add_nav(endpoint: str, label, roles: tuple[Role, ...], order: int = 50) -> None:
    if not any(item.endpoint == endpoint for item in NAV):
        NAV.append(NavItem(endpoint, label, roles, order))
        NAV.sort(key=lambda i: i.order)
        _menu_for.cache_clear()


@lru_cache(maxsize=64)
def _menu_for(roles: frozenset[Role]) -> tuple[NavItem, ...]:
    # Every page's header asks; the answer depends on the set of roles alone.
    return tuple(item for item in NAV if not roles.isdisjoint(item.roles))


def nav_for(user) -> list[NavItem]:
    if not user or not user.is_authenticated:
        return []
    return list(_menu_for(frozenset(Role(role) for role in user.roles)))

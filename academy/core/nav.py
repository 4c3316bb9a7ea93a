"""Header navigation entries that features add for the roles that use them."""

from __future__ import annotations

from dataclasses import dataclass

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


def nav_for(user) -> list[NavItem]:
    if not user or not user.is_authenticated:
        return []
    roles = {Role(role) for role in user.roles}
    return [item for item in NAV if not roles.isdisjoint(item.roles)]

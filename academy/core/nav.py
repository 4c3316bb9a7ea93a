"""Header navigation entries that features offer (``menu-items``) for the roles that use them."""

from __future__ import annotations

from dataclasses import dataclass

from academy.core import signals
from academy.core.enums import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    roles: tuple[Role, ...]
    order: int = 50


def menu() -> list[NavItem]:
    """Every feature's entries, by ``order`` (ties in the order the features were set up)."""
    items: dict[str, NavItem] = {}
    for item in signals.values_from_signal(signals.menu_items.send()):
        items.setdefault(item.endpoint, item)
    return sorted(items.values(), key=lambda i: i.order)


def nav_for(user) -> list[NavItem]:
    if not user or not user.is_authenticated:
        return []
    roles = frozenset(Role(role) for role in user.roles)
    return [item for item in menu() if not roles.isdisjoint(item.roles)]

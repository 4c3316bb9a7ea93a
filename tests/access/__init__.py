"""The access table, one module per feature.

Each module defines ``ROWS``: a list of ``Row`` (endpoint, method, URL builder, expected
status per role), and may define ``extend_world(world)`` to create the objects its URLs
need. ``tests/test_access.py`` runs every row for every role and fails when a route of
the app has no row.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anon", "learner", "other", "instructor", "admin", "coordinator")


def expected(row, role: str) -> int:
    """A row's expected status for ``role``. A coordinator (issue 21) is also a learner with
    no records of their own: where a row does not name the coordinator, they are expected to
    get what the other learner gets, so every route is checked for them too."""
    if role == "coordinator" and role not in row.expect:
        return row.expect["other"]
    return row.expect[role]


@dataclass(frozen=True)
class Row:
    endpoint: str
    url: Callable  # world -> str
    expect: dict  # role -> status code; roles: anon, learner, other (another learner), instructor, admin,
    # coordinator (when not given: as "other")
    method: str = "GET"
    data: Callable | None = None  # world -> form data
    id: str = ""
    extra: dict = field(default_factory=dict)


def everyone(code: int) -> dict:
    return dict.fromkeys(ROLES, code)


def logged_in(code: int, anon: int = 302) -> dict:
    return {"anon": anon, "learner": code, "other": code, "instructor": code, "admin": code}


def admin_only(code: int = 200) -> dict:
    return {"anon": 302, "learner": 403, "other": 403, "instructor": 403, "admin": code}


def staff_only(code: int = 200) -> dict:
    return {"anon": 302, "learner": 403, "other": 403, "instructor": code, "admin": code}


def feature_modules():
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{__name__}.{info.name}")

"""Every route × every role → the expected status. A route without a row fails."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from academy.extensions import db
from tests.access import ROLES, expected, feature_modules
from tests.conftest import login

MODULES = list(feature_modules())
ALL_ROWS = [row for mod in MODULES for row in mod.ROWS]


def build_world(make_user, import_course):
    from academy.courses.services import enroll

    w = SimpleNamespace()
    w.course = import_course()
    w.learner = make_user("learner", full_name="Owner Learner")
    w.other = make_user("learner", full_name="Other Learner")
    w.instructor = make_user("instructor")
    w.admin = make_user("admin")
    w.coordinator = make_user("coordinator", full_name="Cora Coordinator", country_code="KE")
    enroll(w.learner, w.course, "en")
    db.session.commit()
    for mod in MODULES:
        if hasattr(mod, "extend_world"):
            mod.extend_world(w)
    db.session.commit()
    return w


def test_every_route_has_an_access_row(app):
    covered = {row.endpoint for row in ALL_ROWS}
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = sorted(routes - covered)
    assert not missing, f"routes without a row in tests/access/: {missing}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ALL_ROWS, ids=[r.id or f"{r.method} {r.endpoint}" for r in ALL_ROWS])
def test_access(row, role, app, client, make_user, import_course):
    w = build_world(make_user, import_course)
    user = {"learner": w.learner, "other": w.other, "instructor": w.instructor, "admin": w.admin,
            "coordinator": w.coordinator}.get(role)
    if user is not None:
        login(client, user)
    url = row.url(w)
    data = row.data(w) if row.data else None
    resp = client.open(url, method=row.method, data=data)
    assert resp.status_code == expected(row, role), f"{row.method} {url} as {role}: {resp.status_code}"

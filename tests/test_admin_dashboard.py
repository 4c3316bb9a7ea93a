"""The admin dashboard's counts: cached briefly per process, and the page says as of when."""

from __future__ import annotations

import re

import pytest

from academy.admin import queries


@pytest.fixture
def admin_client(make_user, login_as):
    return login_as(make_user("admin", email="admin@example.org"))


def accounts(html: str) -> int:
    return int(re.search(r"(\d+) accounts?\b", html).group(1))


def test_dashboard_counts_accounts_and_says_as_of_when(admin_client, make_user):
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert accounts(html) == 1
    assert "Counts as of" in html
    make_user(email="new@example.org")
    assert accounts(admin_client.get("/admin/").get_data(as_text=True)) == 2  # tests count every time


def test_counts_are_kept_for_a_minute_then_counted_again(app, admin_client, make_user, monkeypatch):
    import cachelib.simple

    monkeypatch.setitem(app.config, "ADMIN_COUNTS_SECONDS", 60)
    clock = [1000.0]
    monkeypatch.setattr(cachelib.simple, "time", lambda: clock[0])  # the shared cache's clock
    queries.forget_counts()
    assert accounts(admin_client.get("/admin/").get_data(as_text=True)) == 1
    make_user(email="new@example.org")
    clock[0] += 59
    assert accounts(admin_client.get("/admin/").get_data(as_text=True)) == 1
    clock[0] += 2
    assert accounts(admin_client.get("/admin/").get_data(as_text=True)) == 2
    queries.forget_counts()

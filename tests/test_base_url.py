"""Links point where the server listens: `PORT=5101 make run` issues certificates whose QR
codes, verification links and credentials say port 5101, and a server whose ACADEMY_BASE_URL
names this machine on another port says so at start-up (flask run and gunicorn)."""

from __future__ import annotations

import logging

import click
import pytest

from academy import create_app
from academy.config import ConfigError, load_config
from academy.core.baseurl import gunicorn_addresses, mismatch, warn_if_unreachable


@pytest.fixture
def no_base_url(monkeypatch):
    for name in ("ACADEMY_BASE_URL", "PORT", "FLASK_RUN_PORT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_make_run_on_another_port_links_to_that_port(no_base_url, tmp_path):
    no_base_url.setenv("PORT", "5101")
    config = load_config({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path)})
    assert config["BASE_URL"] == "http://127.0.0.1:5101"


def test_flask_run_port_alone_also_counts_in_development(no_base_url, tmp_path):
    no_base_url.setenv("FLASK_RUN_PORT", "5202")
    assert load_config({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path)})["BASE_URL"] == \
        "http://127.0.0.1:5202"


def test_development_without_a_port_keeps_port_5000(no_base_url, tmp_path):
    assert load_config({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path)})["BASE_URL"] == \
        "http://127.0.0.1:5000"


def test_a_configured_base_url_wins_over_the_port(no_base_url, tmp_path):
    no_base_url.setenv("PORT", "5101")
    no_base_url.setenv("ACADEMY_BASE_URL", "https://academy.example.org")
    assert load_config({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path)})["BASE_URL"] == \
        "https://academy.example.org"


def test_a_port_that_is_not_a_number_is_refused_by_name(no_base_url, tmp_path):
    no_base_url.setenv("PORT", "51o1")
    with pytest.raises(ConfigError, match="PORT"):
        load_config({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path)})


def test_the_certificates_of_that_run_point_at_its_port(no_base_url, tmp_path):
    no_base_url.setenv("PORT", "5101")
    app = create_app({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    from academy.certificates.services import verify_url

    with app.app_context():
        assert verify_url("abc").startswith("http://127.0.0.1:5101/verify/")


@pytest.mark.parametrize(("base_url", "host", "port", "wrong"), [
    ("http://127.0.0.1:5000", "127.0.0.1", 5101, True),
    ("http://localhost:5000", "0.0.0.0", 5000, False),  # noqa: S104
    ("http://127.0.0.1:5101", "127.0.0.1", 5101, False),
    ("http://localhost:8000/", "::1", 8000, False),
    ("http://127.0.0.1", "127.0.0.1", 8000, True),  # port 80 implied
    ("http://127.0.0.1:8000", "192.0.2.10", 8000, True),  # listens only on a LAN address
    ("https://academy.example.org", "127.0.0.1", 8000, False),  # a proxy in front: cannot tell
])
def test_a_base_url_naming_this_machine_must_name_where_it_listens(base_url, host, port, wrong):
    assert (mismatch(base_url, host, port) is not None) is wrong


def test_gunicorn_bind_addresses_are_read_and_unix_sockets_skipped():
    assert gunicorn_addresses(["127.0.0.1:8000", "[::1]:8001", "unix:/run/academy.sock", ":8002"]) == [
        ("127.0.0.1", 8000), ("::1", 8001), ("", 8002)]


def test_gunicorn_warns_when_no_bind_matches(caplog):
    logger = logging.getLogger("test.gunicorn")
    with caplog.at_level(logging.WARNING, logger="test.gunicorn"):
        assert warn_if_unreachable("http://127.0.0.1:5000", [("127.0.0.1", 8000)], logger)
        assert warn_if_unreachable("http://127.0.0.1:8000", [("127.0.0.1", 8000), ("::1", 8001)], logger) is None
    assert [r.getMessage() for r in caplog.records] == [
        "ACADEMY_BASE_URL is http://127.0.0.1:5000 but the server listens on port 8000: links in e-mails, "
        "certificates (QR codes, stored in the PDF) and credentials will point where nothing listens. "
        "Set ACADEMY_BASE_URL=http://127.0.0.1:8000 (or leave it unset in development)."]


def _run_context(host: str, port: int) -> click.Context:
    """The click context `flask run --host … --port …` loads the app in."""
    ctx = click.Context(click.Command("run"), info_name="run")
    ctx.params.update(host=host, port=port)
    return ctx


def test_flask_run_warns_at_start_up_when_the_base_url_names_another_port(no_base_url, tmp_path, caplog):
    no_base_url.setenv("ACADEMY_BASE_URL", "http://127.0.0.1:5000")
    with _run_context("127.0.0.1", 5101), caplog.at_level(logging.WARNING):
        app = create_app({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert any("listens on port 5101" in r.getMessage() for r in caplog.records)
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"  # said, not silently changed


def test_flask_run_on_a_port_typed_by_hand_moves_the_default_base_url_with_it(no_base_url, tmp_path, caplog):
    with _run_context("127.0.0.1", 5303), caplog.at_level(logging.WARNING):
        app = create_app({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path),
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["BASE_URL"] == "http://127.0.0.1:5303"
    assert not [r for r in caplog.records if "ACADEMY_BASE_URL" in r.getMessage()]


def test_other_commands_do_not_warn(no_base_url, tmp_path, caplog):
    no_base_url.setenv("ACADEMY_BASE_URL", "http://127.0.0.1:5000")
    with caplog.at_level(logging.WARNING):
        create_app({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path),
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert not [r for r in caplog.records if "ACADEMY_BASE_URL" in r.getMessage()]

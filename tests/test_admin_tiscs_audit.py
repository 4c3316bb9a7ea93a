"""Admin console: the TISC directory and the append-only audit log."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from academy.auth.models import Tisc, User
from academy.core.audit import AuditEvent, record
from academy.extensions import db


@pytest.fixture
def admin(make_user):
    return make_user("admin", full_name="Ada Admin")


@pytest.fixture
def as_admin(admin, login_as):
    return login_as(admin)


def add_tisc(name, country="KE", **fields) -> Tisc:
    tisc = Tisc(
        name=name,
        host_institution=fields.get("host", "University"),
        city=fields.get("city", "Nairobi"),
        country_code=country,
    )
    db.session.add(tisc)
    db.session.commit()
    return tisc


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# --- TISC directory -----------------------------------------------------------------------


def test_admin_adds_and_edits_a_tisc_and_duplicates_are_refused(as_admin, app_ctx):
    data = {
        "name": "KIPI TISC",
        "host_institution": "Kenya Industrial Property Institute",
        "city": "Nairobi",
        "country_code": "KE",
        "national_network": "",
    }
    assert as_admin.post("/admin/tiscs/new", data=data).status_code == 302
    tisc = db.session.scalars(select(Tisc)).one()
    assert (tisc.name, tisc.country_code, tisc.national_network) == ("KIPI TISC", "KE", None)
    resp = as_admin.post("/admin/tiscs/new", data={**data, "name": "kipi tisc"})
    assert resp.status_code == 422 and "already exists in this country" in resp.get_data(
        as_text=True
    )
    assert as_admin.post("/admin/tiscs/new", data={**data, "country_code": "XX"}).status_code == 422
    assert (
        as_admin.post(f"/admin/tiscs/{tisc.id}/edit", data={**data, "city": "Mombasa"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Tisc, tisc.id).city == "Mombasa"
    assert actions() == ["tisc.created", "tisc.updated"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tisc.updated")).one()
    assert event.before["city"] == "Nairobi" and event.after["city"] == "Mombasa"


def test_merging_a_tisc_moves_its_learners_to_the_survivor(as_admin, make_user):
    duplicate, survivor = add_tisc("KIPI"), add_tisc("KIPI TISC")
    learners = [make_user(tisc_id=duplicate.id) for _ in range(3)]
    resp = as_admin.post(f"/admin/tiscs/{duplicate.id}/merge", data={"survivor": str(survivor.id)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert {db.session.get(User, u.id).tisc_id for u in learners} == {survivor.id}
    assert not db.session.get(Tisc, duplicate.id).is_active
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tisc.merged")).one()
    assert event.after["learners_moved"] == 3 and event.after["merged_into"] == survivor.id


def test_tiscs_in_different_countries_cannot_be_merged(as_admin, app_ctx):
    kenyan, peruvian = add_tisc("A"), add_tisc("B", country="PE")
    resp = as_admin.post(f"/admin/tiscs/{kenyan.id}/merge", data={"survivor": str(peruvian.id)})
    assert resp.status_code == 422
    db.session.expire_all()
    assert db.session.get(Tisc, kenyan.id).is_active


def test_a_deactivated_tisc_is_no_longer_offered_at_registration(app, as_admin, app_ctx):
    tisc = add_tisc("Closing TISC")
    with app.app_context():
        assert "Closing TISC" in app.test_client().get("/register").get_data(as_text=True)
    assert (
        as_admin.post(f"/admin/tiscs/{tisc.id}/active", data={"published": "0"}).status_code == 302
    )
    assert actions() == ["tisc.deactivated"]
    with app.app_context():
        assert "Closing TISC" not in app.test_client().get("/register").get_data(as_text=True)
    assert (
        as_admin.post(f"/admin/tiscs/{tisc.id}/active", data={"published": "1"}).status_code == 302
    )
    assert actions() == ["tisc.deactivated", "tisc.reactivated"]


def _import(client, content: str):
    return client.post(
        "/admin/tiscs/import",
        data={"file": (io.BytesIO(content.encode()), "tiscs.csv")},
        content_type="multipart/form-data",
    )


def test_tisc_csv_import_is_all_or_nothing(as_admin, app_ctx):
    add_tisc("KIPI TISC", city="Old city")
    bad = (
        "name,host_institution,city,country,national_network\n"
        "KIPI TISC,KIPI,Nairobi,KE,Kenya TISC network\n"
        "INDECOPI TISC,INDECOPI,Lima,PE,\n"
        ",Nameless,Quito,EC,\n"
        "Somewhere,Inst,City,ZZ,\n"
        "INDECOPI TISC,Again,Lima,PE,\n"
    )
    resp = _import(as_admin, bad)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "3 rows have errors, so nothing was imported" in page
    assert "also on line 3" in page and "not a two-letter country code" in page
    assert db.session.scalar(select(func.count()).select_from(Tisc)) == 1

    good = "\n".join(bad.splitlines()[:3]) + "\n"
    assert _import(as_admin, good).status_code == 302
    db.session.expire_all()
    kipi = db.session.scalars(select(Tisc).where(Tisc.name == "KIPI TISC")).one()
    assert kipi.city == "Nairobi" and kipi.national_network == "Kenya TISC network"
    assert db.session.scalar(select(func.count()).select_from(Tisc)) == 2
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tisc.imported")).one()
    assert event.after == {"created": 1, "updated": 1, "rows": 2}


# --- audit log ----------------------------------------------------------------------------


def test_audit_log_cannot_be_changed_or_deleted_in_the_database(app_ctx, admin):
    record("test.event", "user", admin.id, actor_id=admin.id)
    db.session.commit()
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert actions() == ["test.event"]


def test_audit_log_has_no_route_that_changes_it(app, as_admin):
    audit_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin/audit")]
    assert audit_rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in audit_rules)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert as_admin.open("/admin/audit", method=method).status_code == 405


def test_admin_filters_the_audit_log_and_exports_it_as_csv(as_admin, make_user, admin):
    target = make_user(full_name="=HYPERLINK(evil)")
    as_admin.post(f"/admin/people/{target.id}/roles/grant", data={"role": "instructor"})
    as_admin.post(f"/admin/people/{target.id}/deactivate")
    page = as_admin.get("/admin/audit?action=user.deactivated").get_data(as_text=True)
    assert "<code>user.deactivated</code>" in page and "<code>user.role_granted</code>" not in page
    page = as_admin.get(f"/admin/audit?target_type=user&target_id={target.id}&actor=ada").get_data(
        as_text=True
    )
    assert "<code>user.deactivated</code>" in page and "<code>user.role_granted</code>" in page
    assert "0 events" in as_admin.get("/admin/audit?actor=nobody-like-this").get_data(as_text=True)
    assert "0 events" in as_admin.get("/admin/audit?since=2999-01-01").get_data(as_text=True)

    resp = as_admin.get("/admin/audit.csv?target_type=user")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["action"] for r in rows] == ["user.deactivated", "user.role_granted"]
    assert rows[0]["actor_email"] == admin.email and rows[0]["ip_address"] == "127.0.0.1"
    assert '"is_active": false' in rows[0]["after"]
    assert actions()[-1] == "audit.exported"  # exports are audited too


def test_csv_export_neutralises_spreadsheet_formulas(as_admin, app_ctx, admin):
    record("=cmd|' /C calc'!A0", "user", "-1", actor_id=admin.id)
    db.session.commit()
    body = as_admin.get("/admin/audit.csv").get_data(as_text=True)
    assert "'=cmd" in body and "\n=cmd" not in body and ",-1," not in body


def test_every_admin_route_requires_the_admin_role(app):
    from academy.core.enums import Role

    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin/") and r.endpoint.startswith("admin.")]
    assert len(rules) > 25
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "required_roles", None) == (Role.ADMIN,), rule.rule

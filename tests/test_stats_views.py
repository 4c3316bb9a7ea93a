"""The statistics pages and exports: same numbers everywhere, no personal data unless asked,
every export audited, small cells hidden."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from academy.core.audit import AuditEvent
from academy.extensions import db


def read_csv(resp) -> list[list[str]]:
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def exported(admin_client, data: dict):
    """Ask for a learner-level export, which the queue prepares (at once in the tests), and
    download it from the prepared exports page."""
    from academy.jobs.models import Job

    resp = admin_client.post("/admin/stats/enrolments", data=data)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/stats/exports")
    db.session.expire_all()
    job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    return admin_client.get(f"/admin/stats/exports/{job.id}/download")


def read_xlsx(resp) -> list[list]:
    assert resp.status_code == 200
    data = resp.get_data()
    resp.close()  # a send_file response holds its file open until closed
    wb = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    width = len(rows[0])
    return [r + [None] * (width - len(r)) for r in rows]  # empty trailing cells read back short


def page_table(html: str, name: str) -> list[list[str]]:
    """The data-value of every cell of a table on the page (labels from the <th>)."""
    block = re.search(rf'<table class="data stats-table" id="table-{re.escape(name)}">(.*?)</table>', html, re.S)
    assert block, f"no table {name}"
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", block.group(1), re.S):
        if "<td" not in tr:
            continue
        label = re.search(r'<th scope="row">(.*?)</th>', tr, re.S).group(1).strip()
        rows.append([label, *re.findall(r'data-value="([^"]*)"', tr)])
    return rows


def norm(v):
    """A cell compared by value: numbers as floats (XLSX reads 40.0 back as 40), text as text."""
    if v is None or v == "":
        return ""
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)


def normed(rows) -> list[list]:
    return [[norm(c) for c in r] for r in rows]


def test_dashboard_shows_the_three_report_figures_and_more(pop, admin_client):
    resp = admin_client.get("/admin/stats/")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for title in ("Enrolments by course language", "Enrolments by course", "Enrolments by gender",
                  "Completion rate by gender and course language", "Enrolments by month", "Enrolments by country"):
        assert title in html
    assert page_table(html, "language") == [
        ["English", "5", "2", "40.0", "12.5"],
        ["French", "2", "1", "50.0", "5.0"],
        ["Spanish", "1", "1", "100.0", "30.0"],
        ["Total", "8", "4", "50.0", "15.0"],
    ]
    assert page_table(html, "gender")[:3] == [
        ["Woman", "4", "2", "50.0", "20.0"],
        ["Man", "3", "2", "66.7", "10.0"],
        ["Prefer not to say", "1", "0", "0.0", ""],
    ]
    # gender × language completion rates, row and column totals
    rates = page_table(html, "rate-gender-language")
    assert rates[0] == ["Woman", "50.0", "0.0", "100.0", "50.0"]
    assert rates[-1] == ["Total", "40.0", "50.0", "100.0", "50.0"]
    assert 'id="chart-gender"' in html and "<svg" in html
    assert "style=" not in html  # the CSP forbids inline styles


def test_dashboard_is_compressed_and_its_cached_figures_match_a_fresh_render(pop, admin_client):
    import re

    import brotli

    from academy.extensions import cache

    plain = admin_client.get("/admin/stats/", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = admin_client.get("/admin/stats/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "br" and "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.get_data()) < len(plain.get_data()) / 3

    def without_token(html: str) -> str:
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)

    cached = without_token(brotli.decompress(packed.get_data()).decode())
    cache.clear()
    fresh = admin_client.get("/admin/stats/", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    assert without_token(fresh) == cached


def test_dashboard_tables_are_sent_without_indentation_or_blank_lines(pop, admin_client):
    """The tables are most of the page and every request compresses all of it: one row per
    line (a quarter of the page was indentation and blank lines)."""
    import re

    html = admin_client.get("/admin/stats/").get_data(as_text=True)
    bodies = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    assert bodies
    for body in bodies:
        lines = body.strip().split("\n")
        assert all(line.startswith("<tr") and line.endswith("</tr>") for line in lines), lines[:3]


def test_dashboard_filters_apply_to_every_figure(pop, admin_client):
    html = admin_client.get(f"/admin/stats/?course={pop.adv.id}&date_from=2025-01-01").get_data(as_text=True)
    assert page_table(html, "language")[-1] == ["Total", "2", "0", "0.0", ""]
    assert page_table(html, "countries") == [
        ["Kenya", "1", "0", "0.0", ""], ["Saudi Arabia", "1", "0", "0.0", ""], ["Total", "2", "0", "0.0", ""]]


def test_dashboard_rejects_a_backwards_date_range(pop, admin_client):
    resp = admin_client.get("/admin/stats/?date_from=2025-01-01&date_to=2024-01-01")
    assert resp.status_code == 400  # the page, with the error, but not a success
    assert "The end date is before the start date." in resp.get_data(as_text=True)


def test_empty_dashboard_says_so(admin_client):
    html = admin_client.get("/admin/stats/").get_data(as_text=True)
    assert "Nothing to count for these filters." in html


@pytest.mark.parametrize("figure", ["language", "course", "gender", "rate-gender-language", "over-time",
                                    "countries"])
def test_csv_and_xlsx_hold_the_numbers_the_page_shows(pop, admin_client, figure):
    html = admin_client.get("/admin/stats/").get_data(as_text=True)
    shown = page_table(html, figure)
    rows_csv = read_csv(admin_client.get(f"/admin/stats/export.csv?figure={figure}"))
    rows_xlsx = read_xlsx(admin_client.get(f"/admin/stats/export.xlsx?figure={figure}"))
    assert rows_csv[1:] == shown
    assert normed(rows_xlsx[1:]) == normed(shown)
    assert rows_csv[0] == [str(c) for c in rows_xlsx[0]]


def test_crosstab_builder_and_its_exports_agree(pop, admin_client):
    q = "rows=region&cols=gender&measure=enrolments&suppression=off"
    html = admin_client.get(f"/admin/stats/crosstab?{q}").get_data(as_text=True)
    shown = page_table(html, "crosstab")
    assert shown[0] == ["Africa", "3", "1", "0", "4"]
    assert shown[-1] == ["Total", "4", "3", "1", "8"]
    assert read_csv(admin_client.get(f"/admin/stats/export.csv?figure=crosstab&{q}"))[1:] == shown
    xlsx = read_xlsx(admin_client.get(f"/admin/stats/export.xlsx?figure=crosstab&{q}"))
    assert normed(xlsx[1:]) == normed(shown)


def test_crosstab_refuses_a_measure_that_cannot_be_broken_down_that_way(pop, admin_client):
    html = admin_client.get("/admin/stats/crosstab?rows=course&cols=gender&measure=registrations").get_data(
        as_text=True)
    assert "This measure can be broken down by" in html
    assert admin_client.get("/admin/stats/export.csv?figure=crosstab&rows=course&measure=registrations"
                            ).status_code == 400


def test_gender_by_country_is_suppressed_by_default(pop, admin_client):
    rows = read_csv(admin_client.get("/admin/stats/export.csv?figure=crosstab&rows=gender&cols=country"
                                     "&measure=enrolments"))
    body = [c for r in rows[1:] for c in r[1:]]
    assert "<5" in body
    assert not any(c in {"1", "2", "3", "4"} for c in body)
    assert rows[-1][-1] == "8"  # the grand total is not small
    off = read_csv(admin_client.get("/admin/stats/export.csv?figure=crosstab&rows=gender&cols=country"
                                    "&measure=enrolments&suppression=off"))
    assert off[1] == ["Woman", "3", "1", "0", "0", "4"]


def test_suppression_hides_a_second_cell_when_one_could_be_worked_out(pop, admin_client):
    # by language with threshold 2: es (1) is small; fr (2) is hidden too, or 8 - 5 - 2 = 1.
    rows = read_csv(admin_client.get("/admin/stats/export.csv?figure=language&suppression=on&threshold=2"))
    assert rows[1] == ["English", "5", "2", "40.0", "12.5"]
    assert rows[2] == ["French", "x", "<2", "–", "–"]
    assert rows[3] == ["Spanish", "<2", "<2", "–", "–"]
    assert rows[4] == ["Total", "8", "4", "50.0", "15.0"]


def test_statistics_exports_hold_no_personal_data(pop, admin_client):
    blobs = [admin_client.get(f"/admin/stats/export.csv?figure={f}").get_data(as_text=True)
             for f in ("language", "course", "gender", "countries", "over-time")]
    blobs.append(admin_client.get("/admin/stats/export.csv?figure=crosstab&rows=tisc&cols=gender"
                                  "&measure=enrolments").get_data(as_text=True))
    text = "\n".join(blobs)
    for u in pop.users.values():
        assert u.email not in text and u.full_name not in text


def test_every_export_is_audited_with_who_and_filters(pop, admin_client):
    admin_client.get(f"/admin/stats/export.xlsx?figure=gender&course={pop.mini.id}&date_from=2024-01-01")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stats.export")).one()
    assert event.actor_id is not None
    assert event.after["format"] == "xlsx"
    assert event.after["figure"] == "gender"
    assert event.after["filters"] == {"date_from": "2024-01-01", "course_ids": [pop.mini.id]}
    assert event.after["personal_data"] is False


def test_learner_export_has_one_row_per_enrolment_without_names_by_default(pop, admin_client):
    rows = read_csv(exported(admin_client, {"format": "csv"}))
    assert len(rows) == 1 + 8
    header = rows[0]
    assert "Name" not in header and "Email" not in header
    text = "\n".join(",".join(r) for r in rows)
    for u in pop.users.values():
        assert u.email not in text and u.full_name not in text
    e1 = next(r for r in rows[1:] if r[0] == str(pop.enrolments["e1"].id))
    assert e1[2:9] == ["MINI1", "en", "completed", "2024-01-10T09:00:00Z", "2024-01-20T09:00:00Z", "10.0", "100"]
    assert e1[10:14] == ["woman", "KE", "africa", "TISC Nairobi"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stats.export_enrolments")).one()
    assert event.after["personal_data"] is False


def test_learner_export_with_personal_data_when_ticked(pop, admin_client):
    rows = read_csv(exported(admin_client, {"format": "csv", "include_personal": "y", "country": "PE"}))
    assert rows[0][-2:] == ["Name", "Email"]
    assert sorted(r[-1] for r in rows[1:]) == ["u4@example.org", "u5@example.org"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stats.export_enrolments")).one()
    assert event.after == {"format": "csv", "filters": {"countries": ["PE"]}, "personal_data": True, "via": "job"}


def test_names_that_look_like_formulas_are_exported_as_text(pop, admin_client):
    u = pop.users["u4"]
    u.full_name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    rows = read_csv(exported(admin_client, {"format": "csv", "include_personal": "y"}))
    assert "'=HYPERLINK(\"http://evil\")" in [r[-2] for r in rows]


def test_learner_export_needs_a_csrf_token(pop, app, make_user):
    from tests.conftest import login

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        login_admin = make_user("admin", email="csrf-admin@example.org")
        app.config["WTF_CSRF_ENABLED"] = False
        login(client, login_admin)
        app.config["WTF_CSRF_ENABLED"] = True
        refused = client.post("/admin/stats/enrolments", data={"format": "csv"})
        # no export: back to the form, which says it expired
        assert refused.status_code == 303 and refused.headers["Location"] == "/admin/stats/enrolments"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_admins_get_a_statistics_link(admin_client):
    assert 'href="/admin/stats/"' in admin_client.get("/dashboard").get_data(as_text=True)


def test_xlsx_enrolment_export_is_prepared_in_the_background(pop, admin_client):
    from academy.jobs.models import Job, JobStatus

    resp = admin_client.post("/admin/stats/enrolments", data={"format": "xlsx", "country": "KE"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/admin/stats/exports")
    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    assert job.status == JobStatus.DONE and job.result == {"rows": 4}
    assert job.params == {"format": "xlsx", "filters": {"countries": ["KE"]}} and job.has_personal_data is False
    page = admin_client.get("/admin/stats/exports").get_data(as_text=True)
    assert "Ready" in page and f"/admin/stats/exports/{job.id}/download" in page
    rows = read_xlsx(admin_client.get(f"/admin/stats/exports/{job.id}/download"))
    assert len(rows) == 5 and {r[11] for r in rows[1:]} == {"KE"}
    assert rows[1][5].year >= 2024  # real dates in the workbook, not text
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-3:] == ["job.create", "stats.export_enrolments", "stats.export_download"]


def test_a_prepared_export_belongs_to_the_admin_who_asked(pop, admin_client, make_user, app):
    from academy.jobs.models import Job
    from tests.conftest import login

    admin_client.post("/admin/stats/enrolments", data={"format": "xlsx", "include_personal": "y"})
    job = db.session.scalars(select(Job)).one()
    other = app.test_client()
    login(other, make_user("admin", email="other-admin@example.org"))
    assert other.get(f"/admin/stats/exports/{job.id}/download").status_code == 404
    assert other.get(f"/admin/jobs/{job.id}/download").status_code == 404  # names and e-mails: not on the jobs page
    assert f"/exports/{job.id}/" not in other.get("/admin/stats/exports").get_data(as_text=True)
    mine = admin_client.get(f"/admin/jobs/{job.id}/download")
    assert mine.status_code == 200
    mine.close()  # a send_file response holds its file open until closed


def test_expired_exports_are_deleted_with_their_files_by_the_daily_housekeeping(pop, admin_client):
    from datetime import timedelta

    from academy.core.models import utcnow
    from academy.jobs.models import Job
    from academy.jobs.services import RETENTION, job_path
    from academy.jobs.tasks import run_daily

    admin_client.post("/admin/stats/enrolments", data={"format": "xlsx"})
    job = db.session.scalars(select(Job)).one()
    path = job_path(job)
    assert path.exists()
    job.created_at = utcnow() - RETENTION - timedelta(minutes=1)
    db.session.commit()
    assert run_daily()["purged_jobs"] == 1
    assert not path.exists()
    assert db.session.scalars(select(Job)).all() == []


def test_learner_export_form_shows_the_filters_but_no_suppression(pop, admin_client):
    html = admin_client.get("/admin/stats/enrolments").get_data(as_text=True)
    for name in ("date_from", "date_to", "basis", "course", "language", "gender", "country", "region", "cohort"):
        assert f'name="{name}"' in html, name
    # Small-cell suppression applies to counts, not to a file of one row per enrolment.
    assert 'name="suppression"' not in html and 'name="threshold"' not in html

"""Cohorts and certification statistics, against the hand counts in
tests/stats_population.py (``build_population`` and ``add_certification``)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from academy.stats.queries import Filters, StatsError, crosstab
from tests.stats_population import add_certification, build_population
from tests.test_stats_views import normed, page_table, read_csv, read_xlsx

CERT = ("cert_candidates", "cert_phase1", "cert_phase2", "cert_phase3", "cert_awarded", "cert_award_rate",
        "cert_certificates_issued", "cert_certificates_revoked")


@pytest.fixture
def pop(make_user, import_course):
    return add_certification(build_population(make_user, import_course))


def cert(tab, key, col=None):
    return tuple(tab.value(m, key, col) for m in CERT)


def enrol(tab, key, col=None):
    return tuple(tab.value(m, key, col) for m in ("enrolments", "completions", "completion_rate"))


# ---------------------------------------------------------------- the certification fact


def test_certification_progress_by_cohort(pop):
    tab = crosstab("cohort", None, Filters(), fact="certification")
    # Pilot: r1 r2 r3 r6; phase 1 all four, phase 2 r1 r3 r6, phase 3 and award r1 r6;
    # certificates: r1, and r6 (its original and re-issue are one record's certificate).
    assert cert(tab, pop.pilot.id) == (4, 4, 3, 2, 2, 50.0, 2, 0)
    # Second: r4 r5 r7; only r5 got anywhere, and its certificate was revoked.
    assert cert(tab, pop.second.id) == (3, 1, 1, 1, 1, 33.3, 1, 1)
    assert tab.row_labels[pop.pilot.id] == "TISC-F — Pilot"
    assert tab.row_keys == [pop.pilot.id, pop.second.id]  # the larger first
    assert tab.grand_total() == {"candidates": 7, "phase1": 5, "phase2": 4, "phase3": 3, "awarded": 3,
                                 "certificates": 3, "revoked": 1}


def test_candidates_by_the_phase_they_stand_in(pop):
    tab = crosstab("certification_phase", None, Filters(), fact="certification")
    assert tab.row_keys == ["phase1", "phase2", "phase3", "certified"]  # the phases' own order
    assert [tab.value("cert_candidates", k) for k in tab.row_keys] == [2, 1, 1, 3]
    assert tab.row_labels["phase2"] == "Phase 2: instructor-led"


def test_certification_by_gender_and_phase(pop):
    tab = crosstab("gender", "certification_phase", Filters(), fact="certification")
    assert tab.value("cert_candidates", "woman", "certified") == 2  # r1 r5
    assert tab.value("cert_candidates", "woman", "phase2") == 1  # r2
    assert tab.value("cert_candidates", "man", "phase3") == 1  # r3
    assert tab.value("cert_candidates", "man", "phase1") == 1  # r4
    assert tab.value("cert_candidates", "undisclosed", "phase1") == 1  # r7
    assert tab.fact.measure("cert_award_rate").compute(tab.row_total("woman")) == 66.7  # 2 of r1 r2 r5


@pytest.mark.parametrize(("filters", "expected"), [
    (lambda p: Filters(cohort_ids=(p.second.id,)), 3),  # the records' own cohort: r4 r5 r7
    (lambda p: Filters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31)), 3),  # started in 2024: r1 r2 r3
    (lambda p: Filters(basis="completion", date_from=date(2024, 1, 1), date_to=date(2024, 12, 31)), 1),  # r1
    (lambda p: Filters(genders=("woman",)), 3),  # r1 r2 r5
    (lambda p: Filters(countries=("PE",)), 2),  # r4 r5
    (lambda p: Filters(course_ids=(p.adv.id,)), 4),  # learners enrolled in ADV1: u1 u5 u6 -> r1 r5 r6 r7
])
def test_certification_filters(pop, filters, expected):
    tab = crosstab("gender", None, filters(pop), fact="certification")
    assert tab.grand_total()["candidates"] == expected


def test_certification_cannot_be_broken_down_by_course(pop):
    with pytest.raises(StatsError):
        crosstab("course", None, Filters(), fact="certification")


def test_no_certification_records_gives_an_empty_table(app_ctx):
    tab = crosstab("cohort", None, Filters(), fact="certification")
    assert tab.is_empty


# ------------------------------------------------------- cohort as a dimension and filter


def test_enrolments_by_cohort_count_each_learner_in_their_latest_cohort(pop):
    tab = crosstab("cohort", None, Filters())
    assert enrol(tab, pop.pilot.id) == (4, 2, 50.0)  # e1 e2 e3 e8 (u1 u2 u3); completed e1 e3
    assert enrol(tab, pop.second.id) == (3, 1, 33.3)  # e4 e5 e6 (u4 u5 u6: u6's latest is r7)
    assert enrol(tab, None) == (1, 1, 100.0)  # e7 (u7, no cohort)
    assert tab.row_labels[None] == "No cohort"
    assert tab.grand_total()["enrolments"] == 8  # nobody counted twice


def test_cohort_crosses_with_gender(pop):
    tab = crosstab("cohort", "gender", Filters())
    assert tab.value("enrolments", pop.pilot.id, "woman") == 3  # e1 e2 e8
    assert tab.value("enrolments", pop.pilot.id, "man") == 1  # e3
    assert tab.value("enrolments", pop.second.id, "undisclosed") == 1  # e6
    assert tab.value("enrolments", None, "man") == 1  # e7


def test_cohort_filter_on_enrolments_registrations_and_certificates(pop):
    pilot = Filters(cohort_ids=(pop.pilot.id,))
    tab = crosstab("course", None, pilot)
    assert tab.value("enrolments", pop.mini.id) == 3  # e1 e2 e3
    assert tab.value("enrolments", pop.adv.id) == 1  # e8
    assert crosstab("gender", None, Filters(cohort_ids=(pop.second.id,)), fact="registration").grand_total() == {
        "registrations": 3}  # u4 u5 u6
    # Certificates (all kinds) of Pilot learners: k1 (u1). u6's k6 / k6b count under Second.
    certs = crosstab("language", None, pilot, fact="certificate")
    assert certs.grand_total()["issued"] == 1
    both = Filters(cohort_ids=(pop.pilot.id, pop.second.id))
    assert crosstab("gender", None, both).grand_total()["enrolments"] == 7


def test_cohort_by_gender_is_suppressed_by_default():
    from academy.stats.tables import default_suppression

    assert default_suppression("cohort", "gender")
    assert not default_suppression("cohort", None)


# --------------------------------------------------------------------- pages and exports


def test_dashboard_shows_certification_tables_and_exports_the_same_numbers(pop, admin_client):
    html = admin_client.get("/admin/stats/").get_data(as_text=True)
    by_cohort = page_table(html, "certification-cohort")
    assert by_cohort[0] == ["TISC-F — Pilot", "4", "4", "3", "2", "2", "50.0", "2", "0"]
    assert by_cohort[1] == ["TISC-F — Second", "3", "1", "1", "1", "1", "33.3", "1", "1"]
    phases = page_table(html, "certification-phase")
    assert [r[1] for r in phases] == ["2", "1", "1", "3", "7"]  # and the total
    assert 'id="chart-certification-phase"' in html or "certification-phase" in html

    rows = read_csv(admin_client.get("/admin/stats/export.csv?figure=certification-cohort"))
    assert rows[0][0] == "Cohort"
    assert normed(rows[1:]) == normed(by_cohort)
    assert normed([rows[-1]]) == normed([["Total", 7, 5, 4, 3, 3, 42.9, 3, 1]])
    xlsx = read_xlsx(admin_client.get("/admin/stats/export.xlsx?figure=certification-cohort"))
    assert normed(xlsx) == normed(rows)


def test_dashboard_cohort_filter(pop, admin_client):
    html = admin_client.get(f"/admin/stats/?cohort={pop.pilot.id}").get_data(as_text=True)
    assert [r[1] for r in page_table(html, "course")] == ["3", "1", "4"]  # MINI1 e1 e2 e3, ADV1 e8
    by_cohort = page_table(html, "certification-cohort")
    assert [r[0] for r in by_cohort] == ["TISC-F — Pilot", "Total"]
    # The export links keep the filter.
    assert f"cohort={pop.pilot.id}" in html
    rows = read_csv(admin_client.get(f"/admin/stats/export.csv?figure=gender&cohort={pop.pilot.id}"))
    assert rows[-1][:2] == ["Total", "4"]


def test_crosstab_page_crosses_cohort_and_certification_phase(pop, admin_client):
    resp = admin_client.get("/admin/stats/crosstab?rows=cohort&cols=certification_phase&measure=cert_candidates")
    assert resp.status_code == 200
    table = page_table(resp.get_data(as_text=True), "crosstab")
    # columns: phase 1, phase 2, phase 3, certified, total
    assert table[0] == ["TISC-F — Pilot", "0", "1", "1", "2", "4"]
    assert table[1] == ["TISC-F — Second", "2", "0", "0", "1", "3"]
    bad = admin_client.get("/admin/stats/crosstab?rows=course&measure=cert_candidates")
    assert bad.status_code == 400 and "can be broken down by" in bad.get_data(as_text=True)


def test_cli_exports_by_cohort_and_filters_by_cohort(app, pop, tmp_path):
    out = tmp_path / "cohorts.csv"
    result = app.test_cli_runner().invoke(args=[
        "academy", "stats", "export", "--by", "cohort", "--measure", "cert_candidates", "--format", "csv",
        "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[1:] == [["TISC-F — Pilot", "4"], ["TISC-F — Second", "3"], ["Total", "7"]]

    out = tmp_path / "pilot.xlsx"
    result = app.test_cli_runner().invoke(args=[
        "academy", "stats", "export", "--by", "gender", "--cohort", "Pilot", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out, read_only=True)
    sheet = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    assert sheet[-1][:2] == ["Total", 4]

    out = tmp_path / "both.csv"
    result = app.test_cli_runner().invoke(args=[
        "academy", "stats", "export", "--by", "course", "--cohort", f"{pop.pilot.id},Second", "--format", "csv",
        "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8-sig").splitlines()[-1].startswith("Total,7,")

    result = app.test_cli_runner().invoke(args=[
        "academy", "stats", "export", "--by", "gender", "--cohort", "Nope", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and "no cohort" in result.output


def test_learner_export_honours_the_cohort_filter(pop, admin_client):
    from tests.test_stats_views import exported

    rows = read_csv(exported(admin_client, {"format": "csv", "cohort": str(pop.second.id)}))
    assert len(rows) == 1 + 3  # e4 e5 e6

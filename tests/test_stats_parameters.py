"""Statistics addresses are bookmarked, edited by hand and built by scripts: a parameter
the page cannot use is refused with a 400 that names it, never a 500 and never a page
that quietly ignores it (the figures would then not be the ones the reader asked for)."""

from __future__ import annotations

import pytest

# (parameter, bad value, what the page calls it)
BAD_FILTERS = [
    ("date_from", "2024-13-01", "From"),
    ("date_to", "yesterday", "To"),
    ("basis", "birthday", "Dates refer to"),
    ("course", "abc", "Course"),
    ("course", "999999", "Course"),
    ("language", "xx", "Course language"),
    ("gender", "unknown-value", "Gender"),
    ("country", "ZZZ", "Country"),
    ("region", "atlantis", "Region"),
    ("cohort", "x", "Cohort"),
    ("suppression", "sometimes", "Small-cell suppression"),
    ("threshold", "abc", "Hide counts below"),
    ("threshold", "1", "Hide counts below"),
]
BAD_TABLE = [
    ("measure", "foo", "Show"),
    ("rows", "shoe_size", "Rows"),
    ("cols", "shoe_size", "Columns"),
]

PAGES = ["/admin/stats/?", "/admin/stats/crosstab?"]
EXPORTS = ["/admin/stats/export.csv?figure=gender&", "/admin/stats/export.xlsx?figure=gender&",
           "/admin/stats/export.csv?figure=crosstab&rows=gender&",
           "/admin/stats/export.xlsx?figure=crosstab&rows=gender&"]


def _cases():
    for route in PAGES + EXPORTS:
        for name, value, label in BAD_FILTERS:
            yield pytest.param(route, name, value, label, id=f"{route.split('?')[0]}?{name}={value}")
    for route in ["/admin/stats/crosstab?", "/admin/stats/export.csv?figure=crosstab&",
                  "/admin/stats/export.xlsx?figure=crosstab&"]:
        for name, value, label in BAD_TABLE:
            yield pytest.param(route, name, value, label, id=f"{route.split('?')[0]}?{name}={value}")


@pytest.mark.parametrize(("route", "name", "value", "label"), list(_cases()))
def test_a_bad_statistics_parameter_is_a_400_that_names_it(admin_client, route, name, value, label):
    resp = admin_client.get(f"{route}{name}={value}")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert label in html
    if "/export." in route:  # no form to point at: the page names the parameter itself
        assert f"({name})" in html

    as_json = admin_client.get(f"{route}{name}={value}", headers={"Accept": "application/json"})
    assert as_json.status_code == 400
    assert name in as_json.get_json()["parameters"]


@pytest.mark.parametrize("route", PAGES + EXPORTS)
def test_a_misspelt_filter_is_refused_rather_than_ignored(admin_client, route):
    resp = admin_client.get(f"{route}gendre=woman")
    assert resp.status_code == 400
    assert "Unknown parameter “gendre”" in resp.get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("", "Say which figure to download"),
    ("figure=nope", "“nope” is not one of the figures"),
])
def test_an_export_without_a_known_figure_says_which_parameter_is_missing(admin_client, query, message):
    resp = admin_client.get(f"/admin/stats/export.csv?{query}")
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)


def test_a_bad_parameter_on_the_refresh_button_is_named_too(admin_client):
    resp = admin_client.post("/admin/stats/refresh?region=atlantis")
    assert resp.status_code == 400
    assert "Region (region)" in resp.get_data(as_text=True)


def test_good_parameters_still_give_the_figures(admin_client):
    assert admin_client.get("/admin/stats/crosstab?rows=gender&cols=language&measure=enrolments"
                            "&date_from=2024-01-01&threshold=3").status_code == 200
    assert admin_client.get("/admin/stats/?gender=woman&region=africa").status_code == 200
    assert admin_client.get("/admin/stats/export.csv?figure=gender&language=fr").status_code == 200

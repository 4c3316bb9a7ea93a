"""The statistics dashboard in Chromium: charts render, and the by-gender chart shows
the numbers of its data table (no JavaScript needed; the CSP allows no inline styles)."""

import os

import pytest

from tests.stats_population import add_certification, build_population

pytestmark = pytest.mark.browser


def test_dashboard_charts_render_and_gender_chart_matches_its_table(page, make_user, import_course, app_ctx):
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    add_certification(build_population(make_user, import_course))
    admin = make_user("admin", email="stats-admin@example.org", gender="man", country_code="CH")
    console = []
    page.on("console", lambda msg: console.append(msg.text))
    browser_login(page, admin.email, TEST_PASSWORD)
    page.click("header nav a[href='/admin/stats/']")
    page.wait_for_url("**/admin/stats/")

    # Every figure with a chart drew an SVG with bars of real size.
    for name in ("language", "course", "gender", "rate-gender-language", "over-time", "registrations-gender",
                 "certification-phase", "certification-cohort"):
        svg = page.locator(f"#chart-{name}")
        assert svg.is_visible(), name
        box = svg.bounding_box()
        assert box["width"] > 200 and box["height"] > 40, name
        assert svg.locator("title").first.text_content().strip()
    assert page.locator("#table-countries").is_visible()
    if os.environ.get("STATS_SCREENSHOT"):
        page.screenshot(path=os.environ["STATS_SCREENSHOT"], full_page=True)

    # The by-gender chart: one bar per table row, widths proportional to the counts.
    bars = page.locator("#chart-gender rect.bar")
    rows = page.locator("#table-gender tbody tr")
    assert bars.count() == rows.count() == 3
    from_table = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        from_table[row.locator("th").inner_text().strip()] = int(row.locator("td").first.inner_text())
    from_chart = {}
    widths = {}
    for i in range(bars.count()):
        bar = bars.nth(i)
        label = bar.get_attribute("data-label")
        from_chart[label] = int(bar.get_attribute("data-value"))
        widths[label] = bar.bounding_box()["width"]
    assert from_chart == from_table == {"Woman": 4, "Man": 3, "Prefer not to say": 1}
    assert widths["Woman"] / widths["Man"] == pytest.approx(4 / 3, rel=0.02)
    assert widths["Man"] / widths["Prefer not to say"] == pytest.approx(3, rel=0.02)
    # The bars are coloured by the stylesheet (not by inline style, which the CSP blocks).
    fill = page.evaluate("getComputedStyle(document.querySelector('#chart-gender rect.bar')).fill")
    assert fill == "rgb(11, 92, 173)"
    assert not [m for m in console if "Content Security Policy" in m]

    # A download link gives the same numbers as a CSV.
    with page.expect_download() as dl:
        page.locator("#figure-gender .downloads a", has_text="CSV").click()
    with open(dl.value.path(), encoding="utf-8-sig") as fh:
        text = fh.read()
    assert "Woman,4,2,50.0,20.0" in text


def test_crosstab_builder_works_without_javascript(page_no_js, make_user, import_course, app_ctx):
    from tests.browser.conftest import browser_login
    from tests.conftest import TEST_PASSWORD

    build_population(make_user, import_course)
    admin = make_user("admin", email="stats-admin2@example.org", gender="man", country_code="CH")
    page = page_no_js
    browser_login(page, admin.email, TEST_PASSWORD)
    page.goto("/admin/stats/crosstab")
    page.select_option("#measure", "completions")
    page.select_option("#rows", "region")
    page.select_option("#cols", "year")
    page.click("form.stats-filters button[type=submit]")
    page.wait_for_url("**/admin/stats/crosstab?*")
    assert page.locator("#table-crosstab caption").inner_text() == "Completions by region and year"
    africa = page.locator("#table-crosstab tbody tr", has_text="Africa")
    assert [c.strip() for c in africa.locator("td").all_inner_texts()] == ["2", "0", "2"]
    assert page.locator("#chart-crosstab rect.bar").count() > 0

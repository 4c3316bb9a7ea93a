"""Every download link on the statistics pages works for the admin who sees it, and every
spreadsheet says what it counts: the filters applied, when the data was read, when the file
was made."""

from __future__ import annotations

import html as html_lib
import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from academy.extensions import db
from academy.stats.exports import MIMETYPES
from tests.stats_population import add_certification, build_population

DOWNLOAD = re.compile(r"/export\.(csv|xlsx)\b|[?&]format=(csv|xlsx)\b|/exports/\d+/download\b")


@pytest.fixture
def pop(make_user, import_course):
    return add_certification(build_population(make_user, import_course))


def download_links(page: str) -> dict[str, str]:
    """Every link on the page that downloads a file, with the format it promises."""
    links = {}
    for tag in re.findall(r"<a\b[^>]*>", page):
        href = re.search(r'href="([^"]*)"', tag)
        if href is None:
            continue
        url = html_lib.unescape(href.group(1))
        found = DOWNLOAD.search(url)
        if found is None:
            assert " download" not in tag, f"a download link this test does not recognise: {tag}"
            continue
        links[url] = found.group(1) or found.group(2) or _job_format(url)
    return links


def _job_format(url: str) -> str:
    from academy.jobs.models import Job

    job_id = int(re.search(r"/exports/(\d+)/download", url).group(1))
    return db.session.get(Job, job_id).params["format"]


def prepared_export(admin_client) -> int:
    from academy.jobs.models import Job

    admin_client.post("/admin/stats/enrolments", data={"format": "xlsx"})  # prepared on the queue
    db.session.expire_all()  # the task finished the job in another session
    return db.session.scalars(select(Job)).one().id


def test_every_download_link_on_the_statistics_pages_answers_with_its_file(pop, admin_client):
    pages = [
        "/admin/stats/",
        f"/admin/stats/?course={pop.mini.id}&language=en&date_from=2024-01-01&basis=completion",
        "/admin/stats/crosstab",
        "/admin/stats/crosstab?rows=gender&cols=language&measure=completion_rate",
        "/admin/stats/crosstab?rows=cohort&cols=certification_phase&measure=cert_candidates",
        "/admin/stats/crosstab?rows=region&measure=quiz_pass_rate",
        "/admin/stats/exports",
    ]
    job_id = prepared_export(admin_client)
    followed = {}
    for page in pages:
        resp = admin_client.get(page)
        assert resp.status_code == 200, page
        links = download_links(resp.get_data(as_text=True))
        assert links, f"no download links on {page}"
        followed.update(links)
    assert f"/admin/stats/exports/{job_id}/download" in followed
    assert any("figure=rate-gender-language" in url for url in followed)
    for url, fmt in sorted(followed.items()):
        resp = admin_client.get(url)
        body = resp.get_data()
        resp.close()
        assert resp.status_code == 200, url
        assert resp.headers["Content-Type"] == MIMETYPES[fmt], url
        assert f".{fmt}" in resp.headers["Content-Disposition"], url
        if fmt == "xlsx":
            assert body.startswith(b"PK"), url  # a zip container, as every XLSX is
        else:
            assert body.startswith("\ufeff".encode()), url


def test_completion_rate_by_gender_and_language_can_be_downloaded_from_the_dashboard(pop, admin_client):
    page = admin_client.get("/admin/stats/").get_data(as_text=True)
    block = re.search(r'id="figure-rate-gender-language".*?</section>', page, re.S).group(0)
    links = download_links(block)
    assert sorted(links.values()) == ["csv", "xlsx"]
    for url in links:
        assert admin_client.get(url).status_code == 200, url


def about_sheet(resp) -> dict[str, str]:
    assert resp.status_code == 200
    data = resp.get_data()
    resp.close()
    wb = load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames[-1] == "About"
    rows = {r[0] or "": r[1] for r in wb["About"].iter_rows(values_only=True)}
    wb.close()
    return rows


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)


def test_the_xlsx_about_sheet_names_every_filter_and_when_the_data_was_read(pop, admin_client):
    before = datetime.now(UTC).replace(microsecond=0)
    about = about_sheet(admin_client.get(
        f"/admin/stats/export.xlsx?figure=language&course={pop.mini.id}&language=fr&gender=woman&country=KE"
        "&region=africa&date_from=2024-01-01&date_to=2024-12-31&basis=completion"))
    after = datetime.now(UTC)
    assert about["Table"] == "Enrolments by course language"
    assert about["From"] == "2024-01-01" and about["To"] == "2024-12-31"
    assert about["Dates refer to"] == "Completion date"
    assert about["Course"].startswith("MINI")  # the course's code and title, not its id
    assert about["Course language"] == "French"
    assert about["Gender"] == "Woman"
    assert about["Country"] == "Kenya"
    assert about["Region"] == "Africa"
    assert before <= _moment(about["Data as of"]) <= _moment(about["Generated"]) <= after


def test_an_unfiltered_export_says_everything_is_counted(pop, admin_client):
    about = about_sheet(admin_client.get("/admin/stats/export.xlsx?figure=crosstab&rows=cohort"
                                         "&cols=certification_phase&measure=cert_candidates"))
    assert about["Table"] == "Candidates by cohort and certification phase"
    assert about["Filters"] == "None: everything recorded is counted"
    assert about["Dates refer to"] == "Enrolment date"
    assert "Data as of" in about and "Generated" in about


def test_a_prepared_enrolment_export_has_an_about_sheet_too(pop, admin_client):
    from academy.jobs.models import Job

    admin_client.post("/admin/stats/enrolments", data={"format": "xlsx", "gender": "man"})  # prepared on the queue
    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    about = about_sheet(admin_client.get(f"/admin/stats/exports/{job.id}/download"))
    assert about["Table"] == "Enrolments, one row per enrolment"
    assert about["Gender"] == "Man"
    assert _moment(about["Data as of"]) <= _moment(about["Generated"])


def test_the_language_figure_is_labelled_by_what_it_counts(pop, admin_client):
    page = admin_client.get("/admin/stats/").get_data(as_text=True)
    assert "Registrations by language" not in page
    section = re.search(r'id="figure-language".*?</section>', page, re.S).group(0)
    assert '<h2 id="figure-language-h">Enrolments by course language</h2>' in section
    assert re.search(r"<caption[^>]*>Enrolments by course language</caption>", section)
    assert "Enrolments by course language" in re.search(r"<title[^>]*>(.*?)</title>", section, re.S).group(1)
    csv_header = admin_client.get("/admin/stats/export.csv?figure=language").get_data(as_text=True)
    assert csv_header.splitlines()[0].lstrip("\ufeff").startswith("Course language,Enrolments")
    # A certification's certificate is in its holder's language, not a course's.
    certificates = re.search(r'id="table-certificates".*?</thead>', page, re.S).group(0)
    assert '<th scope="col">Certificate language</th>' in certificates


"""Scheduled reports on a frozen clock: the last complete month or quarter, e-mailed once
to the given addresses (people without an account included) with a PDF and an XLSX, every
send audited, and the numbers those of the statistics dashboard for the same period."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from academy.core import mail
from academy.core.audit import AuditEvent
from academy.core.models import frozen_clock
from academy.extensions import db
from academy.reports import services
from academy.reports.models import Frequency, ReportSend
from academy.reports.tasks import send_scheduled_reports


def at(y, m, d, h=7):
    return datetime(y, m, d, h, 0, tzinfo=UTC)


@pytest.fixture
def quarterly(pop):
    report = services.create_schedule(name="Funders' summary", frequency=Frequency.QUARTERLY,
                                      recipients=["donor@funder.example", "board@funder.example"], language="en",
                                      created_by_id=None)
    db.session.commit()
    return report


def test_the_periods_are_the_last_complete_month_and_quarter():
    assert services.last_period(at(2024, 4, 2), Frequency.QUARTERLY)[0] == "2024-Q1"
    assert services.last_period(at(2024, 1, 1), Frequency.QUARTERLY)[1:] == (at(2023, 10, 1).date(),
                                                                          at(2023, 12, 31).date())
    assert services.last_period(at(2024, 3, 1), Frequency.MONTHLY)[1:] == (at(2024, 2, 1).date(),
                                                                        at(2024, 2, 29).date())


def test_the_report_goes_once_to_every_address_with_links_that_work_without_an_account(quarterly, client):
    with frozen_clock(at(2024, 4, 2)):
        assert send_scheduled_reports() == 1
        assert send_scheduled_reports() == 0  # the same quarter again
    assert sorted(m["To"] for m in mail.outbox) == ["board@funder.example", "donor@funder.example"]
    body = mail.outbox[0].get_body(preferencelist=("plain",)).get_content()
    assert mail.outbox[0]["Subject"] == "Funders' summary: 2024-Q1"
    assert "Enrolments: 3" in body and "Completions: 2" in body
    pdf = re.search(r"http://localhost(/reports/\S+\.pdf)", body).group(1)
    xlsx = re.search(r"http://localhost(/reports/\S+\.xlsx)", body).group(1)
    with frozen_clock(at(2024, 4, 3)):
        got_pdf, got_xlsx = client.get(pdf), client.get(xlsx)
    assert got_pdf.status_code == 200 and got_pdf.data[:4] == b"%PDF"
    assert 'filename="Funders-summary-2024-Q1.pdf"' in got_pdf.headers["Content-Disposition"]  # as attached
    assert got_xlsx.status_code == 200 and got_xlsx.data[:2] == b"PK"
    assert client.get("/reports/forged.pdf").status_code == 404
    sends = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.send")).all()
    assert len(sends) == 1 and sends[0].after["period"] == "2024-Q1"
    assert sends[0].after["recipients"] == ["donor@funder.example", "board@funder.example"]


def test_the_report_arrives_with_its_pdf_and_workbook_attached_and_the_links_kept(quarterly):
    from openpyxl import load_workbook

    with frozen_clock(at(2024, 4, 2)):
        send_scheduled_reports()
    msg = mail.outbox[0]
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "Both files are also attached to this message." in body
    assert re.search(r"PDF: http://localhost/reports/\S+\.pdf", body)  # for mail systems that strip attachments
    files = {part.get_filename(): part for part in msg.iter_attachments()}
    assert sorted(files) == ["Funders-summary-2024-Q1.pdf", "Funders-summary-2024-Q1.xlsx"]
    pdf = files["Funders-summary-2024-Q1.pdf"]
    assert pdf.get_content_type() == "application/pdf" and pdf.get_content()[:5] == b"%PDF-"
    xlsx = files["Funders-summary-2024-Q1.xlsx"]
    assert xlsx.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(xlsx.get_content()), read_only=True)
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert summary[0][0] == "Funders' summary: 2024-Q1" and ("Enrolments", 3) in summary
    # The download behind the link is the same file, under the same name.
    sent = db.session.scalar(select(ReportSend))
    assert services.read_file(sent, "xlsx") == xlsx.get_content()


def test_a_report_too_large_to_attach_goes_with_its_links_only_and_says_so(quarterly, monkeypatch):
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 1000)
    monkeypatch.setattr(mail, "MAX_ATTACHMENT_BYTES", 1000)
    with frozen_clock(at(2024, 4, 2)):
        send_scheduled_reports()
    msg = mail.outbox[0]
    assert msg.get_content_type() == "text/plain" and list(msg.iter_attachments()) == []
    body = msg.get_content()
    assert "The files are too large to attach (" in body and "MB together): please use the links." in body
    assert re.search(r"XLSX: http://localhost/reports/\S+\.xlsx", body)


def test_the_console_backend_names_the_attachments_it_would_send(quarterly, app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    with caplog.at_level("INFO"), frozen_clock(at(2024, 4, 2)):
        send_scheduled_reports()
    logged = "\n".join(r.getMessage() for r in caplog.records if r.getMessage().startswith("mail to "))
    assert "Enrolments: 3" in logged
    assert "Attached: Funders-summary-2024-Q1.pdf (application/pdf, " in logged
    assert "Attached: Funders-summary-2024-Q1.xlsx (" in logged


def test_the_reports_numbers_are_the_dashboards(quarterly, admin_client):
    with frozen_clock(at(2024, 4, 2)):
        send_scheduled_reports()
    sent = db.session.scalar(select(ReportSend))
    args = "date_from=2024-01-01&date_to=2024-03-31"
    gender = admin_client.get(f"/admin/stats/export.csv?figure=gender&{args}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(gender.lstrip("\ufeff"))))
    header, total = rows[0], rows[-1]
    assert total[0] == "Total"
    assert int(total[header.index("Enrolments")]) == sent.figures["enrolments"] == 3
    assert int(total[header.index("Completions")]) == sent.figures["completions"] == 2
    certs = admin_client.get(f"/admin/stats/export.csv?figure=certificates&{args}").get_data(as_text=True)
    crows = list(csv.reader(io.StringIO(certs.lstrip("\ufeff"))))
    issued = crows[-1][crows[0].index("Certificates issued")] if crows[-1][0] == "Total" else "0"
    assert int(issued or 0) == sent.figures["certificates_issued"]


def test_a_monthly_report_covers_last_month(pop):
    services.create_schedule(name="Monthly", frequency=Frequency.MONTHLY, recipients=["a@b.example"],
                             language="fr", created_by_id=None)
    db.session.commit()
    with frozen_clock(at(2024, 3, 1)):
        send_scheduled_reports()
    sent = db.session.scalar(select(ReportSend))
    assert sent.period == "2024-02" and sent.figures["enrolments"] == 2 and sent.figures["completions"] == 1
    assert mail.outbox[0]["Subject"] == "Monthly : 2024-02"  # in French, the schedule's language


def test_admin_schedules_a_report_and_a_bad_address_is_named(admin_client, app_ctx):
    resp = admin_client.post("/admin/reports/", data={"name": "Board", "frequency": "monthly", "language": "en",
                                                      "recipients": "board@funder.example\nnot an address"})
    assert resp.status_code == 400 and "Not an e-mail address: not an address" in resp.get_data(as_text=True)
    resp = admin_client.post("/admin/reports/", data={"name": "Board", "frequency": "monthly", "language": "en",
                                                      "recipients": "board@funder.example\nceo@funder.example"})
    assert resp.status_code == 302
    page = admin_client.get("/admin/reports/").get_data(as_text=True)
    assert "board@funder.example, ceo@funder.example" in page
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "report.schedule"))


def test_other_mail_is_still_one_plain_text_part(quarterly):
    with frozen_clock(at(2024, 4, 2)):
        send_scheduled_reports()
    mail.outbox.clear()
    mail.send_mail("learner@example.org", "Reminder", "Due soon.", key="deadline:1")
    mail.send_mail("x@example.org", "Not ours", "A key that only looks like a report's.", key="report:999:x")
    db.session.commit()
    assert [(m.get_content_type(), m.is_multipart(), m.get_content()) for m in mail.outbox] == [
        ("text/plain", False, "Due soon.\n"), ("text/plain", False, "A key that only looks like a report's.\n")]

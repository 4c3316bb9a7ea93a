"""Scheduled summaries: the last complete month or quarter, built from the statistics'
own figures (the same queries, tables and suppression as the dashboard), kept as an XLSX
workbook and a printable PDF, and e-mailed to the schedule's addresses (people without an
account included) with both files attached and as signed download links that expire (for
files over the mail size cap, and mail systems that strip attachments). Each send is
recorded (``ReportSend``, unique per period) and audited; the daily task sends a period
once."""

from __future__ import annotations

import io
import logging
import re
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_decimal, get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from academy.core.audit import record
from academy.core.mail import MAX_ATTACHMENT_BYTES, MailAttachment, OutgoingMail, send_mail
from academy.core.models import utcnow
from academy.core.storage import StorageError, get_storage, put_on_commit
from academy.extensions import db
from academy.reports.models import Frequency, ReportSend, ScheduledReport
from academy.stats import figures
from academy.stats.queries import Filters, crosstab
from academy.surveys.services import ClockSigner

#: how long the links in a report's e-mail work
LINK_DAYS = 180
MIMETYPES = {"pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
log = logging.getLogger(__name__)


class ReportError(ValueError):
    pass


def parse_recipients(text: str) -> list[str]:
    """The addresses in ``text`` (commas, semicolons or lines), lower-cased; ReportError names a bad one."""
    out = []
    for raw in text.replace(";", ",").replace("\n", ",").split(","):
        address = raw.strip().lower()
        if not address:
            continue
        local, _sep, domain = address.partition("@")
        if not local or "." not in domain or " " in address:
            raise ReportError(_("Not an e-mail address: %(address)s", address=raw.strip()))
        if address not in out:
            out.append(address)
    if not out:
        raise ReportError(_("Give at least one e-mail address."))
    return out


def create_schedule(*, name: str, frequency: Frequency, recipients: list[str], language: str,
                    created_by_id: int | None) -> ScheduledReport:
    report = ScheduledReport(name=name.strip(), frequency=frequency, recipients=recipients, language=language,
                             created_by_id=created_by_id)
    db.session.add(report)
    db.session.flush()
    record("report.schedule", "scheduled_report", report.id,
           after={"name": report.name, "frequency": frequency.value, "recipients": recipients, "language": language})
    return report


def delete_schedule(report: ScheduledReport) -> None:
    record("report.unschedule", "scheduled_report", report.id, before={"name": report.name,
                                                                      "recipients": report.recipients})
    db.session.delete(report)
    db.session.flush()


# --- periods and content --------------------------------------------------------------------


def last_period(now: datetime, frequency: Frequency) -> tuple[str, date, date]:
    """The last complete month or quarter before ``now``: (label, first day, last day)."""
    first_this_month = now.date().replace(day=1)
    if frequency == Frequency.MONTHLY:
        last = first_this_month - timedelta(days=1)
        return f"{last:%Y-%m}", last.replace(day=1), last
    quarter_start_month = (now.month - 1) // 3 * 3 + 1
    this_quarter = first_this_month.replace(month=quarter_start_month)
    last = this_quarter - timedelta(days=1)
    start = last.replace(month=(last.month - 1) // 3 * 3 + 1, day=1)
    return f"{last.year}-Q{(last.month - 1) // 3 + 1}", start, last


def build(date_from: date, date_to: date) -> dict:
    """The report's content for a period: the three headline figures, and the dashboard's
    tables they come from, plus the follow-up surveys' outcomes, all suppressed as the
    dashboard suppresses them."""
    filters = Filters(date_from=date_from, date_to=date_to)
    supp = figures.auto_suppression(5, "auto")
    enrolments = crosstab("gender", None, filters).grand_total()
    certificates = crosstab("gender", None, filters, fact="certificate").grand_total()
    surveys = crosstab("gender", None, filters, fact="survey").grand_total()
    from academy.surveys.stats import outcomes_figure

    figs = [figures.build_figure("gender", filters, supp), figures.build_figure("certificates", filters, supp),
            outcomes_figure(filters, supp)]
    return {
        "headline": {"enrolments": enrolments.get("enrolments", 0), "completions": enrolments.get("completions", 0),
                     "certificates_issued": certificates.get("issued", 0),
                     "surveys_sent": surveys.get("sent", 0), "surveys_answered": surveys.get("answered", 0)},
        "figures": figs,
    }


def xlsx_bytes(title: str, content: dict) -> bytes:
    from openpyxl import Workbook

    from academy.stats.exports import table_rows

    wb = Workbook(write_only=True)
    summary = wb.create_sheet(title=str(_("Summary"))[:31])
    summary.append([title])
    for label, value in headline_rows(content):
        summary.append([label, value])
    for fig in content["figures"]:
        ws = wb.create_sheet(title=fig.title[:31].replace("/", "-").replace(":", " "))
        for row in table_rows(fig.table):
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def headline_rows(content: dict) -> list[tuple[str, int]]:
    h = content["headline"]
    return [(_("Enrolments"), h["enrolments"]), (_("Completions"), h["completions"]),
            (_("Certificates issued"), h["certificates_issued"]), (_("Follow-up surveys sent"), h["surveys_sent"]),
            (_("Follow-up surveys answered"), h["surveys_answered"])]


def pdf_bytes(title: str, period: str, content: dict) -> bytes:
    """The printable report, through WeasyPrint's public API and the certificates' fetcher
    (which serves the app's own static files and nothing from the network)."""
    from weasyprint import HTML

    from academy.certificates import pdf
    from academy.stats.figures import show

    # Straight from the environment: the queue renders it outside any request, where the
    # page context processors (the header, the user) have nothing to say.
    html = current_app.jinja_env.get_template("reports/report_pdf.html").render(
        title=title, period=period, content=content, headline=headline_rows(content), show=show,
        generated_at=utcnow(), language=str(get_locale() or "en"))
    return HTML(string=html, base_url=pdf.APP_ORIGIN, url_fetcher=pdf.AppFileFetcher()).write_pdf()


# --- links -----------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="academy.report", signer=ClockSigner)


def make_token(send: ReportSend) -> str:
    return _serializer().dumps({"s": send.id})


def send_from_token(token: str) -> ReportSend | None:
    try:
        data = _serializer().loads(token, max_age=LINK_DAYS * 86400)
    except (SignatureExpired, BadSignature):
        return None
    return db.session.get(ReportSend, data.get("s")) if isinstance(data, dict) else None


def file_key(send: ReportSend, fmt: str) -> str:
    return f"reports/{send.report_id}/{send.period}.{fmt}"


def file_name(send: ReportSend, fmt: str) -> str:
    """What the file is called when attached or downloaded: the schedule's name and the
    period, so two schedules' files do not overwrite each other in a download folder."""
    name = re.sub(r"[^\w]+", "-", send.report.name).strip("-_") or "report"
    return f"{name}-{send.period}.{fmt}"


def mail_key(send: ReportSend, address: str) -> str:
    return f"report:{send.id}:{address}"


def mail_attachments(mail: OutgoingMail, **_kw):
    """On ``mail-attachments``: a report's e-mail carries its PDF and XLSX, read from
    storage as the message is sent. A file gone from storage is left out (the message
    still goes, with its links) rather than holding the message back for ever."""
    kind, _sep, rest = (mail.key or "").partition(":")
    send_id = rest.partition(":")[0]
    send = db.session.get(ReportSend, int(send_id)) if kind == "report" and send_id.isdigit() else None
    if send is None:
        return
    for fmt in ("pdf", "xlsx"):
        try:
            yield MailAttachment(file_name(send, fmt), MIMETYPES[fmt], read_file(send, fmt))
        except StorageError as exc:
            log.warning("report %s %s not attached: %s", send.id, fmt, exc)


# --- sending ---------------------------------------------------------------------------------


def send_report(report: ScheduledReport, now: datetime) -> ReportSend | None:
    """Send ``report`` for its last complete period unless it was sent already."""
    period, date_from, date_to = last_period(now, report.frequency)
    if db.session.scalar(select(ReportSend.id).where(ReportSend.report_id == report.id,
                                                     ReportSend.period == period)):
        return None
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    with force_locale(report.language or "en"):
        content = build(date_from, date_to)
        title = _("%(name)s: %(period)s", name=report.name, period=period)
        send = ReportSend(report_id=report.id, period=period, sent_at=now, recipients=list(report.recipients),
                          figures=dict(content["headline"]))
        try:
            with db.session.begin_nested():
                db.session.add(send)
        except IntegrityError:  # sent a moment ago by a concurrent run
            return None
        size = put_on_commit(file_key(send, "xlsx"), xlsx_bytes(title, content))
        size += put_on_commit(file_key(send, "pdf"), pdf_bytes(title, period, content))
        token = make_token(send)
        lines = [_("The summary for %(period)s (%(start)s to %(end)s):", period=period, start=date_from.isoformat(),
                   end=date_to.isoformat()), ""]
        lines += [f"{label}: {value}" for label, value in headline_rows(content)]
        lines += ["", _("The full report, with the tables by gender and the survey outcomes:"),
                  f"PDF: {base}/reports/{token}.pdf", f"XLSX: {base}/reports/{token}.xlsx", "",
                  _("These links work for %(days)s days.", days=LINK_DAYS)]
        # The same cap the outbox applies when it sends, so the body says what arrives.
        if size <= MAX_ATTACHMENT_BYTES:
            lines.append(_("Both files are also attached to this message."))
        else:
            lines.append(_("The files are too large to attach (%(size)s MB together): please use the links.",
                           size=format_decimal(size / 1_000_000, format="#,##0.0")))
        body = "\n".join(str(line) for line in lines)
        for address in report.recipients:
            send_mail(address, str(title), body, key=mail_key(send, address))
    record("report.send", "scheduled_report", report.id,
           after={"period": period, "recipients": list(report.recipients), "figures": send.figures})
    return send


def send_due(now: datetime | None = None) -> int:
    now = now or utcnow()
    sent = 0
    for report in db.session.scalars(select(ScheduledReport).where(ScheduledReport.is_active.is_(True))).all():
        sent += send_report(report, now) is not None
    db.session.flush()
    return sent


def read_file(send: ReportSend, fmt: str) -> bytes:
    return get_storage().get(file_key(send, fmt))


def record_download(send, fmt: str) -> None:
    """Audit a download of a sent report (by anyone holding its signed link)."""
    record("report.download", "scheduled_report", send.report_id, after={"period": send.period, "format": fmt})

from tests.access import Row, admin_only, everyone


def _schedule(w):
    return {"name": "Board", "frequency": "monthly", "language": "en", "recipients": "board@funder.example"}


ROWS = [
    # Only admins schedule reports.
    Row("reports.admin_index", lambda w: "/admin/reports/", admin_only(200)),
    Row("reports.admin_index", lambda w: "/admin/reports/", admin_only(302), method="POST", data=_schedule,
        id="POST reports.admin_index"),
    Row("reports.admin_delete", lambda w: f"/admin/reports/{w.report_id}/delete", admin_only(302), method="POST"),
    # A report's signed link is the key: it opens for anyone who has it (the recipients need
    # no account), and nothing opens without it.
    Row("reports.download", lambda w: f"/reports/{w.report_token}.pdf", everyone(200)),
    Row("reports.download", lambda w: "/reports/not-a-token.pdf", everyone(404), id="GET reports.download forged"),
]


def extend_world(w):
    from academy.core.storage import get_storage
    from academy.extensions import db
    from academy.reports import services
    from academy.reports.models import Frequency, ReportSend

    report = services.create_schedule(name="Board", frequency=Frequency.MONTHLY, recipients=["b@funder.example"],
                                      language="en", created_by_id=None)
    send = ReportSend(report_id=report.id, period="2026-11", recipients=["b@funder.example"], figures={})
    db.session.add(send)
    db.session.flush()
    get_storage().put(services.file_key(send, "pdf"), b"%PDF-1.7 test")
    w.report_id, w.report_token = report.id, services.make_token(send)

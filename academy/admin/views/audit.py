"""/admin/audit…: the audit log and its CSV export."""

from __future__ import annotations

import csv
import io
import json

from flask import Response, render_template, request
from flask_babel import gettext as _

from academy.admin import queries, services
from academy.admin.forms import AuditFilterForm
from academy.admin.views import bp
from academy.admin.views.helpers import paginate_rows
from academy.auth.access import admin_required
from academy.extensions import db


@bp.app_template_filter("audit_value")
def audit_value(value) -> str:
    """A before/after value as JSON (true, ["learner"]), strings as they are."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _audit_filters() -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.args, meta={"csrf": False})
    form.action.choices = [("", _("Any"))] + [(a, a) for a in queries.audit_actions()]
    form.target_type.choices = [("", _("Any"))] + [(t, t) for t in queries.audit_target_types()]
    return form, (form.data if form.validate() else {})


@bp.route("/audit")
@admin_required
def audit():
    form, filters = _audit_filters()
    page = paginate_rows(queries.audit_query(filters))
    return render_template("admin/audit.html", form=form, page=page)


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/audit.csv")
@admin_required
def audit_export():
    form, filters = _audit_filters()
    rows = db.session.execute(queries.audit_query(filters)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "created_at",
            "actor_id",
            "actor_email",
            "action",
            "target_type",
            "target_id",
            "before",
            "after",
            "ip_address",
        ]
    )
    for event, actor in rows:
        writer.writerow(
            [
                _csv_cell(v)
                for v in (
                    event.id,
                    event.created_at.isoformat(),
                    event.actor_id,
                    actor.email if actor else "",
                    event.action,
                    event.target_type,
                    event.target_id,
                    json.dumps(event.before, ensure_ascii=False, sort_keys=True)
                    if event.before is not None
                    else "",
                    json.dumps(event.after, ensure_ascii=False, sort_keys=True)
                    if event.after is not None
                    else "",
                    event.ip_address,
                )
            ]
        )
    services.audit_exported(len(rows), filters)
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=academy-audit.csv"},
    )

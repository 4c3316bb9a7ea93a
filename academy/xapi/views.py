from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from academy.auth.access import admin_required
from academy.xapi.queries import outbox_summary
from academy.xapi.services import json_lines

bp = Blueprint("xapi", __name__, url_prefix="/admin/xapi", template_folder="templates")


@bp.route("/")
@admin_required
def index():
    """Whether statements reach the LRS, and the JSON-lines download."""
    return render_template("xapi/index.html", summary=outbox_summary())


@bp.route("/statements.jsonl")
@admin_required
def download():
    """Every xAPI statement the site has made (``?since=YYYY-MM-DD`` for the newer ones), as JSON lines."""
    since = None
    if request.args.get("since"):
        try:
            since = datetime.fromisoformat(request.args["since"])
            # Without an offset, UTC; with one, that moment (not the same digits in UTC).
            since = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)
        except ValueError:
            abort(400)
    return Response(stream_with_context(json_lines(since)), mimetype="application/x-ndjson",
                    headers={"Content-Disposition": 'attachment; filename="xapi-statements.jsonl"'})

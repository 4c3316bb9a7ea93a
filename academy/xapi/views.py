from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, stream_with_context
from flask_babel import force_locale, pgettext

from academy.auth.access import admin_required
from academy.xapi.queries import outbox_summary
from academy.xapi.services import json_lines

bp = Blueprint("xapi", __name__, url_prefix="/admin/xapi", template_folder="templates")
#: the site's own verbs, where the ADL vocabulary has none: their IRIs resolve to their metadata
verbs = Blueprint("xapi_verbs", __name__, url_prefix="/xapi/verbs")


@verbs.route("/revoked")
def revoked():
    """What the ``revoked`` verb of a certificate statement means, in every site language.

    xAPI asks that a verb's IRI resolve to a description a person or an LRS can read; the
    ADL vocabulary has no verb for withdrawing a credential, so this site defines it here."""
    name, description = {}, {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            name[language] = pgettext("xapi verb", "revoked")
            description[language] = pgettext(
                "xapi verb", "The academy withdrew the certificate it had issued: it is no longer valid.")
    response = jsonify(name=name, description=description)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


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

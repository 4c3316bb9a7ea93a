"""/admin/name-requests: learners' requests to change the name their certificates print.

Approving changes the names, records the decision and re-issues the certificates on the
queue (superseding the old ones); refusing needs a note. The learner is told by e-mail.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from academy.admin import queries, services
from academy.admin.forms import NameDecisionForm
from academy.admin.services import AdminError
from academy.admin.views import bp
from academy.auth.access import admin_required
from academy.auth.models import NameChangeRequest
from academy.extensions import db


def _page(form=None, status: int = 200, failed_id: int | None = None):
    return render_template("admin/name_requests.html", pending=queries.pending_name_requests(),
                           decided=queries.decided_name_requests(), form=form or NameDecisionForm(formdata=None),
                           failed_id=failed_id), status


@bp.route("/name-requests")
@admin_required
def name_requests():
    return _page()


def _request_or_404(request_id: int) -> NameChangeRequest:
    req = db.session.get(NameChangeRequest, request_id)
    if req is None:
        abort(404)
    return req


@bp.post("/name-requests/<int:request_id>/approve")
@admin_required
def approve_name_request(request_id: int):
    req = _request_or_404(request_id)
    form = NameDecisionForm()
    if not form.validate_on_submit():
        return _page(form, 400, req.id)
    try:
        job = services.approve_name_change(req, actor=current_user, note=form.note.data)
    except AdminError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".name_requests"))
    flash(_("The name of %(email)s is now “%(name)s”.", email=req.user.email, name=req.requested_name), "success")
    if job is not None:
        return redirect(url_for("jobs.detail", job_id=job.id))
    return redirect(url_for(".name_requests"))


@bp.post("/name-requests/<int:request_id>/refuse")
@admin_required
def refuse_name_request(request_id: int):
    req = _request_or_404(request_id)
    form = NameDecisionForm()
    if not form.validate_on_submit():
        return _page(form, 400, req.id)
    try:
        services.refuse_name_change(req, actor=current_user, note=form.note.data)
    except AdminError as exc:
        db.session.rollback()
        form.note.errors.append(str(exc))
        return _page(form, 422, req.id)
    flash(_("The request of %(email)s has been refused.", email=req.user.email), "success")
    return redirect(url_for(".name_requests"))

"""/admin/tiscs…: the TISC directory: list, edit, (de)activate, merge, CSV import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from academy.admin import queries, services
from academy.admin.csvfiles import CsvFileError, decode_upload, parse_tiscs
from academy.admin.forms import ActionForm, TiscFilterForm, TiscForm, TiscImportForm, TiscMergeForm
from academy.admin.services import AdminError
from academy.admin.views import bp
from academy.admin.views.helpers import check_action_form, paginate_rows, published_flag, tisc_choices
from academy.auth.access import admin_required
from academy.auth.models import Tisc, User
from academy.core.i18n import country_choices
from academy.extensions import db


def _tisc_or_404(tisc_id: int) -> Tisc:
    tisc = db.get_or_404(Tisc, tisc_id)
    return tisc


@bp.route("/tiscs")
@admin_required
def tiscs():
    form = TiscFilterForm(request.args, meta={"csrf": False})
    form.country.choices = [("", _("Any"))] + country_choices()
    f = form.data if form.validate() else {}
    learners = (
        select(func.count()).select_from(User).where(User.tisc_id == Tisc.id).scalar_subquery()
    )
    stmt = select(Tisc, learners)
    if f.get("q"):
        stmt = stmt.where(
            or_(
                queries._contains(Tisc.name, f["q"]),
                queries._contains(Tisc.host_institution, f["q"]),
                queries._contains(Tisc.city, f["q"]),
            )
        )
    if f.get("country"):
        stmt = stmt.where(Tisc.country_code == f["country"])
    if f.get("status") == "active":
        stmt = stmt.where(Tisc.is_active)
    elif f.get("status") == "inactive":
        stmt = stmt.where(~Tisc.is_active)
    page = paginate_rows(stmt.order_by(Tisc.country_code, Tisc.name))
    return render_template("admin/tiscs.html", form=form, page=page, action_form=ActionForm())


def _tisc_form(tisc: Tisc | None):
    form = TiscForm(obj=tisc) if request.method == "GET" else TiscForm()
    form.country_code.choices = [("", "—")] + country_choices()
    if form.validate_on_submit():
        try:
            saved = services.save_tisc(tisc, form.data)
        except AdminError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
        else:
            flash(_("The TISC “%(name)s” has been saved.", name=saved.name), "success")
            return redirect(url_for("admin.tiscs", country=saved.country_code))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/tisc_form.html", form=form, tisc=tisc), status


@bp.route("/tiscs/new", methods=["GET", "POST"])
@admin_required
def tisc_new():
    return _tisc_form(None)


@bp.route("/tiscs/<int:tisc_id>/edit", methods=["GET", "POST"])
@admin_required
def tisc_edit(tisc_id: int):
    return _tisc_form(_tisc_or_404(tisc_id))


@bp.route("/tiscs/<int:tisc_id>/active", methods=["POST"])
@admin_required
def tisc_set_active(tisc_id: int):
    tisc = _tisc_or_404(tisc_id)
    check_action_form()
    active = published_flag()
    if services.set_tisc_active(tisc, active):
        flash(
            _("“%(name)s” is active again.", name=tisc.name)
            if active
            else _(
                "“%(name)s” is deactivated: new learners can no longer choose it.", name=tisc.name
            ),
            "success",
        )
    return redirect(url_for("admin.tiscs", country=tisc.country_code))


@bp.route("/tiscs/<int:tisc_id>/merge", methods=["GET", "POST"])
@admin_required
def tisc_merge(tisc_id: int):
    tisc = _tisc_or_404(tisc_id)
    form = TiscMergeForm()
    form.survivor.choices = [c for c in tisc_choices(tisc.country_code) if c[0] != str(tisc.id)]
    learners = db.session.scalar(
        select(func.count()).select_from(User).where(User.tisc_id == tisc.id)
    )
    if form.validate_on_submit():
        survivor = _tisc_or_404(int(form.survivor.data))
        try:
            moved = services.merge_tiscs(tisc, survivor)
        except AdminError as exc:
            db.session.rollback()
            form.survivor.errors.append(str(exc))
        else:
            flash(
                _(
                    "“%(old)s” has been merged into “%(new)s”. Learners moved: %(n)s.",
                    old=tisc.name,
                    new=survivor.name,
                    n=moved,
                ),
                "success",
            )
            return redirect(url_for("admin.tiscs", country=tisc.country_code))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/tisc_merge.html", form=form, tisc=tisc, learners=learners), status


@bp.route("/tiscs/import", methods=["GET", "POST"])
@admin_required
def tisc_import():
    form = TiscImportForm()
    rows = None
    file_error = None
    if form.validate_on_submit():
        try:
            rows = parse_tiscs(decode_upload(form.file.data.read()))
        except CsvFileError as exc:
            file_error = str(exc)
        else:
            if not any(errors for _line, _v, errors in rows):
                created, updated = services.import_tiscs([v for _line, v, _e in rows])
                flash(
                    _(
                        "TISC directory imported: %(created)s added, %(updated)s updated.",
                        created=created,
                        updated=updated,
                    ),
                    "success",
                )
                return redirect(url_for("admin.tiscs"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/tisc_import.html", form=form, rows=rows, file_error=file_error
    ), status

"""The coordinator's pages (/coordinator/…) and the admin's list of coordinators
(/admin/coordinators/). Every coordinator page is restricted to the learners of the
coordinator's scope: the statistics through the filters, the lists through the scope's
learners. Coordinators have no other rights: the rest of the site treats them as the
learners (or instructors) they also are."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from academy.auth.access import admin_required, roles_required
from academy.auth.models import Tisc, User
from academy.coordinators import queries, services
from academy.core.enums import Role
from academy.core.forms import AcademyForm
from academy.core.nav import NavItem
from academy.extensions import db
from academy.stats import exports, figures
from academy.stats import services as stats_services
from academy.surveys.stats import outcomes_figure

bp = Blueprint("coordinators", __name__, template_folder="templates")
coordinator_required = roles_required(Role.COORDINATOR)


def menu_items(sender, **_kw):
    """On ``menu-items``: the coordinator's overview, and the admin's list of coordinators."""
    yield NavItem("coordinators.index", _l("My countries and TISCs"), (Role.COORDINATOR,), order=75)


class AssignForm(AcademyForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    countries = StringField(_l("Countries (two-letter codes, separated by commas)"), validators=[Length(max=500)])
    tiscs = StringField(_l("Or TISC numbers (separated by commas)"), validators=[Length(max=500)])
    submit = SubmitField(_l("Make coordinator"))


class CsrfOnlyForm(AcademyForm):
    """Only the CSRF token: the person is in the URL."""


def _scope():
    return queries.scope_of(current_user.id)


#: small counts are always hidden from coordinators (no "show all" as admins have)
THRESHOLD = 5
FIGURES = (*figures.DASHBOARD, "outcomes")


def _figure(name: str, scope):
    supp = figures.auto_suppression(THRESHOLD, "on")
    if name == "outcomes":
        return outcomes_figure(scope.filters(), supp)
    return figures.build_figure(name, scope.filters(), supp)


@bp.route("/coordinator/")
@coordinator_required
def index():
    scope = _scope()
    figs = [] if scope.is_empty else [_figure(name, scope) for name in FIGURES]
    return render_template("coordinators/index.html", scope=scope, figures=figs, show=figures.show)


@bp.route("/coordinator/export.<fmt>")
@coordinator_required
def export(fmt: str):
    """One of the coordinator's tables as a file: their scope only, small counts hidden,
    and recorded in the audit log like the admins' downloads."""
    scope = _scope()
    name = request.args.get("figure", "")
    if fmt not in exports.FORMATS or name not in FIGURES or scope.is_empty:
        abort(404)
    fig = _figure(name, scope)
    stats_services.table_exported(fig.name, fmt, {"coordinator": current_user.id}, scope.filters(),
                                  suppressed=fig.table.suppressed, threshold=THRESHOLD)
    return exports.table_download(fig, fmt, scope.filters())


@bp.route("/coordinator/at-risk")
@coordinator_required
def at_risk():
    return render_template("coordinators/at_risk.html", scope=_scope(), rows=queries.at_risk(_scope()))


@bp.route("/coordinator/certificates")
@coordinator_required
def certificates():
    scope = _scope()
    return render_template("coordinators/certificates.html", scope=scope, certificates=queries.certificates(scope))


@bp.route("/admin/coordinators/", methods=["GET", "POST"])
@admin_required
def admin_index():
    form = AssignForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is None:
            form.email.errors.append(_("No account has this address."))
        else:
            try:
                tisc_ids = [int(t) for t in (form.tiscs.data or "").replace(" ", "").split(",") if t]
            except ValueError:
                form.tiscs.errors.append(_("Give TISC numbers, separated by commas."))
            else:
                try:
                    services.assign(user, countries=(form.countries.data or "").split(","), tisc_ids=tisc_ids)
                except services.CoordinatorError as exc:
                    db.session.rollback()  # a refusal keeps nothing, whatever the answer's status
                    form.form_errors.append(str(exc))
                else:
                    flash(_("%(name)s is now a coordinator.", name=user.full_name), "success")
                    return redirect(url_for(".admin_index"))
    tiscs = db.session.scalars(select(Tisc).order_by(Tisc.country_code, Tisc.name)).all()
    status = 400 if form.errors or form.form_errors else 200
    return render_template("coordinators/admin_index.html", form=form, rows=queries.coordinators(), tiscs=tiscs,
                           revoke_form=CsrfOnlyForm(formdata=None)), status


@bp.route("/admin/coordinators/<int:user_id>/revoke", methods=["POST"])
@admin_required
def admin_revoke(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not user.has_role(Role.COORDINATOR):
        abort(404)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    services.revoke(user)
    flash(_("%(name)s is no longer a coordinator.", name=user.full_name), "success")
    return redirect(url_for(".admin_index"))

"""The nudges' thresholds per certification programme (/admin/nudges)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from academy.auth.access import admin_required
from academy.certification.models import CertificationProgramme
from academy.core.enums import Role
from academy.core.nav import NavItem
from academy.extensions import db
from academy.nudges import services
from academy.nudges.forms import NudgeSettingsForm

bp = Blueprint("nudges", __name__, url_prefix="/admin/nudges", template_folder="templates")


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entry."""
    yield NavItem("nudges.index", _l("Nudges"), (Role.ADMIN,), order=83)


def _rows(failed: tuple[int, NudgeSettingsForm] | None = None):
    rows = []
    for programme in db.session.scalars(select(CertificationProgramme).order_by(CertificationProgramme.code)):
        if failed and failed[0] == programme.id:
            rows.append((programme, failed[1]))
            continue
        form = NudgeSettingsForm(formdata=None, obj=services.settings_for(programme.id), prefix=f"p{programme.id}")
        rows.append((programme, form))
    return rows


@bp.route("/")
@admin_required
def index():
    return render_template("nudges/index.html", rows=_rows())


@bp.route("/<int:programme_id>", methods=["POST"])
@admin_required
def save(programme_id: int):
    programme = db.get_or_404(CertificationProgramme, programme_id)
    form = NudgeSettingsForm(prefix=f"p{programme.id}")
    if form.validate_on_submit():
        try:
            services.save_settings(programme, inactive_days=form.inactive_days.data,
                                   expiry_first_days=form.expiry_first_days.data,
                                   expiry_final_days=form.expiry_final_days.data)
        except services.NudgeError as exc:
            db.session.rollback()  # a refusal keeps nothing, whatever the answer's status
            form.form_errors.append(str(exc))
        else:
            flash(_("Thresholds saved."), "success")
            return redirect(url_for(".index"))
    return render_template("nudges/index.html", rows=_rows((programme.id, form))), 400

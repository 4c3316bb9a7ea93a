"""Scheduled reports: the admin's schedules (/admin/reports/) and the signed download links
the e-mails carry (/reports/<token>.<fmt>), which work without an account."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from academy.auth.access import admin_required
from academy.core.enums import Role
from academy.core.forms import AcademyForm
from academy.core.i18n import language_name
from academy.core.nav import NavItem
from academy.extensions import db
from academy.jobs.views import content_disposition
from academy.reports import services
from academy.reports.models import Frequency, ScheduledReport

bp = Blueprint("reports", __name__, template_folder="templates")
MIMETYPES = services.MIMETYPES


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entry."""
    yield NavItem("reports.admin_index", _l("Reports"), (Role.ADMIN,), order=84)


class ScheduleForm(AcademyForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    frequency = SelectField(_l("How often"), choices=[SelectChoice(value=f.value, label=f.title) for f in Frequency])
    language = SelectField(_l("Language"))
    recipients = TextAreaField(_l("Send to (e-mail addresses, one per line)"), validators=[DataRequired(),
                                                                                          Length(max=10_000)])
    submit = SubmitField(_l("Schedule the report"))


class CsrfOnlyForm(AcademyForm):
    """Only the CSRF token: the schedule is in the URL."""


@bp.route("/admin/reports/", methods=["GET", "POST"])
@admin_required
def admin_index():
    form = ScheduleForm()
    form.frequency.choices = [SelectChoice(value=f.value, label=f.title) for f in Frequency]
    form.language.choices = [SelectChoice(value=lang, label=language_name(lang))
                             for lang in current_app.config["LANGUAGES"]]
    if form.validate_on_submit():
        try:
            recipients = services.parse_recipients(form.recipients.data)
        except services.ReportError as exc:
            db.session.rollback()  # a refusal keeps nothing, whatever the answer's status
            form.recipients.errors.append(str(exc))
        else:
            services.create_schedule(name=form.name.data, frequency=Frequency(form.frequency.data),
                                     recipients=recipients, language=form.language.data,
                                     created_by_id=current_user.id)
            flash(_("The report is scheduled."), "success")
            return redirect(url_for(".admin_index"))
    reports = db.session.scalars(select(ScheduledReport).order_by(ScheduledReport.name)).all()
    status = 400 if form.errors else 200
    return render_template("reports/admin_index.html", form=form, reports=reports,
                           delete_form=CsrfOnlyForm(formdata=None), token=services.make_token), status


@bp.route("/admin/reports/<int:report_id>/delete", methods=["POST"])
@admin_required
def admin_delete(report_id: int):
    report = db.get_or_404(ScheduledReport, report_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    services.delete_schedule(report)
    flash(_("The schedule is deleted."), "success")
    return redirect(url_for(".admin_index"))


@bp.route("/reports/<token>.<fmt>")
def download(token: str, fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    send = services.send_from_token(token)
    if send is None:
        abort(404)
    try:
        body = services.read_file(send, fmt)
    except (FileNotFoundError, KeyError):
        abort(404)
    services.record_download(send, fmt)
    resp = Response(body, content_type=MIMETYPES[fmt])
    # Named as the e-mail's attachment is, so a downloaded copy and an attached one match.
    resp.headers["Content-Disposition"] = content_disposition(services.file_name(send, fmt))
    resp.headers["Cache-Control"] = "no-store"
    return resp

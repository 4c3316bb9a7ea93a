"""Posting an announcement to a cohort (from the cohort page, /certification/cohorts/<id>)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from academy.announcements import services
from academy.auth.access import instructor_required
from academy.certification.models import Cohort
from academy.core.enums import Role
from academy.core.forms import AcademyForm
from academy.core.i18n import language_name
from academy.extensions import db

bp = Blueprint("announcements", __name__, url_prefix="/certification", template_folder="templates")


def announcement_form():
    languages = current_app.config["LANGUAGES"]

    class Form(AcademyForm):
        language = SelectField(_("Main language"), choices=[SelectChoice(value=lang, label=language_name(lang))
                                                            for lang in languages])
        submit = SubmitField(_("Send to the cohort"))

    for lang in languages:
        setattr(Form, f"subject_{lang}", StringField(_("Subject (%(language)s)", language=language_name(lang)),
                                                     validators=[Length(max=200)]))
        setattr(Form, f"body_{lang}", TextAreaField(_("Message (%(language)s)", language=language_name(lang)),
                                                    validators=[Length(max=10_000)], render_kw={"rows": 5}))
    return Form


def _cohort_or_404(cohort_id: int) -> Cohort:
    cohort = db.get_or_404(Cohort, cohort_id)
    if not current_user.has_role(Role.ADMIN) and current_user.id not in cohort.instructor_ids:
        abort(404)
    return cohort


@bp.app_template_global()
def cohort_announcements_section(cohort: Cohort, form=None):
    """The cohort page's announcements and the form to write one."""
    form = form or announcement_form()(formdata=None)
    # Rendered by our own autoescaping template, so it goes into the page as it is.
    return Markup(render_template("announcements/_section.html", cohort=cohort,  # noqa: S704  # nosec B704 - our template
                                  items=services.announcements(cohort.id), form=form,
                                  languages=current_app.config["LANGUAGES"]))


@bp.app_template_global()
def cohort_announcements_for_learner(cohort_id: int):
    """What the cohort's instructors wrote, on the learner's own record page: the in-app
    notification keeps only the subject, and learners do not see the cohort page."""
    # Rendered by our own autoescaping template, so it goes into the page as it is.
    return Markup(render_template("announcements/_learner.html",  # noqa: S704  # nosec B704 - our template
                                  items=services.announcements(cohort_id)))


@bp.route("/cohorts/<int:cohort_id>/announcements", methods=["POST"])
@instructor_required
def post(cohort_id: int):
    cohort = _cohort_or_404(cohort_id)
    form = announcement_form()()
    if form.validate_on_submit():
        texts = {lang: {"subject": form[f"subject_{lang}"].data or "", "body": form[f"body_{lang}"].data or ""}
                 for lang in current_app.config["LANGUAGES"]}
        try:
            services.post_announcement(cohort, current_user, texts, form.language.data)
        except services.AnnouncementError as exc:
            db.session.rollback()  # a refusal keeps nothing, whatever the answer's status
            form.form_errors.append(str(exc))
        else:
            flash(_("Your announcement was sent to the cohort."), "success")
            return redirect(url_for("certification.cohort", cohort_id=cohort.id) + "#announcements")
    return render_template("announcements/failed.html", cohort=cohort, form=form), 400

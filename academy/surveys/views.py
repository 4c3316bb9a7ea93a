"""Follow-up survey screens: the admin's surveys and send points (/admin/surveys), and the
page a learner's signed link opens (/surveys/<token>), which needs no login: the link is
the learner's key to their own response, and to nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from academy.auth.access import admin_required
from academy.certification.models import CertificationProgramme
from academy.core.enums import Role
from academy.core.i18n import LINK_LANGUAGE
from academy.core.nav import NavItem
from academy.courses.models import Course
from academy.extensions import db
from academy.surveys import definitions, queries, services
from academy.surveys.enums import QuestionKind
from academy.surveys.forms import CsrfOnlyForm, ResponsesExportForm, SendPointForm, SurveyForm
from academy.surveys.models import Survey, SurveySendPoint

bp = Blueprint("surveys", __name__, template_folder="templates")


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entry."""
    yield NavItem("surveys.admin_index", _l("Surveys"), (Role.ADMIN,), order=82)


def _survey_or_404(survey_id: int) -> Survey:
    survey = db.get_or_404(Survey, survey_id)
    return survey


def _send_point_form() -> SendPointForm:
    form = SendPointForm()
    form.set_targets(db.session.scalars(select(Course).order_by(Course.code)),
                     db.session.scalars(select(CertificationProgramme).order_by(CertificationProgramme.code)))
    return form


@bp.route("/admin/surveys/")
@admin_required
def admin_index():
    items = [(s, queries.response_rates(s)) for s in queries.surveys()]
    return render_template("surveys/admin_index.html", items=items)


def _edit(survey: Survey | None):
    form = SurveyForm(obj=survey)
    if survey is not None and request.method == "GET":
        form.definition.data = definitions.dump(survey)
    elif survey is None and request.method == "GET":
        form.definition.data = definitions.EXAMPLE
    if form.validate_on_submit():
        try:
            defn = definitions.parse(form.definition.data)
            survey = services.save_survey(defn, code=form.code.data.strip(), open_days=form.open_days.data,
                                          reminder_after_days=form.reminder_after_days.data, survey=survey)
        except definitions.DefinitionError as exc:
            db.session.rollback()  # a refusal keeps nothing, whatever the answer's status
            form.definition.errors.append(str(exc))
        except services.SurveyError as exc:
            db.session.rollback()  # a refusal keeps nothing, whatever the answer's status
            form.form_errors.append(str(exc))
        else:
            flash(_("Survey saved."), "success")
            return redirect(url_for(".admin_edit", survey_id=survey.id))
    rates = queries.response_rates(survey) if survey is not None else []
    return render_template("surveys/admin_form.html", form=form, survey=survey, rates=rates,
                           outcome_links=_outcome_links(survey) if survey is not None else [],
                           point_form=_send_point_form() if survey is not None else None,
                           remove_form=CsrfOnlyForm(formdata=None), kinds=list(QuestionKind),
                           export_form=ResponsesExportForm(formdata=None))


#: the breakdowns of the response rate the survey's page links to
OUTCOME_ROWS = ("gender", "language", "country", "region", "tisc", "cohort", "month")


def _outcome_links(survey: Survey) -> list[tuple[str, str]]:
    """(title, address) of the statistics tables of this survey's measures: the response rate
    by every breakdown, and each question's first measure by gender (the table's own
    choices switch to the other options and breakdowns). Free text is not a measure."""
    from academy.stats.figures import crosstab_title

    tables = [(rows, "survey_response_rate") for rows in OUTCOME_ROWS]
    tables += [("gender", f"survey_q{q.id}_avg" if q.kind == QuestionKind.NUMBER else f"survey_q{q.id}_o0")
               for q in survey.questions if q.kind != QuestionKind.TEXT]
    return [(crosstab_title(rows, None, measure), url_for("stats.crosstab", rows=rows, cols="", measure=measure))
            for rows, measure in tables]


@bp.route("/admin/surveys/new", methods=["GET", "POST"])
@admin_required
def admin_new():
    return _edit(None)


@bp.route("/admin/surveys/<int:survey_id>", methods=["GET", "POST"])
@admin_required
def admin_edit(survey_id: int):
    return _edit(_survey_or_404(survey_id))


@bp.route("/admin/surveys/<int:survey_id>/send-points", methods=["POST"])
@admin_required
def admin_send_point_add(survey_id: int):
    survey = _survey_or_404(survey_id)
    form = _send_point_form()
    if form.validate_on_submit():
        kind, _sep, target_id = form.target.data.partition(":")
        try:
            services.add_send_point(survey, months_after=form.months_after.data,
                                    course_id=int(target_id) if kind == "course" else None,
                                    programme_id=int(target_id) if kind == "programme" else None)
        except services.SurveyError as exc:
            db.session.rollback()  # a refusal keeps nothing, whatever the answer's status
            flash(str(exc), "error")
        else:
            flash(_("Send point added."), "success")
    else:
        for name, errors in form.errors.items():
            label = form[name].label.text if name in form else name
            flash(f"{label}: {' '.join(errors)}", "error")
    return redirect(url_for(".admin_edit", survey_id=survey.id))


@bp.route("/admin/surveys/<int:survey_id>/send-points/<int:point_id>/remove", methods=["POST"])
@admin_required
def admin_send_point_remove(survey_id: int, point_id: int):
    point = db.session.get(SurveySendPoint, point_id)
    if point is None or point.survey_id != survey_id:
        abort(404)
    if CsrfOnlyForm().validate_on_submit():
        try:
            services.remove_send_point(point)
        except services.SurveyError as exc:
            db.session.rollback()  # a refusal keeps nothing, whatever the answer's status
            flash(str(exc), "error")
        else:
            flash(_("Send point removed."), "success")
    return redirect(url_for(".admin_edit", survey_id=survey_id))


@bp.route("/admin/surveys/<int:survey_id>/responses", methods=["POST"])
@admin_required
def admin_responses(survey_id: int):
    """The answers as a file; free text leaves with names only when the admin ticks personal
    data, and every download is in the audit log with that choice."""
    from academy.stats import exports

    survey = _survey_or_404(survey_id)
    form = ResponsesExportForm()
    if not form.validate_on_submit():
        abort(400)
    fmt, personal = form.format.data, bool(form.include_personal.data)
    services.record_responses_export(survey, fmt, personal)
    rows = queries.response_rows(survey, personal, str(get_locale() or "en"))
    if fmt == "csv":
        body = exports.csv_chunks(rows)
    else:
        body = exports.stream_file_then_delete(exports.xlsx_tempfile(rows, sheet=survey.code))
    resp = Response(body, content_type=exports.MIMETYPES[fmt])
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    resp.headers["Content-Disposition"] = f'attachment; filename="academy-survey-{survey.code}-{stamp}.{fmt}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/surveys/<token>", methods=["GET", "POST"])
def answer(token: str):
    try:
        invitation = services.invitation_from_token(token)
    except services.SurveyError as exc:
        status = 410 if str(exc) == "expired" else 404
        return render_template("surveys/unavailable.html", reason=str(exc)), status
    # A signed link opens only its own learner's response: logged in as someone else, no.
    if current_user.is_authenticated and current_user.id != invitation.user_id:
        abort(403)
    request.environ[LINK_LANGUAGE] = invitation.user.preferred_language
    refresh()  # the locale may have been read already (the header's links), before the link said whose it is
    survey = invitation.send_point.survey
    language = str(get_locale() or "en")
    if invitation.is_closed:
        return render_template("surveys/unavailable.html", reason="closed", invitation=invitation), 410
    errors: dict = {}
    form = CsrfOnlyForm()
    if request.method == "POST":
        rows, errors = services.parse_answers(survey, request.form, language)
        if not form.validate_on_submit():
            errors[""] = _("The form expired. Please submit it again.")
        if not errors:
            first = invitation.submitted_at is None
            services.save_answers(invitation, rows, language)
            flash(_("Thank you: your answers are saved.") if first else _("Your answers are updated."), "success")
            return redirect(url_for(".answer", token=token))
        given = {q.id: request.form.getlist(f"q_{q.key}") for q in survey.questions}
    else:
        given = {qid: [a.option_key or ("" if a.number is None else f"{a.number:g}") or (a.text or "") for a in rows]
                 for qid, rows in queries.answers_by_question(invitation).items()}
    return render_template("surveys/answer.html", survey=survey, invitation=invitation, language=language,
                           given=given, errors=errors, form=form, QuestionKind=QuestionKind)

"""Admin statistics: dashboard, cross-tab builder, table exports, learner-level export."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from academy.auth.access import admin_required
from academy.core.cache import shared_html
from academy.core.enums import Role
from academy.core.nav import NavItem
from academy.core.views import wants_json
from academy.extensions import db
from academy.jobs.models import Job, JobStatus
from academy.jobs.services import RETENTION, job_path
from academy.stats import exports, figures, services, snapshot
from academy.stats.forms import CrossTabForm, LearnerExportForm, RefreshForm, StatsFilterForm, choice_rows
from academy.stats.queries import clear_cache, counted_at
from academy.stats.tasks import LEARNER_EXPORT, queue_learner_export

bp = Blueprint("stats", __name__, url_prefix="/admin/stats", template_folder="templates")


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entries."""
    yield NavItem("stats.dashboard", _l("Statistics"), (Role.ADMIN,), order=80)


FILTER_ARGS = (
    "date_from",
    "date_to",
    "basis",
    "course",
    "language",
    "gender",
    "country",
    "region",
    "cohort",
    "suppression",
    "threshold",
)


def _filter_form(cls=StatsFilterForm, choices: tuple[tuple, tuple] | None = None, also: tuple[str, ...] = ()):
    form = cls(formdata=request.args or None, choices=choices)
    if request.args and not (form.validate() & form.refuse_unknown(request.args, also)):
        return form, False
    return form, True


def _bad_parameters(form):
    """400 for parameters a statistics route cannot use, each named with what is wrong:
    JSON for a client that asked for it, else the error page listing them (for routes
    without a page of their own, such as the exports)."""
    problems = form.problems()
    if wants_json():
        return jsonify(error=400, message="invalid parameters", parameters=problems), 400
    lines = [f"{form[name].label.text} ({name}): " if name in form else "" for name in problems]
    details = [line + " ".join(errors) for line, errors in zip(lines, problems.values(), strict=True)]
    return render_template("errors/error.html", code=400, details=details), 400


def _query_args(form, extra: dict | None = None) -> dict:
    """The form's current values as URL parameters (for export links)."""
    args = {}
    for name in FILTER_ARGS:
        field = getattr(form, name)
        value = field.data
        if value not in (None, ""):
            args[name] = value.isoformat() if hasattr(value, "isoformat") else value
    args.update(extra or {})
    return args


def _dashboard_figures(filters, threshold: int | None, suppression: str | None) -> list:
    supp = figures.auto_suppression(threshold or 5, suppression or "auto")
    return [figures.build_figure(name, filters, supp) for name in figures.DASHBOARD]


@bp.route("/")
@admin_required
def dashboard():
    """The figures come from a snapshot shared by all workers (see stats/snapshot.py), and
    their rendered HTML from the shared cache. Invalid filters are a 400 with their errors."""
    form, is_valid = _filter_form(choices=choice_rows())
    base_args = _query_args(form)
    if not is_valid:
        if wants_json():
            return _bad_parameters(form)
        return render_template("stats/dashboard.html", body=_body(form, None, base_args)), 400
    filters, threshold, suppression = form.filters(), form.threshold.data, form.suppression.data
    snap = snapshot.current(filters, lambda: _dashboard_figures(filters, threshold, suppression))
    return render_template("stats/dashboard.html", body=_body(form, snap, base_args))


def figures_scope() -> tuple[str, ...]:
    """What bounds the figures the viewer may see, in the cached figures' key: their roles
    (the same for every admin), so a role with a narrower view (a coordinator's) never gets
    figures rendered for a wider one. A role whose scope is narrower than its role name says
    (one region's coordinators) must narrow the snapshot's Filters too: the snapshot, and so
    the key's version, follows the filters."""
    return ("scope", *sorted(str(role) for role in current_user.roles))


def _body(form, snap, base_args: dict) -> Markup:
    figures_html = ""
    if snap is not None:

        def render() -> str:
            with snapshot.using(snap):
                figs = _dashboard_figures(form.filters(), form.threshold.data, form.suppression.data)
            return render_template("stats/_dashboard_figures.html", figures=figs, base_args=base_args,
                                   show=figures.show)

        # Aggregates for the snapshot and filters, the same for everyone with the same
        # permission scope: no name, no token.
        query = tuple(sorted((k, str(v)) for k, v in base_args.items()))
        figures_html = shared_html("stats-figures", (snap.version, get_timezone(), *figures_scope(), *query), render)
    html = render_template("stats/_dashboard_body.html", form=form,
                           filters_html=_filters_html(form),
                           figures_html=Markup(figures_html), snapshot=snap,  # noqa: S704  # nosec B704 - our templates' output
                           refresh_form=RefreshForm(), base_args=base_args)
    return Markup(html)  # noqa: S704  # nosec B704 - our templates' output


def _filters_html(form) -> Markup:
    """The filter fields (some 350 options): the same for every admin with the same values
    and choices (a GET form, no token), so kept in the shared cache; with errors, afresh."""

    def render() -> str:
        return render_template("stats/_dashboard_filters.html", form=form)

    if form.errors:
        return Markup(render())  # noqa: S704  # nosec B704 - our template's output
    shown = repr((tuple((f.name, str(f.data)) for f in form),
                  tuple((f.name, tuple(str(c) for c in f.choices)) for f in (form.course, form.cohort))))
    return shared_html("stats-filters", (hashlib.sha256(shown.encode()).hexdigest(),), render)


@bp.route("/refresh", methods=["POST"])
@admin_required
def refresh():
    """Queue a recount of the dashboard's figures for the filters in the query string, for everyone;
    the page answers at once with the current snapshot."""
    form, valid = _filter_form()
    if not valid:
        return _bad_parameters(form)
    if not RefreshForm().validate_on_submit():
        abort(400)
    clear_cache()  # this process's grouped rows too: a deletion shows at once
    if snapshot.claim(form.filters()):  # else a recount is already queued or running
        from academy.stats.tasks import recount_dashboard

        try:
            recount_dashboard.enqueue(form.filters().as_dict(), form.threshold.data, form.suppression.data)
        except BaseException:
            snapshot.release(form.filters())
            raise
    flash(_("The figures are being counted again. Reload the page in a few seconds to see them; until then it "
            "shows the figures as of the time below."), "info")
    return redirect(url_for("stats.dashboard", **_query_args(form)))


@bp.route("/crosstab")
@admin_required
def crosstab():
    form, valid = _filter_form(CrossTabForm)
    if not valid and wants_json():
        return _bad_parameters(form)
    fig = None
    if valid:
        rows, cols, measure = form.rows.data, form.cols.data or None, form.measure.data
        title = figures.crosstab_title(rows, cols, measure)
        fig = figures.cross_figure(
            "crosstab", title, rows, cols, measure, form.filters(), form.suppression_for(rows, cols)
        )
        fig.params = {"figure": "crosstab", "rows": rows, "cols": cols or "", "measure": measure}
    return render_template("stats/crosstab.html", form=form, figure=fig, base_args=_query_args(form),
                           show=figures.show), 200 if valid else 400


class BadParameters(Exception):
    """A statistics request whose parameters cannot be used; carries the form that says why."""

    def __init__(self, form):
        super().__init__("invalid statistics parameters")
        self.form = form


@bp.errorhandler(BadParameters)
def bad_parameters(exc: BadParameters):
    return _bad_parameters(exc.form)


def _figure_from_request():
    name = request.args.get("figure", "")
    if name == "crosstab":
        form = CrossTabForm(formdata=request.args)
        if not (form.validate() & form.refuse_unknown(request.args, also=("figure",))):
            raise BadParameters(form)
        rows, cols, measure = form.rows.data, form.cols.data or None, form.measure.data
        fig = figures.cross_figure(
            "crosstab",
            figures.crosstab_title(rows, cols, measure),
            rows,
            cols,
            measure,
            form.filters(),
            form.suppression_for(rows, cols),
        )
        return fig, form, {"rows": rows, "cols": cols, "measure": measure}
    form = StatsFilterForm(formdata=request.args)
    valid = form.validate() & form.refuse_unknown(request.args, also=("figure",))
    if name not in figures.DASHBOARD:
        # i18n: "figure" is the name of a parameter in the address of a statistics download
        form.form_errors.append(_("“%(name)s” is not one of the figures (figure=…).", name=name)
                                if name else _("Say which figure to download (figure=…)."))
        valid = False
    if not valid:
        raise BadParameters(form)
    supp = figures.auto_suppression(form.threshold.data or 5, form.suppression.data or "auto")
    return figures.build_figure(name, form.filters(), supp), form, {}


@bp.route("/export.<fmt>")
@admin_required
def export_table(fmt: str):
    if fmt not in exports.FORMATS:
        abort(404)
    fig, form, spec = _figure_from_request()
    filters = form.filters()
    services.table_exported(fig.name, fmt, spec, filters, suppressed=fig.table.suppressed,
                            threshold=form.threshold.data or 5)
    return exports.table_download(fig, fmt, filters, as_of=counted_at())


@bp.route("/enrolments", methods=["GET", "POST"])
@admin_required
def learner_export():
    form = LearnerExportForm(formdata=request.form if request.method == "POST" else MultiDict())
    if request.method == "POST" and form.validate():
        # A large export takes longer than a request may, and an XLSX workbook cannot be
        # streamed while it is written: both are built on the queue.
        queue_learner_export(current_user.id, form.filters(), bool(form.include_personal.data), form.format.data)
        flash(_("Your export is being prepared. It will be listed here when it is ready."), "info")
        return redirect(url_for("stats.export_jobs"))
    status = 400 if request.method == "POST" else 200
    return render_template("stats/learner_export.html", form=form), status


@bp.route("/exports")
@admin_required
def export_jobs():
    items = list(db.session.scalars(
        select(Job).where(Job.kind == LEARNER_EXPORT, Job.requested_by_id == current_user.id)
        .order_by(Job.created_at.desc(), Job.id.desc())
    ))
    pending = any(j.is_pending for j in items)
    return render_template("stats/export_jobs.html", jobs=items, pending=pending, retention=RETENTION)


@bp.route("/exports/<int:job_id>/download")
@admin_required
def download_export(job_id: int):
    job = db.session.get(Job, job_id)
    # Only the admin who asked: the file may hold names and e-mail addresses.
    if (job is None or job.kind != LEARNER_EXPORT or job.requested_by_id != current_user.id
            or job.status != JobStatus.DONE):
        abort(404)
    path = job_path(job)
    if not path.exists():
        abort(404)
    services.export_downloaded(job)
    fmt = job.params["format"]
    resp = exports.download(exports.stream_file(path), fmt, job.file_name)
    resp.headers["Content-Length"] = str(path.stat().st_size)
    return resp


@bp.app_template_global()
def stats_export_url(fmt: str, base_args: dict, params: dict) -> str:
    return url_for("stats.export_table", fmt=fmt, **{**base_args, **params})

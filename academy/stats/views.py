"""Admin statistics: dashboard, cross-tab builder, table exports, learner-level export."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from academy.auth.access import admin_required
from academy.core.audit import record
from academy.core.enums import Role
from academy.core.nav import NavItem
from academy.core.serving import Deflated, assembled_response
from academy.core.views import wants_json
from academy.extensions import db
from academy.jobs.models import Job, JobStatus
from academy.jobs.services import RETENTION, job_path
from academy.stats import exports, figures, snapshot
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


# Stand-in for the refresh form's CSRF token in a cached page (escaping leaves it as it is).
_CSRF_MARK = "@@academy-csrf@@"
_BODY_MARK = "@@academy-body@@"  # where the cached content goes in the rendered page
# (query string, courses, cohorts) -> (filters, threshold, suppression, export link arguments)
# of a valid filter form: validating it again on every view cost more than the page's reads.
_VALID_FILTERS: dict[tuple, tuple] = {}
_MAX_VALID_FILTERS = 256


@bp.route("/")
@admin_required
def dashboard():
    """The figures come from a snapshot shared by all workers (see stats/snapshot.py).
    The page's content (filters, snapshot time, figures) is rendered once per process for
    the query string, the courses and cohorts on offer (read on every view), the
    snapshot, the locale and the time zone; only the refresh form's CSRF token is filled
    in per request. Invalid filters are rendered afresh, with their errors."""
    choices = choice_rows()
    query = tuple(request.args.items(multi=True))
    valid = _VALID_FILTERS.get((query, choices))
    form = None
    if valid is None:
        form, is_valid = _filter_form(choices=choices)
        if not is_valid:
            if wants_json():
                return _bad_parameters(form)
            return render_template("stats/dashboard.html", body=_body(form, None, _query_args(form))), 400
        valid = (form.filters(), form.threshold.data, form.suppression.data, _query_args(form))
        if len(_VALID_FILTERS) >= _MAX_VALID_FILTERS:
            _VALID_FILTERS.clear()
        _VALID_FILTERS[(query, choices)] = valid
    filters, threshold, suppression, base_args = valid
    snap = snapshot.current(filters, lambda: _dashboard_figures(filters, threshold, suppression))

    def render() -> str:
        page_form = form or _filter_form(choices=choices)[0]
        return _body(page_form, snap, base_args, csrf_mark=True)

    key = ("page", snap.version, str(get_locale()), get_timezone(), request.script_root,
           current_app.config.get("WTF_CSRF_ENABLED", True), query, choices)
    # Kept encoded, cut at the token and deflated: the content is ~170 KB, and replacing
    # the token in it, encoding it and compressing it on every view cost more than the
    # rest of the page (academy.core.serving.Deflated).
    parts = snapshot.rendered(key, lambda: tuple(Deflated(part.encode()) for part in render().split(_CSRF_MARK)))
    page = render_template("stats/dashboard.html", body=Markup(_BODY_MARK)).encode()  # noqa: S704  # nosec B704 - a constant
    head, tail = page.split(_BODY_MARK.encode())
    token = str(escape(generate_csrf())).encode()
    body: list = [head]
    for number, part in enumerate(parts):
        body.extend((token, part) if number else (part,))
    body.append(tail)
    return assembled_response(body)


def _body(form, snap, base_args: dict, csrf_mark: bool = False) -> Markup:
    """The page's content; with ``csrf_mark``, the refresh form's token is a stand-in."""
    figures_html = ""
    if snap is not None:

        def render() -> str:
            with snapshot.using(snap):
                figs = _dashboard_figures(form.filters(), form.threshold.data, form.suppression.data)
            return render_template("stats/_dashboard_figures.html", figures=figs, base_args=base_args,
                                   show=figures.show)

        query = tuple(sorted((k, str(v)) for k, v in base_args.items()))
        figures_html = snapshot.rendered(("figures", snap.version, str(get_locale()), query), render)
    refresh_form = RefreshForm()
    html = render_template("stats/_dashboard_body.html", form=form, filters_html=Markup(_filters_html(form)),  # noqa: S704  # nosec B704
                           figures_html=Markup(figures_html), snapshot=snap,  # noqa: S704  # nosec B704 - our templates' output
                           refresh_form=refresh_form, base_args=base_args)
    token = refresh_form.csrf_token.current_token if csrf_mark and "csrf_token" in refresh_form else None
    return Markup(html.replace(token, _CSRF_MARK) if token else html)  # noqa: S704  # nosec B704 - our templates' output


def _filters_html(form) -> str:
    """The filter fields (some 350 options) rendered once per process for the same locale,
    values and choices (courses and cohorts come from the database, so they are in the key)."""

    def render() -> str:
        return render_template("stats/_dashboard_filters.html", form=form)

    if form.errors:
        return render()
    key = ("filters", str(get_locale()), tuple((f.name, str(f.data)) for f in form),
           tuple((f.name, tuple(str(c) for c in f.choices)) for f in (form.course, form.cohort)))
    return snapshot.rendered(key, render)


@bp.route("/refresh", methods=["POST"])
@admin_required
def refresh():
    """Recount the dashboard's figures for the filters in the query string, for everyone."""
    form, valid = _filter_form()
    if not valid:
        return _bad_parameters(form)
    if not RefreshForm().validate_on_submit():
        abort(400)
    clear_cache()  # this process's grouped rows too: a deletion shows at once
    snapshot.refresh(form.filters(), lambda: _dashboard_figures(form.filters(), form.threshold.data,
                                                                 form.suppression.data))
    flash(_("The figures were counted again just now."), "success")
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


def _filename(stem: str, fmt: str) -> str:
    return f"academy-{stem}-{datetime.now(UTC):%Y%m%d-%H%M}.{fmt}"


def _download(body, fmt: str, filename: str) -> Response:
    resp = Response(body, content_type=exports.MIMETYPES[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/export.<fmt>")
@admin_required
def export_table(fmt: str):
    if fmt not in exports.FORMATS:
        abort(404)
    fig, form, spec = _figure_from_request()
    filters = form.filters()
    record(
        "stats.export",
        "stats_table",
        fig.name,
        after={
            "format": fmt,
            "figure": fig.name,
            **spec,
            "filters": filters.as_dict(),
            "suppression": {"enabled": fig.table.suppressed, "threshold": form.threshold.data or 5},
            "personal_data": False,
        },
    )
    db.session.commit()
    rows = exports.table_rows(fig.table)
    if fmt == "csv":
        return _download(exports.csv_chunks(rows), fmt, _filename(fig.name, fmt))
    about = exports.about_rows(fig.table, filters, as_of=counted_at())
    path = exports.xlsx_tempfile(rows, sheet=fig.title, about=about)
    return _download(exports.stream_file_then_delete(path), fmt, _filename(fig.name, fmt))


@bp.route("/enrolments", methods=["GET", "POST"])
@admin_required
def learner_export():
    form = LearnerExportForm(formdata=request.form if request.method == "POST" else MultiDict())
    if request.method == "POST" and form.validate():
        # A large export takes longer than a request may, and an XLSX workbook cannot be
        # streamed while it is written: both are built on the queue.
        queue_learner_export(current_user.id, form.filters(), bool(form.include_personal.data), form.format.data)
        db.session.commit()
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
    record("stats.export_download", "job", job.id, after={"personal_data": job.has_personal_data})
    db.session.commit()
    fmt = job.params["format"]
    resp = _download(exports.stream_file(path), fmt, job.file_name)
    resp.headers["Content-Length"] = str(path.stat().st_size)
    return resp


@bp.app_template_global()
def stats_export_url(fmt: str, base_args: dict, params: dict) -> str:
    return url_for("stats.export_table", fmt=fmt, **{**base_args, **params})

"""The learner dashboard's table, from fragments rendered once per process.

Rendering each row (a link, a language name, a progress bar, two dates, half a dozen
translations) was most of the page's own cost. A row's course cells are the same for
every learner of that course's language version, so the row is rendered once per
(course, language version, title, page language) with stand-ins for the cells that are
the learner's own (status, progress, last activity), and those are filled in per request
from the learner's row, which is read from the database on every view: nothing of one
learner's enrolment is ever kept in a shared fragment.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from flask import current_app, get_template_attribute, render_template, request
from flask_babel import format_date, format_datetime, get_timezone, to_user_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape

from academy.core.enums import EnrollmentStatus

# Stand-ins for the learner's own cells in a cached row (escaping leaves them as they are).
_STATUS_MARK = "@@academy-status@@"
_PROGRESS_MARK = "@@academy-progress@@"
_ACTIVITY_MARK = "@@academy-activity@@"
_ROWS_MARK = "@@academy-rows@@"
_MAX_ROWS = 4096  # (course, version title, language) triples kept per app before starting afresh


def _row_parts(cache: dict, root: str, row, locale: str) -> tuple[str, str, str, str]:
    """The row's HTML cut at the three stand-ins. Everything in the key is a column of the
    row itself, so a renamed course or version gets a fresh entry at once."""
    key = (root, locale, row.slug, row.code, row.language, row.title)
    parts = cache.get(key)
    if parts is None:
        html = render_template("courses/_dashboard_row.html", e=row, status=_STATUS_MARK,
                               progress=_PROGRESS_MARK, activity=_ACTIVITY_MARK).strip()
        head, rest = html.split(_STATUS_MARK)
        middle, rest = rest.split(_PROGRESS_MARK)
        tail, end = rest.split(_ACTIVITY_MARK)
        parts = (head, middle, tail, end)
        if len(cache) >= _MAX_ROWS:
            cache.clear()
        cache[key] = parts
    return parts


@lru_cache(maxsize=64)
def _status_title(status: EnrollmentStatus, locale: str) -> str:
    return str(escape(status.title))


@lru_cache(maxsize=4096)
def _date_in(day, locale: str) -> str:
    # ``day`` is already in the viewer's time zone: format_date of a datetime shows its date there.
    return str(escape(format_date(day, "medium")))


@lru_cache(maxsize=8192)
def _datetime_in(moment, timezone, locale: str) -> str:
    return str(escape(format_datetime(moment, "short")))


@lru_cache(maxsize=64)
def _not_started(locale: str) -> str:
    return str(escape(_("Not started")))


@lru_cache(maxsize=1024)
def _progress_in(percent: int, locale: str) -> str:
    return str(get_template_attribute("_forms.html", "progress")(percent, _("Progress")))


def body(rows: Sequence, locale: str) -> Markup:
    """The page's content: the heading and table (or the invitation to enrol) once per
    language, with the learner's rows, in the order of ``rows`` (queries.dashboard_rows)."""
    extensions = current_app.extensions
    root = request.script_root
    bodies: dict = extensions.setdefault("academy_dashboard_bodies", {})
    key = (root, locale, bool(rows))
    skeleton = bodies.get(key)
    if skeleton is None:
        skeleton = render_template("courses/_dashboard_body.html", has_rows=bool(rows), rows=_ROWS_MARK).strip()
        bodies[key] = skeleton
    if not rows:
        return Markup(skeleton)  # noqa: S704  # nosec B704 - our template's output
    cache: dict = extensions.setdefault("academy_dashboard_rows", {})
    timezone = get_timezone()
    html = []
    for row in rows:
        head, middle, tail, end = _row_parts(cache, root, row, locale)
        status = _status_title(row.status, locale)
        if row.completed_at:
            status = f"{status} ({_date_in(to_user_timezone(row.completed_at).date(), locale)})"
        if row.last_activity_at:
            activity = _datetime_in(row.last_activity_at, timezone, locale)
        else:
            activity = _not_started(locale)
        html.append(head + status + middle + _progress_in(row.progress_percent or 0, locale) + tail + activity + end)
    return Markup(skeleton.replace(_ROWS_MARK, "\n    ".join(html), 1))  # noqa: S704  # nosec B704 - our templates' output, escaped values

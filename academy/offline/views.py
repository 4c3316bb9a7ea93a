"""Offline learning: the service worker, the web app manifest, a course's offline copy
(pages the same for every learner of a language: no name, no form token, no progress),
the sync endpoint for work done offline, module downloads, and chunked evidence uploads."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from academy.auth.access import learner_required
from academy.core.cache import shared_html
from academy.core.i18n import current_locale
from academy.core.template_helpers import static_url
from academy.core.transactions import keep_on_error
from academy.core.uploads import body_limit
from academy.courses import queries as course_queries
from academy.courses.models import Course, CourseMedia
from academy.courses.structure import lesson_body, structure
from academy.extensions import db
from academy.offline import services
from academy.offline.models import PartialUpload

bp = Blueprint("offline", __name__, template_folder="templates")

STATIC = Path(__file__).resolve().parent.parent / "static"
MEDIA_SRC = re.compile(r'src="(/courses/[^/"]+/media/([^"/]+))"')
#: What one chunk of an evidence upload may weigh (the client sends smaller ones).
CHUNK_LIMIT = 1024 * 1024


def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# --- service worker and manifest ------------------------------------------------------------


@bp.route("/sw.js")
def service_worker():
    """The service worker, served from the root so its scope is every page of the app."""
    resp = Response((STATIC / "js" / "sw.js").read_bytes(), mimetype="text/javascript")
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Service-Worker-Allowed"] = (request.script_root or "") + "/"
    return resp


@bp.route("/manifest.webmanifest")
def manifest():
    root = request.script_root or ""
    body = {
        "name": "Academy",
        "short_name": "Academy",
        "description": _("Training and certification for Technology and Innovation Support Centers."),
        "lang": current_locale(),
        "start_url": root + "/dashboard",
        "scope": root + "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4e89",
        "icons": [
            {"src": static_url("icons/academy.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static_url("icons/academy-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static_url("icons/academy-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    resp = jsonify(body)
    resp.mimetype = "application/manifest+json"
    resp.headers["Cache-Control"] = "public, max-age=3600"
    resp.vary.add("Cookie")  # the interface language: a saved choice, the session, or the browser
    resp.vary.add("Accept-Language")
    return resp


# --- a course's offline copy -----------------------------------------------------------------


def _enrolled_course(slug: str):
    course = course_queries.course_by_slug(slug)
    if course is None or not course.is_published:
        abort(404)
    enrollment = course_queries.enrollment_for(current_user.id, course.id)
    if enrollment is None:
        abort(404)
    return course, enrollment


def _language(course: Course, language: str) -> str:
    version = course.version(language)
    if version is None or not version.is_published:
        abort(404)
    return language


def _offline_lessons(course: Course, open_modules: set[str] | None = None):
    return [(m, les) for m in structure(course).modules if open_modules is None or m.key in open_modules
            for les in m.lessons]


def _open_modules(course: Course, enrollment, outline=None) -> set[str]:
    """The modules this learner may read (sequential release keeps later ones closed)."""
    outline = outline if outline is not None else course_queries.course_outline(course, enrollment,
                                                                                 enrollment.language)
    return {m.module.key for m in outline if not m.is_locked}


def copy_token(course: Course, open_modules: set[str]) -> str:
    """What the offline copy follows: the course's content, and how many modules are open
    to the learner (a module that opens later joins the copy at the next visit)."""
    return f"{course.content_token}-{len(open_modules)}"


def sync_status() -> Markup:
    """The line where offline.js tells the learner about their queued work: its words in
    the interface language and the sync URLs, the same for every learner (the shared
    cache), so a page pays for its eight translated strings once per language."""
    return shared_html("sync-status", (), lambda: render_template("offline/_sync_status.html"))


def offline_section(course, enrollment, language: str, outline, **_kw) -> Markup | None:
    """On ``course-home-sections``: the "available offline" panel (its buttons need JavaScript)."""
    if enrollment is None:
        return None
    return Markup(render_template(  # noqa: S704  # nosec B704 - our own template's output
        "offline/_home_panel.html", course=course, language=language,
        token=copy_token(course, _open_modules(course, enrollment, outline))))


@bp.route("/learn/<slug>/offline.json")
@learner_required
def course_pack(slug: str):
    """What the service worker fetches to keep the course offline in the learner's language:
    the pages, figures, CSS and JS, under the course's content token."""
    course, enrollment = _enrolled_course(slug)
    language = enrollment.language
    open_modules = _open_modules(course, enrollment)
    urls = [url_for("offline.offline_home", slug=slug, language=language)]
    media: list[str] = []
    for m, les in _offline_lessons(course, open_modules):
        urls.append(url_for("offline.offline_lesson", slug=slug, language=language, module_key=m.key,
                            lesson_key=les.key))
        body = lesson_body(course, les.id, language)
        for src, _name in MEDIA_SRC.findall(body.body_html if body else ""):
            if src not in media:
                media.append(src)
    root = request.script_root or ""
    urls += [root + src for src in media]
    urls += [static_url("css/academy.css"), static_url("js/offline.js")]
    pages = {
        url_for("courses.course_home", slug=slug): url_for("offline.offline_home", slug=slug, language=language),
        **{url_for("courses.lesson", slug=slug, module_key=m.key, lesson_key=les.key):
           url_for("offline.offline_lesson", slug=slug, language=language, module_key=m.key, lesson_key=les.key)
           for m, les in _offline_lessons(course, open_modules)},
    }
    return _no_store(jsonify(course=slug, language=language, token=copy_token(course, open_modules), urls=urls,
                             pages=pages))


@bp.route("/learn/<slug>/offline/<language>/")
@learner_required
def offline_home(slug: str, language: str):
    course, enrollment = _enrolled_course(slug)
    _language(course, language)
    version = course.version(language)
    open_modules = _open_modules(course, enrollment)

    def render() -> str:
        return render_template("offline/home.html", course=course, version=version, language=language,
                               modules=[m for m in structure(course).modules if m.key in open_modules])

    key = (course.id, course.content_token, language, *sorted(open_modules))
    return _offline_response(shared_html("offline-home", key, render))


@bp.route("/learn/<slug>/offline/<language>/<module_key>/<lesson_key>")
@learner_required
def offline_lesson(slug: str, language: str, module_key: str, lesson_key: str):
    """The lesson as the offline copy keeps it: the same page for every learner of the
    language (no name, no CSRF token, no progress), so nothing in the browser's cache can
    go stale or belong to someone else."""
    course, enrollment = _enrolled_course(slug)
    _language(course, language)
    flat = _offline_lessons(course)
    idx = next((i for i, (m, les) in enumerate(flat) if m.key == module_key and les.key == lesson_key), None)
    if idx is None or module_key not in _open_modules(course, enrollment):
        abort(404)

    def render() -> str:
        module, lesson = flat[idx]
        return render_template(
            "offline/lesson.html", course=course, language=language, module=module, lesson=lesson,
            text=lesson_body(course, lesson.id, language),
            position=module.lessons.index(lesson) + 1,
            prev_item=flat[idx - 1] if idx > 0 else None, next_item=flat[idx + 1] if idx + 1 < len(flat) else None)

    html = shared_html("offline-lesson", (course.id, course.content_token, language, module_key, lesson_key), render)
    return _offline_response(html)


def _offline_response(html: str) -> Response:
    resp = current_app.response_class(html, mimetype="text/html")
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


@bp.route("/learn/<slug>/modules/<module_key>/download")
@learner_required
def download_module(slug: str, module_key: str):
    """One self-contained HTML file of the module's lessons in the learner's language
    (styles inline, figures as data: URLs), to read on any device or pass on by USB."""
    course, enrollment = _enrolled_course(slug)
    language = enrollment.language
    module = next((m for m in structure(course).modules if m.key == module_key), None)
    if module is None:
        abort(404)
    if module_key not in _open_modules(course, enrollment):
        abort(403)

    def render() -> str:
        media = {row.path: row for row in db.session.scalars(select(CourseMedia)
                                                             .where(CourseMedia.course_id == course.id))}

        def inline(match: re.Match) -> str:
            row = media.get(match.group(2))
            if row is None:
                return match.group(0)
            return f'src="data:{row.content_type};base64,{base64.b64encode(row.data).decode()}"'

        lessons = []
        for les in module.lessons:
            body = lesson_body(course, les.id, language)
            lessons.append((les, body.title if body else les.key,
                            Markup(MEDIA_SRC.sub(inline, body.body_html)) if body else ""))  # noqa: S704  # nosec B704 - imported, sanitised lesson HTML
        css = (STATIC / "css" / "academy.css").read_text(encoding="utf-8")
        return render_template("offline/module_download.html", course=course, module=module, language=language,
                               version=course.version(language), lessons=lessons, css=Markup(css))  # noqa: S704  # nosec B704 - our own CSS file

    html = shared_html("module-download", (course.id, course.content_token, language, module_key), render)
    resp = current_app.response_class(str(html), mimetype="text/html")
    resp.headers["Content-Disposition"] = f'attachment; filename="{course.slug}-{module_key}-{language}.html"'
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp


# --- work done offline, sent later -------------------------------------------------------------


@bp.route("/sync/token")
@learner_required
def sync_token():
    """A fresh CSRF token for the sync request: pages kept offline carry none."""
    return _no_store(jsonify(csrf_token=generate_csrf()))


@bp.route("/sync", methods=["POST"])
@learner_required
def sync():
    """Apply the browser's queued actions in order; CSRF-checked like every POST (the
    X-CSRFToken header). Each result says applied, duplicate, late, closed or refused."""
    payload = request.get_json(silent=True)
    actions = payload.get("actions") if isinstance(payload, dict) else None
    if not isinstance(actions, list):
        return jsonify(error=_("The request did not carry a list of actions.")), 400
    if payload.get("user") is not None and str(payload["user"]) != str(current_user.id):
        # Queued by someone else on this browser: not applied to this account.
        return jsonify(error=_("This work was saved by another account on this device.")), 409
    results = services.apply_actions(current_user, actions)
    for message in dict.fromkeys(r["message"] for r in results if r["status"] == services.LATE):
        flash(message, "info")  # also on the next page (a quiz's result page), not only in the status line
    return _no_store(jsonify(results=results))


# --- chunked evidence uploads ----------------------------------------------------------------


def _own_upload(token: str) -> PartialUpload:
    upload = db.session.scalar(select(PartialUpload).where(PartialUpload.token == token))
    # Another learner's upload is not found, whoever asks: tokens are not a capability alone.
    if upload is None or upload.user_id != current_user.id:
        abort(404)
    return upload


@bp.route("/certification/records/<int:record_id>/tasks/<int:task_id>/uploads", methods=["POST"])
@learner_required
def upload_start(record_id: int, task_id: int):
    from academy.certification.models import CertificationRecord, PracticeTask
    from academy.certification.uploads import UploadError

    record = db.session.get(CertificationRecord, record_id)
    task = db.session.get(PracticeTask, task_id)
    if record is None or task is None or task.programme_id != record.programme_id or record.user_id != current_user.id:
        abort(404)
    from academy.certification import services as certification

    # Refused before the first byte when the work cannot take files now (locked, awarded, closed).
    sub = certification.submission_for(record, task)
    try:
        certification.check_practice_open(record, task)
        if sub is not None and not sub.is_editable:
            raise certification.CertificationError(_("This submission is locked while it is graded."))
    except certification.CertificationError as exc:
        return jsonify(error=str(exc)), 409
    data = request.get_json(silent=True) or {}
    size = data.get("size")
    if not isinstance(size, int) or isinstance(size, bool):
        return jsonify(error=_("The file's size is missing.")), 400
    try:
        upload = services.start_upload(current_user, record, task, str(data.get("filename") or ""), size)
    except UploadError as exc:
        return jsonify(error=str(exc)), 413
    url = url_for("offline.upload_chunk", token=upload.token)
    resp = jsonify(token=upload.token, url=url, offset=0, size=upload.size_bytes)
    resp.status_code = 201
    resp.headers["Location"] = url
    return _no_store(resp)


def _status(upload: PartialUpload, code: int = 200) -> Response:
    resp = jsonify(token=upload.token, offset=upload.received_bytes, size=upload.size_bytes,
                   complete=upload.is_complete)
    resp.status_code = code
    resp.headers["Upload-Offset"] = str(upload.received_bytes)
    return _no_store(resp)


@bp.route("/certification/uploads/<token>")
@learner_required
def upload_status(token: str):
    """Where to resume: the bytes the server holds (the tus protocol's HEAD, as JSON)."""
    upload = _own_upload(token)
    path = services.partial_path(upload)
    if path.exists() and path.stat().st_size != upload.received_bytes and not upload.is_complete:
        upload.received_bytes = min(path.stat().st_size, upload.size_bytes)
    return _status(upload)


CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


@bp.route("/certification/uploads/<token>", methods=["PUT"])
@body_limit(lambda: CHUNK_LIMIT + 1024)
@learner_required
def upload_chunk(token: str):
    """One chunk, with ``Content-Range: bytes start-end/total``; a chunk that does not start
    where the server's copy ends gets 409 and the offset to resume from."""
    from academy.certification.uploads import UploadError

    upload = _own_upload(token)
    match = CONTENT_RANGE.match(request.headers.get("Content-Range", ""))
    data = request.get_data(cache=False)
    if match is None or int(match.group(2)) - int(match.group(1)) + 1 != len(data):
        return jsonify(error=_("The chunk's Content-Range header is missing or wrong.")), 400
    start, total = int(match.group(1)), int(match.group(3))
    if upload.is_complete:
        return _status(upload)
    try:
        services.append_chunk(upload, start, total, data)
    except services.OffsetMismatch:
        keep_on_error()  # the offset the server re-read from its copy is what the browser resumes from
        return _status(upload, 409)
    except UploadError as exc:
        keep_on_error()  # what append_chunk recorded of the refused upload stays recorded
        return jsonify(error=str(exc)), 422
    return _status(upload)

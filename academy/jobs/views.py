"""The admins' jobs page: what the queue is doing, how far, the files it made, retries."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from academy.auth.access import admin_required
from academy.core.enums import Role
from academy.core.forms import AcademyForm
from academy.core.nav import NavItem
from academy.extensions import db
from academy.jobs.models import Job, JobStatus
from academy.jobs.services import downloaded, job_path, kind_title, retry
from academy.stats.exports import stream_file

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs", template_folder="templates")


def menu_items(sender, **_kw):
    """On ``menu-items``: this feature's header entry."""
    yield NavItem("jobs.index", _l("Jobs"), (Role.ADMIN,), order=85)

PAGE_SIZE = 100


class RetryForm(AcademyForm):
    """The retry button: its form carries only the CSRF token."""


def _job_or_404(job_id: int) -> Job:
    job = db.get_or_404(Job, job_id)
    return job


def _may_download(job: Job) -> bool:
    # A file with names and e-mail addresses goes only to the admin who asked for it.
    return job.status == JobStatus.DONE and bool(job.file_name) and (
        not job.has_personal_data or job.requested_by_id == current_user.id)


def job_state(job: Job) -> dict:
    return {
        "id": job.id,
        "status": job.status.value,
        "status_title": job.status.title,
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "error": job.error if job.status == JobStatus.FAILED else None,
        "download_url": url_for(".download", job_id=job.id) if _may_download(job) else None,
    }


@bp.route("/")
@admin_required
def index():
    jobs = list(db.session.scalars(select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(PAGE_SIZE)))
    return render_template("jobs/index.html", jobs=jobs, kind_title=kind_title, may_download=_may_download,
                           pending=any(j.is_pending for j in jobs), retry_form=RetryForm(formdata=None))


@bp.route("/<int:job_id>")
@admin_required
def detail(job_id: int):
    job = _job_or_404(job_id)
    return render_template("jobs/detail.html", job=job, kind_title=kind_title(job.kind),
                           may_download=_may_download(job), retry_form=RetryForm(formdata=None))


@bp.route("/<int:job_id>.json")
@admin_required
def state(job_id: int):
    resp = jsonify(job_state(_job_or_404(job_id)))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.post("/<int:job_id>/retry")
@admin_required
def retry_view(job_id: int):
    job = _job_or_404(job_id)
    if not RetryForm().validate_on_submit():
        abort(400)
    if retry(job):
        flash(_("The job was put back on the queue."), "success")
    else:
        db.session.rollback()
        flash(_("Only a failed job can be tried again."), "error")
    return redirect(request.form.get("next") == "index" and url_for(".index") or url_for(".detail", job_id=job.id))


@bp.route("/<int:job_id>/download")
@admin_required
def download(job_id: int):
    job = _job_or_404(job_id)
    if not _may_download(job):
        abort(404)
    path = job_path(job)
    if not path.exists():
        abort(404)
    downloaded(job)
    # Streamed in chunks (a file can be hundreds of megabytes), opened on the first one.
    resp = Response(stream_file(path), mimetype=mimetypes.guess_type(job.file_name)[0] or "application/octet-stream")
    resp.headers["Content-Disposition"] = content_disposition(job.file_name)
    resp.headers["Content-Length"] = str(path.stat().st_size)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def content_disposition(name: str) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"

"""Uploaded files (practice evidence, grading feedback, assignment reports): type decided by
the file's content, never by its name, and served back only as a download.

Allowed: PDF, DOCX, XLSX, PNG, JPEG. A file whose bytes are not one of these (an HTML
page renamed ``report.pdf``, a ZIP that is not an Office document) is refused. Accepted
files are stored under a random key with the extension of the detected type, as part of
the request's transaction: a file is kept only if the row that names it commits.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass

from flask import abort, current_app, send_file
from flask_babel import gettext as _

from academy.core.storage import get_storage, put_on_commit
from academy.core.uploads import format_size

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FILES = 5  # evidence files sent at once (more can be added with another save)
# Room for a form's text fields on top of its files in one request body.
FORM_ROOM = 2 * 1024 * 1024

PDF = ("application/pdf", "pdf")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
PNG = ("image/png", "png")
JPEG = ("image/jpeg", "jpg")


class UploadError(ValueError):
    pass


@dataclass
class StoredUpload:
    storage_key: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str


def random_key(prefix: str) -> str:
    """A fresh unguessable storage key under ``prefix``; nothing of the user's file name is kept."""
    return f"{prefix}/{secrets.token_hex(1)}/{secrets.token_hex(24)}"


def max_upload_bytes() -> int:
    return int(current_app.config.get("PRACTICE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_files() -> int:
    return int(current_app.config.get("PRACTICE_UPLOAD_MAX_FILES", DEFAULT_MAX_FILES))


def practice_body_limit() -> int:
    """The practice form's request cap: its files at the largest allowed, and its text.
    Anything under it reaches the form's own checks, which keep what was typed."""
    return max_files() * (max_upload_bytes() + 64 * 1024) + FORM_ROOM


def feedback_body_limit() -> int:
    """The grading form's request cap: one feedback file and the rubric's comments."""
    return max_upload_bytes() + 64 * 1024 + FORM_ROOM


def sniff(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) for an allowed file, judged by its bytes; None otherwise."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def safe_filename(name: str, extension: str) -> str:
    """A display name for downloads: the user's base name, cleaned, with the detected extension."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = base.rsplit(".", 1)[0] if "." in base else base
    base = re.sub(r"[\x00-\x1f\x7f\"<>:|?*;]+", "", base).strip(" .") or "file"
    return f"{base[:120]}.{extension}"


def store_upload(file_storage, prefix: str = "practice") -> StoredUpload:
    """Check one uploaded file and write it to storage, to be kept when the session commits
    (and removed if it rolls back); raises UploadError with a reason for the user."""
    limit = max_upload_bytes()
    data = file_storage.read(limit + 1)
    if not data:
        raise UploadError(_("“%(name)s” is empty.", name=file_storage.filename or "?"))
    if len(data) > limit:
        raise UploadError(_("“%(name)s” is larger than %(size)s.", name=file_storage.filename or "?",
                            size=format_size(limit)))
    kind = sniff(data)
    if kind is None:
        raise UploadError(_("“%(name)s” is not a PDF, Word (DOCX), Excel (XLSX), PNG or JPEG file.",
                            name=file_storage.filename or "?"))
    content_type, ext = kind
    key = random_key(prefix)
    put_on_commit(key, data)
    return StoredUpload(storage_key=key, filename=safe_filename(file_storage.filename or "", ext),
                        content_type=content_type, size_bytes=len(data),
                        sha256=hashlib.sha256(data).hexdigest())


def send_stored_file(storage_key: str, content_type: str, filename: str):
    """A stored upload as a download (404 if its file is gone). The type was decided from the
    file's bytes at upload; the browser must neither guess another nor render it as a page."""
    storage = get_storage()
    if not storage.exists(storage_key):
        current_app.logger.error("stored file missing: %s", storage_key)
        abort(404)
    resp = send_file(io.BytesIO(storage.get(storage_key)), mimetype=content_type, as_attachment=True,
                     download_name=filename, max_age=0)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp

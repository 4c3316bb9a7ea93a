"""Light pages on slow links: gzip for text responses, a year of caching for fingerprinted files.

Learners often pay per megabyte, so every HTML, CSS, JS, JSON, SVG and CSV response is
compressed when the browser accepts it, and static files referenced through
``static_url()`` (which adds ``?v=<content hash>``) are cached for a year and never
revalidated. A static URL whose ``v`` does not match the file's current content (an old
page asking for an old version) is only cached briefly.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from flask import current_app, request

COMPRESSIBLE = {
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
    "application/json", "image/svg+xml", "application/xml", "text/xml",
}
MIN_SIZE = 500  # below this, gzip's header costs more than it saves
ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _gzip_static(path: str, mtime: float, data: bytes) -> bytes:
    # Static files are compressed once per version, not on every request.
    return gzip.compress(data, compresslevel=9, mtime=0)


def _accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def compress(response):
    if (
        response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or request.method == "HEAD"
        or response.is_streamed and not response.direct_passthrough
    ):
        return response
    response.vary.add("Accept-Encoding")
    if not _accepts_gzip():
        return response
    is_static = response.direct_passthrough
    original = response.response
    if is_static:
        response.direct_passthrough = False  # read the file so it can be compressed
    data = response.get_data()
    if original is not response.response and hasattr(original, "close"):
        original.close()  # the file wrapper has been read to the end
    if len(data) < MIN_SIZE:
        return response
    if is_static and request.endpoint == "static":
        path = Path(current_app.static_folder) / (request.view_args or {}).get("filename", "")
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = 0.0
        body = _gzip_static(str(path), mtime, data)
    else:
        body = gzip.compress(data, compresslevel=6, mtime=0)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    etag, _weak = response.get_etag()
    if etag:
        # Same content, other encoding: a weak tag, which revalidation still matches (304).
        response.set_etag(etag, weak=True)
    return response


def cache_static(response):
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    from academy.core.template_helpers import static_version

    requested = request.args.get("v")
    filename = (request.view_args or {}).get("filename", "")
    if requested and requested == static_version(filename):
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    elif requested:
        response.headers["Cache-Control"] = "public, max-age=300"
    else:
        response.headers["Cache-Control"] = "no-cache"
    response.expires = None
    return response


def register_delivery(app) -> None:
    # Flask runs after_request handlers in reverse order of registration: registered before
    # every other handler, compression runs last and sees the final body.
    app.after_request(compress)
    app.after_request(cache_static)

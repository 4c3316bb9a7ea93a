"""Request body limits per route, and file sizes written the way readers write them.

MAX_CONTENT_LENGTH (ACADEMY_MAX_UPLOAD_BYTES) caps every request body. A body over the
cap is refused before it is read, so nothing typed in the form reaches the server. Forms
that take several files declare a higher cap of their own (``body_limit``), a bit above
what their per-file checks allow: a file that is too large then reaches the form's own
check, which names it on the form with everything else typed still there.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.units import format_unit
from flask import Request, current_app
from flask_babel import get_locale

MB = 1024 * 1024


def body_limit(limit: Callable[[], int]):
    """Declare a route's own request body cap (in bytes, asked per request). Put it
    right under the route decorator, so the registered view carries it."""

    def decorate(view):
        view.academy_body_limit = limit
        return view

    return decorate


class AcademyRequest(Request):
    """Flask's request, with the body cap a route declared through ``body_limit``."""

    @property
    def max_content_length(self) -> int | None:
        if current_app and self.endpoint:
            limit = getattr(current_app.view_functions.get(self.endpoint), "academy_body_limit", None)
            if limit is not None:
                return limit()
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        Request.max_content_length.fset(self, value)  # type: ignore[attr-defined]


def format_size(size: int) -> str:
    """``size`` bytes in the current language: "10 MB", "10 Mo", "10 МБ", "500 kB"."""
    locale = str(get_locale() or "en")
    if size >= MB:
        return format_unit(round(size / MB, 1), "digital-megabyte", length="short", locale=locale, format="#,##0.#")
    return format_unit(max(1, round(size / 1024)), "digital-kilobyte", length="short", locale=locale)

"""Jinja globals and filters: locale, direction, language switcher, Babel formatting."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from babel.lists import format_list
from flask import current_app, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_percent

from academy.core.i18n import autonym, country_name, current_locale, language_name, text_direction
from academy.core.nav import nav_for


@lru_cache(maxsize=128)
def _static_hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=4096)
def _listing(items: tuple[str, ...], style: str, locale: str) -> str:
    # The catalogue lists the same few language sets for every course: format each once.
    return format_list(list(items), style=style, locale=locale)


_versions: dict[str, str] = {}


def static_version(filename: str) -> str:
    """The first 12 hex digits of the file's SHA-256 ("0" if it does not exist).

    Outside debug mode static files change only with a deploy (a new process), so each
    process hashes a file once; in debug mode the file's mtime is checked on every call."""
    if not current_app.debug and filename in _versions:
        return _versions[filename]
    path = Path(current_app.static_folder) / filename
    try:
        version = _static_hash(str(path), path.stat().st_mtime)
    except OSError:
        return "0"
    _versions[filename] = version
    return version


def static_url(filename: str) -> str:
    """A fingerprinted static URL (served with a one-year, immutable cache lifetime)."""
    return url_for("static", filename=filename, v=static_version(filename))


def register(app) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def inject():
        lang = current_locale()
        return {
            "current_locale": lang,
            "text_direction": text_direction(lang),
            "direction": text_direction,  # direction("ar") == "rtl": for content in another language
            "switcher_languages": [(code, autonym(code)) for code in app.config["LANGUAGES"]],
            "static_url": static_url,
            "language_name": language_name,
            "country_name": country_name,
            "nav_for": nav_for,
            "current_path": request.full_path.rstrip("?") if request else "/",
        }

    app.jinja_env.filters["date"] = lambda d, fmt="long": format_date(d, fmt) if d else ""
    app.jinja_env.filters["datetime"] = lambda d, fmt="medium": format_datetime(d, fmt) if d else ""
    app.jinja_env.filters["percent"] = lambda v: format_percent((v or 0) / 100)
    app.jinja_env.filters["number"] = lambda v: format_decimal(v or 0)
    # ["français", "русский"] → "français et русский" / "français、русский": the locale's own list style.
    app.jinja_env.filters["listing"] = lambda items, style="standard": _listing(
        tuple(str(i) for i in items), style, current_locale())

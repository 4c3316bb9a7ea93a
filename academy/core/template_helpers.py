"""Jinja globals and filters: locale, direction, language switcher, Babel formatting."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from babel.lists import format_list
from flask import current_app, g, get_template_attribute, has_app_context, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from academy.core.cache import shared_value
from academy.core.i18n import autonym, country_name, current_locale, language_name, text_direction
from academy.core.nav import nav_for
from academy.core.uploads import format_size


@lru_cache(maxsize=128)
def _static_hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def percent_text(value) -> str:
    """The locale's form of ``value`` percent ("42 %", "٤٢٪")."""
    return format_percent((value or 0) / 100)


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


def _current_path() -> str:
    return request.full_path.rstrip("?")


#: The header's unread-notifications badge: a feature registers fn(user_id) -> count
#: (the certification package's notifications) and the same count as a SQL expression of
#: the user's id column, which the user's own load reads in the same statement (one round
#: trip less on every page); without one the header has no badge.
_badge_counter: list = []


def register_badge_counter(fn, column=None) -> None:
    _badge_counter[:] = [fn, column]


def badge_count_column():
    """The registered badge count as fn(user id column) -> scalar SQL expression, or None."""
    return _badge_counter[1] if _badge_counter else None


def remember_unread_notifications(count: int) -> None:
    """The badge count read with the user (see ``badge_count_column``), for this request."""
    g.unread_notifications = count


def has_notifications() -> bool:
    return bool(_badge_counter)


def unread_notifications() -> int:
    """The signed-in user's unread notifications, for the header's badge (0 without them),
    counted once per request (the lesson page's ETag and its header both show it)."""
    if not _badge_counter or not current_user.is_authenticated:
        return 0
    count = g.get("unread_notifications")
    if count is None:
        count = g.unread_notifications = _badge_counter[0](current_user.id)
    return count


def forget_unread_notifications() -> None:
    """A notification was added or read in this request: count again if the header asks."""
    if has_app_context():
        g.pop("unread_notifications", None)


_PARTS = "_site_header_parts.html"


_CHROME_FILES = ("css/academy.css", "js/offline.js")


def site_header() -> dict:
    """What the page's frame (base.html and its site header) shows that is the same for
    everyone with the same roles and interface language: its words, its links, the
    signed-in menu ("My learning" and what features offer those roles) and the language
    switcher's options, from the shared cache in one read (the key names the role set and
    the static files' versions; the cache adds the language and script root). The
    templates put each visitor's own around it: the unread badge, the CSRF tokens, the
    page to come back to."""
    signed_in = current_user.is_authenticated and not g.get("database_unavailable")
    roles = tuple(sorted(str(role) for role in current_user.roles)) if signed_in else ()
    versions = tuple(static_version(name) for name in _CHROME_FILES)

    def build() -> dict:
        return {
            "signed_in": signed_in,
            # A macro's output is Markup already.
            "menu": get_template_attribute(_PARTS, "menu")(nav_for(current_user)) if signed_in else "",
            "languages": get_template_attribute(_PARTS, "language_options")(
                _switcher_languages(current_app), current_locale()),
            "urls": {
                **{name: url_for(endpoint) for name, endpoint in (
                    ("catalogue", "courses.catalogue"), ("notifications", "certification.notifications"),
                    ("profile", "auth.profile"), ("logout", "auth.logout"), ("login", "auth.login"),
                    ("register", "auth.register"), ("set_language", "auth.set_language"),
                    ("manifest", "offline.manifest"))},
                "css": static_url("css/academy.css"), "offline_js": static_url("js/offline.js"),
            },
            "words": {"main": _("Main"), "courses": _("Courses"), "notifications": _("Notifications"),
                      "account": _("Account"), "logout": _("Log out"), "login": _("Log in"),
                      "register": _("Register"), "language": _("Language"), "change": _("Change"),
                      "skip": _("Skip to content"), "footer": _(
                          "Academy — training and certification for Technology and Innovation Support Centers.")},
        }

    key = ("signed-in", *roles) if signed_in else ("anonymous",)
    return shared_value("site-header", (*key, *versions), build)


def _switcher_languages(app) -> list[tuple[str, str]]:
    return [(code, autonym(code)) for code in app.config["LANGUAGES"]]


def register(app) -> None:
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def inject():
        lang = current_locale()
        return {
            "current_locale": lang,
            "text_direction": text_direction(lang),
            "direction": text_direction,  # direction("ar") == "rtl": for content in another language
            "static_url": static_url,
            "language_name": language_name,
            "country_name": country_name,
            "current_path": _current_path() if request else "/",
        }

    app.jinja_env.globals["unread_notifications"] = unread_notifications
    app.jinja_env.globals["site_header"] = site_header
    app.jinja_env.globals["has_notifications"] = has_notifications

    app.jinja_env.filters["date"] = lambda d, fmt="long": format_date(d, fmt) if d else ""
    app.jinja_env.filters["datetime"] = lambda d, fmt="medium": format_datetime(d, fmt) if d else ""
    app.jinja_env.filters["percent"] = percent_text
    app.jinja_env.filters["number"] = lambda v: format_decimal(v or 0)
    app.jinja_env.filters["filesize"] = format_size
    # ["français", "русский"] → "français et русский" / "français、русский": the locale's own list style.
    app.jinja_env.filters["listing"] = lambda items, style="standard": format_list(
        [str(i) for i in items], style=style, locale=current_locale())

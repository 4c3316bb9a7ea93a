"""Jinja globals and filters: locale, direction, language switcher, Babel formatting."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from babel.lists import format_list
from flask import current_app, g, has_app_context, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_percent, ngettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from academy.core.i18n import autonym, country_name, current_locale, language_name, text_direction
from academy.core.nav import nav_for
from academy.core.uploads import format_size


@lru_cache(maxsize=128)
def _static_hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=4096)
def _listing(items: tuple[str, ...], style: str, locale: str) -> str:
    # The catalogue lists the same few language sets for every course: format each once.
    return format_list(list(items), style=style, locale=locale)


@lru_cache(maxsize=4096)
def _percent_in(value: float, locale: str) -> str:
    return format_percent(value / 100)


def percent_text(value) -> str:
    """The locale's form of ``value`` percent ("42 %", "٤٢٪"): each progress bar shows two,
    the same few hundred values over and over, so each is formatted once per locale."""
    return _percent_in(value or 0, current_locale())


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


# Stand-ins for each request's own values in a cached header: escaping leaves them as they are.
CSRF_MARK = "@@academy-csrf@@"
_PATH_MARK = "@@academy-path@@"
_BADGE_MARK = "@@academy-badge@@"


def _current_path() -> str:
    return request.full_path.rstrip("?")


#: The header's unread-notifications badge: a feature registers fn(user_id) -> count
#: (the certification package's notifications); without one the header has no badge.
_badge_counter: list = []
#: Optionally, the same count as a SQL column correlated with the user row (a function
#: returning it), so the request that loads the user reads the badge in the same query.
_badge_column: list = []


def register_badge_counter(fn, column=None) -> None:
    _badge_counter[:] = [fn]
    _badge_column[:] = [column] if column is not None else []


def badge_column():
    """The badge's count as a column for the user's row (labelled ``badge_``), or None."""
    return _badge_column[0]().label("badge_") if _badge_column else None


def remember_badge(user_id: int, count: int) -> None:
    """The badge's count, read with the user's row: fill_header uses it for this request."""
    g.academy_badge = (user_id, count)


def forget_badge() -> None:
    """A notification was added or read in this request: count again if the header needs it."""
    if has_app_context():
        g.pop("academy_badge", None)


def _unread_for(user_id: int) -> int:
    known = g.get("academy_badge")
    if known is not None and known[0] == user_id:
        return known[1]
    return _badge_counter[0](user_id)


def header_key() -> tuple:
    """What the header's cached form depends on: the language and the menu. Nothing a
    client chooses freely (such as the Host header) is in it: a few languages × a few
    menus is all a cache keyed on it ever holds."""
    user = current_user._get_current_object()
    is_authenticated = bool(user and user.is_authenticated)
    menu = tuple(item.endpoint for item in nav_for(user)) if is_authenticated else ()
    has_badge = is_authenticated and bool(_badge_counter)
    return (request.script_root, current_locale(), is_authenticated, menu, has_badge)


def _header_skeleton(app, key: tuple) -> str:
    cache = app.extensions.setdefault("academy_site_headers", {})
    skeleton = cache.get(key) if not app.debug else None
    if skeleton is None:
        _root, lang, is_authenticated, menu, has_badge = key
        nav_items = [item for item in nav_for(current_user) if item.endpoint in menu]
        skeleton = str(app.jinja_env.get_template("_site_header.html").render(
            is_authenticated=is_authenticated, nav_items=nav_items, has_notifications=has_badge,
            current_locale=lang, switcher_languages=_switcher_languages(app),
            csrf_value=CSRF_MARK, next_path=_PATH_MARK, badge=Markup(_BADGE_MARK)))  # noqa: S704  # nosec B704 - a constant marker
        cache[key] = skeleton
    return skeleton


def fill_header(html: str) -> str:
    """``html`` with the header's stand-ins replaced by this request's values: the CSRF
    token, the path to come back to, the unread-notifications badge."""
    badge = ""
    if _BADGE_MARK in html and _badge_counter and current_user.is_authenticated:
        unread = _unread_for(current_user.id)
        if unread:
            # aria-label is not allowed on a <span> without a role (HTML-ARIA), and screen
            # readers ignore it there: the number is shown, the words are read.
            badge = Markup(' <span class="badge count"><span aria-hidden="true">{}</span>'
                           '<span class="visually-hidden">{}</span></span>').format(
                unread, ngettext("%(num)d unread", "%(num)d unread", unread))
    return (html.replace(CSRF_MARK, str(escape(generate_csrf())))
            .replace(_PATH_MARK, str(escape(_current_path())))
            .replace(_BADGE_MARK, str(badge)))


def site_header() -> Markup:
    """The page header (navigation, log-out and language forms).

    Rendering it took a good part of every page's time (a dozen translations and URL
    builds) and it is the same for everyone with the same language and menu, so each
    process renders it once per (language, menu) and fills in only what is the request's
    own: the CSRF token, the path to come back to, the unread-notifications badge. A page
    cached whole (academy.core.skeletons) keeps the stand-ins and fills them itself."""
    skeleton = _header_skeleton(current_app._get_current_object(), header_key())
    if g.get("academy_skeleton"):
        return Markup(skeleton)  # noqa: S704  # nosec B704 - our own template's output
    return Markup(fill_header(skeleton))  # noqa: S704  # nosec B704 - our own template's output, the values escaped


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
            "switcher_languages": _switcher_languages(app),
            "static_url": static_url,
            "language_name": language_name,
            "country_name": country_name,
            "nav_for": nav_for,
            "current_path": _current_path() if request else "/",
        }

    app.jinja_env.globals["site_header"] = site_header

    app.jinja_env.filters["date"] = lambda d, fmt="long": format_date(d, fmt) if d else ""
    app.jinja_env.filters["datetime"] = lambda d, fmt="medium": format_datetime(d, fmt) if d else ""
    app.jinja_env.filters["percent"] = percent_text
    app.jinja_env.filters["number"] = lambda v: format_decimal(v or 0)
    app.jinja_env.filters["filesize"] = format_size
    # ["français", "русский"] → "français et русский" / "français、русский": the locale's own list style.
    app.jinja_env.filters["listing"] = lambda items, style="standard": _listing(
        tuple(str(i) for i in items), style, current_locale())

"""Locale selection and locale-aware names (languages, countries)."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale as babel_get_locale
from flask_login import current_user

from academy.config import RTL_LANGUAGES

#: where a view opened by a personal signed link puts that person's language (on the request,
#: not on ``g``, which tests share between requests through one application context)
LINK_LANGUAGE = "academy.link_language"

# Codes that Babel lists as territories but that are not ISO 3166-1 countries.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}


def select_locale() -> str:
    """The user's saved choice, then the session, then the language of the person a signed link
    was made for, then Accept-Language, then the default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background work: the default locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        if current_user.preferred_language in languages:
            return current_user.preferred_language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # A page opened by a signed link made for one person (a survey invitation) speaks the
    # language their e-mail was written in, whatever the browser it is opened on.
    linked = request.environ.get(LINK_LANGUAGE)
    if linked in languages:
        return linked
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    return str(babel_get_locale() or "en")


def text_direction(lang: str | None = None) -> str:
    return "rtl" if (lang or current_locale()) in RTL_LANGUAGES else "ltr"


# Names are pure functions of (code, locale) and CLDR lookups cost ~0.1 ms each: a
# catalogue page asks for hundreds. Cached per process.
@lru_cache(maxsize=4096)
def _language_name(code: str, locale: str) -> str:
    return Locale.parse(locale).languages.get(code) or code


def language_name(code: str, locale: str | None = None) -> str:
    """The language's name in the given (default: current) locale."""
    return _language_name(code, locale or current_locale())


@lru_cache(maxsize=64)
def autonym(code: str) -> str:
    """The language's name in itself, for the language switcher."""
    return Locale.parse(code).get_display_name(code) or code


@lru_cache(maxsize=16)
def _countries(locale: str) -> tuple[tuple[str, str], ...]:
    loc = Locale.parse(locale)
    pairs = [
        (code, name)
        for code, name in loc.territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    return tuple(sorted(pairs, key=lambda p: p[1]))


def country_choices(locale: str | None = None) -> list[tuple[str, str]]:
    return list(_countries(locale or current_locale()))


def is_country(code: str) -> bool:
    return code in dict(_countries("en"))


@lru_cache(maxsize=4096)
def _country_name(code: str, locale: str) -> str:
    return Locale.parse(locale).territories.get(code, code)


def country_name(code: str | None, locale: str | None = None) -> str:
    if not code:
        return ""
    return _country_name(code, locale or current_locale())

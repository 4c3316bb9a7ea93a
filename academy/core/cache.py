"""The one cache: parts of pages that are the same for every visitor.

Flask-Caching (``academy.extensions.cache``): a cache per process by default, Redis when
several servers run (ACADEMY_CACHE_REDIS_URL). What goes in is content, never a person's
data: a lesson's body, the static part of a module's outline, a catalogue card. Each key
names what the part shows: the course's content token (renewed by any edit of its
structure or texts, academy/courses/structure.py), the content language, and (added here)
the interface language and the script root its links start with. The part is declared
where it is rendered, and a template that renders one gets no user, enrolment or form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request
from markupsafe import Markup

from academy.core.i18n import current_locale
from academy.extensions import cache


def shared_value(name: str, key: tuple, build: Callable[[], Any]) -> Any:
    """``build()``'s value for the part ``name`` with ``key`` (every value it shows that can
    change: a content token, a content language, ids), from the cache when there. The value
    is HTML, or plain data holding HTML pieces (dicts, lists, ``Markup``) that a page puts
    together with what it shows of the person asking."""
    if current_app.debug:  # templates edited on disk show at once
        return build()
    full_key = _full_key(name, key, current_locale())
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value)
    return value


def shared_values(name: str, keys: list[tuple], build_missing: Callable[[list[int]], list]) -> list:
    """The values of several parts ``name`` (one per key, as ``shared_value``), read from the
    cache in one round trip: a page listing fifty cards asks once, not fifty times.
    ``build_missing(positions)`` returns the values for the keys at those positions that
    were not in the cache, in the same order."""
    if current_app.debug:
        return build_missing(list(range(len(keys))))
    locale = current_locale()
    full_keys = [_full_key(name, key, locale) for key in keys]
    values = cache.get_many(*full_keys) if full_keys else []
    missing = [i for i, value in enumerate(values) if value is None]
    if missing:
        built = build_missing(missing)
        for i, value in zip(missing, built, strict=True):
            values[i] = value
        cache.set_many({full_keys[i]: value for i, value in zip(missing, built, strict=True)})
    return values


def _full_key(name: str, key: tuple, locale: str) -> str:
    return ":".join(("part", name, request.script_root, locale, *(str(part) for part in key)))


def shared_html(name: str, key: tuple, render: Callable[[], str]) -> Markup:
    """``render()``'s HTML for the part ``name`` with ``key``, from the cache when there."""
    return Markup(shared_value(name, key, lambda: str(render())))  # noqa: S704  # nosec B704 - our own template's output

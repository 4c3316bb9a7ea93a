"""Whole pages rendered once and filled in per request.

A page such as a lesson is the same HTML for every learner who sees the same lesson, in
the same interface language, with the same menu, at the same point (completed or not);
only a few values are the learner's own: the CSRF token, the path to come back to, the
notifications badge, the progress figure. Rendering the template cost more than the
rest of the request, so each process renders such a page once per key with stand-ins
("marks") where those values go, and a request replaces the marks with its own values,
escaped.

The key is the caller's promise of what the page depends on. It must hold every
content-bearing value (the course's content token renews on any edit, so a key with it
never serves stale text); the header's language and menu are added here. A request with
flashed messages, or an app in debug mode (templates edited on disk), renders normally.

Parts of a page that are the same for everyone in the same state (a module of the
course home with these lessons complete) are kept the same way by ``fragment``, and the
page passes them in as its own values.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app, g, render_template, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from academy.core.i18n import current_locale
from academy.core.template_helpers import CSRF_MARK, fill_header, header_key

#: Pages kept per process: each is a few kilobytes; a lesson page per (lesson, content
#: language, interface language, state) of the courses in use is a few thousand at most.
MAX_PAGES = 2000
#: Fragments kept per process: a few hundred bytes to a few kilobytes each (a module of a
#: course home in one state, one lesson's entry in it).
MAX_FRAGMENTS = 10000


class Mark:
    """A stand-in for one of the request's values: renders as a unique marker."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.text = f"@@academy-page-{name}@@"

    def __html__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


class _Pages:
    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return page

    def put(self, key, page: str) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


def _pages() -> _Pages:
    app = current_app._get_current_object()
    pages = app.extensions.get("academy_pages")
    if pages is None:
        pages = app.extensions.setdefault("academy_pages", _Pages(app.config.get("PAGE_CACHE_SIZE", MAX_PAGES)))
    return pages


def render_page(key: tuple, template: str, personal: dict[str, object] | None = None,
                lazy: Callable[[], dict] | None = None, **context) -> str:
    """``template`` rendered with ``context`` plus ``personal`` (this request's own values,
    each str or Markup; str is escaped), from the process's cached skeleton when it can.

    ``key`` names everything else the page depends on (see the module's docstring).
    ``lazy``, if given, returns more context: it is called only when the template is
    rendered, for values that cost something and that the key already accounts for."""
    personal = personal or {}
    app = current_app._get_current_object()
    if app.debug or "_flashes" in session or app.config.get("PAGE_CACHE_SIZE") == 0:
        return _render(template, context, lazy, personal)
    full_key = (template, key, header_key())
    pages = _pages()
    skeleton = pages.get(full_key)
    if skeleton is None:
        marks = {name: Mark(name) for name in personal}
        g.academy_skeleton = True
        try:
            skeleton = _render(template, context, lazy, marks)
        finally:
            g.academy_skeleton = False
        # A form in the page carries this session's CSRF token: the skeleton keeps a
        # stand-in instead, so no learner is ever served another's token.
        skeleton = skeleton.replace(str(escape(generate_csrf())), CSRF_MARK)
        pages.put(full_key, skeleton)
    html = fill_header(skeleton)
    for name, value in personal.items():
        html = html.replace(f"@@academy-page-{name}@@", str(escape(value)))
    return html


def _render(template: str, context: dict, lazy: Callable[[], dict] | None, values: dict) -> str:
    return render_template(template, **context, **(lazy() if lazy is not None else {}), **values)


def fragment(key: tuple, render: Callable[[], str]) -> Markup:
    """``render()``'s HTML, kept per process under ``key`` plus the interface language and
    the script root (its links), like render_page's skeletons.

    For a part of a page that many requests share but that is not the same for all (a
    course home's module with a given set of lessons complete): the key holds every value
    the part shows, and the part holds nothing of one request's own (no CSRF token)."""
    app = current_app._get_current_object()
    if app.debug or app.config.get("PAGE_CACHE_SIZE") == 0:
        return Markup(render())  # noqa: S704  # nosec B704 - the caller's own template output
    full_key = (key, request.script_root, current_locale())
    fragments = app.extensions.get("academy_fragments")
    if fragments is None:
        fragments = app.extensions.setdefault(
            "academy_fragments", _Pages(app.config.get("FRAGMENT_CACHE_SIZE", MAX_FRAGMENTS)))
    html = fragments.get(full_key)
    if html is None:
        html = Markup(render())  # noqa: S704  # nosec B704 - the caller's own template output
        fragments.put(full_key, html)
    return html


def fill(html: str, values: dict[str, object]) -> Markup:
    """``html`` (rendered with a ``Mark(name)`` for each of ``values``) with the marks
    replaced by the values, escaped (a Markup value is kept as it is)."""
    html = str(html)  # Markup.replace would escape the (already escaped) values again
    for name, value in values.items():
        html = html.replace(f"@@academy-page-{name}@@", str(escape(value)))
    return Markup(html)  # noqa: S704  # nosec B704 - template output, the values escaped

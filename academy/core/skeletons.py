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
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app, g, render_template, session
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from academy.core.template_helpers import CSRF_MARK, fill_header, header_key

#: Pages kept per process: each is a few kilobytes; a lesson page per (lesson, content
#: language, interface language, state) of the courses in use is a few thousand at most.
MAX_PAGES = 2000


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


def render_page(key: tuple, template: str, personal: dict[str, object] | None = None, **context) -> str:
    """``template`` rendered with ``context`` plus ``personal`` (this request's own values,
    each str or Markup; str is escaped), from the process's cached skeleton when it can.

    ``key`` names everything else the page depends on (see the module's docstring)."""
    personal = personal or {}
    app = current_app._get_current_object()
    if app.debug or "_flashes" in session or app.config.get("PAGE_CACHE_SIZE") == 0:
        return render_template(template, **context, **personal)
    full_key = (template, key, header_key())
    pages = _pages()
    skeleton = pages.get(full_key)
    if skeleton is None:
        marks = {name: Mark(name) for name in personal}
        g.academy_skeleton = True
        try:
            skeleton = render_template(template, **context, **marks)
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

"""Arabic mirrors: stylesheets speak in start/end, not left/right, and content keeps its own direction."""

from __future__ import annotations

import re
from pathlib import Path

from academy.courses.services import enroll
from academy.extensions import db
from tests.conftest import login

STATIC = Path(__file__).resolve().parent.parent / "academy" / "static"
# Physical properties that do not flip for right-to-left pages, and their logical names.
PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border)-(?:left|right)(?:-\w+)?|left|right)\s*:"
    r"|float\s*:\s*(?:left|right)|text-align\s*:\s*(?:left|right)|clear\s*:\s*(?:left|right)"
)


def physical_properties(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [m.group(0) for m in PHYSICAL.finditer(css)]


def test_the_checker_knows_physical_from_logical():
    assert physical_properties(".a { margin-left: 1rem; float: right; left: 0; text-align: left }") == [
        "margin-left:", "float: right", "left:", "text-align: left"]
    assert physical_properties(".a { margin-inline-start: 1rem; inset-inline-start: 0; text-align: start; "
                               "border-inline-end: 1px solid; } /* margin-left: in a comment */") == []


def test_stylesheets_use_logical_properties():
    sheets = sorted(STATIC.rglob("*.css"))
    assert sheets
    found = {str(p.relative_to(STATIC)): physical_properties(p.read_text(encoding="utf-8")) for p in sheets}
    assert not any(found.values()), (
        f"use margin-inline-start/end, padding-inline-*, inset-inline-*, text-align: start/end: {found}")


def test_arabic_pages_are_right_to_left_and_other_content_keeps_its_direction(client, app_ctx, make_user,
                                                                              import_course):
    course = import_course()  # the mini course: English and French
    user = make_user(preferred_language="ar")
    enroll(user, course, "fr")
    db.session.commit()
    login(client, user)
    html = client.get("/learn/mini/one/first").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<article class="lesson" lang="fr" dir="ltr">' in html  # French text inside an Arabic page
    next_link = re.search(r'<a rel="next"[^>]*>(.*?)</a>', html, re.S).group(1)
    assert next_link.rstrip().endswith('<span aria-hidden="true">←</span>'), "the arrow points the way Arabic reads"

"""Pages light enough for slow, expensive links: compressed, cached, nothing fetched from elsewhere."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from academy.courses.package import PackageError, load_package
from academy.courses.services import enroll
from academy.extensions import db
from tests.conftest import login

DL177 = Path(__file__).resolve().parent.parent / "academy" / "courses" / "packages" / "dl177"
LESSON_BUDGET = 30 * 1024  # bytes over the wire for a lesson page with its CSS and JS
GZIP = {"Accept-Encoding": "gzip, deflate, br"}  # what browsers send: Brotli is chosen


def decoded(resp) -> bytes:
    """The response's body as the browser reads it (Brotli or gzip undone)."""
    import brotli

    encoding = resp.headers.get("Content-Encoding")
    data = resp.get_data()
    return brotli.decompress(data) if encoding == "br" else gzip.decompress(data) if encoding == "gzip" else data


class _Resources(HTMLParser):
    """Every URL the browser would fetch by itself while showing the page (not plain links)."""

    FETCHED = {
        "link": ("href",), "script": ("src",), "img": ("src", "srcset"), "iframe": ("src",),
        "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
        "object": ("data",), "embed": ("src",), "input": ("src",),
    }

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and (values.get("rel") or "") in {"canonical", "alternate", "author", "license"}:
            return
        for name in self.FETCHED.get(tag, ()):
            value = values.get(name)
            if value:
                self.urls.extend(part.strip().split(" ")[0] for part in value.split(","))
        if values.get("style"):
            self.urls.extend(css_urls(values["style"]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(css_urls(data))


def css_urls(css: str) -> list[str]:
    return [m.strip("'\" ") for m in re.findall(r"url\(([^)]*)\)", css)] + re.findall(
        r"@import\s+['\"]([^'\"]+)['\"]", css)


def foreign(urls: list[str]) -> list[str]:
    """URLs on another host: absolute http(s), protocol-relative, or anything but our own paths."""
    return [u for u in urls if re.match(r"^(https?:)?//", u, re.I)]


def resources(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    return parser.urls


def fetch(client, url: str, headers: dict | None = None):
    """GET that closes the response (static files are streamed from an open file)."""
    with client.get(url.replace("&amp;", "&"), headers=headers or {}) as resp:
        resp.get_data()
        return resp


def wire_size(resp) -> int:
    """Bytes of body as sent, plus a fair 300 bytes of response headers."""
    return len(resp.get_data()) + 300


def test_the_resource_scanner_sees_external_fetches_but_not_links():
    html = ('<link rel="stylesheet" href="https://cdn.example/x.css"><a href="https://wipo.int/">WIPO</a>'
            '<img src="//img.example/a.png"><div style="background:url(https://x.example/b.png)"></div>'
            '<script src="/static/js/progress.js"></script>')
    assert foreign(resources(html)) == ["https://cdn.example/x.css", "//img.example/a.png",
                                        "https://x.example/b.png"]


@pytest.fixture
def dl177(import_course):
    return import_course(DL177)


def _enrolled_client(client, make_user, course, lang):
    user = make_user(preferred_language=lang)
    enroll(user, course, lang)
    db.session.commit()
    login(client, user)
    return client


def _main_pages(course) -> list[str]:
    module = course.modules[0]
    return ["/courses/", f"/courses/{course.slug}/", f"/learn/{course.slug}/",
            f"/learn/{course.slug}/{module.key}/{module.lessons[0].key}", "/dashboard", "/account",
            "/account/password"]


def test_no_page_or_stylesheet_fetches_anything_from_another_host(client, app_ctx, make_user, dl177):
    anonymous = ["/login", "/register", "/reset-password", "/no-such-page"]
    for path in anonymous:
        html = client.get(path).get_data(as_text=True)
        assert not foreign(resources(html)), path
    for lang in ("en", "ar"):
        c = _enrolled_client(client, make_user, dl177, lang)
        for path in _main_pages(dl177):
            html = c.get(path).get_data(as_text=True)
            found = resources(html)
            assert any("/static/css/academy.css" in u for u in found), path
            assert not foreign(found), (lang, path, foreign(found))
        client.post("/logout")
    for css in Path(__file__).resolve().parent.parent.joinpath("academy", "static").rglob("*.css"):
        assert not foreign(css_urls(css.read_text(encoding="utf-8"))), css


def test_lesson_images_must_come_from_the_package(tmp_path):
    import shutil

    pkg = tmp_path / "mini"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", pkg)
    lesson = next((pkg / "en").rglob("*.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n![A chart](https://example.org/chart.png)\n"
                      '\n<img src="https://example.org/raw.png" alt="raw">\n', encoding="utf-8")
    with pytest.raises(PackageError) as exc:
        load_package(pkg)
    messages = "\n".join(str(p) for p in exc.value.problems)
    assert "https://example.org/chart.png" in messages
    assert "https://example.org/raw.png" in messages


def test_lesson_images_need_alt_text(tmp_path):
    import shutil

    pkg = tmp_path / "mini"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", pkg)
    media = next((pkg / "media").iterdir()).name
    lesson = next((pkg / "en").rglob("*.md"))
    lesson.write_text(lesson.read_text(encoding="utf-8") + f"\n![](media/{media})\n", encoding="utf-8")
    with pytest.raises(PackageError) as exc:
        load_package(pkg)
    assert any("alt text" in str(p) for p in exc.value.problems)


def test_lesson_images_load_lazily(app_ctx, import_course):
    from academy.courses.models import LessonText

    import_course()
    bodies = [t.body_html for t in db.session.scalars(db.select(LessonText))]
    images = [m for body in bodies for m in re.findall(r"<img [^>]*>", body)]
    assert images, "the mini fixture has an image"
    assert all('loading="lazy"' in img and 'alt="' in img for img in images)


def test_html_css_and_js_are_compressed_when_the_browser_accepts_it(client, app):
    page = client.get("/login", headers=GZIP)
    assert page.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in page.headers["Vary"]
    html = decoded(page).decode()
    assert "<html" in html
    plain = client.get("/login")
    assert "Content-Encoding" not in plain.headers and "<html" in plain.get_data(as_text=True)
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        resp = fetch(client, url, GZIP)
        assert resp.headers["Content-Encoding"] == "br", url
        body = decoded(resp)
        assert body == fetch(client, url).get_data(), url


def test_fingerprinted_static_files_are_cached_for_a_year(client, app):
    html = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/academy\.css\?v=[0-9a-f]{12})"', html).group(1)
    resp = fetch(client, css, GZIP)
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Without a fingerprint the browser must come back for a newer version.
    unversioned = fetch(client, "/static/css/academy.css")
    assert "immutable" not in unversioned.headers["Cache-Control"]


def test_a_compressed_static_file_still_revalidates(client, app):
    first = fetch(client, "/static/css/academy.css", GZIP)
    etag = first.headers["ETag"]
    again = fetch(client, "/static/css/academy.css", {**GZIP, "If-None-Match": etag})
    assert again.status_code == 304


def test_every_lesson_with_its_css_and_js_fits_the_budget(client, app_ctx, make_user, dl177):
    dl177.has_sequential_release = False  # every lesson open, so every one is weighed
    db.session.commit()
    heaviest = (0, "")
    weighed = 0
    for lang in ("en", "ar", "zh", "ru"):
        c = _enrolled_client(client, make_user, dl177, lang)
        first = c.get(f"/learn/{dl177.slug}/").get_data(as_text=True)
        assets = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', first))
        lesson_urls = set()
        for module in dl177.modules:
            for lesson in module.lessons:
                lesson_urls.add(f"/learn/{dl177.slug}/{module.key}/{lesson.key}")
        for url in sorted(lesson_urls):
            resp = c.get(url, headers=GZIP)
            assert resp.status_code == 200, url
            weighed += 1
            html = decoded(resp).decode()
            urls = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html)) | assets
            total = wire_size(resp) + sum(wire_size(fetch(c, u, GZIP)) for u in urls)
            heaviest = max(heaviest, (total, f"{lang} {url}"))
        client.post("/logout")
    assert weighed == 4 * sum(len(m.lessons) for m in dl177.modules)
    assert 0 < heaviest[0] <= LESSON_BUDGET, heaviest

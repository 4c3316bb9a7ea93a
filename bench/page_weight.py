"""Bytes over the wire for the main pages, first visit and repeat visit.

    .venv/bin/python bench/page_weight.py [--lang ar] [--budget 30720]

Builds a throwaway app on a temporary SQLite database with DL177 and one enrolled learner,
then requests each page the way a browser with gzip does: the HTML plus every stylesheet,
script and image it references. A first visit downloads everything; a repeat visit still
downloads the HTML, gets nothing for files cached as immutable, and pays only headers for
files it must revalidate (304). Header bytes are counted too, since they are real traffic.
Pages that do not exist in this build (a feature not yet merged) are listed as skipped.
Exit status 1 if the lesson page's first visit exceeds the budget.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench password 1234"  # noqa: S105  (a throwaway account in a temporary database)
GZIP = {"Accept-Encoding": "gzip, deflate, br", "Accept": "text/html,*/*"}
ASSET_RE = re.compile(r'<(?:link[^>]*rel="(?:stylesheet|icon|preload)"[^>]*href|script[^>]*src|img[^>]*src)="([^"]+)"')


def header_bytes(resp) -> int:
    status_line = len(f"HTTP/1.1 {resp.status}\r\n")
    return status_line + sum(len(k) + len(v) + 4 for k, v in resp.headers.items()) + 2


def build_app(tmp: Path, lang: str):
    from flask_migrate import upgrade

    from academy import create_app

    app = create_app({
        "ACADEMY_ENV": "testing", "TESTING": True, "SECRET_KEY": "bench-" + "x" * 40,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "INSTANCE_DIR": str(tmp),
        "STORAGE_DIR": str(tmp / "storage"), "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "memory", "FAST_PASSWORD_HASHING": True,
    })
    with app.app_context():
        upgrade()
        from academy.auth.services import create_user
        from academy.core.enums import Role
        from academy.courses.package import load_package
        from academy.courses.services import complete_lesson, enroll, import_package
        from academy.extensions import db

        course, _ = import_package(load_package(ROOT / "academy" / "courses" / "packages" / "dl177"))
        user = create_user(email="bench@example.org", full_name="Bench Learner", password=PASSWORD,
                           gender="woman", country_code="KE", institution_other="KIPI",
                           preferred_language=lang, roles=[Role.LEARNER])
        enrollment = enroll(user, course, lang)
        first_module = course.modules[0]
        complete_lesson(enrollment, first_module.lessons[0])
        db.session.commit()
        module, lesson = first_module.key, first_module.lessons[1].key
        slug = course.slug
    return app, slug, module, lesson


def pages(slug: str, module: str, lesson: str) -> list[tuple[str, str, bool]]:
    """(name, path, needs login) for the ten pages learners open most."""
    return [
        ("catalogue", "/courses/", False),
        ("course page", f"/courses/{slug}/", False),
        ("log in", "/login", False),
        ("register", "/register", False),
        ("my learning", "/dashboard", True),
        ("course home", f"/learn/{slug}/", True),
        ("lesson", f"/learn/{slug}/{module}/{lesson}", True),
        ("quiz", f"/learn/{slug}/quiz/{module}", True),
        ("my certificates", "/certificates/", True),
        ("account", "/account", True),
    ]


def visit(client, path: str, cache: dict[str, str]) -> tuple[int, int, int]:
    """(status, bytes, requests) for one page with its assets, updating the browser's cache."""
    resp = client.get(path, headers=GZIP)
    total = header_bytes(resp) + len(resp.get_data())
    requests = 1
    if resp.status_code != 200:
        return resp.status_code, total, requests
    html = resp.get_data()
    if resp.headers.get("Content-Encoding") == "gzip":
        import gzip

        html = gzip.decompress(html)
    for url in sorted(set(ASSET_RE.findall(html.decode("utf-8")))):
        url = url.replace("&amp;", "&")
        if url.startswith("data:"):
            continue
        policy = cache.get(url)
        if policy == "immutable":
            continue  # served from the browser's cache, no request at all
        headers = dict(GZIP)
        if policy:
            headers["If-None-Match"] = policy
        with client.get(url, headers=headers) as asset:
            body = asset.get_data()
            total += header_bytes(asset) + len(body)
            requests += 1
            cache_control = asset.headers.get("Cache-Control", "")
            if "immutable" in cache_control:
                cache[url] = "immutable"
            elif asset.headers.get("ETag"):
                cache[url] = asset.headers["ETag"]
    return resp.status_code, total, requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", default="en", help="the learner's language (default en)")
    parser.add_argument("--budget", type=int, default=30 * 1024, help="lesson page budget in bytes")
    args = parser.parse_args()
    GZIP["Accept-Language"] = args.lang  # pages before login in the learner's language too
    with tempfile.TemporaryDirectory() as tmp:
        app, slug, module, lesson = build_app(Path(tmp), args.lang)
        client = app.test_client()
        rows = []
        cache: dict[str, str] = {}
        logged_in = False
        for name, path, needs_login in pages(slug, module, lesson):
            if needs_login and not logged_in:
                client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
                logged_in = True
            first_cache: dict[str, str] = {}
            status, first, first_requests = visit(client, path, first_cache)
            if status == 404:
                rows.append((name, path, None, None, None))
                continue
            cache.update(first_cache)
            _status, repeat, repeat_requests = visit(client, path, dict(first_cache))
            rows.append((name, path, first, repeat, f"{first_requests}/{repeat_requests}"))
        print(f"Bytes over the wire (gzip, headers included), learner language {args.lang}")
        print(f"{'page':<16} {'first visit':>12} {'repeat':>9} {'requests':>9}  path")
        lesson_first = 0
        for name, path, first, repeat, requests in rows:
            if first is None:
                print(f"{name:<16} {'skipped (not in this build)':>32}  {path}")
                continue
            print(f"{name:<16} {first:>12,} {repeat:>9,} {requests:>9}  {path}")
            if name == "lesson":
                lesson_first = first
        verdict = "within" if lesson_first <= args.budget else "OVER"
        print(f"lesson page, first visit: {lesson_first:,} bytes, {verdict} the {args.budget:,}-byte budget")
        return 0 if lesson_first <= args.budget else 1


if __name__ == "__main__":
    raise SystemExit(main())

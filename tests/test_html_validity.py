"""The main pages are valid HTML, in English and in Arabic: the Nu HTML Checker (vnu.jar, the
W3C validator's engine) reports no error on any of them.

vnu.jar is pinned by tests/tools/package-lock.json and installed by `make test-tools` (which
`make test` runs); it runs on Debian's Java (default-jre-headless, scripts/sysdeps.sh).
The pages are rendered by the test client, written to files and checked in one run of the
checker, so the JVM starts once.
"""

from __future__ import annotations

import json
import shutil
import subprocess  # nosec B404 - runs the pinned checker on files this test wrote
from pathlib import Path

import pytest

from academy.extensions import db
from tests.conftest import login

VNU = Path(__file__).parent / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DL177 = Path(__file__).resolve().parent.parent / "academy" / "courses" / "packages" / "dl177"


def run_vnu(files: list[Path]) -> list[dict]:
    """The checker's errors for ``files`` (its JSON report), in one JVM."""
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("the Nu HTML Checker needs Java and tests/tools/node_modules: run `make test-tools` "
                    "(and scripts/sysdeps.sh test for Java)")
    # C1 compilation only: a run this short is mostly JVM start-up, which it makes 3x faster.
    result = subprocess.run(  # nosec B603 - fixed arguments, no shell
        [java, "-Xss8m", "-XX:TieredStopAtLevel=1", "-jar", str(VNU), "--errors-only", "--format", "json",
         *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(result.stderr or result.stdout)
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


@pytest.fixture
def world(app_ctx, make_user, import_course):
    """DL177 and the mini course; a learner per language with a lesson done, a certificate
    and an unread notification (the header's badge); an admin per language."""
    from academy.assessments.models import Quiz
    from academy.certificates.models import Certificate
    from academy.certification.enums import NotificationKind
    from academy.certification.models import Notification
    from academy.courses.services import complete_lesson, enroll, mark_completed

    course = import_course(DL177)
    mini = import_course()
    learners = {}
    for lang in ("en", "ar"):
        user = make_user(preferred_language=lang, full_name="أمل العلي" if lang == "ar" else "Amal Ali")
        enrollment = enroll(user, course, lang)
        for lesson in course.modules[0].lessons:
            complete_lesson(enrollment, lesson)
        mark_completed(enroll(user, mini, "en"))
        db.session.add(Notification(user_id=user.id, kind=NotificationKind.CERTIFIED, message="Done", link=""))
        learners[lang] = user
    admins = {lang: make_user("admin", preferred_language=lang) for lang in ("en", "ar")}
    db.session.commit()
    module = course.modules[0]
    certificate = db.session.scalars(db.select(Certificate).order_by(Certificate.id)).first()
    quiz_key = db.session.scalar(db.select(Quiz.key).where(Quiz.course_id == course.id, Quiz.key == module.key))
    slug = course.slug
    return {
        "learners": learners,
        "admins": admins,
        "anonymous": ["/", "/courses/", f"/courses/{slug}/", "/login", "/register", "/verify/",
                      f"/verify/{certificate.verification_code}"],
        "learner": ["/dashboard", f"/learn/{slug}/", f"/learn/{slug}/{module.key}/{module.lessons[1].key}",
                    f"/learn/{slug}/quiz/{quiz_key}", "/certificates/", "/account", "/account/name",
                    # the offline copy of a lesson and a downloaded module, in the learner's language
                    f"/learn/{slug}/offline/{{lang}}/{module.key}/{module.lessons[1].key}",
                    f"/learn/{slug}/modules/{module.key}/download"],
        "admin": ["/admin/", "/admin/stats/", "/admin/name-requests", f"/admin/courses/{course.id}"],
    }


def test_main_pages_are_valid_html_in_english_and_arabic(app, world, tmp_path):
    files: dict[Path, str] = {}

    def save(client, url: str, lang: str, who: str) -> None:
        resp = client.get(url, headers={"Accept-Language": lang})
        assert resp.status_code == 200, (who, url, resp.status_code)
        assert resp.mimetype == "text/html"
        path = tmp_path / f"{lang}-{who}-{len(files):02d}.html"
        path.write_bytes(resp.get_data())
        files[path] = f"{lang} {who} {url}"

    for lang in ("en", "ar"):
        anonymous = app.test_client()
        for url in world["anonymous"]:
            save(anonymous, url, lang, "anonymous")
        for who in ("learner", "admin"):
            client = app.test_client()
            login(client, world[f"{who}s"][lang])
            for url in world[who]:
                save(client, url.format(lang=lang), lang, who)
    assert len(files) == 40
    # The harness itself, in the same run (one JVM start): the badge markup the checker
    # once flagged on every page must be reported.
    sentinel = tmp_path / "sentinel.html"
    sentinel.write_text('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
                        '<body><p><span class="badge count" aria-label="3 unread">3</span></p></body></html>')
    errors = run_vnu([sentinel, *files])
    flagged = [m for m in errors if Path(m.get("url", "").removeprefix("file:")) == sentinel]
    assert any("aria-label" in m["message"] for m in flagged), errors
    report = [f"{files.get(Path(m['url'].removeprefix('file:')), m.get('url'))} line {m.get('lastLine')}: "
              f"{m['message']} [{m.get('extract', '').strip()[:120]}]" for m in errors if m not in flagged]
    assert report == [], "\n".join(report)

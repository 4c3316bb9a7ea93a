"""Admin console, courses: list, publishing, package upload with preview, lesson preview."""

from __future__ import annotations

import io
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from academy.core.audit import AuditEvent
from academy.courses.models import Course, CourseVersion, Enrollment, Lesson
from academy.extensions import db
from tests.conftest import FIXTURES


@pytest.fixture
def as_admin(make_user, login_as):
    return login_as(make_user("admin"))


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + str(path.relative_to(folder)))
    return buf.getvalue()


def upload(client, data: bytes, filename: str = "course.zip"):
    return client.post(
        "/admin/courses/upload",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def upload_dir(app) -> Path:
    return Path(app.config["STORAGE_DIR"]) / "package-uploads"


def courses() -> int:
    return db.session.scalar(select(func.count()).select_from(Course))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def package(tmp_path) -> Path:
    dest = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", dest)
    return dest


# --- upload, preview, apply ---------------------------------------------------------------


def test_admin_uploads_a_new_course_previews_it_and_applies_it(app, as_admin, package):
    resp = upload(as_admin, zip_folder(package, prefix="mini/"))  # a top-level folder is fine
    assert resp.status_code == 302
    preview_url = resp.headers["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    assert (upload_dir(app) / f"{token}.zip").is_file()
    page = as_admin.get(preview_url).get_data(as_text=True)
    assert "This is a new course" in page and "4 new lessons" in page and "one/first" in page
    assert courses() == 0  # nothing applied yet

    resp = as_admin.post(f"{preview_url}/apply")
    assert resp.status_code == 302
    course = db.session.scalars(select(Course)).one()
    assert course.code == "MINI1" and {v.language for v in course.versions} == {"en", "fr"}
    assert not (upload_dir(app) / f"{token}.zip").exists()
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "course.imported")
    ).one()
    assert event.after["lessons_added"] == 4 and event.after["filename"] == "course.zip"
    assert as_admin.get(preview_url).status_code == 404  # the token is spent


def test_preview_lists_new_changed_and_removed_lessons(as_admin, package, import_course):
    import_course(package)
    manifest = package / "course.yaml"
    text = manifest.read_text().replace(
        "      - {key: fourth}\n", "      - {key: fifth}\n"
    )
    manifest.write_text(text)
    for lang in ("en", "fr"):
        (package / lang / "two" / "fourth.md").rename(package / lang / "two" / "fifth.md")
    first = package / "fr" / "one" / "first.md"
    first.write_text(first.read_text() + "\nUne phrase de plus.\n")

    resp = upload(as_admin, zip_folder(package))
    page = as_admin.get(resp.headers["Location"]).get_data(as_text=True)
    new = re.search(r'<ul class="new">(.*?)</ul>', page, re.S).group(1)
    changed = re.search(r'<ul class="changed">(.*?)</ul>', page, re.S).group(1)
    removed = re.search(r'<ul class="removed">(.*?)</ul>', page, re.S).group(1)
    assert (
        "two/fifth" in new
        and "one/first" in changed
        and "text: fr" in changed
        and "two/fourth" in removed
    )
    assert "2 lessons unchanged" in page

    as_admin.post(resp.headers["Location"] + "/apply")
    db.session.expire_all()
    fourth = db.session.scalars(select(Lesson).where(Lesson.key == "fourth")).one()
    assert fourth.is_retired  # retired, never deleted


def test_discarding_an_upload_changes_nothing(app, as_admin, package):
    resp = upload(as_admin, zip_folder(package))
    url = resp.headers["Location"]
    assert as_admin.post(url + "/discard").status_code == 302
    assert courses() == 0 and list(upload_dir(app).glob("*.zip")) == []


def test_an_upload_belongs_to_the_admin_who_sent_it(app, as_admin, package, make_user):
    url = upload(as_admin, zip_folder(package)).headers["Location"]
    other = app.test_client()
    with app.app_context():
        other.post(
            "/login",
            data={"email": make_user("admin").email, "password": "correct horse battery staple"},
        )
    with app.app_context():
        assert other.get(url).status_code == 404
        assert other.post(url + "/apply").status_code == 404
    assert courses() == 0


# --- refused uploads ----------------------------------------------------------------------


def _zip_with(entries: dict[str, bytes], symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def test_a_file_that_is_not_a_zip_is_refused(as_admin):
    resp = upload(as_admin, b"PK but not really a zip at all", "course.zip")
    assert resp.status_code == 422 and "not a ZIP file" in resp.get_data(as_text=True)
    assert courses() == 0


def test_a_zip_with_path_traversal_is_refused_and_nothing_escapes(app, as_admin, tmp_path):
    resp = upload(as_admin, _zip_with({"course.yaml": b"code: X\n", "../../evil.txt": b"owned"}))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "outside the package" in page
    assert not list(Path(app.config["STORAGE_DIR"]).parent.rglob("evil.txt"))
    resp = upload(as_admin, _zip_with({"/etc/cron.d/evil": b"x"}))
    assert resp.status_code == 422 and "absolute paths" in resp.get_data(as_text=True)


def test_a_zip_with_a_symlink_is_refused(as_admin):
    resp = upload(as_admin, _zip_with({"course.yaml": b"code: X\n"}, symlink="media/link.png"))
    assert resp.status_code == 422 and "symbolic links" in resp.get_data(as_text=True)


def test_a_zip_bomb_is_refused(as_admin):
    resp = upload(
        as_admin,
        _zip_with({"course.yaml": b"code: X\n", "en/one/first.md": b"\0" * (40 * 1024 * 1024)}),
    )
    assert resp.status_code == 422 and "ZIP bomb" in resp.get_data(as_text=True)


def test_too_many_files_are_refused(app, as_admin):
    from academy.admin.safezip import ZipLimits

    app.config["PACKAGE_ZIP_LIMITS"] = ZipLimits(max_files=5)
    try:
        resp = upload(as_admin, _zip_with({f"f{i}.md": b"x" for i in range(6)}))
    finally:
        app.config.pop("PACKAGE_ZIP_LIMITS")
    assert resp.status_code == 422 and "too many entries" in resp.get_data(as_text=True)


def test_a_package_with_a_missing_translation_is_refused_with_file_and_line(as_admin, package):
    (package / "fr" / "one" / "second.md").unlink()
    broken = package / "en" / "two" / "third.md"
    broken.write_text("---\ntitle: [unclosed\n---\nBody\n")
    resp = upload(as_admin, zip_folder(package))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "fr/one/second.md" in page and "has no &#39;fr&#39; text" in page
    assert "en/two/third.md:3" in page and "invalid YAML" in page
    assert courses() == 0
    assert audit_actions() == ["course.upload_rejected"]


# --- list, publishing, preview --------------------------------------------------------------


def test_course_list_shows_versions_counts_and_enrolments(as_admin, mini_course, make_user):
    from academy.courses.services import enroll

    enroll(make_user(), mini_course, "fr")
    db.session.commit()
    page = as_admin.get("/admin/courses").get_data(as_text=True)
    row = re.search(
        r"<tr>\s*<td><a href=\"/admin/courses/\d+\">Mini course.*?</tr>", page, re.S
    ).group(0)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert "English" in cells[1] and "French" in cells[1]
    assert [c.strip() for c in cells[2:5]] == ["2", "4", "1"]


def test_admin_unpublishes_and_republishes_a_course_and_a_language_version(
    client, as_admin, mini_course
):
    cid = mini_course.id
    assert (
        as_admin.post(f"/admin/courses/{cid}/published", data={"published": "0"}).status_code == 302
    )
    assert "Mini course" not in as_admin.get("/courses/").get_data(as_text=True)
    assert (
        as_admin.post(f"/admin/courses/{cid}/published", data={"published": "1"}).status_code == 302
    )
    assert (
        as_admin.post(
            f"/admin/courses/{cid}/versions/fr/published", data={"published": "0"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert (
        not db.session.scalars(select(CourseVersion).where(CourseVersion.language == "fr"))
        .one()
        .is_published
    )
    assert audit_actions() == [
        "course.unpublished",
        "course.published",
        "course_version.unpublished",
    ]
    assert (
        as_admin.post(f"/admin/courses/{cid}/published", data={"published": "maybe"}).status_code
        == 400
    )


def test_admin_previews_a_lesson_in_any_language_without_enrolling(as_admin, mini_course):
    page = as_admin.get(f"/admin/courses/{mini_course.id}/preview/fr/one/first").get_data(
        as_text=True
    )
    assert 'lang="fr"' in page and "Module un" in page and "Preview as a learner sees it" in page
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0
    assert as_admin.get(f"/admin/courses/{mini_course.id}/preview/ar/one/first").status_code == 404
    assert as_admin.get(f"/admin/courses/{mini_course.id}/preview/fr/one/nope").status_code == 404


def test_an_unpublished_course_can_still_be_previewed(as_admin, mini_course):
    as_admin.post(f"/admin/courses/{mini_course.id}/published", data={"published": "0"})
    assert as_admin.get(f"/admin/courses/{mini_course.id}/preview/en/two/third").status_code == 200

"""`academy backup` and `academy restore`: a round trip into an empty instance."""

from __future__ import annotations

import tarfile

import pytest
from sqlalchemy import select

from academy.extensions import db
from tests.conftest import PG_URL, make_test_app
from tests.live import fresh_postgres_database


def _everything(app) -> tuple[dict, dict]:
    """Every row of every table (in primary-key order) and every stored file."""
    from academy.core.storage import get_storage

    with app.app_context():
        rows = {}
        for table in db.metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in db.session.execute(select(table).order_by(*order))]
        store = get_storage()
        files = {key: store.get(key) for key in store.keys()}
        db.session.remove()
        return rows, files


@pytest.fixture
def populated(app, app_ctx, make_user, mini_course):
    from academy.auth.models import Tisc
    from academy.core import audit
    from academy.core.storage import get_storage
    from academy.courses.models import Lesson
    from academy.courses.services import complete_lesson, enroll

    tisc = Tisc(name="TISC Lima", host_institution="INDECOPI", city="Lima", country_code="PE")
    db.session.add(tisc)
    db.session.flush()
    learners = [make_user(full_name=name, tisc_id=tisc.id, country_code="PE")
                for name in ("José Huamán", "王芳", "نورة القحطاني")]
    admin = make_user("admin")
    for learner in learners:
        enrollment = enroll(learner, mini_course, "fr")
        for lesson in db.session.scalars(select(Lesson).order_by(Lesson.id).limit(2)):
            complete_lesson(enrollment, lesson)
    audit.record("course.publish", "course", mini_course.id, before={"published": False},
                 after={"published": True, "note": "ünïcode"}, actor_id=admin.id)
    db.session.commit()
    store = get_storage()
    store.put("certificates/AB12-CD34.pdf", b"%PDF-1.7 certificate bytes \x00\xff")
    store.put("evidence/7/report-final_v2.docx", bytes(range(256)) * 40)
    return learners


def _restore_into(tmp_path, runner_app, archive, url, name):
    target = make_test_app(tmp_path / name, url, STORAGE_DIR=str(tmp_path / name / "storage"))
    with target.app_context():  # the CLI reuses an app context it finds: give it the target's
        result = target.test_cli_runner().invoke(args=["academy", "restore", str(archive)])
        db.session.remove()
    assert result.exit_code == 0, result.output
    return target


def _targets(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path / 'restored.db'}"
    if PG_URL:
        yield "postgresql", fresh_postgres_database(PG_URL, "academy_restored")


def test_backup_restores_into_an_empty_instance_identically(tmp_path, app, populated):
    archive = tmp_path / "academy-backup.tar.gz"
    result = app.test_cli_runner().invoke(args=["academy", "backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Done:" in result.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "db/user.jsonl" in names
    assert "storage/certificates/AB12-CD34.pdf" in names
    original_rows, original_files = _everything(app)
    assert original_rows["lesson_progress"] and original_rows["course_media"]

    for name, url in _targets(tmp_path):  # the same database kind, and across kinds
        target = _restore_into(tmp_path, app, archive, url, name)
        rows, files = _everything(target)
        assert rows == original_rows, name
        assert files == original_files, name
        # The restored instance works: new rows get fresh ids (sequences moved past the restored ones).
        from academy.auth.services import create_user
        from academy.core.enums import Role

        with target.app_context():
            newcomer = create_user(email="after.restore@example.org", full_name="After Restore",
                                   password="a long enough passphrase", gender="woman", country_code="KE",
                                   institution_other="KIPI", preferred_language="en", roles=[Role.LEARNER])
            db.session.commit()
            assert newcomer.id > max(r[0] for r in original_rows["user"])
            db.session.remove()
            db.engine.dispose()


def test_restore_refuses_an_instance_that_already_has_data(tmp_path, app, populated):
    archive = tmp_path / "b.tar.gz"
    assert app.test_cli_runner().invoke(args=["academy", "backup", str(archive)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["academy", "restore", str(archive)])
    assert result.exit_code == 1
    assert "empty" in result.output


def test_a_failed_backup_leaves_no_partial_archive(tmp_path, app, populated, monkeypatch):
    from academy.core import backup

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_add_bytes", broken)
    result = app.test_cli_runner().invoke(args=["academy", "backup", str(tmp_path / "x.tar.gz")])
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []

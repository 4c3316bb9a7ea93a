"""Configuration, health, security headers, demo data, migrations."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, func, insert, inspect, select, text

from academy import create_app
from academy.config import ConfigError
from academy.extensions import db
from tests.conftest import PG_URL, make_test_app


def test_production_refuses_a_missing_or_short_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"ACADEMY_ENV": "production"})
    with pytest.raises(ConfigError):
        create_app({"ACADEMY_ENV": "production", "SECRET_KEY": "short"})
    app = create_app({"ACADEMY_ENV": "production", "SECRET_KEY": "k" * 40})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_gets_a_stable_random_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    a = create_app({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path)})
    b = create_app({"ACADEMY_ENV": "development", "INSTANCE_DIR": str(tmp_path)})
    assert len(a.config["SECRET_KEY"]) >= 32 and a.config["SECRET_KEY"] == b.config["SECRET_KEY"]


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ACADEMY_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    app = create_app({"ACADEMY_ENV": "testing"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.db"


def test_healthz_is_503_with_a_reason_when_the_database_is_unreachable(tmp_path):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none" if PG_URL else f"sqlite:///{tmp_path}/missing/dir/x.db"
    broken = make_test_app(tmp_path, url)
    if not PG_URL:
        os.rmdir(tmp_path / "missing" / "dir")  # create_app made it; take it away again
    resp = broken.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["database"] == "unreachable" and resp.get_json()["reason"]


def test_security_headers_on_pages(client):
    resp = client.get("/")
    h = resp.headers
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    from tests.conftest import TEST_PASSWORD

    user = make_user()
    resp = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_page_is_a_friendly_404(client):
    resp = client.get("/no/such/page")
    assert resp.status_code == 404 and "Page not found" in resp.get_data(as_text=True)


def test_seed_demo_is_idempotent_and_prints_the_accounts(app, app_ctx, held_queue):
    """Seeded with no consumer running (the queue holds what the seeding enqueues)."""
    from academy.auth.models import Tisc, User
    from academy.courses.models import Course, Enrollment

    app.config["DEMO_PASSWORD"] = "demo password for tests"
    try:
        runner = app.test_cli_runner()
        first = runner.invoke(args=["academy", "seed-demo"])
        assert first.exit_code == 0, first.output
        counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (User, Tisc, Course, Enrollment)]
        second = runner.invoke(args=["academy", "seed-demo"])
        assert second.exit_code == 0
        again = [db.session.scalar(select(func.count()).select_from(m)) for m in (User, Tisc, Course, Enrollment)]
    finally:
        app.config["DEMO_PASSWORD"] = None
    assert counts == again
    assert "admin@academy.example" in first.output and "demo password for tests" in first.output
    assert "coordinator.ke@academy.example" in first.output  # sees Kenya's statistics only (issue 21)
    assert "nothing new to add" in second.output
    pilot = db.session.scalars(select(User).where(User.email.like("pilot.%"))).all()
    assert len(pilot) == 48
    assert {u.country_code for u in pilot} == {"CN", "KE", "MG", "PE", "PH", "SA"}
    assert {u.gender.value for u in pilot} >= {"woman", "man"}
    statuses = {e.status.value for e in db.session.scalars(select(Enrollment))}
    assert {"enrolled", "in_progress"} <= statuses
    assert db.session.scalar(select(func.count()).select_from(Tisc).where(Tisc.country_code == "MG")) >= 1
    latin = {u.email: u.full_name_latin for u in pilot}
    assert latin["pilot.sa01@tisc.example"] == "Noura Al-Qahtani" and latin["pilot.cn01@tisc.example"] == "Wang Fang"
    assert latin["pilot.ke01@tisc.example"] is None  # already in Latin letters
    from academy.auth.models import NameChangeRequest

    assert db.session.scalar(select(func.count()).select_from(NameChangeRequest)) == 1  # the admin's queue
    _pilot_ran_in_2023_24()
    _nobody_finished_the_course_before_enrolling()
    _an_instructor_finds_a_worked_case_report_to_grade_and_one_graded()
    _pilot_follow_up_answered_by_most()
    _pilot_cohort_has_an_announcement_and_the_funder_a_quarterly_report()


def _pilot_cohort_has_an_announcement_and_the_funder_a_quarterly_report():
    """What an instructor, a learner and the admin find of issue 21 in the demo: the
    pilot cohort's announcement (once, however often the demo is seeded), in the
    learners' languages, and a quarterly report to an address without an account."""
    from academy.announcements.models import CohortAnnouncement
    from academy.auth.models import User
    from academy.certification.enums import NotificationKind
    from academy.certification.models import Notification
    from academy.reports.models import ScheduledReport

    announcements = db.session.scalars(select(CohortAnnouncement)).all()
    assert len(announcements) == 1 and {"en", "fr", "es", "zh", "ar"} <= set(announcements[0].texts)
    chinese = db.session.scalar(select(User).where(User.email == "pilot.cn01@tisc.example"))
    note = db.session.scalar(select(Notification).where(Notification.user_id == chinese.id,
                                                        Notification.kind == NotificationKind.ANNOUNCEMENT))
    assert note.message == announcements[0].texts["zh"]["subject"]
    report = db.session.scalar(select(ScheduledReport))
    assert report.recipients == ["funder@example.org"] and report.frequency.value == "quarterly"


def _an_instructor_finds_a_worked_case_report_to_grade_and_one_graded():
    from academy.assignments.models import AssignmentSubmission

    reports = db.session.scalars(select(AssignmentSubmission)).all()  # seeded twice, added once
    assert sorted(r.is_awaiting_grade for r in reports) == [False, True]
    graded = next(r for r in reports if not r.is_awaiting_grade)
    assert graded.language == "fr" and graded.latest_grade.is_passing
    assert graded.rubric.criteria[0].title == "Stratégie de recherche"

def _pilot_follow_up_answered_by_most():
    """The pilot's 6-month follow-up: sent to every certified learner six months after the
    award, in seven languages, answered by most of them (issue 21)."""
    from academy.certification.models import CertificationRecord
    from academy.surveys.models import Survey, SurveyInvitation
    from academy.surveys.services import add_months

    survey = db.session.scalar(select(Survey).where(Survey.code == "pilot-6-months"))
    assert [q.key for q in survey.questions] == ["searches", "skills", "service"]
    assert all(len(q.texts) == 7 for q in survey.questions)
    awarded = {r.user_id: r.awarded_at for r in db.session.scalars(select(CertificationRecord))
               if r.awarded_at}
    invitations = db.session.scalars(select(SurveyInvitation)).all()
    assert {i.user_id for i in invitations} == set(awarded)
    assert all(add_months(awarded[i.user_id], 6) <= i.sent_at for i in invitations)
    answered = [i for i in invitations if i.submitted_at]
    assert len(invitations) * 0.75 <= len(answered) < len(invitations)
    assert all(i.sent_at < i.submitted_at < i.closes_at for i in answered)


def _pilot_ran_in_2023_24():
    """The demo pilot carries the dates of a real programme, not the day it was seeded."""
    from datetime import UTC, datetime

    from academy.certificates.models import Certificate
    from academy.certification.models import CertificationRecord, PracticeSubmission, TrainingSession
    from academy.core.models import utcnow

    start, end = datetime(2023, 9, 1, tzinfo=UTC), datetime(2024, 8, 31, tzinfo=UTC)
    records = db.session.scalars(select(CertificationRecord)).all()
    assert len(records) == 48
    assert all(start <= r.started_at <= end for r in records)
    for stamp in ("phase1_passed_at", "phase2_passed_at", "awarded_at"):
        dates = [getattr(r, stamp) for r in records if getattr(r, stamp)]
        assert dates and all(start <= d <= end for d in dates), stamp
    awarded = [r for r in records if r.awarded_at]
    assert 25 <= len(awarded) < 48  # most, not all, were certified
    assert all(r.phase1_passed_at < r.phase2_passed_at < r.phase3_passed_at <= r.awarded_at for r in awarded)
    assert {r.expires_at.year for r in awarded} == {2027}
    award_certs = [db.session.get(Certificate, r.certificate_id) for r in awarded if r.certificate_id]
    assert len(award_certs) == len(awarded), "every award has its certificate without a consumer"
    assert all(c.issued_at == r.awarded_at and c.pdf_size for c, r in zip(award_certs, awarded, strict=True))
    certs = db.session.scalars(select(Certificate)).all()
    assert certs and all(c.issued_at <= end for c in certs)
    session = db.session.scalar(select(TrainingSession))
    assert (session.starts_on.year, session.starts_on.month) == (2024, 3)
    graded = db.session.scalars(select(PracticeSubmission).where(PracticeSubmission.graded_at.is_not(None))).all()
    assert all(s.submitted_at < s.graded_at for s in graded)
    # The learners still at work after an extension give the instructor something to grade today.
    waiting = db.session.scalars(select(PracticeSubmission).where(PracticeSubmission.status == "submitted")).all()
    assert waiting and all((utcnow() - s.submitted_at).days < 30 for s in waiting)


def _nobody_finished_the_course_before_enrolling():
    """The dashboard's "average days to complete" of the demo is never negative."""
    from academy.courses.models import Enrollment, LessonProgress
    from academy.stats.queries import Filters, crosstab

    enrolments = db.session.scalars(select(Enrollment).where(Enrollment.completed_at.is_not(None))).all()
    assert len(enrolments) >= 25
    backwards = [(e.user.email, e.enrolled_at, e.completed_at) for e in enrolments if e.completed_at < e.enrolled_at]
    assert backwards == []
    opened_early = db.session.scalar(select(func.count()).select_from(LessonProgress).join(Enrollment).where(
        LessonProgress.completed_at < Enrollment.enrolled_at))
    assert opened_early == 0
    tab = crosstab("language", None, Filters())
    for language in tab.row_keys:
        days = tab.fact.measure("avg_days_to_complete").compute(tab.row_total(language))
        assert days is None or days >= 0, language


# --- migrations ---------------------------------------------------------------------------


@pytest.fixture
def scratch_database_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path}/migrations.db"
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS academy_migrations"))
        conn.execute(text("CREATE DATABASE academy_migrations"))
    yield PG_URL.rsplit("/", 1)[0] + "/academy_migrations"
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS academy_migrations WITH (FORCE)"))
    admin.dispose()


def test_migrations_upgrade_downgrade_upgrade(tmp_path, scratch_database_url):
    from flask_migrate import downgrade, upgrade

    scratch = make_test_app(tmp_path, scratch_database_url)
    with scratch.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"user", "course", "enrollment", "lesson_progress"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()


def test_upgrading_a_database_that_holds_backwards_completions_repairs_them(tmp_path, scratch_database_url):
    from datetime import UTC, datetime, timedelta

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import MetaData

    from academy.courses.models import Enrollment, EnrollmentStatus

    enrolled = datetime(2024, 5, 10, 9, 0, tzinfo=UTC)
    scratch = make_test_app(tmp_path, scratch_database_url)
    with scratch.app_context():
        from alembic.script import ScriptDirectory

        scripts = ScriptDirectory.from_config(scratch.extensions["migrate"].migrate.get_config())
        before_the_check = scripts.get_revision("0640").down_revision
        upgrade(revision=before_the_check)
        # Rows written through the tables as they were at that revision, not through today's
        # models: a column added by a later migration would not exist yet.
        old = MetaData()
        old.reflect(bind=db.session.connection())
        now = datetime(2024, 5, 1, tzinfo=UTC)
        user_id = db.session.execute(insert(old.tables["user"]).values(
            email="early@example.org", full_name="Early Finisher", password_hash="x", gender="woman",
            country_code="KE", institution_other="Test", preferred_language="en", is_active=True,
            session_version=1, created_at=now, updated_at=now)).inserted_primary_key[0]
        course_id = db.session.execute(insert(old.tables["course"]).values(
            code="MINI", slug="mini", default_language="en", estimated_hours=1, is_published=True,
            has_sequential_release=True, content_token="0", created_at=now,
            updated_at=now)).inserted_primary_key[0]
        db.session.execute(insert(old.tables["enrollment"]).values(
            user_id=user_id, course_id=course_id, language="en", status=EnrollmentStatus.COMPLETED.value,
            enrolled_at=enrolled, completed_at=enrolled - timedelta(days=20), progress_percent=100))
        db.session.commit()
        upgrade()
        row = db.session.scalars(select(Enrollment)).one()
        assert row.completed_at == row.enrolled_at == enrolled
        db.session.remove()  # PostgreSQL's ALTER TABLE waits for every open transaction on the table
        downgrade(revision=before_the_check)
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_upgrading_gives_unanswered_survey_invitations_the_learners_language(tmp_path, scratch_database_url):
    """Before 0840 an invitation had a language only once answered, so the outcome statistics put
    every learner still to answer in an "unknown" row; upgrading fills in their language."""
    from datetime import UTC, datetime, timedelta

    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    scratch = make_test_app(tmp_path, scratch_database_url)
    with scratch.app_context():
        upgrade(revision="0820")
        old = MetaData()
        old.reflect(bind=db.session.connection())
        now = datetime(2024, 9, 16, tzinfo=UTC)

        def learner(email, language):
            return db.session.execute(insert(old.tables["user"]).values(
                email=email, full_name="Follow Up", password_hash="x", gender="woman", country_code="KE",
                institution_other="Test", preferred_language=language, is_active=True, session_version=1,
                created_at=now, updated_at=now)).inserted_primary_key[0]

        french, russian, answered = learner("fr@example.org", "fr"), learner("ru@example.org", "ru"), \
            learner("ar@example.org", "ar")
        course_id = db.session.execute(insert(old.tables["course"]).values(
            code="MINI", slug="mini", default_language="en", estimated_hours=1, is_published=True,
            has_sequential_release=True, content_token="0", created_at=now, updated_at=now)).inserted_primary_key[0]
        survey_id = db.session.execute(insert(old.tables["survey"]).values(
            code="follow-up", titles={"en": "Follow-up"}, open_days=30, reminder_after_days=14, is_active=True,
            created_at=now, updated_at=now)).inserted_primary_key[0]
        point_id = db.session.execute(insert(old.tables["survey_send_point"]).values(
            survey_id=survey_id, course_id=course_id, months_after=6, created_at=now)).inserted_primary_key[0]
        for user_id, language in ((french, None), (russian, None), (answered, "es")):
            db.session.execute(insert(old.tables["survey_invitation"]).values(
                send_point_id=point_id, user_id=user_id, completed_at=now - timedelta(days=183), sent_at=now,
                closes_at=now + timedelta(days=30), language=language,
                submitted_at=now if language else None))
        db.session.commit()
        upgrade()
        languages = dict(db.session.execute(text("SELECT user_id, language FROM survey_invitation")).all())
        # the language it was sent in; the language of an answer is kept
        assert languages == {french: "fr", russian: "ru", answered: "es"}
        db.session.remove()
        db.engine.dispose()


def test_migrations_have_one_head_and_match_the_models(app, app_ctx):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"

"""read(): the fast path for Core selects gives exactly what SQLAlchemy gives.

A statement's first two reads go through SQLAlchemy, the second planning the next ones;
from the third on, the rows come from the driver's cursor through the plan (a FastResult). Each
test compares that against SQLAlchemy's own Connection.execute on the same statement.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, event, exc, select
from sqlalchemy.engine import CursorResult

import academy.extensions as extensions
from academy.auth.models import User, UserRole
from academy.auth.views import _user_rows_statement
from academy.certification.models import CertificationProgramme
from academy.core.enums import EnrollmentStatus, Role
from academy.courses import queries
from academy.courses.models import Course
from academy.courses.services import enroll
from academy.extensions import FastResult, db, read


def usual(statement, params=None) -> list:
    """SQLAlchemy's own answer."""
    return db.session.connection().execute(statement, params or {}).all()


def fast(statement, params=None) -> FastResult:
    """The fast path's answer (the statement is planned by earlier reads if need be)."""
    read(statement, params).all()
    read(statement, params).all()
    result = read(statement, params)
    assert isinstance(result, FastResult), "the statement did not take the fast path"
    return result


def assert_same_rows(rows: list, expected: list) -> None:
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        assert row._fields == want._fields
        assert tuple(row) == tuple(want)
        assert [type(v) for v in row] == [type(v) for v in want]
        assert [getattr(v, "tzinfo", None) for v in row] == [getattr(v, "tzinfo", None) for v in want]
        assert dict(row._mapping) == dict(want._mapping)
        assert [getattr(row, name) for name in row._fields] == [getattr(want, name) for name in want._fields]
        assert row[1:3] == want[1:3] and row[-1] == want[-1]


@pytest.fixture
def enrolled(app_ctx, make_user, mini_course):
    """An admin enrolled in the mini course (activity and completion dates set), and a
    learner who is not enrolled."""
    user = make_user(role="admin")
    enrollment = enroll(user, mini_course, "en")
    enrollment.enrolled_at = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
    enrollment.last_activity_at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    enrollment.completed_at = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    enrollment.status = EnrollmentStatus.COMPLETED
    db.session.commit()
    return user, make_user(), mini_course


def test_user_rows_are_sqlalchemys_rows_tz_aware_with_enums_and_booleans(enrolled):
    user, _other, _course = enrolled
    rows = fast(_user_rows_statement(), {"uid": user.id}).all()
    assert_same_rows(rows, usual(_user_rows_statement(), {"uid": user.id}))
    assert {row.role_ for row in rows} == {Role.ADMIN, Role.LEARNER}
    assert rows[0].created_at.tzinfo is UTC and rows[0].is_active_account is True


def test_course_enrolment_rows_with_nulls_from_the_outer_joins(enrolled):
    user, other, course = enrolled
    for uid in (user.id, other.id):
        params = {"slug": course.slug, "user_id": uid}
        rows = fast(queries._COURSE_WITH_ENROLLMENT, params).all()
        assert_same_rows(rows, usual(queries._COURSE_WITH_ENROLLMENT, params))
    assert rows[0].e_id is None and rows[0].e_completed_at is None  # the learner who is not enrolled
    mine = fast(queries._COURSE_WITH_ENROLLMENT, {"slug": course.slug, "user_id": user.id}).first()
    assert mine.e_status is EnrollmentStatus.COMPLETED and mine.e_completed_at == datetime(2026, 3, 2, 17, tzinfo=UTC)
    assert mine.is_published is True
    assert mine._mapping[Course.__table__.c.code] == course.code  # keyed by column too, as SQLAlchemy's rows
    assert fast(queries._COURSE_WITH_ENROLLMENT, {"slug": "no-such-course", "user_id": user.id}).all() == []


def test_json_and_boolean_columns(app_ctx):
    db.session.add(CertificationProgramme(code="TISC-M", titles={"en": "TISC manager", "ar": "مدير"}, is_active=False))
    db.session.commit()
    statement = select(CertificationProgramme.titles, CertificationProgramme.is_active,
                       CertificationProgramme.created_at).where(CertificationProgramme.code == bindparam("code"))
    rows = fast(statement, {"code": "TISC-M"}).all()
    assert_same_rows(rows, usual(statement, {"code": "TISC-M"}))
    assert rows[0].titles == {"en": "TISC manager", "ar": "مدير"} and rows[0].is_active is False


def test_statements_that_differ_only_in_a_literal_keep_their_own_value(enrolled):
    # SQLAlchemy compiles both once (same cache key) and binds each one's own literal:
    # so must the plan.
    user, other, _course = enrolled
    admins = select(UserRole.user_id).where(UserRole.role == Role.ADMIN).order_by(UserRole.user_id)
    learners = select(UserRole.user_id).where(UserRole.role == Role.LEARNER).order_by(UserRole.user_id)
    assert [r.user_id for r in fast(admins).all()] == [user.id]
    assert [r.user_id for r in fast(learners).all()] == [user.id, other.id]


def test_the_result_answers_as_sqlalchemys_result(enrolled):
    user, other, _course = enrolled
    one_row = _user_rows_statement().where(UserRole.role == Role.ADMIN)
    two_rows = _user_rows_statement()
    params = {"uid": user.id}
    assert fast(one_row, params).one() == usual(one_row, params)[0]
    assert fast(one_row, params).one_or_none() == usual(one_row, params)[0]
    assert fast(one_row, params).scalar_one() == user.id
    assert fast(one_row, params).scalar_one_or_none() == user.id
    assert fast(two_rows, params).scalar() == user.id
    assert fast(two_rows, params).first() == usual(two_rows, params)[0]
    assert list(fast(two_rows, params)) == usual(two_rows, params)
    assert fast(two_rows, params).scalars("role_").all() == [r.role_ for r in usual(two_rows, params)]
    assert fast(two_rows, params).mappings().all() == [r._mapping for r in usual(two_rows, params)]
    assert list(fast(two_rows, params).keys()) == list(db.session.connection().execute(two_rows, params).keys())
    with pytest.raises(exc.MultipleResultsFound):
        fast(two_rows, params).one_or_none()
    with pytest.raises(exc.NoResultFound):
        fast(two_rows, {"uid": other.id + 1000}).one()
    assert fast(two_rows, {"uid": other.id + 1000}).one_or_none() is None
    result = fast(two_rows, params)
    assert len(result.all()) == 2 and result.all() == []  # rows are handed out once


def test_cursor_events_fire_for_a_fast_read(enrolled):
    user, _other, _course = enrolled
    statement = _user_rows_statement()
    fast(statement, {"uid": user.id})  # planned
    seen = []

    def before(conn, cursor, sql, parameters, context, executemany):
        seen.append(("before", sql, parameters, context.statement, executemany))

    def after(conn, cursor, sql, parameters, context, executemany):
        seen.append(("after", sql))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        result = read(statement, {"uid": user.id})
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    assert isinstance(result, FastResult) and len(result.all()) == 2
    sql = str(statement.compile(dialect=db.engine.dialect))
    (_b, before_sql, parameters, context_sql, executemany), (_a, after_sql) = seen
    assert before_sql == after_sql == context_sql == sql and not executemany
    assert list(parameters.values() if isinstance(parameters, dict) else parameters) == [user.id]


def test_flask_sqlalchemys_query_recording_sees_fast_reads(tmp_path, app, database_url, make_user):
    from flask_sqlalchemy.record_queries import get_recorded_queries

    from tests.conftest import make_test_app

    uid = make_user().id
    recording = make_test_app(tmp_path, database_url, SQLALCHEMY_RECORD_QUERIES=True)
    try:
        with recording.app_context():
            read(_user_rows_statement(), {"uid": uid}).all()
            read(_user_rows_statement(), {"uid": uid}).all()
            assert isinstance(read(_user_rows_statement(), {"uid": uid}), FastResult)
            usual_path, fast_path = get_recorded_queries()[-2:]
            assert fast_path.statement == usual_path.statement and fast_path.parameters == usual_path.parameters
            assert fast_path.duration >= 0
            db.session.remove()
    finally:
        with recording.app_context():
            db.engine.dispose()


def test_pending_changes_are_flushed_before_a_fast_read(enrolled):
    user, _other, _course = enrolled
    statement = _user_rows_statement()
    fast(statement, {"uid": user.id})
    db.session.get(User, user.id).full_name = "Not committed yet"
    db.session.add(UserRole(user_id=user.id, role=Role.INSTRUCTOR))
    rows = read(statement, {"uid": user.id}).all()
    assert {r.full_name for r in rows} == {"Not committed yet"}
    assert {r.role_ for r in rows} == {Role.ADMIN, Role.LEARNER, Role.INSTRUCTOR}
    db.session.rollback()


def test_a_missing_parameter_is_reported_as_sqlalchemy_reports_it(enrolled):
    user, _other, _course = enrolled
    fast(_user_rows_statement(), {"uid": user.id})
    with pytest.raises(exc.StatementError, match="'uid'"):
        read(_user_rows_statement(), {})


def test_an_expanding_in_list_takes_the_usual_path(enrolled):
    _user, _other, course = enrolled
    statement = select(Course.code).where(Course.id.in_(bindparam("ids", expanding=True)))
    for ids in ([course.id], [course.id, course.id + 1], []):
        result = read(statement, {"ids": ids})
        assert isinstance(result, CursorResult)
        assert [r.code for r in result] == ([course.code] if ids else [])


_probe = Table("fast_read_probe", MetaData(), Column("id", Integer, primary_key=True))
_PROBE_READ = select(_probe.c.id).where(_probe.c.id == bindparam("id"))


def test_a_database_error_raises_the_exception_sqlalchemy_raises(app_ctx):
    # A table dropped after the statement was planned: the driver's error comes out
    # wrapped as on the usual path, the original error (on PostgreSQL, not the "current
    # transaction is aborted" a retry would meet), and the session recovers by rollback.
    _probe.create(db.engine)
    try:
        db.session.execute(_probe.insert().values(id=1))
        assert fast(_PROBE_READ, {"id": 1}).scalar() == 1
        db.session.commit()
        _probe.drop(db.engine)
        with pytest.raises(exc.DBAPIError) as fast_error:
            read(_PROBE_READ, {"id": 1})
        db.session.rollback()
        with pytest.raises(exc.DBAPIError) as usual_error:
            usual(_PROBE_READ, {"id": 1})
        db.session.rollback()
        assert type(fast_error.value) is type(usual_error.value)
        assert type(fast_error.value.orig) is type(usual_error.value.orig)
        assert "fast_read_probe" in str(fast_error.value.orig)
        assert not fast_error.value.connection_invalidated
        assert read(select(Course.id).limit(1)).all() == []  # the session works again
    finally:
        db.session.rollback()
        _probe.drop(db.engine, checkfirst=True)


def test_a_dropped_connection_is_invalidated_and_the_next_read_reconnects(enrolled):
    user, _other, _course = enrolled
    statement = _user_rows_statement()
    fast(statement, {"uid": user.id})
    connection = db.session.connection()
    connection.connection.dbapi_connection.close()  # the connection lost under the session
    with pytest.raises(exc.DBAPIError) as error:
        read(statement, {"uid": user.id})
    assert error.value.connection_invalidated and connection.invalidated
    db.session.rollback()
    assert len(fast(statement, {"uid": user.id}).all()) == 2


def test_a_postgresql_backend_terminated_gives_an_operational_error_and_recovers(enrolled, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL server process to terminate")
    from sqlalchemy import func, text

    user, _other, _course = enrolled
    statement = _user_rows_statement()
    fast(statement, {"uid": user.id})
    pid = db.session.execute(select(func.pg_backend_pid())).scalar()
    with db.engine.connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(exc.OperationalError) as error:  # the app's 503
        read(statement, {"uid": user.id})
    assert error.value.connection_invalidated
    db.session.rollback()
    assert len(fast(statement, {"uid": user.id}).all()) == 2


def test_the_plan_cache_stays_bounded(enrolled, monkeypatch):
    user, _other, _course = enrolled
    monkeypatch.setattr(extensions, "_MAX_PLANS", 4)
    statements = [select(User.id, User.email).where(User.id == bindparam("uid")).limit(n + 1) for n in range(10)]
    for statement in statements:
        assert [r.email for r in read(statement, {"uid": user.id})] == [user.email]
        assert [r.email for r in read(statement, {"uid": user.id})] == [user.email]
        assert len(extensions._plans[db.engine.dialect]) <= 4


def test_a_statement_built_per_call_is_never_planned(enrolled):
    # Planning costs more than it saves on a statement that is never run again.
    user, _other, _course = enrolled
    for _ in range(3):
        statement = select(User.email).where(User.id == user.id)
        assert read(statement).scalar() == user.email
        assert not extensions._plans[db.engine.dialect][id(statement)].is_planned


def test_dashboard_rows_through_the_fast_path(enrolled):
    user, _other, _course = enrolled
    statement = queries._DASHBOARD_ROWS
    assert_same_rows(fast(statement, {"user_id": user.id}).all(), usual(statement, {"user_id": user.id}))


def test_the_main_pages_read_through_the_fast_path(app, client, make_user, mini_course, monkeypatch):
    """Every statement of a steady-state page view (the budget test counts them) is a
    planned fast read, not a trip through Connection.execute or the ORM."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import login
    from tests.test_query_budget import counting, page_urls

    learner = make_user()
    enroll(learner, mini_course, "en")
    db.session.commit()
    login(client, learner)
    fast_runs: list = []
    run = extensions._ReadPlan.run

    def counted(plan, *args, **kwargs):
        fast_runs.append(plan.sql)
        return run(plan, *args, **kwargs)

    monkeypatch.setattr(extensions._ReadPlan, "run", counted)
    urls = page_urls("mini", "one", "first")
    del urls["course page"], urls["account"]  # not among the hot pages (ORM reads, cached whole)

    engine = db.engine

    def visit() -> dict:
        seen = {}
        for name, url in urls.items():
            for _warm in range(2):  # caches filled, statements planned
                assert client.get(url).status_code == 200, url
            fast_runs.clear()
            with counting(engine) as statements:
                assert client.get(url).status_code == 200, url
            seen[name] = (len(statements), len(fast_runs))
        return seen

    with ThreadPoolExecutor(1) as pool:  # a session of its own per request, as in production
        seen = pool.submit(visit).result()
    assert all(n and n == fast_n for n, fast_n in seen.values()), seen

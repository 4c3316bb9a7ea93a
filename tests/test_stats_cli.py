"""`flask academy stats export` and `flask academy bench-data`."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from academy.auth.models import User
from academy.core.audit import AuditEvent
from academy.courses.models import Enrollment, LessonProgress
from academy.extensions import db


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["academy", *args])
    return result


def test_export_language_by_gender_csv(app, pop, tmp_path):
    out = tmp_path / "out.csv"
    result = run(app, "stats", "export", "--by", "language,gender", "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Course language / Gender", "Woman", "Man", "Prefer not to say", "Total"]
    assert rows[1] == ["English", "2", "2", "1", "5"]
    assert rows[-1] == ["Total", "4", "3", "1", "8"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stats.export")).one()
    assert event.after["via"] == "cli" and event.after["rows"] == "language"


def test_export_filters_by_course_code_and_dates_to_xlsx(app, pop, tmp_path):
    out = tmp_path / "out.xlsx"
    result = run(app, "stats", "export", "--by", "gender", "--course", "MINI1", "--from", "2024-01-01",
                 "--to", "2024-12-31", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    wb = load_workbook(out, read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    # MINI1 in 2024: e1 (woman, done), e2 (woman), e3 (man, done), e4 (man)
    assert rows[1][:3] == ["Woman", 2, 1]
    assert rows[2][:3] == ["Man", 2, 1]
    assert rows[-1][:3] == ["Total", 4, 2]


def test_export_suppresses_gender_by_country_unless_told_not_to(app, pop, tmp_path):
    out = tmp_path / "s.csv"
    assert run(app, "stats", "export", "--by", "gender,country", "--out", str(out)).exit_code == 0
    assert "<5" in out.read_text(encoding="utf-8-sig")
    assert run(app, "stats", "export", "--by", "gender,country", "--no-suppress", "--out", str(out)).exit_code == 0
    assert "<5" not in out.read_text(encoding="utf-8-sig")


def test_learner_level_export_from_the_cli(app, pop, tmp_path):
    out = tmp_path / "l.csv"
    result = run(app, "stats", "export", "--by", "gender", "--learners", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8-sig")
    assert len(text.strip().splitlines()) == 9
    assert "@example.org" not in text
    assert run(app, "stats", "export", "--by", "gender", "--learners", "--personal", "--out", str(out)).exit_code == 0
    assert "u1@example.org" in out.read_text(encoding="utf-8-sig")


def test_export_refuses_bad_arguments(app, pop, tmp_path):
    out = str(tmp_path / "x.csv")
    assert run(app, "stats", "export", "--by", "shoe", "--out", out).exit_code != 0
    assert run(app, "stats", "export", "--by", "gender", "--course", "NOPE", "--out", out).exit_code != 0
    assert run(app, "stats", "export", "--by", "gender", "--from", "2024-13-01", "--out", out).exit_code != 0
    result = run(app, "stats", "export", "--by", "course", "--measure", "registrations", "--out", out)
    assert result.exit_code != 0


def test_bench_data_generates_a_population_and_refuses_real_users(app, app_ctx, make_user):
    result = run(app, "bench-data", "--learners", "300", "--enrolments", "700", "--courses", "5")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 300
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 700
    progress = db.session.scalar(select(func.count()).select_from(LessonProgress))
    assert 1500 < progress < 5000  # about four lessons per enrolment
    completed = db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.completed_at.is_not(None)))
    assert 150 < completed < 400
    # Readable through the ORM (datetimes stored the way SQLAlchemy stores them).
    e = db.session.scalars(select(Enrollment).where(Enrollment.completed_at.is_not(None)).limit(1)).one()
    assert e.completed_at > e.enrolled_at and e.completed_at.tzinfo is not None
    assert not db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.completed_at < Enrollment.enrolled_at))
    # A second run: the database already holds a population.
    assert run(app, "bench-data", "--learners", "10", "--enrolments", "10").exit_code != 0


def test_bench_data_refuses_a_database_with_real_users(app, make_user):
    make_user()
    result = run(app, "bench-data", "--learners", "10", "--enrolments", "10")
    assert result.exit_code != 0
    assert "real user account" in result.output

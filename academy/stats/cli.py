"""`flask academy stats export …` and `flask academy bench-data …`."""

from __future__ import annotations

import os
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from academy.core.audit import record
from academy.courses.models import Course
from academy.extensions import db

stats_cli = AppGroup("stats", help="Enrolment statistics.")


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


def _csv_list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@stats_cli.command("export")
@click.option("--by", "by", required=True, help="One or two dimensions, e.g. language,gender.")
@click.option(
    "--measure",
    default=None,
    help="With two dimensions: the statistic in the cells (default: enrolments).",
)
@click.option("--course", "courses", default=None, help="Course code(s), comma-separated.")
@click.option("--country", "countries", default=None, help="ISO country code(s), comma-separated.")
@click.option("--region", "regions_", default=None, help="Region key(s), comma-separated.")
@click.option("--language", "languages", default=None, help="Course language(s), comma-separated.")
@click.option("--gender", "genders", default=None, help="Gender(s), comma-separated.")
@click.option("--cohort", "cohorts", default=None, help="Cohort name(s) or id(s), comma-separated.")
@click.option("--from", "date_from", callback=_date, default=None, help="First day (YYYY-MM-DD).")
@click.option("--to", "date_to", callback=_date, default=None, help="Last day (YYYY-MM-DD), inclusive.")
@click.option(
    "--basis",
    type=click.Choice(["enrolment", "completion"]),
    default="enrolment",
    help="Which date the range and periods refer to.",
)
@click.option(
    "--suppress/--no-suppress",
    default=None,
    help="Small-cell suppression (default: on for gender by country, TISC or cohort).",
)
@click.option("--threshold", type=click.IntRange(2, 100), default=5, show_default=True)
@click.option("--learners", is_flag=True, help="One row per enrolment instead of a statistics table.")
@click.option("--personal", is_flag=True, help="With --learners: include names and email addresses.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def export(
    by,
    measure,
    courses,
    countries,
    regions_,
    languages,
    genders,
    cohorts,
    date_from,
    date_to,
    basis,
    suppress,
    threshold,
    learners,
    personal,
    fmt,
    out,
):
    """Export a statistics table (or, with --learners, the enrolments) to CSV or XLSX."""
    from academy.stats import exports, figures
    from academy.stats.queries import Filters, StatsError, counted_at, dimensions, fact_for_measure
    from academy.stats.tables import Suppression, default_suppression

    course_ids: tuple[int, ...] = ()
    if courses:
        codes = _csv_list(courses)
        found = dict(db.session.execute(select(Course.code, Course.id).where(Course.code.in_(codes))).all())
        missing = [c for c in codes if c not in found]
        if missing:
            raise click.BadParameter(f"no course {', '.join(missing)}", param_hint="--course")
        course_ids = tuple(found[c] for c in codes)
    cohort_ids = _cohort_ids(_csv_list(cohorts)) if cohorts else ()
    try:
        filters = Filters(
            date_from=date_from,
            date_to=date_to,
            basis=basis,
            course_ids=course_ids,
            countries=tuple(c.upper() for c in _csv_list(countries)),
            regions=_csv_list(regions_),
            languages=_csv_list(languages),
            genders=_csv_list(genders),
            cohort_ids=cohort_ids,
        )
    except StatsError as exc:
        raise click.UsageError(str(exc)) from None
    if personal and not learners:
        raise click.UsageError("--personal only applies to --learners")

    if learners:
        rows = exports.learner_rows(filters, personal, for_xlsx=fmt == "xlsx")
        _write(rows, fmt, out, "Enrolments", about=exports.about_rows(None, filters))
        record(
            "stats.export_enrolments",
            "enrollment",
            None,
            after={
                "format": fmt,
                "filters": filters.as_dict(),
                "personal_data": personal,
                "via": "cli",
            },
        )
        db.session.commit()
        click.echo(f"wrote {out}")
        return

    dims = _csv_list(by)
    known = dimensions()
    if not 1 <= len(dims) <= 2 or any(d not in known for d in dims):
        raise click.BadParameter(f"one or two of: {', '.join(known)}", param_hint="--by")
    rows_dim, cols_dim = dims[0], (dims[1] if len(dims) == 2 else None)
    enabled = default_suppression(rows_dim, cols_dim) if suppress is None else suppress
    supp = Suppression(enabled=enabled, threshold=threshold)
    try:
        if cols_dim is None and measure is None:
            fig = figures.summary_figure(
                "export",
                figures.crosstab_title(rows_dim, None, "enrolments"),
                rows_dim,
                filters,
                supp,
            )
        else:
            measure = measure or "enrolments"
            fact_for_measure(measure)
            fig = figures.cross_figure(
                "export",
                figures.crosstab_title(rows_dim, cols_dim, measure),
                rows_dim,
                cols_dim,
                measure,
                filters,
                supp,
            )
    except StatsError as exc:
        raise click.UsageError(str(exc)) from None
    table_rows = exports.table_rows(fig.table)
    if fmt == "csv":
        exports.write_csv(table_rows, out)
    else:
        about = exports.about_rows(fig.table, filters, as_of=counted_at())
        exports.write_xlsx(table_rows, out, sheet=fig.title, about=about)
    record(
        "stats.export",
        "stats_table",
        "cli",
        after={
            "format": fmt,
            "rows": rows_dim,
            "cols": cols_dim,
            "measure": measure,
            "filters": filters.as_dict(),
            "suppression": {"enabled": supp.enabled, "threshold": supp.threshold},
            "personal_data": False,
            "via": "cli",
        },
    )
    db.session.commit()
    click.echo(f"wrote {out} ({len(fig.table.rows)} rows)")


def _cohort_ids(values: tuple[str, ...]) -> tuple[int, ...]:
    """Cohorts by id or by name; a name shared by cohorts of several programmes is refused."""
    from academy.certification.models import Cohort

    out = []
    for value in values:
        if value.isdigit() and db.session.get(Cohort, int(value)) is not None:
            out.append(int(value))
            continue
        ids = db.session.scalars(select(Cohort.id).where(Cohort.name == value)).all()
        if len(ids) != 1:
            problem = "no cohort" if not ids else "several cohorts are called"
            raise click.BadParameter(f"{problem} {value!r}", param_hint="--cohort")
        out.append(ids[0])
    return tuple(out)


def _write(rows, fmt: str, out: str, sheet: str, about: list[tuple[str, str]] | None = None) -> None:
    from academy.stats import exports

    if fmt == "csv":
        exports.write_csv(rows, out)
    else:
        exports.write_xlsx(rows, out, sheet=sheet, about=about)


@click.command("bench-data")
@click.option("--learners", type=click.IntRange(1), default=110_000, show_default=True)
@click.option("--enrolments", type=click.IntRange(0), default=250_000, show_default=True)
@click.option("--courses", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--seed", type=int, default=177, show_default=True)
@click.option("--force", is_flag=True, help="Run even on a database that holds real user accounts.")
def bench_data(learners, enrolments, courses, seed, force):
    """Fill a separate database (ACADEMY_DATABASE_URL) with a synthetic population
    (the generator is benchmark tooling: bench/benchdata.py in a source checkout)."""
    from flask_migrate import upgrade

    try:
        from bench.benchdata import BenchDataError, check_target, generate
    except ModuleNotFoundError as exc:
        if exc.name not in ("bench", "bench.benchdata"):
            raise
        raise click.ClickException("bench-data needs the bench/ directory of a source checkout: "
                                   "run it from the repository's root") from None

    if not os.environ.get("ACADEMY_DATABASE_URL") and not force and not current_app.testing:
        raise click.UsageError("set ACADEMY_DATABASE_URL to a separate database for bench data (or --force)")
    click.echo(f"database: {db.engine.url.render_as_string(hide_password=True)}")
    upgrade()  # a new database gets the schema; an existing one is brought up to date
    try:
        check_target(force)
        counts = generate(learners, enrolments, courses=courses, seed=seed, echo=click.echo)
    except BenchDataError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(", ".join(f"{k}: {v:,}" for k, v in counts.items() if k != "seconds") + f" in {counts['seconds']}s")


def register(group: AppGroup) -> None:
    group.add_command(stats_cli)
    group.add_command(bench_data)

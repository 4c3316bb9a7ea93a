"""`flask --app wsgi academy …` commands: course import, demo data."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from academy.extensions import db

academy_cli = AppGroup("academy", help="Academy administration commands.")
courses_cli = AppGroup("courses", help="Course packages.")
academy_cli.add_command(courses_cli)


def _add_feature_commands() -> None:
    from academy.certificates.cli import certificates_cli
    from academy.stats.cli import register as register_stats

    academy_cli.add_command(certificates_cli)
    register_stats(academy_cli)


_add_feature_commands()


@courses_cli.command("import")
@click.argument("path", type=click.Path(file_okay=False))
def import_course(path: str) -> None:
    """Validate a course package and import it atomically (nothing is written on error)."""
    from academy.courses.package import PackageError, load_package
    from academy.courses.services import import_package

    try:
        pkg = load_package(path)
    except PackageError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from None
    try:
        course, summary = import_package(pkg)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    verb = "created" if summary["created"] else "updated"
    click.echo(
        f"{course.code} {verb}: {len(pkg.languages)} languages, {len(pkg.modules)} modules, "
        f"{summary['lessons_added']} lessons added, {summary['lessons_updated']} updated, "
        f"{summary['lessons_retired']} retired"
    )


@academy_cli.command("seed-demo")
def seed_demo() -> None:
    """Load the demo data (idempotent) and print the demo accounts."""
    from academy.demo import seed

    seed(echo=click.echo)

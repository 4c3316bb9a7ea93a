"""`flask --app wsgi academy …` commands: course import, demo data, translations."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from academy.extensions import db

academy_cli = AppGroup("academy", help="Academy administration commands.")
courses_cli = AppGroup("courses", help="Course packages.")
academy_cli.add_command(courses_cli)


def add_feature_commands() -> None:
    """The features' own command groups (called from create_app, not at import; adding a
    command twice replaces it, so a second app changes nothing)."""
    from academy.certificates.cli import certificates_cli
    from academy.certification.cli import certification_cli
    from academy.stats.cli import register as register_stats

    academy_cli.add_command(certificates_cli)
    academy_cli.add_command(certification_cli)
    register_stats(academy_cli)


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


@academy_cli.command("daily")
def daily() -> None:
    """Daily housekeeping (cron): deadline reminders, overdue timed quiz attempts closed and
    graded, expired statistics exports deleted. Idempotent: a rerun does nothing twice."""
    from academy.assessments.services import expire_overdue
    from academy.certification.services import send_deadline_reminders
    from academy.stats.jobs import purge_expired

    try:
        reminders = send_deadline_reminders()
        db.session.commit()
        expired = expire_overdue()
        db.session.commit()
        purged = purge_expired()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"{reminders} deadline reminder(s) sent, {expired} overdue quiz attempt(s) closed and graded, "
               f"{purged} expired export(s) deleted.")


@academy_cli.command("backup")
@click.argument("out", type=click.Path(dir_okay=False))
def backup(out: str) -> None:
    """Write a consistent snapshot of the database and every stored file to OUT (.tar.gz)."""
    from academy.core.backup import create_backup

    click.echo(f"Backing up to {out}")
    manifest = create_backup(out, echo=click.echo)
    rows = sum(manifest["tables"].values())
    click.echo(f"Done: {rows} rows in {len(manifest['tables'])} tables, {len(manifest['files'])} files, "
               f"schema revision {manifest['revision']}.")


@academy_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
def restore(archive: str) -> None:
    """Restore ARCHIVE (made by `academy backup`) into this empty instance."""
    from academy.core.backup import BackupError, restore_backup

    click.echo(f"Restoring {archive}")
    try:
        manifest = restore_backup(archive, echo=click.echo)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Done: backup of {manifest['created_at']} from {manifest['dialect']} restored.")


translations_cli = AppGroup("translations", help="Message catalogues (see academy/core/catalogues.py).")
academy_cli.add_command(translations_cli)


@translations_cli.command("update")
def translations_update() -> None:
    """Extract messages, merge them into every catalogue, compile."""
    from academy.core import catalogues

    raise SystemExit(catalogues.main(["update"]))


@translations_cli.command("check")
def translations_check() -> None:
    """List untranslated, fuzzy or broken entries; exit 1 if there are any."""
    from academy.core import catalogues

    raise SystemExit(catalogues.main(["check"]))

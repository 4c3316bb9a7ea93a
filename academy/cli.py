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
    from academy.xapi.cli import xapi_cli

    academy_cli.add_command(certificates_cli)
    academy_cli.add_command(certification_cli)
    register_stats(academy_cli)
    academy_cli.add_command(xapi_cli)


def _package_or_exit(path: str):
    """The course package at ``path``, or every problem with it on stderr and exit status 1."""
    from academy.courses.package import PackageError, load_package

    try:
        return load_package(path)
    except PackageError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(1) from None


@courses_cli.command("import")
@click.argument("path", type=click.Path(file_okay=False))
def import_course(path: str) -> None:
    """Validate a course package and import it atomically (nothing is written on error)."""
    from academy.courses.services import import_package

    pkg = _package_or_exit(path)
    try:
        course, summary = import_package(pkg)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for line in pkg.extra.get("glossary_report", []):
        click.echo(f"warning: glossary: {line}")
    verb = "created" if summary["created"] else "updated"
    click.echo(
        f"{course.code} {verb}: {len(pkg.languages)} languages, {len(pkg.modules)} modules, "
        f"{summary['lessons_added']} lessons added, {summary['lessons_updated']} updated, "
        f"{summary['lessons_retired']} retired"
    )
    from academy.courses.freshness import stale_translations

    # Translations made from a source version that has changed since: the translators' to-do list.
    for language, items in stale_translations(course).items():
        click.echo(f"out of date in {language}: {len(items)} translation(s) made from an older source")
        for item in items:
            click.echo(f"  {item.kind} {item.key}: {item.title}")


@courses_cli.command("review")
@click.argument("path", type=click.Path(file_okay=False))
@click.option("--markdown", is_flag=True, help="Markdown tables, as the package README quotes them.")
def review_course(path: str, markdown: bool) -> None:
    """Check a course package and print what a reviewer needs: words per lesson, exercises per
    module, application items per quiz, computed time, and texts that stray from the glossary."""
    from academy.courses.review import review_markdown, review_report

    pkg = _package_or_exit(path)
    if markdown:
        click.echo(review_markdown(pkg), nl=False)
        return
    report = review_report(pkg)
    for quiz in report["quizzes"]:
        click.echo(f"quiz {quiz['quiz']}: {quiz['pool']} items, {quiz['draw']} drawn, "
                   f"{quiz['share_apply']:.0%} apply, {quiz['linked']} linked to an objective")
    for row in report["exercises"]:
        click.echo(f"module {row['module']}: {row['exercises']} exercises ({row['graded']} graded automatically)")
    click.echo("minutes: " + ", ".join(f"{lang} {m}" for lang, m in report["minutes"].items()))
    for line in report["glossary_report"]:
        click.echo(f"glossary: {line}")


@academy_cli.command("seed-demo")
def seed_demo() -> None:
    """Load the demo data (idempotent) and print the demo accounts."""
    from academy.demo import seed

    seed(echo=click.echo)


@academy_cli.command("daily")
def daily() -> None:
    """Daily housekeeping, by hand (the queue's consumer runs it every day at 06:15): deadline
    reminders, overdue timed quiz attempts closed and graded, expired exports deleted.
    Idempotent: a rerun does nothing twice."""
    from academy.jobs.tasks import run_daily

    done = run_daily()
    click.echo(f"{done['reminders']} deadline reminder(s) sent, {done['expired_attempts']} overdue quiz attempt(s) "
               f"closed and graded, {done['purged_jobs']} expired export(s) deleted.")


@academy_cli.command("worker")
@click.option("--workers", "-w", type=int, default=None,
              help="Worker processes (default ACADEMY_QUEUE_WORKERS, else one per CPU).")
@click.option("--threads", is_flag=True, help="Threads instead of processes (light work, e-mail only).")
@click.option("--no-periodic", is_flag=True,
              help="Do not run the schedules (when another consumer, on any machine, already does).")
def worker(workers: int | None, threads: bool, no_periodic: bool) -> None:
    """Run a queue consumer: e-mail, exports, certificates, and the schedules that replace cron."""
    import logging
    import os

    from flask import current_app

    from academy.core.queue import get_huey
    from academy.jobs.services import recover_interrupted

    app = current_app
    if app.config["QUEUE_IMMEDIATE"]:
        raise click.UsageError("ACADEMY_QUEUE_IMMEDIATE is on: tasks run in the web process; no consumer needed.")
    workers = workers or app.config["QUEUE_WORKERS"] or os.cpu_count() or 1
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s [queue] %(name)s %(message)s",
                        force=True)
    # What a consumer killed mid-job left behind goes back on the queue before work starts.
    requeued = recover_interrupted()
    if requeued:
        click.echo(f"queue: {len(requeued)} interrupted job(s) queued again", err=True)
    db.session.remove()
    for engine in db.engines.values():
        engine.dispose()  # worker processes open their own connections (nothing shared over fork)
    consumer = get_huey().create_consumer(workers=workers, worker_type="thread" if threads else "process",
                                             periodic=not no_periodic, max_delay=1.0, check_worker_health=True)
    consumer.run()


@academy_cli.command("run-all")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def run_all(host: str, port: int) -> None:
    """Development: the web server and a queue consumer together, their output in this
    console; Ctrl-C stops both."""
    import signal
    import subprocess  # nosec B404 - starts our own flask commands, no shell
    import sys
    import time

    flask = [sys.executable, "-m", "flask"]
    procs = [
        subprocess.Popen([*flask, "academy", "worker", "--workers", "1", "--threads"]),  # noqa: S603  # nosec B603 - our own argv
        subprocess.Popen([*flask, "run", "--host", host, "--port", str(port)]),  # noqa: S603  # nosec B603 - our own argv
    ]
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass  # the terminal sent SIGINT to both children as well
    finally:
        consumer, web = procs
        if consumer.poll() is None:
            consumer.send_signal(signal.SIGINT)  # Huey's graceful stop: the running task finishes
        if web.poll() is None:
            web.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
    failed = [p.returncode for p in procs if p.returncode not in (0, -signal.SIGINT, -signal.SIGTERM, None)]
    if failed:
        raise SystemExit(failed[0])


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

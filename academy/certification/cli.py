"""`flask --app wsgi academy certification …` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from academy.extensions import db

certification_cli = AppGroup("certification", help="The TISC staff certification.")


@certification_cli.command("remind")
def remind() -> None:
    """Notify learners whose practice deadline is 7 days away or less (once per deadline; safe to rerun)."""
    from academy.certification.services.deadlines import send_deadline_reminders

    try:
        sent = send_deadline_reminders()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"{sent} deadline reminder(s) sent.")

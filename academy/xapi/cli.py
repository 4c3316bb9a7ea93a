from __future__ import annotations

from datetime import UTC, datetime

import click

xapi_cli = click.Group("xapi", help="xAPI statements: send them to the LRS again.")


@xapi_cli.command("replay")
@click.option("--since", required=True, type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="Re-send the statements made since this date (UTC).")
@click.option("--now", "at_once", is_flag=True, help="Send here and now instead of through the queue.")
def replay(since: datetime, at_once: bool) -> None:
    """Send the statements made since a date to the LRS again (the LRS keeps one copy of each)."""
    from flask import current_app

    from academy.extensions import db
    from academy.xapi.services import replay as mark_unsent
    from academy.xapi.services import send_pending

    if not current_app.config.get("XAPI_LRS_URL"):
        raise click.ClickException("ACADEMY_XAPI_LRS_URL is not set")
    count = mark_unsent(since.replace(tzinfo=UTC))
    db.session.commit()
    if at_once:
        click.echo(f"{send_pending()} statements sent")
    else:
        send_pending.enqueue()
        click.echo(f"{count} statements queued for sending")

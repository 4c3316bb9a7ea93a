from __future__ import annotations

from datetime import UTC, datetime

import click

xapi_cli = click.Group("xapi", help="xAPI statements: send them to the LRS again.")


SINCE = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"])


def rebuild_history(since: datetime) -> int:
    """Add the missing statements of the events since ``since``, committing a batch at a time."""
    from academy.extensions import db
    from academy.xapi.services import rebuild

    added = 0
    for count in rebuild(since):
        db.session.commit()
        added += count
    return added


@xapi_cli.command("rebuild")
@click.option("--since", required=True, type=SINCE, help="Events since this date (UTC).")
def rebuild_command(since: datetime) -> None:
    """Make the statements of past events the outbox lacks (events from before xAPI was set
    up, or imported in bulk), without sending them."""
    click.echo(f"{rebuild_history(since.replace(tzinfo=UTC))} statements rebuilt from history")


@xapi_cli.command("replay")
@click.option("--since", required=True, type=SINCE,
              help="Re-send the statements of the events since this date (UTC).")
@click.option("--now", "at_once", is_flag=True, help="Send here and now instead of through the queue.")
def replay(since: datetime, at_once: bool) -> None:
    """Send the history since a date to the LRS again (the LRS keeps one copy of each
    statement): the statements kept, and those of older events the outbox lacks, rebuilt
    from the site's records."""
    from flask import current_app

    from academy.extensions import db
    from academy.xapi.services import replay as mark_unsent
    from academy.xapi.services import send_pending

    if not current_app.config.get("XAPI_LRS_URL"):
        raise click.ClickException("ACADEMY_XAPI_LRS_URL is not set")
    since = since.replace(tzinfo=UTC)
    rebuilt = rebuild_history(since)
    if rebuilt:
        click.echo(f"{rebuilt} statements rebuilt from history")
    count = mark_unsent(since)
    db.session.commit()
    if at_once:
        click.echo(f"{send_pending()} statements sent")
    else:
        send_pending.enqueue()
        click.echo(f"{count} statements queued for sending")

"""``flask --app policyhub mail ...``: send queued mail, queue digests."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import click
from flask import Flask
from flask.cli import AppGroup

mail_cli = AppGroup("mail", help="Send queued mail and queue digests.")


@mail_cli.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Send at most this many messages.")
@click.option("--loop", is_flag=True, help="Keep running, looking for due mail every --interval seconds.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds between rounds with --loop.")
def send(limit: int | None, loop: bool, interval: float) -> None:
    """Send due mail (oldest first) and print what happened, e.g. 'sent 3, failed 0, retrying 1'."""
    from policyhub.mailing.sending import send_due
    if not loop:
        click.echo(str(send_due(limit)))
        return
    try:
        while True:
            summary = send_due(limit)
            if summary.sent or summary.failed or summary.retrying:
                click.echo(str(summary))
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped")


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date or time, e.g. 2026-11-30T07:00:00Z",
                                 param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@mail_cli.command("digests")
@click.option("--period", type=click.Choice(["daily", "weekly", "both"]), default="both", show_default=True)
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this moment (UTC unless it says).")
def digests(period: str, now_text: str | None) -> None:
    """Queue the daily and/or weekly digests not queued yet for this period; `mail send` sends them."""
    from policyhub.mailing.digests import queue_digests
    now = _parse_now(now_text)
    for name in (("daily", "weekly") if period == "both" else (period,)):
        count = queue_digests(name, now)
        click.echo(f"queued {count} {name} digest{'s' if count != 1 else ''}")


def register(app: Flask) -> None:
    app.cli.add_command(mail_cli)

"""``flask --app policyhub search ...``: rebuild the index, apply queued jobs."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

search_cli = AppGroup("search", help="Manage the search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index from the database (searches use the old index until it is done)."""
    from policyhub.search import services
    total = services.count_entries()
    try:
        with click.progressbar(length=total, label="Indexing documents and amendments") as bar:
            count = services.rebuild(progress=bar.update)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Indexed {count} documents and amendments.")


@search_cli.command("apply-jobs")
def apply_jobs() -> None:
    """Apply queued index jobs now (including those waiting after a failure)."""
    from policyhub.search import services
    applied = services.apply_pending_jobs(include_delayed=True)
    click.echo(f"Applied {applied} index jobs; {services.pending_jobs()} still queued.")


def register(app: Flask) -> None:
    app.cli.add_command(search_cli)

"""``flask --app policyhub ...`` commands. They call the same services as the web pages.

Each fails with a one-line message and a non-zero exit on bad input.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

import click
from flask import Flask
from flask.cli import AppGroup

from policyhub.errors import Invalid, PolicyHubError
from policyhub.permissions import SYSTEM
from policyhub.search import cli as search_commands

parties_cli = AppGroup("parties", help="Manage parties.")
users_cli = AppGroup("users", help="Manage people and API tokens.")


def _one_line(error: PolicyHubError) -> str:
    if isinstance(error, Invalid) and error.fields:
        return "; ".join(f"{name}: {message}" for name, message in error.fields.items())
    return error.message


def domain_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain errors into click's one-line failure (exit status 1)."""
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PolicyHubError as error:
            raise click.ClickException(_one_line(error)) from None
    return wrapper


@parties_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="Display name, e.g. 'Plaid Cymru'.")
@click.option("--colour", required=True, help="Hex colour, e.g. '#005B54'.")
@domain_errors
def create_party(slug: str, name: str, colour: str) -> None:
    """Add a party."""
    from policyhub.parties.services import create_party
    party = create_party(SYSTEM, slug, name, colour)
    click.echo(f"Created party {party.name} ({party.slug}).")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--party", "party_slug", help="Slug of the party to join, approved at once.")
@click.option("--role", type=click.Choice(["member", "lead"]), default="member", show_default=True)
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@domain_errors
def create_user(email: str, name: str, password: str, party_slug: str | None, role: str, admin: bool) -> None:
    """Add a user, with an approved membership when --party is given."""
    from policyhub.accounts.services import register_user
    from policyhub.parties.services import add_member, get_party
    party = get_party(party_slug) if party_slug else None  # fail before creating anything
    user = register_user(email, name, password, is_admin=admin, confirmed=True)
    if party is not None:
        add_member(SYSTEM, user, party, role)
    where = f", {role} of {party.name}" if party else ""
    click.echo(f"Created {user.email}{where}{' (admin)' if admin else ''}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="", help="What the token is for.")
@domain_errors
def create_token(email: str, label: str) -> None:
    """Make an API token and print it, alone on its line, once."""
    from policyhub.accounts.services import create_token, find_user
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    _token, raw = create_token(None, user, label)
    click.echo(raw)


@click.command("demo")
@domain_errors
def demo() -> None:
    """Load demo parties, people and documents into an empty database."""
    from policyhub.demo import load_demo
    loaded = load_demo()
    if loaded is None:
        click.echo("The database already has content; the demo was not loaded and nothing changed.")
        return
    click.echo(loaded)


def register(app: Flask) -> None:
    for command in (parties_cli, users_cli, demo):
        app.cli.add_command(command)
    search_commands.register(app)
    from policyhub.mailing import cli as mail_commands
    mail_commands.register(app)

"""Helpers for the account tests: the mails the app wrote to its outbox, the links in them, cookies."""
from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE

from ..mailbox import mailed_links as links, read_outbox

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a different horse entirely"


@pytest.fixture
def outbox(app: Flask) -> Callable[..., list[EmailMessage]]:
    """``outbox(to=None)``: the mails written to ``<instance>/outbox`` (no SMTP_URL in tests), oldest first."""
    return lambda to=None: read_outbox(Path(app.instance_path) / "outbox", to)


def only_link(message: EmailMessage, kind: str) -> str:
    """The one link in the mail whose path contains ``kind``; its path (the tests' client has no host)."""
    found = [link for link in links(message) if kind in link]
    assert len(found) == 1, message.get_content()
    return urlsplit(found[0]).path


def main_content(response) -> str:
    """The page's <main>, where pages for different accounts must not differ."""
    html = response.get_data(as_text=True)
    return html[html.index('<main id="main"'):html.index("</main>")]


def copy_cookies(app: Flask, source: FlaskClient, target: FlaskClient, *names: str) -> None:
    """Give ``target`` the cookies ``source`` holds, as a thief who copied them would."""
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, f"{name} was not set"
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def session_cookie(app: Flask) -> str:
    return app.config["SESSION_COOKIE_NAME"]


def remember_cookie(app: Flask) -> str:
    return app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/account")
    return response.status_code == 200

"""Fixtures for the mail tests: a real SMTP server on loopback (aiosmtpd) collecting what it receives, an app
that sends to it, and helpers to watch documents and read the queue."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from policyhub.extensions import db
from policyhub.mailing.models import OutgoingMail

from ..mailbox import read_outbox


class Collector:
    """An aiosmtpd handler keeping every message it accepts: (envelope sender, recipients, message)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _, _, message in self.received]


@pytest.fixture
def smtp_port() -> int:
    """A free port on 127.0.0.1; nothing listens there until ``start_smtp`` starts a server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_smtp(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    """For a module's ``app_config``: mail goes to 127.0.0.1:``smtp_port``, links under a prefixed BASE_URL."""
    return {**app_config, "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "BASE_URL": "https://agenda.example/hub/",
            "MAIL_FROM": "PolicyHub <hub@agenda.example>"}


@pytest.fixture
def start_smtp(smtp_port: int) -> Iterator[Callable[[], Collector]]:
    """``start_smtp()``: start the server on ``smtp_port`` (for tests where it is down at first)."""
    controllers: list[Controller] = []

    def start() -> Collector:
        handler = Collector()
        controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        controllers.append(controller)
        return handler
    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp_server(start_smtp) -> Collector:
    return start_smtp()


@pytest.fixture
def outbox(app: Flask) -> Callable[..., list[EmailMessage]]:
    return lambda to=None: read_outbox(Path(app.instance_path) / "outbox", to)


@pytest.fixture
def queued() -> Callable[[], list[OutgoingMail]]:
    """The queue as committed, oldest first (a fresh snapshot each time)."""
    def rows() -> list[OutgoingMail]:
        db.session.rollback()
        return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))
    return rows


@pytest.fixture
def watching(app: Flask):
    """``watching(user, document)``: make ``user`` watch ``document``."""
    from policyhub.notifications.services import watch
    return watch


@pytest.fixture
def prefer(app: Flask):
    """``prefer(user, kind=cadence, ...)``: set some of ``user``'s mail cadences."""
    from policyhub.mailing.preferences import set_preferences

    def choose(user: Any, **choices: str) -> None:
        set_preferences(user, user, choices)
    return choose

"""policyhub.mail: an .eml in the instance's outbox (and a log line) without SMTP, smtplib with it, links from the
configured base URL, failures logged and never raised, and sending after the response inside a request."""
from __future__ import annotations

import logging
import smtplib

import pytest
from flask import Flask

from policyhub import mail

from .conftest import links


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BASE_URL": "https://agenda.example/hub/", "MAIL_FROM": "Agenda <agenda@example.org>"}


def test_without_smtp_a_mail_is_written_to_the_outbox_and_logged(app, outbox, caplog):
    caplog.set_level(logging.INFO, logger="policyhub.mail")
    mail.send_mail("ann@example.org", "Hello Ann", "Open https://agenda.example/hub/x to go on.\n")
    [message] = outbox()
    assert message["To"] == "ann@example.org" and message["Subject"] == "Hello Ann"
    assert message["From"] == "Agenda <agenda@example.org>" and message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "text/plain" and not message.is_multipart()
    assert links(message) == ["https://agenda.example/hub/x"]
    [line] = [r.getMessage() for r in caplog.records if r.name == "policyhub.mail"]
    assert "ann@example.org" in line and "Hello Ann" in line and "https://agenda.example/hub/x" in line


def test_outbox_names_sort_by_time_and_never_collide(app, outbox):
    for n in range(5):
        mail.send_mail("ann@example.org", f"Mail {n}", "Text.\n")
    assert [m["Subject"] for m in outbox()] == [f"Mail {n}" for n in range(5)]


class FakeSMTP:
    """Stands in for smtplib's classes and records what was asked of them."""

    calls: list[tuple] = []

    def __init__(self, host: str, port: int, timeout: float, **kwargs) -> None:
        self.calls.append((type(self).__name__, host, port, timeout, sorted(kwargs)))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append(("quit",))

    def starttls(self, context=None):
        self.calls.append(("starttls", context is not None))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"], message["Subject"], message.get_content()))


class FakeSMTP_SSL(FakeSMTP):
    pass


@pytest.fixture
def fake_smtp(monkeypatch):
    FakeSMTP.calls = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP_SSL)
    return FakeSMTP.calls


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example", [("FakeSMTP", "mail.example", 25, 10, [])]),
    ("smtp://u%40x:p%3Ass@mail.example:2525?starttls=1",
     [("FakeSMTP", "mail.example", 2525, 10, []), ("starttls", True), ("login", "u@x", "p:ss")]),
    ("smtps://user:secret@mail.example",
     [("FakeSMTP_SSL", "mail.example", 465, 10, ["context"]), ("login", "user", "secret")]),
])
def test_with_smtp_url_mail_goes_through_smtplib(make_app, fake_smtp, url, expected, tmp_path):
    app = make_app(SMTP_URL=url)
    with app.app_context():
        mail.send_mail("ann@example.org", "Hello Ann", "Text.\n")
    assert fake_smtp == [*expected, ("send", "ann@example.org", "Hello Ann", "Text.\n"), ("quit",)]
    assert not (tmp_path / "instance" / "outbox").exists()


def test_a_failed_mail_is_logged_and_never_raised(make_app, closed_port, caplog):
    app = make_app(SMTP_URL=f"smtp://127.0.0.1:{closed_port}")
    with app.app_context():
        assert mail.send_mail("ann@example.org", "Hello Ann", "Secret link.\n") is None
    [record] = [r for r in caplog.records if r.name == "policyhub.mail"]
    assert record.levelno == logging.ERROR and record.exc_info and "ann@example.org" in record.getMessage()
    assert "Secret link" not in record.getMessage()  # a real server was configured: links stay out of logs


def test_links_use_the_configured_base_url_never_the_host_header(app):
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert mail.external_url("accounts.login") == "https://agenda.example/hub/login"
        assert mail.external_url("accounts.reset_password", token="abc") == \
            "https://agenda.example/hub/password/reset/abc"


def test_inside_a_request_the_mail_goes_once_the_response_is_sent(app: Flask, client, outbox):
    seen_during_request = []

    def view() -> str:
        mail.send_after_response("ann@example.org", "Later", "Text.\n")
        seen_during_request.append(len(outbox()))
        return "done"

    app.add_url_rule("/test-mail", view_func=view)
    assert client.get("/test-mail").status_code == 200
    assert seen_during_request == [0]
    assert [m["Subject"] for m in outbox()] == ["Later"]


def test_outside_a_request_the_mail_goes_at_once(app, outbox):
    mail.send_after_response("ann@example.org", "Now", "Text.\n")
    assert [m["Subject"] for m in outbox()] == ["Now"]

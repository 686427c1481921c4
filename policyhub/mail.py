"""Outgoing mail: plain text, or plain text with an HTML alternative, and any extra headers.

With ``SMTP_URL`` (``smtp://user:pass@host:port``, ``smtps://`` for TLS from the start, ``?starttls=1`` to
upgrade a plain connection) mail goes through that server. Without one, each message is written to
``<instance>/outbox/`` as an .eml file and logged on ``policyhub.mail``, so that a developer can follow the
links it carries. A failure is logged and never reaches the person whose request asked for the mail.

Links in mails are built from ``BASE_URL``, never from the request's Host header, which the sender of the
request controls. A mail is written in its recipient's language, not in that of whoever's request caused it:
render it, subject included, inside ``in_language_of(recipient)``.

``send_mail`` is for mails a request asks for (confirmations, resets) and never raises; ``deliver`` is for the
mail queue's worker (policyhub.mailing.sending), which must know about a failure to try again later. Both
build the message and pick the transport the same way.
"""
from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask, after_this_request, current_app, has_request_context
from flask_babel import force_locale
from werkzeug.wrappers import Response

from policyhub import i18n

logger = logging.getLogger("policyhub.mail")

SMTP_TIMEOUT_SECONDS = 10
OUTBOX = "outbox"


def send_mail(to: str, subject: str, text: str, *, html: str | None = None,
              headers: Mapping[str, str] | None = None, message_id: str | None = None) -> None:
    """Send one message now. Never raises: a failure is logged."""
    try:
        deliver(to, subject, text, html=html, headers=headers, message_id=message_id)
    except Exception:
        logger.exception("mail to %s, subject %r, could not be sent", to, subject)


def deliver(to: str, subject: str, text: str, *, html: str | None = None,
            headers: Mapping[str, str] | None = None, message_id: str | None = None) -> None:
    """Send one message now through ``SMTP_URL``, else write it to the outbox and log it. Raises on failure.

    ``message_id`` (``<...@...>``) keeps one Message-ID across retries of one queued mail."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    message = build_message(app.config["MAIL_FROM"], to, subject, text, html=html, headers=headers,
                            message_id=message_id)
    url = app.config.get("SMTP_URL")
    if url:
        _send_smtp(url, message)
    else:
        path = _write_outbox(Path(app.instance_path) / OUTBOX, message)
        logger.info("mail to %s, subject %r, written to %s:\n%s", to, subject, path, text)


def message_id_for(key: str) -> str:
    """A stable Message-ID for ``key`` (e.g. a queued mail's id), in the domain of ``MAIL_FROM``."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    domain = parseaddr(app.config["MAIL_FROM"])[1].rpartition("@")[2] or "policyhub.invalid"
    return f"<{key}@{domain}>"


def send_after_response(to: str, subject: str, text: str) -> None:
    """Send once the response has gone out (at once outside a request): the time a request takes then
    says nothing about whether it sent a mail, which would tell whether an address has an account."""
    if not has_request_context():
        send_mail(to, subject, text)
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]

    def send_in_app() -> None:
        with app.app_context():
            send_mail(to, subject, text)

    @after_this_request
    def defer(response: Response) -> Response:
        response.call_on_close(send_in_app)
        return response


def in_language_of(recipient: Any, fallback: str = i18n.DEFAULT) -> AbstractContextManager[None]:
    """A context to write a mail in: gettext and templates answer in the recipient's chosen language
    (``User.locale``), else in ``fallback`` (English, unless the caller knows better)."""
    return force_locale(i18n.supported(getattr(recipient, "locale", None)) or i18n.supported(fallback)
                        or i18n.DEFAULT)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for ``endpoint`` under the configured ``BASE_URL`` (which may have a path prefix)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    base = urlsplit(str(app.config["BASE_URL"]).rstrip("/"))
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def build_message(sender: str, to: str, subject: str, text: str, *, html: str | None = None,
                  headers: Mapping[str, str] | None = None, message_id: str | None = None) -> EmailMessage:
    """Plain text alone, or multipart/alternative with ``html`` as the preferred part."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    for name, value in (headers or {}).items():
        if name.lower() in _OWN_HEADERS:
            raise ValueError(f"header {name} is set by build_message")
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


_OWN_HEADERS = frozenset({"from", "to", "subject", "date", "message-id", "content-type",
                          "content-transfer-encoding", "mime-version"})


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:pass@host:port or smtps://...")
    starttls = parse_qs(parts.query).get("starttls", ["0"])[-1].lower() in ("1", "true", "yes", "on")
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if parts.scheme == "smtps":
        server = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        server = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=SMTP_TIMEOUT_SECONDS)
    with server:
        if starttls:
            server.starttls(context=context)
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        server.send_message(message)


def _write_outbox(folder: Path, message: EmailMessage) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(message.as_bytes())
    return path

"""The mails an app wrote to its outbox (``<instance>/outbox/*.eml``, one file each; no SMTP_URL in tests)."""
from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

LINK = re.compile(r"https?://[^\s<>\"']+")


def read_outbox(folder: Path, to: str | None = None) -> list[EmailMessage]:
    """The mails in ``folder``, oldest first (the file names sort by time), only those to ``to`` if given."""
    paths = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    messages = [message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]
    return [m for m in messages if to is None or str(m["To"]).lower() == to.lower()]  # type: ignore[misc]


def mailed_links(message: EmailMessage) -> list[str]:
    """The web links in the mail's plain-text body, in order."""
    body = message.get_body(("plain",))
    assert body is not None, message
    return [link.rstrip(".,;)") for link in LINK.findall(body.get_content())]

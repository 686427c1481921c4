"""Jinja filters and globals. Templates format; they never query."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask


def format_datetime(value: datetime | None, style: str = "medium") -> str:
    """Always English: for exported Markdown, which is a document of its own, not the reader's interface.
    Pages use i18n.format_when (the ``datetime`` filter)."""
    if value is None:
        return ""
    value = value.astimezone(timezone.utc)
    if style == "short":
        return f"{value.day} {value:%b %Y}"
    return f"{value.day} {value:%b %Y, %H:%M} UTC"


def isoformat(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(timezone.utc).isoformat(timespec="seconds")


def page_window(page: int, pages: int, window: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and ``window`` either side of ``page``; None marks a gap.

    Its length does not depend on ``pages``, so a history of 400 pages costs what one of 4 does.
    """
    shown = sorted({1, pages, *range(max(1, page - window), min(pages, page + window) + 1)})
    numbers: list[int | None] = []
    previous = 0
    for n in shown:
        if n - previous > 1:
            numbers.append(None)
        numbers.append(n)
        previous = n
    return numbers


@cache
def _content_version(path: Path) -> str:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=6).hexdigest()
    except OSError:  # a missing file answers 404 anyway
        return "0"


def register(app: Flask) -> None:
    app.jinja_env.filters.update(isoformat=isoformat)
    app.jinja_env.globals.update(page_window=page_window)
    static = Path(app.static_folder or "")

    @app.url_defaults
    def _version_static_files(endpoint: str, values: dict[str, Any]) -> None:
        # A link that changes with the file's content: browsers keep static files for a year
        # (SEND_FILE_MAX_AGE_DEFAULT) and still fetch a new version the moment it is deployed.
        if endpoint == "static" and "filename" in values and not app.debug:
            values.setdefault("v", _content_version(static / values["filename"]))

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

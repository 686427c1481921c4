"""Forwarded headers (X-Forwarded-For, -Proto, ...) are trusted only when ``PROXY_FIX`` says so.

Any client can send those headers. Honouring them without a proxy in front that overwrites them would let
anyone choose the address that rate limits and logs see, and the scheme of generated links. So they are
ignored by default, and ``POLICYHUB_PROXY_FIX`` names how many proxies in front set which of them:

- ``1`` (or any whole number N): N proxies set X-Forwarded-For and X-Forwarded-Proto;
- ``x_for=1,x_proto=1,x_host=0``: each header's count spelled out (``x_for``, ``x_proto``, ``x_host``,
  ``x_port``, ``x_prefix``; those left out stay 0);
- unset, empty, ``0`` or ``off``: none are trusted.

This is the one place where they are trusted: gunicorn.conf.py leaves gunicorn's own
``forwarded_allow_ips`` empty unless the environment sets it.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")
_OFF = ("", "0", "off", "false", "no", "none")


def parse_proxy_fix(value: Any) -> dict[str, int] | None:
    """ProxyFix's keyword arguments for a ``PROXY_FIX`` setting, or None when no header is trusted.

    Raises ValueError for a setting it cannot read, so that a typo stops the app at start-up instead of
    silently trusting (or ignoring) the proxy.
    """
    if value is None or value is False or (isinstance(value, str) and value.strip().lower() in _OFF):
        return None
    if value is True:  # POLICYHUB_PROXY_FIX=true: one proxy
        value = 1
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        hops = _count("PROXY_FIX", value)
        return {"x_for": hops, "x_proto": hops, "x_host": 0, "x_port": 0, "x_prefix": 0} if hops else None
    if not isinstance(value, str):
        raise ValueError(f"PROXY_FIX must be a number or 'x_for=1,x_proto=1,...', not {value!r}")
    counts = dict.fromkeys(HEADERS, 0)
    for part in value.split(","):
        name, equals, number = (piece.strip().lower() for piece in part.partition("="))
        if name not in counts or not equals:
            raise ValueError(f"PROXY_FIX: {part.strip()!r} is not one of {', '.join(HEADERS)} with '=N'")
        counts[name] = _count(f"PROXY_FIX {name}", number)
    return counts if any(counts.values()) else None


def _count(what: str, value: Any) -> int:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) > 10:
        raise ValueError(f"{what} must be a whole number of proxies from 0 to 10, not {value!r}")
    return int(text)


def init_app(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when ``PROXY_FIX`` trusts any forwarded header."""
    counts = parse_proxy_fix(app.config.get("PROXY_FIX"))
    if counts is not None:
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]

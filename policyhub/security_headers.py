"""Security headers on every response: pages, error pages, static files, the JSON API and the feeds.

One ``after_request`` hook. Flask runs after-request hooks for a view's response and for the response of
every error handler (404, 405, 413, 429, 500, 503 ...), and the static files are a view like any other,
so nothing leaves the app without them. Each header is only a default: a header a view set itself wins.

- The Content-Security-Policy allows scripts, styles and images from this site only (images also as
  ``data:`` URLs), no plugins, no ``<base>``, no framing and forms posting here only. The templates keep to
  it: no inline ``<script>``, no ``style=""``, no ``javascript:`` URLs (tests/test_pages_render.py).
- Strict-Transport-Security only when ``SECURE_COOKIES`` is on (config.py): over plain HTTP on a laptop it
  would make the browser refuse the next ``http://127.0.0.1`` visit.
- ``Cache-Control: no-store`` on responses that may be about the signed-in person (to a request with a
  signed-in session or remember cookie, one that sets the session cookie, or one that answered an API
  token): neither a shared cache nor the browser's back button after sign-out may keep them. Responses
  that chose their own caching keep it: static files (``send_file`` always sets Cache-Control), the party
  stylesheet, the feeds, /healthz. Anonymous pages are left as they were.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, g, session

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
NO_STORE = "no-store"

HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def is_personal() -> bool:
    """Whether this response may be about the signed-in person. Never a query: the database being down may
    be why this response is an error page (outages.py)."""
    if g.get("api_user") is not None:  # a token's answer (api/auth.py); anonymous API reads stay cacheable
        return True
    user = g.get("_login_user")  # where flask-login keeps the user once something asked for current_user
    if user is not None and getattr(user, "is_authenticated", False):  # also a sign-in by remember cookie
        return True
    # A Set-Cookie is coming (a cache must never hand it to someone else), or the browser sent a signed-in
    # session: whatever the view read from it, the answer is that person's.
    return session.modified or bool(session.get("_user_id"))


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SECURE_COOKIES"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if "Cache-Control" not in response.headers and is_personal():
        response.headers["Cache-Control"] = NO_STORE
    return response


def init_app(app: Flask) -> None:
    """After-request hooks run last-registered first; error responses go through them too."""
    app.after_request(add_security_headers)

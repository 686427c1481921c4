"""Configuration in three layers: code defaults, then ``instance/config.py``, then ``POLICYHUB_*``.

A test passes its own mapping, which replaces the instance file and is applied last, so that a developer's
environment can never point the test suite at a real database.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

from flask import Flask


class Defaults:
    SQLALCHEMY_DATABASE_URI: str | None = None  # derived from DATABASE_URL or the instance folder
    DATABASE_URL: str | None = None
    SECRET_KEY: str | None = None
    SEARCH_BACKEND = "whoosh"
    REDIS_URL: str | None = None
    LOGIN_RATE_LIMIT = "10/minute"
    # Budgets for writes and API token use (ratelimits.py); an empty value turns one off.
    API_TOKEN_RATE_LIMIT = "300/minute"
    API_WRITE_RATE_LIMIT = "60/minute"
    WRITE_RATE_LIMIT = "60/minute"
    SEARCH_RATE_LIMIT = "120/minute"
    # Forwarded headers are ignored unless this says which proxies set them (proxy.py): e.g. 1.
    PROXY_FIX: str | int | None = None
    # A request body over this is refused with 413 before anything reads it.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    PASSWORD_HASH_METHOD = "scrypt"
    # Links in mails start with this, never with the Host header a request arrived with (mail.py).
    BASE_URL = "http://127.0.0.1:5000"
    SMTP_URL: str | None = None  # smtp://user:pass@host:port, smtps://... or ?starttls=1; None: <instance>/outbox
    MAIL_FROM = "PolicyHub <no-reply@policyhub.invalid>"
    DOCUMENTS_PER_PAGE = 50
    REVISIONS_PER_PAGE = 25
    # Visitors' pages kept per process (pagecache.py); 0 turns the cache off. Pages say "3 minutes ago", so a
    # kept page is re-rendered after PAGE_CACHE_SECONDS even when nothing changed.
    PAGE_CACHE_BYTES = 32 * 1024 * 1024
    PAGE_CACHE_SECONDS = 60
    # Static files are linked with a hash of their content, so browsers may keep them for a year.
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600
    # Secure, __Host- prefixed cookies and HSTS; None means on unless the app runs in debug or test mode.
    SECURE_COOKIES: bool | None = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = 6 * 3600  # long edits: a token outlives an afternoon of drafting
    RATELIMIT_ENABLED = True  # explicit: flask-limiter would otherwise inherit the last app's setting
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"  # per process; REDIS_URL shares limits across processes
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # a Redis outage must not refuse every request
    JSON_SORT_KEYS = False


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill ``app.config`` from the three layers and derive the values that depend on the instance path."""
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("POLICYHUB")
    if test_config is not None:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    url = app.config.get("DATABASE_URL") or (None if test_config else os.environ.get("DATABASE_URL"))
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
            url or f"sqlite:///{instance / 'policyhub.db'}"
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    _secure_cookies(app)
    if app.config.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    # A database server's connections are tested before use, so that a restart or a dropped idle connection
    # costs a reconnect instead of an error (outages.py answers what still fails). A SQLite file cannot go
    # away like that, and the ping would cost every request.
    engine_options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        engine_options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options


def _secure_cookies(app: Flask) -> None:
    """Over HTTPS the cookies are Secure and ``__Host-`` prefixed (no Domain, Path=/), so that neither a
    plain-HTTP page nor a sibling subdomain can set or read them."""
    secure = app.config["SECURE_COOKIES"]
    if secure is None:
        secure = not (app.debug or app.testing)
    elif isinstance(secure, str):
        secure = secure.strip().lower() not in ("", "0", "false", "no", "off")
    secure = bool(secure)
    app.config["SECURE_COOKIES"] = secure
    if secure:
        app.config.update(
            SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_DOMAIN=False,
            SESSION_COOKIE_PATH="/", REMEMBER_COOKIE_SECURE=True, REMEMBER_COOKIE_NAME="__Host-remember_token",
            REMEMBER_COOKIE_DOMAIN=None, REMEMBER_COOKIE_PATH="/",
        )


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at psycopg 3, whatever spelling the host platform uses."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(path: Path) -> str:
    """Generate the session key once per instance and keep it, so sessions survive restarts."""
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # kept from an earlier start, or another worker won the race
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key

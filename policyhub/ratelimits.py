"""Rate limits on writes and on API token use, on top of the per-route ones (sign-in, registration).

Four budgets, read from the config on each request (flask-limiter notation, e.g. ``60/minute``; an empty
value turns one off):

- ``API_TOKEN_RATE_LIMIT``: every API request that presents a token, per token (keyed by its hash);
- ``API_WRITE_RATE_LIMIT``: POST, PUT, PATCH and DELETE under /api/, per user (per address without a token);
- ``WRITE_RATE_LIMIT``: the same methods on the HTML side, per signed-in user, else per address;
- ``SEARCH_RATE_LIMIT``: searches (the search page, the API's search, the document list with words), per
  signed-in user or token owner, else per address: each one costs the index far more than a page read.

Counts live in ``RATELIMIT_STORAGE_URI``: memory (one process) unless ``POLICYHUB_REDIS_URL`` names a Redis
that all workers share (config.py); should that Redis fail, each process falls back to counting in memory
rather than refusing requests. Exceeding a budget answers 429 with Retry-After, API.md's error body under
/api/ and the friendly page elsewhere.

The keys are worked out without a query: the limiter runs before the view, and a database outage must reach
the view's 503 handling (outages.py) rather than break the limiter. So the API caller is identified (token,
then user) by a hook that runs just before the limiter, and the HTML side keys on the session's user id.
"""
from __future__ import annotations

import hashlib
import math
import time
from typing import Any, Callable

from flask import Flask, current_app, g, make_response, request, session
from flask_babel import ngettext
from flask_limiter import ApplicationLimit, RateLimitExceeded

from policyhub.errors import html_error, json_error, wants_json

API_BLUEPRINT = "api"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
DEFAULT_RETRY_AFTER_SECONDS = 60


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config.get(name) or ""


def _is_api() -> bool:
    return request.blueprint == API_BLUEPRINT


def _token_key() -> str:
    return f"token:{g.get('api_token_digest')}"


def _api_caller_key() -> str:
    user = g.get("api_user")
    return f"user:{user.id}" if user is not None else f"addr:{request.remote_addr}"


def _html_caller_key() -> str:
    # Where flask-login keeps the signed-in user's "id.session_version": no query. Only the id counts, so
    # that signing out and in again does not buy a fresh budget.
    user_id = str(session.get("_user_id") or "").partition(".")[0]
    return f"user:{user_id}" if user_id else f"addr:{request.remote_addr}"


SEARCH_ENDPOINTS = frozenset({"search.search", "api.search"})


def _is_search() -> bool:
    if request.endpoint in SEARCH_ENDPOINTS:
        return True
    return request.endpoint == "documents.index" and bool(request.args.get("q", "").strip())


def _searcher_key() -> str:
    return _api_caller_key() if _is_api() else _html_caller_key()


# Handed to the Limiter in extensions.py; flask-limiter checks application limits before every request.
APPLICATION_LIMITS = [
    ApplicationLimit(_setting("API_TOKEN_RATE_LIMIT"), key_function=_token_key, scope="api-token",
                     exempt_when=lambda: not (_is_api() and g.get("api_token_digest"))),
    ApplicationLimit(_setting("API_WRITE_RATE_LIMIT"), key_function=_api_caller_key, scope="api-write",
                     methods=WRITE_METHODS, exempt_when=lambda: not _is_api()),
    ApplicationLimit(_setting("WRITE_RATE_LIMIT"), key_function=_html_caller_key, scope="write",
                     methods=WRITE_METHODS, exempt_when=_is_api),
    ApplicationLimit(_setting("SEARCH_RATE_LIMIT"), key_function=_searcher_key, scope="search",
                     exempt_when=lambda: not _is_search()),
]


def _identify_api_caller() -> None:
    """Before the limiter, on API requests: the token's hash and its user, for the limits' keys. A bad token
    is refused here with the API's own 401, exactly as the API's authentication would refuse it."""
    if not _is_api():
        return
    from policyhub.api.auth import authenticate, bearer_token  # not at the top: extensions.py imports us
    raw = bearer_token()
    # Not the hash the database looks tokens up by: the limiter's storage need not hold that.
    g.api_token_digest = hashlib.sha256(f"rate-limit:{raw}".encode()).hexdigest()[:32] if raw else None
    authenticate()


def _seconds_until_reset() -> int:
    from policyhub.extensions import limiter
    try:
        breached = limiter.current_limit
        if breached is not None:
            return max(1, math.ceil(breached.reset_at - time.time()))
    except Exception:  # the storage failed between the check and now: a minute is a fair guess
        pass
    return DEFAULT_RETRY_AFTER_SECONDS


def _too_many_requests(error: RateLimitExceeded) -> Any:
    seconds = _seconds_until_reset()
    message = (f"Too many requests: at most {error.limit.limit}. "
               f"Please wait {seconds} second{'s' if seconds != 1 else ''} and try again.")
    if wants_json():
        response = json_error(429, message)
    else:
        page_message = ngettext("Too many requests: at most %(limit)s. Please wait %(num)d second and try again.",
                                "Too many requests: at most %(limit)s. Please wait %(num)d seconds and try again.",
                                seconds, limit=str(error.limit.limit))
        response = make_response(html_error(429, page_message))
    response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask) -> None:
    """Bind the limiter, with the API caller identified just before it runs."""
    from policyhub.extensions import limiter
    app.before_request(_identify_api_caller)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many_requests)

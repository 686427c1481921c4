"""A request id for every request, and one JSON line per request on the ``policyhub.request`` logger.

The id is the incoming ``X-Request-ID`` when the proxy (or a client) sent one that is safe to echo and
log, else a fresh one, so that one id can follow a request through the proxy's logs and ours. It goes back
in the ``X-Request-ID`` response header and onto server-error pages, so that a person can quote it, and
onto every log record made while the request runs (``record.request_id``, "-" outside a request),
whichever logger made it: that is what ties a traceback to the request line and to the user's report.

A request line holds the method, the path (never the query string, which may carry secrets), the status,
the duration in milliseconds, the request id, the user id when the request already knew who was signed in,
and the client address (as ProxyFix left it: see proxy.py).
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import time
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

HEADER = "X-Request-ID"
NO_REQUEST = "-"
logger = logging.getLogger("policyhub.request")

# What we echo into a response header and our logs: no spaces, quotes or control characters, bounded.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
_factory_installed = False


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Gives a record ``request_id`` if it has none, so that a handler's format may use ``%(request_id)s``
    safely, even for records made before ``init_app`` installed the record factory (gunicorn.conf.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or NO_REQUEST
        return True


def _install_record_factory() -> None:
    """Stamp the request id on each record as it is made. A filter on a logger would miss the records of its
    child loggers, and one on a handler would miss handlers added later (pytest's, an error tracker's)."""
    global _factory_installed
    if _factory_installed:
        return
    make_record = logging.getLogRecordFactory()

    def make_record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = current_request_id() or NO_REQUEST
        return record

    logging.setLogRecordFactory(make_record_with_request_id)
    _factory_installed = True


def _begin() -> None:
    g.request_began = time.perf_counter()
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if len(incoming) <= 128 and _SAFE_ID.fullmatch(incoming) else secrets.token_hex(16)


def _user_id() -> int | None:
    """Who was signed in, as far as the request already found out: never a query of its own, because the
    database being down may be why this request failed. (``_login_user`` is where flask-login keeps the
    user it loaded.) The identity is read from the object's state, which stays readable after a rollback."""
    for user in (g.get("api_user"), g.get("_login_user")):
        state = sa_inspect(user, raiseerr=False) if user is not None else None
        if state is not None and state.identity:
            return state.identity[0]
    return None


SECRET_URL_ARGUMENT = "token"  # emailed single-use links: /register/confirm/<token>, /password/reset/<token>


def _loggable_path() -> str:
    """The path, with a link's secret replaced: logs are read by more people than the mailbox it went to."""
    secret = (request.view_args or {}).get(SECRET_URL_ARGUMENT)
    return request.path.replace(secret, "[redacted]") if isinstance(secret, str) and secret else request.path


def _finish(response: Response) -> Response:
    request_id = current_request_id()
    if request_id is not None:
        response.headers[HEADER] = request_id
    began = g.get("request_began")
    line = {
        "method": request.method,
        "path": _loggable_path(),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - began) * 1000, 1) if began is not None else None,
        "request_id": request_id,
        "user_id": _user_id(),
        "remote_addr": request.remote_addr,
    }
    logger.info(json.dumps(line, separators=(",", ":")))
    return response


def init_app(app: Flask) -> None:
    """Call first in create_app: the id must exist before any other hook logs, and the request line,
    registered first, is written after every other after-request hook has run."""
    _install_record_factory()
    if logger.level == logging.NOTSET:  # request lines are INFO; the root logger's default would drop them
        logger.setLevel(logging.INFO)
    app.before_request(_begin)
    app.after_request(_finish)

"""When the database cannot be reached: 503 with Retry-After, and a fresh connection for the next request.

A database that restarts, fails over or drops idle connections must neither turn into 500 pages nor need
the app restarted. The engine checks each pooled connection before handing it out (``pool_pre_ping``, in
config.py), which hides most drops; what still fails (the server went away during the request, cannot be
reached at all, or no connection came free in time) answers 503 "try again in a moment". The session is
rolled back and removed first, so that the next request starts on a new connection.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, make_response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from policyhub.errors import html_error, json_error, wants_json
from policyhub.extensions import db
from policyhub.requestlog import current_request_id

log = logging.getLogger(__name__)

MESSAGE = "The database is unavailable; try again in a moment."
RETRY_AFTER_SECONDS = 5


def is_unavailable(error: BaseException) -> bool:
    """True for errors that say the database could not be used just now, rather than that a statement was
    wrong: it cannot be reached, a connection dropped, no pooled connection came free, or (DB-API's
    OperationalError) it could not process the transaction (busy, shutting down, a deadlock)."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:  # the dialect recognised a lost connection, whatever the class
        return True
    # sqlite3 reports mistakes in the SQL itself ("no such table") as OperationalError too, with the
    # generic SQLITE_ERROR code; its operational failures carry their own (SQLITE_BUSY, SQLITE_CANTOPEN, ...).
    return isinstance(error, OperationalError) and getattr(error.orig, "sqlite_errorname", None) != "SQLITE_ERROR"


def _database_unavailable(error: Exception) -> Any:
    if not is_unavailable(error):
        raise error  # a statement's own error: the 500 path, logged with its traceback
    # The driver's message names the failure; str(error) would add the statement and its parameters.
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    log.warning("database unavailable: %s: %s", type(cause).__name__, first_line)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: there is nothing to roll back, and remove() still works
        pass
    db.session.remove()
    request_id = current_request_id()
    if wants_json():
        response = json_error(503, MESSAGE, request_id=request_id)
    else:
        response = make_response(html_error(503, MESSAGE, request_id=request_id))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(DBAPIError, _database_unavailable)
    app.register_error_handler(PoolTimeout, _database_unavailable)

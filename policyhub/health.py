"""``/healthz``: can this process serve? The database and the search index must both answer.

For load balancers and monitors: 200 ``{"status": "ok", "database": "ok", "search": "ok"}`` (``"search":
"rebuilding"`` while a missing or corrupt index is being rebuilt, which the check itself starts), else 503
with ``"status": "error"`` and the part that failed marked ``"unavailable"``. The answer never says why (no URL,
path or error text: the endpoint is public); the reason is logged under the request's id.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy import text

from policyhub.extensions import db
from policyhub.search.services import ensure_index, get_backend

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

OK = "ok"
UNAVAILABLE = "unavailable"
REBUILDING = "rebuilding"


def database_status() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return OK
    except Exception as error:  # the point of a health check is to answer, whatever broke
        log.warning("health check: database unavailable: %s", type(error).__name__)
        return UNAVAILABLE
    finally:
        try:
            db.session.rollback()
        except Exception:  # a dead connection has nothing to roll back
            pass


def search_status() -> str:
    """"ok"; "rebuilding" while a missing or corrupt index is rebuilt (a fresh install has none until then),
    which this check starts: search answers "being rebuilt" meanwhile and everything else serves, so the
    process stays in rotation; "unavailable" when the backend cannot be reached at all."""
    try:
        if get_backend().is_healthy():
            return OK
        log.warning("health check: the search index is missing or unreadable: rebuilding it")
        state = ensure_index(force_check=True)
    except Exception as error:
        log.warning("health check: search unavailable: %s", type(error).__name__)
        return UNAVAILABLE
    return {"ready": OK, "rebuilding": REBUILDING}.get(state, UNAVAILABLE)


@bp.get("/healthz")
def healthz() -> Response:
    parts = {"database": database_status(), "search": search_status()}
    healthy = parts["database"] == OK and parts["search"] in (OK, REBUILDING)
    response = jsonify({"status": OK if healthy else "error", **parts})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

"""Watching documents, in-app notifications, Atom feeds."""
from flask import Blueprint

bp = Blueprint("notifications", __name__)

from policyhub.notifications import views  # noqa: E402,F401  (routes attach to bp)

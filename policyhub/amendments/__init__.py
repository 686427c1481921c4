"""Amendments: proposals, versions, supports, comments and decisions."""
from flask import Blueprint

bp = Blueprint("amendments", __name__)

from policyhub.amendments import views  # noqa: E402,F401  (routes attach to bp)

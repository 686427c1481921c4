"""Parties, memberships and roles, the audit log."""
from flask import Blueprint

bp = Blueprint("parties", __name__)

from policyhub.parties import views  # noqa: E402,F401  (routes attach to bp)

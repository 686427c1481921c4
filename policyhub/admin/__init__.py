"""Administration pages: parties, people and roles, the audit log. Rules and writes live in the services."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from policyhub.admin import views  # noqa: E402,F401  (routes attach to bp)

"""Documents, revisions, history, compare, edit and merge."""
from flask import Blueprint

bp = Blueprint("documents", __name__)

from policyhub.documents import views  # noqa: E402,F401  (routes attach to bp)
from policyhub.documents import views_provenance  # noqa: E402,F401
from policyhub.documents import views_clauses  # noqa: E402,F401

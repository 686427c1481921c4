"""Full-text search: a backend interface, the whoosh (default) and PostgreSQL backends, index jobs, the search
page."""
from flask import Blueprint

bp = Blueprint("search", __name__)

from policyhub.search import views  # noqa: E402,F401  (routes attach to bp)

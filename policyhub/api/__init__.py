"""The JSON API v1 (API.md): thin views over the same services and permissions as the HTML pages."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The routes attach to bp when these modules are imported.
from policyhub.api import views, views_amendments, views_endorsements, views_search  # noqa: E402,F401
from policyhub.api import views_provenance  # noqa: E402,F401
from policyhub.api import views_receipts, views_red_lines  # noqa: E402,F401
from policyhub.api import views_clauses  # noqa: E402,F401
from policyhub.api import views_consensus  # noqa: E402,F401

"""Endorsements, staleness, the agenda (consensus) view and the agreed agenda."""
from flask import Blueprint

bp = Blueprint("endorsements", __name__)

from policyhub.endorsements import views  # noqa: E402,F401  (routes attach to bp)
from policyhub.endorsements import staleness  # noqa: E402,F401  (connects the regrade receiver)
from policyhub.endorsements import views_receipts, views_red_lines  # noqa: E402,F401
from policyhub.endorsements import views_consensus  # noqa: E402,F401

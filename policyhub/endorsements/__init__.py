"""Endorsements, staleness, the agenda (consensus) view and the agreed agenda."""
from flask import Blueprint

bp = Blueprint("endorsements", __name__)

from policyhub.endorsements import views  # noqa: E402,F401  (routes attach to bp)

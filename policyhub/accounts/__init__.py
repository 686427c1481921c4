"""Users, sign-in, registration, API tokens, asking to join a party."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from policyhub.accounts import views  # noqa: E402,F401  (routes attach to bp)

"""Who is calling the API: a bearer token, and nothing else.

The blueprint is exempt from CSRF checks, so it must never honour the session cookie: a page on another
site could otherwise make a signed-in browser write through the API. Only ``Authorization: Bearer <token>``
identifies a caller. A request that presents a token that is malformed, unknown or revoked is refused with
401 whatever it asks for, so that a broken integration learns at once instead of silently reading as
anonymous.
"""
from __future__ import annotations

import re

from typing import Any

from flask import g, request

from policyhub.accounts.models import User
from policyhub.accounts.services import user_for_token
from policyhub.errors import Unauthorized
from policyhub.permissions import Action, require

# RFC 6750 b64token, bounded: a real token is about 50 characters.
_BEARER = re.compile(r"Bearer +([A-Za-z0-9\-._~+/]{1,256}=*)", re.IGNORECASE)
_UNSET = object()


def api_user() -> User | None:
    """The active owner of the request's bearer token, or None when the request carries no token.

    Raises Unauthorized when an Authorization header is present but is not a well-formed bearer token,
    or names a token that is unknown, revoked or belongs to a deactivated account. Cached per request.
    """
    cached = g.get("api_user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    raw = bearer_token()
    user = None
    if raw is not None:
        user = user_for_token(raw)
        if user is None:
            raise Unauthorized("This API token is unknown or has been revoked.")
    g.api_user = user
    return user


def bearer_token() -> str | None:
    """The raw token of the request's ``Authorization: Bearer`` header, or None when there is no header.

    Raises Unauthorized when the header is present but is not a well-formed bearer token.
    """
    header = request.headers.get("Authorization")
    if header is None:
        return None
    match = _BEARER.fullmatch(header.strip())
    if match is None:
        raise Unauthorized("Send your API token as 'Authorization: Bearer <token>'.")
    return match.group(1)


def authenticate() -> None:
    """Before every API request: refuse a bad token even on reads (see the module docstring)."""
    api_user()


def acting(action: Action, target: Any = None) -> User:
    """The token's user, once ``require`` has let them do ``action`` (401 anonymous, 403 otherwise)."""
    user = api_user()
    require(user, action, target)
    assert user is not None
    return user

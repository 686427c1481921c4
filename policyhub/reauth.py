"""Recent authentication: sensitive actions need a password entered in the last few minutes.

The time of the last password check lives in the signed session cookie (``auth_at``, seconds since the
epoch); sign-in, registration's confirmation and a password confirmation set it.
"""
from __future__ import annotations

import time
from typing import Any, MutableMapping

RECENT_AUTH_SECONDS = 15 * 60
SESSION_KEY = "auth_at"


def mark_recent_auth(session: MutableMapping[str, Any]) -> None:
    """Record that the person just proved they know the password."""
    session[SESSION_KEY] = int(time.time())


def has_recent_auth(session: MutableMapping[str, Any], max_age: int = RECENT_AUTH_SECONDS) -> bool:
    at = session.get(SESSION_KEY)
    return isinstance(at, int) and 0 <= time.time() - at <= max_age

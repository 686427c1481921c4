"""Recent authentication: sensitive actions need a password entered in the last few minutes.

The time of the last password check lives in the signed session cookie (``auth_at``, seconds since the
epoch); sign-in, registration's confirmation and a password confirmation set it.

``recent_auth_required`` guards a POST view (endorsing, withdrawing an endorsement, changing someone's
roles or account). When the last password check is older than ``RECENT_AUTH_SECONDS``, the view does not
run: the answer is a page asking for the password (200) that re-posts every field of the original request
as hidden inputs, its CSRF token included, to the same address, so that nothing typed is lost. A correct
``reauth_password`` marks the session recent and runs the view on those fields; a wrong one shows the page
again with an error (401). Wrong confirmations count against ``LOGIN_RATE_LIMIT`` per person, like sign-in
attempts; past it the page comes back with 429 and the fields still kept.

The anonymous get whatever the view does for them (its ``require``: a sign-in page). A request whose CSRF
token is missing or wrong never gets the password page either: the view refuses it in its own way (the
global CSRF check, or the form's "your session expired, your text is kept"), so that a page on another site
cannot make PolicyHub ask for a password. The JSON API does not use this: it takes bearer tokens only, and a
token is not a session that could have been left open on a shared computer.
"""
from __future__ import annotations

import functools
import math
import time
from typing import Any, Callable, MutableMapping, TypeVar
from urllib.parse import urlsplit

from flask import current_app, render_template, request
from flask import session as flask_session
from flask_babel import lazy_gettext as _l, ngettext
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from werkzeug.security import check_password_hash
from wtforms import PasswordField
from wtforms.validators import ValidationError

from policyhub.extensions import limiter
from policyhub.forms import Form
from policyhub.web import is_local_path

RECENT_AUTH_SECONDS = 15 * 60
SESSION_KEY = "auth_at"
PASSWORD_FIELD = "reauth_password"
TEMPLATE = "accounts/confirm_password.html"
WRONG_PASSWORD = _l("That password is not right. Nothing was done; try again.")

View = TypeVar("View", bound=Callable[..., Any])


def mark_recent_auth(session: MutableMapping[str, Any]) -> None:
    """Record that the person just proved they know the password."""
    session[SESSION_KEY] = int(time.time())


def has_recent_auth(session: MutableMapping[str, Any], max_age: int = RECENT_AUTH_SECONDS) -> bool:
    at = session.get(SESSION_KEY)
    return isinstance(at, int) and 0 <= time.time() - at <= max_age


class ConfirmPasswordForm(Form):
    # No CSRF field of its own: the original form's token is among the re-posted fields, and a second
    # "csrf_token" would be a repeated parameter, which request_checks refuses.
    class Meta:
        csrf = False

    reauth_password = PasswordField(_l("Password"))


def _csrf_token_valid() -> bool:
    """The original form's CSRF token, checked the way Flask-WTF checks it (always valid when CSRF is off)."""
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))
    except ValidationError:
        return False
    return True


def _confirmation_page(status: int, error: str | None = None) -> tuple[str, int]:
    form = ConfirmPasswordForm(formdata=None)
    if error:
        form.reauth_password.errors = [error]
    kept = [(name, value) for name, value in request.form.items(multi=True) if name != PASSWORD_FIELD]
    return render_template(TEMPLATE, form=form, kept_fields=kept, action=request.full_path.rstrip("?"),
                           back=_page_before(), minutes=RECENT_AUTH_SECONDS // 60), status


def _page_before() -> str | None:
    """Where "Cancel" goes: the page the form was on, when it was a page of ours (not this address, which
    may take POST only, as after a wrong password)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.path == request.path:
        return None
    target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return target if is_local_path(target) else None


def _login_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT") or ""


def _person_key() -> str:
    return f"user:{current_user.id}"


# Checked (not counted) before each confirmation; only a wrong one (401) is counted, after the response.
@limiter.shared_limit(_login_limit, scope="reauth", key_func=_person_key, override_defaults=False,
                      deduct_when=lambda response: response.status_code == 401)
def _confirm_and_run(view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    password = request.form.get(PASSWORD_FIELD, "")
    # Always the full hash comparison, so that a wrong password takes as long as a right one.
    if not check_password_hash(current_user.password_hash, password):
        return _confirmation_page(401, str(WRONG_PASSWORD))
    mark_recent_auth(flask_session)
    return view(*args, **kwargs)


def _seconds_until_reset() -> int:
    current = limiter.current_limit
    return max(1, math.ceil(current.reset_at - time.time())) if current is not None else 60


def recent_auth_required(view: View) -> View:
    """Run the POST view ``view`` only for a session whose password was checked in the last
    ``RECENT_AUTH_SECONDS``; otherwise ask for the password first (see the module docstring)."""
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or has_recent_auth(flask_session) or not _csrf_token_valid():
            return view(*args, **kwargs)
        if PASSWORD_FIELD not in request.form:
            return _confirmation_page(200)
        try:
            return _confirm_and_run(view, args, kwargs)
        except RateLimitExceeded:
            seconds = _seconds_until_reset()
            page, status = _confirmation_page(429, ngettext(
                "Too many wrong passwords. Wait %(num)d second and try again; what you sent is still here.",
                "Too many wrong passwords. Wait %(num)d seconds and try again; what you sent is still here.",
                seconds))
            return page, status, {"Retry-After": str(seconds)}
    return guarded  # type: ignore[return-value]

"""Accounts: registration with a confirmed address, sign-in, sessions, passwords, API tokens.

Nothing here tells a stranger whether an address has an account: registration and password reset answer the
same way and do the same hashing work either way, and what differs goes to the address's inbox only.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from policyhub import i18n, mail
from policyhub.accounts.models import ApiToken, User
from policyhub.accounts.passwords import check_new_password
from policyhub.db import utcnow, write_transaction
from policyhub.errors import N_, Invalid, PolicyHubError
from policyhub.extensions import db
from policyhub.i18n import LANGUAGES
from policyhub.parties import audit
from policyhub.permissions import Action, require
from policyhub.validation import Checker

TOKEN_PREFIX = "phk_"
CONFIRM_LINK_MAX_AGE = timedelta(days=3)
RESET_LINK_MAX_AGE = timedelta(hours=1)
CONFIRM = "confirm-email"
RESET = "reset-password"


class BadLink(PolicyHubError):
    """A mailed link that is malformed, already used, or replaced by a newer one."""

    status, code = 400, "bad_request"

    def __init__(self, message: str, purpose: str) -> None:
        super().__init__(message)
        self.purpose = purpose


class ExpiredLink(BadLink):
    status, code = 410, "gone"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user(email: str) -> User | None:
    if "\x00" in email:  # no stored address has one, and PostgreSQL refuses NUL in text outright
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _checked_registration(email: object, name: object, password: object) -> tuple[str, str, str]:
    checker = Checker()
    email = checker.email("email", email)
    name = checker.text("name", name, label=N_("Display name"), max_length=100)
    password = check_new_password(checker, "password", password, email=email, user_name=name)
    checker.done()
    return email, name, password


def register_user(email: object, name: object, password: object, *, confirmed: bool,
                  is_admin: bool = False) -> User:
    """Create an account at once (the command line, the demo, tests). Raises Invalid for bad fields or an
    email already in use. People registering on the site go through ``start_registration`` instead."""
    email, name, password = _checked_registration(email, name, password)
    password_hash = hash_password(password)
    with write_transaction(db.session):
        if find_user(email) is not None:
            raise Invalid(N_("That email address is already registered."),
                          {"email": N_("That email address is already registered.")})
        user = User(email=email, name=name, password_hash=password_hash, is_admin=is_admin,
                    email_confirmed_at=utcnow() if confirmed else None)
        db.session.add(user)
        db.session.flush()
        audit.record(None, "user.register", user, f"{name} registered")
    return user


def start_registration(email: object, name: object, password: object) -> str:
    """Registration on the site: returns the (normalised) address a link was sent to.

    The answer and the work are the same whether or not the address has an account; only its inbox learns
    which. A new address gets an unconfirmed account and a link to confirm it. An address with a confirmed
    account gets a warning and its account is left alone. An unconfirmed account registered again takes
    the new name and password (whoever can read the inbox decides which registration counts) and a fresh
    link; the earlier links stop working because they carry a fingerprint of the old password hash.
    """
    email, name, password = _checked_registration(email, name, password)
    password_hash = hash_password(password)  # for every address, so that timing tells nothing
    for attempt in range(2):
        try:
            with write_transaction(db.session):
                user = find_user(email)
                if user is None:
                    user = User(email=email, name=name, password_hash=password_hash, email_confirmed_at=None)
                    db.session.add(user)
                    db.session.flush()
                    audit.record(None, "user.register", user, f"{name} registered (address not yet confirmed)")
                    outcome = "new"
                elif not user.is_confirmed and user.is_active:
                    user.name, user.password_hash = name, password_hash
                    outcome = "again"
                else:
                    outcome = "taken"
            break
        except IntegrityError:  # the same new address registered at the same moment: take the other path
            if attempt:
                raise
    if outcome == "taken":
        with mail.in_language_of(user):  # the account's owner, not whoever typed their address
            mail.send_after_response(email, _("Someone tried to register with your address"), _taken_text())
    else:
        link = mail.external_url("accounts.confirm_email", token=_link_token(user, CONFIRM))
        # A new account has chosen no language yet: the one its registration page was read in.
        with mail.in_language_of(user, fallback=i18n.current()):
            mail.send_after_response(email, _("Finish creating your PolicyHub account"), _confirm_text(link))
    return email


def _paragraphs(*paragraphs: str) -> str:
    """A mail's plain text: one translatable message per paragraph, a blank line between them."""
    return "\n\n".join(paragraphs) + "\n"


def _confirm_text(link: str) -> str:
    # No display name: whoever registered chose it, and this mail goes to an address nobody has proven yet.
    return _paragraphs(
        _("Hello,"),
        _("To finish creating your PolicyHub account, open this link within 3 days:"),
        link,
        _("If you did not register, ignore this mail: the account cannot be used until someone follows the link."))


def _taken_text() -> str:
    return _paragraphs(
        _("Someone tried to register a PolicyHub account with this address, which already has one. "
          "Nothing about your account changed."),
        _("If it was you, sign in: %(url)s", url=mail.external_url("accounts.login")) + "\n"
        + _("Forgotten your password? Reset it: %(url)s", url=mail.external_url("accounts.forgot_password")),
        _("If it was not you, you can ignore this mail."))


def user_for_confirmation(token: str, *, lock: bool = False) -> User:
    """The unconfirmed account a confirmation link is for; BadLink / ExpiredLink otherwise."""
    user, fingerprint = _read_link(token, CONFIRM, CONFIRM_LINK_MAX_AGE, lock=lock)
    if user.is_confirmed:
        raise BadLink(N_("This link has already been used: your address is confirmed. Sign in with your "
                         "email and password."), CONFIRM)
    _check_fingerprint(user, fingerprint, CONFIRM)
    return user


def confirm_email(token: str) -> User:
    """Confirm the address a link was sent to; the caller signs the person in."""
    with write_transaction(db.session):
        user = user_for_confirmation(token, lock=True)  # of two uses at once, one wins
        user.email_confirmed_at = utcnow()
        audit.record(user, "user.confirm", user, f"{user.name} confirmed their email address")
    return user


_DUMMY_HASH: dict[str, str] = {}


def _dummy_password_check(password: str) -> None:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    dummy = _DUMMY_HASH.setdefault(method, generate_password_hash("not a password", method=method))
    check_password_hash(dummy, password)


def authenticate(email: str, password: str) -> User | None:
    """The active, confirmed user with these credentials, else None.

    Unknown emails cost the same hashing work as known ones, so timing does not reveal accounts.
    """
    user = find_user(email) if isinstance(email, str) else None
    if user is None or not user.is_active:
        _dummy_password_check(password or "")
        return None
    matches = check_password_hash(user.password_hash, password or "")
    return user if matches and user.is_confirmed else None


def user_for_session_id(session_id: str) -> User | None:
    """The user a session or remember-me cookie names (``"<id>.<session_version>"``, see User.get_id),
    while that version is current and the account active and confirmed."""
    user_id, dot, version = session_id.partition(".")
    if not (dot and user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()
            and len(user_id) <= 18 and len(version) <= 18):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active or not user.is_confirmed:
        return None
    return user


def end_all_sessions(user: User) -> None:
    """Sign the person out everywhere: every session and remember-me cookie names the old version."""
    with write_transaction(db.session):
        _next_session_version(user)


def _next_session_version(user: User) -> None:
    # In SQL, so that two changes at once both count rather than one overwriting the other.
    user.session_version = User.session_version + 1


def change_password(user: User, current_password: object, new_password: object) -> User:
    """Replace the password of a signed-in person who knows the current one. Every other session ends;
    the caller signs the current one in again under the new session version."""
    checker = Checker()
    if not isinstance(current_password, str) or not check_password_hash(user.password_hash, current_password):
        checker.fail("current_password", N_("That is not your current password."))
    new_password = check_new_password(checker, "new_password", new_password, email=user.email,
                                      user_name=user.name)
    checker.done()
    password_hash = hash_password(new_password)
    with write_transaction(db.session):
        user.password_hash = password_hash
        _next_session_version(user)
        audit.record(user, "user.password_change", user, f"{user.name} changed their password")
    _send_password_changed(user)
    return user


def check_locale(code: object, *, allow_browser_default: bool = False) -> None:
    """Invalid unless ``code`` is a language we offer ("" too, meaning the browser's, where allowed)."""
    if code not in LANGUAGES and not (allow_browser_default and code == ""):
        raise Invalid(N_("That language is not offered."), {"lang": N_("Choose one of the languages offered.")})


def set_locale(actor: Any, user: User, code: object) -> User:
    """Save the interface language ``user`` reads in (a code of i18n.LANGUAGES, or "" for their browser's).
    Only the person themselves may; Invalid names the field for a language we do not have."""
    require(actor, Action.ACCOUNT_SETTINGS, user)
    check_locale(code, allow_browser_default=True)
    with write_transaction(db.session):
        user.locale = code or None
    return user


def request_password_reset(email: object) -> str:
    """Mail a reset link if an active account uses the address; the same answer (the address) either way."""
    checker = Checker()
    email = checker.email("email", email)
    checker.done()
    user = find_user(email)
    if user is not None and user.is_active:
        link = mail.external_url("accounts.reset_password", token=_link_token(user, RESET))
        with mail.in_language_of(user):
            greeting = _("Hello %(name)s,", name=user.name) if user.is_confirmed else _("Hello,")  # see _confirm_text
            mail.send_after_response(user.email, _("Reset your PolicyHub password"), _paragraphs(
                greeting,
                _("Someone (we hope you) asked to reset the password of your PolicyHub account. To choose a new "
                  "one, open this link within 1 hour:"),
                link,
                _("The link works once. If you did not ask, ignore this mail: your password stays as it is.")))
    return email


def user_for_reset(token: str, *, lock: bool = False) -> User:
    """The account a reset link is for; BadLink / ExpiredLink otherwise."""
    user, fingerprint = _read_link(token, RESET, RESET_LINK_MAX_AGE, lock=lock)
    _check_fingerprint(user, fingerprint, RESET)
    return user


def reset_password(token: str, new_password: object) -> User:
    """Set a new password from a reset link. The link stops working (the password hash it was made from is
    gone), every session ends, and the address counts as confirmed: the link came through its inbox."""
    user = user_for_reset(token)
    checker = Checker()
    new_password = check_new_password(checker, "password", new_password, email=user.email, user_name=user.name)
    checker.done()
    password_hash = hash_password(new_password)
    with write_transaction(db.session):
        user = user_for_reset(token, lock=True)  # again, locked: of two uses at once, one wins
        user.password_hash = password_hash
        _next_session_version(user)
        if user.email_confirmed_at is None:
            user.email_confirmed_at = utcnow()
        audit.record(user, "user.password_reset", user, f"{user.name} reset their password by email")
    _send_password_changed(user)
    return user


def _send_password_changed(user: User) -> None:
    with mail.in_language_of(user):
        mail.send_after_response(user.email, _("Your PolicyHub password was changed"), _paragraphs(
            _("Hello %(name)s,", name=user.name),
            _("The password of your PolicyHub account was just changed, and every device signed in to it was "
              "signed out."),
            _("If that was not you, reset your password at once: %(url)s",
              url=mail.external_url("accounts.forgot_password"))))


# --- mailed links ------------------------------------------------------------------------------------------
# A link carries the user id and a fingerprint of the account's password hash and session version, signed
# with the app's secret (a salt per purpose, so that one kind of link never passes for another). Changing
# the password, signing out everywhere or registering again changes the fingerprint: so a link works once,
# and only until something newer replaced it.

def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"policyhub.accounts.{purpose}")


def _fingerprint(user: User) -> str:
    material = f"{user.id}\0{user.email}\0{user.password_hash}\0{user.session_version}"
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def _link_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps([user.id, _fingerprint(user)])


_STALE = {
    CONFIRM: N_("This link has been replaced by a newer one. Use the link in the latest mail we sent, or "
                "register again to get a new one."),
    RESET: N_("This link has already been used, or a newer one was sent. Ask for a new link if you still need "
              "to reset your password."),
}
_EXPIRED = {
    CONFIRM: N_("This link has expired: links to finish creating an account work for 3 days. Register again "
                "to get a new one."),
    RESET: N_("This link has expired: password reset links work for 1 hour. Ask for a new one."),
}


def _read_link(token: str, purpose: str, max_age: timedelta, *, lock: bool = False) -> tuple[User, str]:
    """The active account a link names, and the fingerprint it carries. ``lock`` (inside a write
    transaction) reads the row FOR UPDATE, so that a second use waits and then sees the first one's change;
    SQLite's write transactions are serialised already."""
    try:
        user_id, fingerprint = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise ExpiredLink(_EXPIRED[purpose], purpose) from None
    except (BadSignature, ValueError, TypeError):
        raise BadLink(N_("This link is not valid. Check that you opened all of it: some mail programs break "
                         "long links across lines."), purpose) from None
    user = db.session.get(User, user_id, with_for_update=lock or None) if type(user_id) is int else None
    if user is None or not user.is_active or not isinstance(fingerprint, str):
        raise BadLink(_STALE[purpose], purpose)
    return user, fingerprint


def _check_fingerprint(user: User, fingerprint: str, purpose: str) -> None:
    if not hmac.compare_digest(fingerprint, _fingerprint(user)):
        raise BadLink(_STALE[purpose], purpose)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(actor: Any, owner: User, label: object = "") -> tuple[ApiToken, str]:
    """Make an API token for ``owner``; returns the row and the only copy of the raw token."""
    if actor is not None:
        require(actor, Action.TOKEN_MANAGE, owner)
    checker = Checker()
    label = checker.text("label", label, label=N_("Label"), max_length=100, required=False)
    checker.done()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction(db.session):
        token = ApiToken(user_id=owner.id, label=label, token_hash=_digest(raw))
        db.session.add(token)
        db.session.flush()
        audit.record(actor, "token.create", owner, f"API token '{label}' created for {owner.email}")
    return token, raw


def revoke_token(actor: Any, token: ApiToken) -> None:
    require(actor, Action.TOKEN_MANAGE, token.user)
    with write_transaction(db.session):
        token.revoked_at = utcnow()
        audit.record(actor, "token.revoke", token.user, f"API token '{token.label}' revoked")


TOKEN_USE_RESOLUTION = timedelta(hours=1)


def user_for_token(raw: str) -> User | None:
    """The active owner of an unrevoked token, else None. Notes when the token was last used, to the hour:
    enough for its owner to spot a forgotten or leaked token, without a write on every API read."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(raw), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        user_id = token.user_id
        with write_transaction(db.session):
            db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        return db.session.get(User, user_id)
    return token.user


def list_tokens(owner: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == owner.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ))

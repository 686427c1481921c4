"""Accounts: registration, sign-in, API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from policyhub.accounts.models import ApiToken, User
from policyhub.db import utcnow, write_transaction
from policyhub.errors import Invalid
from policyhub.extensions import db
from policyhub.parties import audit
from policyhub.permissions import Action, require
from policyhub.validation import Checker

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
TOKEN_PREFIX = "phk_"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_new_password(checker: Checker, name: str, password: object) -> str:
    """Length is the rule that matters (NIST 800-63B): no composition rules."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        checker.fail(name, f"Use at least {PASSWORD_MIN} characters.")
        return ""
    if len(password) > PASSWORD_MAX:
        checker.fail(name, f"Use at most {PASSWORD_MAX} characters.")
        return ""
    return password


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def register_user(email: object, name: object, password: object, *, is_admin: bool = False) -> User:
    """Create an account. Raises Invalid for bad fields or an email already in use."""
    checker = Checker()
    email = checker.email("email", email)
    name = checker.text("name", name, label="Display name", max_length=100)
    password = check_new_password(checker, "password", password)
    checker.done()
    with write_transaction(db.session):
        if find_user(email) is not None:
            raise Invalid("That email address is already registered.",
                          {"email": "That email address is already registered."})
        user = User(email=email, name=name, password_hash=hash_password(password), is_admin=is_admin)
        db.session.add(user)
        db.session.flush()
        audit.record(None, "user.register", user, f"{name} registered")
    return user


_DUMMY_HASH: dict[str, str] = {}


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, else None.

    Unknown emails cost the same hashing work as known ones, so timing does not reveal accounts.
    """
    user = find_user(email) if isinstance(email, str) else None
    if user is None or not user.is_active:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        dummy = _DUMMY_HASH.setdefault(method, generate_password_hash("not a password", method=method))
        check_password_hash(dummy, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(actor: Any, owner: User, label: object = "") -> tuple[ApiToken, str]:
    """Make an API token for ``owner``; returns the row and the only copy of the raw token."""
    if actor is not None:
        require(actor, Action.TOKEN_MANAGE, owner)
    checker = Checker()
    label = checker.text("label", label, label="Label", max_length=100, required=False)
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

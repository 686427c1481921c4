"""How often each person wants mail about each kind of event.

Rules:
- A person chooses, per event kind (``EVENT_KINDS``), one cadence of ``CADENCES``. A kind they never chose
  has its default (``DEFAULTS``); a row is stored only once they choose.
- Only the person themselves changes their choices (the signed link in a mail acts for them through
  ``policyhub.mailing.unsubscribe``, which never goes through here).
- "stale" concerns leads and "red_line" party members, but anyone may store a choice for any kind: a member
  who becomes a lead then gets what they chose. The account page offers each only where it matters.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import LazyString, lazy_gettext as _l
from sqlalchemy import select

from policyhub.db import write_transaction
from policyhub.errors import N_, BadRequest, Forbidden, Invalid, Unauthorized
from policyhub.extensions import db
from policyhub.mailing.models import CADENCES, EVENT_KINDS, MailPreference

DEFAULTS: dict[str, str] = {
    "revision": "daily",
    "amendment": "immediately",
    "decision": "immediately",
    "comment": "daily",
    "stale": "immediately",
    "red_line": "immediately",
}

# Names for forms, pages and mails, in the reader's language (lazy: translated when shown, not at import).
KIND_LABELS: dict[str, LazyString] = {
    "revision": _l("New revisions of documents you watch"),
    "amendment": _l("Amendments on documents you watch"),
    "decision": _l("Decisions on amendments"),
    "comment": _l("Comments on amendments"),
    "stale": _l("Stale endorsements (leads)"),
    "red_line": _l("Red lines (party members)"),
}
CADENCE_LABELS: dict[str, LazyString] = {
    "immediately": _l("Immediately"),
    "daily": _l("Daily digest"),
    "weekly": _l("Weekly digest"),
    "never": _l("Never"),
}


def _check_kind(kind: str) -> None:
    if kind not in EVENT_KINDS:
        raise BadRequest(f"There is no kind of mail called '{kind}'.")


def cadences(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """User id -> cadence for ``kind``, for every id given, in one query; the default where none was chosen.
    Raises BadRequest for an unknown kind."""
    _check_kind(kind)
    ids = sorted(set(user_ids))
    found = {user_id: DEFAULTS[kind] for user_id in ids}
    if not ids:
        return found
    for user_id, cadence in db.session.execute(
        select(MailPreference.user_id, MailPreference.cadence)
        .where(MailPreference.kind == kind, MailPreference.user_id.in_(ids))
    ):
        if cadence in CADENCES:  # a value no longer offered falls back to the default
            found[user_id] = cadence
    return found


def preferences_of(user: Any) -> dict[str, str]:
    """Kind -> cadence for every event kind, in ``EVENT_KINDS`` order, defaults filled in."""
    chosen: dict[str, str] = {}
    user_id = getattr(user, "id", None)
    if user_id is not None:
        chosen = {kind: cadence for kind, cadence in db.session.execute(
            select(MailPreference.kind, MailPreference.cadence).where(MailPreference.user_id == user_id)
        ) if cadence in CADENCES}
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in EVENT_KINDS}


def _validated(choices: object) -> dict[str, str]:
    if not isinstance(choices, Mapping):
        raise BadRequest(N_("Mail preferences must be a mapping of kind to cadence."))
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for kind, cadence in choices.items():
        if not isinstance(kind, str):
            raise BadRequest(N_("Mail preference kinds must be text."))
        if kind not in EVENT_KINDS:
            errors[kind] = f"There is no kind of mail called '{kind[:40]}'."
            continue
        if not isinstance(cadence, str):
            raise BadRequest(f"The choice for '{kind}' must be text.")
        if cadence not in CADENCES:
            errors[kind] = N_("Choose immediately, daily digest, weekly digest or never.")
            continue
        cleaned[kind] = cadence
    if errors:
        raise Invalid(N_("Some of your mail choices were not understood; nothing was changed."), errors)
    return cleaned


def _upsert(user_id: int, cadences_by_kind: Mapping[str, str]) -> None:
    """Inside a write transaction: store each kind's cadence, creating or updating its row."""
    if not cadences_by_kind:
        return
    # Two first choices at once (a form and a one-click unsubscribe) would both insert and one would hit
    # the unique (user, kind) key: the person's row is locked first so that the second waits and updates.
    # SQLite's write transaction already holds the database's write lock.
    from policyhub.accounts.models import User  # here: the accounts package imports this module (its page)

    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    rows = {row.kind: row for row in db.session.scalars(
        select(MailPreference).where(MailPreference.user_id == user_id,
                                     MailPreference.kind.in_(list(cadences_by_kind)))
    )}
    for kind, cadence in cadences_by_kind.items():
        row = rows.get(kind)
        if row is None:
            db.session.add(MailPreference(user_id=user_id, kind=kind, cadence=cadence))
        else:
            row.cadence = cadence


def set_preferences(actor: Any, user: Any, choices: dict[str, object]) -> dict[str, str]:
    """Set some or all of ``user``'s cadences (kinds not named keep theirs); returns every kind's cadence.

    Only the person themselves may: Unauthorized for the anonymous, Forbidden for anyone else (an
    administrator included). Raises BadRequest for a value of the wrong type, Invalid (with a message per
    kind) for an unknown kind or cadence; nothing is changed then.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or getattr(actor, "id", None) is None:
        raise Unauthorized(N_("Please sign in first."))
    if getattr(user, "id", None) != actor.id:
        raise Forbidden(N_("You can only change your own mail preferences."))
    cleaned = _validated(choices)
    with write_transaction(db.session):
        _upsert(user.id, cleaned)
    return preferences_of(user)


def stop_mail(user_id: int, kind: str | None) -> None:
    """Inside a write transaction: set ``kind`` (every kind when None) to "never" for ``user_id``. Only the
    unsubscribe service calls this; its signed token is the authority."""
    if kind is not None:
        _check_kind(kind)
    _upsert(user_id, {k: "never" for k in ((kind,) if kind is not None else EVENT_KINDS)})

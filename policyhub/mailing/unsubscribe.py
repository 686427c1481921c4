"""One-click unsubscribe links, for every mail (RFC 8058).

A link carries the person's id and the kind of mail it stops ("all" for every kind), signed with the app's
secret (itsdangerous, salt "mail-unsubscribe"): the signature is the authority, so the link works without
signing in, from a mail client's one-click POST as from a browser. It does not expire: a mail read months
later must still be able to stop the next one. Anyone holding the link can only ever turn that person's mail
*off*, which is what the link is for.

Opening the link (GET) changes nothing: mail scanners fetch every link. Only the POST stops mail.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import LazyString, lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from policyhub.accounts.models import User
from policyhub.db import write_transaction
from policyhub.errors import N_, BadRequest, NotFound
from policyhub.extensions import db
from policyhub.mail import external_url
from policyhub.mailing.models import EVENT_KINDS
from policyhub.mailing.preferences import stop_mail

SALT = "mail-unsubscribe"
ALL = "all"
ENDPOINT = "mailing.unsubscribe"
_MAX_TOKEN = 500  # real tokens are about 60 characters; a longer one is not worth verifying

BAD_LINK = N_("This unsubscribe link is not valid. Check that you opened all of it: some mail programs break "
              "long links across lines. You can also choose which mail you get on your account page.")

# The mail a link stops, in words, for its page (None: every kind). Lazy: in the reader's language.
_WHAT: dict[str | None, LazyString] = {
    None: _l("email from PolicyHub"),
    "revision": _l("email about new revisions of documents you watch"),
    "amendment": _l("email about amendments on documents you watch"),
    "decision": _l("email about decisions on amendments"),
    "comment": _l("email about comments on amendments"),
    "stale": _l("email about your party's endorsements going stale"),
    "red_line": _l("email about changes to your party's red lines"),
}


@dataclass(frozen=True)
class Unsubscription:
    """What a valid link stops: ``kind`` None means every kind of mail."""

    user: User
    kind: str | None

    @property
    def what(self) -> str:
        """The mail it stops, in words."""
        return str(_WHAT[self.kind])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(user_id: int, kind: str | None) -> str:
    if kind is not None and kind not in EVENT_KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    return str(_serializer().dumps([int(user_id), kind or ALL]))


def unsubscribe_url(user_id: int, kind: str | None) -> str:
    """The absolute (BASE_URL) unsubscribe link for ``user_id`` and ``kind``; None: every kind."""
    return external_url(ENDPOINT, token=make_token(user_id, kind))


def list_unsubscribe_headers(user_id: int, kind: str | None) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers for a mail to ``user_id`` about ``kind``: mail clients show an
    "Unsubscribe" button that POSTs to the link."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(user_id, kind)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def read_token(token: str) -> Unsubscription:
    """What ``token`` stops, without changing anything. Raises BadRequest for a forged, tampered or
    malformed token, NotFound when its account no longer exists."""
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN:
        raise BadRequest(BAD_LINK)
    try:
        payload = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError, UnicodeError):
        raise BadRequest(BAD_LINK) from None
    if (not isinstance(payload, list) or len(payload) != 2 or type(payload[0]) is not int
            or not isinstance(payload[1], str) or (payload[1] != ALL and payload[1] not in EVENT_KINDS)):
        raise BadRequest(BAD_LINK)
    user = db.session.get(User, payload[0])
    if user is None:
        raise NotFound(N_("The account this link was for no longer exists, so it gets no mail."))
    return Unsubscription(user=user, kind=None if payload[1] == ALL else payload[1])


def unsubscribe(token: str) -> Unsubscription:
    """Stop the mail ``token`` names: its kind (or every kind) is set to "never" for its person. Using a link
    again changes nothing more. Raises as ``read_token``; nothing is changed then."""
    with write_transaction(db.session):
        found = read_token(token)
        stop_mail(found.user.id, found.kind)
    return found


def masked_address(user: Any) -> str:
    """The person's address with most of the local part hidden: the page names whose mail stops without
    showing a forwarded link's reader the whole address."""
    local, _, domain = str(getattr(user, "email", "")).partition("@")
    return f"{local[:1]}{'•' * 3}@{domain}" if domain else "•••"

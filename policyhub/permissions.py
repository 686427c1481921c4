"""Who may do what: every rule of DESIGN.md's "Rules that hold everywhere", in one table.

Views, the JSON API, services and templates all ask ``can(user, action, target)``; none re-derives a rule.
``user`` may be anonymous (None or flask-login's anonymous user) or ``SYSTEM`` for the command line.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any, Callable

from policyhub.errors import Forbidden, Unauthorized


class Action(StrEnum):
    DOCUMENT_CREATE = "document:create"
    DOCUMENT_EDIT = "document:edit"
    DOCUMENT_REVERT = "document:revert"
    DOCUMENT_SET_STATUS = "document:set_status"
    MEMBERSHIP_REQUEST = "membership:request"
    MEMBERSHIP_DECIDE = "membership:decide"
    PARTY_MANAGE = "party:manage"
    ROLE_ASSIGN = "role:assign"
    USER_MANAGE = "user:manage"
    AUDIT_READ = "audit:read"
    ADMIN_ACCESS = "admin:access"
    TOKEN_MANAGE = "token:manage"


class _System:
    """The command line's actor: trusted with administration, never a party's voice."""

    is_authenticated = True
    is_admin = True
    is_member = False
    is_lead = False
    party = None
    membership = None
    id = None
    name = "command line"


SYSTEM = _System()


def _signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _member(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_member)


def _lead(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_lead)


def _admin(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_admin)


def _can_edit(user: Any, document: Any) -> bool:
    return _member(user) and document.status == "draft"


def _can_revert(user: Any, document: Any) -> bool:
    if document.status != "draft" or not _member(user):
        return False
    return user.is_lead or document.created_by_id == user.id


def _can_request_membership(user: Any, _target: Any) -> bool:
    if not _signed_in(user) or user is SYSTEM:
        return False
    return user.membership is None or user.membership.state == "declined"


def _can_decide_membership(user: Any, membership: Any) -> bool:
    if _admin(user):
        return True
    return _lead(user) and membership is not None and user.party.id == membership.party_id


def _can_manage_tokens(user: Any, owner: Any) -> bool:
    return _signed_in(user) and user is not SYSTEM and (owner is None or owner.id == user.id)


_RULES: dict[Action, Callable[[Any, Any], bool]] = {
    Action.DOCUMENT_CREATE: lambda user, _: _member(user),
    Action.DOCUMENT_EDIT: _can_edit,
    Action.DOCUMENT_REVERT: _can_revert,
    Action.DOCUMENT_SET_STATUS: lambda user, _: _lead(user) or _admin(user),
    Action.MEMBERSHIP_REQUEST: _can_request_membership,
    Action.MEMBERSHIP_DECIDE: _can_decide_membership,
    Action.PARTY_MANAGE: lambda user, _: _admin(user),
    Action.ROLE_ASSIGN: lambda user, _: _admin(user),
    Action.USER_MANAGE: lambda user, target: _admin(user) and getattr(target, "id", None) != user.id,
    Action.AUDIT_READ: lambda user, _: _admin(user),
    Action.ADMIN_ACCESS: lambda user, _: _admin(user),
    Action.TOKEN_MANAGE: _can_manage_tokens,
}

_REASONS: dict[Action, str] = {
    Action.DOCUMENT_CREATE: "Only approved party members can create documents.",
    Action.DOCUMENT_EDIT: "Only approved party members can edit, and only documents in draft.",
    Action.DOCUMENT_REVERT: "Only a lead or the document's creator can revert, and only while it is a draft.",
    Action.DOCUMENT_SET_STATUS: "Only party leads and administrators can change a document's status.",
    Action.MEMBERSHIP_REQUEST: "You already belong to a party or have a request waiting.",
    Action.MEMBERSHIP_DECIDE: "Only a lead of that party or an administrator can decide this request.",
    Action.PARTY_MANAGE: "Only administrators manage parties.",
    Action.ROLE_ASSIGN: "Only administrators assign roles.",
    Action.USER_MANAGE: "Only administrators manage accounts, and not their own.",
    Action.AUDIT_READ: "Only administrators can read the audit log.",
    Action.ADMIN_ACCESS: "Only administrators can open the administration pages.",
    Action.TOKEN_MANAGE: "You can only manage your own API tokens.",
}


def can(user: Any, action: Action | str, target: Any = None) -> bool:
    """Whether ``user`` may perform ``action`` on ``target``."""
    return _RULES[Action(action)](user, target)


def require(user: Any, action: Action | str, target: Any = None) -> None:
    """Raise Unauthorized for the anonymous and Forbidden for the signed-in when ``can`` says no."""
    if can(user, action, target):
        return
    if not _signed_in(user):
        raise Unauthorized("Please sign in first.")
    raise Forbidden(_REASONS[Action(action)])

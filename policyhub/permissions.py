"""Who may do what: every rule of DESIGN.md's "Rules that hold everywhere", in one table.

Views, the JSON API, services and templates all ask ``can(user, action, target)``; none re-derives a rule.
``user`` may be anonymous (None or flask-login's anonymous user) or ``SYSTEM`` for the command line.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any, Callable

from policyhub.errors import N_, Forbidden, Unauthorized


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
    AMENDMENT_PROPOSE = "amendment:propose"
    AMENDMENT_UPDATE = "amendment:update"
    AMENDMENT_SUPPORT = "amendment:support"
    AMENDMENT_COMMENT = "amendment:comment"
    AMENDMENT_WITHDRAW = "amendment:withdraw"
    AMENDMENT_DECIDE = "amendment:decide"
    ENDORSEMENT_GIVE = "endorsement:give"
    ENDORSEMENT_WITHDRAW = "endorsement:withdraw"
    DOCUMENT_WATCH = "document:watch"
    DOCUMENT_SET_RULE = "document:set_rule"
    RED_LINE_MANAGE = "red_line:manage"
    ACCOUNT_SETTINGS = "account:settings"


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


def _person(user: Any) -> bool:
    """Signed in as a person (the command line proposes, supports and comments nothing)."""
    return _signed_in(user) and user is not SYSTEM


def _is_author(user: Any, amendment: Any) -> bool:
    return _person(user) and amendment.author_id == user.id


def _open(amendment: Any) -> bool:
    return amendment.status == "open" and amendment.document.status != "archived"


def _can_propose(user: Any, document: Any) -> bool:
    return _person(user) and document.status in ("draft", "consultation")


def _can_decide(user: Any, amendment: Any) -> bool:
    return (_lead(user) or _admin(user)) and _open(amendment) and not _is_author(user, amendment)


def _can_endorse(user: Any, document: Any) -> bool:
    # Only a lead, only for their own party (taken from the membership, never from input); admins never.
    return _lead(user) and not _admin(user) and user is not SYSTEM and document.status != "archived"


def _can_withdraw_endorsement(user: Any, endorsement: Any) -> bool:
    if not endorsement.is_live:
        return False
    return _admin(user) or (_lead(user) and user.party.id == endorsement.party_id)


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
    Action.AMENDMENT_PROPOSE: _can_propose,
    Action.AMENDMENT_UPDATE: lambda user, amendment: _is_author(user, amendment) and _open(amendment),
    Action.AMENDMENT_SUPPORT: lambda user, amendment: (_person(user) and not _is_author(user, amendment)
                                                       and _open(amendment)),
    Action.AMENDMENT_COMMENT: lambda user, amendment: _person(user) and _open(amendment),
    Action.AMENDMENT_WITHDRAW: lambda user, amendment: _is_author(user, amendment) and _open(amendment),
    Action.AMENDMENT_DECIDE: _can_decide,
    Action.ENDORSEMENT_GIVE: _can_endorse,
    Action.ENDORSEMENT_WITHDRAW: _can_withdraw_endorsement,
    Action.DOCUMENT_WATCH: lambda user, _: _person(user),
    Action.DOCUMENT_SET_RULE: lambda user, document: (_lead(user) or _admin(user)) and document.status != "archived",
    # A red line is always the actor's own party's (taken from the membership, like endorsing); admins have none.
    Action.RED_LINE_MANAGE: _can_endorse,
    Action.ACCOUNT_SETTINGS: lambda user, owner: (_signed_in(user) and user is not SYSTEM
                                                  and getattr(owner, "id", None) == user.id),
}

_REASONS: dict[Action, str] = {
    Action.DOCUMENT_CREATE: N_("Only approved party members can create documents."),
    Action.DOCUMENT_EDIT: N_("Only approved party members can edit, and only documents in draft."),
    Action.DOCUMENT_REVERT: N_("Only a lead or the document's creator can revert, and only while it is a draft."),
    Action.DOCUMENT_SET_STATUS: N_("Only party leads and administrators can change a document's status."),
    Action.MEMBERSHIP_REQUEST: N_("You already belong to a party or have a request waiting."),
    Action.MEMBERSHIP_DECIDE: N_("Only a lead of that party or an administrator can decide this request."),
    Action.PARTY_MANAGE: N_("Only administrators manage parties."),
    Action.ROLE_ASSIGN: N_("Only administrators assign roles."),
    Action.USER_MANAGE: N_("Only administrators manage accounts, and not their own."),
    Action.AUDIT_READ: N_("Only administrators can read the audit log."),
    Action.ADMIN_ACCESS: N_("Only administrators can open the administration pages."),
    Action.TOKEN_MANAGE: N_("You can only manage your own API tokens."),
    Action.AMENDMENT_PROPOSE: N_("Sign in to propose amendments; only draft and consultation documents take them."),
    Action.AMENDMENT_UPDATE: N_("Only the author can update an amendment, and only while it is open."),
    Action.AMENDMENT_SUPPORT: N_("You can support open amendments by other people."),
    Action.AMENDMENT_COMMENT: N_("Decided amendments are read-only."),
    Action.AMENDMENT_WITHDRAW: N_("Only the author can withdraw an amendment, and only while it is open."),
    Action.AMENDMENT_DECIDE: N_("Only party leads and administrators decide amendments, never their own, "
                                "and only while they are open."),
    Action.ENDORSEMENT_GIVE: N_("Only a party lead can endorse, for their own party, a document that is not "
                                "archived."),
    Action.ENDORSEMENT_WITHDRAW: N_("Only a lead of that party or an administrator can withdraw its endorsement."),
    Action.DOCUMENT_WATCH: N_("Sign in to watch documents."),
    Action.DOCUMENT_SET_RULE: N_("Only party leads and administrators set a document's decision rule, "
                                 "and not on archived documents."),
    Action.RED_LINE_MANAGE: N_("Only a party lead marks red lines, for their own party, on a document that is "
                               "not archived."),
    Action.ACCOUNT_SETTINGS: N_("You can only change your own account's settings."),
}


def can(user: Any, action: Action | str, target: Any = None) -> bool:
    """Whether ``user`` may perform ``action`` on ``target``."""
    return _RULES[Action(action)](user, target)


def require(user: Any, action: Action | str, target: Any = None) -> None:
    """Raise Unauthorized for the anonymous and Forbidden for the signed-in when ``can`` says no."""
    if can(user, action, target):
        return
    if not _signed_in(user):
        raise Unauthorized(N_("Please sign in first."))
    raise Forbidden(_REASONS[Action(action)])

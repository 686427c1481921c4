"""Parties, memberships and roles. Every change is audited."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from policyhub.accounts.models import User
from policyhub.db import utcnow, write_transaction
from policyhub.errors import N_, Conflict, Invalid, NotFound
from policyhub.extensions import db
from policyhub.parties import audit
from policyhub.parties.models import ROLES, Membership, Party
from policyhub.permissions import Action, require
from policyhub.validation import COLOUR, Checker


def list_parties() -> list[Party]:
    return list(db.session.scalars(select(Party).order_by(Party.name)))


def get_party(slug: str) -> Party:
    party = db.session.scalar(select(Party).where(Party.slug == slug))
    if party is None:
        raise NotFound(f"There is no party '{slug}'.")
    return party


def _check_party_fields(checker: Checker, name: object, colour: object) -> tuple[str, str]:
    name = checker.text("name", name, label=N_("Name"), max_length=100)
    colour = checker.text("colour", colour, label=N_("Colour"), max_length=7)
    if colour and not COLOUR.match(colour):
        checker.fail("colour", N_("Colour must look like #1A2B3C."))
    return name, colour.upper()


def create_party(actor: Any, slug: object, name: object, colour: object) -> Party:
    """Add a party. Raises Invalid for bad fields or a slug or name already taken."""
    require(actor, Action.PARTY_MANAGE)
    checker = Checker()
    slug = checker.slug("slug", slug)
    name, colour = _check_party_fields(checker, name, colour)
    checker.done()
    try:
        with write_transaction(db.session):
            taken = db.session.scalar(select(Party).where((Party.slug == slug) | (Party.name == name)))
            if taken is not None:
                # Two whole sentences rather than one with the field's name in it: a page looks each up.
                if taken.slug == slug:
                    raise Invalid(N_("A party with that slug already exists."), {"slug": N_("Already in use.")})
                raise Invalid(N_("A party with that name already exists."), {"name": N_("Already in use.")})
            party = Party(slug=slug, name=name, colour=colour)
            db.session.add(party)
            db.session.flush()
            audit.record(actor, "party.create", party, f"Party {name} ({slug}) created", colour=colour)
    except IntegrityError:
        raise Invalid(N_("A party with that slug or name already exists."),
                      {"slug": N_("Already in use.")}) from None
    return party


def update_party(actor: Any, party: Party, name: object, colour: object) -> Party:
    require(actor, Action.PARTY_MANAGE, party)
    checker = Checker()
    name, colour = _check_party_fields(checker, name, colour)
    checker.done()
    with write_transaction(db.session):
        clash = db.session.scalar(select(Party).where(Party.name == name, Party.id != party.id))
        if clash is not None:
            raise Invalid(N_("Another party has that name."), {"name": N_("Already in use.")})
        before = {"name": party.name, "colour": party.colour}
        party.name, party.colour = name, colour
        audit.record(actor, "party.update", party, f"Party {party.slug} updated", before=before,
                     after={"name": name, "colour": colour})
    return party


def request_membership(actor: User, party: Party) -> Membership:
    """Ask to join ``party``. The person stays non-aligned until a lead or admin approves."""
    require(actor, Action.MEMBERSHIP_REQUEST, party)
    with write_transaction(db.session):
        membership = actor.membership
        if membership is None:
            membership = Membership(user_id=actor.id, party_id=party.id)
            db.session.add(membership)
        else:  # a declined request may be made again, to any party
            membership.party_id, membership.state, membership.role = party.id, "pending", "member"
            membership.requested_at, membership.decided_by_id, membership.decided_at = utcnow(), None, None
        db.session.flush()
        audit.record(actor, "membership.request", membership, f"{actor.name} asked to join {party.name}",
                     party=party.slug)
    return membership


def decide_membership(actor: Any, membership: Membership, approve: bool) -> Membership:
    """Approve or decline a pending request. Raises Conflict when it was already decided."""
    require(actor, Action.MEMBERSHIP_DECIDE, membership)
    with write_transaction(db.session):
        if membership.state != "pending":
            raise Conflict(N_("This request has already been decided."))
        membership.state = "approved" if approve else "declined"
        membership.decided_by_id, membership.decided_at = getattr(actor, "id", None), utcnow()
        verb = "approved" if approve else "declined"
        audit.record(actor, "membership.approve" if approve else "membership.decline", membership,
                     f"{membership.user.name}'s request to join {membership.party.name} {verb}",
                     party=membership.party.slug, user=membership.user.email)
    return membership


def add_member(actor: Any, user: User, party: Party, role: str = "member") -> Membership:
    """Make ``user`` an approved member (or lead) of ``party`` directly: the administrators' path."""
    require(actor, Action.ROLE_ASSIGN, user)
    checker = Checker()
    role = checker.choice("role", role, ROLES, label=N_("Role"))
    checker.done()
    with write_transaction(db.session):
        membership = user.membership
        if membership is None:
            membership = Membership(user_id=user.id, party_id=party.id)
            db.session.add(membership)
        membership.party_id, membership.role, membership.state = party.id, role, "approved"
        membership.decided_by_id, membership.decided_at = getattr(actor, "id", None), utcnow()
        db.session.flush()
        audit.record(actor, "membership.add", membership, f"{user.name} added to {party.name} as {role}",
                     party=party.slug, user=user.email, role=role)
    return membership


def set_role(actor: Any, membership: Membership, role: str) -> Membership:
    """Give or take the lead role. Only approved memberships carry a role."""
    require(actor, Action.ROLE_ASSIGN, membership.user)
    checker = Checker()
    role = checker.choice("role", role, ROLES, label=N_("Role"))
    checker.done()
    with write_transaction(db.session):
        if not membership.is_approved:
            raise Conflict(N_("Approve the membership before changing its role."))
        before, membership.role = membership.role, role
        audit.record(actor, "membership.role", membership,
                     f"{membership.user.name} is now {role} of {membership.party.name}",
                     party=membership.party.slug, user=membership.user.email, before=before, after=role)
    return membership


def remove_membership(actor: Any, membership: Membership) -> None:
    """End a membership: the person becomes non-aligned."""
    require(actor, Action.ROLE_ASSIGN, membership.user)
    with write_transaction(db.session):
        audit.record(actor, "membership.remove", membership,
                     f"{membership.user.name} removed from {membership.party.name}",
                     party=membership.party.slug, user=membership.user.email)
        db.session.delete(membership)


def set_user_active(actor: Any, user: User, active: bool) -> User:
    """Deactivate (the person is signed out at their next request) or reactivate an account."""
    require(actor, Action.USER_MANAGE, user)
    with write_transaction(db.session):
        user.deactivated_at = None if active else utcnow()
        if not active:  # a reactivated account starts with no session: none from before comes back
            user.session_version = User.session_version + 1
        verb = "reactivated" if active else "deactivated"
        audit.record(actor, "user.reactivate" if active else "user.deactivate", user, f"{user.name} {verb}")
    return user


def _decidable_requests(actor: Any) -> Select[tuple[Membership]] | None:
    """Pending requests this actor may decide: all for an admin, their own party's for a lead, else None."""
    query = select(Membership).where(Membership.state == "pending")
    if getattr(actor, "is_admin", False):
        return query
    if getattr(actor, "is_authenticated", False) and actor.is_lead:
        return query.where(Membership.party_id == actor.party.id)
    return None


def pending_requests(actor: Any) -> list[Membership]:
    query = _decidable_requests(actor)
    return [] if query is None else list(db.session.scalars(query.order_by(Membership.requested_at)))


def pending_request_count(actor: Any) -> int | None:
    """How many requests wait for this actor; None for people who decide none (they see no Requests link)."""
    query = _decidable_requests(actor)
    if query is None:
        return None
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def members_of(party: Party) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(Membership.user)
        .where(Membership.party_id == party.id, Membership.state == "approved")
        .order_by(Membership.role.desc(), User.name)
    ))


def get_membership(membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        raise NotFound(N_("There is no such membership request."))
    return membership


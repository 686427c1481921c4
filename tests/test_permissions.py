"""The permission table, as a truth table over kinds of people and targets."""
from __future__ import annotations

import pytest

from policyhub.errors import Forbidden, Unauthorized
from policyhub.permissions import SYSTEM, Action, can, require


@pytest.fixture
def people(make_party, make_user):
    red, blue = make_party("red"), make_party("blue")
    return {
        "anonymous": None,
        "non_aligned": make_user("Nora"),
        "pending": make_user("Pat", party=red, pending=True),
        "member": make_user("Mia", party=red),
        "lead": make_user("Leo", party=red, role="lead"),
        "other_lead": make_user("Olga", party=blue, role="lead"),
        "admin": make_user("Ada", admin=True),
    }


def _allowed(people, action, target=None):
    return {name for name, user in people.items() if can(user, action, target)}


def test_document_create_needs_an_approved_membership(people):
    assert _allowed(people, Action.DOCUMENT_CREATE) == {"member", "lead", "other_lead"}


@pytest.mark.parametrize("status, expected", [
    ("draft", {"member", "lead", "other_lead"}),
    ("consultation", set()),
    ("archived", set()),
])
def test_document_edit_only_drafts_by_members(people, make_document, status, expected):
    document = make_document(people["member"], status=status)
    assert _allowed(people, Action.DOCUMENT_EDIT, document) == expected


def test_revert_by_any_lead_or_the_creator_on_drafts(people, make_document):
    document = make_document(people["member"])
    assert _allowed(people, Action.DOCUMENT_REVERT, document) == {"member", "lead", "other_lead"}
    by_lead = make_document(people["lead"])
    assert _allowed(people, Action.DOCUMENT_REVERT, by_lead) == {"lead", "other_lead"}


def test_status_changes_by_leads_and_admins(people, make_document):
    document = make_document(people["member"])
    assert _allowed(people, Action.DOCUMENT_SET_STATUS, document) == {"lead", "other_lead", "admin"}


def test_membership_requests_decided_by_that_partys_lead_or_admin(people):
    request = people["pending"].membership
    assert _allowed(people, Action.MEMBERSHIP_DECIDE, request) == {"lead", "admin"}


def test_only_people_without_a_membership_may_ask_to_join(people):
    assert _allowed(people, Action.MEMBERSHIP_REQUEST) == {"non_aligned", "admin"}


@pytest.mark.parametrize("action", [Action.PARTY_MANAGE, Action.ROLE_ASSIGN, Action.AUDIT_READ, Action.ADMIN_ACCESS])
def test_administration_is_for_admins_only(people, action):
    assert _allowed(people, action) == {"admin"}


def test_admins_manage_other_accounts_but_not_their_own(people):
    assert _allowed(people, Action.USER_MANAGE, people["member"]) == {"admin"}
    assert not can(people["admin"], Action.USER_MANAGE, people["admin"])


def test_tokens_are_managed_by_their_owner_only(people):
    assert _allowed(people, Action.TOKEN_MANAGE, people["member"]) == {"member"}


def test_system_actor_administers_but_is_never_a_party_voice(people, make_document):
    assert can(SYSTEM, Action.PARTY_MANAGE)
    assert not can(SYSTEM, Action.DOCUMENT_EDIT, make_document(people["member"]))


def test_require_distinguishes_anonymous_from_forbidden(people):
    with pytest.raises(Unauthorized):
        require(None, Action.DOCUMENT_CREATE)
    with pytest.raises(Forbidden):
        require(people["non_aligned"], Action.DOCUMENT_CREATE)


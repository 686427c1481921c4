"""The amendment services without HTTP: each rule of the issue, numbering, versions, supports, decisions."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from policyhub.amendments import services
from policyhub.amendments.models import Amendment, AmendmentVersion, Comment, Support
from policyhub.documents import services as documents
from policyhub.errors import BadRequest, Conflict, EditConflict, Forbidden, Invalid, NotFound, Unauthorized
from policyhub.extensions import db
from policyhub.notifications.models import Watch
from policyhub.permissions import SYSTEM
from policyhub.text.rendering import MAX_DOCUMENT_BYTES

from .amendment_texts import BODY, MORE_VOTES



def invalid_fields(excinfo: pytest.ExceptionInfo[Invalid]) -> dict[str, str]:
    return excinfo.value.fields


# --- proposing -------------------------------------------------------------------------------------------

def test_a_non_aligned_person_proposes_against_the_current_revision(plan, outsider, propose, audit_actions):
    amendment = propose(outsider, plan, MORE_VOTES, title="Fair votes", rationale="Say **fair**.")
    assert (amendment.number, amendment.status, amendment.author_id) == (1, "open", outsider.id)
    assert "<strong>fair</strong>" in amendment.rationale_html
    version = services.latest_version(amendment)
    assert (version.number, version.base_number, version.body) == (1, 1, MORE_VOTES)
    assert (amendment.applies_cleanly, amendment.checked_revision) == (True, 1)
    assert audit_actions() == ["amendment.propose"]


def test_proposing_makes_the_author_watch_and_notifies_the_watchers(plan, member, outsider, propose, notifications):
    from policyhub.notifications.services import watch
    watch(member, plan)
    propose(outsider, plan, MORE_VOTES)
    assert db.session.scalar(select(Watch.id).where(Watch.user_id == outsider.id)) is not None
    assert [(user, kind) for user, kind, _ in notifications()] == [(member.id, "amendment")]


def test_numbers_are_per_document_and_without_gaps(member, outsider, make_document, propose):
    first, second = make_document(member, body=BODY), make_document(member, body=BODY)
    numbers = [propose(outsider, first, MORE_VOTES).number]
    with pytest.raises(Invalid):
        propose(outsider, first, BODY)  # a refused proposal takes no number
    numbers += [propose(outsider, first, MORE_VOTES).number, propose(member, first, MORE_VOTES).number]
    assert numbers == [1, 2, 3]
    assert propose(outsider, second, MORE_VOTES).number == 1


def test_an_amendment_must_change_its_base_text(plan, outsider, propose):
    with pytest.raises(Invalid) as excinfo:
        propose(outsider, plan, BODY)
    assert invalid_fields(excinfo) == {"body": "An amendment must change the text."}


@pytest.mark.parametrize("title, rationale, body, field", [
    ("", "Why", MORE_VOTES, "title"),
    ("Two\nlines", "Why", MORE_VOTES, "title"),
    ("x" * 201, "Why", MORE_VOTES, "title"),
    ("Title", "  ", MORE_VOTES, "rationale"),
    ("Title", "w" * 20_001, MORE_VOTES, "rationale"),
    ("Title", "Why", "", "body"),
    ("Title", "Why", "a" * (MAX_DOCUMENT_BYTES + 1), "body"),
    ("Title", "Why\x00", MORE_VOTES, "rationale"),
])
def test_proposals_breaking_a_field_rule_are_refused(plan, outsider, title, rationale, body, field):
    with pytest.raises(Invalid) as excinfo:
        services.propose_amendment(outsider, plan, title=title, rationale=rationale, body=body, base_number=1)
    assert field in invalid_fields(excinfo)
    assert db.session.scalar(select(func.count()).select_from(Amendment)) == 0


@pytest.mark.parametrize("base", [0, 2, "7", "abc", None, True, -1])
def test_the_base_must_be_an_existing_revision(plan, outsider, base):
    with pytest.raises(Invalid) as excinfo:
        services.propose_amendment(outsider, plan, title="T", rationale="R", body=MORE_VOTES, base_number=base)
    assert "base_revision" in invalid_fields(excinfo)


def test_every_broken_field_is_named_at_once(plan, outsider):
    with pytest.raises(Invalid) as excinfo:
        services.propose_amendment(outsider, plan, title="", rationale="", body=BODY, base_number=9)
    assert set(invalid_fields(excinfo)) == {"title", "rationale", "base_revision"}


def test_an_older_base_is_kept_and_checked_against_the_current_text(plan, member, outsider, propose, edit):
    edit(member, plan, "about money", "about public money")
    amendment = propose(outsider, plan, MORE_VOTES, base=1)
    assert services.latest_version(amendment).base_number == 1
    assert (amendment.applies_cleanly, amendment.checked_revision) == (True, 2)


def test_who_may_propose(plan, member, make_document, outsider, propose):
    with pytest.raises(Unauthorized):
        propose(None, plan, MORE_VOTES)
    with pytest.raises(Forbidden):
        propose(SYSTEM, plan, MORE_VOTES)
    archived = make_document(member, body=BODY, status="archived")
    with pytest.raises(Forbidden):
        propose(outsider, archived, MORE_VOTES)
    consultation = make_document(member, body=BODY, status="consultation")
    assert propose(outsider, consultation, MORE_VOTES).number == 1


# --- reading ---------------------------------------------------------------------------------------------

def test_lists_filter_by_state_and_the_site_wide_list_pages_open_ones(plan, member, outsider, lead, propose,
                                                                      make_document):
    first = propose(outsider, plan, MORE_VOTES)
    second = propose(outsider, plan, BODY.replace("seats", "fair seats"))
    services.withdraw_amendment(outsider, second)
    other = make_document(member, body=BODY, title="Another")
    propose(outsider, other, MORE_VOTES)
    assert [a.number for a in services.list_amendments(plan)] == [1, 2]
    assert [a.number for a in services.list_amendments(plan, "open")] == [first.number]
    assert [a.number for a in services.list_amendments(plan, "withdrawn")] == [2]
    assert services.list_amendments(plan, "rejected") == []
    assert services.amendment_counts(plan) == {"open": 1, "accepted": 0, "rejected": 0, "withdrawn": 1, "all": 2}
    with pytest.raises(BadRequest):
        services.list_amendments(plan, "pending")
    page, total = services.list_open_amendments(page=1, per_page=1)
    assert total == 2 and [a.document.title for a in page] == ["Another"]
    page, _ = services.list_open_amendments(page=2, per_page=1)
    assert [(a.document.title, a.number) for a in page] == [("Plan", 1)]


def test_get_amendment_raises_not_found_for_an_unknown_number(plan, outsider, propose):
    propose(outsider, plan, MORE_VOTES)
    assert services.get_amendment(plan, 1).title == "Say more"
    with pytest.raises(NotFound):
        services.get_amendment(plan, 2)


def test_the_diff_is_against_the_base(plan, outsider, propose):
    amendment = propose(outsider, plan, MORE_VOTES)
    ops = services.amendment_diff(amendment)
    assert ("insert", "fair ") in ops
    assert "".join(text for op, text in ops if op != "insert") == BODY


def test_preview_merges_into_the_current_text(plan, member, outsider, propose, edit):
    amendment = propose(outsider, plan, MORE_VOTES)
    edit(member, plan, "about money", "about public money")
    preview = services.preview(amendment)
    assert preview.applies and preview.moved_on and preview.changes_text
    assert preview.merged_text == BODY.replace("about votes", "about fair votes").replace("money", "public money")
    assert [op for op in preview.ops if op[0] != "equal"] == [("insert", "fair ")]
    edit(member, plan, "about votes", "about equal votes")
    preview = services.preview(amendment)
    assert not preview.applies and preview.merged_text is None and preview.ops == []
    assert [(c.base, c.ours, c.theirs) for c in preview.conflicts] == [("", "fair ", "equal ")]


# --- updating --------------------------------------------------------------------------------------------

def test_the_author_updates_against_the_current_revision_and_earlier_versions_stay(plan, member, outsider,
                                                                                  propose, edit, audit_actions):
    amendment = propose(outsider, plan, MORE_VOTES)
    edit(member, plan, "about money", "about public money")
    newer = MORE_VOTES.replace("money", "public money").replace("fair votes", "proportional votes")
    services.update_amendment(outsider, amendment, body=newer, title="Proportional", rationale="PR **now**.")
    all_versions = services.versions(amendment)
    assert [(v.number, v.base_number) for v in all_versions] == [(1, 1), (2, 2)]
    assert all_versions[0].body == MORE_VOTES and all_versions[1].body == newer
    assert (amendment.title, amendment.checked_revision) == ("Proportional", 2)
    assert "<strong>now</strong>" in amendment.rationale_html
    assert audit_actions() == ["amendment.propose", "amendment.update"]


def test_an_update_that_changes_nothing_makes_no_version(plan, outsider, propose, audit_actions):
    amendment = propose(outsider, plan, MORE_VOTES)
    services.update_amendment(outsider, amendment, body=MORE_VOTES)
    assert len(services.versions(amendment)) == 1
    services.update_amendment(outsider, amendment, body=MORE_VOTES, title="Better title")
    assert len(services.versions(amendment)) == 1 and amendment.title == "Better title"
    assert audit_actions() == ["amendment.propose", "amendment.update"]


def test_an_update_must_still_change_the_text(plan, outsider, propose):
    amendment = propose(outsider, plan, MORE_VOTES)
    with pytest.raises(Invalid) as excinfo:
        services.update_amendment(outsider, amendment, body=BODY)
    assert invalid_fields(excinfo) == {"body": "An amendment must change the text."}


def test_only_the_author_updates_and_only_while_open(plan, member, outsider, lead, propose):
    amendment = propose(outsider, plan, MORE_VOTES)
    with pytest.raises(Forbidden):
        services.update_amendment(member, amendment, body=MORE_VOTES + "\nMore.\n")
    services.reject_amendment(lead, amendment, "No.")
    with pytest.raises(Forbidden):
        services.update_amendment(outsider, amendment, body=MORE_VOTES + "\nMore.\n")


# --- supporting and commenting ---------------------------------------------------------------------------

def test_support_is_idempotent_and_the_count_follows_the_supports(plan, member, outsider, lead, propose,
                                                                   audit_actions):
    amendment = propose(outsider, plan, MORE_VOTES)
    services.support(member, amendment)
    services.support(member, amendment)
    services.support(lead, amendment)
    assert amendment.supporter_count == 2
    assert [s.user_id for s in services.supporters(amendment)] == [member.id, lead.id]
    services.unsupport(member, amendment)
    services.unsupport(member, amendment)
    assert amendment.supporter_count == 1
    assert db.session.scalar(select(func.count()).select_from(Support)) == 1
    assert services.is_supporter(lead, amendment) and not services.is_supporter(member, amendment)
    assert audit_actions() == ["amendment.propose", "amendment.support", "amendment.support",
                               "amendment.unsupport"]


def test_authors_cannot_support_their_own_and_nobody_supports_a_decided_one(plan, member, outsider, lead, propose):
    amendment = propose(outsider, plan, MORE_VOTES)
    with pytest.raises(Forbidden):
        services.support(outsider, amendment)
    with pytest.raises(Unauthorized):
        services.support(None, amendment)
    services.support(member, amendment)
    services.reject_amendment(lead, amendment, "No.")
    with pytest.raises(Forbidden):
        services.support(lead, amendment)
    with pytest.raises(Forbidden):
        services.unsupport(member, amendment)
    assert amendment.supporter_count == 1


def test_comments_are_rendered_safely_and_make_the_commenter_watch(plan, member, outsider, propose, notifications,
                                                                    audit_actions):
    amendment = propose(outsider, plan, MORE_VOTES)
    comment = services.add_comment(member, amendment, "**Yes.** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>Yes.</strong>" in comment.html
    assert "<script>" not in comment.html and "&lt;script&gt;" in comment.html
    assert 'href="javascript' not in comment.html
    assert [c.id for c in services.comments(amendment)] == [comment.id]
    assert db.session.scalar(select(Watch.id).where(Watch.user_id == member.id)) is not None
    assert [(user, kind) for user, kind, _ in notifications("comment")] == [(outsider.id, "comment")]
    assert audit_actions()[-1] == "amendment.comment"


@pytest.mark.parametrize("body", ["", "   ", "c" * 10_001])
def test_comments_need_text_within_the_limit(plan, member, outsider, propose, body):
    amendment = propose(outsider, plan, MORE_VOTES)
    with pytest.raises(Invalid) as excinfo:
        services.add_comment(member, amendment, body)
    assert "body" in invalid_fields(excinfo)
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


# --- withdrawing, rejecting ------------------------------------------------------------------------------

def test_the_author_withdraws_and_it_becomes_read_only(plan, member, outsider, propose, notifications,
                                                       audit_actions):
    amendment = propose(outsider, plan, MORE_VOTES)
    with pytest.raises(Forbidden):
        services.withdraw_amendment(member, amendment)
    services.withdraw_amendment(outsider, amendment)
    assert amendment.status == "withdrawn" and amendment.decided_at is not None and amendment.decided_by_id is None
    for attempt in (lambda: services.add_comment(member, amendment, "Hi"),
                    lambda: services.support(member, amendment),
                    lambda: services.withdraw_amendment(outsider, amendment)):
        with pytest.raises(Forbidden):
            attempt()
    assert audit_actions() == ["amendment.propose", "amendment.withdraw"]


def test_reject_needs_a_note_and_records_the_decision(plan, outsider, lead, propose, notifications, audit_actions):
    amendment = propose(outsider, plan, MORE_VOTES)
    for note in ("", "n" * 2_001):
        with pytest.raises(Invalid) as excinfo:
            services.reject_amendment(lead, amendment, note)
        assert "note" in invalid_fields(excinfo)
    services.reject_amendment(lead, amendment, "Out of scope for this paper.")
    assert (amendment.status, amendment.decided_by_id, amendment.decision_note) == (
        "rejected", lead.id, "Out of scope for this paper.")
    assert outsider.id in {user for user, _, _ in notifications("decision")}
    assert audit_actions() == ["amendment.propose", "amendment.reject"]


def test_deciding_is_for_leads_and_admins_never_on_their_own(plan, member, outsider, lead, make_user, propose):
    amendment = propose(outsider, plan, MORE_VOTES)
    with pytest.raises(Forbidden):
        services.reject_amendment(member, amendment, "No.")
    with pytest.raises(Forbidden):
        services.accept_amendment(outsider, amendment)
    own = propose(lead, plan, BODY.replace("seats", "fair seats"))
    with pytest.raises(Forbidden):
        services.accept_amendment(lead, own)
    admin = make_user("Ada Admin", admin=True)
    services.reject_amendment(admin, own, "Let us discuss first.")
    assert own.status == "rejected"


# --- accepting -------------------------------------------------------------------------------------------

def test_accepting_merges_through_the_save_path_as_the_amendment_author(plan, member, outsider, lead, propose,
                                                                        notifications, audit_actions):
    amendment = propose(outsider, plan, MORE_VOTES, title="Fair votes")
    accepted, revision = services.accept_amendment(lead, amendment, "Agreed at the meeting.")
    assert (revision.number, revision.body, revision.source) == (2, MORE_VOTES, "amendment")
    assert (revision.author_id, revision.amendment_number, revision.base_number) == (outsider.id, 1, 1)
    assert revision.summary == "Amendment 1: Fair votes"
    assert documents.get_document(plan.slug).current_number == 2
    assert (accepted.status, accepted.merged_revision, accepted.decided_by_id, accepted.decision_note) == (
        "accepted", 2, lead.id, "Agreed at the meeting.")
    assert audit_actions() == ["amendment.propose", "amendment.accept"]
    assert ("decision" in {kind for _, kind, _ in notifications()})


def test_accepting_a_stale_amendment_merges_it_with_the_newer_text(plan, member, outsider, lead, propose, edit):
    amendment = propose(outsider, plan, MORE_VOTES)
    edit(member, plan, "about money", "about public money")
    _, revision = services.accept_amendment(lead, amendment)
    assert revision.body == MORE_VOTES.replace("about money", "about public money")
    assert (revision.number, revision.base_number) == (3, 1)


def test_accepting_keeps_a_long_title_within_the_summary_limit(plan, outsider, lead, propose):
    amendment = propose(outsider, plan, MORE_VOTES, title="T" * 200)
    _, revision = services.accept_amendment(lead, amendment)
    assert len(revision.summary) == 200 and revision.summary.startswith("Amendment 1: TTT")


def test_accepting_a_conflicting_amendment_is_refused_and_changes_nothing(plan, member, outsider, lead, propose,
                                                                          edit, notifications, audit_actions):
    amendment = propose(outsider, plan, MORE_VOTES)
    edit(member, plan, "about votes", "about equal votes")
    before = (notifications(), audit_actions())
    with pytest.raises(EditConflict) as excinfo:
        services.accept_amendment(lead, amendment, "Yes")
    assert [(c.ours, c.theirs) for c in excinfo.value.conflicts] == [("fair ", "equal ")]
    assert excinfo.value.extra == {"current_revision": 2}
    db.session.rollback()
    amendment = services.get_amendment(plan, 1)
    assert (amendment.status, amendment.decided_by_id, amendment.decision_note, amendment.merged_revision) == (
        "open", None, "", None)
    assert documents.get_document(plan.slug).current_number == 2
    assert (notifications(), audit_actions()) == before


def test_accepting_what_the_text_already_says_is_refused(plan, member, outsider, lead, propose, edit):
    amendment = propose(outsider, plan, MORE_VOTES)
    edit(member, plan, "about votes", "about fair votes")
    with pytest.raises(Conflict, match="already contains"):
        services.accept_amendment(lead, amendment)
    db.session.rollback()
    assert services.get_amendment(plan, 1).status == "open"
    assert documents.get_document(plan.slug).current_number == 2


def test_accepting_a_decided_amendment_is_forbidden(plan, outsider, lead, propose):
    amendment = propose(outsider, plan, MORE_VOTES)
    services.accept_amendment(lead, amendment)
    with pytest.raises(Forbidden):
        services.accept_amendment(lead, amendment)
    with pytest.raises(Forbidden):
        services.reject_amendment(lead, amendment, "Changed my mind")
    assert db.session.scalar(select(func.count()).select_from(AmendmentVersion)) == 1

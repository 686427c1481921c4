"""The save rule of DESIGN.md, through the documents service."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from policyhub.documents import services
from policyhub.documents.models import Revision
from policyhub.errors import Conflict, EditConflict, Forbidden, Invalid, NotFound
from policyhub.extensions import db
from policyhub.parties.models import AuditEvent
from policyhub.text.rendering import MAX_DOCUMENT_BYTES

BODY = "# Fair votes\n\nFirst paragraph about votes.\n\nSecond paragraph about seats.\n\nThird paragraph.\n"


def revision_count(document) -> int:
    return db.session.scalar(select(func.count()).where(Revision.document_id == document.id))


def test_create_document_makes_revision_one_with_rendered_html(member):
    document = services.create_document(member, title="Fair votes", body=BODY, policy_area="Democratic reform")
    first = services.get_revision(document, 1)
    assert document.slug == "fair-votes"
    assert document.current_number == 1 and document.status == "draft"
    assert first.author_id == member.id and first.base_number is None and first.source == "edit"
    assert '<h1 id="s-fair-votes"' in first.html
    assert first.added_words == len(BODY.split())


def test_derived_slug_gets_suffix_but_explicit_duplicate_is_refused(member):
    services.create_document(member, title="Fair votes", body=BODY, policy_area="Democratic reform")
    second = services.create_document(member, title="Fair votes", body=BODY, policy_area="Democratic reform")
    assert second.slug == "fair-votes-2"
    with pytest.raises(Invalid) as error:
        services.create_document(member, title="Other", body=BODY, policy_area="X", slug="fair-votes")
    assert "slug" in error.value.fields


@pytest.mark.parametrize("title, field", [("", "title"), ("x" * 201, "title"), ("a\x00b", "title")])
def test_bad_titles_are_refused(member, title, field):
    with pytest.raises(Invalid) as error:
        services.create_document(member, title=title, body=BODY, policy_area="Democratic reform")
    assert field in error.value.fields


def test_body_over_cap_and_control_characters_are_refused(member, make_document):
    document = make_document(member)
    for body in ("x" * (MAX_DOCUMENT_BYTES + 1), "text with a NUL \x00 byte", "bell \x07"):
        with pytest.raises(Invalid) as error:
            services.save_revision(member, document, body=body, base_number=1)
        assert "body" in error.value.fields
    assert revision_count(document) == 1


def test_crlf_is_normalised_before_saving(member, make_document):
    document = make_document(member, body=BODY)
    result = services.save_revision(member, document, body=BODY.replace("\n", "\r\n") + "More.\r\n", base_number=1)
    assert "\r" not in result.revision.body


def test_unchanged_text_makes_no_revision(member, make_document):
    document = make_document(member, body=BODY)
    result = services.save_revision(member, document, body=BODY, base_number=1, summary="nothing")
    assert result.changed is False and result.revision.number == 1
    assert revision_count(document) == 1


def test_save_on_current_base_appends_next_number_with_stats_and_audit(member, make_document):
    document = make_document(member, body=BODY)
    result = services.save_revision(member, document, body=BODY.replace("seats", "fair seats"), base_number=1,
                                    summary="Sharpen")
    assert result.changed and not result.merged
    assert result.revision.number == 2 and result.revision.base_number == 1
    assert (result.revision.added_words, result.revision.removed_words) == (1, 0)
    assert document.current_number == 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "revision.create")).all()
    assert [event.details["number"] for event in events] == [1, 2]


def test_stale_base_with_separate_changes_is_merged(member, make_document):
    document = make_document(member, body=BODY)
    services.save_revision(member, document, body=BODY.replace("First", "Opening"), base_number=1)
    result = services.save_revision(member, document, body=BODY.replace("Third", "Closing"), base_number=1)
    assert result.merged and result.changed
    assert result.revision.number == 3
    assert "Opening paragraph" in result.revision.body and "Closing paragraph" in result.revision.body


def test_stale_base_with_overlapping_change_is_a_conflict_that_keeps_the_text(member, make_document):
    document = make_document(member, body=BODY)
    services.save_revision(member, document, body=BODY.replace("about votes", "about fair votes"), base_number=1)
    mine = BODY.replace("about votes", "about proportional votes")
    with pytest.raises(EditConflict) as error:
        services.save_revision(member, document, body=mine, base_number=1, summary="my summary")
    assert error.value.body == mine and error.value.summary == "my summary"
    assert error.value.current.number == 2 and error.value.conflicts
    assert revision_count(document) == 2
    assert services.get_document(document.slug).current_number == 2


def test_base_revision_that_does_not_exist_is_invalid(member, make_document):
    document = make_document(member)
    for base in (0, 5, "abc"):
        with pytest.raises(Invalid) as error:
            services.save_revision(member, document, body="New text", base_number=base)
        assert "base_revision" in error.value.fields


def test_only_members_edit_and_only_drafts(make_user, member, make_document):
    outsider = make_user("Non Aligned")
    document = make_document(member)
    with pytest.raises(Forbidden):
        services.save_revision(outsider, document, body="Defaced", base_number=1)
    services.set_status(_lead_of(member, make_user), document, "consultation")
    with pytest.raises(Forbidden):
        services.save_revision(member, document, body="Changed", base_number=1)


def _lead_of(member, make_user):
    return make_user("Lena Lead", party=member.party, role="lead")


def test_revert_restores_old_text_as_new_revision(member, make_document):
    document = make_document(member, body=BODY, revisions=3)
    result = services.revert_document(member, document, to_number=1, base_number=3, summary="")
    assert result.revision.number == 4 and result.revision.source == "revert"
    assert result.revision.body == BODY and result.revision.summary == "Revert to revision 1"


def test_revert_on_stale_base_is_refused(member, make_document):
    document = make_document(member, body=BODY, revisions=3)
    with pytest.raises(Conflict):
        services.revert_document(member, document, to_number=1, base_number=2)
    assert document.current_number == 3


def test_revert_needs_lead_or_creator(make_user, member, make_document):
    colleague = make_user("Colleague", party=member.party)
    document = make_document(member, revisions=2)
    with pytest.raises(Forbidden):
        services.revert_document(colleague, document, to_number=1, base_number=2)
    lead = _lead_of(member, make_user)
    assert services.revert_document(lead, document, to_number=1, base_number=2).changed


def test_compare_and_unknown_revisions(member, make_document):
    document = make_document(member, body=BODY)
    services.save_revision(member, document, body=BODY.replace("seats", "fair seats"), base_number=1)
    comparison = services.compare(document, 1, 2)
    assert ("insert", "fair ") in comparison.ops or any(op == "insert" and "fair" in t for op, t in comparison.ops)
    assert comparison.stats.added_words == 1
    with pytest.raises(NotFound):
        services.compare(document, 1, 3)


def test_revisions_page_is_newest_first_and_complete(member, make_document):
    document = make_document(member, revisions=7)
    first = services.revisions_page(document, 1, 3)
    last = services.revisions_page(document, 3, 3)
    assert [r.number for r in first] == [7, 6, 5]
    assert [r.number for r in last] == [1]


def test_status_change_is_audited_and_needs_lead(member, make_user, make_document):
    document = make_document(member)
    with pytest.raises(Forbidden):
        services.set_status(member, document, "consultation")
    lead = _lead_of(member, make_user)
    services.set_status(lead, document, "consultation")
    with pytest.raises(Invalid):
        services.set_status(lead, document, "published")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "document.status")).one()
    assert event.details == {"before": "draft", "after": "consultation"} and event.actor_id == lead.id

"""Open amendments stay checked against the current text: after every revision, after an acceptance, and the
passages they touch (for "overlaps with")."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyhub.amendments import services
from policyhub.documents import services as documents
from policyhub.extensions import db

from .amendment_texts import BODY


def test_a_revision_that_collides_flips_applies_and_notifies_only_the_author(plan, member, outsider, lead, propose,
                                                                              edit, notifications):
    amendment = propose(outsider, plan, BODY.replace("about votes", "about fair votes"))
    services.support(lead, amendment)
    edit(member, plan, "about money", "about public money")
    assert (amendment.applies_cleanly, amendment.checked_revision) == (True, 2)
    assert notifications("conflict") == []
    edit(member, plan, "about votes", "about equal votes")
    assert (amendment.applies_cleanly, amendment.checked_revision) == (False, 3)
    conflicts = notifications("conflict")
    assert [(user, kind) for user, kind, _ in conflicts] == [(outsider.id, "conflict")]
    assert "amendment 1" in conflicts[0][2] and "no longer applies" in conflicts[0][2]
    edit(member, plan, "about seats", "about many seats")
    assert len(notifications("conflict")) == 1  # told once, when it stopped applying


def test_an_update_against_the_current_text_makes_it_apply_again(plan, member, outsider, propose, edit):
    amendment = propose(outsider, plan, BODY.replace("about votes", "about fair votes"))
    current = edit(member, plan, "about votes", "about equal votes")
    assert not amendment.applies_cleanly
    services.update_amendment(outsider, amendment, body=current.body.replace("equal votes", "equal and fair votes"))
    assert (amendment.applies_cleanly, amendment.checked_revision) == (True, 2)
    assert services.preview(amendment).applies


def test_accepting_one_rechecks_the_others_at_once(plan, member, outsider, lead, make_user, propose, notifications):
    other_author = make_user("Otto Other")
    first = propose(outsider, plan, BODY.replace("about votes", "about fair votes"))
    rival = propose(other_author, plan, BODY.replace("about votes", "about equal votes"))
    distant = propose(other_author, plan, BODY.replace("about money", "about public money"))
    assert services.overlaps([first, rival, distant]) == {1: [2], 2: [1]}
    services.accept_amendment(lead, first)
    db.session.rollback()  # read what was committed
    rival, distant = services.get_amendment(plan, 2), services.get_amendment(plan, 3)
    assert (rival.applies_cleanly, rival.checked_revision) == (False, 2)
    assert (distant.applies_cleanly, distant.checked_revision) == (True, 2)
    assert [user for user, _, _ in notifications("conflict")] == [other_author.id]
    assert services.get_amendment(plan, 1).checked_revision == 1  # decided: no longer re-checked


def test_touched_ranges_follow_the_current_text(plan, member, outsider, propose, edit):
    replacement = propose(outsider, plan, BODY.replace("about seats", "about fair seats"))
    insertion = propose(outsider, plan, BODY.replace("money.\n", "money.\n\nA fourth paragraph.\n"))
    replacing = propose(outsider, plan, BODY.replace("Third paragraph", "Closing paragraph"))
    before = [list(r) for r in replacement.touched]
    current = edit(member, plan, "# Plan", "# A much longer plan title")
    shift = len("# A much longer plan title") - len("# Plan")
    assert replacement.touched == [[start + shift, end + shift] for start, end in before]
    (start, end), = insertion.touched
    assert start == end  # an insertion is a zero-width range at its position
    assert current.body[:start].rstrip("\n").endswith("money.") and not current.body[end:].strip()
    (start, end), = replacing.touched
    assert current.body[start:end] == "Third"


def test_a_change_into_an_edited_passage_widens_to_cover_it(plan, member, outsider, propose, edit):
    amendment = propose(outsider, plan, BODY.replace("Second paragraph about seats", "Second paragraph on seats"))
    current = edit(member, plan, "about seats", "about parliamentary seats")
    (start, end), = amendment.touched
    assert not amendment.applies_cleanly
    assert "about parliamentary seats"[:5] in current.body[start:end]


def test_overlaps_compare_only_open_amendments_checked_against_the_same_text(plan, member, outsider, lead, propose):
    a = propose(outsider, plan, BODY.replace("about votes", "about fair votes"))
    b = propose(outsider, plan, BODY.replace("votes.", "ballots."))  # touches where a inserts
    c = propose(outsider, plan, BODY.replace("about money", "about public money"))
    d = propose(outsider, plan, BODY.replace("money.", "funds."))
    assert services.overlaps([a, b, c, d]) == {1: [2], 2: [1], 3: [4], 4: [3]}
    services.reject_amendment(lead, d, "No.")
    assert services.overlaps(services.list_amendments(plan)) == {1: [2], 2: [1]}
    b.checked_revision = 99  # as if checked against another text: its ranges say nothing about a's
    assert services.overlaps([a, b, c]) == {}
    db.session.rollback()


WORDS = st.sampled_from(["land", "tax", "votes", "seats", "fair", "green", "homes", "\n\n", "money"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.lists(WORDS, max_size=6), suffix=st.lists(WORDS, max_size=6), word=WORDS)
def test_an_untouched_passage_is_found_exactly_after_edits_elsewhere(app, member, make_document, propose, prefix,
                                                                      suffix, word):
    """Whatever the document gains before and after a sentence, the amendment's range in the current text
    is exactly that sentence's changed word."""
    body = "Intro line.\n\nWe will tax land fairly.\n\nOutro line.\n"
    document = make_document(member, body=body)
    amendment = propose(member, document, body.replace("tax land", "tax wealth"))
    new_body = " ".join(prefix) + "\n\n" + body + "\n\n" + " ".join(suffix) + " " + word
    documents.save_revision(member, document, body=new_body, base_number=1)
    assert amendment.applies_cleanly
    (start, end), = amendment.touched
    current = documents.get_revision(document, 2).body
    assert current[start:end] == "land"

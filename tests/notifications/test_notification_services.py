"""Watching and notifications through the services, without HTTP."""
from __future__ import annotations

import pytest

from policyhub.documents import services as documents
from policyhub.errors import BadRequest, NotFound, Unauthorized
from policyhub.db import write_transaction
from policyhub.extensions import db
from policyhub.notifications import services


def test_the_creator_of_a_document_watches_it(make_document, tom):
    document = make_document(tom)
    assert services.is_watching(tom, document)


def test_saving_a_revision_notifies_watchers_but_not_the_actor(make_document, tom, carys, dan, edit_document, inbox):
    document = make_document(tom, title="Fair votes", slug="fair-votes")
    services.watch(carys, document)

    edit_document(tom, document)

    [notification] = inbox(carys)
    assert notification.kind == "revision"
    assert notification.message == "Tom Hughes saved revision 2 of 'Fair votes'"
    assert notification.url == "/documents/fair-votes/diff?from=1&to=2"
    assert notification.actor_id == tom.id and notification.read_at is None
    assert inbox(tom) == []  # the actor is never told about their own change
    assert inbox(dan) == []  # not watching


def test_the_author_of_a_revision_watches_the_document_and_hears_of_later_changes(make_document, tom, make_user,
                                                                                 labour, edit_document, inbox):
    document = make_document(tom, title="Fair votes")
    ann = make_user("Ann Editor", party=labour)
    assert not services.is_watching(ann, document)

    edit_document(ann, document)
    assert services.is_watching(ann, document)
    assert [n.message for n in inbox(tom)] == ["Ann Editor saved revision 2 of 'Fair votes'"]

    edit_document(tom, document)
    assert [n.message for n in inbox(ann)] == ["Tom Hughes saved revision 3 of 'Fair votes'"]


def test_an_accepted_amendment_makes_its_author_watch_and_tells_them(make_document, make_user, labour, green,
                                                                    tom, dan, inbox):
    document = make_document(tom, title="Fair votes")
    lead = make_user("Liz Lead", party=green, role="lead")
    current = documents.get_revision(document, 1)
    # What the amendments service does when a lead accepts Dan's amendment: the lead acts, Dan is the author.
    documents.apply_change(lead, document, title=None, body=current.body + "\nDan's clause.\n", base_number=1,
                           summary="Amendment 3", source="amendment", permission=None, author=dan,
                           amendment_number=3)

    assert services.is_watching(dan, document)
    assert not services.is_watching(lead, document)  # accepting is not authoring
    expected = "Liz Lead accepted amendment 3 by Dan Nonaligned as revision 2 of 'Fair votes'"
    assert [n.message for n in inbox(dan)] == [expected]
    assert [n.message for n in inbox(tom)] == [expected]
    assert inbox(lead) == []


def test_a_revert_is_described_as_one(make_document, tom, carys, edit_document, inbox):
    document = make_document(tom, title="Fair votes")
    edit_document(tom, document)
    services.watch(carys, document)
    documents.revert_document(tom, document, to_number=1, base_number=2)
    assert [n.message for n in inbox(carys)] == ["Tom Hughes restored earlier text of 'Fair votes' as revision 3"]


def test_unwatching_stops_notifications(make_document, tom, carys, edit_document, inbox):
    document = make_document(tom)
    services.watch(carys, document)
    edit_document(tom, document)
    services.unwatch(carys, document)
    assert not services.is_watching(carys, document)

    edit_document(tom, document)
    assert len(inbox(carys)) == 1


def test_watching_twice_or_unwatching_twice_changes_nothing(make_document, tom, carys, edit_document, inbox):
    document = make_document(tom)
    services.watch(carys, document)
    services.watch(carys, document)
    edit_document(tom, document)
    assert len(inbox(carys)) == 1  # one watch, one notification
    services.unwatch(carys, document)
    services.unwatch(carys, document)
    assert not services.is_watching(carys, document)


def test_ensure_watching_inside_a_transaction_keeps_it_usable(make_document, tom, carys):
    document = make_document(tom)
    with write_transaction(db.session):
        services.ensure_watching(carys, document)
        services.ensure_watching(carys, document)
    assert services.is_watching(carys, document)


def test_the_anonymous_cannot_watch(app, make_document, tom):
    from flask_login import AnonymousUserMixin
    document = make_document(tom)
    with pytest.raises(Unauthorized):
        services.watch(AnonymousUserMixin(), document)
    assert services.unread_count(AnonymousUserMixin()) == 0


def test_a_long_title_is_shortened_to_fit_the_message(make_document, tom, carys, edit_document, inbox):
    document = make_document(tom, title="Votes " * 33)
    services.watch(carys, document)
    edit_document(tom, document)
    [notification] = inbox(carys)
    assert len(notification.message) <= 300 and notification.message.endswith("…'")


# --- reading and marking ---------------------------------------------------------------------------------

@pytest.fixture
def busy(make_document, tom, carys, dan, edit_document):
    """Carys and Dan watch a document that Tom edits three times."""
    document = make_document(tom, title="Fair votes")
    services.watch(carys, document)
    services.watch(dan, document)
    for n in range(3):
        edit_document(tom, document, f"Edit {n}.")
    return document


def test_list_is_newest_first_paginated_and_counted(busy, carys):
    page_one, total = services.list_notifications(carys, 1, 2)
    page_two, _ = services.list_notifications(carys, 2, 2)
    assert total == 3
    assert len(page_one) == 2 and len(page_two) == 1
    assert [n.message for n in page_one + page_two] == [
        f"Tom Hughes saved revision {n} of 'Fair votes'" for n in (4, 3, 2)]
    assert services.unread_count(carys) == 3


def test_list_filters_by_kind(busy, carys, tom):
    with write_transaction(db.session):
        services.notify(busy, actor=tom, kind="comment", message="Tom commented", url="/x", only=[carys.id])
    comments, total = services.list_notifications(carys, 1, 30, kind="comment")
    assert total == 1 and comments[0].message == "Tom commented"
    with pytest.raises(BadRequest):
        services.list_notifications(carys, 1, 30, kind="gossip")


def test_mark_read_touches_only_ones_own_notifications(busy, carys, dan, inbox):
    carys_first = inbox(carys)[0]
    with pytest.raises(NotFound):
        services.mark_read(dan, carys_first.id)
    assert inbox(carys)[0].read_at is None

    services.mark_read(carys, carys_first.id)
    first_read = inbox(carys)[0].read_at
    assert first_read is not None
    services.mark_read(carys, carys_first.id)  # again: fine, and the first reading time is kept
    assert inbox(carys)[0].read_at == first_read
    assert services.unread_count(carys) == 2 and services.unread_count(dan) == 3


def test_mark_all_read_affects_only_ones_own(busy, carys, dan):
    assert services.mark_all_read(carys) == 3
    assert services.unread_count(carys) == 0
    assert services.unread_count(dan) == 3


def test_mark_all_read_up_to_leaves_what_arrived_later_unread(busy, carys, tom, edit_document, inbox):
    shown = max(n.id for n in inbox(carys))
    edit_document(tom, busy, "Arrived while the page was open.")
    assert services.mark_all_read(carys, up_to=shown) == 3
    assert services.unread_count(carys) == 1


def test_missing_notification_is_not_found(app, carys):
    with pytest.raises(NotFound):
        services.mark_read(carys, 999_999)

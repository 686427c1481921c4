"""Watch buttons, the notifications page and the header's unread count, through the test client."""
from __future__ import annotations

import re

import pytest

from policyhub.db import write_transaction
from policyhub.extensions import db
from policyhub.notifications import services

STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
ITEM = re.compile(r'<li class="notification[ "]')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def html_of(response, status: int = 200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:1500]
    html = response.get_data(as_text=True)
    assert not STYLE_ATTRIBUTE.search(html) and not INLINE_SCRIPT.search(html)
    return html


def unread_badge(html: str) -> str | None:
    """The header's unread count, as its screen-reader text reads: '3 unread', or None without a badge."""
    match = re.search(r'class="account-area__notifications"[^>]*>(.*?)</a>', html, re.DOTALL)
    assert match, "the header has a Notifications link"
    text = re.sub(r"<[^>]+>", "", match.group(1)).strip()
    assert text.startswith("Notifications")
    badge = text.removeprefix("Notifications").strip(" ()")
    return badge or None


def unread(user) -> int:
    db.session.rollback()  # requests commit in their own sessions: read after them, not from an old snapshot
    return services.unread_count(user)


def watching(user, document) -> bool:
    db.session.rollback()
    return services.is_watching(user, document)


@pytest.fixture
def document(make_document, tom):
    return make_document(tom, title="Fair votes", slug="fair-votes")


# --- watching --------------------------------------------------------------------------------------------

def test_signed_in_people_get_a_watch_button_that_posts(client, login, document, carys):
    login(client, carys)
    html = html_of(client.get("/documents/fair-votes"))
    assert re.search(r'<form class="watch-bar__form" method="post" action="/documents/fair-votes/watch">', html)
    assert 'name="csrf_token"' in html.split("watch-bar__form")[1]
    assert ">Watch<" in html and "Unwatch" not in html


def test_the_anonymous_see_the_feed_link_but_no_watch_button(client, document):
    html = html_of(client.get("/documents/fair-votes"))
    assert "watch-bar__form" not in html
    assert 'href="/documents/fair-votes/changes.atom"' in html


def test_watch_then_unwatch_through_the_pages(client, login, document, carys):
    login(client, carys)
    response = client.post("/documents/fair-votes/watch")
    assert response.status_code == 302 and response.headers["Location"].endswith("/documents/fair-votes")
    assert watching(carys, document)
    html = html_of(client.get("/documents/fair-votes"))
    assert 'action="/documents/fair-votes/unwatch"' in html and "You are watching" in html

    client.post("/documents/fair-votes/unwatch")
    assert not watching(carys, document)
    assert 'action="/documents/fair-votes/watch"' in html_of(client.get("/documents/fair-votes"))


def test_the_author_sees_unwatch(client, login, document, tom):
    login(client, tom)
    assert 'action="/documents/fair-votes/unwatch"' in html_of(client.get("/documents/fair-votes"))


def test_watching_needs_sign_in_and_a_post(client, document, dan, login):
    assert client.post("/documents/fair-votes/watch").status_code == 401
    assert client.get("/documents/fair-votes/watch").status_code == 405
    login(client, dan)
    assert client.get("/documents/fair-votes/watch").status_code == 405
    assert not watching(dan, document)
    assert client.post("/documents/no-such-thing/watch").status_code == 404


def test_watch_forms_refuse_a_missing_csrf_token(make_app, login, document, carys):
    strict = make_app(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    login(client, carys)
    assert client.post("/documents/fair-votes/watch").status_code == 400
    assert not watching(carys, document)


def test_saving_through_the_edit_page_notifies_watchers_with_a_link_to_the_diff(client, login, document, tom,
                                                                               carys, inbox):
    services.watch(carys, document)
    login(client, tom)
    response = client.post("/documents/fair-votes/edit", data={
        "title": "Fair votes", "body": "# Fair votes\n\nA new text.\n", "base_revision": "1", "summary": "Rewrite"})
    assert response.status_code == 302
    [notification] = inbox(carys)
    assert notification.url == "/documents/fair-votes/diff?from=1&to=2"
    assert notification.message == "Tom Hughes saved revision 2 of 'Fair votes'"


# --- header ----------------------------------------------------------------------------------------------

def test_the_unread_count_shows_in_the_header_of_the_right_person_only(client, login, document, tom, carys, edit_document):
    services.watch(carys, document)
    edit_document(tom, document)
    edit_document(tom, document)

    login(client, carys)
    html = html_of(client.get("/"))
    assert unread_badge(html) == "2 unread"
    assert '<span class="visually-hidden"> unread)</span>' in html

    login(client, tom)
    assert unread_badge(html_of(client.get("/"))) is None


def test_the_anonymous_have_no_notifications_link(client, document):
    assert "account-area__notifications" not in html_of(client.get("/"))


# --- the notifications page ------------------------------------------------------------------------------

@pytest.fixture
def three(document, tom, carys, edit_document):
    """Carys watches; Tom saves revisions 2, 3 and 4."""
    services.watch(carys, document)
    for n in range(3):
        edit_document(tom, document, f"Edit {n}.")
    return document


def test_the_page_needs_sign_in(client, three):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_lists_newest_first_with_unread_highlighted_actor_and_actions(client, login, three, carys, inbox):
    services.mark_read(carys, inbox(carys)[0].id)  # revision 2's
    login(client, carys)
    html = html_of(client.get("/notifications"))
    assert "<h1>Notifications</h1>" in html and "2 unread." in html
    positions = [html.index(f"saved revision {n} of") for n in (4, 3, 2)]
    assert positions == sorted(positions)
    assert html.count('class="notification notification--unread"') == 2
    assert "party-labour" in html and "Tom Hughes" in html  # the actor, in their party's colour
    # The read one is a plain link to its page; unread ones open (and mark read) by POST.
    assert '<a class="notification__message" href="/documents/fair-votes/diff?from=1&amp;to=2">' in html
    unread_ids = [n.id for n in inbox(carys) if n.read_at is None]
    for notification_id in unread_ids:
        assert f'action="/notifications/{notification_id}/open"' in html
        assert f'action="/notifications/{notification_id}/read?next=' in html
    assert 'action="/notifications/read-all?next=' in html
    assert 'href="/feeds/changes.atom"' in html and 'type="application/atom+xml"' in html


def test_get_never_marks_anything_read(client, login, three, carys, inbox):
    login(client, carys)
    first = inbox(carys)[0]
    client.get("/notifications")
    assert client.get(f"/notifications/{first.id}").status_code in (404, 405)
    assert client.get(f"/notifications/{first.id}/open").status_code == 405
    assert client.get(f"/notifications/{first.id}/read").status_code == 405
    assert client.get("/notifications/read-all").status_code == 405
    assert unread(carys) == 3


def test_opening_marks_read_and_goes_to_the_page(client, login, three, carys, inbox):
    login(client, carys)
    first = inbox(carys)[0]
    response = client.post(f"/notifications/{first.id}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "/documents/fair-votes/diff?from=1&to=2"
    assert inbox(carys)[0].read_at is not None
    assert unread(carys) == 2


def test_opening_never_redirects_off_the_site(client, login, document, tom, carys):
    with write_transaction(db.session):
        services.notify(document, actor=tom, kind="comment", message="Odd", url="//evil.example/x",
                        only=[carys.id])
    login(client, carys)
    [notification], _ = services.list_notifications(carys)
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.headers["Location"] == "/notifications"
    assert "evil.example" not in html_of(client.get("/notifications"))


def test_mark_read_goes_back_to_the_page_it_came_from(client, login, three, carys, inbox):
    login(client, carys)
    first = inbox(carys)[0]
    response = client.post(f"/notifications/{first.id}/read?next=/notifications?kind=revision")
    assert response.headers["Location"] == "/notifications?kind=revision"
    assert unread(carys) == 2
    response = client.post(f"/notifications/{first.id}/read?next=https://evil.example/")
    assert response.headers["Location"] == "/notifications"


def test_another_persons_notification_is_not_found(client, login, three, carys, dan, inbox):
    login(client, dan)
    theirs = inbox(carys)[0]
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post(f"/notifications/{theirs.id}/open").status_code == 404
    assert unread(carys) == 3


def test_mark_all_read_from_the_page_affects_only_ones_own(client, login, three, tom, carys, dan, edit_document):
    services.watch(dan, three)
    edit_document(tom, three)
    login(client, carys)
    html = html_of(client.get("/notifications"))
    up_to = re.search(r'name="up_to" type="hidden" value="(\d+)"|type="hidden" name="up_to" value="(\d+)"|'
                      r'id="up_to" name="up_to" type="hidden" value="(\d+)"', html)
    assert up_to, "the mark-all form carries the newest id shown"
    response = client.post("/notifications/read-all", data={"up_to": next(g for g in up_to.groups() if g)})
    assert response.status_code == 302
    assert unread(carys) == 0
    assert unread(dan) == 1
    assert unread_badge(html_of(client.get("/notifications"))) is None


def test_mark_all_read_refuses_a_malformed_up_to(client, login, three, carys):
    login(client, carys)
    assert client.post("/notifications/read-all", data={"up_to": "²"}).status_code == 400
    assert client.post("/notifications/read-all", data={"up_to": "1 OR 1=1"}).status_code == 400
    assert unread(carys) == 3


def test_the_kind_filter_narrows_the_list(client, login, three, tom, carys):
    with write_transaction(db.session):
        services.notify(three, actor=tom, kind="comment", message="Tom commented on amendment 1",
                        url="/documents/fair-votes", only=[carys.id])
    login(client, carys)
    html = html_of(client.get("/notifications?kind=comment"))
    assert "Tom commented on amendment 1" in html and "saved revision" not in html
    assert 'href="/notifications?kind=comment" aria-current="page"' in html
    assert client.get("/notifications?kind=gossip").status_code == 400
    assert "No endorsements yet" in html_of(client.get("/notifications?kind=endorsement"))


def test_the_list_is_paginated_thirty_a_page(client, login, document, tom, carys):
    with write_transaction(db.session):
        for n in range(31):
            services.notify(document, actor=tom, kind="comment", message=f"Comment {n:02d}", url="/",
                            only=[carys.id])
    login(client, carys)
    first = html_of(client.get("/notifications"))
    assert len(ITEM.findall(first)) == 30 and "Comment 30" in first and "Comment 00" not in first
    second = html_of(client.get("/notifications?page=2"))
    assert len(ITEM.findall(second)) == 1 and "Comment 00" in second
    assert client.get("/notifications?page=3").status_code == 404
    assert client.get("/notifications?page=x").status_code == 400


def test_an_empty_list_explains_how_to_get_notifications(client, login, dan):
    login(client, dan)
    html = html_of(client.get("/notifications"))
    assert "No notifications yet" in html and "Mark all as read" not in html

"""Editing through the pages: the save rule, conflicts that keep the text, bad input, CSRF expiry."""
from __future__ import annotations

import re

import pytest

from policyhub.documents import services
from policyhub.extensions import db

BODY = "# Plan\n\nFirst paragraph about votes.\n\nSecond paragraph about seats.\n"
FORM = "application/x-www-form-urlencoded"


def edit(client, slug, body, base, title="Plan", summary="change"):
    return client.post(f"/documents/{slug}/edit",
                       data={"title": title, "body": body, "base_revision": str(base), "summary": summary})


def test_edit_saves_a_revision_and_redirects(client, member, make_document, login):
    document = make_document(member, body=BODY, title="Plan")
    login(client, member)
    response = edit(client, document.slug, BODY + "\nThird.\n", 1)
    assert response.status_code == 302
    db.session.rollback()  # end the test's read snapshot
    assert services.get_document(document.slug).current_number == 2


def test_stale_edit_of_other_passage_is_merged_and_shows_the_diff(client, member, make_document, login):
    document = make_document(member, body=BODY, title="Plan")
    services.save_revision(member, document, body=BODY.replace("First", "Opening"), base_number=1)
    login(client, member)
    response = edit(client, document.slug, BODY.replace("seats", "fair seats"), 1)
    assert response.status_code == 302 and "/diff?" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert b"merged" in page.data


def test_conflicting_edit_shows_both_texts_and_keeps_what_was_typed(client, member, make_document, login):
    document = make_document(member, body=BODY, title="Plan")
    services.save_revision(member, document, body=BODY.replace("about votes", "about fair votes"), base_number=1)
    login(client, member)
    mine = BODY.replace("about votes", "about <b>proportional</b> votes")
    response = edit(client, document.slug, mine, 1, summary="my careful summary")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "about &lt;b&gt;proportional&lt;/b&gt; votes" in page
    assert "fair votes" in page and "my careful summary" in page
    assert re.search(r'name="base_revision"[^>]*value="2"|value="2"[^>]*name="base_revision"', page)
    db.session.rollback()  # end the test's read snapshot
    assert services.get_document(document.slug).current_number == 2


def test_expired_csrf_token_shows_the_form_again_with_the_text(app, client, member, make_document, login):
    app.config["WTF_CSRF_ENABLED"] = True
    document = make_document(member, body=BODY, title="Plan")
    login(client, member)
    long_text = BODY + "\n" + "A long afternoon of drafting. " * 200
    response = client.post(f"/documents/{document.slug}/edit",
                           data={"title": "Plan", "body": long_text, "base_revision": "1", "csrf_token": "stale"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "A long afternoon of drafting." in page and "session expired" in page
    db.session.rollback()  # end the test's read snapshot
    assert services.get_document(document.slug).current_number == 1


def test_other_forms_without_csrf_token_are_refused(app, client, member, make_document, login):
    app.config["WTF_CSRF_ENABLED"] = True
    document = make_document(member)
    login(client, member)
    response = client.post(f"/documents/{document.slug}/status", data={"status": "archived"})
    assert response.status_code == 400


def test_invalid_utf8_in_a_form_is_refused_and_nothing_is_saved(client, member, make_document, login):
    document = make_document(member, body=BODY, title="Plan")
    login(client, member)
    raw = b"title=Plan&base_revision=1&summary=x&body=caf%E9+au+lait"
    response = client.post(f"/documents/{document.slug}/edit", data=raw, content_type=FORM)
    assert response.status_code == 422
    assert "caf\ufffd au lait" in response.get_data(as_text=True)
    db.session.rollback()  # end the test's read snapshot
    assert services.get_document(document.slug).current_number == 1


def test_duplicate_parameters_are_refused(client, member, make_document, login):
    document = make_document(member, body=BODY, title="Plan")
    login(client, member)
    raw = b"title=Plan&base_revision=1&body=one&body=two"
    assert client.post(f"/documents/{document.slug}/edit", data=raw, content_type=FORM).status_code == 400
    assert client.get(f"/documents/{document.slug}/diff?from=1&from=1").status_code == 400


def test_request_over_one_megabyte_is_413(client, member, make_document, login):
    document = make_document(member)
    login(client, member)
    response = edit(client, document.slug, "x" * (1024 * 1024 + 10), 1)
    assert response.status_code == 413


def test_body_over_document_cap_is_422_and_kept(client, member, make_document, login):
    document = make_document(member)
    login(client, member)
    response = edit(client, document.slug, "word " * 60_000, 1)
    assert response.status_code == 422 and b"too long" in response.data


@pytest.mark.parametrize("markdown, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ("[x](javascript:alert(1))", 'href="javascript:'),
    ("[x](JaVaScRiPt:alert(1))", 'href="javascript:'),
    ("![x](data:text/html,<script>alert(1)</script>)", 'src="data:'),
    ("<img src=x onerror=alert(1)>", "<img"),
])
def test_hostile_markdown_is_stored_harmless(client, member, make_document, login, markdown, forbidden):
    document = make_document(member, body=BODY, title="Plan")
    login(client, member)
    edit(client, document.slug, BODY + "\n" + markdown + "\n", 1)
    page = client.get(f"/documents/{document.slug}").get_data(as_text=True)
    article = page[page.index("<article"):page.index("</article>")].lower()
    assert forbidden not in article


def test_deeply_nested_markdown_renders(client, member, make_document, login):
    document = make_document(member, body=BODY, title="Plan")
    login(client, member)
    nested = "> " * 5000 + "deep\n\n" + "".join("  " * i + "- item\n" for i in range(300))
    assert edit(client, document.slug, nested, 1).status_code == 302
    assert client.get(f"/documents/{document.slug}").status_code == 200


def test_unknown_documents_revisions_and_ranges_are_404_or_400(client, member, make_document):
    document = make_document(member)
    assert client.get("/documents/nope").status_code == 404
    assert client.get(f"/documents/{document.slug}/revisions/9").status_code == 404
    assert client.get(f"/documents/{document.slug}/diff?from=1&to=9").status_code == 404
    assert client.get(f"/documents/{document.slug}/diff?from=x&to=1").status_code == 400
    assert client.get(f"/documents/{document.slug}/history?page=5").status_code == 404


def test_non_members_cannot_open_the_editor(client, make_user, member, make_document, login):
    document = make_document(member)
    assert client.get(f"/documents/{document.slug}/edit").status_code in (302, 401)
    login(client, make_user())
    assert client.get(f"/documents/{document.slug}/edit").status_code == 403


def test_create_document_page_derives_slug(client, member, login):
    login(client, member)
    response = client.post("/documents/new", data={"title": "Warm homes for all", "policy_area": "Climate",
                                                    "body": "# Warm homes\n\nInsulate.\n", "slug": ""})
    assert response.status_code == 302 and response.headers["Location"] == "/documents/warm-homes-for-all"


def test_revert_through_the_page(client, member, make_document, login):
    document = make_document(member, body=BODY, revisions=3)
    login(client, member)
    response = client.post(f"/documents/{document.slug}/revert", data={"to": "1", "base_revision": "3"})
    assert response.status_code == 302
    db.session.rollback()  # end the test's read snapshot
    current = services.get_document(document.slug)
    assert current.current_number == 4
    assert services.get_revision(current, 4).source == "revert"

"""The amendment pages: status codes, forms that keep what was typed, actions shown by permission, the 409
conflict page that changes nothing, CSRF expiry on the long-text forms."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from policyhub.amendments import services
from policyhub.amendments.models import Amendment, Comment
from policyhub.amendments.views import document_panel
from policyhub.documents import services as documents
from policyhub.extensions import db

from .amendment_texts import BODY, MORE_VOTES



def url(document, suffix=""):
    return f"/documents/{document.slug}/amendments{suffix}"


def page_of(response) -> str:
    return response.get_data(as_text=True)


def fresh(document, number):
    """The amendment as committed (the requests ran in their own sessions)."""
    db.session.rollback()
    return services.get_amendment(documents.get_document(document.slug), number)


# --- reading ---------------------------------------------------------------------------------------------

def test_reading_pages_answer_for_everyone(client, plan, member, outsider, lead, propose):
    amendment = propose(outsider, plan, MORE_VOTES, title="Fair votes", rationale="Say *fair*.")
    services.support(lead, amendment)
    services.add_comment(member, amendment, "Agreed, **strongly**.")
    page = client.get(url(plan, "/1"))
    assert page.status_code == 200
    html = page_of(page)
    assert "Fair votes" in html and "<em>fair</em>" in html and "<strong>strongly</strong>" in html
    assert '<ins class="diff-ins"' in html and "fair " in html
    assert f"party-{lead.party.slug}" in html  # supporters carry their party colour
    assert client.get(url(plan, "/1?view=side")).status_code == 200
    assert client.get(url(plan, "/1/versions/1")).status_code == 200
    assert "Fair votes" in page_of(client.get(url(plan)))
    assert "Fair votes" in page_of(client.get("/amendments"))
    assert client.get(url(plan, "?status=all")).status_code == 200


@pytest.mark.parametrize("path, status", [
    ("/documents/nope/amendments", 404),
    ("/documents/{slug}/amendments/9", 404),
    ("/documents/{slug}/amendments/1/versions/2", 404),
    ("/documents/{slug}/amendments?status=pending", 400),
    ("/documents/{slug}/amendments/1?view=sideways", 400),
    ("/amendments?page=7", 404),
    ("/amendments?page=x", 400),
])
def test_bad_addresses_get_the_right_status(client, plan, outsider, propose, path, status):
    propose(outsider, plan, MORE_VOTES)
    assert client.get(path.format(slug=plan.slug)).status_code == status


def test_lists_filter_by_state_and_show_overlaps(client, plan, outsider, lead, propose):
    propose(outsider, plan, MORE_VOTES, title="Fair votes")
    propose(outsider, plan, BODY.replace("votes.", "ballots."), title="Ballots")
    withdrawn = propose(outsider, plan, BODY.replace("money", "funds"), title="Funds")
    services.withdraw_amendment(outsider, withdrawn)
    html = page_of(client.get(url(plan)))
    assert "Fair votes" in html and "Ballots" in html and "Funds" not in html
    assert "Overlaps with" in html and url(plan, "/2") in html
    html = page_of(client.get(url(plan, "?status=withdrawn")))
    assert "Funds" in html and "Ballots" not in html


def test_the_document_page_panel_counts_and_offers_to_propose(client, plan, outsider, propose, login):
    propose(outsider, plan, MORE_VOTES, title="Fair votes")
    html = page_of(client.get(f"/documents/{plan.slug}"))
    assert "1</strong> open amendment" in html and "Fair votes" in html and "Applies" in html
    assert "Propose an amendment" not in html  # anonymous
    login(client, outsider)
    assert "Propose an amendment" in page_of(client.get(f"/documents/{plan.slug}"))


def test_the_panel_provider_costs_two_queries(app, plan, outsider, propose):
    propose(outsider, plan, MORE_VOTES)
    propose(outsider, plan, BODY.replace("money", "funds"))
    db.session.rollback()
    document = documents.get_document(plan.slug)
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        context = document_panel(document, None)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(context["open_amendments"]) == 2 and context["amendment_counts"]["open"] == 2
    assert len(statements) == 2


# --- proposing -------------------------------------------------------------------------------------------

def test_proposing_through_the_form(client, plan, outsider, login):
    login(client, outsider)
    form = client.get(url(plan, "/new"))
    assert form.status_code == 200 and "Second paragraph about seats." in page_of(form)
    response = client.post(url(plan, "/new"), data={"title": "Fair votes", "rationale": "Because.",
                                                     "body": MORE_VOTES, "base_revision": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url(plan, "/1"))
    assert fresh(plan, 1).title == "Fair votes"


def test_a_refused_proposal_comes_back_with_what_was_typed(client, plan, outsider, login):
    login(client, outsider)
    response = client.post(url(plan, "/new"), data={"title": "", "rationale": "My <careful> reasons",
                                                    "body": BODY, "base_revision": "1"})
    assert response.status_code == 422
    html = page_of(response)
    assert "Title is required." in html and "An amendment must change the text." in html
    assert "My &lt;careful&gt; reasons" in html
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Amendment)) == 0


def test_a_missing_base_revision_is_shown_not_a_crash(client, plan, outsider, login):
    login(client, outsider)
    response = client.post(url(plan, "/new"), data={"title": "T", "rationale": "R", "body": MORE_VOTES,
                                                    "base_revision": "99"})
    assert response.status_code == 422 and "There is no revision 99" in page_of(response)


def test_an_expired_token_on_the_propose_form_keeps_the_text(app, client, plan, outsider, login):
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, outsider)
    long_text = MORE_VOTES + "\n" + "An evening of careful drafting. " * 200
    response = client.post(url(plan, "/new"), data={"title": "Fair votes", "rationale": "Reasons kept",
                                                    "body": long_text, "base_revision": "1", "csrf_token": "stale"})
    assert response.status_code == 422
    html = page_of(response)
    assert "session expired" in html and "An evening of careful drafting." in html and "Reasons kept" in html
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Amendment)) == 0


def test_proposing_needs_sign_in_and_a_document_that_takes_amendments(client, member, outsider, make_document,
                                                                      login):
    archived = make_document(member, body=BODY, status="archived")
    response = client.get(url(archived, "/new"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, outsider)
    assert client.get(url(archived, "/new")).status_code == 403


# --- updating --------------------------------------------------------------------------------------------

def test_the_editor_starts_from_the_merged_text_when_it_applies(client, plan, member, outsider, propose, edit,
                                                                 login):
    propose(outsider, plan, MORE_VOTES)
    edit(member, plan, "about money", "about public money")
    login(client, outsider)
    html = page_of(client.get(url(plan, "/1/edit")))
    assert "about fair votes" in html and "about public money" in html
    newer = MORE_VOTES.replace("money", "public money").replace("fair votes", "proportional votes")
    response = client.post(url(plan, "/1/edit"), data={"title": "PR", "rationale": "R", "body": newer,
                                                       "base_revision": "2"})
    assert response.status_code == 302
    amendment = fresh(plan, 1)
    assert [(v.number, v.base_number) for v in services.versions(amendment)] == [(1, 1), (2, 2)]
    html = page_of(client.get(url(plan, "/1")))
    assert url(plan, "/1/versions/1") in html and "Version 2" in html


def test_the_editor_starts_from_the_last_text_and_shows_conflicts_when_it_does_not_apply(client, plan, member,
                                                                                        outsider, propose, edit,
                                                                                        login):
    propose(outsider, plan, MORE_VOTES)
    edit(member, plan, "about votes", "about equal votes")
    login(client, outsider)
    html = page_of(client.get(url(plan, "/1/edit")))
    assert "no longer applies" in html and "about fair votes" in html and "equal" in html


def test_only_the_author_opens_the_editor(client, plan, member, outsider, propose, login):
    propose(outsider, plan, MORE_VOTES)
    login(client, member)
    assert client.get(url(plan, "/1/edit")).status_code == 403


def test_an_expired_token_on_the_update_form_keeps_the_text(app, client, plan, outsider, propose, login):
    propose(outsider, plan, MORE_VOTES)
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, outsider)
    response = client.post(url(plan, "/1/edit"), data={"title": "T", "rationale": "R", "base_revision": "1",
                                                       "body": MORE_VOTES + "\nMy late-night paragraph.\n",
                                                       "csrf_token": "stale"})
    assert response.status_code == 422 and "My late-night paragraph." in page_of(response)
    assert len(services.versions(fresh(plan, 1))) == 1


# --- actions ---------------------------------------------------------------------------------------------

def test_actions_are_shown_by_permission(client, plan, member, outsider, lead, propose, login):
    propose(outsider, plan, MORE_VOTES)
    html = page_of(client.get(url(plan, "/1")))
    assert "Support this amendment" not in html and "Accept and merge" not in html and "Sign in" in html
    login(client, outsider)
    html = page_of(client.get(url(plan, "/1")))
    assert "Withdraw the amendment" in html and "Update the text" in html
    assert "Support this amendment" not in html and "Accept and merge" not in html
    login(client, member)
    html = page_of(client.get(url(plan, "/1")))
    assert "Support this amendment" in html and "Accept and merge" not in html and "Post comment" in html
    login(client, lead)
    html = page_of(client.get(url(plan, "/1")))
    assert "Accept and merge" in html and "Reject" in html and "Withdraw the amendment" not in html


def test_support_and_withdraw_support(client, plan, member, outsider, propose, login):
    propose(outsider, plan, MORE_VOTES)
    login(client, member)
    assert client.post(url(plan, "/1/support")).status_code == 302
    assert fresh(plan, 1).supporter_count == 1
    assert "Withdraw my support" in page_of(client.get(url(plan, "/1")))
    assert client.post(url(plan, "/1/unsupport")).status_code == 302
    assert fresh(plan, 1).supporter_count == 0
    login(client, outsider)
    assert client.post(url(plan, "/1/support")).status_code == 403


def test_action_forms_without_a_csrf_token_are_refused(app, client, plan, member, outsider, propose, login):
    propose(outsider, plan, MORE_VOTES)
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, member)
    assert client.post(url(plan, "/1/support")).status_code == 400
    assert fresh(plan, 1).supporter_count == 0


def test_withdrawing_makes_it_read_only(client, plan, member, outsider, propose, login):
    propose(outsider, plan, MORE_VOTES)
    login(client, outsider)
    assert client.post(url(plan, "/1/withdraw")).status_code == 302
    assert fresh(plan, 1).status == "withdrawn"
    assert client.get(url(plan, "/1/edit")).status_code == 403
    login(client, member)
    assert client.post(url(plan, "/1/comments"), data={"body": "Late"}).status_code == 403
    html = page_of(client.get(url(plan, "/1")))
    assert "Withdrawn" in html and "Post comment" not in html


def test_accepting_through_the_page(client, plan, outsider, lead, propose, login):
    propose(outsider, plan, MORE_VOTES)
    login(client, lead)
    response = client.post(url(plan, "/1/accept"), data={"accept-note": "Agreed."})
    assert response.status_code == 302
    amendment = fresh(plan, 1)
    assert (amendment.status, amendment.merged_revision, amendment.decision_note) == ("accepted", 2, "Agreed.")
    html = page_of(client.get(url(plan, "/1")))
    assert "Accepted" in html and "revision 2" in html and "Agreed." in html


def test_accepting_a_conflicting_amendment_shows_the_conflict_and_changes_nothing(client, plan, member, outsider,
                                                                                  lead, propose, edit, login):
    propose(outsider, plan, BODY.replace("about votes", "about <b>fair</b> votes"))
    edit(member, plan, "about votes", "about equal votes")
    login(client, lead)
    response = client.post(url(plan, "/1/accept"), data={"accept-note": "Yes"})
    assert response.status_code == 409
    html = page_of(response)
    assert "Nothing was changed" in html and "&lt;b&gt;fair&lt;/b&gt;" in html and "<b>fair</b>" not in html
    amendment = fresh(plan, 1)
    assert (amendment.status, amendment.decided_by_id) == ("open", None)
    assert documents.get_document(plan.slug).current_number == 2


def test_rejecting_without_a_note_shows_the_page_again(client, plan, outsider, lead, propose, login):
    propose(outsider, plan, MORE_VOTES)
    login(client, lead)
    response = client.post(url(plan, "/1/reject"), data={"reject-note": "   "})
    assert response.status_code == 422 and "Say why the amendment is rejected" in page_of(response)
    assert f'href="{url(plan, "/1")}?view=inline"' in page_of(response)  # links lead to the page, not the POST
    assert fresh(plan, 1).status == "open"
    response = client.post(url(plan, "/1/reject"), data={"reject-note": "Out of scope."})
    assert response.status_code == 302 and fresh(plan, 1).status == "rejected"


def test_deciding_is_forbidden_to_members(client, plan, member, outsider, propose, login):
    propose(outsider, plan, MORE_VOTES)
    login(client, member)
    assert client.post(url(plan, "/1/accept"), data={}).status_code == 403
    assert client.post(url(plan, "/1/reject"), data={"reject-note": "No"}).status_code == 403
    assert fresh(plan, 1).status == "open"


def test_comments_post_render_safely_and_keep_text_on_errors(app, client, plan, member, outsider, propose, login):
    propose(outsider, plan, MORE_VOTES)
    login(client, member)
    response = client.post(url(plan, "/1/comments"), data={"body": "**Yes** <script>x()</script>"})
    assert response.status_code == 302 and "#comment-" in response.headers["Location"]
    html = page_of(client.get(url(plan, "/1")))
    assert "<strong>Yes</strong>" in html and "&lt;script&gt;" in html and "<script>x()" not in html
    assert client.post(url(plan, "/1/comments"), data={"body": " "}).status_code == 422
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(url(plan, "/1/comments"), data={"body": "A thoughtful reply", "csrf_token": "stale"})
    assert response.status_code == 422 and "A thoughtful reply" in page_of(response)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1

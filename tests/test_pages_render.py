"""Every HTML page renders for the kind of person who sees it, shows what makes it that page, and keeps
to the rules the templates promise: no inline styles and no inline scripts (a strict CSP comes later)."""
from __future__ import annotations

import re

import pytest

from policyhub.documents import services as documents

BODY = (
    "Opening paragraph about fair votes.\n\n"
    "## Principles\n\n"
    "Every vote should count.\n\n"
    "## Timetable\n\n"
    "Reform within two years.[^1]\n\n"
    "[^1]: A footnote.\n"
)

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def page(response, status: int = 200) -> str:
    """The page's HTML, after checking its status and the CSP-friendly markup rules."""
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not STYLE_ATTRIBUTE.search(html), STYLE_ATTRIBUTE.search(html).group(0)
    assert not STYLE_ELEMENT.search(html)
    outside_text = re.sub(r"<article.*?</article>", "", html, flags=re.DOTALL)  # a document may have its own h1
    assert outside_text.count("<h1") == 1, "one h1 per page"
    assert '<main id="main"' in html
    return html


@pytest.fixture
def party(make_party):
    return make_party("greens", "Green Party", "#02A95B")


@pytest.fixture
def lead(make_user, party):
    return make_user("Carys Lead", party=party, role="lead")


@pytest.fixture
def admin(make_user):
    return make_user("Alex Admin", admin=True)


@pytest.fixture
def document(member, make_document):
    doc = make_document(member, title="Fair votes for all", body=BODY, slug="fair-votes")
    for number, extra in ((2, "Second addition."), (3, "Third addition.")):
        current = documents.get_revision(doc, doc.current_number)
        documents.save_revision(member, doc, body=current.body + f"\n{extra}\n", base_number=current.number,
                                summary=f"Add part {number}")
    return doc


# --- layout ------------------------------------------------------------------------------------------------

def test_layout_for_anonymous_has_landmarks_skip_link_and_sign_in(client, document):
    html = page(client.get("/"))
    assert 'class="skip-link" href="#main"' in html
    assert 'href="/parties.css"' in html and "css/app.css" in html
    assert re.search(r'<script src="[^"]*js/app\.js\?v=\w+" defer>', html)  # linked by content
    assert "Sign in" in html and "Register" in html and "Sign out" not in html
    assert 'aria-current="page">Documents' in html


def test_layout_for_members_shows_party_and_a_sign_out_form(client, member, login, document):
    login(client, member)
    html = page(client.get("/"))
    assert member.name in html and f"party-{member.party.slug}" in html
    assert re.search(r'<form[^>]*method="post"[^>]*action="/logout"', html)
    assert "Admin" not in html.split("</nav>")[0]


def test_layout_shows_admin_and_requests_links_to_an_admin(client, admin, login):
    login(client, admin)
    html = page(client.get("/"))
    assert 'href="/admin/"' in html and 'href="/parties/requests"' in html


def test_flashed_messages_have_their_category(client, member, login, document):
    login(client, member)
    response = client.post(f"/documents/{document.slug}/edit", follow_redirects=True,
                           data={"title": "Fair votes for all", "body": BODY + "\nMore.\n", "base_revision": "3"})
    html = page(response)
    assert 'class="flash flash--success"' in html and "Saved as revision 4" in html


# --- documents ---------------------------------------------------------------------------------------------

def test_index_groups_documents_by_area_with_filters(client, member, make_document, document):
    make_document(member, title="Warm homes", policy_area="Housing", slug="warm-homes")
    html = page(client.get("/"))
    assert "Democratic reform" in html and "Housing" in html
    assert 'href="/documents/fair-votes"' in html and "Fair votes for all" in html
    assert "Revision 3" in html and "<time datetime=" in html
    assert 'name="status"' in html and 'name="area"' in html
    assert "New document" not in html


def test_index_filtered_to_nothing_shows_an_empty_state(client, document):
    html = page(client.get("/?status=archived"))
    assert "No documents match" in html


def test_index_offers_new_document_to_members(client, member, login):
    login(client, member)
    html = page(client.get("/"))
    assert 'href="/documents/new"' in html and "No documents yet" in html


def test_new_document_form(client, member, login, document):
    login(client, member)
    html = page(client.get("/documents/new"))
    assert 'name="title"' in html and "data-slug-source" in html and "data-slug-target" in html
    assert '<datalist id="policy-areas">' in html and '<option value="Democratic reform">' in html
    assert "data-warn-unsaved" in html


def test_new_document_errors_are_linked_to_their_fields(client, member, login):
    login(client, member)
    html = page(client.post("/documents/new", data={"title": "", "body": "", "policy_area": ""}), 422)
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html
    assert re.search(r'aria-describedby="[^"]*-error"', html)


def test_document_page_shows_text_toc_and_member_actions(client, member, login, document):
    login(client, member)
    html = page(client.get("/documents/fair-votes"))
    assert "Fair votes for all" in html and "Every vote should count." in html
    assert 'href="#s-principles"' in html and 'href="#s-timetable"' in html  # table of contents
    assert 'class="heading-anchor"' in html and 'class="footnotes"' in html
    assert "Revision 3" in html and member.name in html
    assert 'href="/documents/fair-votes/edit"' in html
    assert 'href="/documents/fair-votes/history"' in html
    assert "from=2" in html and "to=3" in html  # compare with previous
    assert "/documents/fair-votes/status" not in html  # members do not change statuses


def test_document_page_offers_status_change_to_leads(client, lead, login, document):
    login(client, lead)
    html = page(client.get("/documents/fair-votes"))
    assert 'action="/documents/fair-votes/status"' in html and 'name="status"' in html


def test_consultation_document_explains_amendments_and_hides_edit(client, member, login, make_document):
    make_document(member, title="Climate paper", slug="climate", status="consultation")
    login(client, member)
    html = page(client.get("/documents/climate"))
    assert "in consultation" in html and "amendments" in html
    assert 'href="/documents/climate/edit"' not in html


def test_history_lists_revisions_with_compare_form(client, document):
    html = page(client.get("/documents/fair-votes/history"))
    for number in (1, 2, 3):
        assert f'href="/documents/fair-votes/revisions/{number}"' in html
    assert html.index("Revision 3") < html.index("Revision 1")  # newest first
    assert re.search(r'<form[^>]*method="get"[^>]*action="/documents/fair-votes/diff"', html)
    assert 'name="from" value="2"' in html and 'name="to" value="3"' in html
    assert "Add part 3" in html and "words added" in html


def test_history_paginates(app, client, document):
    app.config["REVISIONS_PER_PAGE"] = 2
    html = page(client.get("/documents/fair-votes/history?page=2"))
    assert 'aria-label="History pages"' in html and "Revision 1" in html and "Revision 3" not in html


def test_old_revision_has_banner_and_revert_form_for_its_creator(client, member, login, document):
    login(client, member)
    html = page(client.get("/documents/fair-votes/revisions/1"))
    assert "You are viewing revision 1 of 3" in html
    assert 'action="/documents/fair-votes/revert"' in html
    assert 'name="to" type="hidden" value="1"' in html or 'value="1"' in html
    assert "data-confirm=" in html


def test_revision_page_hides_revert_from_readers(client, document):
    html = page(client.get("/documents/fair-votes/revisions/1"))
    assert "You are viewing revision 1 of 3" in html and "/revert" not in html


def test_diff_inline_marks_changes_and_lists_them(client, document):
    html = page(client.get("/documents/fair-votes/diff?from=1&to=3"))
    assert 'class="diff-ins"' in html and 'id="change-1"' in html
    assert "Third addition." in html
    assert 'href="#change-1"' in html and "data-change-nav" in html
    assert 'aria-current="page">Inline' in html


def test_diff_side_by_side_highlights_changed_rows(client, document):
    html = page(client.get("/documents/fair-votes/diff?from=1&to=3&view=side"))
    assert "sbs__row--changed" in html and 'id="change-1"' in html
    assert 'aria-current="page">Side by side' in html


def test_diff_side_by_side_folds_long_unchanged_runs(client, member, make_document):
    body = "".join(f"Paragraph {n} stays the same.\n\n" for n in range(1, 12))
    doc = make_document(member, title="Long", body=body, slug="long")
    documents.save_revision(member, doc, body=body.replace("Paragraph 11 stays", "Paragraph 11 moves"),
                            base_number=1)
    html = page(client.get("/documents/long/diff?from=1&to=2&view=side"))
    assert "<details" in html and "unchanged paragraphs" in html


def test_diff_of_identical_revisions_says_so(client, document):
    html = page(client.get("/documents/fair-votes/diff?from=2&to=2"))
    assert "These revisions are identical." in html


def test_edit_page_shows_base_revision_and_editor(client, member, login, document):
    login(client, member)
    html = page(client.get("/documents/fair-votes/edit"))
    assert "revision 3" in html and "Save as revision 4" in html
    assert re.search(r'<textarea[^>]*name="body"', html) and "Every vote should count." in html
    assert 'name="base_revision" type="hidden" value="3"' in html
    assert "data-warn-unsaved" in html and "Markdown" in html


def test_edit_page_shows_the_expired_session_message(app, client, member, login, document):
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, member)
    html = page(client.post("/documents/fair-votes/edit", data={
        "title": "Fair votes for all", "body": BODY + "\nMy long afternoon.\n", "base_revision": "3",
        "csrf_token": "stale"}), 422)
    assert "session expired" in html and "My long afternoon." in html
    assert 'class="error-summary"' in html


def test_conflict_page_explains_and_keeps_the_typed_text(client, member, make_user, login, document):
    other = make_user("Olive Other", party=member.party)
    current = documents.get_revision(document, 3)
    documents.save_revision(other, document, body=current.body.replace("should count", "must count"),
                            base_number=3, summary="theirs")
    login(client, member)
    mine = current.body.replace("should count", "should <b>really</b> count")
    html = page(client.post("/documents/fair-votes/edit", data={
        "title": "Fair votes for all", "body": mine, "base_revision": "3", "summary": "my careful summary"}), 409)
    assert "While you were editing revision 3, revision 4 was saved" in html and "Olive Other" in html
    assert "conflicting passage" in html and "conflict__side--theirs" in html
    assert "should &lt;b&gt;really&lt;/b&gt; count" in html and "my careful summary" in html
    assert 'name="base_revision" type="hidden" value="4"' in html
    assert "sbs__row--changed" in html


# --- accounts ----------------------------------------------------------------------------------------------

def test_login_page(client):
    html = page(client.get("/login?next=/documents/x"))
    assert 'name="email"' in html and 'name="password"' in html and 'name="remember"' in html
    assert 'name="next" type="hidden" value="/documents/x"' in html
    assert 'autocomplete="current-password"' in html


def test_login_failure_is_shown_above_the_form(client, member):
    html = page(client.post("/login", data={"email": "nobody@example.org", "password": "wrong"}), 401)
    assert 'class="error-summary"' in html and "do not match an active account" in html


def test_register_page(client):
    html = page(client.get("/register"))
    assert 'name="email"' in html and 'name="name"' in html and 'name="password"' in html
    assert "At least 12 characters" in html


def test_account_page_for_a_member(client, member, login):
    login(client, member)
    html = page(client.get("/account"))
    assert 'id="membership"' in html and 'id="tokens"' in html
    assert "member</strong> of" in html and member.party.name in html
    assert 'action="/account/membership"' not in html


def test_account_page_offers_a_membership_request_to_the_non_aligned(client, make_user, login, party):
    login(client, make_user("Nia Nonaligned"))
    html = page(client.get("/account"))
    assert "non-aligned" in html and 'action="/account/membership"' in html
    assert '<option value="greens">Green Party</option>' in html


def test_account_page_shows_a_pending_request(client, make_user, login, party):
    login(client, make_user("Pat Pending", party=party, pending=True))
    html = page(client.get("/account"))
    assert "waiting for approval" in html and "Green Party" in html
    assert 'action="/account/membership"' not in html


def test_new_token_is_shown_once_then_listed_with_a_revoke_button(client, member, login):
    login(client, member)
    html = page(client.post("/account/tokens", data={"label": "campaign sync"}))
    token = re.search(r'<code id="new-token"[^>]*>(phk_[^<]+)</code>', html).group(1)
    assert "it will not be shown again" in html
    html = page(client.get("/account"))
    assert token not in html and "campaign sync" in html
    assert re.search(r'action="/account/tokens/\d+/revoke"', html)


def test_account_page_links_leads_to_pending_requests(client, lead, make_user, login, party):
    make_user("Dan Waiting", party=party, pending=True)
    login(client, lead)
    html = page(client.get("/account"))
    assert "Dan Waiting" in html and 'href="/parties/requests"' in html


# --- parties -----------------------------------------------------------------------------------------------

def test_parties_index_lists_parties_with_colour_class_and_leads(client, lead, member):
    html = page(client.get("/parties"))
    assert 'class="party-card party-greens"' in html and "Carys Lead" in html
    assert 'href="/parties/greens"' in html


def test_party_page_lists_leads_and_members(client, lead, make_user, party):
    make_user("Mo Member", party=party)
    html = page(client.get("/parties/greens"))
    assert "Green Party" in html and "Carys Lead" in html and "Mo Member" in html


def test_requests_page_gives_each_request_approve_and_decline(client, lead, make_user, login, party):
    waiting = make_user("Dan Waiting", party=party, pending=True)
    login(client, lead)
    html = page(client.get("/parties/requests"))
    assert f'action="/parties/requests/{waiting.membership.id}"' in html and "Dan Waiting" in html
    assert 'name="decision" value="approve"' in html and 'name="decision" value="decline"' in html


def test_requests_page_empty_state(client, lead, login):
    login(client, lead)
    assert "No requests waiting" in page(client.get("/parties/requests"))


# --- administration ----------------------------------------------------------------------------------------

def test_admin_index_lists_parties_and_the_add_form(client, admin, login, party):
    login(client, admin)
    html = page(client.get("/admin/"))
    assert 'class="swatch party-greens"' in html and 'href="/admin/parties/greens"' in html
    assert 'action="/admin/parties"' in html and 'name="colour"' in html
    assert 'href="/admin/users"' in html and 'href="/admin/audit"' in html


def test_admin_party_page_keeps_the_slug_read_only(client, admin, login, party):
    login(client, admin)
    html = page(client.get("/admin/parties/greens"))
    assert 'name="name"' in html and 'value="#02A95B"' in html
    assert 'name="slug"' not in html and "<code>greens</code>" in html


def test_admin_users_search_and_table(client, admin, member, login):
    login(client, admin)
    html = page(client.get("/admin/users?q=mona"))
    table = html[html.index("<table"):html.index("</table>")]
    assert "Mona Member" in table and f'href="/admin/users/{member.id}"' in table and "Alex Admin" not in table
    assert 'name="q"' in html and 'value="mona"' in html


def test_admin_user_page_offers_role_and_deactivation(client, admin, member, login):
    login(client, admin)
    html = page(client.get(f"/admin/users/{member.id}"))
    assert f'action="/admin/users/{member.id}/membership"' in html and 'name="role"' in html
    assert f'action="/admin/users/{member.id}/membership/remove"' in html
    assert 'name="active" value="0"' in html and "data-confirm=" in html


def test_admin_cannot_deactivate_themselves(client, admin, login):
    login(client, admin)
    html = page(client.get(f"/admin/users/{admin.id}"))
    assert "/active" not in html


def test_audit_log_lists_events(client, admin, login, document):
    login(client, admin)
    html = page(client.get("/admin/audit"))
    assert "revision.create" in html or "document.create" in html
    assert "Mona Member" in html and "command line" in html  # the party was made by the CLI actor


# --- errors ------------------------------------------------------------------------------------------------

def test_not_found_page_is_friendly(client):
    html = page(client.get("/documents/no-such-paper"), 404)
    assert "Page not found" in html or "not found" in html.lower()
    assert 'href="/"' in html


def test_forbidden_page_explains_why(client, make_user, login, member, make_document):
    doc = make_document(member, slug="locked")
    login(client, make_user("Nia Nonaligned"))
    html = page(client.get(f"/documents/{doc.slug}/edit"), 403)
    assert "Only approved party members can edit" in html


def test_error_page_for_signed_out_edit_offers_sign_in(client, member, make_document):
    doc = make_document(member, slug="signin")
    response = client.get(f"/documents/{doc.slug}/edit")
    if response.status_code == 401:
        assert "Sign in" in page(response, 401)
    else:  # flask-login's redirect to the sign-in page
        assert response.status_code == 302 and "/login" in response.headers["Location"]

"""Reading and creating through the API: parties, documents, revisions, diffs, status."""
from __future__ import annotations

from datetime import datetime

import pytest

from policyhub.documents import services
from policyhub.endorsements.services import endorse
from policyhub.extensions import db
from policyhub.parties.services import remove_membership
from policyhub.permissions import SYSTEM

DOCUMENT_KEYS = {"slug", "title", "policy_area", "status", "current_revision", "updated_at", "endorsements",
                 "agreed"}
REVISION_KEYS = {"number", "author", "created_at", "summary", "base", "source", "amendment", "added_words",
                 "removed_words"}


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
    return moment


def test_parties_lists_every_party_by_name(client, make_party, conforms):
    make_party("labour", "Labour", "#E4003B")
    make_party("green", "Green Party", "#02A95B")
    response = client.get("/api/v1/parties")
    conforms(response, "/parties", "get", 200)
    assert response.get_json() == {"parties": [
        {"slug": "green", "name": "Green Party", "colour": "#02A95B"},
        {"slug": "labour", "name": "Labour", "colour": "#E4003B"},
    ]}


def test_document_list_has_the_api_md_shape(client, member, make_document, conforms):
    document = make_document(member, title="Fair votes", revisions=2)
    response = client.get("/api/v1/documents")
    conforms(response, "/documents", "get", 200)
    body = response.get_json()
    assert (body["total"], body["page"]) == (1, 1)
    [item] = body["documents"]
    assert set(item) == DOCUMENT_KEYS
    assert item["slug"] == document.slug and item["current_revision"] == 2
    assert (item["endorsements"], item["agreed"]) == ([], False)
    _aware(item["updated_at"])


def test_document_list_filters_by_status_and_area_in_any_case(client, member, make_document):
    make_document(member, title="Votes", policy_area="Democratic reform")
    make_document(member, title="Homes", policy_area="Housing")
    make_document(member, title="Old homes", policy_area="Housing", status="archived")

    def titles(query: str) -> list[str]:
        response = client.get(f"/api/v1/documents?{query}")
        assert response.status_code == 200
        return [item["title"] for item in response.get_json()["documents"]]

    assert titles("area=hOUSING") == ["Homes", "Old homes"]
    assert titles("status=archived") == ["Old homes"]
    assert titles("status=draft&area=housing") == ["Homes"]
    assert titles("status=&area=") == ["Votes", "Homes", "Old homes"]


def test_document_list_pages_by_the_configured_size(app, client, member, make_document):
    app.config["DOCUMENTS_PER_PAGE"] = 2
    for title in ("A", "B", "C"):
        make_document(member, title=title)
    first = client.get("/api/v1/documents").get_json()
    second = client.get("/api/v1/documents?page=2").get_json()
    beyond = client.get("/api/v1/documents?page=3").get_json()
    assert [d["title"] for d in first["documents"]] == ["A", "B"] and first["total"] == 3
    assert [d["title"] for d in second["documents"]] == ["C"] and second["page"] == 2
    assert beyond["documents"] == [] and beyond["total"] == 3


def test_creating_answers_201_with_the_full_document_and_its_address(client, member, token_for, conforms):
    response = client.post("/api/v1/documents", headers=token_for(member), json={
        "title": "Fair votes for all", "body": "# Fair votes\n\nUse *PR*.\n", "policy_area": "Democratic reform",
        "summary": "First draft",
    })
    conforms(response, "/documents", "post", 201)
    body = response.get_json()
    assert set(body) == DOCUMENT_KEYS | {"body", "html"}
    assert body["slug"] == "fair-votes-for-all" and body["status"] == "draft"
    assert body["current_revision"] == 1
    assert body["body"] == "# Fair votes\n\nUse *PR*.\n"
    assert "<em>PR</em>" in body["html"]
    assert response.headers["Location"].endswith("/api/v1/documents/fair-votes-for-all")
    assert client.get(response.headers["Location"]).get_json() == body
    revision = services.get_revision(services.get_document("fair-votes-for-all"), 1)
    assert revision.author_id == member.id and revision.summary == "First draft"


def test_creating_with_an_explicit_slug_keeps_it(client, member, token_for):
    response = client.post("/api/v1/documents", headers=token_for(member), json={
        "title": "Fair votes", "body": "Text.\n", "policy_area": "Reform", "slug": "pr-now"})
    assert response.status_code == 201 and response.get_json()["slug"] == "pr-now"


def test_a_single_document_carries_its_current_text_and_html(client, member, make_document, conforms):
    document = make_document(member, body="Hello <script>x</script> world.\n", revisions=2)
    response = client.get(f"/api/v1/documents/{document.slug}")
    conforms(response, "/documents/{slug}", "get", 200)
    body = response.get_json()
    assert set(body) == DOCUMENT_KEYS | {"body", "html"}
    assert body["body"] == "Hello <script>x</script> world.\n\nAddition 2.\n"
    assert "<script>" not in body["html"] and "&lt;script&gt;" in body["html"]


def test_an_unknown_document_is_404(client):
    response = client.get("/api/v1/documents/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_status_change_answers_the_full_document(client, member, make_user, make_party, make_document,
                                                 token_for, conforms):
    lead = make_user(party=make_party(), role="lead")
    document = make_document(member)
    response = client.post(f"/api/v1/documents/{document.slug}/status", json={"status": "archived"},
                           headers=token_for(lead))
    conforms(response, "/documents/{slug}/status", "post", 200)
    assert set(response.get_json()) == DOCUMENT_KEYS | {"body", "html"}
    assert client.get("/api/v1/documents?status=archived").get_json()["total"] == 1


def test_an_unknown_status_is_invalid(client, make_user, make_party, member, make_document, token_for):
    lead = make_user(party=make_party(), role="lead")
    document = make_document(member)
    response = client.post(f"/api/v1/documents/{document.slug}/status", json={"status": "published"},
                           headers=token_for(lead))
    assert response.status_code == 422 and "status" in response.get_json()["fields"]


def test_revisions_are_listed_newest_first_a_page_at_a_time(app, client, member, make_document, conforms):
    app.config["REVISIONS_PER_PAGE"] = 2
    document = make_document(member, revisions=5)
    first = client.get(f"/api/v1/documents/{document.slug}/revisions")
    conforms(first, "/documents/{slug}/revisions", "get", 200)
    pages = [first.get_json()] + [client.get(f"/api/v1/documents/{document.slug}/revisions?page={n}").get_json()
                                  for n in (2, 3, 4)]
    assert [[r["number"] for r in page["revisions"]] for page in pages] == [[5, 4], [3, 2], [1], []]
    assert {page["total"] for page in pages} == {5}
    assert [page["page"] for page in pages] == [1, 2, 3, 4]
    newest = pages[0]["revisions"][0]
    assert set(newest) == REVISION_KEYS
    assert newest["author"] == {"name": member.name, "party": member.party.slug}
    assert (newest["base"], newest["source"], newest["amendment"], newest["summary"]) == (4, "edit", None, "Edit 5")
    assert (newest["added_words"], newest["removed_words"]) == (2, 0)
    assert pages[2]["revisions"][0]["base"] is None
    _aware(newest["created_at"])


def test_a_single_revision_adds_title_and_body(client, member, make_document, conforms):
    document = make_document(member, title="Fair votes", revisions=2)
    response = client.get(f"/api/v1/documents/{document.slug}/revisions/1")
    conforms(response, "/documents/{slug}/revisions/{n}", "get", 200)
    body = response.get_json()
    assert set(body) == REVISION_KEYS | {"title", "body"}
    assert body["number"] == 1 and body["title"] == "Fair votes"
    assert "Addition 2." not in body["body"]


@pytest.mark.parametrize("number", ["0", "3", "99999999999999999999", "-1"])
def test_a_revision_that_does_not_exist_is_404(client, member, make_document, number):
    document = make_document(member, revisions=2)
    response = client.get(f"/api/v1/documents/{document.slug}/revisions/{number}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_an_author_who_left_their_party_is_shown_without_one(client, make_user, make_party, make_document):
    author = make_user("Lee Leaver", party=make_party())
    document = make_document(author)
    remove_membership(SYSTEM, author.membership)
    response = client.get(f"/api/v1/documents/{document.slug}/revisions/1")
    assert response.get_json()["author"] == {"name": "Lee Leaver", "party": None}


def test_diff_ops_rebuild_both_texts(client, member, make_document, conforms):
    document = make_document(member, body="The cat sat on the mat.\n\nSecond paragraph.\n")
    services.save_revision(member, document, body="The dog sat on the mat.\n\nSecond paragraph here.\n",
                           base_number=1)
    response = client.get(f"/api/v1/documents/{document.slug}/diff?from=1&to=2")
    conforms(response, "/documents/{slug}/diff", "get", 200)
    body = response.get_json()
    assert (body["from"], body["to"]) == (1, 2)
    old = "".join(text for op, text in body["ops"] if op in ("equal", "delete"))
    new = "".join(text for op, text in body["ops"] if op in ("equal", "insert"))
    assert old == services.get_revision(document, 1).body
    assert new == services.get_revision(document, 2).body
    assert ["delete", "cat"] in body["ops"] and ["insert", "dog"] in body["ops"]
    assert (body["added_words"], body["removed_words"]) == (2, 1)


@pytest.mark.parametrize("query", ["", "from=1", "to=1", "from=one&to=2", "from=1&to=2.0", "from=1&to=%C2%B2"])
def test_diff_needs_two_integer_revisions(client, member, make_document, query):
    document = make_document(member, revisions=2)
    response = client.get(f"/api/v1/documents/{document.slug}/diff?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


@pytest.mark.parametrize("query", ["from=1&to=3", "from=0&to=1", "from=-2&to=1", "from=1&to=999999999999"])
def test_diff_with_a_revision_out_of_range_is_404(client, member, make_document, query):
    document = make_document(member, revisions=2)
    response = client.get(f"/api/v1/documents/{document.slug}/diff?{query}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/documents", "/api/v1/documents/{slug}/revisions"])
@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "%C2%B2", "99999999999999999999"])
def test_a_page_must_be_a_positive_integer(client, member, make_document, path, page):
    document = make_document(member)
    response = client.get(path.format(slug=document.slug) + f"?page={page}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_an_unknown_status_filter_is_a_bad_request(client):
    response = client.get("/api/v1/documents?status=published")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_lists_cost_the_same_number_of_queries_however_long(client, make_user, make_party, make_document,
                                                            count_queries):
    # Leads of six parties: authors of revisions, and endorsers whose names and parties the lists show.
    authors = [make_user(party=make_party(), role="lead") for _ in range(6)]
    for n, author in enumerate(authors):
        endorse(author, make_document(author, title=f"Extra {n}"))
    few = make_document(authors[0], title="Few")
    many = make_document(authors[0], title="Many")
    for author in authors[1:]:
        current = services.get_revision(many, many.current_number)
        services.save_revision(author, many, body=current.body + f"{author.name}.\n", base_number=current.number)
    for author in authors:
        endorse(author, many)
    lonely = make_document(authors[1], title="Lonely", policy_area="Housing")
    endorse(authors[1], lonely)

    few_slug, many_slug = few.slug, many.slug

    def fetch(url: str) -> None:
        db.session.remove()  # start cold, as a real request does
        assert client.get(url).status_code == 200

    assert count_queries(lambda: fetch(f"/api/v1/documents/{few_slug}/revisions")) == \
        count_queries(lambda: fetch(f"/api/v1/documents/{many_slug}/revisions"))
    # One document with one endorsement costs what nine documents with thirteen endorsements cost. (An empty
    # page costs less: with nothing listed there are no parties or endorsements to load.)
    assert count_queries(lambda: fetch("/api/v1/documents?area=housing")) == \
        count_queries(lambda: fetch("/api/v1/documents"))

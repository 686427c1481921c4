"""GET /api/v1/search, on each search backend: the shape API.md gives, the filters, party=, and 400s in the
API's error format."""
from __future__ import annotations

from typing import Any

import pytest

# API.md: {"query", "total", "page", "results": [...], "suggestion"}; extensions are allowed on top.
API_MD_KEYS = {"query", "total", "page", "results", "suggestion"}
EXTENSION_KEYS = {"facets", "message", "per_page"}
RESULT_KEYS = {"type", "slug", "title", "snippet", "url"}
RESULT_EXTENSIONS = {"policy_area", "status", "parties", "updated_at"}


@pytest.fixture
def app_config(app_config: dict[str, Any], search_backend: str) -> dict[str, Any]:
    return {**app_config, "SEARCH_BACKEND": search_backend}


@pytest.fixture
def author(make_user, labour):
    return make_user("Ava Author", party=labour)


@pytest.fixture
def labour_lead(make_user, labour):
    return make_user("Lena Lead", party=labour, role="lead")


@pytest.fixture
def corpus(author, labour_lead, make_user, make_document):
    """Two energy documents in two areas (one endorsed by Labour, one in consultation), and an energy amendment
    on the second. The engine drains its index jobs before it searches."""
    from policyhub.amendments.services import propose_amendment
    from policyhub.endorsements.services import endorse

    wind = make_document(author, title="Wind power", body="Energy from offshore wind.\n", policy_area="Climate",
                         slug="wind-power")
    bills = make_document(author, title="Fair bills", body="Energy bills capped.\n", policy_area="Cost of living",
                          slug="fair-bills", status="consultation")
    endorse(labour_lead, wind)
    amendment = propose_amendment(make_user("Pat Proposer"), bills, title="Cap energy prices",
                                  rationale="Energy is costly.", body="Energy bills capped by law.\n",
                                  base_number=1)
    return {"wind": wind, "bills": bills, "amendment": amendment}


def search(client, query: str, status: int = 200) -> dict:
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_answer_has_the_shape_of_api_md(client, corpus, conforms):
    response = client.get("/api/v1/search?q=energy")
    conforms(response, "/search", "get", 200)
    answer = response.get_json()
    assert set(answer) == API_MD_KEYS | EXTENSION_KEYS
    assert (answer["query"], answer["total"], answer["page"], answer["suggestion"]) == ("energy", 3, 1, None)
    by_title = {result["title"]: result for result in answer["results"]}
    assert set(by_title) == {"Wind power", "Fair bills", "Cap energy prices"}

    document = by_title["Wind power"]
    assert set(document) == RESULT_KEYS | RESULT_EXTENSIONS  # no "number" for a document, not even null
    assert (document["type"], document["slug"], document["url"]) == ("document", "wind-power", "/documents/wind-power")
    assert "<mark>" in document["snippet"].lower()
    assert (document["policy_area"], document["status"], document["parties"]) == ("Climate", "draft", ["labour"])
    assert document["updated_at"].endswith("Z")

    amendment = by_title["Cap energy prices"]
    assert set(amendment) == RESULT_KEYS | RESULT_EXTENSIONS | {"number"}
    number = corpus["amendment"].number
    assert (amendment["type"], amendment["slug"], amendment["number"]) == ("amendment", "fair-bills", number)
    assert amendment["url"] == f"/documents/fair-bills/amendments/{number}"
    assert amendment["status"] == "open"


def test_facets_count_by_parameter(client, corpus):
    facets = search(client, "q=energy")["facets"]
    assert set(facets) == {"type", "area", "status", "party"}
    assert facets["type"] == {"document": 2, "amendment": 1}
    assert facets["party"] == {"labour": 1}


@pytest.mark.parametrize("query, titles", [
    ("q=energy&type=document", {"Wind power", "Fair bills"}),
    ("q=energy&type=amendment", {"Cap energy prices"}),
    ("q=energy&area=Climate", {"Wind power"}),
    ("q=energy&area=cost%20of%20living&type=document", {"Fair bills"}),
    ("q=energy&status=consultation", {"Fair bills"}),
    ("q=energy&type=amendment&status=open", {"Cap energy prices"}),
    ("type=document&area=Climate", {"Wind power"}),
    ("q=zeppelin", set()),
])
def test_filters_narrow_the_results(client, corpus, query, titles):
    answer = search(client, query)
    assert {result["title"] for result in answer["results"]} == titles
    assert answer["total"] == len(titles)


def test_party_keeps_documents_whose_current_revision_that_party_endorses(
        client, corpus, author, labour_lead, libdem, make_user, edit_document):
    from policyhub.endorsements.services import endorse

    answer = search(client, "q=energy&party=labour")
    assert [result["slug"] for result in answer["results"]] == ["wind-power"]
    assert search(client, "q=energy&party=libdem")["results"] == []
    # Once the text moves on, Labour's endorsement is of an older revision: the document no longer counts.
    edit_document(author, corpus["wind"], "Energy from onshore wind too.")
    assert search(client, "q=energy&party=labour")["results"] == []
    endorse(labour_lead, corpus["wind"])
    assert [result["slug"] for result in search(client, "party=labour")["results"]] == ["wind-power"]


def test_pages_and_a_page_past_the_end(client, author, make_document):
    for n in range(23):
        make_document(author, title=f"Tidal plan {n}", body=f"Tidal energy, plan {n}.\n")
    first, second = search(client, "q=tidal"), search(client, "q=tidal&page=2")
    assert (first["total"], len(first["results"]), first["page"]) == (23, 20, 1)
    assert (second["total"], len(second["results"]), second["page"]) == (23, 3, 2)
    assert not {r["slug"] for r in first["results"]} & {r["slug"] for r in second["results"]}
    assert search(client, "q=tidal&page=7")["results"] == []


def test_a_misspelt_word_gets_a_suggestion(client, author, make_document):
    make_document(author, title="Proportional representation", body="Proportional representation for all.\n")
    assert search(client, "q=proportinal")["suggestion"] == "proportional"


def test_hostile_text_comes_back_escaped_in_snippets(client, author, make_document):
    make_document(author, title="<b>Bold</b> votes", body="Votes <script>alert(1)</script> for all.\n")
    result = search(client, "q=votes")["results"][0]
    assert result["title"] == "<b>Bold</b> votes"  # JSON carries the text as it is; only snippets are HTML
    assert "<script>" not in result["snippet"]
    assert "<" not in result["snippet"].replace("<mark>", "").replace("</mark>", "")


@pytest.mark.parametrize("query, says", [
    ("q=votes&type=bill", "type"),
    ("q=votes&status=lost", "status"),
    ("q=votes&type=document&status=open", "status"),
    ("q=votes&sort=alphabetical", "sort"),
    ("q=votes&page=0", "page"),
    ("q=votes&page=1.5", "page"),
    ("q=votes&page=99999999999999", "page"),
    ("q=votes&party=nobody", "nobody"),
    ("q=votes&q=more", "more than once"),
    ("q=vo%00tes", "control"),
])
def test_bad_parameters_are_a_json_400(client, labour, conforms, query, says):
    response = client.get(f"/api/v1/search?{query}")
    conforms(response, "/search", "get", 400)
    answer = response.get_json()
    assert answer["error"] == "bad_request" and says in answer["message"]


def test_search_needs_no_token_but_refuses_a_bad_one(client):
    assert search(client, "q=votes")["total"] == 0
    response = client.get("/api/v1/search?q=votes", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401

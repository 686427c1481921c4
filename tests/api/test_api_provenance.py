"""GET /api/v1/documents/{slug}/provenance (API.md): spans that concatenate to the body, each with its
revision, author (Person) and amendment, as the served OpenAPI description says."""
from __future__ import annotations

import pytest

from policyhub.amendments import services as amendments
from policyhub.documents import services

PATH = "/documents/{slug}/provenance"
BODY = "# Fair votes\n\nWe back proportional representation.\n"


@pytest.fixture
def world(make_user, make_document, labour, green):
    """1: a Labour lead writes; 2: a Green member adds a line; 3: a non-aligned person's amendment, accepted."""
    lead = make_user("Lena Lead", party=labour, role="lead")
    ana = make_user("Ana Pérez", party=green)
    nico = make_user("Nico Nonaligned")
    document = make_document(lead, title="Fair votes", body=BODY)
    services.save_revision(ana, document, body=BODY + "\nCouncils first.\n", base_number=1)
    proposal = amendments.propose_amendment(nico, document, title="Timetable", rationale="Dates matter.",
                                            body=BODY + "\nCouncils first, by 2030.\n", base_number=2)
    amendments.accept_amendment(lead, proposal)
    return document, proposal.number


def spans_of(client, conforms, document, query: str = "") -> dict:
    """The provenance answer, checked against the spec; its spans' texts must make its revision's body."""
    response = client.get(f"/api/v1/documents/{document.slug}/provenance{query}")
    conforms(response, PATH, "get", 200)
    data = response.get_json()
    assert "".join(span["text"] for span in data["spans"]) == services.get_revision(document, data["revision"]).body
    return data


def test_the_current_revisions_spans_cover_its_body_with_authors_and_amendments(client, world, conforms):
    document, amendment = world
    data = spans_of(client, conforms, document)
    assert data["revision"] == 3
    by_text = {span["text"]: span for span in data["spans"]}
    first = next(span for text, span in by_text.items() if "proportional representation" in text)
    assert (first["revision"], first["author"], first["amendment"]) == (
        1, {"name": "Lena Lead", "party": "labour"}, None)
    added = next(span for text, span in by_text.items() if "2030" in text)
    assert (added["revision"], added["author"], added["amendment"]) == (
        3, {"name": "Nico Nonaligned", "party": None}, amendment)
    green = [span for span in data["spans"] if span["author"]["party"] == "green"]
    assert green and all(span["revision"] == 2 for span in green)
    assert set(data) == {"revision", "spans"}
    assert all(set(span) == {"text", "revision", "author", "amendment"} for span in data["spans"])


def test_an_older_revision_is_attributed_as_it_stood(client, world, conforms):
    document, _ = world
    data = spans_of(client, conforms, document, "?revision=2")
    assert data["revision"] == 2
    assert {span["revision"] for span in data["spans"]} == {1, 2}
    assert client.get(f"/api/v1/documents/{document.slug}/provenance?revision=").get_json()["revision"] == 3


@pytest.mark.parametrize("query, status", [("?revision=4", 404), ("?revision=0", 404), ("?revision=abc", 400),
                                           ("?revision=-1", 404), ("?revision=1.5", 400)])
def test_a_revision_that_does_not_exist_or_is_not_a_number_is_refused(client, world, conforms, query, status):
    document, _ = world
    response = client.get(f"/api/v1/documents/{document.slug}/provenance{query}")
    assert response.status_code == status
    assert response.get_json()["error"] == ("not_found" if status == 404 else "bad_request")


def test_an_unknown_document_is_not_found(client, world):
    response = client.get("/api/v1/documents/no-such-document/provenance")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"

"""The engine, on each backend: relevance, stemming, phrases, accents, facets and filters, snippets, hostile
queries."""
from __future__ import annotations

import time

import pytest

from policyhub.search import services
from policyhub.search.query import SearchQuery

whoosh_only = pytest.mark.parametrize("search_backend", ["whoosh"], indirect=True)


def slugs(results):
    return [hit.slug for hit in results.hits]


def test_a_title_match_outranks_a_body_match(member, make_document, find):
    make_document(member, title="Housing standards", body="Homes for all. Railways are mentioned once here.")
    make_document(member, title="Railways for the regions", body="Trains and buses everywhere.")
    results = find("railways")
    assert slugs(results) == ["railways-for-the-regions", "housing-standards"]
    assert results.hits[0].url == "/documents/railways-for-the-regions"


def test_stemming_finds_other_forms_of_a_word(member, make_document, find):
    make_document(member, title="Transport", body="We will reopen the old railway lines.")
    make_document(member, title="Votes", body="Proportional representation in elections.")
    assert slugs(find("railways")) == ["transport"]
    assert slugs(find("elected")) == ["votes"]


def test_a_phrase_matches_only_the_words_together(member, make_document, find):
    make_document(member, title="One", body="A fair deal on votes for everyone.")
    make_document(member, title="Two", body="Fair votes now.")
    assert slugs(find('"fair votes"')) == ["two"]
    assert sorted(slugs(find("fair votes"))) == ["one", "two"]


def test_accents_are_folded_both_ways(member, make_document, find):
    make_document(member, title="Café culture", body="Naïve élections policy.")
    assert slugs(find("cafe")) == ["cafe-culture"]
    assert slugs(find("élection")) == ["cafe-culture"]
    assert slugs(find("naive")) == ["cafe-culture"]


def test_snippets_mark_accented_words_as_written(member, make_document, find):
    make_document(member, title="Votes", body="Naïve élections policy for the Café.")
    snippet = find("election cafe").hits[0].snippet
    assert "<mark>élections</mark>" in snippet and "<mark>Café</mark>" in snippet


def test_prefix_needs_three_letters(member, make_document, find):
    make_document(member, title="Climate", body="Climate action plan.")
    assert slugs(find("clim*")) == ["climate"]
    results = find("cl*")
    assert results.hits == () and "at least 3 letters" in results.message


def test_title_field_searches_titles_only(member, make_document, find):
    make_document(member, title="Buses", body="Nothing about trains.")
    make_document(member, title="Trains", body="Trains go fast.")
    assert slugs(find("title:trains")) == ["trains"]


def test_snippets_escape_the_text_and_mark_only_the_matches(member, make_document, find):
    make_document(member, title="Hostile", body='Before <script>alert("x")</script> the budget & more.')
    hit = find("budget").hits[0]
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>budget</mark>" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_facets_count_each_value_and_filters_narrow(app, member, make_document, find, lead_of, make_party):
    from policyhub.amendments.services import propose_amendment
    from policyhub.endorsements.services import endorse
    party = member.party
    a = make_document(member, title="Rail fares", body="Cheaper rail.", policy_area="Transport")
    make_document(member, title="Rail freight", body="Rail for goods.", policy_area="Industry",
                  status="consultation")
    propose_amendment(member, a, title="Rail cards for the young", rationale="Rail for students.",
                      body="Cheaper rail for all.", base_number=1)
    endorse(lead_of(party), a)
    results = find("rail")
    assert results.total == 3
    assert results.facets["kind"] == {"document": 2, "amendment": 1}
    assert results.facets["area"] == {"Transport": 2, "Industry": 1}
    assert results.facets["party"] == {party.slug: 1}
    assert results.facets["status"] == {"draft": 1, "consultation": 1, "open": 1}

    narrowed = find("rail", kind="document")
    assert narrowed.total == 2 and {h.kind for h in narrowed.hits} == {"document"}
    assert narrowed.facets["kind"] == {"document": 2, "amendment": 1}  # counts ignore their own filter
    assert narrowed.facets["area"] == {"Transport": 1, "Industry": 1}  # ...but reflect the others
    assert slugs(find("rail", area="transport", kind="document")) == ["rail-fares"]
    assert slugs(find("rail", status="consultation")) == ["rail-freight"]
    assert [h.url for h in find("rail", party=party.slug).hits] == ["/documents/rail-fares"]
    amendment_hit = find("rail", kind="amendment").hits[0]
    assert amendment_hit.url == "/documents/rail-fares/amendments/1" and amendment_hit.number == 1


def test_a_misspelt_word_gets_a_suggestion(member, make_document, find):
    make_document(member, title="Renewable energy", body="Investment in renewable energy and insulation.")
    results = find("insulaton")
    assert results.total == 0
    assert results.suggestion == "insulation"


@pytest.mark.parametrize("text", [
    '"unbalanced quote', "*", "title:", "body:[a TO z]", "!" * 2000, "x" * 100_000, "a OR b NOT c",
    "title:title:title:", "?*?*", "()[]{}^~\\", "\x00\x01", "clim*" * 50, '""""', "*ing", "k*ng",
])
def test_hostile_queries_answer_quickly_without_an_exception(member, make_document, find, text):
    make_document(member, title="Kings and queens", body="Something to find.")
    started = time.monotonic()
    results = find(text)
    assert time.monotonic() - started < 5
    assert results.total >= 0
    if len(text) > 200:
        assert "longer than 200" in results.message


def test_other_field_names_cannot_reach_unindexed_fields(member, make_document, find):
    make_document(member, title="Plain", body="Nothing here.", slug="secret-slug")
    assert find("slug:secret-slug").total == 0
    assert find("key:document").total == 0


def test_paging_and_recent_sort(member, make_document, find):
    for n in range(5):
        make_document(member, title=f"Water {n}", body="Clean water.")
    first = find("water", per_page=2)
    second = find("water", per_page=2, page=2)
    assert first.total == 5 and len(first.hits) == 2 and len(second.hits) == 2
    assert not set(slugs(first)) & set(slugs(second))
    recent = find("water", sort="recent")
    assert slugs(recent)[0] == "water-4"


@whoosh_only  # the PostgreSQL backend's timeout is the server's: see test_postgres_backend.py
def test_search_times_out_with_partial_results_and_a_message(app, member, make_document, find):
    make_document(member, title="Water", body="Clean water.")
    services.apply_pending_jobs()
    services.get_backend().time_limit = 0.0
    results = services.search(SearchQuery(text="water"))
    assert results.message and "too long" in results.message


@whoosh_only  # the backend under test is another app's, on SQLite whatever the suite runs on: once is enough
def test_the_postgres_backend_is_refused_on_sqlite_clearly(make_app, tmp_path):
    other = make_app(SEARCH_BACKEND="postgres", DATABASE_URL=f"sqlite:///{tmp_path / 'other.db'}")
    with other.app_context(), pytest.raises(RuntimeError, match="needs a PostgreSQL database"):
        services.get_backend(other)


@whoosh_only  # as above
def test_an_unknown_backend_is_refused_clearly(make_app):
    other = make_app(SEARCH_BACKEND="elastic")
    with other.app_context(), pytest.raises(RuntimeError, match="Unknown SEARCH_BACKEND 'elastic'"):
        services.get_backend(other)

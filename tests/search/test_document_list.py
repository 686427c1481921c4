"""The document list (/) filters through the search engine: words, status, area and endorsing party, paged."""
from __future__ import annotations

import re
from html import unescape

import pytest


def card_titles(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<h3 class="doc-card__title"><a href="[^"]*">(.*?)</a>', html)]


@pytest.fixture
def corpus(app, member, make_document, make_user):
    from policyhub.endorsements.services import endorse
    from policyhub.search import services
    rail = make_document(member, title="Rail fares", body="Cheaper railways for commuters.",
                         policy_area="Transport", slug="rail-fares")
    make_document(member, title="Bus routes", body="Buses every ten minutes.", policy_area="Transport",
                  slug="bus-routes")
    make_document(member, title="Warm homes", body="Insulate every home, and fund a railway to new towns.",
                  policy_area="Housing", slug="warm-homes", status="consultation")
    endorse(make_user("Lead", party=member.party, role="lead"), rail)
    services.apply_pending_jobs(include_delayed=True)
    return member.party


def test_words_find_documents_by_stem(client, corpus):
    response = client.get("/?q=railway")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert sorted(card_titles(html)) == ["Rail fares", "Warm homes"]  # "railways" stems to "railway"
    assert "2 documents match" in re.sub(r"\s+", " ", html)
    assert 'value="railway"' in html  # the box keeps the words


def test_status_area_and_party_narrow_the_list(client, corpus):
    assert card_titles(client.get("/?status=consultation").get_data(as_text=True)) == ["Warm homes"]
    assert sorted(card_titles(client.get("/?area=transport").get_data(as_text=True))) == ["Bus routes", "Rail fares"]
    assert card_titles(client.get(f"/?party={corpus.slug}").get_data(as_text=True)) == ["Rail fares"]
    assert card_titles(client.get("/?q=buses&area=Housing").get_data(as_text=True)) == []


def test_without_filters_every_document_is_listed(client, corpus):
    assert sorted(card_titles(client.get("/").get_data(as_text=True))) == ["Bus routes", "Rail fares", "Warm homes"]


@pytest.mark.parametrize("query, problem", [("party=nobody", "no party 'nobody'"),
                                            ("status=sunk", "Unknown status 'sunk'")])
def test_bad_filters_answer_400_and_keep_the_words(client, corpus, query, problem):
    response = client.get(f"/?q=rail+fares&{query}")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert problem in html
    assert 'value="rail fares"' in html


def test_long_result_lists_are_paged(client, corpus, monkeypatch):
    from policyhub.documents import views
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 1)
    first = client.get("/?status=draft").get_data(as_text=True)
    next_link = unescape(re.search(r'<a class="pagination__step" href="([^"]*)" rel="next">', first).group(1))
    assert "status=draft" in next_link and "page=2" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert 'rel="next"' not in second.split('class="pagination"')[1].split("</nav>")[0].replace(
        'is-disabled" aria-hidden="true">Next', "")
    assert sorted(card_titles(first) + card_titles(second)) == ["Bus routes", "Rail fares"]

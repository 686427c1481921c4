"""A document's pages cost a fixed number of SQL statements, however long its history and however many parties,
endorsements and amendments it has: an N+1 query cannot come back unnoticed. Counted with the visitors' page
cache off (a cached page costs one statement, tests/test_pagecache.py) and for a signed-in lead."""
from __future__ import annotations

import pytest

from policyhub.amendments import services as amendments
from policyhub.documents import services
from policyhub.endorsements.services import endorse
from policyhub.extensions import db

PAGES = ("/documents/{slug}", "/documents/{slug}/history", "/documents/{slug}/revisions/2",
         "/documents/{slug}/diff?from=1&to=2")
# The fixed costs, so that a new query on a page is a decision, not an accident. Visitor's document page:
# the document, its current revision (with author), live endorsements, parties, open amendments and
# their supporters, and the feed and watch panels' lookups.
MOST_STATEMENTS = 12


@pytest.fixture
def uncached(make_app):
    return make_app(PAGE_CACHE_BYTES=0)


@pytest.fixture
def documents(make_user, make_party, make_document):
    """A short quiet document and a long busy one: 3 against 60 revisions (the latest by someone other than the
    reader), 1 against 6 endorsing parties, 1 against 5 open amendments with supporters. (Nothing at all to list
    can cost less: no supporters to load.)"""
    leads = [make_user(party=make_party(), role="lead") for _ in range(6)]
    quiet = make_document(leads[0], title="Quiet", revisions=2)
    services.save_revision(leads[1], quiet, body=services.get_revision(quiet, 2).body + "\nMore.\n", base_number=2)
    endorse(leads[0], quiet)
    lone = amendments.propose_amendment(leads[0], quiet, title="Lone", rationale="Because.",
                                        body=services.get_revision(quiet, 3).body + "\nLess.\n", base_number=3)
    amendments.support(leads[1], lone)
    busy = make_document(leads[0], title="Busy", revisions=2)
    for n in range(58):
        author = leads[n % len(leads)]
        current = services.get_revision(busy, busy.current_number)
        services.save_revision(author, busy, body=current.body + f"\nEdit {n} by {author.name}.\n",
                               base_number=current.number)
    for lead in leads:
        endorse(lead, busy)
    for n in range(5):
        current = services.get_revision(busy, busy.current_number)
        amendment = amendments.propose_amendment(leads[n], busy, title=f"Amendment {n}", rationale="Because.",
                                       body=current.body + f"\nAmended {n}.\n", base_number=current.number)
        for supporter in leads[n + 1:]:
            amendments.support(supporter, amendment)
    return quiet.slug, busy.slug, leads[0]


def statements(app, count_queries, url: str, user=None, login=None) -> int:
    client = app.test_client(use_cookies=user is not None)
    if user is not None:
        login(client, user)
    client.get(url)  # warm: templates compiled, the first-use lookups of a process done

    def fetch() -> None:
        with app.app_context():
            db.session.remove()  # start cold, as a real request does
        assert client.get(url).status_code == 200
    return count_queries(fetch)


@pytest.mark.parametrize("page", PAGES)
def test_a_visitors_page_costs_the_same_for_a_short_quiet_document_and_a_long_busy_one(
        uncached, documents, count_queries, page):
    quiet, busy, _lead = documents
    few = statements(uncached, count_queries, page.format(slug=quiet))
    many = statements(uncached, count_queries, page.format(slug=busy))
    assert few == many
    assert many <= MOST_STATEMENTS


@pytest.mark.parametrize("page", PAGES)
def test_a_signed_in_leads_page_costs_the_same_too(app, documents, count_queries, login, page):
    quiet, busy, lead = documents
    few = statements(app, count_queries, page.format(slug=quiet), lead, login)
    many = statements(app, count_queries, page.format(slug=busy), lead, login)
    assert few == many

"""Fixtures for the document tests: a Labour writer and "Fair votes", a document of seven clauses."""
from __future__ import annotations

import pytest

BODY = """# Fair votes

Every vote should count equally in elections for every council.

## Method

We propose the single transferable vote for local elections across England.

- Multi-member wards of three to five councillors.
- An independent boundary commission draws the wards.

Closing remarks about democracy and fairness for all voters.
"""
# Keys of BODY's clauses as revision 1 hands them out, in order.
HEADING, VOTE, METHOD, PROPOSAL, WARDS, COMMISSION, CLOSING = "1", "2", "3", "4", "5", "6", "7"


@pytest.fixture
def writer(make_user, labour):
    return make_user("Wendy Writer", party=labour)


@pytest.fixture
def document(writer, make_document):
    """"Fair votes" (BODY) by the writer, revision 1."""
    return make_document(writer, body=BODY, title="Fair votes", slug="fair-votes")

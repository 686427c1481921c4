"""Who wrote what: the service (passages, authors, parties, amendments, the replay over snapshots, its cache
and its query count) and the page (party classes, toggle, legend, escaping, errors, visitors' cache)."""
from __future__ import annotations

import re

import pytest

from policyhub.amendments import services as amendments
from policyhub.db import write_transaction
from policyhub.documents import provenance as provenance_service
from policyhub.documents import services, storage
from policyhub.documents.provenance import provenance
from policyhub.errors import NotFound
from policyhub.extensions import db

BODY = "# Fair votes\n\nWe back proportional representation.\n\nCouncils first.\n"


@pytest.fixture
def ana(make_user, green):
    return make_user("Ana Pérez", party=green)


@pytest.fixture
def lena(make_user, labour):
    return make_user("Lena Lead", party=labour, role="lead")


@pytest.fixture
def nico(make_user):
    return make_user("Nico Nonaligned")


def save(author, document, old: str, new: str, summary: str = ""):
    current = services.get_revision(document, document.current_number)
    assert old in current.body
    return services.save_revision(author, document, body=current.body.replace(old, new, 1),
                                  base_number=current.number, summary=summary).revision


def owner_of(found, words: str):
    """The passage holding ``words`` (which must lie inside one passage)."""
    matches = [passage for passage in found.passages if words in passage.text]
    assert len(matches) == 1, [(passage.text, passage.revision.number) for passage in found.passages]
    return matches[0]


@pytest.fixture
def story(make_document, lena, ana, nico):
    """1: Lena writes; 2: Ana adds; 3: Ana inserts "single transferable"; 4: Lena edits a word of revision 3;
    5: Nico's amendment, accepted by Lena; 6: Lena adds a hostile line."""
    document = make_document(lena, title="Fair votes", body=BODY)
    save(ana, document, "Councils first.", "Councils first, then Westminster.")
    save(ana, document, "proportional representation", "proportional representation by single transferable vote")
    save(lena, document, "single transferable", "single portable transferable")
    current = services.get_revision(document, document.current_number)
    proposal = amendments.propose_amendment(
        nico, document, title="Add a timetable", rationale="Because dates matter.",
        body=current.body + "\nBy the next general election.\n", base_number=current.number)
    _amendment, revision = amendments.accept_amendment(lena, proposal)
    assert revision.number == 5 and revision.amendment_number == proposal.number
    save(lena, document, "By the next", "<script>alert(1)</script> By the next")
    return document, proposal.number


def test_every_revisions_passages_concatenate_to_its_body(story):
    document, _ = story
    for number in range(1, document.current_number + 1):
        found = provenance(document, number)
        assert found.revision.number == number
        assert "".join(passage.text for passage in found.passages) == services.get_revision(document, number).body
        assert [item.revision.number for item in found.contributions] == sorted(
            {passage.revision.number for passage in found.passages})


def test_each_passage_stands_as_it_is_in_its_revisions_text(story):
    document, _ = story
    for passage in provenance(document).passages:
        assert passage.text in services.get_revision(document, passage.revision.number).body


def test_a_word_inserted_in_revision_3_belongs_to_revision_3_its_author_and_party(story, ana, green):
    document, _ = story
    found = provenance(document, 3)
    passage = owner_of(found, "single transferable")
    assert (passage.revision.number, passage.author.id, passage.party.slug, passage.amendment) == (
        3, ana.id, "green", None)
    assert owner_of(found, "proportional representation").revision.number == 1


def test_a_word_edited_later_moves_to_the_later_revision(story, lena):
    document, _ = story
    found = provenance(document, 4)
    assert owner_of(found, "portable").revision.number == 4
    assert owner_of(found, "portable").author.id == lena.id
    assert owner_of(found, "single").revision.number == 3
    assert owner_of(found, "transferable").revision.number == 3


def test_text_of_an_accepted_amendment_carries_its_number_and_its_authors_empty_party(story, nico):
    document, number = story
    passage = owner_of(provenance(document, 5), "next general election")
    assert (passage.revision.number, passage.amendment, passage.author.id, passage.party) == (5, number, nico.id, None)
    assert owner_of(provenance(document), "next general election").amendment == number


def test_a_revert_attributes_the_restored_text_to_the_revert(make_document, lena, ana):
    """Restoring old text inserts it again: the revert's author chose it, so it is theirs (by design)."""
    document = make_document(lena, body=BODY)
    save(ana, document, "Councils first.", "Parliament only.")
    services.revert_document(lena, document, to_number=1, base_number=2)
    found = provenance(document, 3)
    assert found.body == BODY
    assert owner_of(found, "Councils first").revision.number == 3
    assert owner_of(found, "Councils first").revision.source == "revert"
    assert owner_of(found, "proportional representation").revision.number == 1


def test_the_replay_crosses_snapshot_revisions_and_agrees_with_a_cold_one(app, make_document, lena, ana):
    document = make_document(lena, body=BODY)
    authors = (lena, ana)
    for number in range(2, 56):
        current = services.get_revision(document, document.current_number)
        services.save_revision(authors[number % 2], document, body=current.body + f"Point {number}.\n",
                               base_number=current.number)
    assert document.current_number == 55
    cold = {}
    for number in (50, 51, 52, 55):
        provenance_service.cache().clear()
        cold[number] = provenance(document, number)
    provenance_service.cache().clear()
    warm = {number: provenance(document, number) for number in (50, 55, 51, 52)}  # 51 and 52 start from 50
    for number, found in cold.items():
        body = services.get_revision(document, number).body
        assert "".join(passage.text for passage in found.passages) == body
        assert [(p.text, p.revision.number) for p in warm[number].passages] == [
            (p.text, p.revision.number) for p in found.passages]
    found = cold[55]
    assert owner_of(found, "Point 51.").revision.number == 51  # added by the snapshot row itself
    assert owner_of(found, "Point 50.").revision.number == 50
    assert owner_of(found, "Point 52.").revision.number == 52
    assert owner_of(found, "Point 52.").author.id == lena.id


def test_after_an_edit_only_the_new_row_is_replayed(app, make_document, lena, ana, monkeypatch):
    document = make_document(lena, body=BODY, revisions=4)
    provenance(document)
    save(ana, document, "Councils first.", "Councils and mayors first.")
    read: list[tuple[int, int]] = []
    original = storage.stored_rows
    monkeypatch.setattr(storage, "stored_rows", lambda d, first, last: read.append((first, last)) or original(d, first, last))
    found = provenance(document)
    assert read == [(5, 5)]
    assert owner_of(found, "and mayors").revision.number == 5
    provenance(document)
    assert read == [(5, 5)]  # kept: nothing read


def test_nothing_is_kept_from_inside_a_write_transaction(app, make_document, lena):
    document = make_document(lena, body=BODY, revisions=3)
    provenance_service.cache().clear()
    with write_transaction(db.session):
        assert provenance(document).revision.number == 3
    assert len(provenance_service.cache()) == 0
    provenance(document)
    assert len(provenance_service.cache()) == 1


def test_the_metadata_costs_the_same_few_queries_however_many_authors(app, make_document, make_user,
                                                                     make_party, count_queries):
    people = [make_user(party=make_party()) for _ in range(6)]
    short = make_document(people[0], body=BODY, revisions=2)
    long = make_document(people[0], body=BODY)
    for n in range(30):
        author = people[n % len(people)]
        current = services.get_revision(long, long.current_number)
        services.save_revision(author, long, body=current.body + f"Line {n} by {author.name}.\n",
                               base_number=current.number)

    def cost(slug: str) -> int:
        provenance_service.cache().clear()
        db.session.expunge_all()
        loaded = services.get_document(slug)
        return count_queries(lambda: provenance(loaded))
    short_slug, long_slug = short.slug, long.slug
    assert cost(short_slug) == cost(long_slug) <= 3  # the rows replayed, the revisions, their memberships
    assert len(provenance(services.get_document(long_slug)).contributions) == 31


@pytest.mark.parametrize("number", [0, 7, 10**6])
def test_a_revision_the_document_does_not_have_is_not_found(story, number):
    document, _ = story
    with pytest.raises(NotFound):
        provenance(document, number)


def test_party_shares_count_words_per_party_with_non_aligned_together(story):
    document, _ = story
    shares = {share.party.slug if share.party else None: share.words for share in provenance(document).party_shares()}
    assert set(shares) == {"labour", "green", None}
    assert shares[None] == len("By the next general election".split())
    assert sum(shares.values()) == sum(passage.words for passage in provenance(document).passages)


# --- the page --------------------------------------------------------------------------------------------

def visitor(app):
    return app.test_client(use_cookies=False)


def test_the_page_links_each_passage_to_its_revision_coloured_by_party(app, story):
    document, number = story
    response = visitor(app).get(f"/documents/{document.slug}/provenance")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "style=" not in html
    assert 'href="/static/css/provenance.css' in html
    assert 'class="prov-text prov-text--by-party"' in html
    green_link = re.search(r'<a class="prov-span party-green[^"]*" href="/documents/fair-votes/revisions/3" '
                           r'title="([^"]*)" aria-describedby="prov-rev-3">([^<]*)</a>', html)
    assert green_link and "single" in green_link.group(2)
    assert green_link.group(1) == "Revision 3 by Ana Pérez (Green Party)"
    assert f'title="Revision 5 by Nico Nonaligned (non-aligned), amendment {number}"' in html
    assert re.search(r'class="prov-span prov-span--none[^"]*" href="/documents/fair-votes/revisions/5"', html)
    assert 'id="prov-rev-3"' in html  # the accessible description each passage points at
    assert f'href="/documents/fair-votes/amendments/{number}"' in html
    assert "Revisions contributing to this text" in html


def test_the_page_escapes_hostile_text(app, story):
    document, _ = story
    html = visitor(app).get(f"/documents/{document.slug}/provenance").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_legend_counts_words_per_party_or_per_revision(app, story):
    document, _ = story
    by_party = visitor(app).get(f"/documents/{document.slug}/provenance").get_data(as_text=True)
    legend = by_party[by_party.index('id="prov-legend-title"'):by_party.index('id="prov-contributors-title"')]
    assert "Green Party" in legend and "Labour" in legend and "Non-aligned" in legend
    assert re.search(r"Non-aligned</span>\s*<span class=\"prov-legend__count\">5 words", legend)
    by_revision = visitor(app).get(f"/documents/{document.slug}/provenance?colour=revision").get_data(as_text=True)
    assert 'class="prov-text prov-text--by-revision"' in by_revision
    legend = by_revision[by_revision.index('id="prov-legend-title"'):by_revision.index('id="prov-contributors-title"')]
    assert "Revision 3" in legend and "prov-shade-" in legend
    # The toggle: plain links, the current one marked.
    assert re.search(r'colour=revision"\s*aria-current="page">by revision', by_revision)
    assert re.search(r'colour=party">by party', by_revision)


def test_an_old_revision_has_its_own_page(app, story):
    document, _ = story
    response = visitor(app).get(f"/documents/{document.slug}/provenance?revision=2")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "single transferable" not in html and "Westminster" in html
    assert "public, max-age=" in response.headers["Cache-Control"]


@pytest.mark.parametrize("query, status", [("revision=7", 404), ("revision=0", 400), ("revision=abc", 400),
                                           ("revision=99999999999", 400), ("colour=rainbow", 400)])
def test_bad_requests_get_a_clear_answer(app, story, query, status):
    document, _ = story
    response = visitor(app).get(f"/documents/{document.slug}/provenance?{query}")
    assert response.status_code == status
    assert visitor(app).get("/documents/no-such-document/provenance").status_code == 404


def test_the_page_starts_no_session_and_is_kept_for_visitors(app, story, count_queries):
    document, _ = story
    url = f"/documents/{document.slug}/provenance"
    first = visitor(app).get(url)
    assert "Set-Cookie" not in first.headers and "ETag" in first.headers
    again: list = []
    assert count_queries(lambda: again.append(visitor(app).get(url))) == 1
    assert again[0].data == first.data


def test_the_document_page_links_to_who_wrote_what(app, story):
    document, _ = story
    html = visitor(app).get(f"/documents/{document.slug}").get_data(as_text=True)
    assert f'href="/documents/{document.slug}/provenance">Who wrote what</a>' in html

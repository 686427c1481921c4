"""The whoosh backend's own fast paths give what whoosh itself gives: the analyzer's tokens and postings, posting
lists read in bulk, BM25F ranking, snippet marks; and the spelling words it keeps apart from the entries."""
from __future__ import annotations

import random
import re
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import TEXT
from whoosh.support.charset import accent_map

from policyhub.search.backend import Entry
from policyhub.search.query import SearchQuery
from policyhub.search.whoosh_backend import (TITLE_BOOST, FoldedText, FoldingAnalyzer, WhooshBackend, _fold,
                                             _index_term, _Marker, _TOKEN)
from policyhub.search.whoosh_reading import read_postings

whoosh_only = pytest.mark.parametrize("search_backend", ["whoosh"], indirect=True)

PIECES = ["rail", "Railways", "railway.", "the", "and", "of", "é", "É", "Élections", "élection", "naïve", "ß", "æ",
          "ﬁne", "İ", "x*y", "e.g.", "a.b", "3.14", "..", ".", ",", "-", "_", "*", "'", '"', "y", "ties", "sky",
          "bling", "ating", "housing", "Houses", "hou", "policy", "policies"]
texts = st.lists(st.tuples(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)),
                           st.sampled_from(["", " ", "\n", ". ", "\t"])), max_size=40).map(
    lambda parts: "".join(part + gap for part, gap in parts))


def plain_chain():
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter()


def tokens(analyzer, text, **options):
    return [(token.text, getattr(token, "pos", None), token.boost) for token in analyzer(text, **options)]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_the_folding_analyzer_makes_the_tokens_of_whooshs_chain(text):
    plain, fast = plain_chain(), FoldingAnalyzer()
    for options in ({}, {"positions": True, "mode": "index", "boosts": True}, {"mode": "query"},
                    {"no_morph": True}, {"positions": True, "start_pos": 7}, {"chars": True, "positions": True}):
        assert tokens(fast, text, **options) == tokens(plain, text, **options)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_folded_text_indexes_the_postings_whoosh_would(text):
    for boost in (1.0, TITLE_BOOST):
        plain = TEXT(analyzer=plain_chain(), stored=True, field_boost=boost)
        fast = FoldedText(analyzer=FoldingAnalyzer(), stored=True, field_boost=boost)
        assert sorted(fast.index(text)) == sorted(plain.index(text))


def reference_spans(text, terms, prefixes):
    """Every token of ``text`` (whoosh's tokenizer pattern) whose index term is a query term, or which starts
    with a prefix (its term or its folded self): the marks, found the slow and obvious way."""
    found = []
    for match in _TOKEN.finditer(text):
        word, term = match.group(), _index_term(match.group())
        if term is not None and (term in terms or any(term.startswith(p) or _fold(word).startswith(p)
                                                      for p in prefixes)):
            found.append(match.span())
    return found


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_snippet_marks_are_the_matching_tokens(text, data):
    words = _TOKEN.findall(text) or ["rail"]
    terms = {term for word in data.draw(st.lists(st.sampled_from(words), max_size=3))
             if (term := _index_term(word)) is not None}
    prefixes = {_fold(word)[:data.draw(st.integers(1, 5))] for word in
                data.draw(st.lists(st.sampled_from(words), max_size=2))}
    for wanted_terms, wanted_prefixes in ((terms, set()), (set(), prefixes), (terms, prefixes)):
        assert _Marker(wanted_terms, wanted_prefixes).spans(text) == reference_spans(text, wanted_terms,
                                                                                     wanted_prefixes)


AREAS = ("Transport", "Energy", "Housing", "Health", "Economy", "Justice", "Water", "Food", "Culture", "Defence",
         "Science", "Sport")


def entry(n: int, body: str, title: str = "A paper") -> Entry:
    return Entry(key=f"document:{n}", kind="document", slug=f"paper-{n}", number=None, title=title, body=body,
                 policy_area=AREAS[n % len(AREAS)], status="draft", parties=(),
                 updated_at=datetime.fromtimestamp(1_700_000_000 + n, tz=timezone.utc))


@pytest.fixture
def corpus(tmp_path):
    """An index of 400 documents (posting lists of several blocks) in a few segments, some documents
    replaced (deleted in their first segment)."""
    rng = random.Random(11)
    words = "rail bus fare tram station ticket green energy wind solar homes rent council vote".split()

    def text():
        return " ".join(rng.choice(words) for _ in range(rng.randint(5, 60)))
    backend = WhooshBackend(tmp_path / "index")
    backend.rebuild([entry(n, text(), title=" ".join(rng.sample(words, 3))) for n in range(400)])
    for n in range(0, 400, 37):
        backend.index_document(entry(n, text()))
    backend.index_document(entry(400, "rail " * 30))
    yield backend
    backend.close()


def test_postings_read_in_bulk_are_those_whooshs_matcher_walks(corpus):
    searcher = corpus._searcher()
    assert len(searcher.leaf_searchers()) > 1
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        for term in ("rail", "station", "vote"):
            if ("body", term) not in reader:
                continue
            matcher = reader.postings("body", term)
            walked = []
            while matcher.is_active():
                walked.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            ids, weights, values = read_postings(reader.postings("body", term), values=True)
            assert list(zip(ids, weights, values)) == walked


@pytest.mark.parametrize("area", [None, "Energy"])  # all of a word's documents scored, or a few of them
def test_ranking_is_whooshs_bm25f_ranking(corpus, area, monkeypatch):
    from policyhub.search.whoosh_reading import ReadCache
    few = []
    some_scores = ReadCache._some_scores
    monkeypatch.setattr(ReadCache, "_some_scores", lambda self, *args: few.append(args) or some_scores(self, *args))
    searcher = corpus._searcher()
    for word in ("rail", "solar", "council"):
        ours = corpus.search(SearchQuery(text=word, area=area, per_page=100))
        theirs = searcher.search(wq.Or([wq.Term("title", word), wq.Term("body", word)]), limit=100,
                                 filter=wq.Term("area", area) if area else None)
        assert [hit.slug for hit in ours.hits] == [found["slug"] for found in theirs]
        assert ours.total == len(theirs)
    assert bool(few) == bool(area)


def test_a_phrase_matches_where_whoosh_finds_it(corpus):
    searcher = corpus._searcher()
    for words in (["rail", "bus"], ["green", "energy"], ["vote", "vote"], ["wind", "solar", "homes"]):
        stems = [_index_term(word) for word in words]
        theirs = {found["slug"] for field in ("title", "body")
                  for found in searcher.search(wq.Phrase(field, stems), limit=None)}
        ours = corpus.search(SearchQuery(text='"' + " ".join(words) + '"', per_page=100))
        assert theirs and ours.total == len(theirs) and {hit.slug for hit in ours.hits} == theirs


@whoosh_only
def test_words_an_edit_brings_are_suggested(member, make_document, edit_document, find):
    document = make_document(member, title="Energy", body="Solar panels on roofs.")
    assert find("solar").total == 1
    edit_document(member, document, "Geothermal heat from deep wells.")
    assert find("geothermal").total == 1
    assert find("geothremal").suggestion == "geothermal"


@whoosh_only
def test_the_spelling_words_are_no_entry(app, member, make_document, find):
    from policyhub.search import services
    make_document(member, title="Energy", body="Solar panels on roofs.")
    make_document(member, title="Transport", body="Buses every ten minutes.")
    services.rebuild()
    assert services.get_backend().doc_count() == 2
    everything = find("")
    assert everything.total == 2 and set(everything.facets["kind"]) == {"document"}
    assert find("pannels").suggestion == "panels"


def index_from_before(root, entries):
    """An index as the backend wrote it before: whoosh's analyzer chain, TEXT(spelling=True)."""
    from whoosh import index
    from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, Schema

    from policyhub.search.whoosh_backend import _fields
    schema = Schema(key=ID(unique=True, stored=True), kind=ID(stored=True, sortable=True), slug=ID(stored=True),
                    number=STORED(), title=TEXT(analyzer=plain_chain(), stored=True, field_boost=TITLE_BOOST,
                                                spelling=True),
                    body=TEXT(analyzer=plain_chain(), stored=True, spelling=True),
                    area=ID(stored=True, sortable=True), status=ID(stored=True, sortable=True),
                    party=KEYWORD(stored=True, commas=True, lowercase=True),
                    updated=NUMERIC(bits=64, stored=True, sortable=True, signed=False), document_title=STORED())
    (root / "gen-0").mkdir(parents=True)
    with index.create_in(str(root / "gen-0"), schema).writer() as writer:
        for item in entries:
            writer.add_document(**_fields(item))
    (root / "CURRENT").write_text("gen-0")


def test_an_index_from_before_keeps_working_until_rebuilt(tmp_path):
    """An index written before (whoosh's chain, its spelling fields) is read, updated and asked for
    suggestions as it was."""
    index_from_before(tmp_path / "index", [entry(1, "Solar panels on roofs."), entry(2, "Buses every ten minutes.")])
    backend = WhooshBackend(tmp_path / "index")
    assert backend.doc_count() == 2
    backend.index_document(entry(3, "Geothermal heat from deep wells."))
    assert backend.doc_count() == 3
    assert backend.search(SearchQuery(text="panels")).hits[0].snippet == "Solar <mark>panels</mark> on roofs."
    assert backend.search(SearchQuery(text="geothremal")).suggestion == "geothermal"
    assert re.search(r"<mark>Buses</mark>", backend.search(SearchQuery(text="buses")).hits[0].snippet)
    backend.close()

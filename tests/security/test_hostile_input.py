"""Hostile input: whatever people type reaches pages, feeds, the API and the logs as text. It never becomes
markup, a link to a script, a redirect to another site, a forged log line or a server error.

Each case states its exact safe outcome. The product decisions they pin (policyhub/validation.py and
policyhub/text/checks.py): bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are refused
in every field, since what is shown must be what is stored and endorsed; names, titles and other single-line
fields are stored in NFC and refuse characters that show nothing (zero-width space, word joiner, soft hyphen,
Hangul fillers, ...) and words that mix Latin, Cyrillic and Greek letters. Display names are not unique, so a
name that looks like another person's is refused only when it is such a mixed word; two people may share a
name, and pages always show a person with their party.
"""
from __future__ import annotations

import html
import io
import json
import logging
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest

from policyhub.errors import Invalid
from policyhub.extensions import db
from policyhub.text.rendering import render

SITE = "http://localhost/"


# --- Markdown --------------------------------------------------------------------------------------------

def _browser_scheme(href: str) -> str | None:
    """The scheme a browser would take from an href attribute (WHATWG URL parsing: entities decoded, tabs and
    newlines removed, leading and trailing controls and spaces stripped), or None for a relative URL."""
    url = re.sub(r"[\t\n\r]", "", html.unescape(href)).strip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    return match.group(1).lower() if match else None


# Each source and exactly what it renders to: raw HTML is shown as text, and a link or image whose URL is not
# http(s), mailto or relative is not made at all (its Markdown is shown as written).
MARKDOWN = [
    ("script tag", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
    ("onerror handler", "<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"),
    ("onclick handler", '<a href="https://ok.example" onclick="alert(1)">x</a>',
     '<p>&lt;a href="https://ok.example" onclick="alert(1)"&gt;x&lt;/a&gt;</p>\n'),
    ("javascript link", "[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("mixed-case javascript", "[x](JaVaScRiPt:alert(1))", "<p>[x](JaVaScRiPt:alert(1))</p>\n"),
    ("vbscript link", "[x](vbscript:msgbox(1))", "<p>[x](vbscript:msgbox(1))</p>\n"),
    ("data html link", "[x](data:text/html;base64,PHNjcmlwdD4=)",
     "<p>[x](data:text/html;base64,PHNjcmlwdD4=)</p>\n"),
    ("data image keeps no source", "![x](data:image/png;base64,iVBORw0KGgo=)", '<p><img alt="x"></p>\n'),
    ("javascript image", "![x](javascript:alert(1))", "<p>![x](javascript:alert(1))</p>\n"),
    ("decimal entity scheme", "[x](&#106;avascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("padded entity scheme", "[x](&#0000106;avascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("hex entity scheme", "[x](&#x6A;avascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("entity colon", "[x](javascript&colon;alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ("tab entity before scheme", "[x](&Tab;javascript:alert(1))", "<p>[x](\tjavascript:alert(1))</p>\n"),
    ("tab inside scheme", "[x](java\tscript:alert(1))", "<p>[x](java\tscript:alert(1))</p>\n"),
    ("newline inside scheme", "[x](<java\nscript:alert(1)>)", "<p>[x](&lt;java\nscript:alert(1)&gt;)</p>\n"),
    ("control before scheme", "[x](\x01javascript:alert(1))", "<p>[x](\x01javascript:alert(1))</p>\n"),
    ("autolink", "<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>\n"),
    ("reference definition", "[x]: javascript:alert(1)\n\n[y][x]",
     "<p>[x]: javascript:alert(1)</p>\n<p>[y][x]</p>\n"),
    ("raw html block", "<div>\n<script>x</script>\n</div>",
     "<p>&lt;div&gt;\n&lt;script&gt;x&lt;/script&gt;\n&lt;/div&gt;</p>\n"),
    ("svg", "<svg onload=alert(1)><circle/></svg>", "<p>&lt;svg onload=alert(1)&gt;&lt;circle/&gt;&lt;/svg&gt;</p>\n"),
    ("iframe", "<iframe src=//evil.example></iframe>", "<p>&lt;iframe src=//evil.example&gt;&lt;/iframe&gt;</p>\n"),
    ("style attribute", '<p style="color:red">x</p>', '<p>&lt;p style="color:red"&gt;x&lt;/p&gt;</p>\n'),
    ("style element", "<style>body{}</style>", "<p>&lt;style&gt;body{}&lt;/style&gt;</p>\n"),
    ("html comment", "<!-- x --><b>y</b>", "<p>&lt;!-- x --&gt;&lt;b&gt;y&lt;/b&gt;</p>\n"),
    ("quote out of an image title", '![a](/static/a.png "t\\" onerror=alert(1)")',
     '<p><img src="/static/a.png" alt="a" title="t&quot; onerror=alert(1)"></p>\n'),
    ("quote out of a link", '[a](https://ok.example/"onmouseover=alert(1))',
     '<p><a href="https://ok.example/%22onmouseover=alert(1)" rel="nofollow noopener">a</a></p>\n'),
    ("html in a table cell", "| a |\n|:-:|\n| <b onclick=x>b</b> |",
     '<table>\n<thead>\n<tr>\n<th class="align-center">a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n'
     '<td class="align-center">&lt;b onclick=x&gt;b&lt;/b&gt;</td>\n</tr>\n</tbody>\n</table>\n'),
    ("fenced code", "```\n<script>alert(1)</script>\n```",
     "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>\n"),
]


@pytest.mark.parametrize("source, expected", [case[1:] for case in MARKDOWN], ids=[case[0] for case in MARKDOWN])
def test_hostile_markdown_renders_as_text(source: str, expected: str) -> None:
    assert render(source).html == expected


# Links that survive only as relative URLs: a browser finds no scheme in them, so they stay on this site.
@pytest.mark.parametrize("source, href", [
    ("[x](java&#x09;script:alert(1))", "java%09script:alert(1)"),
    ("[x](%6Aavascript:alert(1))", "%6Aavascript:alert(1)"),
    ("[x](\\javascript:alert(1))", "%5Cjavascript:alert(1)"),
    ("[x](java\u00adscript:alert(1))", "java%C2%ADscript:alert(1)"),
], ids=["encoded tab", "encoded letter", "backslash", "soft hyphen"])
def test_obfuscated_schemes_become_relative_links(source: str, href: str) -> None:
    assert render(source).html == f'<p><a href="{href}" rel="nofollow noopener">x</a></p>\n'
    assert _browser_scheme(href) is None


# --- a world of hostile text -----------------------------------------------------------------------------

FIELDS = ("title", "name", "party", "summary", "amendment", "rationale", "comment", "statement", "note", "area",
          "amendment body")


def payload(field: str) -> str:
    """What a hostile person typed into ``field``: markup that would run a script if it were not escaped."""
    return f"<img src=x onerror=alert({FIELDS.index(field) + 1})>"


def shown(field: str) -> str:
    """The same text as it must appear in HTML and XML: escaped."""
    return f"&lt;img src=x onerror=alert({FIELDS.index(field) + 1})&gt;"


@pytest.fixture
def hostile(app, make_party, make_user, make_document, labour):
    """A document, a party, a lead, amendments, a comment, a rejection and endorsements, every text field of
    them hostile (see ``payload``); a watcher who was told about all of it; an administrator."""
    from policyhub.amendments import services as amendments
    from policyhub.documents import services as documents
    from policyhub.endorsements import services as endorsements
    from policyhub.notifications import services as notifications
    from policyhub.search import services as search

    evil = make_party("evil", payload("party"), "#123456")
    lead = make_user(payload("name"), party=evil, role="lead")
    other_lead = make_user("Olive Lead", party=labour, role="lead")
    watcher = make_user("Wendy Watcher", party=labour)
    admin = make_user("Ada Admin", admin=True)
    document = make_document(watcher, title="Fair votes", slug="hostile", policy_area=payload("area"),
                             body="# Fair votes\n\nVotes <script>alert('old')</script> for all.\n")
    notifications.watch(watcher, document)
    second = "# Fair votes\n\nVotes <script>alert('new')</script> for all.\n\nMore words about votes.\n"
    documents.save_revision(lead, document, body=second, base_number=1, title=payload("title"),
                            summary=payload("summary"))
    amendment = amendments.propose_amendment(
        lead, document, title=payload("amendment"), rationale=payload("rationale"), base_number=2,
        body=second + f"\n{payload('amendment body')}\n")
    amendments.add_comment(lead, amendment, payload("comment"))
    rejected = amendments.propose_amendment(lead, document, title="Second thoughts", rationale="Why not.",
                                            body=second + "\nA second paragraph.\n", base_number=2)
    amendments.reject_amendment(other_lead, rejected, payload("note"))
    endorsements.endorse(lead, document, statement=payload("statement"))
    endorsements.endorse(other_lead, document, statement="Labour agrees.")
    search.apply_pending_jobs(include_delayed=True)
    return SimpleNamespace(document=document, lead=lead, watcher=watcher, admin=admin, party=evil)


# Every page that shows people's text, and the hostile fields each shows (escaped).
PAGES = {
    "/documents/hostile": {"title", "name", "party", "summary", "amendment", "statement", "area"},
    "/documents/hostile/history": {"title", "name", "summary", "area"},
    "/documents/hostile/revisions/2": {"title", "name", "summary"},
    "/documents/hostile/diff?from=1&to=2": {"title", "summary"},
    "/documents/hostile/edit": {"title", "area"},
    "/documents/hostile/amendments": {"title", "name", "amendment"},
    "/documents/hostile/amendments/1": {"title", "name", "amendment", "rationale", "comment", "amendment body"},
    "/documents/hostile/amendments/2": {"note"},
    "/documents/hostile/endorsements": {"name", "party", "statement"},
    "/amendments": {"title", "name", "amendment"},
    "/agenda": {"title", "party", "area"},
    "/agenda/agreed": {"title", "name", "party", "statement", "area"},
    "/": {"title", "party", "area"},
    "/search?q=votes": {"title", "amendment", "rationale", "area"},
    "/notifications": {"title", "name", "amendment"},
    "/parties/evil": {"name", "party"},
    "/admin/audit": {"title", "name", "party", "amendment", "note"},
}


@pytest.mark.parametrize("page", list(PAGES))
def test_hostile_fields_are_shown_escaped_on_every_page(client, hostile, login, page):
    login(client, hostile.admin if page.startswith("/admin") else hostile.watcher)
    response = client.get(page)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert {field for field in PAGES[page] if shown(field) in text} == PAGES[page]
    assert "<img" not in text and "<script>alert" not in text


def test_edit_form_keeps_a_title_that_breaks_out_of_its_attribute_as_text(client, member, make_document, login):
    make_document(member, title='" autofocus onfocus="alert(1)', slug="quoted")
    login(client, member)
    text = client.get("/documents/quoted/edit").get_data(as_text=True)
    assert 'value="&#34; autofocus onfocus=&#34;alert(1)"' in text
    assert 'onfocus="alert' not in text


OLD_PARAGRAPH = "Votes &lt;script&gt;alert(&#39;old&#39;)&lt;/script&gt; for all."
NEW_PARAGRAPH = "Votes &lt;script&gt;alert(&#39;new&#39;)&lt;/script&gt; for all."


def _without(text: str, element: str) -> str:
    """``text`` without the ``element`` (ins or del) elements and what they hold."""
    return re.sub(rf"<{element}\b[^>]*>.*?</{element}>", "", text, flags=re.S)


def _untagged(text: str) -> str:
    return re.sub(r"</?(?:ins|del)\b[^>]*>", "", text)


def test_a_diff_shows_hostile_text_of_both_revisions_escaped_inline(client, hostile):
    page = client.get("/documents/hostile/diff?from=1&to=2").get_data(as_text=True)
    [inline] = re.findall(r'<div class="diff-inline"[^>]*>(.*?)</div>', page, flags=re.S)
    assert OLD_PARAGRAPH in _untagged(_without(inline, "ins"))  # the old revision, read from the diff
    assert NEW_PARAGRAPH in _untagged(_without(inline, "del"))  # the new one
    assert "<script>alert" not in page


def test_a_diff_shows_hostile_text_of_both_revisions_escaped_side_by_side(client, hostile):
    page = client.get("/documents/hostile/diff?from=1&to=2&view=side").get_data(as_text=True)
    side_by_side = _untagged(page[page.index('<div class="sbs"'):])
    assert OLD_PARAGRAPH in side_by_side and NEW_PARAGRAPH in side_by_side
    assert "<script>alert" not in page


def test_the_api_returns_hostile_text_as_data_and_only_sanitised_html(client, hostile):
    response = client.get("/api/v1/documents/hostile")
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert (document["title"], document["policy_area"]) == (payload("title"), payload("area"))
    assert document["endorsements"][0]["endorsed_by"]["name"] == payload("name")
    assert re.search(r"<p( id=\"c-[0-9a-z]+\" data-clause=\"[0-9a-z]+\" data-line=\"[0-9]+\")?>"
                     r"Votes &lt;script&gt;alert\('new'\)&lt;/script&gt; for all.</p>", document["html"])
    assert "<script" not in document["html"]


FEEDS = {
    "/feeds/changes.atom": ("title", "name", "party", "summary", "area"),
    "/documents/hostile/changes.atom": ("title", "name", "party", "summary", "area"),
    "/parties/evil/endorsements.atom": ("title", "name", "party", "statement", "area"),
}


@pytest.mark.parametrize("feed", list(FEEDS))
def test_feeds_stay_well_formed_and_carry_hostile_text_as_text(client, hostile, feed):
    response = client.get(feed)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    assert b"<img" not in response.data
    root = ET.fromstring(response.data)  # well-formed, or this raises
    atom = "{http://www.w3.org/2005/Atom}"
    texts = [element.text or "" for element in root.iter()]
    texts += [element.get("term", "") for element in root.iter(f"{atom}category")]
    for field in FEEDS[feed]:  # read back exactly as typed, neither lost nor escaped twice
        assert any(payload(field) in text for text in texts), field


def test_the_agreed_agenda_download_escapes_names_and_titles_as_markdown(client, hostile):
    response = client.get("/agenda/agreed.md")
    assert response.mimetype == "text/markdown"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.get_data(as_text=True)
    assert "## \\<img src=x onerror=alert(1)\\>" in text  # Markdown's escapes: the title is text
    rendered = render(text).html
    assert "<img" not in rendered and shown("title") in rendered and shown("party") in rendered


# --- search ----------------------------------------------------------------------------------------------

@pytest.fixture
def searchable(app, make_user, make_document, labour):
    from policyhub.search import services as search

    member = make_user("Sam Searcher", party=labour)
    make_document(member, title="Fair votes", slug="fair",
                  body="# Fair votes\n\nFair votes for <b>everyone</b> & all, \"quoted\" 'single'.\n")
    search.apply_pending_jobs(include_delayed=True)
    return member


SNIPPET = ("Fair votes Fair votes for &lt;b&gt;<mark>everyone</mark>&lt;/b&gt; &amp; all, "
           "&quot;quoted&quot; &#x27;single&#x27;.")


@pytest.mark.parametrize("backend", ["whoosh", "postgres"])
def test_snippets_escape_the_document_but_keep_the_marks(searchable, make_app, postgres_url, backend):
    if backend == "postgres" and postgres_url is None:
        pytest.skip("the postgres search backend needs PostgreSQL: set POLICYHUB_TEST_DATABASE_URL")
    from policyhub.search import services as search

    other = make_app(SEARCH_BACKEND=backend)
    with other.app_context():
        search.apply_pending_jobs(include_delayed=True)
    client = other.test_client()
    [hit] = client.get("/api/v1/search?q=everyone").get_json()["results"]
    assert hit["snippet"] == SNIPPET
    page = client.get("/search?q=everyone").get_data(as_text=True)
    assert f'<p class="search-hit__snippet">{SNIPPET}</p>' in page


# What each query finds in the one document above, and the note that comes back: whoosh's own syntax
# (fields, boolean words, ranges, fuzziness, boosts) is read as plain words and never reaches the index.
QUERIES = [
    ("<b>everyone</b>", 1, None),
    ("<mark>votes</mark>", 0, None),
    ("title:(votes OR x) AND NOT y", 1, None),
    ("votes~2", 1, None),
    ("votes^10", 0, None),
    ("[a TO z]", 0, "Nothing to search for: try some words from the text you are looking for."),
    ("(((", 0, "Nothing to search for: try some words from the text you are looking for."),
    ("x" * 10_000, 0, "Your search was longer than 200 characters; only the start was used."),
]


@pytest.mark.parametrize("query, total, message", QUERIES,
                         ids=["html", "mark", "boolean", "fuzzy", "boost", "range", "brackets", "10k characters"])
def test_hostile_queries_are_read_as_words(client, searchable, query, total, message):
    response = client.get(f"/api/v1/search?q={quote(query)}")
    assert response.status_code == 200
    answer = response.get_json()
    assert (answer["total"], answer["message"]) == (total, message)
    assert answer["query"] == query  # as read, whole: only the search itself is cut


def test_a_query_with_html_is_echoed_escaped_on_the_search_page(client, searchable):
    text = client.get("/search?q=" + quote("<script>alert(1)</script>")).get_data(as_text=True)
    assert '<title>Search: &lt;script&gt;alert(1)&lt;/script&gt; · PolicyHub</title>' in text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in text
    assert "<script>alert" not in text


@pytest.mark.parametrize("address", ["/search?q=vo%00tes", "/api/v1/search?q=vo%00tes"])
def test_a_nul_in_a_query_is_a_400(client, searchable, address):
    response = client.get(address)
    assert response.status_code == 400
    if address.startswith("/api/"):
        assert response.get_json() == {
            "error": "bad_request",
            "message": "The parameter 'q' contains the control character U+0000 (NUL); remove it and try again."}


# --- addresses -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "/documents/..%2F..%2Fetc%2Fpasswd", "/documents/%2e%2e", "/documents/a%2Fb", "/documents/" + "a" * 5000,
    "/documents/%00", "/documents/hostile%00", "/documents/%ff", "/documents/hostile/revisions/99999999999999999999",
    "/documents/hostile/amendments/99999999999999999999", "/static/..%2F..%2Fpolicyhub%2Fconfig.py",
    "/parties/%00/endorsements.atom",
], ids=["traversal", "dot-dot", "encoded slash", "overlong", "nul", "trailing nul", "bad utf-8", "huge revision",
        "huge amendment", "static traversal", "nul party"])
def test_hostile_page_addresses_are_404(client, hostile, address):
    assert client.get(address).status_code == 404


@pytest.mark.parametrize("address", [
    "/api/v1/documents/..%2F..%2F", "/api/v1/documents/%00", "/api/v1/documents/" + "a" * 5000,
    "/api/v1/documents/hostile/revisions/99999999999999999999",
    "/api/v1/documents/hostile/amendments/99999999999999999999",
    "/api/v1/documents/hostile/endorsements/%00",
], ids=["traversal", "nul", "overlong", "huge revision", "huge amendment", "nul party"])
def test_hostile_api_addresses_are_a_json_404(client, hostile, address):
    method = "DELETE" if address.endswith("/endorsements/%00") else "GET"
    response = client.open(address, method=method)
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_a_huge_amendment_number_is_404_for_each_method_of_the_address(client, hostile, token_for, method):
    # Not 405: werkzeug answers 405 when a bound on a route's number fails and another method's route matched.
    response = client.open("/api/v1/documents/hostile/amendments/99999999999999999999/support", method=method,
                           headers=token_for(hostile.lead))
    assert response.status_code == 404


# Where a sign-in sends a person next: a path on this site as given, anything else the home page.
NEXT = [
    ("//evil.example", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("https:evil.example", "/"),
    ("https://evil.example", "/"),
    ("%2F%2Fevil.example", "/"),
    ("/\t/evil.example", "/"),
    ("/\n/evil.example", "/"),
    (" //evil.example", "/"),
    ("/%5Cevil.example", "/%5Cevil.example"),  # a path here: browsers do not decode %5C into a backslash
    ("/%2F/evil.example", "/%2F/evil.example"),  # a path here too
    ("/documents/fair", "/documents/fair"),
]


@pytest.mark.parametrize("target, location", NEXT, ids=[target for target, _ in NEXT])
def test_sign_in_never_redirects_to_another_site(client, member, target, location):
    response = client.post("/login", data={"email": member.email, "next": target,
                                           "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert response.headers["Location"] == location
    assert urlsplit(urljoin(SITE, location.replace("\\", "/"))).netloc == "localhost"


def test_marking_notifications_read_never_redirects_to_another_site(client, member, login):
    login(client, member)
    response = client.post("/notifications/read-all?next=" + quote("//evil.example"))
    assert (response.status_code, response.headers["Location"]) == (302, "/notifications")


# --- names and titles: text direction, invisible characters, look-alikes --------------------------------

def _refusal(call: Any, field: str) -> str:
    """What the refusal of ``call`` says about ``field``."""
    with pytest.raises(Invalid) as caught:
        call()
    return caught.value.fields[field]


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u202d", "\u2066", "\u2067", "\u2069"])
def test_bidi_controls_are_refused_in_display_names(make_user, char):
    assert f"U+{ord(char):04X}" in _refusal(lambda: make_user(f"Ada{char}nomis"), "name")


def test_bidi_controls_are_refused_in_party_names(make_party):
    refusal = _refusal(lambda: make_party("spoof", "Labour\u202e ruobaL"), "name")
    assert "the text-direction control U+202E" in refusal


@pytest.mark.parametrize("field, data", [
    ("title", {"title": "Fair \u202esetov", "body": "Text.", "policy_area": "Votes"}),
    ("body", {"title": "Fair votes", "body": "We \u2067oppose\u2069 PR.", "policy_area": "Votes"}),
    ("title", {"title": "Fair\u200bvotes", "body": "Text.", "policy_area": "Votes"}),
    ("title", {"title": "Fair v\u03bftes", "body": "Text.", "policy_area": "Votes"}),
    ("policy_area", {"title": "Fair votes", "body": "Text.", "policy_area": "\u3164"}),
], ids=["bidi title", "bidi body", "zero-width title", "greek omicron", "hangul filler area"])
def test_hostile_unicode_in_a_new_document_is_a_422_naming_the_field(client, member, token_for, field, data):
    response = client.post("/api/v1/documents", json=data, headers=token_for(member))
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {field}


@pytest.mark.parametrize("name, says", [
    ("R\u0430chel Reeves", "mixes Latin and Cyrillic letters in the word 'R\u0430chel'"),
    ("Ra\u200bchel", "the invisible character U+200B (ZERO WIDTH SPACE)"),
    ("Rachel\u2060", "the invisible character U+2060 (WORD JOINER)"),
    ("\u3164", "the invisible character U+3164 (HANGUL FILLER)"),
    ("\u2800", "the invisible character U+2800 (BRAILLE PATTERN BLANK)"),
], ids=["cyrillic a", "zero-width space", "word joiner", "hangul filler", "braille blank"])
def test_display_names_that_only_look_like_others_are_refused(make_user, name, says):
    assert says in _refusal(lambda: make_user(name), "name")


@pytest.mark.parametrize("name", ["Мария Иванова", "Γιάννης Παπαδόπουλος", "שירה\u200f (Shira)", "Ada 👩\u200d💻",
                                  "Ngozi Okonjo-Iweala", "Zoë O'Brien"])
def test_names_in_one_alphabet_each_are_welcome(make_user, name):
    assert make_user(name).name == name


def test_two_people_may_share_a_name_as_in_life(make_user):
    assert make_user("Rachel Reeves").name == make_user("Rachel Reeves").name


def test_single_line_fields_are_stored_in_nfc(member, make_document):
    document = make_document(member, title="Cafe\u0301 culture", slug="cafe")
    assert document.title == "Caf\u00e9 culture"


def test_a_statement_may_use_zero_width_characters_but_not_bidi_controls(client, hostile, token_for):
    headers = token_for(hostile.lead)
    refused = client.post("/api/v1/documents/hostile/endorsements", json={"statement": "Yes \u202eon"},
                          headers=headers)
    assert (refused.status_code, set(refused.get_json()["fields"])) == (422, {"statement"})
    allowed = client.post("/api/v1/documents/hostile/endorsements", json={"statement": "ใช่\u200bครับ"},
                          headers=headers)
    assert (allowed.status_code, allowed.get_json()["statement"]) == (201, "ใช่\u200bครับ")


# --- API bodies ------------------------------------------------------------------------------------------

NEW = {"title": "Fair votes", "body": "Text.", "policy_area": "Votes"}


@pytest.mark.parametrize("body, content_type, message", [
    (b"{", "application/json",
     "The body is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2."),
    (b"[]", "application/json", "The body must be a JSON object."),
    (b'{"title": 5, "body": "x", "policy_area": "y"}', "application/json", "'title' must be a string."),
    (b'{"title": {"$ne": null}, "body": "x", "policy_area": "y"}', "application/json", "'title' must be a string."),
    (b'{"title": ["a"], "body": "x", "policy_area": "y"}', "application/json", "'title' must be a string."),
    (b'{"title": "a", "title": "b", "body": "x", "policy_area": "y"}', "application/json",
     "The key 'title' appears more than once in the JSON body."),
    (b"[" * 100_000, "application/json", "The body is nested too deeply."),
    (b'{"title": NaN}', "application/json", "NaN is not valid JSON."),
    (b'{"title": "\xff"}', "application/json", "The body is not valid UTF-8 (byte 11)."),
    (json.dumps(NEW).encode(), "text/plain", "Send the body as JSON with 'Content-Type: application/json'."),
    (b"title=a&body=b", "application/x-www-form-urlencoded",
     "Send the body as JSON with 'Content-Type: application/json'."),
], ids=["truncated", "array", "number", "operator object", "list", "duplicate key", "deep nesting", "NaN",
        "bad utf-8", "text/plain", "form"])
def test_malformed_api_bodies_are_a_400_in_the_error_shape(client, member, token_for, body, content_type, message):
    response = client.post("/api/v1/documents", data=body,
                           headers={**token_for(member), "Content-Type": content_type})
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad_request", "message": message}


def test_an_oversized_api_body_is_a_413_in_the_error_shape(client, member, token_for):
    response = client.post("/api/v1/documents", json={**NEW, "body": "x" * 2_000_000}, headers=token_for(member))
    assert response.status_code == 413
    assert response.get_json() == {"error": "too_large",
                                   "message": "What you sent is too large (requests are limited to 1 MB)."}


@pytest.mark.parametrize("base, status", [(10**30, 422), (-1, 422), (1.0, 400), (True, 400), ("2", 400)])
def test_revision_numbers_of_the_wrong_kind_or_size_are_refused(client, hostile, token_for, base, status):
    response = client.put("/api/v1/documents/hostile", json={"body": "New text.", "base_revision": base},
                          headers=token_for(hostile.lead))
    assert response.status_code == status
    assert response.get_json()["error"] == ("invalid" if status == 422 else "bad_request")


# --- repeated parameters ---------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["/api/v1/documents?page=1&page=2", "/api/v1/search?q=a&q=b",
                                     "/api/v1/agenda?x=1&x=2"])
def test_a_repeated_api_parameter_is_a_json_400(client, address):
    response = client.get(address)
    assert response.status_code == 400
    name = address.split("?")[1].split("=")[0]
    assert response.get_json() == {"error": "bad_request",
                                   "message": f"The parameter '{name}' was given more than once."}


@pytest.mark.parametrize("address", ["/?page=1&page=2", "/search?q=a&q=b", "/documents/hostile/diff?from=1&from=2",
                                     "/?page=1e3", "/?page=-1", "/?page=\u0663"])
def test_repeated_or_malformed_page_parameters_are_a_400(client, hostile, address):
    assert client.get(address).status_code == 400


def test_a_repeated_form_field_is_a_400_and_saves_nothing(client, hostile, login):
    from policyhub.amendments.models import Comment

    login(client, hostile.lead)
    before = db.session.query(Comment).count()
    response = client.post("/documents/hostile/amendments/1/comments", data="body=first&body=second",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert db.session.query(Comment).count() == before


# --- logs ------------------------------------------------------------------------------------------------

@pytest.fixture
def log_output():
    """What the request logger writes, formatted as in production (one message a line)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("policyhub.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


FORGED = '{"method":"GET","path":"/admin","status":200}'


@pytest.mark.parametrize("address, path, request_kwargs", [
    ("/documents/a%0D%0A" + quote(FORGED), f"/documents/a\r\n{FORGED}", {}),
    ("/", "/", {"environ_overrides": {"HTTP_USER_AGENT": f"x\r\n{FORGED}"}}),
    ("/", "/", {"environ_overrides": {"HTTP_X_REQUEST_ID": f"abcdefgh12\r\n{FORGED}"}}),
    ("/api/v1/documents", "/api/v1/documents",
     {"method": "POST", "json": {**NEW, "title": f"a\r\n{FORGED}", "summary": f"b\n{FORGED}"}}),
], ids=["path", "user agent", "request id", "fields"])
def test_a_line_break_in_a_request_never_forges_a_log_line(client, member, token_for, log_output, address, path,
                                                           request_kwargs):
    response = client.open(address, headers=token_for(member), **request_kwargs)
    lines = log_output.getvalue().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert (line["path"], line["status"]) == (path, response.status_code)
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])  # the incoming id was not safe to echo


# --- NUL where PostgreSQL would choke --------------------------------------------------------------------

@pytest.mark.parametrize("address", ["/?area=%00", "/agenda?area=%00", "/api/v1/documents?area=%00",
                                     "/api/v1/agenda?area=%00", "/documents/hostile/diff?%00=1"])
def test_a_nul_in_a_parameter_is_a_400(client, hostile, address):
    assert client.get(address).status_code == 400


def test_a_nul_in_the_sign_in_email_is_a_failed_sign_in(client, member):
    response = client.post("/login", data={"email": f"{member.email}\x00", "password": "correct horse battery staple"})
    assert response.status_code == 401

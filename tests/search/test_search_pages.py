"""The search page (/search) and the search box in every page's header, through the test client."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
HEADER_FORM = re.compile(r'<form class="site-search" method="get" action="/search" role="search"[^>]*>(.*?)</form>',
                         re.DOTALL)


def html_of(response, status: int = 200) -> str:
    """The page, after checking its status and the CSP rules (no inline styles or scripts)."""
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    html = response.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(html) and not STYLE_ATTRIBUTE.search(html) and "<style" not in html
    return html


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def hit_titles(html: str) -> list[str]:
    return [unescape(title) for title in re.findall(r'<h3 class="search-hit__title"><a href="[^"]*">(.*?)</a>', html)]


def links(html: str, pattern: str) -> list[str]:
    """The hrefs (unescaped) of links whose text matches ``pattern``."""
    found = []
    for href, inner in re.findall(r'<a[^>]*href="([^"]*)"[^>]*>(.*?)</a>', html, re.DOTALL):
        if re.search(pattern, text_of(inner)):
            found.append(unescape(href))
    return found


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


@pytest.fixture
def index_now(app):
    """Apply the queued index jobs now (the engine does so after each commit in production)."""
    from policyhub.search import services

    def run() -> None:
        services.apply_pending_jobs()
    return run


@pytest.fixture
def author(make_user, labour):
    return make_user("Ava Author", party=labour)


@pytest.fixture
def labour_lead(make_user, labour):
    return make_user("Lena Lead", party=labour, role="lead")


# --- the header box --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/parties", "/agenda", "/login", "/register", "/amendments"])
def test_every_page_header_has_a_labelled_get_search_box(client, path):
    html = html_of(client.get(path))
    header = html.split("</header>", 1)[0]
    form = HEADER_FORM.search(header)
    assert form, "no search form in the header"
    assert 'aria-label="Site"' in form.group(0)
    assert re.search(r'<label[^>]*for="site-search-q"[^>]*>[^<]+</label>', form.group(1))
    assert re.search(r'<input[^>]*id="site-search-q"[^>]*type="search"[^>]*name="q"', form.group(1))
    assert "search.css" in html


def test_the_header_box_is_there_for_signed_in_people_too(client, login, author, make_document):
    document = make_document(author)
    login(client, author)
    html = html_of(client.get(f"/documents/{document.slug}"))
    assert HEADER_FORM.search(html.split("</header>", 1)[0])


# --- starting state --------------------------------------------------------------------------------------

def test_an_empty_search_offers_the_policy_areas_and_the_tips(client, author, make_document):
    make_document(author, title="Homes for all", policy_area="Housing")
    make_document(author, title="Fair votes", policy_area="Democratic reform")
    html = html_of(client.get("/search"))
    area_links = links(html, r"^ ?(Housing|Democratic reform) ?$")
    assert {params(href)["area"][0] for href in area_links} == {"Housing", "Democratic reform"}
    assert all(params(href)["type"] == ["document"] for href in area_links)
    assert re.search(r"<details class=\"search-tips\">\s*<summary[^>]*>Search tips</summary>", html)
    tips = html.split('<details class="search-tips">', 1)[1].split("</details>", 1)[0]
    assert "title:" in tips and "clim*" in tips and '"proportional representation"' in tips
    assert not hit_titles(html)


# --- results ---------------------------------------------------------------------------------------------

def test_results_show_title_type_highlighted_snippet_endorsements_and_update(
        client, author, labour_lead, make_document, index_now):
    from policyhub.endorsements.services import endorse

    document = make_document(author, title="Fair votes", body="Elect the Commons by proportional representation.")
    endorse(labour_lead, document)
    make_document(author, title="Homes for all", body="Build council houses.", policy_area="Housing")
    index_now()
    html = html_of(client.get("/search?q=proportional"))
    assert hit_titles(html) == ["Fair votes"]
    hit = html.split('<li class="search-hit', 1)[1].split("</li>", 1)[0]
    assert f'href="/documents/{document.slug}"' in hit
    assert "Document" in text_of(hit)
    assert re.search(r"<mark>proportional</mark>", hit, re.IGNORECASE)
    assert "party-badge party-labour" in hit and "Labour" in text_of(hit)
    assert "Updated" in text_of(hit) and "<time datetime=" in hit
    assert "1 result for “proportional”" in text_of(html)


def test_amendments_are_found_and_labelled_with_their_number(client, author, make_user, make_document, index_now):
    from policyhub.amendments.services import propose_amendment

    document = make_document(author, title="Fair votes", body="Elect the Commons fairly.\n")
    proposer = make_user("Pat Proposer")
    amendment = propose_amendment(proposer, document, title="Add a citizens' assembly",
                                  rationale="A citizens' assembly should choose the system.",
                                  body="Elect the Commons fairly, as a citizens' assembly decides.\n", base_number=1)
    index_now()
    html = html_of(client.get("/search?q=assembly"))
    hit = html.split('<li class="search-hit search-hit--amendment"', 1)[1].split("</li>", 1)[0]
    assert f"Amendment #{amendment.number}" in text_of(hit)
    assert f'href="/documents/{document.slug}/amendments/{amendment.number}"' in hit
    assert "Open" in text_of(hit)


def test_hostile_titles_and_bodies_never_reach_the_page_unescaped(client, author, make_document, index_now):
    make_document(author, title="<script>alert('t')</script> Votes",
                  body="Votes <script>alert('b')</script> and <img src=x onerror=alert(1)> votes\n")
    index_now()
    for query in ("votes", "script", "title:votes", "alert"):
        html = html_of(client.get(f"/search?q={query}"))  # html_of refuses any inline <script>
        assert "<img" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
        assert "&lt;script&gt;" in html, query
    # The query itself is echoed escaped too, in the box, the heading and the title.
    html = html_of(client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_engines_message_is_shown(client, author, make_document, index_now):
    make_document(author, title="Fair votes")
    index_now()
    html = html_of(client.get("/search?q=" + "votes+" * 60))
    message = re.search(r'<p class="notice notice--warning search-message" role="status">(.*?)</p>', html, re.DOTALL)
    assert message and "200" in text_of(message.group(1))


def test_nothing_found_says_so(client, author, make_document, index_now):
    make_document(author, title="Fair votes")
    index_now()
    html = html_of(client.get("/search?q=zeppelin"))
    assert "0 results" in text_of(html) and "Nothing found" in text_of(html)
    assert not hit_titles(html)


# --- facets, filters, sort -------------------------------------------------------------------------------

@pytest.fixture
def corpus(author, labour_lead, make_user, make_document, index_now):
    """Three documents about energy in two areas (one endorsed by Labour, one in consultation) and an
    amendment about energy."""
    from policyhub.amendments.services import propose_amendment
    from policyhub.endorsements.services import endorse

    wind = make_document(author, title="Wind power", body="Energy from offshore wind.\n", policy_area="Climate")
    solar = make_document(author, title="Solar roofs", body="Energy from solar roofs.\n", policy_area="Climate",
                          status="consultation")
    bills = make_document(author, title="Fair bills", body="Energy bills capped.\n", policy_area="Cost of living")
    endorse(labour_lead, wind)
    propose_amendment(make_user("Pat Proposer"), bills, title="Cap energy prices", rationale="Energy is costly.",
                      body="Energy bills capped by law.\n", base_number=1)
    index_now()
    return {"wind": wind, "solar": solar, "bills": bills}


def facet_links(html: str, name: str) -> dict[str, str]:
    """Facet value label -> href, for the facet group headed ``name``."""
    group = re.search(rf'<h2 class="facet__title" id="facet-\w+">{name}</h2>(.*?)</ul>', html, re.DOTALL)
    assert group, f"no facet group {name}"
    found = {}
    for href, inner in re.findall(r'<a class="facet__link[^"]*" href="([^"]*)"[^>]*>(.*?)</a>', group.group(1),
                                  re.DOTALL):
        label = re.sub(r"\s*\d+ results?.*$", "", text_of(inner)).strip()
        found[label] = unescape(href)
    return found


def test_facets_count_and_narrow_the_results(client, corpus):
    html = html_of(client.get("/search?q=energy"))
    assert len(hit_titles(html)) == 4
    areas = facet_links(html, "Policy area")
    assert set(areas) == {"Climate", "Cost of living"}
    assert re.search(r'Climate</span>\s*<span class="facet__count">2<', html)
    narrowed = html_of(client.get(areas["Climate"]))
    assert sorted(hit_titles(narrowed)) == ["Solar roofs", "Wind power"]
    assert params(areas["Climate"]) == {"q": ["energy"], "area": ["Climate"]}

    types = facet_links(html, "Type")
    assert hit_titles(html_of(client.get(types["Amendments"]))) == ["Cap energy prices"]
    statuses = facet_links(html, "Status")
    assert hit_titles(html_of(client.get(statuses["In consultation"]))) == ["Solar roofs"]
    parties = facet_links(html, "Endorsed by")
    assert hit_titles(html_of(client.get(parties["Labour"]))) == ["Wind power"]


def test_applied_filters_are_shown_and_removable(client, corpus):
    html = html_of(client.get("/search?q=energy&area=Climate&type=document"))
    applied = re.findall(r'<a class="search-filter" href="([^"]*)">(.*?)</a>', html, re.DOTALL)
    labels = {text_of(inner).split(" ×")[0].strip(): unescape(href) for href, inner in applied}
    assert set(labels) == {"Type: Documents", "Policy area: Climate"}
    assert params(labels["Policy area: Climate"]) == {"q": ["energy"], "type": ["document"]}
    widened = html_of(client.get(labels["Policy area: Climate"]))
    assert "Fair bills" in hit_titles(widened)
    # The applied facet values are marked, and each one's link removes that filter only.
    active = [params(unescape(href)) for href in
              re.findall(r'<a class="facet__link is-active" href="([^"]*)" aria-current="true">', html)]
    assert sorted(sorted(found) for found in active) == [["area", "q"], ["q", "type"]]
    # A new query from the box keeps the filters.
    assert '<input type="hidden" name="area" value="Climate">' in html


def test_browsing_an_area_without_a_query_lists_its_documents(client, corpus):
    html = html_of(client.get("/search?type=document&area=Climate"))
    assert sorted(hit_titles(html)) == ["Solar roofs", "Wind power"]
    assert '<strong aria-current="true">Most recent</strong>' in html


def test_sorting_by_recency(client, corpus, author, edit_document, index_now):
    edit_document(author, corpus["bills"], "More energy.")
    index_now()
    html = html_of(client.get("/search?q=energy&type=document&sort=recent"))
    assert hit_titles(html)[0] == "Fair bills"
    sort_links = links(html, r"^ ?Relevance ?$")
    assert params(sort_links[0])["sort"] == ["relevance"]


def test_a_misspelt_word_gets_a_did_you_mean_link(client, author, make_document, index_now):
    make_document(author, title="Proportional representation", body="Proportional representation for all.\n")
    index_now()
    html = html_of(client.get("/search?q=proportinal"))
    suggestion = re.search(r'<p class="search-suggestion">Did you mean <a href="([^"]*)"', html)
    assert suggestion
    assert params(unescape(suggestion.group(1)))["q"] == ["proportional"]
    assert hit_titles(html_of(client.get(unescape(suggestion.group(1))))) == ["Proportional representation"]


# --- pages -----------------------------------------------------------------------------------------------

def test_results_come_a_page_at_a_time(client, author, make_document, index_now):
    for n in range(25):
        make_document(author, title=f"Tidal plan {n:02d}", body=f"Tidal energy, plan {n}.\n")
    index_now()
    first = html_of(client.get("/search?q=tidal"))
    assert len(hit_titles(first)) == 20 and "25 results" in text_of(first)
    next_link = re.search(r'<a class="pagination__step" href="([^"]*)" rel="next">', first)
    assert next_link and params(unescape(next_link.group(1))) == {"q": ["tidal"], "page": ["2"]}
    second = html_of(client.get(unescape(next_link.group(1))))
    assert len(hit_titles(second)) == 5
    assert not set(hit_titles(first)) & set(hit_titles(second))
    past = html_of(client.get("/search?q=tidal&page=9"))
    assert "past the last result" in text_of(past)


# --- bad input -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, says", [
    ("q=votes&type=bill", "type"),
    ("q=votes&status=lost", "status"),
    ("q=votes&type=document&status=open", "status"),
    ("q=votes&sort=alphabetical", "sort"),
    ("q=votes&page=0", "page"),
    ("q=votes&page=-1", "page"),
    ("q=votes&page=two", "page"),
    ("q=votes&page=99999999999999999999", "page"),
    ("q=votes&party=nobody", "nobody"),
    ("q=vo%01tes", "control"),
])
def test_bad_parameters_are_a_400_with_the_box_kept(client, labour, query, says):
    html = html_of(client.get(f"/search?{query}"), 400)
    problem = re.search(r'<div class="notice notice--error search-problem" role="alert">(.*?)</div>', html, re.DOTALL)
    assert problem and says in text_of(problem.group(1))
    assert re.search(r'<input[^>]*id="search-q"[^>]*value="vo', html)


def test_a_repeated_parameter_is_a_400(client):
    response = client.get("/search?q=votes&type=document&type=amendment")
    assert response.status_code == 400
    assert "more than once" in response.get_data(as_text=True)


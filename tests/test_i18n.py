"""Languages: which language a page is answered in, the switcher, the catalogues, and the two promises of the
languages issue: no template shows English outside the translation functions, and the main pages read in
Welsh when Welsh is asked for."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, refresh
from jinja2 import Environment

from policyhub import ROOT, i18n
from policyhub.accounts import services as accounts
from policyhub.accounts.models import User
from policyhub.amendments import services as amendments
from policyhub.documents import services as documents
from policyhub.endorsements import services as endorsements
from policyhub.errors import Forbidden
from policyhub.extensions import db

from .i18n_lint import untranslated

TEMPLATES = ROOT / "templates"
# pybabel's own keywords and the lazy ones (the Makefile passes the same: -k _l -k lazy_gettext)
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
CATALOGUES = ROOT / "policyhub" / "translations"
WELSH_PO = CATALOGUES / "cy" / "LC_MESSAGES" / "messages.po"
WELSH_MO = CATALOGUES / "cy" / "LC_MESSAGES" / "messages.mo"
# The pages the issue names (documents, history, compare, amendments, agenda, search, login, account) and what
# every page shows around them: each of these templates must be wholly translated into Welsh.
MAIN_TEMPLATES = (
    "base.html", "_partials/language_switcher.html", "_macros/pagination.html", "_macros/forms.html",
    "documents/index.html", "documents/show.html", "documents/_header.html", "documents/history.html",
    "documents/diff.html", "documents/_revision_picker.html", "documents/_side_by_side.html",
    "amendments/index.html", "amendments/open.html", "amendments/show.html", "amendments/_macros.html",
    "endorsements/agenda.html", "endorsements/_document_panel.html", "search/index.html",
    "accounts/login.html", "accounts/account.html",
)


def _template_paths() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*") if path.suffix in (".html", ".txt"))


def _lint_environment() -> Environment:
    env = Environment(extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True
    return env


# --- the checker for untranslated English -------------------------------------------------------------------

def test_the_checker_finds_english_text_attributes_and_prose_literals_and_nothing_translated():
    source = """
    {% set label = "Saved already" if done else _("Save it") %}
    <h1>{{ _("Documents") }}</h1>
    <p>Every change is kept. {{ ngettext("%(num)d page", "%(num)d pages", 3) }}</p>
    <input type="search" placeholder="Search…" aria-label="{{ _('Site search') }}">
    <button type="submit" title="Send it">{{ label }}</button>
    {% trans url=url_for('x') %}Read <a href="{{ url }}">the guide</a> first.{% endtrans %}
    <span class="badge badge--draft">{{ status }}</span> · <abbr>UTC</abbr> PolicyHub
    <script>var words = "not shown";</script>
    {% block body_class %}page-document page-consensus{% endblock %}
    {% set _ = items.append(1) %}
    """
    found = {finding.text for finding in untranslated(_lint_environment(), source)}
    assert found == {"Saved already", "Every change is kept.", "Search…", "Send it",
                     "{% set _ %} hides the translation function _"}


def test_no_template_shows_english_outside_the_translation_functions():
    env = _lint_environment()
    problems = [f"{path.relative_to(TEMPLATES)} {finding}" for path in _template_paths()
                for finding in untranslated(env, path.read_text(encoding="utf-8"))]
    assert not problems, "wrap these in _() or {% trans %}:\n" + "\n".join(problems)


# --- the catalogues -----------------------------------------------------------------------------------------

def _not_hidden(path: str) -> bool:
    # Babel skips directories starting with "_" unless told otherwise (templates/_macros, _partials).
    return not Path(path).name.startswith((".", "__"))


def _extracted_templates(patterns: tuple[str, ...]) -> list:
    return list(extract_from_dir(str(TEMPLATES), [(pattern, "jinja2") for pattern in patterns],
                                 {pattern: {"trimmed": "true"} for pattern in patterns}, directory_filter=_not_hidden))


def _extracted_ids() -> set[str]:
    """What `make translations` would extract (babel.cfg): Python under policyhub/, templates trimmed."""
    found = [*extract_from_dir(str(ROOT / "policyhub"), [("**.py", "python")], keywords=KEYWORDS,
                               directory_filter=_not_hidden),
             *_extracted_templates(("**.html", "**.txt"))]
    return {message[0] if isinstance(message, tuple) else message for _file, _line, message, *_ in found}


def _welsh():
    with WELSH_PO.open("rb") as handle:
        return read_po(handle, locale="cy")


def test_the_committed_catalogue_holds_every_marked_string():
    """`make translations` was run after the last string changed: nothing marked is missing from the .pot."""
    with (CATALOGUES / "messages.pot").open("rb") as handle:
        template = {message.id if isinstance(message.id, str) else message.id[0]
                    for message in read_po(handle) if message.id}
    assert sorted(_extracted_ids() - template) == []


def test_the_compiled_welsh_catalogue_matches_its_po_file():
    """The app reads the .mo: `make translations-compile` was run after the .po last changed."""
    def pair(message):
        return (tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id,
                tuple(message.string) if isinstance(message.string, (list, tuple)) else message.string)

    with WELSH_MO.open("rb") as handle:
        compiled = dict(pair(message) for message in read_mo(handle) if message.id)
    written = dict(pair(message) for message in _welsh()
                   if message.id and message.string and not message.fuzzy
                   and all(message.string if isinstance(message.string, tuple) else [message.string]))
    assert compiled == written


def test_the_main_pages_templates_are_wholly_translated_into_welsh():
    catalogue = _welsh()
    missing = []
    for filename, _lineno, message, _comments, _context in _extracted_templates(("**.html",)):
        if filename not in MAIN_TEMPLATES:
            continue
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(msgid)
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (
            [entry.string] if entry is not None else [""])
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{filename}: {msgid}")
    assert missing == []


# --- which language answers --------------------------------------------------------------------------------

def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def test_visitors_get_the_language_their_browser_asks_for(client):
    assert _lang(client.get("/", headers={"Accept-Language": "cy,en;q=0.5"}).get_data(as_text=True)) == "cy"
    assert _lang(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)) == "en-GB"
    assert _lang(client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)) == "en-GB"
    assert _lang(client.get("/").get_data(as_text=True)) == "en-GB"


def test_the_switcher_sets_a_visitors_cookie_without_a_session_and_goes_back(client, app):
    response = client.get("/language?lang=cy&next=/search%3Fq%3Dvotes")
    assert response.status_code == 302 and response.headers["Location"] == "/search?q=votes"
    cookies = response.headers.getlist("Set-Cookie")
    assert any(cookie.startswith("lang=cy;") for cookie in cookies)
    assert not any(cookie.startswith(app.config["SESSION_COOKIE_NAME"] + "=") for cookie in cookies)
    # The cookie beats the browser's Accept-Language.
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(page) == "cy" and ">Dogfennau<" in page
    back = client.get("/language?lang=en&next=https://evil.example/")
    assert back.headers["Location"] == "/"  # only local addresses are followed
    assert _lang(client.get("/").get_data(as_text=True)) == "en-GB"


def test_the_switcher_refuses_a_language_we_do_not_have(client):
    response = client.get("/language?lang=xx&next=/")
    assert response.status_code == 422
    assert "That language is not offered." in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_the_footer_switcher_is_a_get_form_for_visitors_and_a_csrf_post_for_people(client, make_user, login):
    visitor = client.get("/").get_data(as_text=True)
    switcher = visitor[visitor.index('class="language-switcher"'):]
    switcher = switcher[:switcher.index("</form>")]
    assert 'method="get"' in switcher and "csrf_token" not in switcher
    assert 'value="cy" lang="cy"' in switcher and ">Cymraeg<" in switcher
    login(client, make_user())
    signed_in = client.get("/").get_data(as_text=True)
    switcher = signed_in[signed_in.index('class="language-switcher"'):]
    assert 'method="post"' in switcher[:switcher.index("</form>")]
    assert 'name="csrf_token"' in switcher[:switcher.index("</form>")]


def test_a_signed_in_person_s_choice_is_saved_and_follows_them(app, client, make_user, login):
    person = make_user()
    login(client, person)
    response = client.post("/language", data={"lang": "cy", "next": "/account"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    db.session.rollback()  # a new snapshot: the request committed in its own session
    assert db.session.get(User, person.id).locale == "cy"
    other_browser = app.test_client()
    login(other_browser, person)
    page = other_browser.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _lang(page) == "cy"
    assert '<option value="cy" lang="cy" selected>Cymraeg</option>' in page  # the account page's choice
    # "" goes back to the browser's language.
    client.post("/language", data={"lang": "", "next": "/"})
    db.session.rollback()  # a new snapshot: the request committed in its own session
    assert db.session.get(User, person.id).locale is None
    assert _lang(other_browser.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "en-GB"


def test_only_the_person_themselves_sets_their_language(app, make_user):
    person, other = make_user(), make_user()
    with pytest.raises(Forbidden):
        accounts.set_locale(other, person, "cy")
    with pytest.raises(Forbidden):
        accounts.set_locale(make_user(admin=True), person, "cy")
    assert db.session.get(User, person.id).locale is None


def test_the_page_cache_keeps_each_language_apart(make_app):
    app = make_app(PAGE_CACHE_BYTES=1024 * 1024)
    client = app.test_client()
    english = client.get("/", headers={"Accept-Language": "en"})
    welsh = client.get("/", headers={"Accept-Language": "cy"})
    again = client.get("/", headers={"Accept-Language": "en"})
    assert _lang(english.get_data(as_text=True)) == "en-GB" and _lang(again.get_data(as_text=True)) == "en-GB"
    assert _lang(welsh.get_data(as_text=True)) == "cy"
    assert "Accept-Language" in welsh.headers["Vary"] and "Cookie" in welsh.headers["Vary"]


def test_dates_and_numbers_follow_the_readers_language(app):
    moment = datetime(2026, 11, 5, 14, 3, tzinfo=timezone.utc)
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        refresh()  # Flask-Babel keeps the language on g, which these contexts share with the test's
        assert i18n.format_when(moment) == "5 Tach 2026, 14:03 UTC"
        assert i18n.format_when(moment, "short") == "5 Tach 2026"
        assert i18n.ago(moment - timedelta(minutes=3), now=moment) == "3 munud yn ôl"
    with app.test_request_context():
        refresh()
        assert i18n.format_when(moment) == "5 Nov 2026, 14:03 UTC"
        assert i18n.ago(moment - timedelta(minutes=1), now=moment) == "1 minute ago"
        assert i18n.ago(moment - timedelta(days=2), now=moment) == "2 days ago"
        assert i18n.ago(moment - timedelta(seconds=4), now=moment) == "just now"
        assert i18n.format_number(1234567) == "1,234,567"
    with app.test_request_context(), force_locale("cy"):
        assert i18n.ago(moment - timedelta(seconds=4), now=moment) == "ychydig eiliadau yn ôl"


# --- the main pages in Welsh --------------------------------------------------------------------------------

class _TextNodes(HTMLParser):
    """The text a reader sees, outside user content (the document's own article, diffs, quoted text)."""

    SKIPPED = {"script", "style", "svg", "article", "del", "ins", "blockquote", "pre", "code", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._depth += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if not self._depth and data.strip():
            self.texts.append(" ".join(data.split()))


def _english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each English msgid whose Welsh differs, as a pattern matching the whole text it would render as."""
    patterns = []
    for message in _welsh():
        if not message.id or not message.string:
            continue
        for english, welsh in zip(message.id if isinstance(message.id, tuple) else (message.id,),
                                  message.string if isinstance(message.string, tuple) else (message.string,)):
            if english == welsh or "<" in english:
                continue
            pieces = re.split(r"%\(\w+\)[sd]", english.replace("%%", "%"))
            if not any(re.search(r"[A-Za-z]{3,}", piece) for piece in pieces):
                continue
            patterns.append((english, re.compile(r".+?".join(re.escape(piece) for piece in pieces))))
    return patterns


@pytest.fixture
def welsh_world(app, make_user, labour, green):
    lead = make_user("Rhian Lead", party=labour, role="lead")
    member = make_user("Dafydd Member", party=green)
    reader = make_user("Gwen Reader", party=green)
    accounts.set_locale(reader, reader, "cy")
    # Summaries are what people wrote (shown as written): none of them is a string of the interface.
    document = documents.create_document(lead, title="Fair votes", body="# Fair votes\n\nEvery vote counts.\n",
                                         policy_area="Democratic reform", summary="Drafft", slug="fair-votes")
    for number, summary in ((2, "Ail ddrafft"), (3, "Trydydd drafft")):
        body = documents.get_revision(document, number - 1).body + f"\nParagraph {number}.\n"
        documents.save_revision(lead, document, body=body, base_number=number - 1, summary=summary)
    amendment = amendments.propose_amendment(member, document, title="Add a timetable",
                                             body=documents.get_revision(document, 3).body + "\nBy 2028.\n",
                                             rationale="Dates make it real.", base_number=3)
    endorsements.endorse(lead, document, statement="We back this.")
    return {"document": document, "amendment": amendment, "reader": reader}


def test_the_main_pages_read_in_welsh(app, client, login, welsh_world):
    slug = welsh_world["document"].slug
    amendment = welsh_world["amendment"]
    client.set_cookie("lang", "cy")
    pages = ["/", f"/documents/{slug}", f"/documents/{slug}/history", f"/documents/{slug}/diff?from=1&to=3",
             "/amendments", f"/documents/{slug}/amendments", f"/documents/{slug}/amendments/{amendment.number}",
             "/agenda", "/search?q=votes", "/login"]
    patterns = _english_patterns()
    untranslated_texts = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert _lang(html) == "cy", url
        parser = _TextNodes()
        parser.feed(html)
        english = sorted({text for text in parser.texts for msgid, pattern in patterns if pattern.fullmatch(text)})
        if english:
            untranslated_texts[url] = english
    login(client, welsh_world["reader"])
    html = client.get("/account").get_data(as_text=True)
    parser = _TextNodes()
    parser.feed(html)
    english = sorted({text for text in parser.texts for msgid, pattern in patterns if pattern.fullmatch(text)})
    if english:
        untranslated_texts["/account"] = english
    assert untranslated_texts == {}
    assert ">Dogfennau<" in html and ">Allgofnodi<" in html



# --- services' messages: English for the API, translated on pages -----------------------------------------

def test_a_services_message_is_english_text_that_a_page_translates_with_its_values(app):
    from policyhub.errors import N_
    from policyhub.validation import Checker

    checker = Checker()
    checker.text("title", "", label=N_("Title"), max_length=10)
    checker.text("summary", "x" * 12, label=N_("Edit summary"), max_length=10)
    assert checker.errors == {"title": "Title is required.",
                              "summary": "Edit summary is too long: 12 characters, the limit is 10."}
    with app.test_request_context(), force_locale("cy"):
        assert i18n.translated(checker.errors["title"]) == "Teitl: rhaid llenwi hwn."
        assert i18n.translated(checker.errors["summary"]) == (
            "Crynodeb o'r golygiad: mae hwn yn rhy hir: 12 nod, a'r terfyn yw 10.")
        assert i18n.translated("Typed by someone, not in the catalogue") == "Typed by someone, not in the catalogue"
        assert i18n.translated("") == ""


def test_a_welsh_reader_sees_validation_errors_in_welsh_and_the_api_stays_english(client, member, token_for):
    client.set_cookie("lang", "cy")
    page = client.post("/register", data={"email": "new@example.org", "name": "Nia", "password": "short"})
    assert page.status_code == 422
    assert "Defnyddiwch o leiaf 12 nod." in page.get_data(as_text=True)
    assert "Use at least 12 characters." not in page.get_data(as_text=True)
    response = client.post("/api/v1/documents", json={"title": "", "body": "Text", "policy_area": "Reform"},
                           headers={**token_for(member), "Accept-Language": "cy"})
    assert response.status_code == 422
    assert response.get_json()["fields"]["title"] == "Title is required."


def test_the_search_pages_notes_are_in_welsh_and_the_apis_in_english(client):
    long_query = "votes " * 40  # over MAX_QUERY_LENGTH: the start is used, with a note saying so
    client.set_cookie("lang", "cy")
    page = client.get("/search", query_string={"q": long_query}).get_data(as_text=True)
    assert "Roedd eich chwiliad yn hirach na 200 nod; dim ond y dechrau a ddefnyddiwyd." in page
    answer = client.get("/api/v1/search", query_string={"q": long_query}).get_json()
    assert answer["message"] == ("Your search was longer than 200 characters; only the start was used. "
                                 "Only the first 12 words or phrases of your search were used.")

"""Accessibility: axe-core (vendored, tests/browser/vendor/) on every main page against WCAG 2.2 AA, and the
main journey done with the keyboard alone, focus always visible.

The site's Content-Security-Policy allows scripts from itself only, so Playwright's injected axe script (an
inline <script>) would be refused: the axe runs use browser contexts with ``bypass_csp=True``. The keyboard
test runs under the real policy."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .people import ADMIN, CARYS, FIONA, PASSWORD, RACHEL, TIMEOUT_MS, TOM, Person, ServedSite, newest_link, \
    on_site, sign_in

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}

BODY = """## Insulation

Every home is insulated to a decent standard by 2030, starting with the coldest.

## Heat pumps

Grants cover the cost of a heat pump for every household on a low income.
"""


@dataclass(frozen=True)
class Content:
    slug: str
    title: str


@pytest.fixture(scope="module")
def content(site: ServedSite) -> Content:
    """A document with history, an accepted and an open amendment, endorsed by every party (agreed)."""
    title = "Warm homes"
    slug = site.document(TOM, title, BODY, policy_area="Housing")
    site.api("PUT", f"/documents/{slug}", RACHEL, {
        "body": BODY.replace("by 2030", "by 2030 at the latest"), "base_revision": 1, "summary": "A deadline"})
    current = site.api("GET", f"/documents/{slug}", TOM)
    accepted = site.api("POST", f"/documents/{slug}/amendments", TOM, {
        "title": "Start with rented homes", "rationale": "Tenants cannot insulate homes they do not own.",
        "body": current["body"] + "\nPrivate landlords insulate first.\n", "base_revision": 2})
    site.api("POST", f"/documents/{slug}/amendments/{accepted['number']}/accept", FIONA, {"note": "Agreed."})
    current = site.api("GET", f"/documents/{slug}", TOM)
    site.api("POST", f"/documents/{slug}/amendments", TOM, {
        "title": "Name the grant", "rationale": "A name people can ask for.",
        "body": current["body"].replace("Grants cover", "Warm Home Grants cover"),
        "base_revision": current["current_revision"]})
    for lead in (RACHEL, FIONA, CARYS):
        site.api("POST", f"/documents/{slug}/endorsements", lead, {"statement": f"{lead.name} agrees."})
    return Content(slug=slug, title=title)


@pytest.fixture(scope="module")
def axe_page(browser: Browser, site: ServedSite) -> Iterator[Callable[[Person | None], Page]]:
    """One signed-in page per person (``None``: a visitor), reused from page to page (a new tab costs a new
    renderer process); CSP bypassed for axe."""
    pages: dict[Person | None, Page] = {}

    def page_for(person: Person | None) -> Page:
        if person not in pages:
            context = browser.new_context(base_url=site.base, bypass_csp=True)
            context.set_default_timeout(TIMEOUT_MS)
            pages[person] = context.new_page()
            # Leaving a page with unsaved text (the conflict page) asks first: go on, as the next check must.
            pages[person].on("dialog", lambda dialog: dialog.accept())
            if person is not None:
                sign_in(pages[person], person)
        pages[person].set_viewport_size(DESKTOP)
        return pages[person]
    yield page_for
    for page in pages.values():
        page.context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (tags) => {
        const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
        return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
        }));
    }""", WCAG_TAGS)


# Null when the page fits the viewport's width; else what sticks out past its right edge (outside any
# scrolling or clipping box of its own), to name in the failure.
WIDER_THAN_VIEWPORT = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    const held = (el) => {
        // An absolutely positioned element escapes the overflow of boxes that are not positioned: name it.
        if (getComputedStyle(el).position === "absolute") return false;
        for (let p = el.parentElement; p; p = p.parentElement) {
            if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) return true;
        }
        return false;
    };
    return [...document.querySelectorAll("body *")]
        .filter(el => el.getBoundingClientRect().right > width + 1 && !held(el))
        .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
}"""


def readable(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"\n[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"  at {node['target']}\n    {node['html'][:200]}")
            lines.extend(f"    {line}" for line in (node["summary"] or "").splitlines())
        if len(v["nodes"]) > 8:
            lines.append(f"  ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


# Steps taken on a loaded page before it is checked, for pages that only a form's answer shows.

def _login_with_a_wrong_password(page: Page, site: ServedSite) -> None:
    page.get_by_label("Email").fill(TOM.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("We could not sign you in")


def _register(page: Page, site: ServedSite) -> None:
    page.get_by_label("Email").fill("axe@example.org")
    page.get_by_label("Display name").fill("Axel Checker")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Create account").click()
    expect(page.get_by_role("main")).to_contain_text("We have sent a link to axe@example.org")


def _open_the_mailed_link(page: Page, site: ServedSite) -> None:
    _register(page, site)
    page.goto(on_site(site, newest_link(site.instance / "outbox", "axe@example.org")))
    expect(page.get_by_role("main").get_by_role("button", name=re.compile("confirm", re.I))).to_be_visible()


def _meet_a_conflict(page: Page, site: ServedSite) -> None:
    """Tom edits a draft of his own while Rachel changes the same words."""
    body = "Bus fares are capped at two pounds.\n"
    slug = site.document(TOM, "Cheap buses", body, policy_area="Transport")
    page.goto(f"/documents/{slug}/edit")
    site.api("PUT", f"/documents/{slug}", RACHEL, {"body": body.replace("two", "one"), "base_revision": 1})
    text = page.get_by_role("main").get_by_label("Text (Markdown)")
    text.fill(body.replace("two", "three"))
    page.get_by_role("main").get_by_role("button", name="Save as revision 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your edit overlaps a newer change")


def _open_toms_account(page: Page, site: ServedSite) -> None:
    page.get_by_role("main").get_by_role("link", name=TOM.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TOM.name)


# (name, who looks, path with {slug} or "" when ``then`` finds its own way, steps taken before the check)
PAGES: list[tuple[str, Person | None, str, Callable[[Page, ServedSite], None] | None]] = [
    ("documents", None, "/", None),
    ("document", None, "/documents/{slug}", None),
    ("document-as-lead", RACHEL, "/documents/{slug}", None),
    ("history", None, "/documents/{slug}/history", None),
    ("revision", None, "/documents/{slug}/revisions/1", None),
    ("compare-inline", None, "/documents/{slug}/diff?from=1&to=3", None),
    ("compare-side-by-side", None, "/documents/{slug}/diff?from=1&to=3&view=side", None),
    ("endorsement-record", None, "/documents/{slug}/endorsements", None),
    ("open-amendments", None, "/amendments", None),
    ("document-amendments", None, "/documents/{slug}/amendments", None),
    ("amendment", None, "/documents/{slug}/amendments/2", None),
    ("amendment-as-lead", RACHEL, "/documents/{slug}/amendments/2", None),
    ("accepted-amendment", None, "/documents/{slug}/amendments/1", None),
    ("new-amendment", TOM, "/documents/{slug}/amendments/new", None),
    ("edit", TOM, "/documents/{slug}/edit", None),
    ("edit-conflict", TOM, "", _meet_a_conflict),
    ("new-document", TOM, "/documents/new", None),
    ("document-line-numbers", None, "/documents/{slug}?lines=1", None),
    ("consensus", None, "/documents/{slug}/consensus", None),
    ("consensus-as-lead", RACHEL, "/documents/{slug}/consensus", None),
    ("common-ground", None, "/documents/{slug}/common-ground", None),
    ("provenance", None, "/documents/{slug}/provenance", None),
    ("provenance-by-revision", None, "/documents/{slug}/provenance?colour=revision", None),
    ("clauses", None, "/documents/{slug}/clauses", None),
    ("clause", None, "/documents/{slug}/clauses/1", None),
    ("change-record", None, "/documents/{slug}/changes?from=1&to=3", None),
    ("red-lines-as-lead", RACHEL, "/documents/{slug}/red-lines", None),
    ("endorse-by-section", RACHEL, "/documents/{slug}/endorsements", None),
    ("verify-receipt", None, "/receipts/verify", None),
    ("agenda-common-ground", None, "/agenda/common-ground", None),
    ("agenda", None, "/agenda", None),
    ("agreed-agenda", None, "/agenda/agreed", None),
    ("search-results", None, "/search?q=insulated", None),
    ("search-nothing-found", None, "/search?q=zzyzx", None),
    ("parties", None, "/parties", None),
    ("party", None, "/parties/labour", None),
    ("login", None, "/login", None),
    ("login-failed", None, "/login", _login_with_a_wrong_password),
    ("register", None, "/register", None),
    ("register-link-sent", None, "/register", _register),
    ("confirm-address", None, "/register", _open_the_mailed_link),
    ("account", TOM, "/account", None),
    ("notifications", TOM, "/notifications", None),
    ("membership-requests", RACHEL, "/parties/requests", None),
    ("admin", ADMIN, "/admin/", None),
    ("admin-users", ADMIN, "/admin/users", None),
    ("admin-user", ADMIN, "/admin/users", _open_toms_account),
    ("admin-party", ADMIN, "/admin/parties/labour", None),
    ("admin-audit", ADMIN, "/admin/audit", None),
    ("not-found", None, "/documents/no-such-document", None),
]


@pytest.mark.parametrize(("who", "path", "then"), [page[1:] for page in PAGES], ids=[page[0] for page in PAGES])
def test_page_has_no_serious_accessibility_violations(who: Person | None, path: str,
                                                        then: Callable[[Page, ServedSite], None] | None,
                                                        content: Content, site: ServedSite,
                                                        axe_page: Callable[[Person | None], Page]) -> None:
    page = axe_page(who)
    if path:
        page.goto(path.format(slug=content.slug))
    if then is not None:
        then(page, site)
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not violations, f"{page.url}:{readable(violations)}"
    # Reflow (WCAG 1.4.10, which axe cannot judge): at 320 CSS pixels nothing pushes the page sideways.
    page.set_viewport_size(PHONE)
    wider = page.evaluate(WIDER_THAN_VIEWPORT)
    assert wider is None, f"{page.url} scrolls sideways at 320 px; sticking out: {wider}"


def test_the_axe_check_finds_what_it_should(browser: Browser) -> None:
    """The check above is not vacuous: a page with an unlabelled field and faint text fails it."""
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.set_content('<!doctype html><html lang="en"><title>Bad</title><main><h1>Bad</h1>'
                         '<p style="color:#bbb;background:#fff">Faint words</p><input type="text"></main></html>')
        found = {v["id"] for v in axe_violations(page) if v["impact"] in BLOCKING}
        assert {"color-contrast", "label"} <= found, found
    finally:
        context.close()


# --- the keyboard alone ------------------------------------------------------------------------------------

# What has the focus, and whether it shows: an outline or a box-shadow on the element or on a pseudo-element
# drawn over it (the document cards ring their whole card from the title link's ::after).
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const shows = (s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
        || (s.boxShadow !== "" && s.boxShadow !== "none");
    const label = el.getAttribute("aria-label") || (el.labels && el.labels.length ? el.labels[0].innerText : "")
        || (el.tagName === "INPUT" || el.tagName === "TEXTAREA" ? "" : el.innerText) || "";
    return {
        tag: el.tagName.toLowerCase(), id: el.id, name: label.replace(/\\s+/g, " ").trim(),
        in_main: el.closest("main") !== null,
        visible: [getComputedStyle(el), getComputedStyle(el, "::after"), getComputedStyle(el, "::before")].some(shows),
    };
}"""


def focused(page: Page) -> dict[str, Any]:
    state = page.evaluate(FOCUSED)
    assert state is not None, f"nothing has the focus on {page.url}"
    assert state["visible"], f"the focus does not show on {state} ({page.url})"
    return state


def tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], limit: int = 80) -> dict[str, Any]:
    """Press Tab until ``wanted(focused element)``; every element passed on the way must show its focus."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        if wanted(state):
            return state
        passed.append(f"{state['tag']}#{state['id']} {state['name'][:40]!r}")
    raise AssertionError(f"Tab never reached it on {page.url}; passed: {passed}")


def named(name: str, tag: str | None = None) -> Callable[[dict[str, Any]], bool]:
    return lambda state: state["name"] == name and (tag is None or state["tag"] == tag)


def with_id(element_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda state: state["id"] == element_id


def test_the_main_journey_with_the_keyboard_alone(site: ServedSite, new_page: Callable[..., Page]) -> None:
    title = "Free school meals"
    slug = site.document(TOM, title, "## Meals\n\nEvery primary school child gets a free hot lunch.\n\n"
                                     "## Holidays\n\nHoliday clubs serve meals in every school holiday.\n",
                         policy_area="Education")
    site.api("POST", f"/documents/{slug}/amendments", TOM, {
        "title": "Breakfast too", "rationale": "Hungry children cannot learn.", "base_revision": 1,
        "body": "## Meals\n\nEvery primary school child gets a free breakfast and a hot lunch.\n\n"
                "## Holidays\n\nHoliday clubs serve meals in every school holiday.\n"})
    page = new_page()  # under the site's real Content-Security-Policy
    page.goto("/")

    # The skip link comes first and moves the focus into the main content.
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page).to_have_url(site.base + "/#main")
    page.keyboard.press("Tab")
    assert focused(page)["in_main"], "after the skip link, Tab should continue inside the main content"

    # Search from the header.
    page.goto("/")
    tab_to(page, with_id("site-search-q"))
    page.keyboard.type("lunch")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_role("main").get_by_role("link", name=title, exact=True)).to_be_visible()

    # Sign in, field by field, and come back to the results.
    tab_to(page, named("Sign in", "a"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    tab_to(page, with_id("email"))
    page.keyboard.type(RACHEL.email)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type(PASSWORD)
    tab_to(page, with_id("remember"), limit=3)  # past the "Forgot your password?" link
    page.keyboard.press("Tab")
    assert named("Sign in", "button")(focused(page))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Welcome back, {RACHEL.name}")

    # Open the document from the results, edit it and save.
    tab_to(page, named(title, "a"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=title, exact=True)).to_be_visible()
    tab_to(page, named("Edit", "a"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/documents/{slug}/edit")
    tab_to(page, with_id("body"))
    page.keyboard.press("Control+End")
    page.keyboard.type("\nSchools grow some of the food they serve.\n")
    tab_to(page, with_id("summary"))
    page.keyboard.type("Growing food")
    tab_to(page, named("Save as revision 2", "button"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Saved as revision 2")

    # Open the amendment from the document's panel and accept it.
    tab_to(page, named("#1 Breakfast too", "a"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/documents/{slug}/amendments/1")
    tab_to(page, named("Accept and merge", "button"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Amendment 1 accepted: the text is now revision 3")

"""Whole journeys through the served site, one person per browser, each step done through the pages as a
person would (links, forms, buttons), with a screenshot per step (see conftest.py for where they go).

The set-up that is not part of a journey (a draft to work on) goes through the JSON API."""
from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, LocatorAssertions, Page, expect

from .people import FIONA, LEADS, PARTIES, PASSWORD, RACHEL, TOM, Person, ServedSite, Steps, \
    confirm_password_if_asked, newest_link, on_site, sign_in

FAIR_VOTES = """## The voting system

Every election uses proportional representation.

Citizens' assemblies advise on how the system is chosen.

Votes at sixteen for every election.
"""

CLEAN_RIVERS = """## Sewage

Water companies publish every sewage spill within an hour.

Fines for spills pay for river restoration.
"""


def status_message(page: Page) -> LocatorAssertions:
    """The flashed messages, for ``expect``."""
    return expect(page.get_by_role("status"))


def open_document(page: Page, title: str) -> None:
    """From the documents list, as a reader finds a document."""
    page.get_by_role("banner").get_by_role("link", name="Documents").click()
    page.get_by_role("main").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=title, exact=True)).to_be_visible()


def body_field(page: Page) -> Locator:
    return page.get_by_role("main").get_by_label("Text (Markdown)")


def start_editing(page: Page, title: str) -> None:
    open_document(page, title)
    page.get_by_role("main").get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Edit {title}")


def change_text(page: Page, old: str, new: str, summary: str) -> None:
    """Rewrite one passage of the text being edited and say why."""
    text = body_field(page).input_value()
    assert old in text, text
    body_field(page).fill(text.replace(old, new))
    page.get_by_role("main").get_by_label("Summary of your change").fill(summary)


def save(page: Page) -> None:
    page.get_by_role("main").get_by_role("button", name=re.compile(r"^Save as revision \d+$")).click()


def register_by_email(page: Page, site: ServedSite, steps: Steps, name: str, email: str) -> None:
    """Registration is confirmed by email: the form answers that a link was sent, the link arrives as an .eml
    file in the instance's outbox, and following it signs the person in."""
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name="Register").click()
    main = page.get_by_role("main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Display name").fill(name)
    main.get_by_label("Password").fill(PASSWORD)
    steps.shot(page, "registration-form")
    main.get_by_role("button", name="Create account").click()
    expect(main).to_contain_text(f"We have sent a link to {email}")
    steps.shot(page, "link-sent")

    page.goto(on_site(site, newest_link(site.instance / "outbox", email)))
    # The link opens a page with one button: mail scanners fetch every link, only a person clicks.
    expect(page.get_by_role("main")).to_contain_text(email)
    steps.shot(page, "confirm-address")
    page.get_by_role("main").get_by_role("button", name=re.compile("confirm", re.I)).click()
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()
    steps.shot(page, "signed-in-by-link")


def test_a_newcomer_registers_joins_labour_and_edits_through_a_merge_and_a_conflict(
        site: ServedSite, new_page: Callable[..., Page], steps: Steps) -> None:
    site.document(RACHEL, "Fair votes now", FAIR_VOTES)
    newcomer = Person("Nia Newcomer", "nia@example.org", "labour")

    # A newcomer registers, confirms the address, and asks to join Labour.
    nia = new_page()
    register_by_email(nia, site, steps, newcomer.name, newcomer.email)
    nia.get_by_role("banner").get_by_role("link", name="Account").click()
    nia.get_by_role("main").get_by_label("Ask to join").select_option(label="Labour")
    nia.get_by_role("main").get_by_role("button", name="Send request").click()
    status_message(nia).to_contain_text("Your request to join Labour is waiting for one of its leads")
    steps.shot(nia, "asked-to-join")

    # Labour's lead sees the request in the header and approves it.
    rachel = new_page()
    sign_in(rachel, RACHEL)
    rachel.get_by_role("banner").get_by_role("link", name=re.compile(r"^Requests")).click()
    request_item = rachel.get_by_role("listitem").filter(has_text=newcomer.email)
    steps.shot(rachel, "request-waiting")
    request_item.get_by_role("button", name=f"Approve {newcomer.name}").click()
    status_message(rachel).to_contain_text(f"{newcomer.name}'s request to join Labour")
    steps.shot(rachel, "request-approved")

    nia.reload()
    expect(nia.get_by_role("main")).to_contain_text("You are a member of Labour")

    # Merge: Tom saves another passage while Nia is editing; her save merges with his.
    start_editing(nia, "Fair votes now")
    tom = new_page()
    sign_in(tom, TOM)
    start_editing(tom, "Fair votes now")
    change_text(tom, "Votes at sixteen for every election.",
                "Votes at sixteen for every election, local and national.", "Local elections too")
    save(tom)
    status_message(tom).to_contain_text("Saved as revision 2")

    change_text(nia, "Every election uses proportional representation.",
                "Every election to Westminster uses proportional representation.", "Name Westminster")
    steps.shot(nia, "editing-while-tom-saves")
    save(nia)
    status_message(nia).to_contain_text("merged into revision 3")
    expect(nia.get_by_role("main")).to_contain_text("Westminster")  # the comparison of what was merged
    steps.shot(nia, "merged")
    open_document(nia, "Fair votes now")
    prose = nia.locator("article.prose")
    expect(prose).to_contain_text("Every election to Westminster uses proportional representation.")
    expect(prose).to_contain_text("local and national")

    # Conflict: both change the same sentence; nothing Nia typed is lost, and she combines the two.
    start_editing(nia, "Fair votes now")
    start_editing(tom, "Fair votes now")
    change_text(tom, "Citizens' assemblies advise on", "Citizens' assemblies decide", "Assemblies decide")
    save(tom)
    status_message(tom).to_contain_text("Saved as revision 4")

    mine = "Citizens' assemblies recommend how the system is chosen, and Parliament votes on their advice."
    change_text(nia, "Citizens' assemblies advise on how the system is chosen.", mine, "Parliament has the last word")
    save(nia)
    expect(nia.get_by_role("heading", level=1)).to_have_text("Your edit overlaps a newer change")
    expect(body_field(nia)).to_have_value(re.compile(re.escape(mine)))
    expect(nia.get_by_role("main").get_by_label("Summary of your change")).to_have_value(
        "Parliament has the last word")
    steps.shot(nia, "conflict-keeps-my-text")

    combined = "Citizens' assemblies decide how the system is chosen, and Parliament votes on their advice."
    change_text(nia, mine, combined, "Parliament votes on what assemblies decide")
    save(nia)
    status_message(nia).to_contain_text("Saved as revision 5")
    expect(nia.locator("article.prose")).to_contain_text(combined)
    steps.shot(nia, "conflict-resolved")


def test_an_amendment_is_accepted_across_parties_endorsed_by_all_found_and_agreed(
        site: ServedSite, new_page: Callable[..., Page], steps: Steps) -> None:
    site.document(TOM, "Clean rivers", CLEAN_RIVERS, policy_area="Environment")
    added = "Weekly testing at every bathing site, published as open data."

    # A Labour member proposes an amendment.
    tom = new_page()
    sign_in(tom, TOM)
    open_document(tom, "Clean rivers")
    tom.get_by_role("main").get_by_role("link", name="Propose an amendment").click()
    main = tom.get_by_role("main")
    main.get_by_label("Title").fill("Test bathing water weekly")
    main.get_by_label("Rationale (Markdown)").fill("People swim in rivers: they should know the water is safe.")
    proposed = main.get_by_label("Proposed text (Markdown)")
    proposed.fill(proposed.input_value().rstrip("\n") + f"\n\n{added}\n")
    steps.shot(tom, "amendment-form")
    main.get_by_role("button", name="Propose the amendment").click()
    status_message(tom).to_contain_text("Proposed as amendment 1")
    steps.shot(tom, "amendment-proposed")

    # A Lib Dem lead finds it among the open amendments and accepts it.
    fiona = new_page()
    sign_in(fiona, FIONA)
    fiona.get_by_role("banner").get_by_role("link", name="Amendments").click()
    fiona.get_by_role("main").get_by_role("link", name=re.compile("Test bathing water weekly")).click()
    fiona.get_by_role("main").get_by_label("Note (optional)").fill("Good for every party.")
    steps.shot(fiona, "amendment-to-decide")
    fiona.get_by_role("main").get_by_role("button", name="Accept and merge").click()
    status_message(fiona).to_contain_text("Amendment 1 accepted: the text is now revision 2")
    steps.shot(fiona, "amendment-accepted")

    # Each party's lead endorses the new text from the document page.
    party_names = {slug: name for slug, name, _colour in PARTIES}
    for lead in LEADS:
        party = party_names[lead.party]
        page = fiona if lead is FIONA else new_page()
        if lead is not FIONA:
            sign_in(page, lead)
        open_document(page, "Clean rivers")
        page.get_by_role("button", name=f"Endorse revision 2 for {party}").click()
        confirm_password_if_asked(page, page.get_by_role("status").get_by_text(
            f"{party} now endorses revision 2 of 'Clean rivers'"))
        steps.shot(page, f"endorsed-{lead.party}")
    # The last of the three sees that every party now agrees.
    expect(page.get_by_role("region", name="Endorsements")).to_contain_text("Agreed")

    # A visitor searches for the new words and finds the text.
    visitor = new_page()
    visitor.goto("/")
    search = visitor.get_by_role("search", name="Site").get_by_label("Search documents and amendments")
    search.fill("bathing")
    search.press("Enter")
    results = visitor.get_by_role("main")
    expect(results.get_by_role("link", name="Clean rivers", exact=True)).to_be_visible()
    steps.shot(visitor, "search-results")
    results.get_by_role("link", name="Clean rivers", exact=True).click()
    expect(visitor.locator("article.prose")).to_contain_text(added)

    # The agenda shows the document agreed, and the agreed agenda carries its text.
    visitor.get_by_role("banner").get_by_role("link", name="Agenda").click()
    row = visitor.get_by_role("row").filter(has=visitor.get_by_role("link", name="Clean rivers", exact=True))
    expect(row).to_contain_text("Agreed")
    steps.shot(visitor, "agenda")
    visitor.get_by_role("main").get_by_role("link", name="The agreed agenda").click()
    expect(visitor.get_by_role("main")).to_contain_text(added)
    steps.shot(visitor, "agreed-agenda")

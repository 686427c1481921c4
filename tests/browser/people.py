"""The served site's people and what they do in the browser, shared by the browser tests."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, expect

from ..mailbox import mailed_links, read_outbox
from ..scale.serving import request

PASSWORD = "correct horse battery staple"
TIMEOUT_MS = 15_000  # for each wait: generous for a loaded 2-core machine, where a step takes under a second


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    party: str | None = None  # party slug
    role: str = "member"
    admin: bool = False


PARTIES = (("labour", "Labour", "#E4003B"), ("libdem", "Lib Dems", "#FAA61A"), ("green", "Greens", "#02A95B"))
ADMIN = Person("Ada Admin", "ada@example.org", admin=True)
RACHEL = Person("Rachel Lead", "rachel@labour.example", "labour", "lead")
FIONA = Person("Fiona Lead", "fiona@libdem.example", "libdem", "lead")
CARYS = Person("Carys Lead", "carys@green.example", "green", "lead")
TOM = Person("Tom Member", "tom@labour.example", "labour")
PEOPLE = (ADMIN, RACHEL, FIONA, CARYS, TOM)
LEADS = (RACHEL, FIONA, CARYS)


@dataclass
class ServedSite:
    base: str
    instance: Path
    tokens: dict[str, str] = field(default_factory=dict)  # email -> API token

    def api(self, method: str, path: str, person: Person, body: Any = None) -> Any:
        """Set-up through the JSON API as ``person``; answers the decoded body of a 2xx response."""
        status, answer = request(method, f"{self.base}/api/v1{path}", body, token=self.tokens[person.email])
        assert 200 <= status < 300, (method, path, status, answer)
        return answer

    def document(self, author: Person, title: str, body: str, policy_area: str = "Democratic reform") -> str:
        """A new draft; answers its slug."""
        return self.api("POST", "/documents", author,
                        {"title": title, "body": body, "policy_area": policy_area})["slug"]


class Steps:
    """Numbered full-page screenshots of a test's steps."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def shot(self, page: Page, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


# --- what a person does ------------------------------------------------------------------------------------

def sign_in(page: Page, person: Person) -> None:
    """Through the sign-in form (the keyboard test reaches it from the header's link)."""
    page.goto("/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome back, {person.name}")


def confirm_password_if_asked(page: Page, done: Locator) -> None:
    """After a sensitive action: wait for ``done`` (what the page shows once the action went through), giving
    the password on the way if the site asks for it again (it does when the sign-in is older than 15
    minutes, so a fresh one normally goes straight through)."""
    asked = page.get_by_role("heading", name="Confirm your password")
    expect(done.or_(asked)).to_be_visible()
    if asked.is_visible():
        page.get_by_role("main").get_by_label("Password").fill(PASSWORD)
        page.get_by_role("main").get_by_role("button", name=re.compile("confirm", re.I)).click()
        expect(done).to_be_visible()


def newest_link(outbox: Path, address: str, timeout: float = 15) -> str:
    """The first web link in the newest message in ``outbox`` (one .eml file each) addressed to ``address``.
    Waits for it a little: a site may write its mail after answering the request."""
    deadline = time.monotonic() + timeout
    while not (messages := read_outbox(outbox, address)):
        if time.monotonic() > deadline:
            found = sorted(p.name for p in outbox.iterdir()) if outbox.is_dir() else "no outbox folder"
            raise AssertionError(f"no message to {address} in {outbox}: {found}")
        time.sleep(0.05)
    links = mailed_links(messages[-1])
    assert links, messages[-1]
    return links[0]


def on_site(site: ServedSite, link: str) -> str:
    """A mailed link, pointed at the served site: mails build links from BASE_URL, which cannot name the port
    gunicorn is given after the site's settings are fixed."""
    parts = urlsplit(link)
    return site.base + parts.path + (f"?{parts.query}" if parts.query else "")

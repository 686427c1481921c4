"""Choosing a language in a real browser with JavaScript off: the footer's switcher is a plain form, and the
browser's own language is the starting point."""
from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect


def test_a_visitor_reads_in_their_browsers_language_and_switches_without_javascript(
        new_page: Callable[..., Page]) -> None:
    page = new_page(java_script_enabled=False, locale="cy-GB")  # Accept-Language: cy-GB
    page.goto("/search?q=votes")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("navigation").first.get_by_role("link", name="Dogfennau")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/search\?q=votes$"))  # back where they were
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.get_by_role("navigation").first.get_by_role("link", name="Documents")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_disabled()  # the current one

    page.goto("/agenda")  # the cookie now outranks the browser's Accept-Language
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    page.get_by_role("button", name="Cymraeg").click()
    expect(page).to_have_url(re.compile(r"/agenda$"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")

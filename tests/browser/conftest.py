"""Browser tests: the real app, served by gunicorn on a loopback port, driven through Debian's Chromium by
Playwright.

One site serves the whole folder: its own database (a SQLite file, or a PostgreSQL database when
POLICYHUB_TEST_DATABASE_URL is set), migrated and given its parties and people with the command line, as an
operator sets one up (tests/scale/serving.py). It runs as in production — CSRF on, plain HTTP cookies
(POLICYHUB_SECURE_COOKIES=0, since loopback has no TLS) — except that rate limits are off.

The tests skip when /usr/bin/chromium is missing, unless POLICYHUB_REQUIRE_BROWSER=1 (CI sets it), which
turns a missing browser into a failure. Screenshots of each journey step are written under pytest's base
temporary folder: ``<basetemp>/browser-screenshots/<test name>/NN-step.png`` (by default
/tmp/pytest-of-<user>/pytest-current/browser-screenshots/).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from ..scale.serving import environment, gunicorn, operator_cli, own_database, token_from
from .people import PARTIES, PASSWORD, PEOPLE, TIMEOUT_MS, ServedSite, Steps

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_BROWSER = "POLICYHUB_REQUIRE_BROWSER"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The browser's path; skips (or fails, under POLICYHUB_REQUIRE_BROWSER) before anything is started."""
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get(REQUIRE_BROWSER, "").strip().lower() not in ("", "0", "false", "no", "off"):
            pytest.fail(f"{message}, and {REQUIRE_BROWSER} is set", pytrace=False)
        pytest.skip(f"{message}; set {REQUIRE_BROWSER}=1 to make this a failure")
    return CHROMIUM


@pytest.fixture(scope="session")
def site(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The app served for the browser, on a database of its own."""
    root = tmp_path_factory.mktemp("browser-site")
    server = os.environ.get("POLICYHUB_TEST_DATABASE_URL")
    with own_database("postgresql" if server else "sqlite", root, server) as url:
        instance = root / "instance"
        served = ServedSite(base="", instance=instance)
        with operator_cli(url, instance) as cli:
            cli("db", "upgrade")
            for slug, name, colour in PARTIES:
                cli("parties", "create", slug, "--name", name, "--colour", colour)
            for person in PEOPLE:
                extra = ["--admin"] if person.admin else ["--party", person.party, "--role", person.role]
                cli("users", "create", person.email, "--name", person.name, "--password", PASSWORD, *extra)
                served.tokens[person.email] = token_from(cli("users", "token", person.email))
        # Static files cached for an hour, as a production proxy would: each page then costs one request
        # instead of ten revalidations on gunicorn's two sync workers.
        env = environment(url, instance, POLICYHUB_SECURE_COOKIES="0", POLICYHUB_SEND_FILE_MAX_AGE_DEFAULT="3600")
        with gunicorn(env, workers=2) as base:
            served.base = base
            yield served


@pytest.fixture(scope="session")
def browser(chromium: Path, site: ServedSite) -> Iterator[Browser]:
    """Chromium, closed before the site stops (an open connection would hold a sync worker in its graceful
    shutdown)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        yield launched
        launched.close()


CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def screenshot_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-screenshots", numbered=False)


@pytest.fixture
def screenshot_folder(request: pytest.FixtureRequest, screenshot_root: Path) -> Path:
    folder = screenshot_root / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def new_page(request: pytest.FixtureRequest, browser: Browser, site: ServedSite,
             screenshot_folder: Path) -> Iterator[Callable[..., Page]]:
    """``new_page()``: a page in a browser of its own (own cookies), as a separate person would have. When the
    test fails, each page's last state is saved as failed-N.png beside the step screenshots."""
    contexts: list[BrowserContext] = []

    def open_page(**options: Any) -> Page:
        context = browser.new_context(base_url=site.base, viewport={"width": 1280, "height": 900}, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()
    yield open_page
    failed = request.node.stash.get(CALL_FAILED, False)
    for n, context in enumerate(contexts, 1):
        if failed:
            for page in context.pages:
                page.screenshot(path=str(screenshot_folder / f"failed-{n}.png"), full_page=True)
        context.close()


@pytest.fixture
def steps(screenshot_folder: Path) -> Steps:
    return Steps(screenshot_folder)

"""Page benchmarks: the document page under gunicorn against a bare Flask page of the same size, page time
against history length, and conditional GETs.

    python bench/pages.py [--smoke] [--seconds 10] [--revisions 10000]

Throughput: gunicorn with 2 sync workers serves the demo's longest document page to wrk (16 connections, on
loopback, sharing the 2 cores as a real single-box site does); the baseline is bench/bare_app.py, a bare Flask
route that reads one SQLite row and renders a Jinja page of the same byte size, served and loaded the same
way in the same run. History: the document page and the first history page of a document with 10,000
revisions against one with 10, rendered in-process with the page cache off (median of interleaved requests), with
the SQL statements each page runs counted.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import Figure, median, ratio_at_least, ratio_at_most
from serving import database, flask_cli, get, gunicorn, site_environment, temp_folder, wrk

BENCH = Path(__file__).resolve().parent
PAGE = "/documents/fair-votes"
SHORT, FULL, LONG = "history-short", "history-full", "history-long"
FULL_COUNT = 25  # REVISIONS_PER_PAGE: a history whose first page is full


@contextmanager
def demo_site(folder: Path) -> Iterator[dict[str, str]]:
    with database("sqlite", None, folder) as url:
        env = site_environment(url, folder / "instance")
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "demo")
        yield env


def throughput(env: dict[str, str], folder: Path, seconds: float) -> list[Figure]:
    with gunicorn("policyhub:create_app()", env, ready_path=PAGE) as site:
        status, page = get(site + PAGE)
        assert status == 200, f"{PAGE} answered {status}"
        wrk(site + PAGE, seconds=1)  # warm-up: each worker's first requests fill its caches
        ours = wrk(site + PAGE, seconds=seconds)
        etag_load = conditional_get_load(site, seconds)
    bare_env = {**env, "BARE_PAGE_BYTES": str(len(page)), "BARE_DATABASE": str(folder / "bare.db")}
    with gunicorn("bare_app:create_app()", bare_env, cwd=BENCH) as bare_site:
        wrk(bare_site, seconds=1)
        bare = wrk(bare_site, seconds=seconds)
    label = f"bare Flask + Jinja page of {len(page) // 1024} KB, one SQLite row"
    figures = [
        ratio_at_least("document page, 2 workers: requests/s", ours.requests_per_second, "req/s",
                       bare.requests_per_second, 0.8, label),
        ratio_at_most("document page, 2 workers: p99 latency", ours.p99_ms, "ms", bare.p99_ms, 2, label),
        Figure("document page: non-2xx answers under load", ours.errors, "", "= 0", ours.errors == 0),
    ]
    if etag_load is not None:
        figures.append(Figure("document page, conditional GET (304): requests/s", etag_load, "req/s"))
    return figures


def conditional_get_load(site: str, seconds: float) -> float | None:
    """Requests/s of revalidations that answer 304, when the page carries an ETag."""
    import urllib.request
    with urllib.request.urlopen(site + PAGE) as response:
        etag = response.headers.get("ETag")
    if not etag:
        return None
    script = BENCH / ".if-none-match.lua"
    script.write_text(f'wrk.headers["If-None-Match"] = {etag!r}\n'.replace("'", '"'))
    try:
        return wrk(site + PAGE, seconds=seconds / 2, script=script).requests_per_second
    finally:
        script.unlink(missing_ok=True)


def build_histories(env: dict[str, str], revisions: int) -> None:
    """Three documents, made through the save service: one with 10 revisions, one whose first history page is
    full, one with ``revisions``."""
    from policyhub import create_app
    from policyhub.accounts.models import User
    from policyhub.documents import services
    from policyhub.extensions import db
    from sqlalchemy import select
    app = create_app({"DATABASE_URL": env["POLICYHUB_DATABASE_URL"], "INSTANCE_PATH": env["POLICYHUB_INSTANCE_PATH"],
                      "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        author = db.session.scalar(select(User).where(User.email == "tom@labour.example"))
        body = "\n\n".join(f"## Section {n}\n\nParagraph {n} of a policy paper on fair votes." for n in range(30))
        for slug, count in ((SHORT, 10), (FULL, FULL_COUNT), (LONG, revisions)):
            document = services.create_document(author, title=slug, body=body, policy_area="Benchmarks", slug=slug)
            for number in range(2, count + 1):
                services.save_revision(author, document, body=f"{body}\n\nEdit {number}.", base_number=number - 1)
        db.session.remove()


def history_figures(env: dict[str, str], revisions: int, rounds: int) -> list[Figure]:
    """Page time of the long history against the short one, in-process, interleaved: rendered (the page cache
    off: the work itself, with its SQL statements counted) and as a visitor gets it (the cache on)."""
    from policyhub import create_app
    from policyhub.extensions import db
    from sqlalchemy import event
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    figures: list[Figure] = []
    for how, cache_bytes in (("rendered", 0), ("for a visitor", 32 * 1024 * 1024)):
        app = create_app({"DATABASE_URL": env["POLICYHUB_DATABASE_URL"],
                          "INSTANCE_PATH": env["POLICYHUB_INSTANCE_PATH"], "SECRET_KEY": "bench", "TESTING": False,
                          "RATELIMIT_ENABLED": False, "SECURE_COOKIES": False, "PAGE_CACHE_BYTES": cache_bytes})
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
        client = app.test_client(use_cookies=False)
        for name, pattern in {"document page": "/documents/{}", "history page": "/documents/{}/history"}.items():
            timings: dict[str, list[float]] = {SHORT: [], FULL: [], LONG: []}
            queries: dict[str, int] = {}
            for _ in range(rounds):
                for slug in (SHORT, FULL, LONG):
                    statements = 0
                    started = time.perf_counter()
                    response = client.get(pattern.format(slug))
                    timings[slug].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (pattern, response.status_code)
                    queries[slug] = statements
            short, long = median(timings[SHORT]), median(timings[LONG])
            figures.append(ratio_at_most(f"{name} {how}, {revisions:,} revisions: median time", long, "ms", short,
                                         1.10, "10 revisions"))
            if name == "history page":  # 10 revisions list 10 rows, the others a full page of 25
                figures.append(ratio_at_most(f"{name} {how}, {revisions:,} revisions: median time", long, "ms",
                                             median(timings[FULL]), 1.10, f"{FULL_COUNT} revisions, a full page"))
            if not cache_bytes:
                figures.append(Figure(f"{name}: SQL statements (10 / {revisions:,} revisions)", queries[LONG], "",
                                      f"= {queries[SHORT]}", queries[LONG] == queries[SHORT]))
    return figures


def figures(smoke: bool = False, seconds: float = 10, revisions: int = 10_000) -> list[Figure]:
    if smoke:
        seconds, revisions = 1, 60
    with temp_folder("policyhub-pages-") as folder, demo_site(folder) as env:
        results = throughput(env, folder, seconds)
        started = time.perf_counter()
        build_histories(env, revisions)
        results.append(Figure(f"building a {revisions:,}-revision history through the save service",
                              (time.perf_counter() - started) * 1000 / revisions, "ms/save"))
        results += history_figures(env, revisions, rounds=20 if smoke else 300)
    return results


def main() -> None:
    from run import print_table
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--revisions", type=int, default=10_000)
    args = parser.parse_args()
    print_table(figures(args.smoke, args.seconds, args.revisions))


if __name__ == "__main__":
    sys.exit(main())

"""Save benchmark: PUT /api/v1/documents/<slug> of a 30 KB and of a 256 KB document, the search index job included.

    python bench/save.py [--smoke] [--saves 40] [--profile]

A throwaway SQLite site (schema by db.create_all, as the tests make it) with one party member holding an API
token, and two documents of generated Markdown (bench/corpus.py: headings, paragraphs, lists, links, emphasis,
tables), the larger within 1 KB of the 256 KB cap (--smoke: 4 KB and 16 KB, 3 saves each). Each save is a small
edit (one to three words of one block) on the current revision, sent through the Flask test client with the
Bearer token. It is timed from the request until the search index job it queued has been applied: closing the
response runs what a server runs once the response is sent (search.services.drain: apply the queued jobs, then
tidy the index), and the queue must be empty afterwards. Each document gets one untimed save first, as a running
server has warmed up. Baseline: p95 of render() alone of the same texts, the part of a save no storage change can
remove.

--profile then saves further copies of both documents under cProfile and prints the top functions of each
part (the request; the index job), in ms per save.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from common import Figure, at_most, p95_ms, percentile
from corpus import KB, Writer, join, make_vocabulary, small_edit
from flask import Flask

from policyhub.text.rendering import MAX_DOCUMENT_BYTES, render

SEED = 20261126
# Document sizes (bytes) and the p95 each save must keep to; the larger as close to the cap as blocks allow,
# leaving room for the edits to grow it a little.
TARGETS = ((30 * KB, 50.0), (MAX_DOCUMENT_BYTES - KB, 400.0))
SMOKE_TARGETS = ((4 * KB, 50.0), (16 * KB, 400.0))
BASELINE = "render() alone of the same texts"


@dataclass
class Saves:
    """Timings of the saves of one document, and the texts saved."""

    label: str
    total_ms: list[float] = field(default_factory=list)
    request_ms: list[float] = field(default_factory=list)
    index_ms: list[float] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class Profiles:
    """cProfile of the two parts of a save: the request (until the response is sent) and the index job after."""

    request: cProfile.Profile = field(default_factory=cProfile.Profile)
    index: cProfile.Profile = field(default_factory=cProfile.Profile)


@contextmanager
def site() -> Iterator[tuple[Flask, dict[str, str]]]:
    """A fresh app on a temporary SQLite database, and the Authorization header of a member's API token."""
    from policyhub import create_app
    from policyhub.accounts.services import create_token, register_user
    from policyhub.extensions import db
    from policyhub.parties.services import add_member, create_party
    from policyhub.permissions import SYSTEM
    from policyhub.search.services import rebuild

    with tempfile.TemporaryDirectory(prefix="policyhub-save-") as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}",
                          "INSTANCE_PATH": str(Path(folder) / "instance"), "SECRET_KEY": "bench",
                          "TESTING": True, "RATELIMIT_ENABLED": False, "SMTP_URL": None})
        with app.app_context():
            db.create_all()
            member = register_user("member@example.org", "Mona Member", "correct horse battery staple",
                                   confirmed=True)
            add_member(SYSTEM, member, create_party(SYSTEM, "bench", "Bench", "#336699"))
            _token, raw = create_token(None, member, "bench")
            rebuild()  # an empty index, as `flask search reindex` makes it before a site opens
            db.session.remove()
        try:
            yield app, {"Authorization": f"Bearer {raw}"}
        finally:
            with app.app_context():
                db.engine.dispose()


def create(app: Flask, title: str, body: str) -> tuple[str, int]:
    """A document by the site's member, indexed; its slug and revision number."""
    from policyhub.accounts.models import User
    from policyhub.documents import services
    from policyhub.extensions import db
    from policyhub.search.services import apply_pending_jobs

    with app.app_context():
        member = db.session.query(User).one()
        document = services.create_document(member, title=title, body=body, policy_area="Benchmarks")
        slug, number = document.slug, document.current_number
        apply_pending_jobs()
        db.session.remove()
    return slug, number


def pending(app: Flask) -> int:
    from policyhub.extensions import db
    from policyhub.search.services import pending_jobs

    with app.app_context():
        try:
            return pending_jobs()
        finally:
            db.session.remove()


def save_many(app: Flask, auth: dict[str, str], writer: Writer, blocks: list[str], label: str, count: int,
              profiles: Profiles | None = None) -> Saves:
    """Create a document of ``blocks``, then save ``count`` small edits of it through the API, timing each."""
    slug, number = create(app, f"A shared agenda, {label}", join(blocks))
    client = app.test_client()
    saves = Saves(label)
    for attempt in range(count + 1):  # the first one warms up and is not timed
        small_edit(writer, blocks)
        text = join(blocks)
        assert len(text.encode()) <= MAX_DOCUMENT_BYTES, "the edits made the document too large"
        payload = json.dumps({"body": text, "base_revision": number, "summary": "A small edit"})
        profiling = profiles is not None and attempt > 0
        if profiling:
            profiles.request.enable()
        started = time.perf_counter()
        response = client.put(f"/api/v1/documents/{slug}", data=payload, content_type="application/json",
                              headers=auth)
        answer = response.get_data()
        sent = time.perf_counter()
        if profiling:
            profiles.request.disable()
            profiles.index.enable()
        response.close()  # as a server does once the response is sent: runs the search index drain
        done = time.perf_counter()
        if profiling:
            profiles.index.disable()
        assert response.status_code == 200, (response.status_code, answer[:300])
        result = json.loads(answer)
        assert result["changed"] and not result["merged"], result
        assert pending(app) == 0, "the save's search index job was not applied when its response closed"
        number = result["revision"]["number"]
        if attempt:
            saves.total_ms.append((done - started) * 1000)
            saves.request_ms.append((sent - started) * 1000)
            saves.index_ms.append((done - sent) * 1000)
            saves.texts.append(text)
    return saves


def figures(smoke: bool = False, count: int = 40, profile: bool = False) -> list[Figure]:
    count, targets = (3, SMOKE_TARGETS) if smoke else (count, TARGETS)
    rng = random.Random(SEED)
    writer = Writer(rng, make_vocabulary(rng), tables=True)
    documents = [sized(writer, size) for size, _limit in targets]
    with site() as (app, auth):
        measured = [save_many(app, auth, writer, blocks, f"{len(join(blocks).encode()) / KB:.0f} KB", count)
                    for blocks in documents]
        if profile:  # further saves of fresh documents, so that the figures above stay free of cProfile
            for saves, blocks in zip(measured, documents):
                profiles = Profiles()
                save_many(app, auth, writer, list(blocks), saves.label, count, profiles)
                print_profile(profiles.request, count, f"{saves.label} saves, the request until the response is sent")
                print_profile(profiles.index, count, f"{saves.label} saves, the search index job after the response")
    result = []
    for saves, (_size, limit) in zip(measured, targets):
        result += [
            at_most(f"API save (PUT) of a {saves.label} document, render and index job included: p95",
                    percentile(saves.total_ms, 95), "ms", limit,
                    baseline=p95_ms([lambda text=text: render(text) for text in saves.texts]),
                    baseline_name=BASELINE),
            Figure("of which the request, until the response is sent: p95", percentile(saves.request_ms, 95), "ms"),
            Figure("of which the search index job after the response (drain): p95",
                   percentile(saves.index_ms, 95), "ms"),
        ]
    return result


def sized(writer: Writer, size: int) -> list[str]:
    """Blocks of a new document of about ``size`` bytes, never more."""
    blocks = writer.document(size)
    while len(join(blocks).encode()) > size and len(blocks) > 2:
        blocks.pop()
    return blocks


def print_profile(profiler: cProfile.Profile, count: int, part: str) -> None:
    """The functions one part of the saves spends most time in, in ms per save."""
    stats = pstats.Stats(profiler)
    for column, title in ((2, "own time"), (3, "time including calls")):
        print(f"\n{part}: top functions by {title}, ms per save (under cProfile):")
        rows = sorted(stats.stats.items(), key=lambda item: item[1][column], reverse=True)  # type: ignore[attr-defined]
        for (filename, line, name), (_calls, primitive, own, cumulative, _callers) in rows[:20]:
            where = filename.split("site-packages/")[-1].replace(str(Path(__file__).resolve().parent.parent) + "/", "")
            print(f"  {own / count * 1000:8.2f} own {cumulative / count * 1000:8.2f} cum  {primitive / count:8.0f} calls"
                  f"  {where}:{line}({name})")


def main() -> None:
    from run import print_table
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: prove the script runs")
    parser.add_argument("--saves", type=int, default=40, help="timed saves per document")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions of the saves")
    args = parser.parse_args()
    print_table(figures(args.smoke, args.saves, args.profile))


if __name__ == "__main__":
    sys.exit(main())

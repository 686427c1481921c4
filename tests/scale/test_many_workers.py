"""Four gunicorn workers, fifty concurrent API clients saving edits and proposing and accepting amendments:
no word is lost, nothing half-written, no 500, and search finds every final text. On SQLite and PostgreSQL."""
from __future__ import annotations

import random
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from .serving import environment, gunicorn, own_database, prepare_site, request

CLIENTS = 50
OPERATIONS = 4          # per client
DOCUMENTS = 4
PARAGRAPHS = 12
CLIENT_DEADLINE = 240   # seconds for all clients together; a hang fails the test instead of stalling CI


@dataclass
class Outcome:
    client: int
    kind: str           # "edit" | "propose" | "accept"
    slug: str
    token: str          # the unique word this operation added
    status: int
    revision: int | None = None


def paragraphs_of(slug: str) -> str:
    return "\n\n".join(f"Paragraph {i} of {slug} about fair votes and clean rivers." for i in range(PARAGRAPHS))


def with_word(body: str, rng: random.Random, word: str) -> str:
    """The body with ``word`` added to one paragraph, so that concurrent edits sometimes touch and sometimes
    merge cleanly."""
    parts = body.split("\n\n")
    i = rng.randrange(len(parts))
    parts[i] = f"{parts[i]} {word}"
    return "\n\n".join(parts)


def run_client(base: str, n: int, member_token: str, lead_token: str, slugs: list[str],
               outcomes: list[Outcome], lock: threading.Lock) -> None:
    rng = random.Random(n)
    for k in range(OPERATIONS):
        slug = rng.choice(slugs)
        status, document = request("GET", f"{base}/api/v1/documents/{slug}")
        record = []
        if status != 200:
            record.append(Outcome(n, "read", slug, "", status))
        elif k % 2 == 0:
            word = f"edit{n}x{k}"
            status, answer = request("PUT", f"{base}/api/v1/documents/{slug}", token=member_token, body={
                "body": with_word(document["body"], rng, word), "base_revision": document["current_revision"],
                "summary": f"client {n}"})
            record.append(Outcome(n, "edit", slug, word, status,
                                  answer["revision"]["number"] if status == 200 and answer["changed"] else None))
        else:
            word = f"amend{n}x{k}"
            status, amendment = request("POST", f"{base}/api/v1/documents/{slug}/amendments", token=member_token,
                                        body={"title": f"Amendment from client {n}", "rationale": "Better.",
                                              "body": with_word(document["body"], rng, word),
                                              "base_revision": document["current_revision"]})
            record.append(Outcome(n, "propose", slug, word, status))
            if status == 201:
                status, decided = request(
                    "POST", f"{base}/api/v1/documents/{slug}/amendments/{amendment['number']}/accept",
                    token=lead_token, body={})
                record.append(Outcome(n, "accept", slug, word, status,
                                      decided["revision"]["number"] if status == 200 else None))
        with lock:
            outcomes.extend(record)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_fifty_clients_on_four_workers_lose_nothing(database, tmp_path: Path, postgres_url):
    if database == "postgresql" and postgres_url is None:
        pytest.skip("needs PostgreSQL and no PostgreSQL URL is configured: set POLICYHUB_TEST_DATABASE_URL")
    instance = tmp_path / "instance"
    with own_database(database, tmp_path, postgres_url) as url:
        site = prepare_site(url, instance)
        env = environment(url, instance)
        outcomes: list[Outcome] = []
        with gunicorn(env, workers=4) as base:
            slugs = []
            for d in range(DOCUMENTS):
                status, created = request("POST", f"{base}/api/v1/documents", token=site.member_tokens[0], body={
                    "title": f"Paper {d}", "body": paragraphs_of(f"paper{d}"), "policy_area": "Democracy"})
                assert status == 201, created
                slugs.append(created["slug"])
            lock = threading.Lock()
            threads = [threading.Thread(target=run_client, daemon=True, args=(
                base, n, site.member_tokens[n % len(site.member_tokens)], site.lead_token, slugs, outcomes, lock))
                for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=CLIENT_DEADLINE)
            assert not any(thread.is_alive() for thread in threads), "clients still waiting at the deadline"

        statuses = Counter((o.kind, o.status) for o in outcomes)
        assert not [o for o in outcomes if o.status >= 500], statuses
        assert statuses[("edit", 200)] + statuses[("accept", 200)] > 0, statuses
        assert {o.status for o in outcomes if o.kind == "edit"} <= {200, 409}, statuses
        assert {o.status for o in outcomes if o.kind == "accept"} <= {200, 409}, statuses
        assert {o.status for o in outcomes if o.kind in ("propose", "read")} <= {200, 201}, statuses
        check_database(site, slugs, outcomes)


def check_database(site, slugs: list[str], outcomes: list[Outcome]) -> None:
    from policyhub.documents.models import Document, Revision
    from policyhub.extensions import db
    from policyhub.search import services as search
    from policyhub.search.query import SearchQuery

    app = site.app()
    with app.app_context():
        for slug in slugs:
            document = db.session.scalar(select(Document).where(Document.slug == slug))
            revisions = {r.number: r.body for r in db.session.scalars(
                select(Revision).where(Revision.document_id == document.id))}
            # Gap-free numbers, and the pointer at the last one.
            assert sorted(revisions) == list(range(1, document.current_number + 1))
            saved = [o for o in outcomes if o.slug == slug and o.revision is not None]
            # Every successful save is exactly one revision, holding the word it added...
            assert sorted(o.revision for o in saved) == list(range(2, document.current_number + 1))
            for o in saved:
                assert re.search(rf"\b{o.token}\b", revisions[o.revision]), (o, revisions[o.revision])
            # ...and every refused one left no trace in any revision.
            refused = [o for o in outcomes if o.slug == slug and o.status == 409]
            for o in refused:
                assert not any(re.search(rf"\b{o.token}\b", body) for body in revisions.values()), o
            # Merging keeps every saved word (changes that touch are refused, not overwritten), and search
            # finds each of them in the final text.
            search.apply_pending_jobs(include_delayed=True)
            final = revisions[document.current_number]
            for o in saved:
                assert re.search(rf"\b{o.token}\b", final), o
                hits = search.search(SearchQuery(text=o.token, kind="document")).hits
                assert [h.slug for h in hits] == [slug], o
        db.session.remove()
        db.engine.dispose()

"""Load benchmark: a mixed workload against a running PolicyHub, for a bounded time.

    python bench/load.py --url http://127.0.0.1:8000 [--token TOKEN] [--concurrency 16] [--seconds 20]
    python bench/load.py --serve sqlite --workers 4        # builds a demo site in a temp folder and serves it
    python bench/load.py --serve postgresql --workers 4 --database-server postgresql://postgres@127.0.0.1/postgres

The mix is what a policy site sees: mostly reads (document pages, history, a diff, the API document), some
searches, and a few saves through the API (only with a token; ``--serve`` makes one). Each client is a thread
with its own keep-alive connection. Prints requests/s overall and p50/p95/p99 latency per kind of request,
and counts any answer that is not 2xx (a 409 from two saves on the same base is expected; a 5xx is not).
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlsplit

from serving import database, flask_cli, gunicorn, site_environment, temp_folder

# kind: weight (per 100 requests)
MIX = {"document page": 40, "history page": 15, "diff page": 10, "api document": 15, "search": 15, "api save": 5}
SEARCH_WORDS = ("climate", "rail", "votes", "housing", "energy", "proportional", "fares", "insulation", "tax")


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


class Client:
    """One keep-alive connection; reconnects after an error."""

    def __init__(self, url: str, token: str | None) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token
        self.connection: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token and path.startswith("/api/") and method != "GET":
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            return 0, b""


def run(url: str, token: str | None, concurrency: int, seconds: float) -> None:
    probe = Client(url, token)
    status, raw = probe.call("GET", "/api/v1/documents")
    if status != 200:
        sys.exit(f"{url}/api/v1/documents answered {status}: is PolicyHub running there?")
    listed = json.loads(raw)["documents"]
    documents = [(d["slug"], d["current_revision"]) for d in listed]
    drafts = [d["slug"] for d in listed if d["status"] == "draft"]  # only drafts take edits
    if not documents:
        sys.exit("The site has no documents to read; load the demo first (flask --app policyhub demo).")
    mix = {kind: weight for kind, weight in MIX.items() if token or kind != "api save"}
    kinds, weights = list(mix), list(mix.values())
    timings: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(n: int) -> None:
        rng = random.Random(n)
        client = Client(url, token)
        local: list[tuple[str, int, float]] = []
        while time.monotonic() < stop_at:
            kind = rng.choices(kinds, weights)[0]
            slug, last = rng.choice(documents)
            t0 = time.perf_counter()
            if kind == "document page":
                status, _ = client.call("GET", f"/documents/{slug}")
            elif kind == "history page":
                status, _ = client.call("GET", f"/documents/{slug}/history")
            elif kind == "diff page":
                status, _ = client.call("GET", f"/documents/{slug}/diff?from=1&to={max(1, last)}")
            elif kind == "api document":
                status, _ = client.call("GET", f"/api/v1/documents/{slug}")
            elif kind == "search":
                status, _ = client.call("GET", f"/search?q={rng.choice(SEARCH_WORDS)}")
            else:
                slug = rng.choice(drafts or [slug])
                status, raw = client.call("GET", f"/api/v1/documents/{slug}")
                if status == 200:
                    current = json.loads(raw)
                    t0 = time.perf_counter()
                    status, _ = client.call("PUT", f"/api/v1/documents/{slug}", {
                        "body": current["body"] + f"\n\nLoad test line {n}-{len(local)}.",
                        "base_revision": current["current_revision"], "summary": "bench/load.py"})
            local.append((kind, status, (time.perf_counter() - t0) * 1000))
        with lock:
            for kind, status, elapsed in local:
                timings[kind].append(elapsed)
                statuses[(kind, status)] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    total = sum(len(v) for v in timings.values())
    print(f"{total} requests in {elapsed:.1f} s with {concurrency} clients: {total / elapsed:.0f} requests/s")
    print(f"{'kind':16s} {'count':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}")
    for kind in kinds:
        values = timings.get(kind, [])
        print(f"{kind:16s} {len(values):6d} {percentile(values, 50):8.1f} {percentile(values, 95):8.1f} "
              f"{percentile(values, 99):8.1f}")
    odd = {f"{kind} {status or 'no answer'}": count for (kind, status), count in sorted(statuses.items())
           if not 200 <= status < 300}
    print("answers other than 2xx:", odd or "none")


# --- --serve: a throwaway demo site under gunicorn --------------------------------------------------------

@contextmanager
def serve(kind: str, workers: int, server: str | None) -> Iterator[tuple[str, str]]:
    with temp_folder("policyhub-load-") as folder, database(kind, server, folder) as database_url:
        env = site_environment(database_url, folder / "instance")
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "demo")
        out = flask_cli(env, "users", "token", "tom@labour.example", "--label", "bench")
        token = out.strip().splitlines()[-1].strip()
        with gunicorn("policyhub:create_app()", env, workers=workers, ready_path="/api/v1/parties") as url:
            yield url, token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running PolicyHub")
    parser.add_argument("--token", help="an API token, to include saves in the mix")
    parser.add_argument("--serve", choices=("sqlite", "postgresql"), help="serve a throwaway demo site")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers for --serve")
    parser.add_argument("--database-server", help="PostgreSQL server URL for --serve postgresql")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    if args.serve:
        with serve(args.serve, args.workers, args.database_server) as (url, token):
            print(f"{args.serve}, {args.workers} gunicorn worker(s), demo content")
            run(url, token, args.concurrency, args.seconds)
    elif args.url:
        run(args.url.rstrip("/"), args.token, args.concurrency, args.seconds)
    else:
        parser.error("give --url or --serve")


if __name__ == "__main__":
    main()

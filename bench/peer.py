"""PolicyHub against a peer on the same machine: An Otter Wiki serving the same 1,000 pages (issue 7).

    python bench/peer.py [--smoke]

An Otter Wiki (PyPI ``otterwiki``, pinned below) is installed into its own virtual environment at
bench/.peer-venv on first use. Both sites get the same deterministic policy-paper-like Markdown pages of
3–8 KB from bench/corpus.py (Zipf-distributed made-up words; headings, paragraphs, lists, links, emphasis):
PolicyHub as documents in a throwaway SQLite database with its search index rebuilt, An Otter Wiki as
Markdown files committed in one commit to a throwaway git repository. Each is served by gunicorn with 2 sync
workers on a loopback port. An Otter Wiki is measured twice: with the list of pages in its sidebar switched
off (its fastest way to serve pages: the baseline of the targets), and with its stock settings, where that
list holds all 1,000 pages on every page (for context).

Page throughput: wrk (2 threads, 16 connections, 30 s timeout) cycles through every page's address
(bench/peer_paths.lua) after a warm-up of the same kind. Search: the same 30 queries (10 single words from
common to rare, 10 pairs of words, 10 three-word phrases) are sent one after the other over HTTP, after 8 others that warm up the workers;
p50/p95 of their answer times. The machine (2 cores) is shared and its background load drifts, so PolicyHub
and the peer are both up and measured in alternation: three 5 s rounds of wrk each (medians reported), then
each query to one and then to the other. Only one of them is ever under load; the other waits idle.

The search engines differ: PolicyHub matches stemmed words anywhere in a document (a phrase in quotes), An
Otter Wiki scans every file for the query as a literal, case-insensitive string, so its "two words" find
only pages where they stand together. PolicyHub shows 20 results a page, An Otter Wiki all of them.

Targets: PolicyHub serves at least twice An Otter Wiki's pages per second, and its search p95 is at most a
tenth of An Otter Wiki's. Without network access to install An Otter Wiki, the figures carry no result and
a note says why.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from common import ROOT, Figure, median, percentile, ratio_at_least, ratio_at_most
from corpus import Writer, join, make_vocabulary
from serving import WRK, database, flask_cli, gunicorn, site_environment, temp_folder

BENCH = Path(__file__).resolve().parent
PEER_VENV = BENCH / ".peer-venv"
OTTERWIKI_VERSION = "2.26.1"
GUNICORN_VERSION = "27.0.1"  # the one PolicyHub is served with, so that only the applications differ
PEER = f"An Otter Wiki {OTTERWIKI_VERSION}"
PAGES_SCRIPT = BENCH / "peer_paths.lua"
WORKERS = 2
AUTHOR_EMAIL = "bench@policyhub.example"

# --- the pages --------------------------------------------------------------------------------------------

AREAS = ("Democratic reform", "Climate", "Housing", "Transport", "Inequality")
SEED = 7


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    area: str
    body: str

    @property
    def marker(self) -> str:
        """A word that only this page holds, to check that a site serves and finds the right page."""
        return f"PH{self.slug[-4:]}"


def make_pages(count: int) -> tuple[list[Page], list[str]]:
    """``count`` policy papers of 3–8 KB of Markdown from bench/corpus.py, the same every run (the first 50 of
    1,000 are the 50 of a smoke run), and the vocabulary they are written in, commonest words first."""
    rng = random.Random(SEED)
    vocabulary = make_vocabulary(rng)
    writer = Writer(rng, vocabulary)
    pages = []
    for number in range(1, count + 1):
        heading, *blocks = writer.document(rng.randint(3000, 8000))
        slug = f"paper-{number:04d}"
        page = Page(slug, heading.removeprefix("# "), rng.choice(AREAS), "")
        pages.append(replace(page, body=join([heading, f"Paper reference {page.marker}.", *blocks])))
    return pages, vocabulary


@dataclass(frozen=True)
class Query:
    text: str
    phrase: bool = False

    def policyhub_path(self) -> str:
        return "/search?q=" + urllib.parse.quote_plus(f'"{self.text}"' if self.phrase else self.text)

    def otterwiki_path(self) -> str:
        # An Otter Wiki searches for the text as it is (quotes would be searched for too); GET takes it in the path
        return "/-/search/" + urllib.parse.quote(self.text, safe="")


def make_queries(pages: list[Page], vocabulary: list[str]) -> tuple[list[Query], list[Query]]:
    """30 queries, and 8 others to warm up with. Single words from the commonest (on every page) to rare ones
    (on a few pages); pairs of words and three-word phrases that stand together somewhere, so that An Otter
    Wiki, which looks for a literal string, finds pages for each too. Words of 5 letters and more: a shorter
    one is found inside many other words by a literal search."""
    rng = random.Random(SEED)
    long_words = [(rank, word) for rank, word in enumerate(vocabulary) if len(word) >= 5]
    words = [next(word for rank, word in long_words if rank >= at)
             for at in (2, 8, 25, 60, 150, 400, 900, 1800, 3000, 4500, 5, 40, 700, 2500)]
    runs = [tokens[i:i + 3] for page in pages[:50] for tokens in [page.body.split()] for i in range(len(tokens) - 2)
            if all(re.fullmatch(r"[a-z]{3,}", token) for token in tokens[i:i + 3])]
    pairs = [" ".join(run[:2]) for run in rng.sample(runs, 14)]
    phrases = [" ".join(run) for run in rng.sample(runs, 14)]
    queries = ([Query(word) for word in words[:10]] + [Query(pair) for pair in pairs[:10]]
               + [Query(phrase, phrase=True) for phrase in phrases[:10]])
    warm_up = [Query(text, phrase=len(text.split()) == 3) for text in (*words[10:], *pairs[10:12], *phrases[10:12])]
    return queries, warm_up


# --- the peer's virtual environment -------------------------------------------------------------------------


def _installed_versions(python: Path) -> tuple[str, str] | None:
    if not python.exists():
        return None
    script = "import importlib.metadata as m; print(m.version('otterwiki'), m.version('gunicorn'))"
    found = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=False)
    return tuple(found.stdout.split()) if found.returncode == 0 else None  # type: ignore[return-value]


def peer_python() -> tuple[Path | None, str]:
    """The peer venv's Python, creating the venv and installing the pinned packages when needed; or None and
    why not (no network, no venv module, ...)."""
    python = PEER_VENV / "bin" / "python"
    if _installed_versions(python) == (OTTERWIKI_VERSION, GUNICORN_VERSION):
        return python, "already installed"
    steps = []
    if not python.exists():
        steps.append([sys.executable, "-m", "venv", str(PEER_VENV)])
    steps.append([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--retries", "1",
                  "--timeout", "20", f"otterwiki=={OTTERWIKI_VERSION}", f"gunicorn=={GUNICORN_VERSION}"])
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return None, f"{' '.join(step[:3])} failed: {error}"
        if done.returncode != 0:
            last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
            return None, f"{' '.join(step[:4])} failed: {' / '.join(last)}"
    if _installed_versions(python) != (OTTERWIKI_VERSION, GUNICORN_VERSION):
        return None, f"{PEER_VENV} does not hold otterwiki {OTTERWIKI_VERSION} after installing it"
    return python, f"installed otterwiki {OTTERWIKI_VERSION} into {PEER_VENV.relative_to(ROOT)}"


# --- the two sites ------------------------------------------------------------------------------------------


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
    """Run a set-up step; on failure raise with what it printed (CalledProcessError alone hides it)."""
    done = subprocess.run(command, capture_output=True, text=True, check=False,  # type: ignore[call-overload]
                          **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:6])} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


def _flask(env: dict[str, str], *args: str) -> str:
    try:
        return flask_cli(env, *args)
    except subprocess.CalledProcessError as error:  # its message alone leaves out why
        raise RuntimeError(f"flask {' '.join(args[:2])} failed:\n{error.stderr[-3000:]}") from None


@contextmanager
def policyhub_site(folder: Path, pages_file: Path) -> Iterator[str]:
    """A throwaway PolicyHub holding the pages as documents, served by gunicorn; yields its base URL."""
    with database("sqlite", None, folder) as url:
        env = site_environment(url, folder / "instance")
        _flask(env, "db", "upgrade")
        _flask(env, "parties", "create", "bench", "--name", "Bench party", "--colour", "#336699")
        _flask(env, "users", "create", AUTHOR_EMAIL, "--name", "Bench author", "--password",
               secrets.token_urlsafe(18), "--party", "bench")
        _run([sys.executable, __file__, "--load-policyhub", str(pages_file)], env=env, cwd=ROOT)
        _flask(env, "search", "reindex")
        # The saves queued index jobs too, already covered by the rebuild; reindex applies only 500 of them.
        # Apply the rest now, or the first request that drains the queue would, while it is being timed.
        for _ in range(20):  # 500 at a time
            if re.search(r"\b0 still queued", _flask(env, "search", "apply-jobs")):
                break
        with gunicorn("policyhub:create_app()", env, workers=WORKERS, ready_path="/healthz") as site:
            yield site


def _load_policyhub(pages_file: Path) -> None:
    """Create the documents in the database of the PolicyHub the environment names (run in a subprocess)."""
    from policyhub import create_app
    from policyhub.accounts.services import find_user
    from policyhub.documents.services import create_document
    app = create_app()
    with app.app_context():
        author = find_user(AUTHOR_EMAIL)
        for page in json.loads(pages_file.read_text()):
            create_document(author, title=page["title"], body=page["body"], policy_area=page["area"],
                            slug=page["slug"], summary="bench/peer.py")


@contextmanager
def otterwiki_site(python: Path, folder: Path, pages: list[Page], **settings: str) -> Iterator[str]:
    """A throwaway An Otter Wiki holding the pages in its git repository, served by gunicorn; yields its URL.
    ``settings`` change An Otter Wiki's own defaults."""
    repository = folder / "repository"
    repository.mkdir()
    for page in pages:  # lower-case names: An Otter Wiki's default (RETAIN_PAGE_NAME_CASE off)
        (repository / f"{page.slug}.md").write_text(page.body, encoding="utf-8")
    # HOME is the temp folder: no one's git or otterwiki configuration leaks in; nor do environment variables,
    # which An Otter Wiki reads as settings when they share a setting's name
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder), "LANG": "C.UTF-8",
           "OTTERWIKI_SETTINGS": str(folder / "settings.cfg")}
    git = ["git", "-C", str(repository), "-c", "user.name=Bench", "-c", "user.email=bench@example.org"]
    _run(git + ["init", "--quiet"], env=env)
    _run(git + ["add", "--all"], env=env)
    _run(git + ["commit", "--quiet", "--message", f"{len(pages)} policy papers"], env=env)
    (folder / "settings.cfg").write_text(
        f"REPOSITORY = {str(repository)!r}\n"
        f"SECRET_KEY = {secrets.token_hex(16)!r}\n"
        f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(folder / 'otterwiki.db')!r}\n"
        "SITE_NAME = 'Peer wiki'\n"
        "READ_ACCESS = 'ANONYMOUS'\n"
        "WRITE_ACCESS = 'REGISTERED'\n"
        "ATTACHMENT_ACCESS = 'REGISTERED'\n"
        + "".join(f"{name} = {value!r}\n" for name, value in settings.items()))
    # Import once before the workers do: each creates the database tables at import, and two doing it at
    # the same moment on a new SQLite file can collide; this also shows a settings mistake plainly.
    _run([str(python), "-c", "import otterwiki.server"], env=env, cwd=folder)
    with gunicorn("otterwiki.server:app", env, workers=WORKERS, ready_path="/-/healthz", cwd=folder,
                  python=str(python)) as site:
        yield site


# --- measuring ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageLoad:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # answers of 400 and up, and socket errors (timeouts included)


def load_pages(site: str, paths_file: Path, seconds: float) -> PageLoad:
    """wrk cycling through the paths in ``paths_file``; requests/s, latency and errors from the script's summary."""
    if WRK is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    output = _run([WRK, "-t2", "-c16", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(PAGES_SCRIPT),
                   site, "--", str(paths_file)]).stdout
    found = re.search(r"^PEER-RESULT (.*)$", output, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    summary = {key: int(value) for key, value in (item.split("=") for item in found.group(1).split())}
    return PageLoad(
        requests_per_second=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000, p99_ms=summary["p99_us"] / 1000,
        errors=sum(summary[key] for key in ("status", "connect", "read", "write", "timeout")))


def fetch(site: str, path: str) -> tuple[int, str]:
    """GET without following redirects (urllib's would), so that an answer is seen as the site gave it."""
    address = urllib.parse.urlsplit(site)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def search_times(site: str, paths: list[str]) -> list[float]:
    """Milliseconds each search takes, asked one after the other."""
    times = []
    for path in paths:
        started = time.perf_counter()
        status, _ = fetch(site, path)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{site}{path} answered {status}")
    return times


@dataclass(frozen=True)
class Measured:
    pages: PageLoad
    search_ms: list[float]


@dataclass(frozen=True)
class Kind:
    """How to address one kind of site: its name, a page's path from its slug, a search's path from a query."""
    name: str
    page_path: Callable[[str], str]
    search_path: Callable[[Query], str]


POLICYHUB = Kind("PolicyHub", "/documents/{}".format, Query.policyhub_path)
OTTERWIKI = Kind(PEER, "/{}".format, Query.otterwiki_path)


def check_site(kind: Kind, site: str, page: Page) -> None:
    """Before timing anything: the page answers 200 itself (no redirect) with its own text, and search finds it."""
    path = kind.page_path(page.slug)
    status, text = fetch(site, path)
    if status != 200 or page.marker not in text or page.title not in text:
        raise RuntimeError(f"{kind.name}: {path} answered {status} without the page's text")
    path = kind.search_path(Query(page.marker))
    status, text = fetch(site, path)
    if status != 200 or page.slug not in text.lower():  # An Otter Wiki shows Paper-0001
        raise RuntimeError(f"{kind.name}: {path} answered {status} without finding {page.slug}")


def measure(sites: list[tuple[Kind, str, Path]], pages: list[Page], queries: list[Query], warm_up: list[Query],
            seconds: float, rounds: int) -> list[Measured]:
    """Load each site's pages in turn, ``rounds`` times, then ask each query (after the ``warm_up`` ones) of each
    site in turn, so that background load on this shared machine falls on every site alike. Sites are given as
    (kind, base URL, folder for its files); never two are under load at once."""
    paths_files = []
    for kind, site, folder in sites:
        check_site(kind, site, pages[len(pages) // 3])
        paths_files.append(folder / "paths.txt")
        paths_files[-1].write_text("".join(kind.page_path(page.slug) + "\n" for page in pages))
        load_pages(site, paths_files[-1], max(1.0, seconds / 5))  # warm-up: each worker's first requests
    loads: list[list[PageLoad]] = [[] for _ in sites]
    for _ in range(rounds):
        for (kind, site, _folder), paths_file, done in zip(sites, paths_files, loads):
            done.append(load_pages(site, paths_file, seconds / rounds))
    times: list[list[float]] = [[] for _ in sites]
    asked = [*warm_up, *queries] if queries else []
    for query in asked:
        for (kind, site, _folder), done in zip(sites, times):
            done += search_times(site, [kind.search_path(query)])
    return [Measured(_median_load(done), found[len(warm_up):]) for done, found in zip(loads, times)]


def _median_load(rounds: list[PageLoad]) -> PageLoad:
    """The median of each figure over the rounds (one disturbed round does not move it); every error counts."""
    return PageLoad(requests_per_second=median(load.requests_per_second for load in rounds),
                    p50_ms=median(load.p50_ms for load in rounds), p99_ms=median(load.p99_ms for load in rounds),
                    errors=sum(load.errors for load in rounds))


# --- figures ------------------------------------------------------------------------------------------------

# An Otter Wiki's sidebar lists every page of the folder a page is in, on every page: with 1,000 pages in one
# folder each page grows to ~200 KB and costs ~100 ms more. Its administrators can switch that list off
# (Settings > Sidebar Preferences > Page Index Mode); the targets compare with that, its fastest way of
# serving pages, and the stock settings are shown for context. Search pages do not show the list.
PAGE_TREE_OFF = {"SIDEBAR_MENUTREE_MODE": ""}


def unavailable(why: str, count: int) -> list[Figure]:
    print(f"NOTE: bench/peer.py compares nothing: {PEER} is not available ({why}).", file=sys.stderr)
    return [Figure(f"peer, {count:,} pages: PolicyHub page requests/s ({PEER} not available)", float("nan"),
                   "req/s", "≥ 2× baseline"),
            Figure(f"peer, {count:,} pages: PolicyHub search p95 ({PEER} not available)", float("nan"), "ms",
                   "≤ 0.1× baseline")]


def compare(ours: Measured, theirs: Measured, stock: PageLoad, count: int, queries: int) -> list[Figure]:
    pages, search = f"peer, {count:,} pages", f"peer, {count:,} pages, {queries} searches one at a time"
    same = f"{PEER} without the sidebar page list, same pages and load"
    ours_p50, ours_p95 = percentile(ours.search_ms, 50), percentile(ours.search_ms, 95)
    theirs_p50, theirs_p95 = percentile(theirs.search_ms, 50), percentile(theirs.search_ms, 95)
    load = f"{WORKERS} workers, wrk 16 connections"
    return [
        ratio_at_least(f"{pages}: PolicyHub page requests/s ({load})", ours.pages.requests_per_second, "req/s",
                       theirs.pages.requests_per_second, 2, same),
        ratio_at_most(f"{search}: PolicyHub search p95", ours_p95, "ms", theirs_p95, 0.1, same),
        Figure(f"{pages}: PolicyHub page p99 latency", ours.pages.p99_ms, "ms", baseline=theirs.pages.p99_ms,
               baseline_name=same),
        Figure(f"{search}: PolicyHub search p50", ours_p50, "ms", baseline=theirs_p50, baseline_name=same),
        Figure(f"{pages}: PolicyHub page errors under load (status ≥ 400, socket)", ours.pages.errors, "",
               "= 0", ours.pages.errors == 0),
        Figure(f"{pages}: {PEER} page requests/s, no sidebar page list", theirs.pages.requests_per_second,
               "req/s"),
        Figure(f"{pages}: {PEER} page p99 latency, no sidebar page list", theirs.pages.p99_ms, "ms"),
        Figure(f"{pages}: {PEER} page requests/s, stock settings (sidebar lists every page)",
               stock.requests_per_second, "req/s"),
        Figure(f"{pages}: {PEER} page p99 latency, stock settings", stock.p99_ms, "ms"),
        Figure(f"{search}: {PEER} search p50", theirs_p50, "ms"),
        Figure(f"{search}: {PEER} search p95", theirs_p95, "ms"),
        Figure(f"{pages}: {PEER} page errors under load (both settings)", theirs.pages.errors + stock.errors, ""),
    ]


def figures(smoke: bool = False) -> list[Figure]:
    count, seconds, rounds = (50, 2.0, 1) if smoke else (1000, 15.0, 3)
    python, how = peer_python()
    if python is None:
        return unavailable(how, count)
    print(f"peer: {how}", file=sys.stderr)
    pages, vocabulary = make_pages(count)
    queries, warm_up = make_queries(pages, vocabulary)
    if smoke:
        queries = queries[::5]
    with temp_folder("policyhub-peer-") as folder:
        pages_file = folder / "pages.json"
        pages_file.write_text(json.dumps([asdict(page) for page in pages]))
        for name in ("policyhub", "otterwiki", "otterwiki-stock"):
            (folder / name).mkdir()
        with ExitStack() as stack:  # both up, each idle while the other is measured
            ours = stack.enter_context(policyhub_site(folder / "policyhub", pages_file))
            theirs = stack.enter_context(otterwiki_site(python, folder / "otterwiki", pages, **PAGE_TREE_OFF))
            measured = measure([(POLICYHUB, ours, folder / "policyhub"), (OTTERWIKI, theirs, folder / "otterwiki")],
                               pages, queries, warm_up, seconds, rounds)
        with otterwiki_site(python, folder / "otterwiki-stock", pages) as stock:
            (stock_measured,) = measure([(OTTERWIKI, stock, folder / "otterwiki-stock")], pages, [], [], seconds, 1)
    return compare(*measured, stock_measured.pages, count, len(queries))


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: every server is stopped, every temp folder removed


def main() -> None:
    from run import print_table
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="50 pages, 2 s of load, 6 searches")
    parser.add_argument("--load-policyhub", type=Path, help=argparse.SUPPRESS)  # the set-up's own subprocess
    args = parser.parse_args()
    if args.load_policyhub:
        _load_policyhub(args.load_policyhub)
        return
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    print_table(figures(args.smoke))


if __name__ == "__main__":
    main()

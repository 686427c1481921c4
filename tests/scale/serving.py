"""Running PolicyHub the production way for tests: its own database, `flask db upgrade`, people made with the
CLI, and gunicorn with several worker processes on a loopback port."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from policyhub import ROOT, create_app

from ..databases import created_database

START_TIMEOUT = 60


@contextmanager
def own_database(kind: str, tmp_path: Path, postgres_server: str | None) -> Iterator[str]:
    """A database for one test, created and dropped here (the served app is another process, so it cannot
    share the suite's per-test database and its truncation)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'served.db'}"
        return
    assert postgres_server is not None
    with created_database(postgres_server, "policyhub_served") as url:
        yield url


def environment(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("POLICYHUB_")}
    env.update(POLICYHUB_DATABASE_URL=database_url, POLICYHUB_INSTANCE_PATH=str(instance),
               POLICYHUB_SECRET_KEY="served-test-secret", POLICYHUB_RATELIMIT_ENABLED="false",
               POLICYHUB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", **extra)
    return env


@dataclass
class Site:
    """People and their API tokens on a freshly migrated database."""

    database_url: str
    instance: Path
    member_tokens: list[str] = field(default_factory=list)
    lead_token: str = ""

    def app(self) -> Any:
        """An in-process app on the same database, for checking what the served one wrote."""
        return create_app({"DATABASE_URL": self.database_url, "INSTANCE_PATH": str(self.instance),
                           "SECRET_KEY": "served-test-secret", "TESTING": True})


@contextmanager
def operator_cli(database_url: str, instance: Path) -> Iterator[Callable[..., str]]:
    """``cli("users", "create", ...)``: the ``flask --app policyhub`` commands on that database, as an operator
    runs them; each call must succeed and answers its output."""
    app = create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "x",
                      "TESTING": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    runner = app.test_cli_runner()

    def cli(*args: str) -> str:
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    try:
        yield cli
    finally:
        from policyhub.extensions import db
        with app.app_context():
            db.engine.dispose()


def prepare_site(database_url: str, instance: Path, members: int = 5) -> Site:
    """Migrate the empty database and add a party, members and a lead through the CLI, as an operator would."""
    site = Site(database_url=database_url, instance=instance)
    with operator_cli(database_url, instance) as cli:
        cli("db", "upgrade")
        cli("parties", "create", "alliance", "--name", "Alliance", "--colour", "#336699")
        for i in range(members):
            cli("users", "create", f"member{i}@example.org", "--name", f"Member {i}", "--password", "p" * 12,
                "--party", "alliance")
            site.member_tokens.append(token_from(cli("users", "token", f"member{i}@example.org")))
        cli("users", "create", "lead@example.org", "--name", "Lead", "--password", "p" * 12, "--party",
            "alliance", "--role", "lead")
        site.lead_token = token_from(cli("users", "token", "lead@example.org"))
    return site


def token_from(output: str) -> str:
    """The token that ``users token`` printed."""
    lines = [line.strip() for line in output.splitlines() if re.fullmatch(r"[A-Za-z0-9_\-]{20,}", line.strip())]
    assert lines, output
    return lines[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, extra: tuple[str, ...] = ()) -> Iterator[str]:
    """gunicorn serving ``policyhub:create_app()`` on a loopback port; yields the base URL."""
    port = free_port()
    log = open(Path(env["POLICYHUB_INSTANCE_PATH"]) / "gunicorn.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--graceful-timeout", "5", *extra, "policyhub:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, Path(log.name).read_text()
            try:
                if request("GET", base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start:\n" + Path(log.name).read_text()
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def request(method: str, url: str, body: Any = None, token: str | None = None,
            timeout: float = 60) -> tuple[int, Any]:
    """One JSON request; answers (status, decoded body or None)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")

"""Serving things for a benchmark: a throwaway PolicyHub site, gunicorn on a loopback port, and wrk against it.

Everything here cleans up after itself (temp folders, databases, gunicorn's whole process group), even when
the benchmark fails half-way.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from common import ROOT

WRK = shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def temp_folder(prefix: str) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def database(kind: str, server: str | None, folder: Path) -> Iterator[str]:
    """A database URL: a file under ``folder`` for SQLite, or a database created (and dropped) on ``server``."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    if not server:
        sys.exit("PostgreSQL needs a server URL (e.g. postgresql://postgres@127.0.0.1/postgres)")
    import psycopg
    name = f"policyhub_bench_{secrets.token_hex(3)}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site_environment(database_url: str, instance: Path) -> dict[str, str]:
    """The environment a served PolicyHub runs with: this database, no rate limits, plain HTTP."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("POLICYHUB_")}
    env.update(POLICYHUB_DATABASE_URL=database_url, POLICYHUB_INSTANCE_PATH=str(instance),
               POLICYHUB_SECRET_KEY="bench", POLICYHUB_RATELIMIT_ENABLED="false", POLICYHUB_SECURE_COOKIES="0",
               POLICYHUB_LOG_LEVEL="warning")
    return env


def flask_cli(env: Mapping[str, str], *args: str) -> str:
    """Run ``flask --app policyhub ARGS`` against the site; answers its output."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "policyhub", *args], env=dict(env), cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


@contextmanager
def gunicorn(app: str, env: Mapping[str, str], *, workers: int = 2, ready_path: str = "/",
             cwd: Path = ROOT, python: str = sys.executable) -> Iterator[str]:
    """Serve ``app`` (a gunicorn app spec) with sync workers on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [python, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level",
         "warning", app], env=dict(env), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while get(url + ready_path, timeout=5)[0] != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn serving {app} did not start")
            time.sleep(0.2)
        yield url
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop a process started with ``start_new_session=True``, and everything it started."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, seconds: float, connections: int = 16, threads: int = 2, script: Path | None = None) -> Load:
    """Load ``url`` with wrk on loopback and read its figures (requests/s, latency percentiles, errors)."""
    if WRK is None:
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout

    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(errors.group(1)) if errors else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Load(requests_per_second=float(rate.group(1)) if rate else 0.0, p50_ms=latency("50"), p99_ms=latency("99"),
                errors=failed)

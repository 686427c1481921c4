"""The production entry point: ``gunicorn 'policyhub:create_app()'`` with the repository's gunicorn.conf.py."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS  # a bound on start-up, not a measurement
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited during start-up"
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer within {STARTUP_SECONDS} s")


def test_gunicorn_serves_the_app_with_request_lines_instead_of_an_access_log(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "POLICYHUB_BIND": f"127.0.0.1:{port}", "POLICYHUB_WORKERS": "1",
           "POLICYHUB_INSTANCE_PATH": str(tmp_path), "POLICYHUB_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}",
           "POLICYHUB_SECRET_KEY": "test-secret"}
    # gunicorn reads gunicorn.conf.py from its working directory, as it would in production.
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--no-control-socket", "policyhub:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving(server, f"{base}/api/v1/openapi.json")
        asked = urllib.request.Request(f"{base}/api/v1/openapi.json?x=1", headers={"X-Request-ID": "deploy-check-0001"})
        with urllib.request.urlopen(asked, timeout=10) as response:
            assert response.status == 200 and response.headers["X-Request-ID"] == "deploy-check-0001"
            assert json.load(response)["openapi"].startswith("3.1")
    finally:
        server.terminate()
        out, err = server.communicate(timeout=60)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line["request_id"] == "deploy-check-0001"]
    assert [(line["method"], line["path"], line["status"]) for line in mine] == [("GET", "/api/v1/openapi.json", 200)]
    assert "GET /api/v1/openapi.json" not in out + err  # gunicorn's own access log is off
    assert "Booting worker" in err

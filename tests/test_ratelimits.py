"""Rate limits on API token use, API writes and HTML writes: 429 with Retry-After, API.md's error body under
/api/ and the friendly page elsewhere; counts shared by worker processes through Redis."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from policyhub import create_app

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"


def assert_api_refusal(response) -> None:
    assert response.status_code == 429
    assert set(response.json) == {"error", "message"} and response.json["error"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_the_storage_comes_from_policyhub_redis_url(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYHUB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("POLICYHUB_REDIS_URL", raising=False)
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("POLICYHUB_REDIS_URL", "redis://cache.internal:6379/2")
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"


def test_api_token_use_is_limited_per_token(make_app, member, token_for):
    client = make_app(RATELIMIT_ENABLED=True, API_TOKEN_RATE_LIMIT="2/minute").test_client()
    first, second = token_for(member), token_for(member)
    assert [client.get("/api/v1/parties", headers=first).status_code for _ in range(2)] == [200, 200]
    assert_api_refusal(client.get("/api/v1/parties", headers=first))
    assert client.get("/api/v1/parties", headers=second).status_code == 200  # each token has its own budget
    assert [client.get("/api/v1/parties").status_code for _ in range(3)] == [200, 200, 200]  # no token, no limit


def test_api_writes_are_limited_per_user_whichever_token(make_app, member, make_user, make_party, token_for):
    client = make_app(RATELIMIT_ENABLED=True, API_WRITE_RATE_LIMIT="2/minute", API_TOKEN_RATE_LIMIT="").test_client()
    first, second = token_for(member), token_for(member)

    def create(headers: dict[str, str], title: str) -> int:
        return client.post("/api/v1/documents", headers=headers,
                           json={"title": title, "body": "Text.", "policy_area": "Climate"}).status_code

    assert [create(first, "One"), create(second, "Two")] == [201, 201]
    assert_api_refusal(client.post("/api/v1/documents", headers=first, json={"title": "Three"}))
    assert client.get("/api/v1/documents", headers=first).status_code == 200  # reads are not writes
    someone_else = token_for(make_user(party=make_party()))
    assert create(someone_else, "Four") == 201


def test_html_writes_are_limited_per_user_with_a_friendly_page(make_app, member, make_user, login):
    app = make_app(RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="2/minute")
    client = login(app.test_client(), member)
    assert [client.post("/account/tokens", data={"label": f"t{n}"}).status_code for n in range(2)] == [200, 200]
    page = client.post("/account/tokens", data={"label": "t3"})
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert "Too many requests" in page.text and "try again" in page.text
    assert 1 <= int(page.headers["Retry-After"]) <= 60
    assert client.get("/account").status_code == 200  # reading is not limited
    assert login(app.test_client(), make_user()).post("/account/tokens", data={"label": "x"}).status_code == 200


def test_anonymous_html_writes_are_limited_per_address(make_app):
    client = make_app(RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="1/minute").test_client()

    def sign_out(address: str) -> int:
        return client.post("/logout", environ_base={"REMOTE_ADDR": address}).status_code
    assert [sign_out("10.0.0.1"), sign_out("10.0.0.1"), sign_out("10.0.0.2")] == [302, 429, 302]


def test_limits_are_off_when_the_limiter_is_disabled(make_app, member, token_for):
    client = make_app(RATELIMIT_ENABLED=False, API_TOKEN_RATE_LIMIT="1/minute").test_client()
    headers = token_for(member)
    assert [client.get("/api/v1/parties", headers=headers).status_code for _ in range(3)] == [200, 200, 200]


# --- several worker processes ----------------------------------------------------------------------------

SPEND = """
import json, sys
from policyhub import create_app
config, headers, count = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
client = create_app(config).test_client()
print(json.dumps([client.get("/api/v1/parties", headers=headers).status_code for _ in range(count)]))
"""


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis and none answers at {REDIS_URL}")
    return REDIS_URL


def spend_in_another_process(config: dict, headers: dict[str, str], count: int) -> list[int]:
    """Another worker: its own process and app, the same database and settings."""
    done = subprocess.run([sys.executable, "-c", SPEND, json.dumps(config), json.dumps(headers), str(count)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("storage", ["redis", "memory"])
def test_worker_processes_share_counts_through_redis_only(request, storage, app_config, make_app, member,
                                                          token_for):
    limits = {"RATELIMIT_ENABLED": True, "API_TOKEN_RATE_LIMIT": "3/minute",
              "REDIS_URL": request.getfixturevalue("redis_url") if storage == "redis" else None}
    headers = token_for(member)  # a new token: its key in Redis is this test's alone
    assert spend_in_another_process({**app_config, **limits}, headers, 3) == [200, 200, 200]
    here = make_app(**limits).test_client().get("/api/v1/parties", headers=headers)
    if storage == "redis":
        assert_api_refusal(here)  # the other process spent this token's budget
    else:
        assert here.status_code == 200  # in memory each process counts alone


def test_an_unreachable_redis_falls_back_to_counting_in_memory(make_app, closed_port, member, token_for):
    client = make_app(RATELIMIT_ENABLED=True, REDIS_URL=f"redis://127.0.0.1:{closed_port}/0",
                      API_TOKEN_RATE_LIMIT="2/minute").test_client()
    headers = token_for(member)
    assert [client.get("/api/v1/parties", headers=headers).status_code for _ in range(2)] == [200, 200]
    assert_api_refusal(client.get("/api/v1/parties", headers=headers))


def test_searches_are_limited_per_person_across_page_api_and_list(make_app, member, login, token_for):
    app = make_app(RATELIMIT_ENABLED=True, SEARCH_RATE_LIMIT="3/minute", API_TOKEN_RATE_LIMIT="")
    visitor = app.test_client()
    answers = [visitor.get("/search?q=votes").status_code, visitor.get("/?q=votes").status_code,
               visitor.get("/api/v1/search?q=votes").status_code]
    assert answers == [200, 200, 200]
    refused = visitor.get("/search?q=votes")
    assert refused.status_code == 429 and refused.mimetype == "text/html" and "Retry-After" in refused.headers
    assert_api_refusal(visitor.get("/api/v1/search?q=votes"))
    assert visitor.get("/").status_code == 200  # the plain list is not a search
    signed_in = login(app.test_client(), member)  # another key: a person, not the visitor's address
    assert signed_in.get("/search?q=votes").status_code == 200
    assert app.test_client().get("/api/v1/search?q=votes", headers=token_for(member)).status_code == 200


def test_signing_in_again_does_not_buy_a_fresh_write_budget(make_app, member, login):
    from policyhub.accounts.services import end_all_sessions
    app = make_app(RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="2/minute")
    client = login(app.test_client(), member)
    assert [client.post("/account/tokens", data={"label": f"t{n}"}).status_code for n in range(2)] == [200, 200]
    end_all_sessions(member)  # a new session version: the session's id changes, the person does not
    client = login(app.test_client(), member)
    assert client.post("/account/tokens", data={"label": "t3"}).status_code == 429

"""Request ids and request lines: one JSON line per request, an id in the response and on every record
logged meanwhile, and on server-error pages so that a person can quote it."""
from __future__ import annotations

import json
import logging
import re

import pytest

from policyhub.requestlog import HEADER

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def request_lines(caplog):
    """``request_lines()``: the request lines logged so far, parsed."""
    caplog.set_level(logging.INFO, logger="policyhub.request")

    def lines() -> list[dict]:
        return [json.loads(record.getMessage()) for record in caplog.records if record.name == "policyhub.request"]
    return lines


def test_each_response_carries_its_own_request_id(client):
    first, second = client.get("/api/v1/parties"), client.get("/no-such-page")
    assert GENERATED.fullmatch(first.headers[HEADER]) and GENERATED.fullmatch(second.headers[HEADER])
    assert first.headers[HEADER] != second.headers[HEADER]
    assert second.status_code == 404  # error responses carry it too


def test_a_safe_incoming_request_id_is_kept(client):
    assert client.get("/api/v1/parties", headers={HEADER: "lb-7f3a9c2e.0001"}).headers[HEADER] == "lb-7f3a9c2e.0001"


@pytest.mark.parametrize("unsafe", ["short", "has spaces in it", "quote\"d-123456", "x" * 129, "-starts-with-dash",
                                    "caf\u00e9-1234567", "<script>alert(1)</script>"])
def test_an_unsafe_incoming_request_id_is_replaced(client, unsafe):
    assert GENERATED.fullmatch(client.get("/api/v1/parties", headers={HEADER: unsafe}).headers[HEADER])


def test_one_json_line_per_request_with_path_but_no_query(client, request_lines, member, token_for):
    response = client.get("/api/v1/documents?page=1&status=draft", headers=token_for(member))
    assert response.status_code == 200
    [line] = request_lines()
    duration = line.pop("duration_ms")
    assert isinstance(duration, float) and duration >= 0
    assert line == {"method": "GET", "path": "/api/v1/documents", "status": 200,
                    "request_id": response.headers[HEADER], "user_id": member.id, "remote_addr": "127.0.0.1"}


def test_request_lines_name_the_signed_in_user_and_not_the_anonymous(client, request_lines, member, login):
    client.post("/login", data={"email": "nobody@example.org", "password": "wrong password!"})
    login(client, member)
    client.get("/")
    anonymous, signed_in = request_lines()
    assert (anonymous["method"], anonymous["path"], anonymous["status"], anonymous["user_id"]) == \
        ("POST", "/login", 401, None)
    assert (signed_in["path"], signed_in["status"], signed_in["user_id"]) == ("/", 200, member.id)


def test_records_logged_during_a_request_carry_its_id(app, client, caplog):
    probe = logging.getLogger("policyhub.probe")
    app.add_url_rule("/_log-probe", view_func=lambda: probe.warning("inside the request") or "ok")
    response = client.get("/_log-probe")
    probe.warning("outside any request")
    by_message = {record.getMessage(): record for record in caplog.records if record.name == "policyhub.probe"}
    assert by_message["inside the request"].request_id == response.headers[HEADER]
    assert by_message["outside any request"].request_id == "-"


def test_a_server_error_shows_the_request_id_to_quote(broken_app, caplog):
    client = broken_app.test_client()

    page = client.get("/_boom")
    assert page.status_code == 500 and page.headers[HEADER] in page.text
    api = client.get("/api/v1/_boom")
    assert api.status_code == 500
    assert api.json == {"error": "server_error", "message": api.json["message"], "request_id": api.headers[HEADER]}
    # The traceback in the log is found by the id the person quotes.
    tracebacks = [record for record in caplog.records if record.exc_info]
    assert {record.request_id for record in tracebacks} == {page.headers[HEADER], api.headers[HEADER]}


def test_error_pages_for_the_users_own_mistakes_show_no_reference(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.headers[HEADER] not in page.text


def test_emailed_link_secrets_never_reach_the_log(client, request_lines):
    client.get("/password/reset/not-a-real-token.but-secret-looking")
    client.post("/register/confirm/another-secret-token", data={})
    paths = [line["path"] for line in request_lines()]
    assert paths == ["/password/reset/[redacted]", "/register/confirm/[redacted]"]

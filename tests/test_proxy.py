"""Forwarded headers count only when PROXY_FIX says which proxies set them."""
from __future__ import annotations

import json
import logging

import pytest
from flask import Flask, request

from policyhub.proxy import parse_proxy_fix

FORWARDED = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "elsewhere.example"}
PROXY = {"REMOTE_ADDR": "10.0.0.2"}


def seen_by(app: Flask) -> dict[str, str]:
    """What a view makes of a request that came through a proxy at 10.0.0.2 (or claims to)."""
    app.add_url_rule("/_seen", view_func=lambda: {"remote_addr": request.remote_addr, "scheme": request.scheme,
                                                  "host": request.host, "url": request.url})
    return app.test_client().get("/_seen", headers=FORWARDED, environ_base=PROXY).json


def test_forwarded_headers_are_ignored_by_default(app):
    assert seen_by(app) == {"remote_addr": "10.0.0.2", "scheme": "http", "host": "localhost",
                            "url": "http://localhost/_seen"}


def test_one_trusted_proxy_gives_the_client_address_and_scheme(make_app):
    seen = seen_by(make_app(PROXY_FIX=1))
    # Only the address the proxy itself appended counts; the client could have written the first one.
    assert seen == {"remote_addr": "203.0.113.9", "scheme": "https", "host": "localhost",
                    "url": "https://localhost/_seen"}


def test_the_environment_setting_names_each_header(make_app, monkeypatch):
    monkeypatch.setenv("POLICYHUB_PROXY_FIX", "x_for=2,x_proto=0,x_host=1")
    assert seen_by(make_app()) == {"remote_addr": "198.51.100.7", "scheme": "http", "host": "elsewhere.example",
                                   "url": "http://elsewhere.example/_seen"}


def test_request_lines_and_rate_limits_see_the_forwarded_address(make_app, caplog):
    caplog.set_level(logging.INFO, logger="policyhub.request")
    client = make_app(PROXY_FIX="1", RATELIMIT_ENABLED=True, WRITE_RATE_LIMIT="1/minute").test_client()
    post = [client.post("/logout", environ_base=PROXY, headers={"X-Forwarded-For": address}).status_code
            for address in ("203.0.113.9", "203.0.113.9", "203.0.113.10")]
    assert post == [302, 429, 302]  # two clients behind one proxy have a budget each
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "policyhub.request"]
    assert [line["remote_addr"] for line in lines] == ["203.0.113.9", "203.0.113.9", "203.0.113.10"]


@pytest.mark.parametrize("setting, expected", [
    (None, None), ("", None), ("0", None), (0, None), ("off", None), (False, None),
    (1, {"x_for": 1, "x_proto": 1, "x_host": 0, "x_port": 0, "x_prefix": 0}),
    ("2", {"x_for": 2, "x_proto": 2, "x_host": 0, "x_port": 0, "x_prefix": 0}),
    (True, {"x_for": 1, "x_proto": 1, "x_host": 0, "x_port": 0, "x_prefix": 0}),
    ("x_for=1, x_proto=1, x_host=0", {"x_for": 1, "x_proto": 1, "x_host": 0, "x_port": 0, "x_prefix": 0}),
    ("x_for=0,x_proto=0", None),
])
def test_proxy_fix_settings(setting, expected):
    assert parse_proxy_fix(setting) == expected


@pytest.mark.parametrize("setting", ["yes please", "x_for", "x_for=one", "x_forwarded=1", "x_for=99", "-1", 2.5])
def test_an_unreadable_setting_stops_the_app(make_app, setting):
    with pytest.raises(ValueError, match="PROXY_FIX"):
        make_app(PROXY_FIX=setting)

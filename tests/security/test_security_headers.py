"""Security headers on every kind of response (pages, error pages, static files, the JSON API, feeds), HSTS
only over HTTPS, no-store on what a signed-in person sees, and markup that the Content-Security-Policy
allows (no inline styles, scripts or javascript: URLs anywhere in the templates or the script)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from policyhub import ROOT
from policyhub.security_headers import CONTENT_SECURITY_POLICY, HSTS

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
PASSWORD = "correct horse battery staple"  # tests/conftest.py's
EXPECTED = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def assert_secured(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.status_code, response.headers)
    assert response.headers.get_all("Content-Security-Policy") == [CSP], "one policy, not two"


def test_the_policy_is_the_one_specified():
    assert CONTENT_SECURITY_POLICY == CSP


@pytest.fixture
def document(member, make_document):
    return make_document(member, title="Fair votes", slug="fair-votes")


@pytest.mark.parametrize("path, status", [
    ("/", 200),
    ("/documents/fair-votes", 200),
    ("/agenda", 200),
    ("/login", 200),
    ("/static/css/app.css", 200),
    ("/static/js/app.js", 200),
    ("/parties.css", 200),
    ("/feeds/changes.atom", 200),
    ("/documents/fair-votes/changes.atom", 200),
    ("/api/v1/parties", 200),
    ("/api/v1/documents/fair-votes", 200),
    ("/api/v1/documents/no-such", 404),
    ("/no-such-page", 404),
    ("/documents/no-such", 404),
    ("/healthz", 200),
])
def test_every_kind_of_get_response_carries_the_headers(client, document, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_secured(response)


def test_method_not_allowed_pages_and_json_carry_the_headers(client, document):
    page = client.delete("/documents/fair-votes")
    assert page.status_code == 405 and "Allow" in page.headers
    assert_secured(page)
    api = client.put("/api/v1/parties")
    assert api.status_code == 405 and api.json["error"] == "method_not_allowed"
    assert_secured(api)


def test_too_large_requests_carry_the_headers(client):
    response = client.post("/login", data={"email": "x@example.org", "password": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert_secured(response)


def test_an_api_refusal_carries_the_headers(client, document):
    response = client.post("/api/v1/documents", json={"title": "x"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_secured(response)


def test_a_server_error_carries_the_headers(broken_app):
    client = broken_app.test_client()
    for path in ("/_boom", "/api/v1/_boom"):
        response = client.get(path)
        assert response.status_code == 500
        assert_secured(response)


@pytest.fixture(params=["postgresql", "sqlite"])
def unreachable_url(request, closed_port, tmp_path) -> str:
    if request.param == "postgresql":
        return f"postgresql://postgres@127.0.0.1:{closed_port}/policyhub"
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'policyhub.db'}"


def test_database_outage_pages_carry_the_headers(make_app, unreachable_url):
    client = make_app(DATABASE_URL=unreachable_url).test_client()
    for path in ("/", "/api/v1/parties"):
        response = client.get(path)
        assert response.status_code == 503 and "Retry-After" in response.headers
        assert_secured(response)


def test_rate_limited_answers_carry_the_headers(make_app):
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1/minute").test_client()
    client.post("/login", data={"email": "x@example.org", "password": "wrong"})
    response = client.post("/login", data={"email": "x@example.org", "password": "wrong"})
    assert response.status_code == 429
    assert_secured(response)


# --- HSTS ------------------------------------------------------------------------------------------------

def test_no_hsts_over_plain_http(client, app):
    assert app.config["SECURE_COOKIES"] is False  # testing: cookies without Secure, and no HSTS
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_when_cookies_are_secure(make_app):
    secure = make_app(SECURE_COOKIES=True)
    client = secure.test_client()
    for path in ("/", "/static/css/app.css", "/api/v1/parties", "/no-such-page"):
        response = client.get(path, base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"] == HSTS == "max-age=31536000; includeSubDomains"


# --- headers a view chose ---------------------------------------------------------------------------------

def test_headers_a_view_set_itself_are_kept(make_app):
    from flask import Response

    def framed() -> Response:
        response = Response("embeddable")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        response.headers["Cache-Control"] = "public, max-age=30"
        return response

    other = make_app()
    other.add_url_rule("/_framed", view_func=framed)
    response = other.test_client().get("/_framed")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers.get_all("Content-Security-Policy") == ["frame-ancestors 'self'"]
    assert response.headers["Cache-Control"] == "public, max-age=30"
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # the ones it did not set are added


# --- caching -------------------------------------------------------------------------------------------

def test_a_signed_in_person_gets_their_pages_with_no_store(client, login, member, document):
    login(client, member)
    for path in ("/", "/documents/fair-votes", "/account", "/notifications"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert member.name in response.get_data(as_text=True), "the page is about the person"
        assert response.headers["Cache-Control"] == "no-store", path
    # error pages and the API too, for as long as the session is a signed-in one
    assert client.get("/no-such-page").headers["Cache-Control"] == "no-store"


def test_anonymous_pages_keep_their_caching(client, document):
    for path in ("/", "/documents/fair-votes", "/agenda", "/api/v1/documents/fair-votes"):
        response = client.get(path)
        assert "no-store" not in response.headers.get("Cache-Control", ""), path


def test_static_files_stylesheet_and_feeds_keep_their_caching_when_signed_in(client, login, member, document):
    anonymous = {path: client.get(path).headers.get("Cache-Control")
                 for path in ("/static/css/app.css", "/parties.css", "/feeds/changes.atom")}
    login(client, member)
    for path, caching in anonymous.items():
        assert caching and "no-store" not in caching, path
        assert client.get(path).headers.get("Cache-Control") == caching, path
    assert anonymous["/parties.css"] == "public, max-age=300"


def test_static_files_keep_a_configured_max_age(make_app):
    client = make_app(SEND_FILE_MAX_AGE_DEFAULT=3600).test_client()
    response = client.get("/static/css/app.css")
    assert response.headers["Cache-Control"] == "public, max-age=3600"


def test_signing_in_answers_no_store(client, make_user):
    user = make_user("Sam Signin", email="sam@example.org")
    response = client.post("/login", data={"email": "sam@example.org", "password": PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert "Set-Cookie" in response.headers and response.headers["Cache-Control"] == "no-store"
    assert user.name  # signed in as them: the next page is theirs, and not cacheable either
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_a_token_holders_api_answers_are_not_stored(client, member, token_for, document):
    response = client.get("/api/v1/documents/fair-votes", headers=token_for(member))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


# --- the markup keeps to the policy -------------------------------------------------------------------------

JINJA = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
FORBIDDEN_MARKUP = {
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "third-party resource": re.compile(r"(src|href)\s*=\s*[\"']?(https?:)?//", re.IGNORECASE),
}


def _templates() -> list[Path]:
    return sorted(path for path in (ROOT / "templates").rglob("*") if path.suffix in (".html", ".svg", ".xml"))


def test_templates_need_nothing_the_policy_forbids():
    found = []
    for path in _templates():
        markup = JINJA.sub("", path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(ROOT)}: {name}" for name, pattern in FORBIDDEN_MARKUP.items()
                  if pattern.search(markup)]
    assert _templates() and not found, found


def test_the_script_needs_nothing_the_policy_forbids():
    script = (ROOT / "static" / "js" / "app.js").read_text(encoding="utf-8")
    for pattern in (r"\beval\s*\(", r"new\s+Function\s*\(", r"setAttribute\(\s*[\"']style",
                    r"setTimeout\(\s*[\"']", r"javascript:", r"\.cssText\b", r"innerHTML\s*="):
        assert not re.search(pattern, script), pattern

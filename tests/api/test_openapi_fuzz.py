"""Fuzzing the JSON API from its own OpenAPI description (schemathesis).

The description served at /api/v1/openapi.json drives generated requests, valid and invalid, against a small
world (two documents, one with history, an open amendment and an endorsement), with a lead's token and without
one. Every answer must be below 500 and one that the description promises: a documented status and content
type, and a body and headers that match its schemas. Bounded and deterministic: the same requests on every
run, 25 generated cases per operation and generation mode besides schemathesis' coverage cases.
"""
from __future__ import annotations

import contextvars
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from policyhub import create_app
from policyhub.extensions import db

SLUGS = ["fair-votes", "net-zero"]
# What every generated case sends as its credentials; the world's real token replaces it on the way in.
STAND_IN_TOKEN = "world-token"

CONFIG = {
    "seed": 20260601,
    "generation": {"mode": "all", "max-examples": 25, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    # Every other check stays on. This one expects any request that fits the schema to succeed, but API.md
    # answers 422 for a well-formed request that breaks a rule the schema cannot state (a blank title, a
    # revision that does not exist, an amendment state as a document status): that is the contract.
    "checks": {"positive_data_acceptance": {"enabled": False}},
    # Withdrawing ends the endorsement, so this check's probe without a token, sent after a withdrawal that
    # worked, finds no endorsement left (404) before it reaches the token. tests/api/test_api_endorsements.py
    # withdraws without a token (401) and with another party's (403).
    "operations": [{"include-operation-id": "withdrawEndorsement",
                    "checks": {"ignored_auth": {"enabled": False}}}],
    # Through the configuration, so that schemathesis' authentication checks can leave the token out and
    # expect 401 where the description requires one.
    "auth": {"openapi": {"bearerAuth": {"bearer": STAND_IN_TOKEN}}},
    # Generated slugs would only ever meet a 404: most cases name a document and a party of the world.
    "dictionaries": {"slugs": {"values": SLUGS}, "parties": {"values": ["labour", "green"]}},
    "parameters": {"path.slug": {"dictionary": "slugs", "probability": 0.8},
                   "path.party": {"dictionary": "parties", "probability": 0.8}},
}


def _without_tuples(node: Any) -> Any:
    """The description with each ``prefixItems`` tuple loosened to ``items: {anyOf: ...}``.

    schemathesis rewrites prefixItems into draft-4 tuples (``items: [...]``) but validates responses with a
    draft 2020-12 validator, which refuses that schema outright. Only the diff ops (``[op, text]``) are
    tuples; tests/api check them exactly against the served description.
    """
    if isinstance(node, list):
        return [_without_tuples(item) for item in node]
    if not isinstance(node, dict):
        return node
    loosened = {key: _without_tuples(value) for key, value in node.items()}
    if "prefixItems" in loosened:
        loosened["items"] = {"anyOf": loosened.pop("prefixItems")}
    return loosened


def _served_description() -> dict[str, Any]:
    """The description as the app serves it. Tests are generated when this module is collected, before any
    fixture exists, so it is read from an app of its own (and loaded with from_dict rather than from_wsgi, so
    that its tuples can be loosened first)."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "INSTANCE_PATH": folder, "DATABASE_URL": "sqlite://",
                          "SECRET_KEY": "fuzz"})
        response = app.test_client().get("/api/v1/openapi.json")
        with app.app_context():
            db.engine.dispose()
    assert response.status_code == 200
    return response.get_json()


class _WorldApp:
    """The WSGI app cases are sent to: the current test's app, with a case's stand-in credentials replaced by
    the world's token. The schema needs its app when the module is collected, before any test's app exists."""

    def __init__(self) -> None:
        self.app: Callable[..., Iterable[bytes]] | None = None
        self.authorization = ""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        assert self.app is not None, "a case was sent outside a test"
        if environ.get("HTTP_AUTHORIZATION") == f"Bearer {STAND_IN_TOKEN}":
            # A copy: schemathesis reads the request it sent back from this dict, stand-in and all.
            environ = {**environ, "HTTP_AUTHORIZATION": self.authorization}
        # Each request in an empty context, as a server runs it: the test holds the app's context open, and a
        # request would otherwise share its ``g`` (and so the previous request's API user) with the one before.
        return contextvars.Context().run(self.app, environ, start_response)


WORLD_APP = _WorldApp()
schema = schemathesis.openapi.from_dict(_without_tuples(_served_description()),
                                        config=SchemathesisConfig.from_dict(CONFIG))
schema.app = WORLD_APP


@pytest.fixture
def world(app, make_user, make_document, labour, green, token_for) -> Iterator[None]:
    """Two documents, the first with two revisions, an open amendment and Labour's endorsement; cases go to
    this test's app, where the stand-in token is a Labour lead's. Built for each operation, so that no
    operation's writes (an archived document, a withdrawn endorsement) narrow what the next one can reach."""
    from policyhub.amendments import services as amendments
    from policyhub.endorsements import services as endorsements

    lead = make_user("Lena Lead", party=labour, role="lead")
    author = make_user("Gwen Green", party=green)
    first = make_document(author, title="Fair votes", slug=SLUGS[0], revisions=2)
    make_document(author, title="Net zero", slug=SLUGS[1])
    amendments.propose_amendment(author, first, title="Say it plainly", rationale="Clearer.", base_number=2,
                                 body="# Fair votes\n\nA proposed paragraph for everyone.\n")
    endorsements.endorse(lead, first, statement="We agree.")
    WORLD_APP.app, WORLD_APP.authorization = app, token_for(lead)["Authorization"]
    yield
    WORLD_APP.app = None


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_the_promises_of_its_description(case, world):
    response = case.call_and_validate()  # raises, naming the check, when a response breaks the description
    assert response.status_code < 500

"""Who may do what, end to end: every action, as every kind of person, through the HTML pages and the API.

The truth table below is the specification; each cell runs against a fresh database. "Allowed" means the
answer is 2xx/3xx AND the effect happened; "forbidden" means 401/403 (or, for the anonymous on a page, a
redirect to /login) AND nothing changed: the effect did not happen and no audit event was written.

Actors: the anonymous; a non-aligned person (signed in, no party); a member of party A; a lead of party A;
an administrator. Targets, per action:

- ``a``: something of party A's: a document or an amendment written by *another* member of party A; for
  ``endorse``, endorsing with no party named (so for the lead's own party, A); for ``withdraw_endorsement``,
  party A's live endorsement.
- ``b``: the same of party B's: a document or amendment by a member of party B; for ``endorse`` the request
  names party B (``"party": "b"`` in the JSON body, a ``party=b`` form field on the page); for
  ``withdraw_endorsement``, party B's live endorsement. Run for the lead of party A only ("on party B's
  behalf").
- ``own``: the actor's own amendment (author-dependent rules: nobody supports or decides their own, only the
  author withdraws).

Cells hold ``A`` (allowed), ``F`` (forbidden), ``R`` (refused as a bad request, 400, nothing changed), or
``html/api`` when the two channels differ, and ``-`` where the cell does not exist.

Two cells differ by channel, on purpose:
- comment: the API has no comment endpoint (API.md), so every comment cell is ``x/-``.
- endorse on party B's behalf: the page has no party field, so a ``party=b`` field is ignored and the lead
  endorses for their own party A (allowed, and B gets nothing); the API refuses a ``party`` field with 400
  rather than silently overruling it. Either way party B never gets an endorsement.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from policyhub.amendments import services as amendments
from policyhub.amendments.models import Amendment, Comment, Support
from policyhub.documents.models import Document
from policyhub.endorsements import services as endorsements
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db
from policyhub.parties.models import AuditEvent

A, F, R, _ = "A", "F", "R", "-"
ACTORS = ("anonymous", "non_aligned", "member_a", "lead_a", "admin")

#                                               anonymous  non_aligned  member_a  lead_a  admin
MATRIX: dict[tuple[str, str], tuple[str, ...]] = {
    ("propose", "a"):                          (F,         A,           A,        A,      A),
    ("propose", "b"):                          (_,         _,           _,        A,      _),
    ("support", "a"):                          (F,         A,           A,        A,      A),
    ("support", "b"):                          (_,         _,           _,        A,      _),
    ("support", "own"):                        (_,         F,           F,        F,      F),
    ("comment", "a"):                          ("F/-",     "A/-",       "A/-",    "A/-",  "A/-"),
    ("comment", "b"):                          (_,         _,           _,        "A/-",  _),
    ("withdraw", "a"):                         (F,         F,           F,        F,      F),
    ("withdraw", "b"):                         (_,         _,           _,        F,      _),
    ("withdraw", "own"):                       (_,         A,           A,        A,      A),
    ("accept", "a"):                           (F,         F,           F,        A,      A),
    ("accept", "b"):                           (_,         _,           _,        A,      _),
    ("accept", "own"):                         (_,         F,           F,        F,      F),
    ("reject", "a"):                           (F,         F,           F,        A,      A),
    ("reject", "b"):                           (_,         _,           _,        A,      _),
    ("reject", "own"):                         (_,         F,           F,        F,      F),
    ("endorse", "a"):                          (F,         F,           F,        A,      F),
    ("endorse", "b"):                          (_,         _,           _,        "A/R",  _),
    ("withdraw_endorsement", "a"):             (F,         F,           F,        A,      A),
    ("withdraw_endorsement", "b"):             (_,         _,           _,        F,      _),
    ("set_status", "a"):                       (F,         F,           F,        A,      A),
    ("set_status", "b"):                       (_,         _,           _,        A,      _),
}

BODY = "# Fair votes\n\nFirst paragraph about votes.\n\nSecond paragraph about seats.\n"
PROPOSED = BODY.replace("about votes", "about proportional votes")


def _cells() -> list[Any]:
    cells = []
    for (action, target), row in MATRIX.items():
        for actor, cell in zip(ACTORS, row, strict=True):
            html, api = cell.split("/") if "/" in cell else (cell, cell)
            for channel, expected in (("html", html), ("api", api)):
                if expected != _:
                    cells.append(pytest.param(action, target, actor, channel, expected,
                                              id=f"{action}-{target}-{actor}-{channel}"))
    return cells


@dataclass
class World:
    """Everything one cell needs: the people, and the document, amendment or endorsement it acts on."""

    people: dict[str, Any]
    document: Document
    amendment: Amendment | None = None
    party: str = "a"  # whose endorsement is withdrawn, or which party the request names when endorsing


@pytest.fixture
def people(make_party, make_user):
    party_a, party_b = make_party("a", "Party A"), make_party("b", "Party B")
    return {
        "anonymous": None,
        "non_aligned": make_user("Nora Nonaligned"),
        "member_a": make_user("Mia Member", party=party_a),
        "lead_a": make_user("Leo Lead", party=party_a, role="lead"),
        "admin": make_user("Ada Admin", admin=True),
        # Not actors: the owners of the targets.
        "other_a": make_user("Otto OtherA", party=party_a),
        "member_b": make_user("Bea MemberB", party=party_b),
        "lead_b": make_user("Bo LeadB", party=party_b, role="lead"),
    }


def _world(people: dict[str, Any], make_document, action: str, target: str, actor: str) -> World:
    owner = {"a": people["other_a"], "b": people["member_b"], "own": people[actor]}[target]
    if action in ("propose", "set_status"):
        return World(people, make_document(owner, body=BODY))
    document = make_document(people["other_a"], body=BODY)
    if action in ("endorse", "withdraw_endorsement"):
        if action == "withdraw_endorsement":
            endorsements.endorse(people["lead_a"], document)
            endorsements.endorse(people["lead_b"], document)
        return World(people, document, party=target)
    amendment = amendments.propose_amendment(owner, document, title="Say proportional", rationale="Precision.",
                                             body=PROPOSED, base_number=1)
    return World(people, document, amendment)


# --- the two channels ------------------------------------------------------------------------------------

def _html(client, world: World, action: str) -> Any:
    slug = world.document.slug
    page = f"/documents/{slug}/amendments/{world.amendment.number}" if world.amendment else ""
    requests = {
        "propose": (f"/documents/{slug}/amendments/new",
                    {"title": "Say proportional", "rationale": "Precision.", "body": PROPOSED, "base_revision": "1"}),
        "support": (f"{page}/support", {}),
        "comment": (f"{page}/comments", {"body": "Good idea."}),
        "withdraw": (f"{page}/withdraw", {}),
        "accept": (f"{page}/accept", {"accept-note": "Agreed."}),
        "reject": (f"{page}/reject", {"reject-note": "Not now."}),
        "endorse": (f"/documents/{slug}/endorsements",
                    {"revision": "1", "statement": "We agree.", **({"party": "b"} if world.party == "b" else {})}),
        "withdraw_endorsement": (f"/documents/{slug}/endorsements/{world.party}/withdraw", {}),
        "set_status": (f"/documents/{slug}/status", {"status": "consultation"}),
    }
    url, form = requests[action]
    return client.post(url, data=form)


def _api(client, world: World, action: str, headers: dict[str, str]) -> Any:
    base = f"/api/v1/documents/{world.document.slug}"
    amendment = f"{base}/amendments/{world.amendment.number}" if world.amendment else ""
    if action == "withdraw_endorsement":
        return client.delete(f"{base}/endorsements/{world.party}", headers=headers)
    requests = {
        "propose": (f"{base}/amendments",
                    {"title": "Say proportional", "rationale": "Precision.", "body": PROPOSED, "base_revision": 1}),
        "support": (f"{amendment}/support", None),
        "withdraw": (f"{amendment}/withdraw", None),
        "accept": (f"{amendment}/accept", {"note": "Agreed."}),
        "reject": (f"{amendment}/reject", {"note": "Not now."}),
        "endorse": (f"{base}/endorsements",
                    {"revision": 1, "statement": "We agree.", **({"party": "b"} if world.party == "b" else {})}),
        "set_status": (f"{base}/status", {"status": "consultation"}),
    }
    url, body = requests[action]
    return client.post(url, json=body, headers=headers)


# --- effects ---------------------------------------------------------------------------------------------

def _live_parties(document: Document) -> set[str]:
    return {e.party.slug for e in db.session.scalars(select(Endorsement).where(
        Endorsement.document_id == document.id, Endorsement.ended_at.is_(None)))}


def _happened(world: World, action: str, actor: Any) -> bool:
    """Whether the action's effect is in the database (read afresh)."""
    db.session.rollback()  # end the test's read snapshot; what the request committed is visible now
    document = db.session.get(Document, world.document.id)
    amendment = db.session.get(Amendment, world.amendment.id) if world.amendment else None
    count = lambda model, **where: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(model).filter_by(**where))
    if action == "propose":
        return count(Amendment, document_id=document.id) == 1
    if action == "support":
        return count(Support, amendment_id=amendment.id) == 1 and amendment.supporter_count == 1
    if action == "comment":
        return count(Comment, amendment_id=amendment.id) == 1
    if action == "withdraw":
        return amendment.status == "withdrawn"
    if action == "accept":
        return amendment.status == "accepted" and document.current_number == 2
    if action == "reject":
        return amendment.status == "rejected"
    if action == "endorse":
        live = _live_parties(document)
        assert "b" not in live, "party B got an endorsement it never gave"
        return live == {"a"} and db.session.scalar(select(Endorsement.endorsed_by_id).where(
            Endorsement.document_id == document.id)) == actor.id
    if action == "withdraw_endorsement":
        return world.party not in _live_parties(document)
    if action == "set_status":
        return document.status == "consultation"
    raise AssertionError(action)


def _audit_events() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("action, target, actor, channel, expected", _cells())
def test_permission_matrix(app, people, make_document, login, token_for, action, target, actor, channel,
                           expected):
    world = _world(people, make_document, action, target, actor)
    user = people[actor]
    client = app.test_client()
    headers = token_for(user) if channel == "api" and user is not None else {}  # (making a token is audited)
    if channel == "html" and user is not None:
        login(client, user)
    before = _audit_events()
    response = _html(client, world, action) if channel == "html" else _api(client, world, action, headers)
    status = response.status_code
    detail = f"{status}: {response.get_data(as_text=True)[:300]}"

    if expected == A:
        assert 200 <= status < 400, detail
        if channel == "html" and status in (301, 302, 303):
            assert "/login" not in response.headers["Location"], detail
        assert _happened(world, action, user), f"answered {status} but nothing happened"
        return
    if expected == R:
        assert status == 400 and response.get_json()["error"] == "bad_request", detail
    elif user is None:
        redirected = channel == "html" and status in (302, 303) and "/login" in response.headers["Location"]
        assert status == 401 or redirected, detail
    else:
        assert status == 403, detail
    assert not _happened(world, action, user), "refused, yet the effect happened"
    assert _audit_events() == before, "refused, yet an audit event was written"

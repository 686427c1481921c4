"""Who may do what, end to end: every state-changing action, as every kind of person, through the HTML pages
and the API.

The truth table below is the specification (policyhub/permissions.py and DESIGN.md's rules); every
state-changing route is mapped to its rows in tests/security/test_route_inventory.py. "Allowed" means the
answer is 2xx/3xx AND the effect happened; every other outcome means nothing changed: the effect did not
happen, no table gained or lost a row, and no audit event was written.

Actors (columns):

- ``anon``: nobody signed in.
- ``non_al``: non-aligned: signed in, no party.
- ``pend_a``: asked to join party A, not approved (so still non-aligned).
- ``mem_a``: a member of party A.
- ``lead_a``: a lead of party A.
- ``lead_b``: a lead of party B, acting on party A's things.
- ``demoted``: signed in (or holding a token) as a lead of party A, demoted to member before the request.
- ``deact``: signed in (or holding a token) as a lead of party A, deactivated before the request.
- ``admin``: an administrator (no party).

Targets, per action:

- ``a``: something of party A's: a document or amendment by *another* member of party A, a pending request
  to join party A, party A's live endorsement, another member's token or notification. For ``endorse``:
  endorsing with no party named (so for the actor's own party); for the administration rows: another
  person (a member of A) or a party.
- ``b``: the same of party B's, run for the lead of party A only. For ``endorse`` the request names party B
  (``"party": "b"`` in the JSON body, a ``party=b`` form field on the page); for ``withdraw_endorsement``
  the lead of A withdraws through party B's address.
- ``own``: the actor's own amendment, document, token or notifications.
- ``new``: creating something that belongs to nobody yet: a document, a party, a token, a request to join
  party B.
- ``other_doc``: endorsing, through document X's address, a revision number that only document Y has.
- ``again``: endorsing the revision the actor's party already endorses, with the same statement; marking
  as a red line a clause the actor's party already marked.
- Red lines: ``a`` is clause 2 of a document by a member of party A (to clear: party A's red line on it, so
  the lead of B, whose own party has none there, gets a 404).
- ``archived``: an archived document of party A's (setting its decision rule).

Cells: ``A`` allowed; ``F`` forbidden (401, or a redirect to /login, for the signed out: the anonymous and
the deactivated; 403 for everyone else); ``R`` refused as a bad request (400); ``I`` refused as invalid
(422); ``N`` not found (404: someone else's token or notification is not revealed); ``S`` answered as a
success but nothing changed (idempotent); ``html/api`` when the two channels differ; ``-`` where the cell
does not exist. Actions in ``HTML_ONLY`` have no API route (API.md).

Cells that differ by channel, on purpose:
- endorse on party B's behalf: the page has no party field, so a ``party=b`` field is ignored and the lead
  endorses for their own party A (allowed, and B gets nothing); the API refuses a ``party`` field with 400
  rather than silently overruling it. Either way party B never gets an endorsement.

Every cell acts on people and things made for it alone, in one database shared by the module (a fresh
database per cell made the table too slow to grow): a cell never sees another cell's effects.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any, Callable

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from policyhub import create_app
from policyhub.accounts.models import ApiToken, User
from policyhub.accounts.services import create_token, register_user
from policyhub.amendments import services as amendments
from policyhub.amendments.models import Amendment, Comment, Support
from policyhub.documents import services as documents
from policyhub.documents.models import Document
from policyhub.endorsements import services as endorsements
from policyhub.endorsements import red_lines
from policyhub.endorsements.models import RedLine
from policyhub.endorsements.models import Endorsement
from policyhub.extensions import db
from policyhub.notifications import services as notifications
from policyhub.notifications.models import Notification, Watch
from policyhub.parties import services as parties
from policyhub.parties.models import Membership, Party
from policyhub.permissions import SYSTEM

A, F, R, I, N, S, _ = "A", "F", "R", "I", "N", "S", "-"
ACTORS = ("anon", "non_al", "pend_a", "mem_a", "lead_a", "lead_b", "demoted", "deact", "admin")
SIGNED_OUT = ("anon", "deact")

#                                     anon non_al pend_a mem_a lead_a lead_b demoted deact admin
MATRIX: dict[tuple[str, str], tuple[str, ...]] = {
    # documents
    ("create", "new"):                    (F,  F,     F,     A,    A,     A,     A,      F,    F),
    ("edit", "a"):                        (F,  F,     F,     A,    A,     A,     A,      F,    F),
    ("revert", "a"):                      (F,  F,     F,     F,    A,     A,     F,      F,    F),
    ("revert", "own"):                    (_,  _,     _,     A,    A,     A,     A,      F,    _),
    ("set_status", "a"):                  (F,  F,     F,     F,    A,     A,     F,      F,    A),
    ("set_status", "b"):                  (_,  _,     _,     _,    A,     _,     _,      _,    _),
    ("watch", "a"):                       (F,  A,     A,     A,    A,     A,     A,      F,    A),
    ("unwatch", "a"):                     (F,  A,     A,     A,    A,     A,     A,      F,    A),
    # amendments
    ("propose", "a"):                     (F,  A,     A,     A,    A,     A,     A,      F,    A),
    ("propose", "b"):                     (_,  _,     _,     _,    A,     _,     _,      _,    _),
    ("update", "a"):                      (F,  F,     F,     F,    F,     F,     F,      F,    F),
    ("update", "own"):                    (_,  A,     A,     A,    A,     A,     A,      F,    A),
    ("support", "a"):                     (F,  A,     A,     A,    A,     A,     A,      F,    A),
    ("support", "b"):                     (_,  _,     _,     _,    A,     _,     _,      _,    _),
    ("support", "own"):                   (_,  F,     F,     F,    F,     F,     F,      F,    F),
    ("unsupport", "a"):                   (F,  A,     A,     A,    A,     A,     A,      F,    A),
    ("comment", "a"):                     (F,  A,     A,     A,    A,     A,     A,      F,    A),
    ("comment", "b"):                     (_,  _,     _,     _,    A,     _,     _,      _,    _),
    ("withdraw", "a"):                    (F,  F,     F,     F,    F,     F,     F,      F,    F),
    ("withdraw", "b"):                    (_,  _,     _,     _,    F,     _,     _,      _,    _),
    ("withdraw", "own"):                  (_,  A,     A,     A,    A,     A,     A,      F,    A),
    ("accept", "a"):                      (F,  F,     F,     F,    A,     A,     F,      F,    A),
    ("accept", "b"):                      (_,  _,     _,     _,    A,     _,     _,      _,    _),
    ("accept", "own"):                    (_,  F,     F,     F,    F,     F,     F,      F,    F),
    ("reject", "a"):                      (F,  F,     F,     F,    A,     A,     F,      F,    A),
    ("reject", "b"):                      (_,  _,     _,     _,    A,     _,     _,      _,    _),
    ("reject", "own"):                    (_,  F,     F,     F,    F,     F,     F,      F,    F),
    # endorsements
    ("endorse", "a"):                     (F,  F,     F,     F,    A,     A,     F,      F,    F),
    ("endorse", "b"):                     (_,  _,     _,     _,    "A/R", _,     _,      _,    _),
    ("endorse", "other_doc"):             (_,  _,     _,     _,    I,     _,     _,      _,    _),
    ("endorse", "again"):                 (_,  _,     _,     _,    S,     _,     _,      _,    _),
    ("withdraw_endorsement", "a"):        (F,  F,     F,     F,    A,     F,     F,      F,    A),
    ("withdraw_endorsement", "b"):        (_,  _,     _,     _,    F,     _,     _,      _,    _),
    # the decision rule: leads (of any party) and admins, not on archived documents
    ("set_rule", "a"):                    (F,  F,     F,     F,    A,     A,     F,      F,    A),
    ("set_rule", "archived"):             (_,  _,     _,     _,    F,     _,     _,      _,    F),
    # red lines: a lead, always for their own party (from the membership); never an admin
    ("mark_red_line", "a"):               (F,  F,     F,     F,    A,     A,     F,      F,    F),
    ("mark_red_line", "again"):           (_,  _,     _,     _,    S,     _,     _,      _,    _),
    ("clear_red_line", "a"):              (F,  F,     F,     F,    A,     N,     F,      F,    F),
    # membership
    ("request_membership", "new"):        (F,  A,     F,     F,    F,     F,     F,      F,    A),
    ("decide_membership", "a"):           (F,  F,     F,     F,    A,     F,     F,      F,    A),
    ("decide_membership", "b"):           (_,  _,     _,     _,    F,     _,     _,      _,    _),
    # administration
    ("create_party", "new"):              (F,  F,     F,     F,    F,     F,     F,      F,    A),
    ("edit_party", "a"):                  (F,  F,     F,     F,    F,     F,     F,      F,    A),
    ("set_membership", "a"):              (F,  F,     F,     F,    F,     F,     F,      F,    A),
    ("remove_membership", "a"):           (F,  F,     F,     F,    F,     F,     F,      F,    A),
    ("set_active", "a"):                  (F,  F,     F,     F,    F,     F,     F,      F,    A),
    # tokens and notifications: one's own only
    ("create_token", "new"):              (F,  A,     A,     A,    A,     A,     A,      F,    A),
    ("revoke_token", "own"):              (_,  A,     A,     A,    A,     A,     A,      F,    A),
    ("revoke_token", "a"):                (F,  N,     N,     N,    N,     N,     N,      F,    N),
    ("read_notification", "own"):         (_,  A,     A,     A,    A,     A,     A,      F,    A),
    ("read_notification", "a"):           (F,  N,     N,     N,    N,     N,     N,      F,    N),
    ("open_notification", "own"):         (_,  A,     A,     A,    A,     A,     A,      F,    A),
    ("open_notification", "a"):           (F,  N,     N,     N,    N,     N,     N,      F,    N),
    ("read_all_notifications", "own"):    (F,  A,     A,     A,    A,     A,     A,      F,    A),
}

HTML_ONLY = frozenset({
    "revert", "watch", "unwatch", "update", "comment", "request_membership", "decide_membership",
    "create_party", "edit_party", "set_membership", "remove_membership", "set_active", "create_token",
    "revoke_token", "read_notification", "open_notification", "read_all_notifications",
})

BODY = "# Fair votes\n\nFirst paragraph about votes.\n\nSecond paragraph about seats.\n"
PROPOSED = BODY.replace("about votes", "about proportional votes")
_serial = count(1)


def _cells() -> list[Any]:
    cells = []
    for (action, target), row in MATRIX.items():
        for actor, cell in zip(ACTORS, row, strict=True):
            html, api = cell.split("/") if "/" in cell else (cell, cell)
            for channel, expected in (("html", html), ("api", _ if action in HTML_ONLY else api)):
                if expected != _:
                    cells.append(pytest.param(action, target, actor, channel, expected,
                                              id=f"{action}-{target}-{actor}-{channel}"))
    return cells


# --- one database for the module -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, postgres_url) -> Iterator[Flask]:
    from tests.conftest import IsolatedClient, make_test_config

    folder = tmp_path_factory.mktemp("matrix")
    shared = create_app(make_test_config(folder, postgres_url or f"sqlite:///{folder / 'matrix.db'}"))
    shared.test_client_class = IsolatedClient
    with shared.app_context():
        db.create_all()
        for slug in ("a", "b"):
            parties.create_party(SYSTEM, slug, f"Party {slug.upper()}", "#336699")
        for role, spec in Cast.SHARED.items():
            user = register_user(f"{role}@example.org", role, "correct horse battery staple", confirmed=True)
            parties.add_member(SYSTEM, user, parties.get_party(spec["party"]), spec.get("role", "member"))
        db.session.remove()
    yield shared
    with shared.app_context():
        if db.engine.dialect.name == "postgresql":  # the next module expects an empty database
            tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def app(shared_app: Flask) -> Iterator[Flask]:
    """conftest's builders (make_user, make_document, token_for) work on the module's database."""
    with shared_app.app_context():
        yield shared_app
        db.session.remove()


# --- the people and things of one cell -------------------------------------------------------------------

class Cast:
    """The people of one cell, each made the first time the cell mentions them. The owners of targets,
    whom no cell changes, are made once for the module (``SHARED``); every actor is the cell's own."""

    SHARED: dict[str, dict[str, str]] = {
        "other_a": {"party": "a"},
        "member_b": {"party": "b"},
        "writer": {"party": "a"},
        "endorser_a": {"party": "a", "role": "lead"},
        "endorser_b": {"party": "b", "role": "lead"},
    }

    ROLES: dict[str, dict[str, Any]] = {
        "non_al": {},
        "pend_a": {"party": "a", "pending": True},
        "mem_a": {"party": "a"},
        "lead_a": {"party": "a", "role": "lead"},
        "lead_b": {"party": "b", "role": "lead"},
        "demoted": {"party": "a", "role": "lead"},  # demoted after signing in: see _after_sign_in
        "deact": {"party": "a", "role": "lead"},  # deactivated after signing in
        "admin": {"admin": True},
        # not actors: whom a cell changes
        "subject": {"party": "a"},
        "applicant_a": {"party": "a", "pending": True},
        "applicant_b": {"party": "b", "pending": True},
    }

    def __init__(self, make_user: Callable[..., User]) -> None:
        self._make_user = make_user
        self._people: dict[str, User | None] = {"anon": None}

    def __getitem__(self, role: str) -> Any:
        if role in self.SHARED:
            return db.session.scalar(select(User).where(User.email == f"{role}@example.org"))
        if role not in self._people:
            spec = dict(self.ROLES[role])
            if "party" in spec:
                spec["party"] = parties.get_party(spec["party"])
            self._people[role] = self._make_user(f"{role} {next(_serial)}", **spec)
        return self._people[role]


@dataclass
class World:
    """What one cell acts on."""

    cast: Cast
    document: Document | None = None
    amendment: Amendment | None = None
    party: str = "a"  # whose endorsement is withdrawn, or which party the request names when endorsing
    revision: int = 1  # the revision named when endorsing
    owner: Any = None  # whose token or notification; who is decided on or administered
    token: ApiToken | None = None
    notification: Notification | None = None
    membership: Membership | None = None
    made: dict[str, Any] = field(default_factory=dict)  # slugs of things the request should create


def _world(cast: Cast, make_document, action: str, target: str, actor: str) -> World:
    owner = {"a": cast["other_a"], "b": cast["member_b"], "own": cast[actor] if actor != "anon" else None,
             "new": None, "other_doc": cast["other_a"], "again": cast["other_a"], "archived": cast["other_a"]}[target]
    user = cast[actor]
    world = World(cast, owner=owner)
    n = next(_serial)
    if action in ("create", "create_party", "create_token"):
        world.made = {"slug": f"made-{n}"}
    elif action in ("edit", "set_status", "watch", "unwatch", "propose"):
        world.document = make_document(owner, body=BODY)
        if action == "unwatch" and user is not None:
            notifications.watch(user, world.document)
    elif action == "revert":
        world.document = make_document(owner, body=BODY, revisions=2)
    elif action in ("endorse", "withdraw_endorsement"):
        world.document = make_document(owner, body=BODY)
        world.party = "b" if target == "b" else "a"
        if action == "withdraw_endorsement":
            endorsements.endorse(cast["endorser_a"], world.document)
            endorsements.endorse(cast["endorser_b"], world.document)
        elif target == "other_doc":
            make_document(owner, body=BODY, revisions=3)  # has a revision 3; the target has only 1
            world.revision = 3
        elif target == "again":
            endorsements.endorse(user, world.document, revision=1, statement="We agree.")
    elif action == "set_rule":
        world.document = make_document(owner, body=BODY)
        if target == "archived":
            documents.set_status(SYSTEM, world.document, "archived")
    elif action in ("mark_red_line", "clear_red_line"):
        world.document = make_document(owner, body=BODY)
        if action == "clear_red_line":
            red_lines.mark_red_line(cast["endorser_a"], world.document, "2")
        elif target == "again":
            red_lines.mark_red_line(user, world.document, "2")
    elif action == "request_membership":
        pass  # the actor asks to join party B: nothing to prepare
    elif action == "decide_membership":
        world.membership = cast[f"applicant_{target}"].membership
    elif action == "edit_party":
        world.made = {"slug": parties.create_party(SYSTEM, f"p{n}", f"Party {n}", "#123456").slug}
    elif action in ("set_membership", "remove_membership", "set_active"):
        world.owner = cast["subject"]
    elif action == "revoke_token":
        world.token, _raw = create_token(None, owner, "to revoke")
    elif action in ("read_notification", "open_notification", "read_all_notifications"):
        reader = owner if owner is not None else cast["non_al"]
        world.document = make_document(cast["writer"], body=BODY)
        notifications.watch(reader, world.document)
        documents.save_revision(cast["writer"], world.document, body=BODY + "\nMore.\n", base_number=1)
        world.notification = db.session.scalar(select(Notification).where(
            Notification.user_id == reader.id, Notification.document_id == world.document.id))
        assert world.notification is not None and world.notification.read_at is None
    else:  # the amendment actions
        world.document = make_document(cast["other_a"], body=BODY)
        world.amendment = amendments.propose_amendment(owner, world.document, title="Say proportional",
                                                       rationale="Precision.", body=PROPOSED, base_number=1)
        if action == "unsupport" and user is not None:
            amendments.support(user, world.amendment)
    return world


def _after_sign_in(actor: str, user: Any) -> None:
    """What happens to the demoted and the deactivated between signing in and the request."""
    if actor == "demoted":
        parties.set_role(SYSTEM, user.membership, "member")
    elif actor == "deact":
        parties.set_user_active(SYSTEM, user, False)


# --- the two channels ------------------------------------------------------------------------------------

def _html(client, world: World, action: str) -> Any:
    slug = world.document.slug if world.document else ""
    page = f"/documents/{slug}/amendments/{world.amendment.number}" if world.amendment else ""
    subject = f"/admin/users/{world.owner.id}" if world.owner is not None else ""
    made = world.made.get("slug", "")
    notification = f"/notifications/{world.notification.id}" if world.notification else ""
    requests = {
        "create": ("/documents/new", {"title": "A new paper", "slug": made, "policy_area": "Democratic reform",
                                      "body": BODY, "summary": ""}),
        "edit": (f"/documents/{slug}/edit", {"title": "Fair votes", "body": PROPOSED, "base_revision": "1",
                                             "summary": "Precision."}),
        "revert": (f"/documents/{slug}/revert", {"to": "1", "base_revision": "2", "summary": "Back."}),
        "set_status": (f"/documents/{slug}/status", {"status": "consultation"}),
        "watch": (f"/documents/{slug}/watch", {}),
        "unwatch": (f"/documents/{slug}/unwatch", {}),
        "propose": (f"/documents/{slug}/amendments/new",
                    {"title": "Say proportional", "rationale": "Precision.", "body": PROPOSED, "base_revision": "1"}),
        "update": (f"{page}/edit", {"title": "Say proportional, please", "rationale": "Precision.",
                                    "body": PROPOSED, "base_revision": "1"}),
        "support": (f"{page}/support", {}),
        "unsupport": (f"{page}/unsupport", {}),
        "comment": (f"{page}/comments", {"body": "Good idea."}),
        "withdraw": (f"{page}/withdraw", {}),
        "accept": (f"{page}/accept", {"accept-note": "Agreed."}),
        "reject": (f"{page}/reject", {"reject-note": "Not now."}),
        "endorse": (f"/documents/{slug}/endorsements",
                    {"revision": str(world.revision), "statement": "We agree.",
                     **({"party": "b"} if world.party == "b" else {})}),
        "withdraw_endorsement": (f"/documents/{slug}/endorsements/{world.party}/withdraw", {}),
        "set_rule": (f"/documents/{slug}/rule", {"kind": "k_of_n", "k": "1"}),
        "mark_red_line": (f"/documents/{slug}/red-lines", {"clause": "2"}),
        "clear_red_line": (f"/documents/{slug}/red-lines/2/clear", {}),
        "request_membership": ("/account/membership", {"party": "b"}),
        "decide_membership": (f"/parties/requests/{world.membership.id if world.membership else 0}",
                              {"decision": "approve"}),
        "create_party": ("/admin/parties", {"slug": made, "name": f"Party {made}", "colour": "#654321"}),
        "edit_party": (f"/admin/parties/{made}", {"name": f"Renamed {made}", "colour": "#654321"}),
        "set_membership": (f"{subject}/membership", {"party": "a", "role": "lead"}),
        "remove_membership": (f"{subject}/membership/remove", {}),
        "set_active": (f"{subject}/active", {"active": "0"}),
        "create_token": ("/account/tokens", {"label": made}),
        "revoke_token": (f"/account/tokens/{world.token.id if world.token else 0}/revoke", {}),
        "read_notification": (f"{notification}/read", {}),
        "open_notification": (f"{notification}/open", {}),
        "read_all_notifications": ("/notifications/read-all", {"up_to": ""}),
    }
    url, form = requests[action]
    return client.post(url, data=form)


def _api(client, world: World, action: str, headers: dict[str, str]) -> Any:
    base = f"/api/v1/documents/{world.document.slug}" if world.document else ""
    amendment = f"{base}/amendments/{world.amendment.number}" if world.amendment else ""
    if action == "withdraw_endorsement":
        return client.delete(f"{base}/endorsements/{world.party}", headers=headers)
    if action == "unsupport":
        return client.delete(f"{amendment}/support", headers=headers)
    if action == "clear_red_line":
        return client.delete(f"{base}/red-lines/2", headers=headers)
    if action == "set_rule":
        return client.put(f"{base}/rule", json={"kind": "k_of_n", "k": 1}, headers=headers)
    if action == "edit":
        return client.put(base, json={"title": "Fair votes", "body": PROPOSED, "base_revision": 1,
                                      "summary": "Precision."}, headers=headers)
    requests = {
        "create": ("/api/v1/documents", {"title": "A new paper", "slug": world.made.get("slug"), "body": BODY,
                                         "policy_area": "Democratic reform"}),
        "propose": (f"{base}/amendments",
                    {"title": "Say proportional", "rationale": "Precision.", "body": PROPOSED, "base_revision": 1}),
        "support": (f"{amendment}/support", None),
        "withdraw": (f"{amendment}/withdraw", None),
        "accept": (f"{amendment}/accept", {"note": "Agreed."}),
        "reject": (f"{amendment}/reject", {"note": "Not now."}),
        "endorse": (f"{base}/endorsements",
                    {"revision": world.revision, "statement": "We agree.",
                     **({"party": "b"} if world.party == "b" else {})}),
        "set_status": (f"{base}/status", {"status": "consultation"}),
        "mark_red_line": (f"{base}/red-lines", {"clause": "2"}),
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
    document = db.session.get(Document, world.document.id) if world.document else None
    amendment = db.session.get(Amendment, world.amendment.id) if world.amendment else None
    owner = db.session.get(User, world.owner.id) if world.owner is not None else None
    count = lambda model, **where: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(model).filter_by(**where))
    if action == "create":
        return count(Document, slug=world.made["slug"]) == 1
    if action == "edit":
        return document.current_number == 2
    if action == "revert":
        return document.current_number == 3
    if action == "set_status":
        return document.status == "consultation"
    if action in ("watch", "unwatch"):
        if actor is None:
            return False
        watching = count(Watch, user_id=actor.id, document_id=document.id) == 1
        return watching == (action == "watch")
    if action == "propose":
        return count(Amendment, document_id=document.id) == 1
    if action == "update":
        return amendment.title == "Say proportional, please"
    if action == "support":
        return count(Support, amendment_id=amendment.id) == 1 and amendment.supporter_count == 1
    if action == "unsupport":
        return actor is not None and count(Support, amendment_id=amendment.id) == 0 and amendment.supporter_count == 0
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
        own = actor.party.slug if actor is not None and actor.party is not None else None
        assert live <= {own}, f"a party got an endorsement its lead never gave: {live}"
        return own is not None and live == {own} and db.session.scalar(select(Endorsement.endorsed_by_id).where(
            Endorsement.document_id == document.id)) == actor.id
    if action == "withdraw_endorsement":
        return world.party not in _live_parties(document)
    if action == "set_rule":
        return (document.rule_kind, document.rule_k) == ("k_of_n", 1)
    if action == "mark_red_line":
        party = actor.party if actor is not None else None
        return party is not None and count(RedLine, document_id=document.id, party_id=party.id,
                                           clause_key="2") == 1
    if action == "clear_red_line":
        return count(RedLine, document_id=document.id) == 0
    if action == "request_membership":
        if actor is None:
            return False
        membership = db.session.get(User, actor.id).membership
        return membership is not None and membership.party.slug == "b" and membership.state == "pending"
    if action == "decide_membership":
        return db.session.get(Membership, world.membership.id).state == "approved"
    if action == "create_party":
        return count(Party, slug=world.made["slug"]) == 1
    if action == "edit_party":
        return parties.get_party(world.made["slug"]).name.startswith("Renamed")
    if action == "set_membership":
        return owner.is_lead
    if action == "remove_membership":
        return owner.membership is None
    if action == "set_active":
        return not owner.is_active
    if action == "create_token":
        return actor is not None and count(ApiToken, user_id=actor.id, label=world.made["slug"]) == 1
    if action == "revoke_token":
        return db.session.get(ApiToken, world.token.id).revoked_at is not None
    if action in ("read_notification", "open_notification", "read_all_notifications"):
        return db.session.get(Notification, world.notification.id).read_at is not None
    raise AssertionError(action)


def _row_counts() -> dict[str, int]:
    """Rows in every table: a refused request adds and removes none (audit events included)."""
    db.session.rollback()
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables}


def _live_endorsement_ids(world: World) -> set[int]:
    db.session.rollback()
    return set(db.session.scalars(select(Endorsement.id).where(Endorsement.ended_at.is_(None))
                                  .where(Endorsement.document_id == world.document.id)))


@pytest.mark.parametrize("action, target, actor, channel, expected", _cells())
def test_permission_matrix(app, make_user, make_document, login, token_for, action, target, actor, channel,
                           expected):
    cast = Cast(make_user)
    user = cast[actor]
    client = app.test_client()
    headers = token_for(user) if channel == "api" and user is not None else {}  # (making a token is audited)
    if channel == "html" and user is not None:
        login(client, user)
    world = _world(cast, make_document, action, target, actor)
    _after_sign_in(actor, user)
    before = _row_counts()
    live_before = _live_endorsement_ids(world) if world.document is not None else set()
    response = _html(client, world, action) if channel == "html" else _api(client, world, action, headers)
    status = response.status_code
    detail = f"{status}: {response.get_data(as_text=True)[:300]}"

    if expected == A:
        assert 200 <= status < 400, detail
        if channel == "html" and status in (301, 302, 303):
            assert "/login" not in response.headers["Location"], detail
        assert _happened(world, action, user), f"answered {status} but nothing happened"
        return
    if expected == S:
        assert 200 <= status < 400, detail
        assert _live_endorsement_ids(world) == live_before, "a second live endorsement of the same revision"
    elif expected == R:
        assert status == 400 and response.get_json()["error"] == "bad_request", detail
    elif expected == I:
        assert status == 422, detail
    elif expected == N:
        assert status == 404, detail
    elif actor in SIGNED_OUT:
        redirected = channel == "html" and status in (302, 303) and "/login" in response.headers["Location"]
        assert status == 401 or redirected, detail
    else:
        assert status == 403, detail
    if expected != S:
        assert not _happened(world, action, user), "refused, yet the effect happened"
    after = _row_counts()
    assert after == before, {name: (before[name], after[name]) for name in before if before[name] != after[name]}

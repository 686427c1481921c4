"""Models to the JSON objects of API.md. Pure functions: no request, no permission checks.

Field sets are exactly those API.md lists (optional extras are named where they are added). Times are
ISO 8601 in UTC with a ``Z``. Serialising never queries: whatever an object needs that is not on its row
(a document's live endorsements, an amendment's latest version) is loaded by the caller, for a whole list
at once, and passed in.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from policyhub.accounts.models import User
from policyhub.amendments.models import Amendment, AmendmentVersion
from policyhub.documents.clauses import Clause
from policyhub.documents.models import Document, Revision
from policyhub.endorsements.models import Endorsement
from policyhub.parties.models import Party
from policyhub.text.diffing import DiffOp

if TYPE_CHECKING:
    from policyhub.endorsements.services import Agenda


def timestamp(value: datetime) -> str:
    """ISO 8601 in UTC, e.g. ``2024-05-01T09:30:00.123456Z``."""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def party(party: Party) -> dict[str, Any]:
    return {"slug": party.slug, "name": party.name, "colour": party.colour}


def _optional_timestamp(value: datetime | None) -> str | None:
    return None if value is None else timestamp(value)


def person(user: User) -> dict[str, Any]:
    """A person as the public sees them: name, and the party of their approved membership (or null)."""
    speaks_for = user.party
    return {"name": user.name, "party": speaks_for.slug if speaks_for is not None else None}


def _optional_person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else person(user)


def endorsement(endorsement: Endorsement, document: Document, *, with_end: bool = False,
                grade: Any = None) -> dict[str, Any]:
    """An endorsement of ``document``; ``current`` while it is live and its revision is the current one;
    ``content_sha256`` of the endorsed text and its ``staleness`` (``grade``, a staleness.Grade, when the
    caller has it for a whole list: otherwise the stored grade, computed only for a row graded before the
    current revision); a scoped endorsement adds ``sections`` and ``reasons`` (only clauses with one).

    ``with_end`` adds the optional ``ended_at`` (null while live), for listings that include ended ones.
    """
    from policyhub.endorsements import staleness  # the grading module imports the document services
    data: dict[str, Any] = {
        "id": endorsement.id,
        "party": endorsement.party.slug,
        "revision": endorsement.revision_number,
        "current": endorsement.is_current_for(document),
        "endorsed_by": person(endorsement.endorsed_by),
        "created_at": timestamp(endorsement.created_at),
        "statement": endorsement.statement,
        "content_sha256": endorsement.content_sha256,
        "staleness": (grade or staleness.grade(endorsement, document)).staleness,
    }
    if endorsement.is_scoped:
        data["sections"] = {stance.clause_key: stance.stance for stance in endorsement.stances}
        data["reasons"] = {stance.clause_key: stance.reason for stance in endorsement.stances if stance.reason}
    if with_end:
        data["ended_at"] = _optional_timestamp(endorsement.ended_at)
    return data


def document(document: Document, live: Sequence[Endorsement] = (), agreed: bool = False, *,
             full: bool = False) -> dict[str, Any]:
    """A document with its ``live`` endorsements and whether it is ``agreed`` (both computed by the caller);
    ``full`` adds the current revision's Markdown ``body`` and rendered ``html``."""
    data: dict[str, Any] = {
        "slug": document.slug,
        "title": document.title,
        "policy_area": document.policy_area,
        "status": document.status,
        "current_revision": document.current_number,
        "updated_at": timestamp(document.updated_at),
        "endorsements": [endorsement(item, document) for item in live],
        "agreed": agreed,
    }
    if full:
        revision = document.current_revision
        data["body"] = revision.body
        data["html"] = revision.html
    return data


def revision(revision: Revision, *, full: bool = False) -> dict[str, Any]:
    """A revision; ``full`` adds its ``title`` and ``body``."""
    data: dict[str, Any] = {
        "number": revision.number,
        "author": person(revision.author),
        "created_at": timestamp(revision.created_at),
        "summary": revision.summary,
        "base": revision.base_number,
        "source": revision.source,
        "amendment": revision.amendment_number,
        "added_words": revision.added_words,
        "removed_words": revision.removed_words,
    }
    if full:
        data["title"] = revision.title
        data["body"] = revision.body
    return data


def clause(clause: Clause) -> dict[str, Any]:
    """A Clause of API.md: its id is the clause key, ``section`` the id of the heading it sits under."""
    return {"id": clause.key, "kind": clause.kind, "text": clause.text, "section": clause.section,
            "line": clause.line}


def diff_ops(ops: Sequence[DiffOp]) -> list[list[str]]:
    """Diff ops as ``[op, text]`` pairs."""
    return [[op, text] for op, text in ops]


def amendment(amendment: Amendment, version: AmendmentVersion, *,
              ops: Sequence[DiffOp] | None = None) -> dict[str, Any]:
    """An amendment, with its latest ``version`` (which gives ``base_revision``); passing ``ops`` (its diff
    against that base) makes the single-amendment form, which adds ``body`` and ``diff``."""
    data: dict[str, Any] = {
        "number": amendment.number,
        "title": amendment.title,
        "rationale": amendment.rationale,
        "author": person(amendment.author),
        "base_revision": version.base_number,
        "status": amendment.status,
        "supporters": amendment.supporter_count,
        "applies_cleanly": amendment.applies_cleanly,
        "created_at": timestamp(amendment.created_at),
        "decided_by": _optional_person(amendment.decided_by),
        "decided_at": _optional_timestamp(amendment.decided_at),
        "decision_note": amendment.decision_note,
        "merged_revision": amendment.merged_revision,
    }
    if ops is not None:
        data["body"] = version.body
        data["diff"] = diff_ops(ops)
    return data


def agenda(view: Agenda) -> dict[str, Any]:
    """The agenda: the parties, and per document whether it is agreed and each party's live endorsement
    (parties that have none are left out of ``endorsements``)."""
    return {
        "parties": [party(item) for item in view.parties],
        "documents": [{
            "slug": row.document.slug,
            "title": row.document.title,
            "agreed": row.agreed,
            "endorsements": {slug: {"revision": state.endorsed_number, "current": state.is_current}
                             for slug, state in row.states.items() if state.endorsement is not None},
        } for row in view.rows],
    }

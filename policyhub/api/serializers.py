"""Models to the JSON objects of API.md. Pure functions: no request, no permission checks.

Field sets are exactly those API.md lists. Times are ISO 8601 in UTC with a ``Z``.
Serialising a list never queries per item: a document list needs no revision, and a revision's author
(with membership and party) is loaded with the revisions themselves.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from policyhub.accounts.models import User
from policyhub.documents.models import Document, Revision
from policyhub.parties.models import Party


def timestamp(value: datetime) -> str:
    """ISO 8601 in UTC, e.g. ``2024-05-01T09:30:00.123456Z``."""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def party(party: Party) -> dict[str, Any]:
    return {"slug": party.slug, "name": party.name, "colour": party.colour}


def person(user: User) -> dict[str, Any]:
    """A person as the public sees them: name, and the party of their approved membership (or null)."""
    speaks_for = user.party
    return {"name": user.name, "party": speaks_for.slug if speaks_for is not None else None}


def document(document: Document, *, full: bool = False) -> dict[str, Any]:
    """A document; ``full`` adds the current revision's Markdown ``body`` and rendered ``html``."""
    data: dict[str, Any] = {
        "slug": document.slug,
        "title": document.title,
        "policy_area": document.policy_area,
        "status": document.status,
        "current_revision": document.current_number,
        "updated_at": timestamp(document.updated_at),
        # No endorsements exist yet, so no party has a current one and nothing is agreed.
        "endorsements": [],
        "agreed": False,
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

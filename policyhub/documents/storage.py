"""Revision texts: how they are stored, and how any one is read back.

A revision row keeps either a snapshot of its body or a delta from the previous revision's body
(policyhub.text.delta decides which: a snapshot at 1, 51, 101, ... and wherever a delta would not be much
smaller than the text). The current revision's body, HTML and headings are also kept on its document (the
head), written in the transaction that moves ``current_number``, so that the page everyone reads rebuilds
and renders nothing.

Reading revision N of a document, the first that answers:
1. a text remembered on the Revision object itself (the one a save just made, or one read before);
2. the document's head, when the session holds the document with its head and the head is revision N
   (``Document.head_number``, loaded with the head: see models.py): no query;
3. the per-app cache of rebuilt bodies and rendered HTML, keyed by (document, number): revisions never
   change, so an entry never goes stale. It is filled only outside write transactions, which may read rows
   that are then rolled back (and whose numbers the next save takes again);
4. the head, queried on the condition that the document's current revision is N, unless the document as
   loaded is already past N: one small query;
5. one SELECT of the rows from the nearest snapshot at or below N up to N (at most 50), whose deltas are
   applied in order. HTML and headings of old revisions are rendered from the rebuilt body.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm.util import identity_key

from policyhub.db import in_write_transaction
from policyhub.extensions import db
from policyhub.lru import SizedLRU, app_cache
from policyhub.text import delta
from policyhub.text.rendering import Rendered, render

if TYPE_CHECKING:
    from policyhub.documents.models import Document, Revision

CACHE_EXTENSION = "policyhub.revision_texts"
DEFAULT_CACHE_BYTES = 16 * 1024 * 1024
_MEMO = "_policyhub_texts"  # attribute of a Revision object holding its Texts once known
_HEAD = ("body", "html", "headings", "head_number")


class StorageError(RuntimeError):
    """A revision's stored text cannot be rebuilt: a row of its chain is missing or damaged."""


@dataclass(frozen=True)
class RenderedText:
    html: str
    headings: list[dict[str, Any]]


@dataclass
class _Texts:
    body: str
    rendered: RenderedText | None = None


def heading_dicts(rendered: Rendered) -> list[dict[str, Any]]:
    """Headings as stored on a document's head and shown in a table of contents."""
    return [{"level": h.level, "text": h.text, "anchor": h.anchor} for h in rendered.headings]


def remember(revision: Revision, body: str, html: str, headings: list[dict[str, Any]]) -> None:
    """Keep the texts a save has just made on its new revision object, which then needs no query for them."""
    setattr(revision, _MEMO, _Texts(body, RenderedText(html, headings)))


# --- reading ---------------------------------------------------------------------------------------------

def body_of(revision: Revision) -> str:
    """The revision's Markdown body."""
    return _texts(revision).body


def rendered_of(revision: Revision) -> RenderedText:
    """The revision's HTML and headings: the head's for the current revision, else rendered from its body."""
    texts = _texts(revision)
    if texts.rendered is None:
        texts_cache = cache()
        key = ("html", revision.document_id, revision.number)
        rendered = texts_cache.get(key)
        if rendered is None:
            made = render(texts.body, clause_keys=revision.clause_keys.split())
            rendered = RenderedText(made.html, heading_dicts(made))
            if not in_write_transaction():
                texts_cache.put(key, rendered, len(rendered.html) + 64 * len(rendered.headings))
        texts.rendered = rendered
    return texts.rendered


def _texts(revision: Revision) -> _Texts:
    texts: _Texts | None = getattr(revision, _MEMO, None)
    if texts is None:
        document = _loaded_document(revision)
        head_loaded = document is not None and not inspect(document).unloaded.intersection(_HEAD)
        if head_loaded and document.head_number == revision.number:
            texts = _Texts(document.body, RenderedText(document.html, document.headings))
        else:
            texts = _from_cache(revision) or (
                None if head_loaded or _known_old(document, revision) else _from_head(revision)
            ) or _from_chain(revision)
        setattr(revision, _MEMO, texts)
    return texts


def _loaded_document(revision: Revision) -> Document | None:
    """The revision's document if the session already holds it (never a query)."""
    from policyhub.documents.models import Document
    state = inspect(revision)
    if "document" not in state.unloaded:
        found = revision.document
    elif state.session is not None:
        found = state.session.identity_map.get(identity_key(Document, revision.document_id))
    else:
        return None
    return found if found is not None and not inspect(found).expired else None


def _known_old(document: Document | None, revision: Revision) -> bool:
    """Whether the document, as loaded, has moved past this revision (current_number only ever grows)."""
    return (document is not None and "current_number" not in inspect(document).unloaded
            and document.current_number > revision.number)


def _from_head(revision: Revision) -> _Texts | None:
    """The head's texts if the document's current revision is this one: one small query."""
    from policyhub.documents.models import Document
    # The condition on current_number makes the head and its number come from one row.
    row = db.session.execute(
        select(Document.body, Document.html, Document.headings)
        .where(Document.id == revision.document_id, Document.current_number == revision.number)
    ).first()
    return None if row is None else _Texts(row.body, RenderedText(row.html, row.headings))


def _from_cache(revision: Revision) -> _Texts | None:
    body = cache().get(("body", revision.document_id, revision.number))
    return None if body is None else _Texts(body)


def _from_chain(revision: Revision) -> _Texts:
    body = rebuild(revision.document_id, revision.number)
    if not in_write_transaction():
        cache().put(("body", revision.document_id, revision.number), body, len(body))
    return _Texts(body)


def rebuild(document_id: int, number: int) -> str:
    """Revision ``number``'s body, rebuilt from storage (no cache): one SELECT of the rows from the nearest
    snapshot at or below it up to it, then its deltas applied in order."""
    from policyhub.documents.models import Revision
    of_document = (Revision.document_id == document_id, Revision.number <= number)
    nearest_snapshot = (
        select(func.max(Revision.number))
        .where(*of_document, Revision.number >= delta.chain_start(number), Revision.snapshot.is_not(None))
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Revision.number, Revision.snapshot, Revision.delta)
        .where(*of_document, Revision.number >= nearest_snapshot)
        .order_by(Revision.number)
    ).all()
    if not rows or rows[0].snapshot is None or rows[-1].number != number or len(rows) != number - rows[0].number + 1:
        raise StorageError(f"Revision {number} of document {document_id} cannot be rebuilt: its chain is incomplete.")
    body = rows[0].snapshot
    for row in rows[1:]:
        try:
            body = row.snapshot if row.snapshot is not None else delta.apply(body, row.delta)
        except ValueError as error:
            raise StorageError(f"Revision {row.number} of document {document_id} cannot be rebuilt: {error}") from None
    return body


def stored_rows(document_id: int, first: int, last: int) -> list[Any]:
    """The stored forms of revisions ``first`` to ``last`` as rows of (number, snapshot, delta), in number
    order: one SELECT. For walking a history's edit scripts (policyhub.documents.provenance)."""
    from policyhub.documents.models import Revision
    return list(db.session.execute(
        select(Revision.number, Revision.snapshot, Revision.delta)
        .where(Revision.document_id == document_id, Revision.number >= first, Revision.number <= last)
        .order_by(Revision.number)
    ))


# --- the cache -------------------------------------------------------------------------------------------

def cache() -> SizedLRU:
    """This app's cache of rebuilt bodies and rendered HTML (benchmarks empty it)."""
    return app_cache(CACHE_EXTENSION, "REVISION_CACHE_BYTES", DEFAULT_CACHE_BYTES)

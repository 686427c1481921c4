"""Who wrote what: each passage of a revision's text, with the revision, author, party and amendment that
introduced it (policyhub.text.attribution does the replaying; this module reads the history for it).

The history is replayed from its storage form: most revisions are stored as a delta from the previous body,
which *is* the word-level edit script, so only snapshot rows (revision 1, 51, 101, ... and rewrites) need a
diff against the body before them. Results are kept per app in a bounded LRU by (document, number), with a
checkpoint every ``CHECKPOINT_EVERY`` revisions of a long walk, and a walk starts from the newest kept
revision at or below the one asked for: after an edit, the current text's attribution costs one row. As with
revision texts (storage.py), nothing is kept from inside a write transaction, whose rows may be rolled back.

The party shown is the author's party now (their approved membership), as everywhere else on the site:
memberships have no history to ask what it was when they wrote.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from policyhub.accounts.models import User
from policyhub.db import in_write_transaction
from policyhub.documents import storage
from policyhub.documents.models import Document, Revision
from policyhub.documents.storage import StorageError
from policyhub.errors import NotFound
from policyhub.extensions import db
from policyhub.lru import SizedLRU, app_cache
from policyhub.parties.models import Party
from policyhub.text import delta
from policyhub.text.attribution import Attribution, word_count
from policyhub.text.diffing import diff_words

CACHE_EXTENSION = "policyhub.provenance"
DEFAULT_CACHE_BYTES = 8 * 1024 * 1024
CHECKPOINT_EVERY = delta.SNAPSHOT_EVERY
_RUN_BYTES = 48  # about what one run of an Attribution costs, for the cache's size bound


@dataclass(frozen=True)
class Passage:
    """Some of a revision's text, and where it came from."""

    text: str
    revision: Revision  # the revision that introduced it
    author: User
    party: Party | None  # the author's party (None: non-aligned)
    amendment: int | None  # the accepted amendment the revision came from

    @property
    def words(self) -> int:
        return word_count(self.text)


@dataclass(frozen=True)
class Contribution:
    """One revision's share of the text."""

    revision: Revision
    words: int
    characters: int


@dataclass(frozen=True)
class PartyShare:
    party: Party | None  # None: non-aligned authors
    words: int
    characters: int


@dataclass(frozen=True)
class Provenance:
    document: Document
    revision: Revision  # the revision whose text is attributed
    body: str
    passages: list[Passage]  # in text order; their texts concatenate to ``body``
    contributions: list[Contribution]  # every revision with text in ``body``, oldest first

    def party_shares(self) -> list[PartyShare]:
        """Words per party (non-aligned authors together), most words first."""
        totals: dict[int | None, list[int]] = {}
        parties: dict[int | None, Party | None] = {}
        for passage in self.passages:
            key = passage.party.id if passage.party is not None else None
            parties[key] = passage.party
            total = totals.setdefault(key, [0, 0])
            total[0] += passage.words
            total[1] += len(passage.text)
        shares = [PartyShare(parties[key], words, characters) for key, (words, characters) in totals.items()]
        return sorted(shares, key=lambda share: (-share.words, -share.characters,
                                                 share.party is None, share.party.name if share.party else ""))


def provenance(document: Document, number: int | None = None) -> Provenance:
    """Who wrote which passage of revision ``number`` (default: the current one). Raises NotFound for a
    revision the document does not have, StorageError when its stored history cannot be replayed.

    Costs, besides the replay: one query for the rows replayed (none when the answer is kept) and a fixed
    number for the revisions' metadata with their authors and parties, however many revisions contributed.
    """
    number = document.current_number if number is None else number
    if not 0 < number <= document.current_number:
        raise NotFound(f"'{document.title}' has no revision {number}; it has {document.current_number}.")
    attribution, body = _attribution(document.id, number)
    revisions = _revisions(document, attribution.numbers() | {number})
    if number not in revisions:
        raise NotFound(f"'{document.title}' has no revision {number}; it has {document.current_number}.")
    passages = []
    for text, introduced in attribution.pieces(body):
        revision = revisions[introduced]
        author = revision.author
        passages.append(Passage(text=text, revision=revision, author=author, party=author.party,
                                amendment=revision.amendment_number))
    return Provenance(document=document, revision=revisions[number], body=body, passages=passages,
                      contributions=_contributions(passages))


def _contributions(passages: list[Passage]) -> list[Contribution]:
    totals: dict[int, list[int]] = {}
    by_number: dict[int, Revision] = {}
    for passage in passages:
        by_number[passage.revision.number] = passage.revision
        total = totals.setdefault(passage.revision.number, [0, 0])
        total[0] += passage.words
        total[1] += len(passage.text)
    return [Contribution(by_number[n], *totals[n]) for n in sorted(totals)]


def _revisions(document: Document, numbers: set[int]) -> dict[int, Revision]:
    """The revisions by number, with authors (joined), memberships and parties (one more SELECT for all):
    two queries however many there are."""
    found = db.session.scalars(
        select(Revision).where(Revision.document_id == document.id, Revision.number.in_(sorted(numbers)))
    )
    return {revision.number: revision for revision in found}


# --- replaying the history -------------------------------------------------------------------------------

def _attribution(document_id: int, number: int) -> tuple[Attribution, str]:
    """Revision ``number``'s attribution and body, from the cache or replayed from the newest kept one."""
    kept_cache = cache()
    kept = kept_cache.get((document_id, number))
    if kept is not None:
        return kept
    start, attribution, body = 0, Attribution(), ""
    for earlier in range(number - 1, 0, -1):
        kept = kept_cache.get((document_id, earlier))
        if kept is not None:
            start, (attribution, body) = earlier, kept
            break
    keep = not in_write_transaction()
    rows = storage.stored_rows(document_id, start + 1, number)
    if len(rows) != number - start or (rows and rows[0].number != start + 1):
        raise StorageError(f"The history of document {document_id} up to revision {number} is incomplete.")
    for row in rows:
        try:
            if row.delta is not None and start:
                attribution = attribution.after_delta(row.delta, row.number)
                body = delta.apply(body, row.delta)
            elif row.snapshot is not None:
                attribution = attribution.after_ops(diff_words(body, row.snapshot), row.number)
                body = row.snapshot
            else:
                raise ValueError("the first revision has no text of its own")
        except ValueError as error:
            raise StorageError(f"Revision {row.number} of document {document_id} cannot be replayed: "
                               f"{error}") from None
        start = row.number
        if keep and row.number != number and row.number % CHECKPOINT_EVERY == 0:
            _put(kept_cache, document_id, row.number, attribution, body)
    if keep:
        _put(kept_cache, document_id, number, attribution, body)
    return attribution, body


def _put(kept: SizedLRU, document_id: int, number: int, attribution: Attribution, body: str) -> None:
    kept.put((document_id, number), (attribution, body), len(body) + _RUN_BYTES * len(attribution))


def cache() -> SizedLRU:
    """This app's cache of attributions with their bodies, by (document id, revision number)."""
    return app_cache(CACHE_EXTENSION, "PROVENANCE_CACHE_BYTES", DEFAULT_CACHE_BYTES)

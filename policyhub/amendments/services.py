"""Amendments: propose, update, support, comment, withdraw, accept and reject; and whether they still apply.

The public surface (used by the HTML views and the JSON API alike):

reading
    ``list_amendments``, ``list_open_amendments``, ``amendment_counts``, ``top_open_amendments``,
    ``get_amendment``, ``latest_version``, ``latest_versions``, ``versions``, ``get_version``, ``supporters``,
    ``is_supporter``, ``comments``, ``amendment_diff``, ``preview`` (a ``Preview``), ``overlaps``, ``amendment_path``
the ``revision_created`` receiver
    ``recheck_after_revision`` (connected by the views module, so it is registered whenever an app is built)
writing (each takes the acting user first, checks ``require(...)`` itself and owns its write transaction)
    ``propose_amendment``, ``update_amendment``, ``support``, ``unsupport``, ``withdraw_amendment``,
    ``accept_amendment``, ``reject_amendment``, ``add_comment``

Rules kept here:

- Numbers are 1, 2, 3 ... per document without gaps: the next one is taken while holding the document's row
  lock, and the unique (document_id, number) constraint backs it.
- An amendment's text lives in immutable versions, each made against a base revision. Updating adds a version.
- Every write on one amendment holds its row lock, so a support, a comment or an update never lands on an
  amendment decided at the same moment, and ``supporter_count`` stays equal to its rows in the supports table.
- Accepting goes through ``documents.services.apply_change``, the one save path, inside this module's
  transaction: the revision, the decision, the audit events and the notifications commit together, and an
  amendment that no longer applies raises EditConflict and changes nothing.
- After every new revision (``revision_created``, inside the save's transaction) each open amendment of the
  document is checked against the new text: ``applies_cleanly``, ``checked_revision`` and ``touched``.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, lazyload, selectinload

from policyhub.amendments.models import (
    COMMENT_MAX, NOTE_MAX, RATIONALE_MAX, STATES, TITLE_MAX, Amendment, AmendmentVersion, Comment, Support,
)
from policyhub.db import utcnow, write_transaction
from policyhub.documents import services as documents
from policyhub.documents.models import SUMMARY_MAX, Document, Revision, without_head
from policyhub.errors import N_, BadRequest, Conflict, EditConflict, NotFound
from policyhub.extensions import db
from policyhub.notifications.services import ensure_watching, notify
from policyhub.parties import audit
from policyhub.permissions import Action, require
from policyhub.search.services import enqueue_amendment
from policyhub.text.diffing import Conflict as MergeConflict
from policyhub.text.diffing import DiffOp, diff_words, merge3
from policyhub.text.rendering import MAX_DOCUMENT_BYTES, render
from policyhub.validation import MAX_INTEGER, Checker

#: The ``status`` filter values of ``list_amendments``: the four states, and ``all``.
STATUS_FILTERS = (*STATES, "all")
MUST_CHANGE = N_("An amendment must change the text.")


@dataclass(frozen=True)
class Preview:
    """How the latest version of an amendment would apply to the document's current text, right now.

    ``ops`` diff the current text against the merged result (empty when it does not apply); ``conflicts``
    are the passages that both the amendment and the revisions since its base changed differently.
    """

    applies: bool
    merged_text: str | None
    ops: list[DiffOp]
    conflicts: tuple[MergeConflict, ...]
    base_number: int
    current_number: int

    @property
    def moved_on(self) -> bool:
        """Whether the document has new revisions since the amendment's base."""
        return self.base_number != self.current_number

    @property
    def changes_text(self) -> bool:
        """False when the current text already holds everything the amendment proposes."""
        return any(op != "equal" for op, _ in self.ops)


# --- reading ---------------------------------------------------------------------------------------------

def amendment_path(amendment: Amendment) -> str:
    """The amendment's page (a stable URL, API.md "Pages"), for notifications written outside a request."""
    return f"/documents/{amendment.document.slug}/amendments/{amendment.number}"


def list_amendments(document: Document, status: str | None = None) -> list[Amendment]:
    """The document's amendments in number order; ``status`` one of STATUS_FILTERS (None: all).

    Raises BadRequest for an unknown status.
    """
    query = select(Amendment).where(Amendment.document_id == document.id)
    if status not in (None, "", "all"):
        if status not in STATES:
            raise BadRequest(f"Unknown amendment status '{status}': use one of {', '.join(STATUS_FILTERS)}.")
        query = query.where(Amendment.status == status)
    # Deciders come with the list: every listing (page or API) shows who decided.
    return list(db.session.scalars(query.options(selectinload(Amendment.decided_by)).order_by(Amendment.number)))


def list_open_amendments(page: int = 1, per_page: int = 50) -> tuple[list[Amendment], int]:
    """Open amendments across the site, grouped by document (title order) and numbered within it; one page
    and the total."""
    total = db.session.scalar(select(func.count()).select_from(Amendment).where(Amendment.status == "open")) or 0
    amendments = db.session.scalars(
        select(Amendment).join(Amendment.document).options(contains_eager(Amendment.document).options(*without_head()))
        .where(Amendment.status == "open")
        .order_by(Document.title, Document.id, Amendment.number)
        .offset((max(page, 1) - 1) * per_page).limit(per_page)
    )
    return list(amendments), total


def amendment_counts(document: Document) -> dict[str, int]:
    """How many amendments the document has in each state (every state present, zeros included), and ``all``."""
    counts = dict.fromkeys(STATES, 0)
    for status, count in db.session.execute(
        select(Amendment.status, func.count()).where(Amendment.document_id == document.id)
        .group_by(Amendment.status)
    ):
        counts[status] = count
    counts["all"] = sum(counts[state] for state in STATES)
    return counts


def top_open_amendments(document: Document, limit: int = 5) -> list[Amendment]:
    """The most-supported open amendments of a document (ties: the older first), for a summary: their
    authors are not loaded with them."""
    return list(db.session.scalars(
        select(Amendment).options(lazyload(Amendment.author))
        .where(Amendment.document_id == document.id, Amendment.status == "open")
        .order_by(Amendment.supporter_count.desc(), Amendment.number).limit(limit)
    ))


def get_amendment(document: Document, number: int) -> Amendment:
    """Amendment ``number`` of ``document``; NotFound when there is none."""
    amendment = None if not 0 < number <= MAX_INTEGER else db.session.scalar(
        select(Amendment).where(Amendment.document_id == document.id, Amendment.number == number)
    )
    if amendment is None:
        raise NotFound(f"'{document.title}' has no amendment {number}.")
    return amendment


def latest_version(amendment: Amendment) -> AmendmentVersion:
    """The amendment's current proposed text (its highest-numbered version)."""
    return db.session.scalars(
        select(AmendmentVersion).where(AmendmentVersion.amendment_id == amendment.id)
        .order_by(AmendmentVersion.number.desc()).limit(1)
    ).one()


def latest_versions(amendments: Sequence[Amendment]) -> dict[int, AmendmentVersion]:
    """Each amendment's latest version, keyed by amendment id, in one query for a whole list."""
    if not amendments:
        return {}
    newest = (select(AmendmentVersion.amendment_id, func.max(AmendmentVersion.number).label("number"))
              .where(AmendmentVersion.amendment_id.in_([a.id for a in amendments]))
              .group_by(AmendmentVersion.amendment_id).subquery())
    rows = db.session.scalars(select(AmendmentVersion).join(
        newest, (AmendmentVersion.amendment_id == newest.c.amendment_id)
        & (AmendmentVersion.number == newest.c.number)))
    return {version.amendment_id: version for version in rows}


def versions(amendment: Amendment) -> list[AmendmentVersion]:
    """Every version of the amendment, oldest first."""
    return list(db.session.scalars(
        select(AmendmentVersion).where(AmendmentVersion.amendment_id == amendment.id)
        .order_by(AmendmentVersion.number)
    ))


def get_version(amendment: Amendment, number: int) -> AmendmentVersion:
    """Version ``number`` of the amendment; NotFound when there is none."""
    version = None if not 0 < number <= MAX_INTEGER else db.session.scalar(
        select(AmendmentVersion).where(AmendmentVersion.amendment_id == amendment.id,
                                       AmendmentVersion.number == number)
    )
    if version is None:
        raise NotFound(f"Amendment {amendment.number} has no version {number}.")
    return version


def supporters(amendment: Amendment) -> list[Support]:
    """Who supports the amendment, earliest first (each Support carries its user)."""
    return list(db.session.scalars(
        select(Support).where(Support.amendment_id == amendment.id).order_by(Support.created_at, Support.id)
    ))


def is_supporter(user: Any, amendment: Amendment) -> bool:
    """Whether ``user`` (possibly anonymous) supports the amendment."""
    user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    if user_id is None:
        return False
    return db.session.scalar(
        select(Support.id).where(Support.amendment_id == amendment.id, Support.user_id == user_id)
    ) is not None


def comments(amendment: Amendment) -> list[Comment]:
    """The comment thread, oldest first."""
    return list(db.session.scalars(
        select(Comment).where(Comment.amendment_id == amendment.id).order_by(Comment.created_at, Comment.id)
    ))


def amendment_diff(amendment: Amendment, version: AmendmentVersion | None = None) -> list[DiffOp]:
    """The word diff of a version (default: the latest) against the revision it was made on."""
    version = version or latest_version(amendment)
    base = documents.get_revision(amendment.document, version.base_number)
    return diff_words(base.body, version.body)


def preview(amendment: Amendment) -> Preview:
    """Merge the latest version into the current text now (three-way, from its base), without saving."""
    document = amendment.document
    version = latest_version(amendment)
    current = documents.get_revision(document, document.current_number)
    if version.base_number == current.number:
        merged: str | None = version.body
        conflicts: tuple[MergeConflict, ...] = ()
    else:
        base = documents.get_revision(document, version.base_number)
        result = merge3(base.body, version.body, current.body)
        merged, conflicts = result.text, result.conflicts
    return Preview(
        applies=merged is not None, merged_text=merged,
        ops=diff_words(current.body, merged) if merged is not None else [],
        conflicts=conflicts, base_number=version.base_number, current_number=current.number,
    )


def overlaps(amendments: Iterable[Amendment]) -> dict[int, list[int]]:
    """Which of one document's open amendments change overlapping passages of the current text.

    Maps each amendment number to the numbers of the others whose ``touched`` ranges overlap or touch its
    own (amendments without one are left out; decided ones are ignored). Only amendments checked against
    the same revision are compared: ranges of different texts say nothing about each other.
    """
    amendments = [a for a in amendments if a.status == "open"]
    if len({a.document_id for a in amendments}) > 1:
        raise ValueError("overlaps() compares amendments of one document")
    result: dict[int, set[int]] = {}
    by_revision = sorted(amendments, key=lambda a: a.checked_revision)
    for _, group in groupby(by_revision, key=lambda a: a.checked_revision):
        spans = sorted((start, end, a.number) for a in group for start, end in (a.touched or []))
        # Sweep: each span is compared with the earlier spans that reach up to its start (closed ranges,
        # so an insertion at the edge of another change counts: merge3 treats touching changes alike).
        active: list[tuple[int, int]] = []
        for start, end, number in spans:
            active = [(e, n) for e, n in active if e >= start]
            for _, other in active:
                if other != number:
                    result.setdefault(number, set()).add(other)
                    result.setdefault(other, set()).add(number)
            active.append((end, number))
    return {number: sorted(others) for number, others in sorted(result.items())}


# --- writing ---------------------------------------------------------------------------------------------

def propose_amendment(actor: Any, document: Document, *, title: object, rationale: object, body: object,
                      base_number: object) -> Amendment:
    """Propose a new text for a draft or consultation document, made on revision ``base_number``.

    The amendment takes the document's next number; its author starts watching the document and the
    watchers are notified. Raises Unauthorized/Forbidden (AMENDMENT_PROPOSE), Invalid (title, rationale,
    body, base_revision; a body equal to its base is refused).
    """
    require(actor, Action.AMENDMENT_PROPOSE, document)
    checker = Checker()
    title, rationale = _check_title(checker, title), _check_rationale(checker, rationale)
    body = _check_body(checker, body)
    base = _check_base(checker, document, base_number)
    if base is not None and body and body == base.body:
        checker.fail("body", MUST_CHANGE)
    checker.done()
    assert base is not None
    try:
        with write_transaction(db.session):
            document = documents.lock_document(document)
            require(actor, Action.AMENDMENT_PROPOSE, document)  # the status may have changed meanwhile
            number = (db.session.scalar(
                select(func.max(Amendment.number)).where(Amendment.document_id == document.id)) or 0) + 1
            now = utcnow()
            amendment = Amendment(
                document=document, number=number, title=title, rationale=rationale,
                rationale_html=render(rationale).html, author_id=actor.id, status="open",
                created_at=now, updated_at=now, supporter_count=0,
            )
            db.session.add(amendment)
            db.session.flush()
            version = AmendmentVersion(amendment_id=amendment.id, number=1, body=body, base_number=base.number,
                                       created_at=now)
            db.session.add(version)
            _recheck(document, [(amendment, version)])
            audit.record(actor, "amendment.propose", amendment,
                         f"Amendment {number} to '{document.title}': {title}",
                         document=document.slug, number=number, base=base.number)
            enqueue_amendment(amendment)
            ensure_watching(actor, document)
            notify(document, actor=actor, kind="amendment", url=amendment_path(amendment),
                   message=f"{actor.name} proposed amendment {number} to '{document.title}': {title}")
    except IntegrityError:  # the lock makes this unreachable; the constraint is the backstop
        raise Conflict(N_("Another amendment took that number at the same moment; please send it again.")) from None
    return amendment


def update_amendment(actor: Any, amendment: Amendment, *, body: object, title: object = None,
                     rationale: object = None, base_number: object = None) -> Amendment:
    """The author's new text for an open amendment, made on revision ``base_number`` (default: the current
    one); earlier versions stay. ``title`` and ``rationale`` change only when given.

    A body and base equal to the latest version's make no new version. Raises Unauthorized/Forbidden
    (AMENDMENT_UPDATE: the author, while open) or Invalid.
    """
    require(actor, Action.AMENDMENT_UPDATE, amendment)
    document = amendment.document
    checker = Checker()
    new_title = None if title is None else _check_title(checker, title)
    new_rationale = None if rationale is None else _check_rationale(checker, rationale)
    body = _check_body(checker, body)
    base = _check_base(checker, document, document.current_number if base_number in (None, "") else base_number)
    if base is not None and body and body == base.body:
        checker.fail("body", MUST_CHANGE)
    checker.done()
    assert base is not None
    with write_transaction(db.session):
        document = documents.lock_document(document)
        amendment = _lock(amendment)
        require(actor, Action.AMENDMENT_UPDATE, amendment)
        latest = latest_version(amendment)
        changed: list[str] = []
        if new_title is not None and new_title != amendment.title:
            amendment.title = new_title
            changed.append("title")
        if new_rationale is not None and new_rationale != amendment.rationale:
            amendment.rationale, amendment.rationale_html = new_rationale, render(new_rationale).html
            changed.append("rationale")
        version = latest
        if body != latest.body or base.number != latest.base_number:
            version = AmendmentVersion(amendment_id=amendment.id, number=latest.number + 1, body=body,
                                       base_number=base.number, created_at=utcnow())
            db.session.add(version)
            changed.append("text")
        if not changed:
            return amendment
        amendment.updated_at = utcnow()
        if version is not latest:
            _recheck(document, [(amendment, version)])
        enqueue_amendment(amendment)
        audit.record(actor, "amendment.update", amendment,
                     f"Amendment {amendment.number} to '{document.title}' updated ({', '.join(changed)})",
                     document=document.slug, number=amendment.number, version=version.number,
                     base=version.base_number, changed=changed)
    return amendment


def support(actor: Any, amendment: Amendment) -> Amendment:
    """Co-sign an open amendment by someone else. Supporting twice changes nothing.

    Raises Unauthorized/Forbidden (AMENDMENT_SUPPORT).
    """
    require(actor, Action.AMENDMENT_SUPPORT, amendment)
    with write_transaction(db.session):
        amendment = _lock(amendment)
        require(actor, Action.AMENDMENT_SUPPORT, amendment)
        if is_supporter(actor, amendment):
            return amendment
        db.session.add(Support(amendment_id=amendment.id, user_id=actor.id, created_at=utcnow()))
        db.session.flush()
        _count_supporters(amendment)
        audit.record(actor, "amendment.support", amendment,
                     f"Supports amendment {amendment.number} to '{amendment.document.title}'",
                     document=amendment.document.slug, number=amendment.number)
    return amendment


def unsupport(actor: Any, amendment: Amendment) -> Amendment:
    """Withdraw one's support from an open amendment. Without a support, changes nothing.

    Raises Unauthorized/Forbidden (AMENDMENT_SUPPORT).
    """
    require(actor, Action.AMENDMENT_SUPPORT, amendment)
    with write_transaction(db.session):
        amendment = _lock(amendment)
        require(actor, Action.AMENDMENT_SUPPORT, amendment)
        removed = db.session.execute(
            delete(Support).where(Support.amendment_id == amendment.id, Support.user_id == actor.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not removed:
            return amendment
        _count_supporters(amendment)
        audit.record(actor, "amendment.unsupport", amendment,
                     f"No longer supports amendment {amendment.number} to '{amendment.document.title}'",
                     document=amendment.document.slug, number=amendment.number)
    return amendment


def add_comment(actor: Any, amendment: Amendment, body: object) -> Comment:
    """Comment (Markdown, rendered and sanitised once) on an open amendment; the commenter starts watching
    the document and its watchers are notified. Raises Unauthorized/Forbidden (AMENDMENT_COMMENT) or Invalid.
    """
    require(actor, Action.AMENDMENT_COMMENT, amendment)
    checker = Checker()
    body = checker.text("body", body, label=N_("Comment"), max_length=COMMENT_MAX, multiline=True)
    checker.done()
    with write_transaction(db.session):
        amendment = _lock(amendment)
        require(actor, Action.AMENDMENT_COMMENT, amendment)
        document = amendment.document
        comment = Comment(amendment_id=amendment.id, author_id=actor.id, body=body, html=render(body).html,
                          created_at=utcnow())
        db.session.add(comment)
        db.session.flush()
        audit.record(actor, "amendment.comment", amendment,
                     f"Comment on amendment {amendment.number} to '{document.title}'",
                     document=document.slug, number=amendment.number, comment=comment.id)
        ensure_watching(actor, document)
        notify(document, actor=actor, kind="comment", url=f"{amendment_path(amendment)}#comment-{comment.id}",
               message=f"{actor.name} commented on amendment {amendment.number} to '{document.title}'")
    return comment


def withdraw_amendment(actor: Any, amendment: Amendment) -> Amendment:
    """The author closes their open amendment (``decided_at`` records when; nobody decided it).

    Raises Unauthorized/Forbidden (AMENDMENT_WITHDRAW).
    """
    require(actor, Action.AMENDMENT_WITHDRAW, amendment)
    with write_transaction(db.session):
        amendment = _lock(amendment)
        require(actor, Action.AMENDMENT_WITHDRAW, amendment)
        amendment.status, amendment.decided_at = "withdrawn", utcnow()
        _record_decision(actor, amendment, "withdraw", "withdrew")
        enqueue_amendment(amendment)
    return amendment


def accept_amendment(actor: Any, amendment: Amendment, note: object = "") -> tuple[Amendment, Revision]:
    """Merge the latest version into the document as a new revision (source ``amendment``, authored by the
    amendment's author) and mark the amendment accepted, all in one transaction.

    Raises Unauthorized/Forbidden (AMENDMENT_DECIDE: leads and admins, not their own, while open), Invalid
    (note), EditConflict when it no longer applies (nothing is changed), or Conflict when the current text
    already holds everything it proposes.
    """
    require(actor, Action.AMENDMENT_DECIDE, amendment)
    note = _check_note(note, required=False)
    try:
        with write_transaction(db.session):
            document = documents.lock_document(amendment.document)
            amendment = _lock(amendment)
            require(actor, Action.AMENDMENT_DECIDE, amendment)
            version = latest_version(amendment)
            # Closed before the save, so that the re-check of open amendments the save triggers skips it.
            _decide(actor, amendment, "accepted", note)
            result = documents.apply_change(
                actor, document, title=None, body=version.body, base_number=version.base_number,
                summary=_shorten(f"Amendment {amendment.number}: {amendment.title}", SUMMARY_MAX),
                source="amendment", permission=None, author=amendment.author, amendment_number=amendment.number,
            )
            if not result.changed:
                raise Conflict(f"The current text (revision {result.revision.number}) already contains everything "
                               f"amendment {amendment.number} proposes, so accepting it would change nothing. "
                               "Reject it with a note saying so, or ask its author to withdraw it.")
            amendment.merged_revision = result.revision.number
            _record_decision(actor, amendment, "accept", "accepted", revision=result.revision.number)
            enqueue_amendment(amendment)
    except EditConflict as error:
        raise EditConflict(
            f"Amendment {amendment.number} no longer applies: revision {error.current.number} changed the same "
            f"passages since its base, revision {error.base_number}. Nothing was changed. Ask its author to "
            "update it to the current text.",
            document=error.document, current=error.current, base_number=error.base_number, title=error.title,
            body=error.body, summary=error.summary, conflicts=error.conflicts,
        ) from error
    return amendment, result.revision


def reject_amendment(actor: Any, amendment: Amendment, note: object) -> Amendment:
    """Close an open amendment without merging it; the note saying why is required.

    Raises Unauthorized/Forbidden (AMENDMENT_DECIDE) or Invalid (note).
    """
    require(actor, Action.AMENDMENT_DECIDE, amendment)
    note = _check_note(note, required=True)
    with write_transaction(db.session):
        documents.lock_document(amendment.document)
        amendment = _lock(amendment)
        require(actor, Action.AMENDMENT_DECIDE, amendment)
        _decide(actor, amendment, "rejected", note)
        _record_decision(actor, amendment, "reject", "rejected")
        enqueue_amendment(amendment)
    return amendment


# --- keeping open amendments checked ---------------------------------------------------------------------

def recheck_after_revision(revision: Revision, *, document: Document, actor: Any, **_: Any) -> None:
    """``revision_created`` receiver (runs inside the save's transaction): check every open amendment of the
    document against the new text, and notify the authors of those that stopped applying."""
    pending = db.session.scalars(
        select(Amendment).where(Amendment.document_id == document.id, Amendment.status == "open")
        .order_by(Amendment.number)
    ).all()
    if not pending:
        return
    latest = latest_versions(pending)
    applied_before = {a.id: a.applies_cleanly for a in pending}
    _recheck(document, [(a, latest[a.id]) for a in pending], current=revision)
    for amendment in pending:
        if applied_before[amendment.id] and not amendment.applies_cleanly:
            notify(document, actor=actor, kind="conflict", url=amendment_path(amendment), only=[amendment.author_id],
                   message=f"Your amendment {amendment.number} to '{document.title}' no longer applies: revision "
                           f"{revision.number} changed the same passages. Update it to the current text.")


def _recheck(document: Document, pairs: Sequence[tuple[Amendment, AmendmentVersion]],
             current: Revision | None = None) -> None:
    """Store, for each (amendment, its latest version), whether it merges into the current text and which
    ranges of that text it changes. Versions on the same base share one base→current diff."""
    current = current or documents.get_revision(document, document.current_number)
    bases = {r.number: r for r in db.session.scalars(select(Revision).where(
        Revision.document_id == document.id, Revision.number.in_(sorted({v.base_number for _, v in pairs}))))}
    maps: dict[int, _PositionMap] = {}
    for amendment, version in pairs:
        base = bases[version.base_number]
        changed = _changed_ranges(diff_words(base.body, version.body))
        if base.number == current.number:
            applies, touched = True, changed
        else:
            applies = merge3(base.body, version.body, current.body).clean
            if base.number not in maps:
                maps[base.number] = _PositionMap(diff_words(base.body, current.body))
            touched = [maps[base.number].range(start, end) for start, end in changed]
        amendment.applies_cleanly = applies
        amendment.checked_revision = current.number
        amendment.touched = [list(span) for span in touched]


def _changed_ranges(ops: Iterable[DiffOp]) -> list[tuple[int, int]]:
    """The [start, end) ranges of the old text that each change group of a diff replaces (an insertion is
    a zero-width range at its position)."""
    ranges, position = [], 0
    for is_equal, group in groupby(ops, key=lambda op: op[0] == "equal"):
        consumed = sum(len(text) for op, text in group if op != "insert")
        if not is_equal:
            ranges.append((position, position + consumed))
        position += consumed
    return ranges


class _PositionMap:
    """Maps positions of an old text to a new one through their diff.

    Unchanged text maps exactly. A position inside a passage the diff replaced maps to the edges of the
    replacement, widening a range so that it covers all of it: a range is never narrowed, so two changes
    to the same passage always overlap.
    """

    def __init__(self, ops: Iterable[DiffOp]) -> None:
        # Segments (old_start, old_end, new_start, new_end, unchanged), contiguous on both sides.
        self._segments: list[tuple[int, int, int, int, bool]] = []
        old = new = 0
        for is_equal, group in groupby(ops, key=lambda op: op[0] == "equal"):
            pieces = list(group)
            old_size = sum(len(text) for op, text in pieces if op != "insert")
            new_size = sum(len(text) for op, text in pieces if op != "delete")
            self._segments.append((old, old + old_size, new, new + new_size, is_equal))
            old, new = old + old_size, new + new_size
        self._new_length = new
        self._starts = [segment[0] for segment in self._segments]
        self._ends = [segment[1] for segment in self._segments]

    def range(self, start: int, end: int) -> tuple[int, int]:
        """Where old[start:end] lies in the new text (widened over any replacement it reaches into)."""
        first = self._start(start)
        return first, max(first, self._end(end))

    def _start(self, position: int) -> int:
        index = bisect_right(self._ends, position)  # the first segment ending after the position
        before = self._segments[index - 1] if index else None
        if before is not None and before[0] == before[1] == position:  # text inserted right here
            return before[2]
        if index == len(self._segments):
            return self._new_length
        old_start, _, new_start, _, unchanged = self._segments[index]
        return new_start + (position - old_start) if unchanged else new_start

    def _end(self, position: int) -> int:
        index = bisect_left(self._starts, position) - 1  # the last segment starting before the position
        after = self._segments[index + 1] if index + 1 < len(self._segments) else None
        if after is not None and after[0] == after[1] == position:  # text inserted right here
            return after[3]
        if index < 0:
            return 0
        old_start, _, new_start, new_end, unchanged = self._segments[index]
        return new_start + (position - old_start) if unchanged else new_end


# --- internals -------------------------------------------------------------------------------------------

def _check_title(checker: Checker, value: object) -> str:
    return checker.text("title", value, label=N_("Title"), max_length=TITLE_MAX)


def _check_rationale(checker: Checker, value: object) -> str:
    return checker.text("rationale", value, label=N_("Rationale"), max_length=RATIONALE_MAX, multiline=True)


def _check_body(checker: Checker, value: object) -> str:
    return checker.text("body", value, label=N_("Proposed text"), max_length=MAX_DOCUMENT_BYTES, multiline=True,
                        max_bytes=MAX_DOCUMENT_BYTES)


def _check_base(checker: Checker, document: Document, value: object) -> Revision | None:
    """The revision an amendment's text was made on: an existing one, at most the current one."""
    if value is None:
        checker.fail("base_revision", N_("Say which revision the proposed text was made on."))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        checker.fail("base_revision", N_("The base revision must be a revision number."))
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9 or not 1 <= int(text) <= document.current_number:
        checker.fail("base_revision", f"There is no revision {text or '(none)'}; "
                                      f"the latest is {document.current_number}.")
        return None
    return documents.get_revision(document, int(text))


def _check_note(value: object, *, required: bool) -> str:
    checker = Checker()
    note = checker.text("note", value, label=N_("Note"), max_length=NOTE_MAX, multiline=True, required=required)
    if required and "note" in checker.errors and not note.strip():
        checker.errors["note"] = N_("Say why the amendment is rejected: its author and the other parties read it.")
    checker.done()
    return note


def _lock(amendment: Amendment) -> Amendment:
    """Re-read the amendment holding its row lock (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises)."""
    return db.session.execute(
        select(Amendment).where(Amendment.id == amendment.id).with_for_update(of=Amendment)
        .execution_options(populate_existing=True)
    ).unique().scalar_one()


def _count_supporters(amendment: Amendment) -> None:
    amendment.supporter_count = db.session.scalar(
        select(func.count()).select_from(Support).where(Support.amendment_id == amendment.id)) or 0


def _decide(actor: Any, amendment: Amendment, status: str, note: str) -> None:
    amendment.status, amendment.decided_by_id = status, actor.id
    amendment.decided_at, amendment.decision_note = utcnow(), note
    db.session.flush()


def _record_decision(actor: Any, amendment: Amendment, verb: str, past: str, **details: Any) -> None:
    """Audit ``amendment.<verb>`` and tell the document's watchers, in the decision's transaction."""
    document = amendment.document
    amendment.updated_at = utcnow()
    audit.record(actor, f"amendment.{verb}", amendment,
                 f"Amendment {amendment.number} to '{document.title}' {past}",
                 document=document.slug, number=amendment.number, note=amendment.decision_note, **details)
    notify(document, actor=actor, kind="decision", url=amendment_path(amendment),
           message=f"{actor.name} {past} amendment {amendment.number} to '{document.title}': {amendment.title}")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"

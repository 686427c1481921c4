"""Documents and revisions: create, save (compare-and-set with three-way merge), revert, status, compare.

The save rule (DESIGN.md): every save names the revision it was based on. Inside one write transaction the
document row is locked, the base is compared with the current revision, a stale base is merged three-way
(overlapping changes are a conflict, never a silent merge), the new revision is inserted under the unique
(document, number) constraint, and the current pointer moves by compare-and-set. The audit event is written
in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from policyhub.accounts.models import User
from policyhub.db import utcnow, write_transaction
from policyhub.documents import clauses, storage
from policyhub.documents.models import (
    POLICY_AREA_MAX, STATUSES, SUMMARY_MAX, TITLE_MAX, Document, Revision, without_head,
)
from policyhub.errors import N_, BadRequest, Conflict, EditConflict, Invalid, NotFound
from policyhub.extensions import db
from policyhub.parties import audit
from policyhub.permissions import Action, require
from policyhub.text.checks import slugify
from policyhub.text.delta import stored_form
from policyhub.text.diffing import DiffOp, DiffStats, diff_stats, diff_words, merge3
from policyhub.text.rendering import MAX_DOCUMENT_BYTES, Parsed
from policyhub.validation import Checker

RESERVED_SLUGS = frozenset({"new"})

_signals = Namespace()
#: Sent inside the save's transaction once a revision row exists (sender: the Revision; keyword arguments
#: ``document``, ``actor`` and ``title_changed``). Receivers write derived rows in that same transaction: watchers'
#: notifications, the re-check of open amendments. A receiver that raises undoes the save.
revision_created = _signals.signal("revision-created")
#: Sent inside the transaction that moved a document to another status (sender: the Document).
status_changed = _signals.signal("status-changed")


@dataclass(frozen=True)
class SaveResult:
    revision: Revision
    merged: bool  # the base was stale and the change was merged with what was saved since
    changed: bool  # False when the text was unchanged and no revision was made


@dataclass(frozen=True)
class Comparison:
    old: Revision
    new: Revision
    ops: list[DiffOp]
    stats: DiffStats


# --- reading ---------------------------------------------------------------------------------------------

def get_document(slug: str) -> Document:
    document = db.session.scalar(select(Document).where(Document.slug == slug))
    if document is None:
        raise NotFound(f"There is no document '{slug}'.")
    return document


def get_revision(document: Document, number: int) -> Revision:
    revision = None if not 0 < number <= document.current_number else db.session.scalar(
        select(Revision).where(Revision.document_id == document.id, Revision.number == number)
    )
    if revision is None:
        raise NotFound(f"'{document.title}' has no revision {number}; it has {document.current_number}.")
    return revision


def list_documents(*, status: str | None = None, area: str | None = None, page: int = 1,
                   per_page: int = 50) -> tuple[list[Document], int]:
    """Documents ordered by policy area and title, filtered, one page, and the total."""
    query = select(Document)
    if status:
        query = query.where(Document.status == status)
    if area:
        query = query.where(func.lower(Document.policy_area) == area.lower())
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    documents = db.session.scalars(
        query.order_by(Document.policy_area, Document.title).offset((page - 1) * per_page).limit(per_page)
        .options(*without_head())
    )
    return list(documents), total


def documents_by_slug(slugs: list[str]) -> list[Document]:
    """The documents with these slugs, in the order given (slugs of deleted documents are skipped)."""
    found = {d.slug: d for d in db.session.scalars(
        select(Document).where(Document.slug.in_(slugs)).options(*without_head()))} if slugs else {}
    return [found[slug] for slug in slugs if slug in found]


def policy_areas() -> list[str]:
    return list(db.session.scalars(select(Document.policy_area).distinct().order_by(Document.policy_area)))


def revisions_page(document: Document, page: int, per_page: int) -> list[Revision]:
    """Newest first. Numbers are gap-free, so a page is a range of numbers: no OFFSET scan, however long
    the history grows."""
    high = document.current_number - (page - 1) * per_page
    return list(db.session.scalars(
        select(Revision)
        .where(Revision.document_id == document.id, Revision.number <= high, Revision.number > high - per_page)
        .order_by(Revision.number.desc())
    ))


def compare(document: Document, old_number: int, new_number: int) -> Comparison:
    """The word diff between two revisions of a document (either order)."""
    old, new = get_revision(document, old_number), get_revision(document, new_number)
    ops = diff_words(old.body, new.body)
    return Comparison(old=old, new=new, ops=ops, stats=diff_stats(ops))


# --- writing ---------------------------------------------------------------------------------------------

def _check_content(checker: Checker, title: object, body: object, summary: object) -> tuple[str, str, str]:
    title = checker.text("title", title, label=N_("Title"), max_length=TITLE_MAX)
    body = checker.text("body", body, label=N_("Text"), max_length=MAX_DOCUMENT_BYTES, multiline=True,
                        max_bytes=MAX_DOCUMENT_BYTES)
    summary = checker.text("summary", summary, label=N_("Edit summary"), max_length=SUMMARY_MAX, required=False)
    return title, body, summary


def _free_slug(base: str) -> str:
    taken = set(db.session.scalars(select(Document.slug).where(Document.slug.startswith(base, autoescape=True))))
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def create_document(actor: User, *, title: object, body: object, policy_area: object,
                    summary: object = "", slug: object = None) -> Document:
    """Create a draft document with its first revision.

    A slug derived from the title gets a numeric suffix when taken; a slug given explicitly must be free.
    Raises Forbidden (not a member) or Invalid.
    """
    require(actor, Action.DOCUMENT_CREATE)
    checker = Checker()
    title, body, summary = _check_content(checker, title, body, summary)
    area = checker.text("policy_area", policy_area, label=N_("Policy area"), max_length=POLICY_AREA_MAX)
    explicit = slug not in (None, "")
    slug = checker.slug("slug", slug) if explicit else slugify(title)
    if explicit and slug in RESERVED_SLUGS:
        checker.fail("slug", N_("That slug is reserved; choose another."))
    if title and not slug:
        checker.fail("slug", N_("Choose a slug: the title has no letters or digits to make one from."))
    checker.done()
    try:
        with write_transaction(db.session):
            if explicit and db.session.scalar(select(Document.id).where(Document.slug == slug)) is not None:
                raise Invalid(N_("That slug is already used by another document."),
                              {"slug": N_("Already used by another document; choose another.")})
            document = Document(slug=slug if explicit else _free_slug(slug), title=title, policy_area=area,
                                status="draft", current_number=0, created_by_id=actor.id)
            db.session.add(document)
            db.session.flush()
            _insert_revision(actor, document, title=title, body=body, summary=summary or "Created",
                             base_number=None, source="edit", previous=None)
    except IntegrityError:
        raise Invalid(N_("That slug is already used by another document."),
                      {"slug": N_("Already used by another document; choose another.")}) from None
    return document


def save_revision(actor: User, document: Document, *, body: object, base_number: object,
                  title: object = None, summary: object = "") -> SaveResult:
    """Save an edit made on revision ``base_number``.

    Unchanged text makes no revision. A stale base is merged three-way when the changes touch separate
    passages; otherwise EditConflict carries both texts. Raises Forbidden, Invalid or EditConflict.
    """
    require(actor, Action.DOCUMENT_EDIT, document)
    return apply_change(actor, document, title=title, body=body, base_number=base_number, summary=summary,
                        source="edit", permission=Action.DOCUMENT_EDIT)


def revert_document(actor: User, document: Document, *, to_number: int, base_number: object,
                    summary: object = "") -> SaveResult:
    """Restore the text of an old revision as a new revision (source ``revert``).

    A revert is only made against the current revision: reverting over changes the person has not seen
    would undo them unknowingly, so a stale base is a Conflict.
    """
    require(actor, Action.DOCUMENT_REVERT, document)
    target = get_revision(document, to_number)
    number = _parse_base(base_number, document)
    if number != document.current_number:
        raise Conflict(f"The document has changed since you opened it (now at revision "
                       f"{document.current_number}). Review the history and revert again.")
    return apply_change(actor, document, title=target.title, body=target.body, base_number=number,
                        summary=summary or f"Revert to revision {to_number}", source="revert",
                        permission=Action.DOCUMENT_REVERT)


def apply_change(actor: User, document: Document, *, title: object, body: object, base_number: object,
                 summary: object, source: str, permission: Action | None,
                 author: User | None = None, amendment_number: int | None = None) -> SaveResult:
    """The one save path: validate, lock, merge if stale, write revision + pointer + audit together.

    ``permission`` is re-checked on the locked row (the status may have changed since the view looked);
    callers that check their own rule (accepting an amendment) pass None. ``author`` defaults to the actor;
    ``amendment_number`` links a revision made by accepting that amendment.
    """
    checker = Checker()
    title, body, summary = _check_content(checker, document.title if title is None else title, body, summary)
    checker.done()
    base = _parse_base(base_number, document)
    with write_transaction(db.session):
        document = lock_document(document)
        if permission is not None:
            require(actor, permission, document)
        if base > document.current_number:
            raise Invalid(N_("The base revision does not exist."),
                          {"base_revision": f"There is no revision {base}; the latest is {document.current_number}."})
        current = get_revision(document, document.current_number)
        merged = False
        if base != current.number:
            title, body = _merge(document, current, base=base, title=title, body=body, summary=summary)
            merged = True
        if title == current.title and body == current.body:
            return SaveResult(revision=current, merged=merged, changed=False)
        revision = _insert_revision(actor, document, title=title, body=body, summary=summary,
                                    base_number=base, source=source, previous=current,
                                    author=author, amendment_number=amendment_number)
    return SaveResult(revision=revision, merged=merged, changed=True)


def set_status(actor: User, document: Document, status: object) -> Document:
    """Move a document between draft, consultation and archived."""
    require(actor, Action.DOCUMENT_SET_STATUS, document)
    checker = Checker()
    status = checker.choice("status", status, STATUSES, label=N_("Status"))
    checker.done()
    with write_transaction(db.session):
        document = lock_document(document)
        if document.status != status:
            before, document.status = document.status, status
            audit.record(actor, "document.status", document, f"'{document.title}' moved from {before} to {status}",
                         before=before, after=status)
            status_changed.send(document, actor=actor, before=before)
    return document


# --- internals -------------------------------------------------------------------------------------------

def _parse_base(value: object, document: Document) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadRequest(N_("base_revision must be a revision number."))
    try:
        number = int(value)
    except ValueError:
        raise Invalid(N_("The base revision must be a number."),
                      {"base_revision": N_("Not a revision number.")}) from None
    if number < 1:
        raise Invalid(N_("The base revision does not exist."), {"base_revision": f"There is no revision {number}."})
    return number


def lock_document(document: Document) -> Document:
    """Re-read the document holding its row lock (PostgreSQL); SQLite's BEGIN IMMEDIATE already serialises."""
    return db.session.execute(
        select(Document).where(Document.id == document.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _merge(document: Document, current: Revision, *, base: int, title: str, body: str,
           summary: str) -> tuple[str, str]:
    base_revision = get_revision(document, base)
    result = merge3(base_revision.body, body, current.body)
    merged_title = _merge_title(base_revision.title, title, current.title)
    if result.clean and merged_title is not None:
        assert result.text is not None
        return merged_title, result.text
    raise EditConflict(
        f"Revision {current.number} was saved after you started editing revision {base}, and it changed "
        "the same passages. Your text is kept below: combine the two and save again.",
        document=document, current=current, base_number=base, title=title, body=body, summary=summary,
        conflicts=result.conflicts,
    )


def _merge_title(base: str, ours: str, theirs: str) -> str | None:
    if ours == base or ours == theirs:
        return theirs
    if theirs == base:
        return ours
    return None


def _insert_revision(actor: User, document: Document, *, title: str, body: str, summary: str,
                     base_number: int | None, source: str, previous: Revision | None,
                     author: User | None = None, amendment_number: int | None = None) -> Revision:
    author = author or actor
    expected = document.current_number
    previous_title = document.title
    parsed = Parsed(body)
    plan = clauses.plan_for(document, previous, body, parsed)
    rendered = parsed.render(plan.keys)
    ops = diff_words(previous.body if previous is not None else "", body)
    stats = diff_stats(ops)
    stored = stored_form(expected + 1, body, ops)
    headings = storage.heading_dicts(rendered)
    revision = Revision(
        document_id=document.id, number=expected + 1, title=title, snapshot=stored.snapshot, delta=stored.delta,
        author_id=author.id, summary=summary, base_number=base_number, source=source,
        added_words=stats.added_words, removed_words=stats.removed_words, amendment_number=amendment_number,
        clause_keys=clauses.keyed(plan.keys),
    )
    storage.remember(revision, body, rendered.html, headings)
    db.session.add(revision)
    db.session.flush()  # the unique (document, number) constraint fires here if another save won
    moved = db.session.execute(
        update(Document)
        .where(Document.id == document.id, Document.current_number == expected)
        .values(current_number=expected + 1, title=title, updated_at=utcnow(), body=body, html=rendered.html,
                headings=headings, clause_counter=plan.counter)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise Conflict(N_("Another save moved the document on at the same moment; please save again."))
    db.session.refresh(document)
    clauses.record(document, revision.number, plan)
    audit.record(actor, "revision.create", document, f"Revision {revision.number} of '{title}'",
                 number=revision.number, source=source, base=base_number)
    revision_created.send(revision, document=document, actor=actor, title_changed=title != previous_title,
                          previous=previous, clause_plan=plan)
    return revision

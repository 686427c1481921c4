"""Endorsement receipts: what a party can show to prove that it endorsed one exact text, and the check of a
receipt, or of a pasted text, against the record.

A receipt (API.md) names the document, the revision, the party, the lead who endorsed, the time, and the
SHA-256 of the endorsed revision's body in UTF-8; a scoped endorsement adds its sections and stances.
Nothing in it is secret: it is worth something because anyone can check it here.

Rules of the check (``verify_receipt``):
- The endorsement must be in the record: the same document, revision, party and time, by the same person
  (by name), with the same sections. Ended endorsements keep valid receipts (the record keeps them too);
  the verdict says that they have since been withdrawn or superseded.
- The receipt's hash must equal the SHA-256 of the revision's text as stored now AND the hash stored with
  the endorsement when it was given, so that altering the receipt or the stored text is caught either way.
- A receipt that is not a receipt (not an object, a field missing or of the wrong type) is a BadRequest;
  a well-formed receipt that does not match the record is a Verdict with ``valid`` false and the reason.

``verify_text`` hashes exactly the text it is given (callers decide about line endings: the HTML form
turns a browser's CRLF into LF first, the API hashes what it gets).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select

from policyhub.documents.models import Document, Revision
from policyhub.endorsements.models import STANCES, Endorsement
from policyhub.errors import N_, BadRequest, NotFound
from policyhub.extensions import db
from policyhub.parties.models import Party
from policyhub.validation import MAX_INTEGER, SLUG

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_END_WORDS = {"withdrawn": "withdrawn", "superseded": "superseded by a later endorsement"}


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "reason": self.reason}


def sha256_of(text: str) -> str:
    """SHA-256 (hex) of ``text`` in UTF-8: what receipts carry."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def timestamp(value: datetime) -> str:
    """As the API writes times (policyhub.api.serializers.timestamp): ISO 8601 in UTC with a ``Z``. Written
    again here because the API package imports this one."""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def get_endorsement(endorsement_id: int) -> Endorsement:
    """Any endorsement, live or ended. Raises NotFound."""
    found = db.session.get(Endorsement, endorsement_id) if 0 < endorsement_id <= MAX_INTEGER else None
    if found is None:
        raise NotFound(f"There is no endorsement {endorsement_id}.")
    return found


def _revision(document: Document, number: int) -> Revision | None:
    if not 0 < number <= document.current_number:
        return None
    return db.session.scalar(select(Revision).where(Revision.document_id == document.id,
                                                    Revision.number == number))


def _endorsed_revision(endorsement: Endorsement) -> Revision:
    revision = _revision(endorsement.document, endorsement.revision_number)
    assert revision is not None, "an endorsement always names an existing revision"
    return revision


def sections_of(endorsement: Endorsement) -> dict[str, str]:
    """A scoped endorsement's stances by clause key; empty for a whole-document endorsement."""
    return {stance.clause_key: stance.stance for stance in endorsement.stances}


def receipt(endorsement: Endorsement) -> dict[str, Any]:
    """The receipt of ``endorsement`` as API.md shapes it. The person is named with the party they endorsed
    for, so that the receipt stays the same if they later change party."""
    content = endorsement.content_sha256 or sha256_of(_endorsed_revision(endorsement).body)
    data: dict[str, Any] = {
        "document": endorsement.document.slug,
        "revision": endorsement.revision_number,
        "party": endorsement.party.slug,
        "endorsed_by": {"name": endorsement.endorsed_by.name, "party": endorsement.party.slug},
        "created_at": timestamp(endorsement.created_at),
        "content_sha256": content,
    }
    if endorsement.is_scoped:
        data["sections"] = sections_of(endorsement)
    return data


# --- reading a receipt -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Claim:
    document: str
    revision: int
    party: str
    name: str
    name_party: str | None
    created_at: str
    content_sha256: str
    sections: dict[str, str]


# The text fields of a receipt (``endorsed_by``'s "name" included), each message written out whole so that
# the catalogue can hold it.
_MISSING = {
    "document": N_("This is not a complete receipt: 'document' is missing."),
    "party": N_("This is not a complete receipt: 'party' is missing."),
    "name": N_("This is not a complete receipt: 'name' is missing."),
    "created_at": N_("This is not a complete receipt: 'created_at' is missing."),
    "content_sha256": N_("This is not a complete receipt: 'content_sha256' is missing."),
}
_NOT_TEXT = {
    "document": N_("This is not a receipt: 'document' must be a string."),
    "party": N_("This is not a receipt: 'party' must be a string."),
    "name": N_("This is not a receipt: 'name' must be a string."),
    "created_at": N_("This is not a receipt: 'created_at' must be a string."),
    "content_sha256": N_("This is not a receipt: 'content_sha256' must be a string."),
}


def _string(data: dict[str, Any], name: str) -> str:
    if name not in data or data[name] is None:
        raise BadRequest(_MISSING[name])
    value = data[name]
    if not isinstance(value, str):
        raise BadRequest(_NOT_TEXT[name])
    return value


def _claim(data: object) -> _Claim:
    if not isinstance(data, dict):
        raise BadRequest(N_("A receipt must be a JSON object such as the one on an endorsement's receipt page."))
    revision = data.get("revision")
    if revision is None:
        raise BadRequest(N_("This is not a complete receipt: 'revision' is missing."))
    if isinstance(revision, bool) or not isinstance(revision, int):
        raise BadRequest(N_("This is not a receipt: 'revision' must be a whole number."))
    person = data.get("endorsed_by")
    if person is None:
        raise BadRequest(N_("This is not a complete receipt: 'endorsed_by' is missing."))
    if not isinstance(person, dict):
        raise BadRequest(N_("This is not a receipt: 'endorsed_by' must be an object with a 'name'."))
    name = _string(person, "name")
    name_party = person.get("party")
    if name_party is not None and not isinstance(name_party, str):
        raise BadRequest(N_("This is not a receipt: 'endorsed_by.party' must be a string or null."))
    sections = data.get("sections")
    if sections is None:
        sections = {}
    if not isinstance(sections, dict) or not all(isinstance(value, str) for value in sections.values()):
        raise BadRequest("This is not a receipt: 'sections' must map clause ids to stances "
                         f"({', '.join(STANCES)}).")
    return _Claim(document=_string(data, "document"), revision=revision, party=_string(data, "party"),
                  name=name, name_party=name_party, created_at=_string(data, "created_at"),
                  content_sha256=_string(data, "content_sha256"), sections=dict(sections))


def _parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # a receipt's time is always in UTC with its zone; a bare time is not ours
    return moment.astimezone(timezone.utc)


def _document(slug: str) -> Document | None:
    # Only a well-formed slug reaches the database (a NUL or lone surrogate would upset some drivers).
    if len(slug) > 80 or not SLUG.match(slug):
        return None
    return db.session.scalar(select(Document).where(Document.slug == slug))


def _party(slug: str) -> Party | None:
    if len(slug) > 80 or not SLUG.match(slug):
        return None
    return db.session.scalar(select(Party).where(Party.slug == slug))


def _when(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M} UTC"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def verify_receipt(data: object) -> Verdict:
    """Check a receipt against the record (see the module's rules). Raises BadRequest for something that
    is not a receipt at all; every other outcome is a Verdict saying why."""
    claim = _claim(data)
    document = _document(claim.document)
    if document is None:
        return Verdict(False, f"There is no document '{claim.document}' here, so this receipt matches nothing "
                              "in the record.")
    title = document.title
    revision = _revision(document, claim.revision)
    if revision is None:
        return Verdict(False, f"'{title}' has no revision {claim.revision} (it has {document.current_number}), "
                              "so this receipt matches nothing in the record.")
    party = _party(claim.party)
    if party is None:
        return Verdict(False, f"There is no party '{claim.party}' here, so this receipt matches nothing in "
                              "the record.")
    endorsements = list(db.session.scalars(
        select(Endorsement).where(Endorsement.document_id == document.id, Endorsement.party_id == party.id,
                                  Endorsement.revision_number == claim.revision)
        .order_by(Endorsement.id)
    ))
    if not endorsements:
        return Verdict(False, f"The record has no endorsement by {party.name} of revision {claim.revision} of "
                              f"'{title}'.")
    moment = _parse_time(claim.created_at)
    if moment is None:
        return Verdict(False, f"The receipt's time '{claim.created_at}' is not a time in ISO 8601 with its "
                              "zone, as receipts give it.")
    endorsement = next((item for item in endorsements
                        if item.created_at.astimezone(timezone.utc) == moment), None)
    if endorsement is None:
        times = ", ".join(_when(item.created_at) for item in endorsements)
        return Verdict(False, f"{party.name} endorsed revision {claim.revision} of '{title}' on {times}, not at "
                              "the time the receipt gives: the receipt does not match the record.")
    endorser = endorsement.endorsed_by.name
    if claim.name != endorser or claim.name_party not in (None, party.slug):
        said = claim.name + (f" ({claim.name_party})" if claim.name_party else "")
        return Verdict(False, f"The record says that {endorser} endorsed it for {party.name}, not {said}: "
                              "the receipt does not match the record.")
    recorded = sections_of(endorsement)
    if claim.sections != recorded:
        if not recorded:
            mismatch = N_("The receipt does not match the record: the record holds an endorsement of the whole "
                     "document, but the receipt names sections.")
        elif not claim.sections:
            mismatch = N_("The receipt does not match the record: the record holds an endorsement of named sections "
                     "only, but the receipt claims the whole document.")
        else:
            mismatch = N_("The receipt does not match the record: the sections or stances in the receipt are not "
                     "those in the record.")
        return Verdict(False, mismatch)
    actual = sha256_of(revision.body)
    if endorsement.content_sha256 is not None and endorsement.content_sha256 != actual:
        return Verdict(False, f"The text of revision {claim.revision} stored now is not the text that was "
                              "endorsed: its SHA-256 differs from the one recorded when it was endorsed. "
                              "Please tell an administrator.")
    if claim.content_sha256.lower() != actual:
        shape = "" if _HEX64.fullmatch(claim.content_sha256) else " (it is not even a SHA-256 in hex)"
        return Verdict(False, f"The receipt's content_sha256 is not the SHA-256 of revision {claim.revision} of "
                              f"'{title}'{shape}: the receipt was altered, or it is for another text.")
    reason = (f"Valid: {party.name} endorsed revision {claim.revision} of '{title}' on "
              f"{_when(endorsement.created_at)}, by {endorser}"
              + (", for the sections named" if recorded else "")
              + ", and the SHA-256 matches that revision's text exactly.")
    if endorsement.ended_at is not None:
        how = _END_WORDS.get(endorsement.end_reason or "", "ended")
        reason = reason.replace("Valid:", "Valid; this endorsement has since been " + how
                                + f" (on {_when(endorsement.ended_at)}), but it was given:", 1)
    elif claim.revision != document.current_number:
        reason += f" The document has moved on since: the current text is revision {document.current_number}."
    return Verdict(True, reason)


# --- checking a text -------------------------------------------------------------------------------------

def _first_difference(text: str, body: str) -> str:
    """Where ``text`` first departs from ``body``, in words for a person comparing the two."""
    if text.rstrip("\r\n") == body.rstrip("\r\n"):
        return "only the line breaks at the very end differ"
    ours, theirs = text.split("\n"), body.split("\n")
    for number, (mine, stored) in enumerate(zip(ours, theirs), start=1):
        if mine != stored:
            if mine.rstrip("\r") == stored.rstrip("\r"):
                return f"the first difference is on line {number}, in its line ending (CR LF against LF)"
            return f"the first difference is on line {number}"
    shorter = min(len(ours), len(theirs))
    if len(ours) < len(theirs):
        return f"the text stops after line {shorter}, before the end of the revision"
    return f"the text goes on after line {shorter}, where the revision ends"


def verify_text(document_slug: object, revision: object, text: object) -> Verdict:
    """Whether ``text`` is exactly revision ``revision`` of the document ``document_slug`` (SHA-256 of
    UTF-8). Raises BadRequest for arguments of the wrong type; an unknown document or revision is a
    Verdict with ``valid`` false."""
    if not isinstance(document_slug, str):
        raise BadRequest(N_("'document' must be a document's slug."))
    if isinstance(revision, bool) or not isinstance(revision, int):
        raise BadRequest(N_("'revision' must be a whole number."))
    if not isinstance(text, str):
        raise BadRequest(N_("'text' must be a string."))
    document = _document(document_slug.strip())
    if document is None:
        return Verdict(False, f"There is no document '{document_slug}' here.")
    stored = _revision(document, revision)
    if stored is None:
        return Verdict(False, f"'{document.title}' has no revision {revision}; it has {document.current_number}.")
    try:
        digest = sha256_of(text)
    except UnicodeEncodeError:
        return Verdict(False, f"The text differs from revision {revision} of '{document.title}': it holds "
                              "characters that are not valid Unicode.")
    body = stored.body
    if digest == sha256_of(body):
        return Verdict(True, f"The text matches revision {revision} of '{document.title}' exactly "
                             f"(SHA-256 {digest}).")
    return Verdict(False, f"The text differs from revision {revision} of '{document.title}': "
                          f"{_first_difference(text, body)}.")

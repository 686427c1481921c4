"""Atom feeds (RFC 4287): recent changes site-wide and per document, and a party's endorsements.

The XML is built with ElementTree, which escapes every text and attribute, so a hostile title or summary
stays text. Entry ids are tag URIs (RFC 4151) that never change for the same revision or endorsement;
every link is absolute; times are RFC 3339 in UTC. Responses answer conditional GETs (ETag and
Last-Modified) with 304, so a feed reader polling every few minutes costs one small reply.
"""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable
from urllib.parse import urlsplit

from flask import Response, current_app, request, url_for

from policyhub.documents.models import Document, Revision
from policyhub.endorsements.models import Endorsement
from policyhub.notifications.services import revision_target
from policyhub.parties.models import Party

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
TAG_DATE = "2026"  # the date in every tag URI: fixed, so that ids stay the same forever
MAX_AGE_SECONDS = 60

# Characters XML 1.0 cannot carry at all, even escaped. Input checks refuse them already; this keeps a
# feed well-formed whatever an older row holds.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_END_REASONS = {"withdrawn": "withdrawn", "superseded": "superseded by a later endorsement"}


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime
    author: str
    link: str
    summary: str
    published: datetime | None = None
    categories: tuple[str, ...] = ()
    content_html: str | None = None  # HTML (escaped into the XML as text, type="html"), e.g. a word diff


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    subtitle: str
    alternate: str  # the page this feed follows
    self_url: str
    updated: datetime
    entries: list[Entry] = field(default_factory=list)


# --- pieces ----------------------------------------------------------------------------------------------

def rfc3339(moment: datetime) -> str:
    """'2026-03-01T09:30:00Z': RFC 3339 in UTC, whole seconds."""
    if moment.tzinfo is None:  # columns are aware UTC; a naive value can only be UTC too
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_uri(specific: str) -> str:
    """A permanent id: 'tag:<host>,2026:<specific>' (RFC 4151), the host being this site's name."""
    name = current_app.config.get("SERVER_NAME") or request.host
    authority = urlsplit(f"//{name}").hostname or "localhost"
    return f"tag:{authority},{TAG_DATE}:{specific}"


def external(endpoint: str, values: dict[str, Any] | None = None, **more: Any) -> str:
    return url_for(endpoint, _external=True, **(values or {}), **more)


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _person(user: Any) -> str:
    """A name with its party, as the site shows people: every change stays attributable in a reader too."""
    party = getattr(user, "party", None)
    return f"{user.name} ({party.name})" if party is not None else user.name


def _text(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = _clean(value)
    return element


def render(feed: Feed) -> bytes:
    """The feed as UTF-8 Atom XML with its declaration."""
    root = ET.Element("feed", {"xmlns": ATOM_NS, f"{{{XML_NS}}}lang": "en-GB"})
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    _text(root, "subtitle", feed.subtitle)
    _text(root, "updated", rfc3339(feed.updated))
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": feed.alternate})
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml", "href": feed.self_url})
    author = ET.SubElement(root, "author")  # for readers that want one at the top, even with no entries
    _text(author, "name", "PolicyHub")
    _text(root, "generator", "PolicyHub")
    for entry in feed.entries:
        element = ET.SubElement(root, "entry")
        _text(element, "id", entry.id)
        _text(element, "title", entry.title, type="text")
        _text(element, "updated", rfc3339(entry.updated))
        if entry.published is not None:
            _text(element, "published", rfc3339(entry.published))
        entry_author = ET.SubElement(element, "author")
        _text(entry_author, "name", entry.author)
        ET.SubElement(element, "link", {"rel": "alternate", "type": "text/html", "href": entry.link})
        for term in entry.categories:
            ET.SubElement(element, "category", {"term": _clean(term)})
        _text(element, "summary", entry.summary, type="text")
        if entry.content_html is not None:
            _text(element, "content", entry.content_html, type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def response(feed: Feed) -> Response:
    """The feed as an HTTP response: Atom content type, validators, and 304 when the reader is up to date."""
    body = render(feed)
    reply = Response(body, content_type=CONTENT_TYPE)
    reply.set_etag(hashlib.sha256(body).hexdigest()[:32])
    reply.last_modified = feed.updated
    reply.cache_control.public = True
    reply.cache_control.max_age = MAX_AGE_SECONDS
    return reply.make_conditional(request)


def _newest(moments: Iterable[datetime], fallback: datetime) -> datetime:
    return max(moments, default=fallback)


# --- entries ---------------------------------------------------------------------------------------------

def revision_entry(revision: Revision) -> Entry:
    document = revision.document
    how = {"amendment": (f"Accepted amendment {revision.amendment_number}. " if revision.amendment_number
                         else "Accepted amendment. "),
           "revert": "Revert. "}.get(revision.source, "")
    said = revision.summary or "No summary."
    return Entry(
        id=tag_uri(f"revision/{document.slug}/{revision.number}"),
        title=f"Revision {revision.number} of {revision.title}",
        updated=revision.created_at,
        published=revision.created_at,
        author=_person(revision.author),
        link=external(*revision_target(document, revision.number)),
        summary=f"{how}{said} (+{revision.added_words} / \u2212{revision.removed_words} words)",
        categories=(document.policy_area,),
    )


def endorsement_entry(endorsement: Endorsement, party: Party) -> Entry:
    document = endorsement.document
    title = f"{party.name} endorsed revision {endorsement.revision_number} of {document.title}"
    summary = endorsement.statement.strip() or "No statement."
    updated = endorsement.created_at
    if endorsement.ended_at is not None:
        reason = endorsement.end_reason or "ended"
        title += f" ({reason})"
        by = f" by {endorsement.ended_by.name}" if endorsement.ended_by is not None else ""
        ended = endorsement.ended_at.astimezone(timezone.utc)
        summary += (f" Ended on {ended.day} {ended:%b %Y, %H:%M} UTC{by}: "
                    f"{_END_REASONS.get(reason, reason)}.")
        updated = endorsement.ended_at
    return Entry(
        id=tag_uri(f"endorsement/{endorsement.id}"),
        title=title,
        updated=updated,
        published=endorsement.created_at,
        author=_person(endorsement.endorsed_by),
        link=external("documents.revision", slug=document.slug, number=endorsement.revision_number),
        summary=summary,
        categories=(document.policy_area,),
    )


# --- feeds -----------------------------------------------------------------------------------------------

def changes_feed(revisions: list[Revision], fallback_updated: datetime) -> Feed:
    """Recent revisions across all documents."""
    return Feed(
        id=tag_uri("changes"),
        title="PolicyHub: recent changes",
        subtitle="New revisions of every document on the shared agenda, newest first.",
        alternate=external("documents.index"),
        self_url=external("notifications.changes_feed"),
        updated=_newest((r.created_at for r in revisions), fallback_updated),
        entries=[revision_entry(revision) for revision in revisions],
    )


def document_feed(document: Document, revisions: list[Revision]) -> Feed:
    """Recent revisions of one document."""
    return Feed(
        id=tag_uri(f"document/{document.slug}/changes"),
        title=f"Changes to {document.title}",
        subtitle=f"New revisions of '{document.title}' on PolicyHub, newest first.",
        alternate=external("documents.history", slug=document.slug),
        self_url=external("notifications.document_feed", slug=document.slug),
        updated=_newest((r.created_at for r in revisions), document.updated_at),
        entries=[revision_entry(revision) for revision in revisions],
    )


def party_endorsements_feed(party: Party, endorsements: list[Endorsement]) -> Feed:
    """Endorsements given by one party, ended ones included with their end."""
    entries = [endorsement_entry(endorsement, party) for endorsement in endorsements]
    return Feed(
        id=tag_uri(f"party/{party.slug}/endorsements"),
        title=f"Endorsements by {party.name}",
        subtitle=f"Revisions that {party.name} endorsed on PolicyHub, newest first, including ended ones.",
        alternate=external("parties.show", slug=party.slug),
        self_url=external("notifications.party_endorsements_feed", slug=party.slug),
        updated=_newest((entry.updated for entry in entries), party.created_at),
        entries=entries,
    )

"""Scoped endorsements: a lead endorses named sections with a stance each (the service and the pages)."""
from __future__ import annotations

import hashlib
import re
from html import unescape

import pytest
from sqlalchemy import select

from policyhub.documents import services as documents
from policyhub.documents.clauses import clauses_of
from policyhub.endorsements import services
from policyhub.endorsements.models import REASON_MAX, Endorsement, EndorsementStance
from policyhub.errors import BadRequest, Invalid
from policyhub.extensions import db

BODY = """# Fair votes

Intro: why this paper exists.

## Principles

Every vote should count equally.

## Timetable

A citizens' assembly reports by 2026.
"""
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


@pytest.fixture
def document(author, make_document):
    return make_document(author, title="Fair votes", slug="fair-votes", body=BODY)


def key(document, start: str) -> str:
    revision = documents.get_revision(document, document.current_number)
    [found] = [clause.key for clause in clauses_of(revision) if clause.text.startswith(start)]
    return found


def live_rows(document) -> list[Endorsement]:
    db.session.rollback()
    return list(db.session.scalars(select(Endorsement).where(Endorsement.document_id == document.id,
                                                             Endorsement.ended_at.is_(None))))


def all_rows(document) -> list[Endorsement]:
    db.session.rollback()
    return list(db.session.scalars(select(Endorsement).where(Endorsement.document_id == document.id)))


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# --- the service ----------------------------------------------------------------------------------------

def test_a_scoped_endorsement_records_a_stance_per_section_with_reasons(leads, document):
    principles, timetable = key(document, "## Principles"), key(document, "## Timetable")
    outcome = services.endorse_revision(leads["labour"], document, sections={timetable: "object", principles: "endorse"},
                                        reasons={timetable: "  We want a referendum first.  "})
    assert outcome.created
    [row] = live_rows(document)
    assert row.is_scoped
    assert [(s.clause_key, s.stance, s.reason) for s in row.stances] == [
        (principles, "endorse", ""), (timetable, "object", "We want a referendum first.")]  # text order


def test_without_sections_the_whole_document_is_endorsed(leads, document):
    for empty in (None, {}):
        services.endorse(leads["labour"], document, sections=empty, reasons=empty, statement=str(empty))
        [row] = live_rows(document)
        assert not row.is_scoped and row.stances == []


def test_the_endorsement_holds_the_sha256_of_the_endorsed_text(leads, author, document):
    current = services.endorse(leads["labour"], document)
    body = documents.get_revision(document, 1).body
    assert current.content_sha256 == hashlib.sha256(body.encode("utf-8")).hexdigest()
    documents.save_revision(author, document, body=body + "\nMore. É€ 🗳\n", base_number=1, summary="More")
    new_body = documents.get_revision(document, 2).body
    assert services.endorse(leads["green"], document).content_sha256 == hashlib.sha256(
        new_body.encode("utf-8")).hexdigest()
    old = services.endorse(leads["libdem"], document, revision=1)
    assert old.content_sha256 == current.content_sha256 != hashlib.sha256(new_body.encode()).hexdigest()


@pytest.mark.parametrize("sections, reasons", [
    ("intro", None), (["1"], None), ({"1": 1}, None), ({1: "endorse"}, None), ({"1": None}, None),
    ({"1": "endorse"}, "because"), ({"1": "endorse"}, {"1": 5}), ({"1": "endorse"}, [["1", "x"]]),
])
def test_sections_and_reasons_of_the_wrong_shape_are_a_bad_request(leads, document, sections, reasons):
    with pytest.raises(BadRequest):
        services.endorse(leads["labour"], document, sections=sections, reasons=reasons)
    assert live_rows(document) == []


def test_an_unknown_clause_key_is_invalid_and_named(leads, document):
    with pytest.raises(Invalid) as caught:
        services.endorse(leads["labour"], document, sections={"zz9": "endorse", key(document, "## Timetable"): "endorse"})
    assert set(caught.value.fields) == {"sections"} and '"zz9"' in caught.value.fields["sections"]
    assert live_rows(document) == []


def test_a_key_must_be_a_clause_of_the_endorsed_revision(leads, author, document):
    body = documents.get_revision(document, 1).body + "\n## Costs\n\nNone.\n"
    documents.save_revision(author, document, body=body, base_number=1, summary="Costs")
    costs = key(document, "## Costs")
    with pytest.raises(Invalid) as caught:
        services.endorse(leads["labour"], document, revision=1, sections={costs: "endorse"})
    assert costs in caught.value.fields["sections"]
    services.endorse(leads["labour"], document, revision=2, sections={costs: "endorse"})
    assert [s.clause_key for s in live_rows(document)[0].stances] == [costs]


def test_a_stance_must_be_one_of_the_three(leads, document):
    for stance in ("not_reviewed", "stale", "ENDORSE", ""):
        with pytest.raises(Invalid) as caught:
            services.endorse(leads["labour"], document, sections={key(document, "## Principles"): stance})
        assert "must be one of" in caught.value.fields["sections"]


@pytest.mark.parametrize("stance", ["reservations", "object"])
def test_reservations_and_objections_need_a_reason(leads, document, stance):
    timetable = key(document, "## Timetable")
    for reasons in (None, {}, {timetable: "   "}, {timetable: None}):
        with pytest.raises(Invalid) as caught:
            services.endorse(leads["labour"], document, sections={timetable: stance}, reasons=reasons)
        assert list(caught.value.fields) == [f"reasons.{timetable}"]
        assert "§5" in caught.value.fields[f"reasons.{timetable}"]
    with pytest.raises(Invalid) as caught:
        services.endorse(leads["labour"], document, sections={timetable: stance},
                         reasons={timetable: "x" * (REASON_MAX + 1)})
    assert "too long" in caught.value.fields[f"reasons.{timetable}"]
    services.endorse(leads["labour"], document, sections={timetable: stance}, reasons={timetable: "x" * REASON_MAX})
    assert live_rows(document)[0].stances[0].reason == "x" * REASON_MAX


def test_a_reason_for_a_clause_not_named_is_refused(leads, document):
    with pytest.raises(Invalid) as caught:
        services.endorse(leads["labour"], document, sections={key(document, "## Principles"): "endorse"},
                         reasons={key(document, "## Timetable"): "Not named."})
    assert set(caught.value.fields) == {"reasons"}
    with pytest.raises(Invalid):  # without sections too: a reason makes no sense for the whole document
        services.endorse(leads["labour"], document, reasons={key(document, "## Timetable"): "Why?"})
    assert live_rows(document) == []


def test_an_endorsement_may_give_a_reason_and_errors_are_reported_together(leads, document):
    principles = key(document, "## Principles")
    with pytest.raises(Invalid) as caught:
        services.endorse(leads["labour"], document, statement="bad\x00", sections={"nope": "endorse"})
    assert set(caught.value.fields) == {"statement", "sections"}
    services.endorse(leads["labour"], document, sections={principles: "endorse"}, reasons={principles: "Gladly."})
    assert live_rows(document)[0].stances[0].reason == "Gladly."


def test_the_same_scoped_endorsement_twice_is_recorded_once(leads, document):
    sections = {key(document, "## Principles"): "endorse", key(document, "## Timetable"): "reservations"}
    reasons = {key(document, "## Timetable"): "Too slow."}
    first = services.endorse_revision(leads["labour"], document, sections=sections, reasons=reasons)
    again = services.endorse_revision(leads["labour"], document, sections=dict(reversed(sections.items())),
                                      reasons={k: f" {v} " for k, v in reasons.items()})
    assert first.created and not again.created and again.endorsement.id == first.endorsement.id
    assert len(all_rows(document)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(EndorsementStance)) == 2


@pytest.mark.parametrize("change", ["stance", "reason", "whole", "fewer"])
def test_different_sections_or_reasons_supersede_the_endorsement(leads, document, change):
    principles, timetable = key(document, "## Principles"), key(document, "## Timetable")
    first = services.endorse(leads["labour"], document, sections={principles: "endorse", timetable: "object"},
                             reasons={timetable: "Too slow."})
    second = {
        "stance": dict(sections={principles: "endorse", timetable: "reservations"}, reasons={timetable: "Too slow."}),
        "reason": dict(sections={principles: "endorse", timetable: "object"}, reasons={timetable: "Far too slow."}),
        "whole": dict(),
        "fewer": dict(sections={principles: "endorse"}),
    }[change]
    outcome = services.endorse_revision(leads["labour"], document, **second)
    assert outcome.created and outcome.superseded.id == first.id
    [live] = live_rows(document)
    assert live.id == outcome.endorsement.id
    old = db.session.get(Endorsement, first.id)
    assert old.end_reason == "superseded" and len(old.stances) == 2  # the record keeps what was said
    assert live.is_scoped == (change != "whole")


def test_a_whole_endorsement_then_a_scoped_one_of_the_same_revision_is_new(leads, document):
    whole = services.endorse(leads["labour"], document)
    scoped = services.endorse_revision(leads["labour"], document, sections={key(document, "## Principles"): "endorse"})
    assert scoped.created and scoped.superseded.id == whole.id


# --- the pages ------------------------------------------------------------------------------------------

def form_data(document, **values: str) -> dict[str, str]:
    return {"revision": str(document.current_number), "statement": "", "scope": "sections", **values}


def test_the_record_page_offers_a_radio_group_and_a_reason_per_section(client, login, leads, document):
    login(client, leads["labour"])
    html = client.get("/documents/fair-votes/endorsements").get_data(as_text=True)
    assert not INLINE_STYLE.search(html)
    for heading in ("Fair votes", "Principles", "Timetable"):
        assert heading in text_of(html)
    principles = key(document, "## Principles")
    for value in ("endorse", "reservations", "object", "not_reviewed"):
        assert re.search(rf'<input[^>]*name="stance_{principles}"[^>]*value="{value}"', html)
    assert f'name="reason_{principles}"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="whole"|<input[^>]*value="whole"[^>]*checked', html)
    anonymous = client.application.test_client().get("/documents/fair-votes/endorsements").get_data(as_text=True)
    assert "stance_" not in anonymous


def test_a_lead_endorses_section_by_section_through_the_page(client, login, leads, document, labour):
    login(client, leads["labour"])
    principles, timetable = key(document, "## Principles"), key(document, "## Timetable")
    response = client.post("/documents/fair-votes/endorsements", data=form_data(
        document, **{f"stance_{principles}": "endorse", f"stance_{timetable}": "object",
                     f"reason_{timetable}": "A referendum first.", f"stance_{key(document, '# Fair')}": "not_reviewed",
                     "next": "/documents/fair-votes"}))
    assert response.status_code == 302
    [row] = live_rows(document)
    assert row.party_id == labour.id
    assert {s.clause_key: (s.stance, s.reason) for s in row.stances} == {
        principles: ("endorse", ""), timetable: ("object", "A referendum first.")}
    record = text_of(client.get("/documents/fair-votes/endorsements").get_data(as_text=True))
    assert "Objects to §5 Timetable" in record and "A referendum first." in record
    assert "Endorses §3 Principles" in record


def test_a_section_form_with_an_error_keeps_everything_typed(client, login, leads, document):
    login(client, leads["labour"])
    principles, timetable = key(document, "## Principles"), key(document, "## Timetable")
    response = client.post("/documents/fair-votes/endorsements", data=form_data(
        document, statement="Our <b>statement</b>.", **{f"stance_{principles}": "reservations",
                                                        f"reason_{principles}": "",
                                                        f"stance_{timetable}": "object",
                                                        f"reason_{timetable}": "Kept <i>reason</i>."}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give the reason for your reservations on §3" in text_of(html)
    assert "Our &lt;b&gt;statement&lt;/b&gt;." in html and "Kept &lt;i&gt;reason&lt;/i&gt;." in html
    assert re.search(rf'<input[^>]*checked[^>]*name="stance_{timetable}"[^>]*value="object"'
                     rf'|<input[^>]*name="stance_{timetable}"[^>]*value="object"[^>]*checked', html)
    assert re.search(r'<input[^>]*value="sections"[^>]*checked|<input[^>]*checked[^>]*value="sections"', html)
    assert f'id="reason_{principles}"' in html and 'aria-invalid="true"' in html
    assert live_rows(document) == []


def test_choosing_sections_without_any_stance_is_refused(client, login, leads, document):
    login(client, leads["labour"])
    response = client.post("/documents/fair-votes/endorsements", data=form_data(document))
    assert response.status_code == 422
    assert "Choose endorse, reservations or object for at least one section" in text_of(
        response.get_data(as_text=True))
    principles = key(document, "## Principles")
    response = client.post("/documents/fair-votes/endorsements", data=form_data(
        document, **{f"reason_{principles}": "A reason with no stance."}))
    assert response.status_code == 422 and "A reason with no stance." in response.get_data(as_text=True)
    assert live_rows(document) == []


def test_the_section_form_needs_its_csrf_token_and_keeps_the_input_without_it(app, client, login, leads, document):
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, leads["labour"])
    principles = key(document, "## Principles")
    response = client.post("/documents/fair-votes/endorsements", data=form_data(
        document, **{f"stance_{principles}": "object", f"reason_{principles}": "Typed before the expiry."}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Your session expired" in html and "Typed before the expiry." in html
    assert live_rows(document) == []


def test_the_record_page_prefills_the_partys_scoped_endorsement(client, login, leads, document):
    timetable = key(document, "## Timetable")
    services.endorse(leads["labour"], document, sections={timetable: "reservations"}, reasons={timetable: "Slow."})
    login(client, leads["labour"])
    html = client.get("/documents/fair-votes/endorsements").get_data(as_text=True)
    assert re.search(rf'<input[^>]*checked[^>]*name="stance_{timetable}"[^>]*value="reservations"'
                     rf'|<input[^>]*name="stance_{timetable}"[^>]*value="reservations"[^>]*checked', html)
    assert "\nSlow.</textarea>" in html


def test_the_document_panel_shows_grades_and_the_review_of_only_the_changed_sections(client, login, leads, author,
                                                                                   document):
    principles = key(document, "## Principles")
    services.endorse(leads["labour"], document, sections={principles: "endorse"})
    services.endorse(leads["green"], document)
    services.endorse(leads["libdem"], document, sections={key(document, "## Timetable"): "endorse"})
    body = documents.get_revision(document, 1).body.replace("Every vote should count equally.",
                                                            "Every single vote should count <em>equally</em>.")
    documents.save_revision(author, document, body=body, base_number=1, summary="Edit")

    words = text_of(client.get("/documents/fair-votes").get_data(as_text=True))
    assert "Labour ! Endorsed revision 1" in words and "stale: review" in words
    assert "changes outside the endorsed sections" in words  # the Liberal Democrats' Timetable is untouched

    login(client, leads["labour"])
    html = client.get("/documents/fair-votes").get_data(as_text=True)
    review = html[html.index('class="endorse-review"'):html.index("</section>", html.index('class="endorse-review"'))]
    assert "Every vote should count equally." in review and "&lt;em&gt;equally&lt;/em&gt;" in review
    assert '<ins class="diff-ins"' in review and "Timetable" not in review and "Intro" not in review
    assert 'href="/documents/fair-votes/diff?from=1&amp;to=2"' in html  # the full diff
    assert "section by section" in text_of(html)

    login(client, leads["libdem"])
    words = text_of(client.get("/documents/fair-votes").get_data(as_text=True))
    assert "endorsement of revision 1 still holds" in words and "outside the sections" in words


def test_the_agenda_shows_the_grade_in_each_stale_cell(client, leads, author, document):
    services.endorse(leads["labour"], document)
    body = documents.get_revision(document, 1).body.replace("reports by 2026.", "reports by 2026!")
    documents.save_revision(author, document, body=body, base_number=1, summary="Punctuation")
    words = text_of(client.get("/agenda").get_data(as_text=True))
    assert "cosmetic changes since (no review needed)" in words

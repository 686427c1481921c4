"""Demo clause-level consensus, loaded after the amendments and endorsements (policyhub.demo.collaboration).

Data only; the loader in policyhub.demo runs STEPS in order. Sections are named by their heading's text and
clauses by the start of their text, as a person would point at them; the loader finds their keys.

The story:

- fair-votes (consultation, partly agreed with an objection): Labour's endorsement of revision 7 went stale
  when the Green amendment was accepted. Labour's lead now endorses revision 8 section by section: the
  principles and what is out of scope, with reservations on the options, and objects to the process and
  timetable (Labour wants a confirmatory referendum). The Liberal Democrats set the decision rule to
  "2 of 3 parties and no objection": two parties endorse the whole text, but the objection blocks
  agreement, and the common ground leaves the timetable out.
- homes-people-can-afford (draft, a red line that fired, and every grade of staleness): the Greens make the
  end of no-fault evictions their red line. Labour's lead endorses two sections only. A Labour member then
  softens the red-line clause: the Greens' members are notified, the Greens' endorsement becomes
  substantively stale, Labour's stays valid (the change is outside its sections). The Liberal Democrats
  endorse the new text, and a later typo fix leaves their endorsement only cosmetically stale.
"""
from __future__ import annotations

from dataclasses import dataclass

from policyhub.demo.content import CARYS, FIONA, RACHEL, TOM


@dataclass(frozen=True)
class ScopedEndorsement:
    document: str
    lead: str
    sections: tuple[tuple[str, str, str], ...]  # (heading text, or the start of a clause; stance; reason)
    statement: str = ""


@dataclass(frozen=True)
class RuleChange:
    document: str
    actor: str
    kind: str
    k: int | None = None


@dataclass(frozen=True)
class RedLineMark:
    document: str
    lead: str
    clause_starts: str  # the start of the clause's Markdown source


@dataclass(frozen=True)
class DirectEdit:
    document: str
    author: str
    summary: str
    edits: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class WholeEndorsement:
    document: str
    lead: str
    statement: str = ""


Step = ScopedEndorsement | RuleChange | RedLineMark | DirectEdit | WholeEndorsement

STEPS: tuple[Step, ...] = (
    ScopedEndorsement(
        document="fair-votes",
        lead=RACHEL,
        sections=(
            ("Most general elections in living memory", "endorse", ""),
            ("This paper sets out a shared position", "endorse", ""),
            ("What we agree on", "endorse", ""),
            ("The options", "reservations",
             "Labour members are divided between AMS and STV; we accept that the citizens' assembly decides."),
            ("Process and timetable", "object",
             "Labour's conference asked for a confirmatory referendum before any new system is used."),
            ("Out of scope", "endorse", ""),
        ),
        statement="Labour endorses the shared principles and objects to the timetable without a referendum.",
    ),
    RuleChange(document="fair-votes", actor=FIONA, kind="k_of_n", k=2),
    RedLineMark(document="homes-people-can-afford", lead=CARYS,
                clause_starts="- **No-fault evictions ended for good**"),
    ScopedEndorsement(
        document="homes-people-can-afford",
        lead=RACHEL,
        sections=(("Build social homes again", "endorse", ""), ("Land and planning", "endorse", "")),
        statement="Labour endorses the building programme and land reform; renters' rights are still under "
                  "discussion in our party.",
    ),
    DirectEdit(
        document="homes-people-can-afford",
        author=TOM,
        summary="Renters: phase out no-fault evictions instead of ending them at once",
        edits=(("- **No-fault evictions ended for good**, with councils funded",
                "- **No-fault evictions phased out over two years**, with councils funded"),),
    ),
    WholeEndorsement(document="homes-people-can-afford", lead=FIONA,
                     statement="The Liberal Democrats endorse this draft as the basis for the working group."),
    DirectEdit(
        document="homes-people-can-afford",
        author=TOM,
        summary="Typo: punctuation in the land section",
        edits=(("schools, GP surgeries, transport and green space", "schools; GP surgeries; transport and green space"),),
    ),
)

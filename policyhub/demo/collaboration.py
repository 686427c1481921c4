"""Demo collaboration for PolicyHub: amendments and endorsements on the demo documents.

Data only. The demo loader proposes AMENDMENTS in order (against `base`, or the document's current
revision at that moment), adds their supporters and comments, then applies each outcome: an accepted
amendment is merged three-way into the current text and makes a new revision; a rejected or
withdrawn one changes nothing. ENDORSEMENTS are given last, in order.

The story, document by document:

- fair-votes (consultation): a Green amendment on ballot testing is accepted (revision 8). A Labour
  amendment for a confirmatory referendum, drafted against revision 6, stays open and no longer
  applies: revision 7 rewrote the same timetable sentence. Labour endorsed revision 7 (now stale);
  the Liberal Democrats and Greens endorse revision 8.
- just-transition (consultation): Labour and Liberal Democrat amendments answering consultation
  questions 3 and 2 are accepted (revisions 8 and 9; the second was drafted on revision 7 and merges
  cleanly). All three parties endorse revision 9, so the paper is agreed. A new amendment from a
  non-aligned member on community benefit from onshore wind is open.
- tackling-poverty (draft): the Green wealth tax change reverted in revision 5 comes back as an
  amendment, is withdrawn in favour of a Liberal Democrat amendment that shows both options side by
  side for costing, which is open.
- homes-people-can-afford (draft): a Green amendment to adopt rent controls is rejected (not agreed by
  all three parties); two open amendments change the same words of the social rent target; the
  Greens endorse the current revision.
- votes-at-16 (draft): one open amendment on registering 14 and 15 year olds in advance.
- rebuilding-public-services (archived): untouched.
"""

from dataclasses import dataclass

from policyhub.demo.content import AISHA, CARYS, DAN, FIONA, HARRIET, JONAH, MEI, OWEN, RACHEL, TOM


@dataclass(frozen=True)
class DemoAmendment:
    document: str                       # document slug from content.DOCUMENTS
    author: str                         # a user email from content.USERS (members, leads, or the non-aligned dan@example.org — anyone signed in may propose)
    title: str                          # <= 200 chars
    rationale: str                      # Markdown, 1-3 short paragraphs: why
    edits: tuple[tuple[str, str], ...]  # (old, new) replacements applied to the body of revision `base`; each old occurs exactly once there
    base: int | None = None             # revision number it is made against; None = the document's current revision at the moment it is proposed (after earlier accepted amendments in AMENDMENTS order)
    supporters: tuple[str, ...] = ()    # emails (never the author)
    comments: tuple[tuple[str, str], ...] = ()  # (author email, Markdown comment), in order
    outcome: str = "open"               # "open" | "accepted" | "rejected" | "withdrawn"
    decided_by: str | None = None       # a lead's email (for accepted/rejected; never the amendment's author), None otherwise
    note: str = ""                      # decision note (required for rejected; optional for accepted)


@dataclass(frozen=True)
class DemoEndorsement:
    document: str
    lead: str                # a party lead's email (rachel@labour.example, fiona@libdem.example, carys@green.example)
    revision: int | None     # a revision number; None = the current revision at the end (after all amendments)
    statement: str = ""      # optional public statement, 1-2 sentences




AMENDMENTS: tuple[DemoAmendment, ...] = (
    # -----------------------------------------------------------------------
    # Fair votes (consultation)
    # -----------------------------------------------------------------------
    DemoAmendment(
        document="fair-votes",
        author=MEI,
        title="Test the new ballot paper with voters and fund a public information campaign",
        rationale=(
            "Whichever system the citizens' assembly chooses, most voters will use it for the first time "
            "at a general election. When Scotland introduced new ballot papers and two voting systems on "
            "the same day in 2007, well over 100,000 ballot papers were rejected, and the Gould report "
            "found that the voters' experience had been treated as an afterthought.\n\n"
            "This amendment asks the Electoral Commission to test ballot designs with real voters, "
            "including disabled voters, and to explain the new system before it is first used. It does "
            "not prejudge the assembly's choice."
        ),
        edits=(
            (
                "- An independent review will report on how the new system worked after its first use.",
                "- The Electoral Commission will test ballot paper designs with voters, including blind and "
                "partially sighted voters and people with learning disabilities, and run a public "
                "information campaign before the first general election under the new system.\n"
                "- An independent review will report on how the new system worked after its first use.",
            ),
        ),
        supporters=(HARRIET, TOM, OWEN),
        comments=(
            (
                HARRIET,
                "Strongly agree. The Gould report is still the best guide to what goes wrong when a new "
                "ballot is designed around the count rather than the voter.",
            ),
            (
                TOM,
                "Supported. Could the campaign budget be ring-fenced so that it is not squeezed by the "
                "boundary review? I'm happy for that to go in the costings rather than in this text.",
            ),
            (MEI, "Thanks, Tom. Agreed, that belongs in the costings, and I've flagged it to the working group."),
        ),
        outcome="accepted",
        decided_by=FIONA,
        note=(
            "Accepted. Disability organisations made the same point in their consultation responses, and "
            "the change does not prejudge the assembly's choice. Thank you, Mei."
        ),
    ),
    DemoAmendment(
        document="fair-votes",
        author=AISHA,
        title="Confirm the citizens' assembly's choice in a referendum",
        rationale=(
            "Changing how every MP is elected is a constitutional change of the first order, and I believe "
            "it needs the direct consent of voters, not only a manifesto mandate. A referendum held *after* "
            "a citizens' assembly has done the detailed work would be very different from 2011: voters "
            "would be asked to approve one worked-out system, recommended by people like them, not a "
            "compromise that nobody had campaigned for.\n\n"
            "This amendment settles the open question in favour of a confirmatory referendum and builds it "
            "into the timetable, so that the new system can still be used at the next general election."
        ),
        edits=(
            (
                "Legislation will follow within 18 months of the general election, with the new system in "
                "place for the next one.",
                "Legislation will follow within 18 months of the general election. The Act will come into "
                "force only if it is approved in a **confirmatory referendum**, held within six months of "
                "Royal Assent, so that the new system can still be in place for the next general election.",
            ),
            (
                "**Open question:** should the chosen system be confirmed in a referendum? Some Labour "
                "members believe a change of this size needs direct public consent. Most Liberal Democrat "
                "and Green members think a citizens' assembly and a clear manifesto mandate are enough, and "
                "remember how the 2011 referendum on the Alternative Vote was fought. We invite views.",
                "**A confirmatory referendum.** A change of this size needs direct public consent. Unlike "
                "the 2011 referendum on the Alternative Vote, voters would be asked to approve one fully "
                "worked-out system, recommended by a citizens' assembly of people like them, with the "
                "Electoral Commission responsible for neutral public information.",
            ),
        ),
        base=6,
        supporters=(TOM, DAN),
        comments=(
            (
                OWEN,
                "This was drafted against revision 6, before the timetable was tightened in revision 7, so "
                "it no longer applies: both change the same sentence. Could you update it against the "
                "current text?\n\n"
                "On the substance I respectfully disagree. A referendum after the assembly would add at "
                "least six months and a second national campaign, and 2011 suggests it would be fought on "
                "everything except the system itself.",
            ),
            (
                JONAH,
                "I understand the case for consent, but the Green view is that the assembly *is* the public "
                "deciding, with far more evidence in front of it than any referendum campaign would give "
                "voters. If there is to be a public vote, I'd rather it were on the principle before the "
                "assembly sits than a veto afterwards.",
            ),
            (
                AISHA,
                "Thank you both. I'll bring it up to date once the consultation responses are in, so that it "
                "lands on whatever the timetable says then. Owen, on time: the referendum would run "
                "alongside the boundary work, not after it, so it need not delay the first election.",
            ),
        ),
    ),
    # -----------------------------------------------------------------------
    # Just transition (consultation)
    # -----------------------------------------------------------------------
    DemoAmendment(
        document="just-transition",
        author=AISHA,
        title="Give the Just Transition Commission real powers",
        rationale=(
            "Consultation question 3 asks what powers the Commission should have. A right to be consulted "
            "is easily ignored: Scotland's Just Transition Commission has given ministers excellent advice, "
            "but it cannot make anyone act on it.\n\n"
            "This amendment gives the Commission two powers that matter to workers: large employers in "
            "high-carbon sectors must publish a workforce transition plan negotiated with their unions, "
            "and ministers must answer its annual report in Parliament. The consultation question is "
            "reworded so that respondents can test the proposal."
        ),
        edits=(
            (
                "and local government at the table, and a statutory right to be consulted on every major "
                "decision.",
                "and local government at the table, a statutory right to be consulted on every major "
                "decision, and the power to require every employer of more than 250 people in a high-carbon "
                "sector to publish a **workforce transition plan** negotiated with recognised trade unions. "
                "Ministers must respond to its annual report in Parliament within three months.",
            ),
            (
                "3. What powers should the Just Transition Commission have?",
                "3. Are the Just Transition Commission's proposed powers the right ones, and should smaller "
                "employers be covered?",
            ),
        ),
        supporters=(TOM, MEI, JONAH, HARRIET),
        comments=(
            (
                MEI,
                "Strongly support. The closure of the Grangemouth refinery showed what happens when there "
                "is no plan agreed with the workforce years in advance.",
            ),
            (
                HARRIET,
                "Supported. 250 employees is the usual large-company threshold, so employers will already "
                "know whether they are covered.",
            ),
        ),
        outcome="accepted",
        decided_by=CARYS,
        note=(
            "Accepted. This answers consultation question 3 in part, and the reworded question asks "
            "respondents to test it. Thank you, Aisha."
        ),
    ),
    DemoAmendment(
        document="just-transition",
        author=OWEN,
        title="A route to warm homes for leaseholders and people in flats",
        rationale=(
            "Consultation question 2 asks how the Warm Homes Programme should reach leasehold homes. Around "
            "a fifth of homes in England are flats, and most can only be insulated properly as a whole "
            "building: one flat owner cannot fit external wall insulation on their own.\n\n"
            "This amendment lets a majority of leaseholders in a block agree whole-building works, with "
            "each household's share eligible for the programme's grants and zero-interest loans instead of "
            "arriving as one large service charge bill."
        ),
        edits=(
            (
                "- A national retrofit skills programme,",
                "- A route for **leaseholders and flats**: a majority of leaseholders in a block will be able "
                "to agree whole-building insulation and heating works, with each household's share eligible "
                "for the same grants and zero-interest loans, and never passed on as a single large service "
                "charge bill.\n"
                "- A national retrofit skills programme,",
            ),
        ),
        base=7,
        supporters=(HARRIET, AISHA, MEI),
        comments=(
            (
                TOM,
                "Supported. Can we be sure council blocks with some leaseholders are covered too? Many have "
                "a mix of tenants and leaseholders after Right to Buy.",
            ),
            (
                OWEN,
                "Yes: the text says any block, which includes mixed council blocks. I'll ask for the costing "
                "to treat them in the same way.",
            ),
        ),
        outcome="accepted",
        decided_by=RACHEL,
        note=(
            "Accepted. A practical answer to consultation question 2, and one that leaseholders in our "
            "cities have been asking for."
        ),
    ),
    DemoAmendment(
        document="just-transition",
        author=DAN,
        title="Community benefit and local ownership for onshore wind and solar farms",
        rationale=(
            "I live near a proposed onshore wind site, and the first question at every public meeting is "
            "\"what do we get out of it?\". If onshore wind in England is to be treated like any other "
            "infrastructure, the people who live next to it need a visible stake in it.\n\n"
            "In Scotland, community benefit of £5,000 per megawatt a year is accepted good practice, and "
            "many projects offer shares to local people. This amendment makes both the norm in England."
        ),
        edits=(
            (
                "sell the power they generate directly to their neighbours.",
                "sell the power they generate directly to their neighbours.\n"
                "6. A **community stake** in new onshore wind and large solar farms: developers will pay at "
                "least £5,000 per megawatt a year into a local community benefit fund, and offer local "
                "people and councils the chance to buy at least 5% of the project.",
            ),
        ),
        supporters=(TOM, HARRIET, MEI),
        comments=(
            (
                TOM,
                "Supported. This is how we make onshore wind winnable in places where it has been a dirty "
                "word for a decade.",
            ),
            (
                OWEN,
                "I like the principle, but I'm wary of fixing £5,000 in law: a small solar farm on poor "
                "land is a very different project from a large wind farm. Could the amount be set and "
                "reviewed by the regulator, with £5,000 as the starting point?",
            ),
            (
                DAN,
                "That's fair. I'm happy for the text to say \"starting at £5,000\", reviewed every five "
                "years, if the working group prefers that.",
            ),
        ),
    ),
    # -----------------------------------------------------------------------
    # Tackling poverty and inequality (draft)
    # -----------------------------------------------------------------------
    DemoAmendment(
        document="tackling-poverty",
        author=JONAH,
        title="Raise the wealth tax option to 2% on wealth above £5 million",
        rationale=(
            "I made this change directly in revision 4 and it was reverted, with a request to propose it "
            "as an amendment for discussion. Here it is.\n\n"
            "A 1% tax above £10 million would raise too little to pay for the child poverty commitments in "
            "this paper, and leaves out fortunes that are very large by any standard. A 2% tax above "
            "£5 million would still apply to well under 1% of households."
        ),
        edits=(
            (
                "| Annual tax of 1% on wealth above £10 million | Greens | £10–15bn a year |",
                "| Annual tax of 2% on wealth above £5 million | Greens | £20–25bn a year |",
            ),
        ),
        supporters=(MEI,),
        comments=(
            (
                FIONA,
                "Thank you for bringing this as an amendment. Replacing the row would remove the option the "
                "other parties have been discussing, though. Could both be shown and costed side by side?",
            ),
            (
                HARRIET,
                "I've drafted that as a separate amendment, *Show both wealth tax options side by side for "
                "independent costing*, which keeps the 1% row and adds the Green higher-rate option.",
            ),
            (
                JONAH,
                "Withdrawing this in favour of Harriet's combined amendment, which does the same job without "
                "removing the existing option. Thanks, Fiona and Harriet.",
            ),
        ),
        outcome="withdrawn",
    ),
    DemoAmendment(
        document="tackling-poverty",
        author=HARRIET,
        title="Show both wealth tax options side by side for independent costing",
        rationale=(
            "The parties have agreed to commission an independent costing of every option in the tax "
            "table, including the Green proposal for a higher rate and a lower threshold. But that proposal "
            "is not in the table, so there is nothing for the costing to test.\n\n"
            "This amendment adds it as a separate row next to the existing 1% option and marks the revenue "
            "figure as the Green Party's own estimate. It replaces Jonah's amendment, which would have "
            "removed the 1% option."
        ),
        edits=(
            (
                "| Annual tax of 1% on wealth above £10 million | Greens | £10–15bn a year | Valuation, "
                "avoidance, people leaving the UK |",
                "| Annual tax of 1% on wealth above £10 million | Greens | £10–15bn a year | Valuation, "
                "avoidance, people leaving the UK |\n"
                "| Annual tax of 2% on wealth above £5 million | Greens (higher-rate option) | £20–25bn a "
                "year (Green estimate) | As above, and more households affected |",
            ),
        ),
        supporters=(JONAH, MEI, OWEN),
        comments=(
            (JONAH, "Thank you, Harriet. This is a better way to do it."),
            (
                AISHA,
                "I'm content for the higher rate to be costed, but I'd rather the table didn't carry a "
                "£20–25bn figure before the independent costing reports. Could the revenue cell say "
                "\"to be costed\" until then?",
            ),
            (
                HARRIET,
                "Fair point, Aisha. I kept the figure, marked as the Green estimate, so that the costing has "
                "something to test, but I'll change it if the leads would rather.",
            ),
        ),
    ),
    # -----------------------------------------------------------------------
    # Homes people can afford (draft)
    # -----------------------------------------------------------------------
    DemoAmendment(
        document="homes-people-can-afford",
        author=MEI,
        title="Give councils the power to introduce rent controls",
        rationale=(
            "Once-a-year limits on rent increases do nothing about the level of the rent itself, and in "
            "high-pressure areas that level is the problem. The Scottish Government has brought forward "
            "powers to designate rent control areas, and several European cities have regulated rents for "
            "decades without the collapse in supply that critics predict.\n\n"
            "This amendment moves rent controls from *not yet agreed* into our shared commitments, as a "
            "power councils may choose to use, with new-build homes exempt for their first ten years."
        ),
        edits=(
            (
                "challenge unreasonable rises at a tribunal.\n\n"
                "**Not yet agreed: rent controls.** The Green Party would go further and give councils the "
                "power to cap rents in high-pressure areas, linked to local incomes. Labour and the Liberal "
                "Democrats worry that blunt caps could reduce the supply and quality of rented homes, and "
                "prefer to start with once-a-year limits and stronger enforcement. The working group will "
                "look at the evidence from Scotland, Ireland and other European cities.\n",
                "challenge unreasonable rises at a tribunal.\n"
                "- Give councils the power to designate **rent control areas** where rents have risen far "
                "faster than local incomes, limiting increases within and between tenancies, with new-build "
                "homes exempt for their first ten years.\n",
            ),
        ),
        supporters=(JONAH, DAN),
        comments=(
            (
                TOM,
                "I have a lot of sympathy with this, but it would put Labour's name to something Labour "
                "hasn't agreed. Could it wait for the evidence session the working group promised?",
            ),
            (
                JONAH,
                "The new-build exemption is there precisely to answer the worry about supply. I'd ask "
                "everyone to read the Scottish and Irish evidence before deciding.",
            ),
        ),
        outcome="rejected",
        decided_by=FIONA,
        note=(
            "Rejected, with thanks to Mei for a carefully drafted amendment. This paper may only record as "
            "shared what all three parties have agreed, and Labour and the Liberal Democrats have not yet "
            "agreed to rent controls, so accepting it would misstate our positions. The *not yet agreed* "
            "paragraph stays; the working group will hold its evidence session on rent regulation before "
            "the next draft, and the proposal can come back after it."
        ),
    ),
    DemoAmendment(
        document="homes-people-can-afford",
        author=TOM,
        title="Councils to build at least half of the new social homes",
        rationale=(
            "Question 1 asks how the social rent target should be shared. Councils built most of the social "
            "homes in the decades when England built them at scale, and since the borrowing cap was lifted "
            "in 2018 they can borrow against their rents to do so again.\n\n"
            "Giving councils at least half of the target gives them the certainty to rebuild their own "
            "development teams, while leaving housing associations a substantial role."
        ),
        edits=(
            (
                "led by councils and housing associations and built",
                "with councils building at least half of them and housing associations the rest, and built",
            ),
        ),
        supporters=(AISHA, JONAH),
        comments=(
            (
                OWEN,
                "I'm not against a council share, but \"housing associations the rest\" leaves no room for "
                "community land trusts and co-operatives, which the fund in point 5 is meant to help. My "
                "amendment changes the same words, so only one of the two can be accepted as it stands. "
                "Could we agree a combined text?",
            ),
            (
                TOM,
                "Happy to combine: something like \"councils at least half, housing associations and "
                "community-led groups the rest\". Let's see where the working group lands on question 1 "
                "first.",
            ),
        ),
    ),
    DemoAmendment(
        document="homes-people-can-afford",
        author=OWEN,
        title="Count community-led homes towards the social rent target",
        rationale=(
            "Point 5 creates a fund for community land trusts and co-operatives, but point 1 says that the "
            "social rent target will be met only by councils and housing associations. Many community-led "
            "schemes let homes at social rent, and those homes should count.\n\n"
            "This small change makes the two points consistent."
        ),
        edits=(
            (
                "led by councils and housing associations",
                "led by councils, housing associations and community-led housing groups",
            ),
        ),
        supporters=(HARRIET, MEI),
        comments=(
            (
                AISHA,
                "Supported in principle. We should be clear that community-led homes count only when they "
                "are let at genuinely social rents, not at \"affordable\" rents of up to 80% of the market.",
            ),
            (
                OWEN,
                "Agreed. The target is for homes for social rent, and the same sentence says so, so nothing "
                "else would count.",
            ),
        ),
    ),
    # -----------------------------------------------------------------------
    # Votes at 16 (draft)
    # -----------------------------------------------------------------------
    DemoAmendment(
        document="votes-at-16",
        author=JONAH,
        title="Let 14 and 15 year olds register in advance, as they can in Scotland",
        rationale=(
            "If 16 year olds can vote, they need to be on the register by their 16th birthday. In Scotland, "
            "young people can already register from the age of 14, and school registration drives work "
            "best when a whole year group can sign up together.\n\n"
            "This amendment lets schools register pupils from 14 and protects their details: entries for "
            "anyone under 16 would never appear on the open register or be published."
        ),
        edits=(
            (
                "3. Give schools and colleges a duty to offer every pupil the chance to register, working with "
                "their local electoral registration officer.",
                "3. Give schools and colleges a duty to offer every pupil the chance to register from the age "
                "of 14, working with their local electoral registration officer, so that they can vote from "
                "their 16th birthday. Entries for anyone under 16 will never appear on the open register or "
                "be published.",
            ),
        ),
        supporters=(AISHA, HARRIET, OWEN),
        comments=(
            (
                HARRIET,
                "Supported. The protection for under-16s' details is essential, and it matches what Scotland "
                "already does.",
            ),
            (
                TOM,
                "Supported, but let's check with school leaders that this doesn't become another unfunded "
                "duty. The Electoral Commission funding in point 4 could cover the materials.",
            ),
        ),
    ),
)


ENDORSEMENTS: tuple[DemoEndorsement, ...] = (
    # Just transition: all three parties endorse the final text (agreed).
    DemoEndorsement(
        document="just-transition",
        lead=RACHEL,
        revision=None,
        statement=(
            "Labour endorses this text as the basis for the joint programme. We will press for the Just "
            "Transition Commission to be set up within the first hundred days of government."
        ),
    ),
    DemoEndorsement(
        document="just-transition",
        lead=FIONA,
        revision=None,
        statement=(
            "The Liberal Democrats endorse this paper. Nobody should be shut out of a warm home because "
            "they live in a flat, and the new leasehold route makes sure they are not."
        ),
    ),
    DemoEndorsement(
        document="just-transition",
        lead=CARYS,
        revision=None,
        statement=(
            "The Green Party endorses this paper. Net zero by 2040 is the least the science demands, and we "
            "will keep arguing for the Warm Homes target to come forward as the supply chain grows."
        ),
    ),
    # Fair votes: Labour endorsed revision 7, before the ballot-testing amendment (stale);
    # the Liberal Democrats and Greens endorse the current text.
    DemoEndorsement(
        document="fair-votes",
        lead=RACHEL,
        revision=7,
        statement=(
            "Labour endorses this paper as the basis for legislation in the first session. We still believe "
            "the assembly's choice should be confirmed in a referendum, and will make that case in the "
            "consultation."
        ),
    ),
    DemoEndorsement(
        document="fair-votes",
        lead=FIONA,
        revision=None,
        statement=(
            "The Liberal Democrats endorse this paper without reservation: proportional representation, "
            "chosen by a citizens' assembly, in law by the end of the second year."
        ),
    ),
    DemoEndorsement(document="fair-votes", lead=CARYS, revision=None),
    # Homes: one party so far.
    DemoEndorsement(
        document="homes-people-can-afford",
        lead=CARYS,
        revision=None,
        statement=(
            "The Green Party endorses this draft as a floor, not a ceiling. We will keep making the case "
            "for local rent controls through the working group."
        ),
    ),
)

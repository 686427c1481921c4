"""Demo content for PolicyHub: parties, users and versioned policy documents.

Data only. Each document's first revision carries the full Markdown body;
later revisions carry small (old, new) replacements applied to the previous
text, or restore an earlier revision (source="revert").
"""

from dataclasses import dataclass, field  # noqa: F401  (field kept for callers extending these types)


@dataclass(frozen=True)
class DemoParty:
    slug: str
    name: str
    colour: str  # '#RRGGBB'


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    party: str | None      # party slug, or None
    role: str = "member"   # "member" | "lead"
    admin: bool = False
    pending: bool = False  # True: asked to join `party`, not yet approved (so non-aligned)
    locale: str | None = None  # the interface language they chose (i18n.LANGUAGES); None: their browser's


@dataclass(frozen=True)
class DemoRevision:
    author: str            # a DemoUser email
    summary: str           # edit summary, like a good commit message, <= 200 chars
    body: str | None = None                      # full Markdown text (first revision only)
    edits: tuple[tuple[str, str], ...] = ()      # (old, new) replacements applied to the previous body, each `old` occurring exactly once in it
    title: str | None = None                     # new title, when this revision renames the document
    source: str = "edit"                         # "edit" or "revert"
    revert_to: int | None = None                 # for source="revert": the revision number whose text is restored


@dataclass(frozen=True)
class DemoDocument:
    slug: str
    title: str
    policy_area: str       # one of POLICY_AREAS
    status: str            # "draft" | "consultation" | "archived"
    revisions: tuple[DemoRevision, ...]


DEMO_PASSWORD = "shared-agenda-demo"

POLICY_AREAS = (
    "Democratic reform",
    "Climate and energy",
    "Inequality",
    "Housing",
    "Public services",
)

PARTIES = (
    DemoParty(slug="labour", name="Labour", colour="#E4003B"),
    DemoParty(slug="libdem", name="Liberal Democrats", colour="#FAA61A"),
    DemoParty(slug="green", name="Green Party", colour="#02A95B"),
)

USERS = (
    DemoUser(email="admin@policyhub.example", name="Alex Morgan", party=None, admin=True),
    DemoUser(email="rachel@labour.example", name="Rachel Adeyemi", party="labour", role="lead"),
    DemoUser(email="tom@labour.example", name="Tom Hughes", party="labour"),
    DemoUser(email="aisha@labour.example", name="Aisha Khan", party="labour"),
    DemoUser(email="fiona@libdem.example", name="Fiona MacLeod", party="libdem", role="lead"),
    DemoUser(email="owen@libdem.example", name="Owen Price", party="libdem", locale="cy"),
    DemoUser(email="harriet@libdem.example", name="Harriet Lowe", party="libdem"),
    DemoUser(email="carys@green.example", name="Carys Evans", party="green", role="lead"),
    DemoUser(email="jonah@green.example", name="Jonah Whitfield", party="green"),
    DemoUser(email="mei@green.example", name="Mei Lin", party="green"),
    DemoUser(email="dan@example.org", name="Dan Marsh", party="green", pending=True),
)

RACHEL = "rachel@labour.example"
TOM = "tom@labour.example"
AISHA = "aisha@labour.example"
FIONA = "fiona@libdem.example"
OWEN = "owen@libdem.example"
HARRIET = "harriet@libdem.example"
CARYS = "carys@green.example"
JONAH = "jonah@green.example"
MEI = "mei@green.example"
DAN = "dan@example.org"


# ---------------------------------------------------------------------------
# 1. Fair votes (Democratic reform, consultation)
# ---------------------------------------------------------------------------

_FAIR_VOTES_BODY = """\
Most general elections in living memory have produced a House of Commons that looks very different from the way the country actually voted. Under first past the post (FPTP), a party can win a large majority on little more than a third of the vote, while millions of votes elect nobody at all. Many people vote tactically for their second choice to keep out their last, and whole areas are written off as "safe" and ignored.

This paper sets out a shared position from Labour, the Liberal Democrats and the Green Party on replacing FPTP for elections to the House of Commons. It is a **consultation draft**: we agree on the principle and on most of the process, and we say plainly where we do not yet agree.

## What we agree on

1. **Every vote should count.** The share of seats a party wins should broadly reflect the share of votes it receives.
2. **Keep a local link.** Every voter should have at least one MP with a clear responsibility for their area.
3. **No closed lists.** Voters, not party officials, should decide which candidates are elected.
4. **Decide in this Parliament, use it at the next election.** Reform promised for a second term rarely happens.
5. **Independent boundaries.** Constituencies and regions should be drawn by the Boundary Commissions to a statutory timetable, not by ministers.

## The options

Two systems have serious support among our members, and both are already used in the UK.

| | Single Transferable Vote (STV) | Additional Member System (AMS) |
|---|---|---|
| Used for | Northern Ireland Assembly; local councils in Scotland and Northern Ireland | Scottish Parliament; London Assembly |
| Constituencies | Larger, each electing around 3 to 6 MPs | Single-member seats plus regional "top-up" MPs |
| Ballot paper | Rank candidates 1, 2, 3 and so on | Two votes: one for a local MP, one for a party |
| Proportionality | Good; improves with more MPs per constituency | Good; depends on the share of top-up seats |
| Choice between candidates of the same party | High | Low to moderate, depending on list design |

### The case for STV

The Liberal Democrats have long preferred STV. It gives voters the most control: they can rank candidates across parties and within them, so an MP has to earn support from across their community rather than rely on a party label. It needs no party lists at all, and it makes truly safe seats rare. Critics say that multi-member constituencies weaken the link between an MP and a town; we think that three to five MPs covering a recognisable area, such as a county or a city, is a strength rather than a weakness.

### Other views

Labour and Green members have argued for other systems. This section will set out their case once the working group has agreed a text.

## Process and timetable

- In the first year, a **national citizens' assembly** of around 150 randomly selected voters will hear evidence and recommend which system to adopt.
- Legislation will follow within 18 months of the general election, with the new system in place for the next one.
- The Boundary Commissions will be given the resources to draw new constituencies in time.
- An independent review will report on how the new system worked after its first use.

**Open question:** should the chosen system be confirmed in a referendum? Some Labour members believe a change of this size needs direct public consent. Most Liberal Democrat and Green members think a citizens' assembly and a clear manifesto mandate are enough, and remember how the 2011 referendum on the Alternative Vote was fought. We invite views.

## Out of scope

The House of Lords, votes at 16 and voter registration are dealt with in seperate papers.
"""

FAIR_VOTES = DemoDocument(
    slug="fair-votes",
    title="Fair votes: proportional representation for Westminster",
    policy_area="Democratic reform",
    status="consultation",
    revisions=(
        DemoRevision(
            author=FIONA,
            summary="First draft of the shared position on proportional representation",
            body=_FAIR_VOTES_BODY,
        ),
        DemoRevision(
            author=TOM,
            summary="Add AMS as the Labour preferred option, with open regional lists",
            edits=(
                (
                    "### Other views\n\nLabour and Green members have argued for other systems. "
                    "This section will set out their case once the working group has agreed a text.",
                    "### The case for AMS\n\nA growing number of Labour members favour AMS. It keeps the "
                    "single-member constituency that voters know, with one MP answerable for each area, and "
                    "adds regional MPs so that the overall result is proportional. It has worked in Scotland "
                    "and London for more than twenty years, and most voters find the two-vote ballot easy to "
                    "understand. To meet our *no closed lists* principle, regional lists would need to be "
                    "**open**, letting voters choose between a party's regional candidates.",
                ),
            ),
        ),
        DemoRevision(
            author=JONAH,
            summary="Set out the Green view: either system is acceptable if it is properly proportional",
            edits=(
                (
                    "letting voters choose between a party's regional candidates.",
                    "letting voters choose between a party's regional candidates.\n\n"
                    "### The Green view\n\n"
                    "The Green Party would accept either system. Our test is proportionality: whatever is "
                    "chosen should give smaller parties a fair chance of representation. We would oppose any "
                    "formal threshold above around 3% under AMS, and would want STV constituencies to elect "
                    "at least four MPs each.",
                ),
            ),
        ),
        DemoRevision(
            author=RACHEL,
            summary="Let the citizens' assembly choose between STV and AMS, with all three parties bound to its choice",
            edits=(
                (
                    "will hear evidence and recommend which system to adopt.",
                    "will hear evidence on STV and AMS and choose between them. All three parties commit in "
                    "advance to legislate for the assembly's choice.",
                ),
            ),
        ),
        DemoRevision(
            author=HARRIET,
            summary="Fix typo and point readers to the other democratic reform papers",
            edits=(
                (
                    "are dealt with in seperate papers.",
                    "are dealt with in separate papers in the *Democratic reform* area.",
                ),
            ),
        ),
        DemoRevision(
            author=MEI,
            summary="Add a section moving English local elections to STV in the same Act",
            edits=(
                (
                    "## Out of scope",
                    "## Local government\n\n"
                    "Councils in England are still elected by FPTP, which too often produces one-party "
                    "councils with little effective opposition. The same Act should move English local "
                    "elections to STV, as Scotland did in 2007.\n\n"
                    "## Out of scope",
                ),
            ),
        ),
        DemoRevision(
            author=OWEN,
            summary="Tighten the timetable: reform in law by the end of year two of the Parliament",
            edits=(
                (
                    "Legislation will follow within 18 months of the general election, with the new system "
                    "in place for the next one.",
                    "Legislation will follow within 12 months of the assembly reporting, and in any case "
                    "by the end of the second year of the Parliament, with the new system in place for the "
                    "next general election.",
                ),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# 2. Votes at 16 and automatic registration (Democratic reform, draft)
# ---------------------------------------------------------------------------

_VOTES_AT_16_BODY = """\
Our democracy is only as strong as the people who take part in it, and at the moment two large groups are shut out. Sixteen and seventeen year olds can work, pay tax and join the armed forces, but cannot vote for the government that makes decisions about their schools, their jobs and their future. And several million adults who are entitled to vote are missing from the electoral register or registered at an old address: disproportionately young people, private renters and people from minority ethnic communities.

This paper proposes two reforms that would bring millions more people into our democracy: **votes at 16** for all elections and referendums across the UK, and **automatic voter registration**.

## Votes at 16

Sixteen and seventeen year olds already vote in Scottish Parliament and Senedd elections, and in local elections in Scotland and Wales. Evidence from Scotland suggests that people who first vote at 16, while still living at home and in education, are *more* likely to keep voting as adults than those who first become eligible later.

We will:

1. Lower the voting age to 16 for UK parliamentary elections, local elections in England, and all UK-wide referendums.
2. Make high-quality **citizenship education** part of the curriculum in every secondary school, including academies, with a focus on how elections, Parliament and local councils work.
3. Give schools and colleges a duty to offer every pupil the chance to register, working with their local electoral registration officer.
4. Fund the Electoral Commission to run a public information campaign before the first election at which 16 and 17 year olds can vote.

## Automatic voter registration

Individual electoral registration has made the register more secure, but it has also left many people off it. People move house more often than they used to, and every move risks dropping off the register. Yet the state already holds reliable information about most of us.

We will:

- Add eligible people to the electoral register automatically when they deal with trusted public services: when they are issued a National Insurance number, apply for a passport or driving licence, claim Universal Credit or student finance, or update their address with HMRC.
- Update addresses automatically when people tell one of those services they have moved.
- Keep everyone's right to **opt out of the open (edited) register**, which can be sold to businesses, and make opting out the default for new registrations.
- Pilot automatic registration in a small number of council areas in the first year, with full national roll-out before the next general election.

Automatic registration should save money as well as improving the register. Councils spend a great deal each year on the annual canvass and on chasing individual applications; our working assumption is that these savings would cover most of the cost of the new data links over a Parliament. We will ask the Electoral Commission to publish an independent assessment before roll-out.

## Where we differ

All three parties back votes at 16 and automatic registration. We have not yet agreed on a wider question: **should long-term residents who are not British, Irish or qualifying Commonwealth citizens be able to vote?** In Scotland and Wales, foreign nationals who live there lawfully can already vote in devolved and local elections. The Green Party believes this should apply everywhere. Labour and the Liberal Democrats are open to extending it to local elections in England but have not agreed a position for general elections.

## Next steps

The working group will test these proposals with youth organisations, electoral administrators and disability groups, and recieve comments from party members before the draft goes out to consultation.
"""

VOTES_AT_16 = DemoDocument(
    slug="votes-at-16",
    title="Votes at 16 and automatic voter registration",
    policy_area="Democratic reform",
    status="draft",
    revisions=(
        DemoRevision(
            author=AISHA,
            summary="First draft: votes at 16 and automatic voter registration",
            body=_VOTES_AT_16_BODY,
        ),
        DemoRevision(
            author=HARRIET,
            summary="Protect people at risk, such as domestic abuse survivors, under automatic registration",
            edits=(
                (
                    "make opting out the default for new registrations.\n",
                    "make opting out the default for new registrations.\n"
                    "- Protect people at risk, such as survivors of domestic abuse, by making anonymous "
                    "registration simpler and making sure automatic registration can never publish their "
                    "address.\n",
                ),
            ),
        ),
        DemoRevision(
            author=CARYS,
            summary="Explain the Green case for votes for all long-term residents",
            edits=(
                (
                    "The Green Party believes this should apply everywhere.",
                    "The Green Party believes this should apply to every election: people who have made "
                    "their lives here, pay taxes here and send their children to school here should have a "
                    "say in how the country is run.",
                ),
            ),
        ),
        DemoRevision(
            author=RACHEL,
            summary="Add a section on voter ID and rename the paper to cover fair access to the ballot",
            title="Votes at 16, automatic registration and fair access to the ballot",
            edits=(
                (
                    "## Where we differ",
                    "## Voter ID\n\n"
                    "The requirement to show photo ID at polling stations, introduced for English local "
                    "elections in 2023 and for general elections in 2024, has turned some eligible voters "
                    "away and deterred others from trying. As a minimum we will:\n\n"
                    "- widen the list of accepted documents to include bank cards, utility bills and any "
                    "official letter from a public body;\n"
                    "- allow a registered voter to vouch for someone without ID, as happens in Canada;\n"
                    "- make the free Voter Authority Certificate available on the day at the council "
                    "offices.\n\n"
                    "## Where we differ",
                ),
            ),
        ),
        DemoRevision(
            author=OWEN,
            summary="Record the Lib Dem and Green preference to repeal photo ID altogether",
            edits=(
                (
                    "offices.\n\n## Where we differ",
                    "offices.\n\n"
                    "The Liberal Democrats and the Green Party would go further and repeal the photo ID "
                    "requirement altogether, since there is little evidence of in-person fraud for it to "
                    "prevent. Labour has not yet agreed to repeal.\n\n"
                    "## Where we differ",
                ),
            ),
        ),
        DemoRevision(
            author=JONAH,
            summary="Fix typo; add young carers' groups to the organisations we will consult",
            edits=(
                ("and recieve comments", "and receive comments"),
                ("with youth organisations,", "with youth organisations, young carers' groups,"),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# 3. Just transition (Climate and energy, consultation) -- has footnotes
# ---------------------------------------------------------------------------

_JUST_TRANSITION_BODY = """\
The climate crisis is also a cost of living crisis. Families in cold, draughty homes pay more to heat them, and places that once depended on coal and steel, and now on oil and gas, need new work that pays as well as the old. A transition to net zero that leaves those people behind will fail, politically as well as morally.

This paper sets out how Labour, the Liberal Democrats and the Green Party would reach **net zero greenhouse gas emissions by 2040**, ten years earlier than the current legal target, in a way that is fair to workers, bill payers and communities. It is a **consultation draft** and ends with questions on which we want to hear views.

## Principles

- **Fairness first.** Those with the broadest shoulders should carry the most; low-income households should see lower bills, not higher ones.
- **No worker left behind.** People in high-carbon industries should have a guaranteed route into good, secure jobs.
- **Public investment to crowd in private.** The state should take the risks the market will not, and share in the returns.
- **Nature and climate together.** Restoring peat, woodland and rivers is part of the solution, not a cost to be traded off.

## Clean power

1. Build a clean, secure electricity system, with a target of **around 60 GW of offshore wind** by 2035 and onshore wind in England treated like any other infrastructure in the planning system.
2. Set up a publicly owned clean energy company to invest alongside the private sector in wind, solar, storage and grid, with profits returned to the public.
3. Speed up grid connections, so that finished renewable projects are not left waiting years to connect.
4. Reform electricity pricing so that cheap renewable power shows up in household bills.

## Warm homes

Heating our homes is one of the largest sources of emissions, and one of the slowest to fall.

- A ten-year **Warm Homes Programme**, with a target of bringing every home to at least EPC band C by 2030.
- Free insulation and heat pumps for low-income households, and zero-interest loans for everyone else, backed by around **£6 billion a year** of public investment.[^1]
- Higher minimum energy standards for private rented homes, phased in with support for small landlords.
- A national retrofit skills programme, training installers through further education colleges.

## Good work in every region

- A **Just Transition Commission** with trade unions, employers and local government at the table, and a statutory right to be consulted on every major decision.
- A skills passport so that oil and gas workers' qualifications are recognised across offshore wind and other clean industries.
- Investment targeted first at the places with most to lose: the North East of Scotland, Teesside, the Humber, South Wales and the former coalfields.

## Where we differ: nuclear power

We have not agreed a shared position on new nuclear power. The Green Party opposes new nuclear stations: they are expensive and slow to build, they leave waste for generations, and the same money would go further on renewables, storage and efficiency. The working group will continue to discuss this.

## Paying for it

Public investment on this scale will be funded partly by borrowing to invest, which we think is justified for assets that will last for decades and cut bills, and partly by a windfall tax on excess energy profits.[^2] A full costing will be published alongside the consultation response.

## Consultation questions

1. Is 2040 the right target date, and what would make it credible?
2. How should the Warm Homes Programme reach private rented and leasehold homes?
3. What powers should the Just Transition Commission have?

[^1]: All cost figures in this paper are working estimates for discussion. They have not yet been independently costed.
[^2]: The design of the windfall tax, including the rate and how long it would apply, is still being discussed.
"""

JUST_TRANSITION = DemoDocument(
    slug="just-transition",
    title="A just transition to net zero by 2040",
    policy_area="Climate and energy",
    status="consultation",
    revisions=(
        DemoRevision(
            author=CARYS,
            summary="First draft of the shared just transition paper",
            body=_JUST_TRANSITION_BODY,
        ),
        DemoRevision(
            author=TOM,
            summary="Add the Labour case for a limited role for new nuclear",
            edits=(
                (
                    "storage and efficiency. The working group will continue to discuss this.",
                    "storage and efficiency.\n\n"
                    "Labour supports a limited role for new nuclear alongside renewables: it provides "
                    "steady low-carbon power when the wind does not blow, and stations already under "
                    "construction should be completed. The working group will continue to discuss this.",
                ),
            ),
        ),
        DemoRevision(
            author=HARRIET,
            summary="Add a right to local supply for community energy schemes",
            edits=(
                (
                    "4. Reform electricity pricing so that cheap renewable power shows up in household bills.",
                    "4. Reform electricity pricing so that cheap renewable power shows up in household bills.\n"
                    "5. A **right to local supply**, so that community energy schemes can sell the power they "
                    "generate directly to their neighbours.",
                ),
            ),
        ),
        DemoRevision(
            author=FIONA,
            summary="Soften the EPC band C target from 2030 to 2035 after early engagement with installers",
            edits=(
                (
                    "bringing every home to at least EPC band C by 2030.",
                    "bringing every home to at least EPC band C by 2035. An earlier draft said 2030; "
                    "installers, landlords and councils told us the supply chain could not deliver that "
                    "without cutting corners on quality.",
                ),
            ),
        ),
        DemoRevision(
            author=MEI,
            summary="Add a job guarantee for North Sea oil and gas workers",
            edits=(
                (
                    "- A skills passport",
                    "- A **job guarantee** for oil and gas workers: anyone whose job goes as North Sea "
                    "production declines will be offered retraining on full pay and a job at comparable pay "
                    "in a clean industry.\n"
                    "- A skills passport",
                ),
            ),
        ),
        DemoRevision(
            author=RACHEL,
            summary="Align Warm Homes funding with the shared fiscal rules: start at £5bn a year and scale up",
            edits=(
                (
                    "backed by around **£6 billion a year** of public investment.[^1]",
                    "backed by public investment starting at around **£5 billion a year** and rising as the "
                    "supply chain grows.[^1]",
                ),
            ),
        ),
        DemoRevision(
            author=OWEN,
            summary="Add the Liberal Democrat position on nuclear: value for money and a waste plan",
            edits=(
                (
                    "should be completed. The working group will continue to discuss this.",
                    "should be completed. The Liberal Democrats would accept new stations only where they "
                    "are good value for bill payers and there is a credible plan for long-term waste "
                    "disposal. The working group will continue to discuss this.",
                ),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# 4. Tackling poverty and inequality (Inequality, draft) -- has a revert
# ---------------------------------------------------------------------------

_POVERTY_BODY = """\
Britain is one of the richest countries in the world, yet millions of children grow up in poverty, and the gap between the wealthiest households and everyone else has widened over a generation. Poverty is not inevitable. It is the result of choices about social security, wages, housing and tax, and different choices can reduce it.

This paper sets out the shared starting point of Labour, the Liberal Democrats and the Green Party on reducing poverty and inequality. It is an early **draft**, and several parts, especially on tax, are still under discussion.

## Ending child poverty

Child poverty harms health, learning and earnings for a lifetime, and it costs all of us through higher demand on public services later. We will:

1. Set a **statutory target** to reduce child poverty by at least a quarter within the Parliament, with the government reporting to Parliament on progress every year.
2. Make sure support through Universal Credit follows every child: no limit on the number of children helped, and a review of the benefit cap.
3. Introduce a new **child payment** for low-income families, learning from the Scottish Child Payment.
4. Offer free school meals to every child in a household receiving Universal Credit, and enrol eligible children automatically rather than relying on parents to apply.

## Social security that works

Social security should provide a floor that nobody falls through, and it should treat people with dignity.

- End the five-week wait for a first Universal Credit payment by making the advance a **grant, not a loan**.
- Ask an independent body to recommend a minimum level for the standard allowance, based on the cost of essentials such as food, energy and household goods.
- Replace the current sanctions regime with one that supports people into work rather than punishing them.
- Stop deductions for debts owed to government from pushing families below that minimum.

## A fairer tax system

Income from wealth is taxed more lightly than income from work. A nurse can pay a higher rate of tax on her salary than an investor pays on a capital gain of the same size. All three parties agree that this should change, and that the extra revenue should go towards reducing poverty and investing in public services. We do not yet agree on how.

| Option | Supported by | Working revenue estimate | Main concerns |
|---|---|---|---|
| Tax capital gains at the same rates as income, with relief for inflation | Liberal Democrats, Greens; Labour open | Several £bn a year | People may delay selling assets |
| Annual tax of 1% on wealth above £10 million | Greens | £10–15bn a year | Valuation, avoidance, people leaving the UK |
| Narrow the remaining inheritance tax reliefs and loopholes | All three, to differing degrees | £1–3bn a year | Impact on family farms and firms |
| Revalue council tax and add higher bands | All three | Broadly revenue-neutral; lower bills for most | Revaluation is politically difficult |

These figures are working estimates for discussion, not costings, and will be independently checked.

## Measuring progress

We will publish an annual poverty and inequality report covering child poverty, destitution, and the wealth gap between households and between regions. Every Budget will come with an independent **distributional analysis** showing its effect on households across the income and wealth scale, so that nobody can claim a policy is fair without showing who pays and who gains.
"""

TACKLING_POVERTY = DemoDocument(
    slug="tackling-poverty",
    title="Tackling poverty and inequality",
    policy_area="Inequality",
    status="draft",
    revisions=(
        DemoRevision(
            author=RACHEL,
            summary="First draft: child poverty, social security and fairer taxes on wealth",
            body=_POVERTY_BODY,
        ),
        DemoRevision(
            author=OWEN,
            summary="Add Carer's Allowance reform to the social security section",
            edits=(
                (
                    "from pushing families below that minimum.",
                    "from pushing families below that minimum.\n"
                    "- Reform **Carer's Allowance**: raise the earnings limit and taper it, so that unpaid "
                    "carers are not hit with large overpayment debts for earning a few pounds too much.",
                ),
            ),
        ),
        DemoRevision(
            author=MEI,
            summary="Set out the Green case for an annual wealth tax, and the objections to it",
            edits=(
                (
                    "not costings, and will be independently checked.",
                    "not costings, and will be independently checked.\n\n"
                    "The Green Party argues that taxing gains and inheritances is not enough on its own: the "
                    "largest fortunes are often held in assets that are rarely sold, so a modest annual tax on "
                    "the wealthiest few thousand households is the only way to reach them. Labour and the "
                    "Liberal Democrats are concerned about the cost of valuing assets and the risk of "
                    "avoidance, and point to other countries that have abolished wealth taxes. *This needs "
                    "further work.*",
                ),
            ),
        ),
        DemoRevision(
            author=JONAH,
            summary="Raise the wealth tax to 2% above £5m and the revenue estimate to £20–25bn",
            edits=(
                (
                    "| Annual tax of 1% on wealth above £10 million | Greens | £10–15bn a year |",
                    "| Annual tax of 2% on wealth above £5 million | Greens | £20–25bn a year |",
                ),
            ),
        ),
        DemoRevision(
            author=FIONA,
            summary="Revert unilateral change to the wealth tax costings; please propose it as an amendment for discussion",
            source="revert",
            revert_to=3,
        ),
        DemoRevision(
            author=AISHA,
            summary="Add permanent, multi-year funding for local crisis support",
            edits=(
                (
                    "- End the five-week wait",
                    "- Put **local crisis support** on a permanent footing, with multi-year funding for "
                    "councils, so that people facing an emergency get cash help and not only a food bank "
                    "referral.\n"
                    "- End the five-week wait",
                ),
            ),
        ),
        DemoRevision(
            author=CARYS,
            summary="Commission independent costings of every wealth tax option, including a higher rate",
            edits=(
                (
                    "These figures are working estimates for discussion, not costings, and will be "
                    "independently checked.",
                    "These figures are working estimates for discussion, not costings. The three parties "
                    "have agreed to commission an independent costing of every option in this table, "
                    "including a Green proposal for a higher rate and a lower threshold, before any of them "
                    "is adopted.",
                ),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# 5. Homes people can afford (Housing, draft)
# ---------------------------------------------------------------------------

_HOMES_BODY = """\
Too many people cannot find a secure, decent home they can afford. Rents take a far larger share of income than they did a generation ago, home ownership is out of reach for many young people without help from family, and tens of thousands of families with children are living in temporary accommodation, sometimes for years.

The three parties agree on the diagnosis: for decades we have not built enough homes of the right kind, above all homes for social rent, and renters have too few rights. This draft sets out our shared commitments and the questions we still need to settle.

## Build social homes again

1. Build at least **100,000 homes for social rent a year** by the end of the Parliament, led by councils and housing associations.
2. Give councils long-term funding certainty, and let them keep the full receipts from any homes they sell so that every home sold is replaced.
3. End the Right to Buy for new council homes in England, so that public investment is not lost within a few years. Scotland and Wales have already ended it.
4. Set up a national agency to help councils with land assembly, planning and design skills.

## Land and planning

The price of land is the biggest single reason homes are expensive to build. When farmland gets planning permission its value can rise many times over, and most of that gain goes to the landowner rather than the community that made it possible.

- Reform compulsory purchase rules so that councils and development corporations can buy land at a fair price closer to its existing use value, not its *hope value*.
- Use the uplift in land value to pay for the schools, GP surgeries, transport and green space that new communities need.
- Build new towns and urban extensions with infrastructure in place **before** people move in.
- Protect green belt land that is valuable for nature and recreation, while reviewing poor-quality sites close to railway stations.

## A fair deal for renters

- **No-fault evictions ended for good**, with councils funded to enforce renters' new protections properly.
- A **national landlord register**, so that tenants can check who they are renting from and councils can target rogue landlords.
- Extend the Decent Homes Standard to every privately rented home, with a route for tenants to get repairs done.
- Limit rent increases to once a year, with tenants able to challenge unreasonable rises at a tribunal.

## Ending homelessness

- Fund councils to prevent homelessness earlier, when people first ask for help rather than when they are about to lose their home.
- End the use of bed and breakfast accommodation for families with children, except in a genuine emergency and for no more than six weeks.
- Make sure everyone leaving prison, hospital or care has somewhere to live on the day they leave.

## Questions for the working group

1. How should the social rent target be shared between councils and housing associations?
2. What role should the private sector play in building new towns?
3. How can we speed up planning without weakening environmental protections?
"""

HOMES = DemoDocument(
    slug="homes-people-can-afford",
    title="Homes people can afford",
    policy_area="Housing",
    status="draft",
    revisions=(
        DemoRevision(
            author=HARRIET,
            summary="First draft: social homes, land reform, renters and homelessness",
            body=_HOMES_BODY,
        ),
        DemoRevision(
            author=AISHA,
            summary="Raise the social rent target from 100,000 to 150,000 homes a year",
            edits=(
                (
                    "at least **100,000 homes for social rent a year**",
                    "at least **150,000 homes for social rent a year**",
                ),
            ),
        ),
        DemoRevision(
            author=CARYS,
            summary="Add the Green case for local rent controls as a point not yet agreed",
            edits=(
                (
                    "challenge unreasonable rises at a tribunal.\n",
                    "challenge unreasonable rises at a tribunal.\n\n"
                    "**Not yet agreed: rent controls.** The Green Party would go further and give councils the "
                    "power to cap rents in high-pressure areas, linked to local incomes. Labour and the "
                    "Liberal Democrats worry that blunt caps could reduce the supply and quality of rented "
                    "homes, and prefer to start with once-a-year limits and stronger enforcement. The working "
                    "group will look at the evidence from Scotland, Ireland and other European cities.\n",
                ),
            ),
        ),
        DemoRevision(
            author=FIONA,
            summary="Make community-led housing a funded priority",
            edits=(
                (
                    "4. Set up a national agency to help councils with land assembly, planning and design skills.",
                    "4. Set up a national agency to help councils with land assembly, planning and design skills.\n"
                    "5. Create a dedicated fund for **community-led housing**, including community land trusts "
                    "and co-operatives, so that local people can build the homes their area needs.",
                ),
            ),
        ),
        DemoRevision(
            author=TOM,
            summary="Add a Housing First commitment for people sleeping rough",
            edits=(
                (
                    "- Make sure everyone leaving prison,",
                    "- Scale up **Housing First** for people sleeping rough with complex needs: a settled home "
                    "first, with intensive support that lasts as long as it is needed.\n"
                    "- Make sure everyone leaving prison,",
                ),
            ),
        ),
        DemoRevision(
            author=JONAH,
            summary="Require new social homes to be built to a zero-carbon standard",
            edits=(
                (
                    "led by councils and housing associations.",
                    "led by councils and housing associations and built to a **zero-carbon standard**, so "
                    "that tenants are not left with high energy bills.",
                ),
            ),
        ),
    ),
)


# ---------------------------------------------------------------------------
# 6. Rebuilding public services (Public services, archived first draft)
# ---------------------------------------------------------------------------

_PUBLIC_SERVICES_BODY = """\
Public services are what we build together and rely on when it matters most: the GP surgery, the hospital, the care worker who visits an elderly parent, the local school. After years of tight budgets and rising demand, many of them are under severe strain. Waiting lists are long, experienced staff are leaving, and councils are cutting the preventive services that stop problems turning into crises.

> **Working draft.** This is a first draft, circulated to the working group for comment. It is not yet a shared position.

## The NHS

1. Bring waiting times back to the NHS Constitution standard that **92% of patients start treatment within 18 weeks** of referral, by the end of the Parliament.
2. Make it easier to see a GP, with a target that anyone who needs a routine appointment gets one within a week, and extra funding for GPs in the most under-doctored areas.
3. Shift resources towards prevention and community care, with a rising share of the NHS budget spent outside hospitals every year.
4. Agree a long-term workforce plan with staff and their unions, focused on keeping the people we have already trained.

## Social care

Social care is the service most in need of reform, and the one successive governments have put off. We agree on the goals:

- Care workers should be paid properly, with a national pay floor above the minimum wage and a real career structure.
- Nobody should have to sell their home to pay for care.
- Unpaid family carers should get proper support, including regular breaks.

We have not agreed how to get there. Labour members favour a **National Care Service**, built up in stages, with national standards and local delivery.

## Schools

- Recruit and keep more teachers, especially in shortage subjects, by reducing workload and restoring the value of pay.
- Guarantee access to specialist mental health support in every school.
- Put right the funding of special educational needs and disabilities (SEND), so that children get support early and councils are not pushed towards insolvency by high-needs deficits.

## Paying for it

Better public services cannot be delivered on the cheap. We expect to fund the commitments in this paper through a mix of economic growth, the fairer taxes on wealth set out in the inequality paper, and an end to outsourcing where in-house delivery is better value. Detailed costings will follow once the working group has agreed priorities.
"""

PUBLIC_SERVICES = DemoDocument(
    slug="rebuilding-public-services",
    title="Rebuilding public services: first draft",
    policy_area="Public services",
    status="archived",
    revisions=(
        DemoRevision(
            author=TOM,
            summary="First working draft on the NHS, social care and schools",
            body=_PUBLIC_SERVICES_BODY,
        ),
        DemoRevision(
            author=OWEN,
            summary="Add NHS dentistry and mental health waiting time commitments",
            edits=(
                (
                    "4. Agree a long-term workforce plan",
                    "4. Restore access to **NHS dentistry**, reforming the dental contract so that it pays "
                    "for prevention and for treating new patients.\n"
                    "5. Put mental health on an equal footing with physical health, with waiting time "
                    "standards for talking therapies and children's mental health services.\n"
                    "6. Agree a long-term workforce plan",
                ),
            ),
        ),
        DemoRevision(
            author=MEI,
            summary="Add free personal care as the Green and Lib Dem preferred option",
            edits=(
                (
                    "with national standards and local delivery.",
                    "with national standards and local delivery. Green and Liberal Democrat members would "
                    "start by making **personal care free at the point of use**, as Scotland has done for "
                    "many years, funded through general taxation.",
                ),
            ),
        ),
        DemoRevision(
            author=AISHA,
            summary="Add a section on multi-year funding for local government",
            edits=(
                (
                    "## Paying for it",
                    "## Local government\n\n"
                    "Councils deliver hundreds of services, from libraries and youth work to bin collections "
                    "and public health. We will give them **multi-year funding settlements**, end the "
                    "wasteful competitive bidding for small pots of money, and fix the way funding is shared "
                    "out so that it reflects need.\n\n"
                    "## Paying for it",
                ),
            ),
        ),
        DemoRevision(
            author=CARYS,
            summary="Archive: superseded by separate papers on health and social care and on local government",
            edits=(
                (
                    "> **Working draft.** This is a first draft, circulated to the working group for comment. "
                    "It is not yet a shared position.",
                    "> **Archived.** This first draft has been superseded. The working group agreed to split "
                    "it into two papers, one on health and social care and one on local government and "
                    "schools, so that each can get the detail it needs. It is kept here for reference.",
                ),
            ),
        ),
    ),
)


DOCUMENTS = (
    FAIR_VOTES,
    VOTES_AT_16,
    JUST_TRANSITION,
    TACKLING_POVERTY,
    HOMES,
    PUBLIC_SERVICES,
)

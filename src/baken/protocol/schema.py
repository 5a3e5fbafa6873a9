"""The schema of a protocol file.

A protocol file holds one regional Signaleringsprotocol Mensenhandel, in one
version, as data: everything in it that guides action. Every item has a stable
id (``[a-z0-9]`` words joined by ``-`` or ``.``) and a citation of the section of
the source document it comes from. Items the source does not contain but that
were completed from another source (the law text, the Meldcode afwegingskader,
the Algemene termijnenwet) carry ``added`` with that source, so a reader can
always tell the protocol's own words from ours.

The schema is strict: unknown keys are errors, so a typo in a protocol file
cannot silently drop an item.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$"
"""Ids are lower-case words joined by '-' or '.', e.g. ``sex-1-07`` or ``q3``."""

Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
Text = Annotated[str, Field(min_length=1)]
Cite = Annotated[str, Field(min_length=1, max_length=120)]
"""A citation of the source, e.g. ``§1.2 Stap 5`` or ``§3.7 groep 2``."""

PHONE_PATTERN = re.compile(r"^\d[\d -]*\d$")


class ExploitationForm(StrEnum):
    """The forms of exploitation a situation can name (``exploitation_forms``)."""

    SEXUAL = "sexual"
    LABOUR = "labour"
    CRIMINAL = "criminal"
    ORGAN = "organ"
    OTHER = "other"


class Strict(BaseModel):
    """Base for every schema model: frozen, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Added(Strict):
    """Marks an item that is not in the source document: what it was completed from."""

    source: Text
    """Where the content comes from, e.g. ``art. 273f lid 1 Sr (tekst 2018)``."""
    reason: Text
    """Why it was added, e.g. ``het schema in de bron is een afbeelding die verloren ging``."""


class Item(Strict):
    """A piece of protocol text with its id and citation."""

    id: Id
    text: Text
    cite: Cite
    added: Added | None = None


class Paragraph(Strict):
    """Explanatory text (not an instruction) with its citation."""

    text: Text
    cite: Cite
    added: Added | None = None


class Step(Strict):
    """One of the five steps of the stappenplan (§1.1, explained in §1.2)."""

    number: Annotated[int, Field(ge=1, le=5)]
    id: Id
    title: Text
    """The step's heading in §1.2."""
    summary: Text
    """The step's wording in the §1.1 scheme."""
    cite: Cite
    actions: list[Item] = Field(min_length=1)
    notes: list[Paragraph] = Field(default_factory=list)


class StepsSection(Strict):
    """The stappenplan: its principles, the five steps, and what comes after."""

    intro: list[Paragraph] = Field(min_length=1)
    rules: list[Item] = Field(min_length=1)
    """How the plan is used: free order, cyclic, all steps before the weighing, volunteers."""
    steps: list[Step] = Field(min_length=5, max_length=5)

    @field_validator("steps")
    @classmethod
    def _steps_in_order(cls, steps: list[Step]) -> list[Step]:
        numbers = [step.number for step in steps]
        if numbers != [1, 2, 3, 4, 5]:
            raise ValueError(f"steps must be numbered 1 to 5 in order, found {numbers}")
        return steps


class Weekday(StrEnum):
    """Days of the week, ISO order."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def iso(self) -> int:
        """ISO weekday number, Monday = 1."""
        return _WEEKDAY_ISO[self]


_WEEKDAY_ISO = {day: number for number, day in enumerate(Weekday, start=1)}


class Holiday(Strict):
    """A public holiday: a fixed date, or a number of days after Easter Sunday."""

    id: Id
    name: Text
    month: Annotated[int, Field(ge=1, le=12)] | None = None
    day: Annotated[int, Field(ge=1, le=31)] | None = None
    easter_offset: Annotated[int, Field(ge=-60, le=60)] | None = None
    if_sunday_move_days: Annotated[int, Field(ge=-3, le=3)] | None = None
    """Koningsdag: on a Sunday the day moves to the Saturday before (-1)."""

    @model_validator(mode="after")
    def _one_kind(self) -> Holiday:
        fixed = self.month is not None and self.day is not None
        movable = self.easter_offset is not None
        if fixed == movable:
            raise ValueError("a holiday has either month and day, or easter_offset")
        if self.if_sunday_move_days is not None and not fixed:
            raise ValueError("if_sunday_move_days applies only to a fixed-date holiday")
        if self.month is not None and self.day is not None:
            date(2000, self.month, self.day)  # raises ValueError for 31 April etc.
        return self


class OfficeHours(Strict):
    """When the police route's office-hours number applies (§1.1 'binnen kantoortijden')."""

    timezone: Text
    days: list[Weekday] = Field(min_length=1)
    opens: time
    closes: time
    holidays: list[Holiday]
    cite: Cite
    added: Added | None = None

    @model_validator(mode="after")
    def _opens_before_closes(self) -> OfficeHours:
        if self.opens >= self.closes:
            raise ValueError(f"opens ({self.opens}) must be before closes ({self.closes})")
        return self


class Contact(Strict):
    """One way to reach a partner: a phone number, an e-mail address or a web address."""

    kind: Literal["phone", "email", "web"]
    value: Text
    label: str = ""
    """What this number or address is for, e.g. ``VT locatie Arnhem`` or ``acute dreiging``."""

    @model_validator(mode="after")
    def _value_fits_kind(self) -> Contact:
        if self.kind == "phone" and not PHONE_PATTERN.match(self.value):
            raise ValueError(f"not a phone number: {self.value!r}")
        if self.kind == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", self.value):
            raise ValueError(f"not an e-mail address: {self.value!r}")
        if self.kind == "web" and not re.fullmatch(
            r"(https?://)?[\w.-]+\.[a-z]{2,}\S*", self.value
        ):
            raise ValueError(f"not a web address: {self.value!r}")
        return self

    @property
    def digits(self) -> str:
        """The phone number's digits only (for ``tel:`` links and comparisons)."""
        return re.sub(r"\D", "", self.value)


class Partner(Strict):
    """A chain partner or an entry on the sociale kaart, with its tasks and contacts."""

    id: Id
    name: Text
    unit: str = ""
    """The department or function, e.g. ``Vakgroep Mensenhandel``."""
    description: list[Paragraph] = Field(default_factory=list)
    tasks: list[Item] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    on_social_map: bool
    """Listed on the sociale kaart (§3.9)."""
    cite: Cite

    def phone(self, label: str | None = None) -> Contact | None:
        """The first phone contact, or the first whose label equals ``label``."""
        for contact in self.contacts:
            if contact.kind == "phone" and (label is None or contact.label == label):
                return contact
        return None

    def require_phone(self, label: str | None = None) -> Contact:
        """Like :meth:`phone`, for numbers the schema validation guarantees."""
        contact = self.phone(label)
        if contact is None:
            raise LookupError(f"partner {self.id!r} has no phone labelled {label!r}")
        return contact


class PartnerPhone(Strict):
    """A reference to one phone number of a partner."""

    partner: Id
    phone_label: str = ""
    """The label of the partner's phone contact; empty means the first phone number."""


class AcuteDanger(Strict):
    """The acute-danger route (§1.1 'Bij acuut gevaar')."""

    actions: list[Item] = Field(min_length=1)
    office_hours: OfficeHours
    within_office_hours: PartnerPhone
    outside_office_hours: PartnerPhone
    """Also the number for an emergency within office hours ('bij spoed')."""
    follow_up: list[Item] = Field(default_factory=list)
    cite: Cite


class FormInfo(Strict):
    """An exploitation form and what the protocol says about it."""

    form: ExploitationForm
    id: Id
    name: Text
    paragraphs: list[Paragraph] = Field(default_factory=list)
    cite: Cite


class Signal(Strict):
    """One signal on a signal list; a labour signal may have more specific details."""

    id: Id
    text: Text
    cite: Cite
    details: list[Signal] = Field(default_factory=list)


class SignalGroup(Strict):
    """A numbered group of a signal list."""

    id: Id
    number: Annotated[int, Field(ge=1)]
    title: Text
    signals: list[Signal] = Field(min_length=1)
    cite: Cite


class SignalList(Strict):
    """A signal list (§3.2 sexual exploitation, §3.7 labour exploitation)."""

    id: Id
    title: Text
    form: ExploitationForm
    intro: list[Paragraph] = Field(default_factory=list)
    groups: list[SignalGroup] = Field(min_length=1)
    cite: Cite


class Profile(Strict):
    """A victim profile (§3.1 'Vijf profielen van slachtoffers loverboy-technieken')."""

    id: Id
    number: Annotated[int, Field(ge=1)]
    title: Text
    text: Text
    cite: Cite
    advice: list[Item] = Field(default_factory=list)
    """What the protocol advises when this profile fits (e.g. consult an expert)."""


Answer = Literal["yes", "no", "unknown"]


class WeighingQuestion(Strict):
    """One of the five afwegingsvragen of step 4, with the afwegingskader's branches."""

    id: Literal["q1", "q2", "q3", "q4", "q5"]
    number: Annotated[int, Field(ge=1, le=5)]
    text: Text
    cite: Cite
    if_yes: Text
    if_no: Text
    branch_cite: Cite
    added: Added | None = None
    """The branches come from the Meldcode afwegingskader, not from the protocol itself."""


class Outcome(Strict):
    """A conclusion of step 5 (§1.2 Stap 5)."""

    id: Literal["unfounded", "doubt", "suspicion"]
    title: Text
    text: Text
    cite: Cite
    added: Added | None = None


class Decision(Strict):
    """One of the two decisions of step 5 when the suspicion remains."""

    id: Literal["report", "help"]
    question: Text
    text: Text
    cite: Cite
    added: Added | None = None


class Weighing(Strict):
    """Step 4 and 5: the afwegingsvragen, the outcomes and the two decisions."""

    questions: list[WeighingQuestion] = Field(min_length=5, max_length=5)
    outcomes: list[Outcome] = Field(min_length=3, max_length=3)
    decisions: list[Decision] = Field(min_length=2, max_length=2)
    definitions: list[Item] = Field(default_factory=list)
    """Definitions used in the decisions, e.g. acute and structural unsafety."""
    volunteers: Item
    """Volunteers have no afwegingskader: what they do instead."""

    @field_validator("questions")
    @classmethod
    def _questions_in_order(cls, questions: list[WeighingQuestion]) -> list[WeighingQuestion]:
        ids = [q.id for q in questions]
        if ids != ["q1", "q2", "q3", "q4", "q5"]:
            raise ValueError(f"questions must be q1 to q5 in order, found {ids}")
        return questions


class LawElement(Strict):
    """An element of art. 273f Sr: an act, a means or a purpose."""

    id: Id
    text: Text
    """Short name as the law names it, e.g. ``werven`` or ``seksuele uitbuiting``."""
    detail: str = ""
    cite: Cite
    added: Added | None = None


class Article273f(Strict):
    """Art. 273f Sr as the protocol uses it (§3.8), completed from the law text."""

    law_version: Text
    """Which text of the article this is, e.g. ``art. 273f Sr, tekst geldend in 2018``."""
    valid_from: date
    explanation: list[Paragraph] = Field(min_length=1)
    acts: list[LawElement] = Field(min_length=1)
    means: list[LawElement] = Field(min_length=1)
    purposes: list[LawElement] = Field(min_length=1)
    minors: Item
    """The rule that for a person under 18 no means need be proven."""
    information: Item
    """That the elements are information for the professional, never a verdict."""
    age_of_majority: Annotated[int, Field(ge=1, le=30)] = 18
    cite: Cite


class Guidance(Strict):
    """A titled block of guidance, e.g. §3.3 'Aandachtspunten'."""

    id: Id
    title: Text
    items: list[Item] = Field(default_factory=list)
    paragraphs: list[Paragraph] = Field(default_factory=list)
    cite: Cite


class Route(Strict):
    """The route at signals (§2.1): its explanation and the convenant."""

    steps: list[Item] = Field(min_length=1)
    convenant: list[Paragraph] = Field(default_factory=list)
    cite: Cite


class CaseEvaluation(Strict):
    """The closing task after the stappenplan (§1.2 Casusevaluatie)."""

    intro: Item
    questions: list[Item] = Field(min_length=1)
    result: Paragraph
    choices: EvaluationChoices


class Choice(Item):
    """A protocol item offered as a choice, with a short Dutch title for the option."""

    title: Text


class ConsentRule(Strict):
    """Who gives consent for a person of a given age: the person alone from ``self_from_age``,
    below it the parents or guardian (with the person from ``jointly_from_age``, where
    that is set)."""

    item: Item
    self_from_age: Annotated[int, Field(ge=0, le=18, strict=True)]
    jointly_from_age: Annotated[int, Field(ge=0, le=18, strict=True)] | None = None


class Registration(Strict):
    """An aanmelding with the zorgcoördinatie (§2.1): when trafficking is evident, and
    only with the person's consent to care and shelter."""

    item: Item
    consent: ConsentRule


class ProcedureType(Choice):
    """A procedure the zorgcoördinator starts and steers (residence permit, benefits, ...)."""


class Trajectory(Strict):
    """The zorgcoördinator's trajectory from aanmelding to closure (§2.2)."""

    intake: Item
    """The inventory of needs and questions, and informing the person of rights and duties."""
    information_topics: list[Choice] = Field(min_length=1)
    """What the person is informed about: criminal law, residence, care (§2.2)."""
    procedures: list[ProcedureType] = Field(min_length=1)
    casusregie: Item
    """Per case it is agreed who holds casusregie (§2.1)."""
    progress: Item
    """The casusregisseur follows progress and reports the state of affairs back (§2.1)."""
    outcomes: list[Choice] = Field(min_length=1)
    """How a trajectory can end."""

    def procedure(self, procedure_id: str) -> ProcedureType:
        """The procedure type with this id; ``KeyError`` when the protocol has none."""
        for procedure in self.procedures:
            if procedure.id == procedure_id:
                return procedure
        raise KeyError(procedure_id)


class Screening(Strict):
    """The screeningsoverleg mensenhandel in the Veiligheidshuis (§2.1, §2.2)."""

    item: Item
    """The zorgcoördinator puts the signals through to the screening when needed (§2.1)."""
    legal_basis: Item
    """The regional convenant on which information is shared (§2.1 Convenant)."""
    agenda: Item
    """What a screening receives about a case: identity, reason, goal, partners involved."""
    outcomes: list[Choice] = Field(min_length=1)
    """What a screening can decide for a case: an MDO, coordination with justice, RIEC, none."""
    attendees: list[Id] = Field(min_length=1)
    """Partner ids that usually attend (AVIM police, zorgcoördinator, Veilig Thuis, ...)."""


class Comensha(Strict):
    """Registration with CoMensha, agreed once per person in the chain (§2.2 CoMensha)."""

    agreement: Item
    """The chain agrees which partner registers (§2.2; §1.2 Casusevaluatie)."""
    categories: list[Choice] = Field(min_length=1)
    """CoMensha's four forms of exploitation."""
    category_of: dict[str, Id]
    """Which category a form of exploitation (``ExploitationForm``) falls in."""
    kinds: list[Choice] = Field(min_length=1)
    """The kinds of registration (registratie; registratie en opvang; ...)."""
    consent: ConsentRule
    """Written consent: the person from 16, below that the parents or guardian."""
    submission: Item
    """How a registration reaches CoMensha (no API exists)."""


class EvaluationChoices(Strict):
    """Structured answers to evaluation questions 2 and 3 that the chain's lessons count,
    so no free text (which may hold personal data) ever reaches them."""

    worked: list[Choice] = Field(min_length=2)
    """Did the chain cooperation work as it should (question 3)."""
    gaps: list[Choice] = Field(min_length=1)
    """Where the gaps are (question 3)."""
    lessons: list[Choice] = Field(min_length=1)
    """What should be different next time (question 2)."""
    min_cases: Annotated[int, Field(ge=2, strict=True)]
    """A grouping of the lessons is shown only when at least this many cases stand behind it."""
    min_cases_cite: Cite


class CaseDirection(StrEnum):
    """Who has casusregie (§2.1): the professional's own organisation, Veilig Thuis after a
    melding, or the zorgcoördinator."""

    OWN = "own"
    VEILIG_THUIS = "veilig_thuis"
    CARE_COORDINATOR = "care_coordinator"


class DeadlineUnit(StrEnum):
    """How a deadline's amount is counted (see ``baken.engine.calendar``)."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    WEEKS = "weeks"


class Deadline(Strict):
    """A term Veilig Thuis keeps after a melding, counted from the date of the melding.

    Working days are counted from the day after the melding and skip Saturdays, Sundays and
    the office-hours calendar's public holidays; calendar days and weeks count every day, and
    a term that would end on a day that is not a working day moves to the next working day
    (Algemene termijnenwet art. 1).
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, serialize_by_alias=True
    )

    id: Id
    what: Text
    """What must have happened by then, in Dutch, e.g. ``Veiligheidsbeoordeling ...``."""
    amount: Annotated[int, Field(ge=1, le=366, strict=True)]
    """A whole number (1 to 366); a quoted "10" is refused rather than read as 10."""
    unit: DeadlineUnit
    from_: Literal["report"] = Field(alias="from")
    """The date counted from; ``report`` is the date of the melding (``report_made``)."""
    cite: Cite
    added: Added | None = None


class LegalBasis(Item):
    """A legal basis on which a melding can rest, with a short Dutch title for a choice."""

    title: Text


class ReportRules(Strict):
    """What the protocol and the law say about a melding (report) to Veilig Thuis."""

    not_anonymous: Item
    """A professional cannot report anonymously (§2.2)."""
    legal_bases: list[LegalBasis] = Field(min_length=1)
    """What the melding rests on: the meldrecht, the conflict of duties, or consent."""
    non_disclosure: Item
    """The reporter may ask that their identity is not disclosed to the family."""
    family_section: Item
    """What the family may read, and the separate section it may not."""

    def legal_basis(self, basis_id: str) -> LegalBasis:
        """The legal basis with this id; ``KeyError`` when the protocol has none."""
        for basis in self.legal_bases:
            if basis.id == basis_id:
                return basis
        raise KeyError(basis_id)


class Casusregie(Strict):
    """Who holds casusregie other than the professional, and what that means (§2.1)."""

    veilig_thuis: Item
    """With a melding Veilig Thuis takes casusregie over from the reporter."""
    care_coordinator: Item
    """Casusregie with the zorgcoördinator."""


class Feedback(Strict):
    """Veilig Thuis's feedback to the reporter: the duty, and what the feedback says."""

    duty: Item
    contents: list[Item] = Field(min_length=1)


class Chain(Strict):
    """The chain after signalling: advice requests, the melding, deadlines and feedback."""

    deadlines: list[Deadline] = Field(min_length=1)
    advice_request: Item
    """An adviesvraag: at any step, anonymously; Veilig Thuis records no personal data."""
    report: ReportRules
    casusregie: Casusregie
    feedback: Feedback
    after_report: list[Item] = Field(min_length=1)
    """What stays with the reporter after a melding."""
    registration: Registration
    trajectory: Trajectory
    screening: Screening
    comensha: Comensha

    def deadline(self, deadline_id: str) -> Deadline:
        """The deadline with this id; ``KeyError`` when the protocol has none."""
        for deadline in self.deadlines:
            if deadline.id == deadline_id:
                return deadline
        raise KeyError(deadline_id)

    def casusregie_for(self, direction: CaseDirection) -> Item | None:
        """What the protocol says about casusregie for ``direction``; None for ``own``."""
        if direction is CaseDirection.VEILIG_THUIS:
            return self.casusregie.veilig_thuis
        if direction is CaseDirection.CARE_COORDINATOR:
            return self.casusregie.care_coordinator
        return None


class Source(Strict):
    """The document the protocol file transcribes."""

    title: Text
    publisher: Text
    published: Text
    """As the document dates itself, e.g. ``December 2018``."""
    note: str = ""


class Protocol(Strict):
    """A whole regional protocol in one version."""

    schema_version: Literal[1]
    id: Id
    version: Text
    title: Text
    region: Text
    language: Literal["nl"]
    source: Source
    definition: Item
    """The definition of mensenhandel the protocol holds to."""
    steps: StepsSection
    acute_danger: AcuteDanger
    forms: list[FormInfo] = Field(min_length=1)
    signal_lists: list[SignalList] = Field(min_length=1)
    profiles: list[Profile] = Field(default_factory=list)
    weighing: Weighing
    consent: list[Item] = Field(min_length=1)
    routing: list[Item] = Field(min_length=1)
    """Why to contact which partner: the texts the engine gives as a contact's reason."""
    route: Route
    partners: list[Partner] = Field(min_length=1)
    article_273f: Article273f
    conversation: list[Guidance] = Field(min_length=1)
    case_evaluation: CaseEvaluation
    chain: Chain
    """Advice requests, the melding, Veilig Thuis's deadlines and feedback (§2.1, §2.2)."""

    @model_validator(mode="after")
    def _references_and_unique_ids(self) -> Protocol:
        problems: list[str] = []
        seen: dict[str, str] = {}
        for path, item_id in _all_ids(self):
            if item_id in seen:
                problems.append(f"{path}: id {item_id!r} is also used at {seen[item_id]}")
            else:
                seen[item_id] = path
        partner_ids = {p.id: p for p in self.partners}
        for name in ("within_office_hours", "outside_office_hours"):
            ref: PartnerPhone = getattr(self.acute_danger, name)
            partner = partner_ids.get(ref.partner)
            if partner is None:
                problems.append(f"acute_danger.{name}.partner: unknown partner {ref.partner!r}")
            elif partner.phone(ref.phone_label or None) is None:
                problems.append(
                    f"acute_danger.{name}.phone_label: partner {ref.partner!r} has no phone "
                    f"labelled {ref.phone_label!r}"
                )
        for required in REQUIRED_PARTNERS:
            if required not in partner_ids:
                problems.append(f"partners: the engine needs a partner with id {required!r}")
            elif partner_ids[required].phone() is None:
                problems.append(f"partners: partner {required!r} needs a phone number")
        sections = {
            "consent": self.consent,
            "routing": self.routing,
            "steps.rules": self.steps.rules,
            "weighing.definitions": self.weighing.definitions,
        }
        for section, wanted in REQUIRED_ITEMS.items():
            present = {item.id for item in sections[section]}
            for required in wanted:
                if required not in present:
                    problems.append(f"{section}: the engine needs an item with id {required!r}")
        chain_sections: dict[str, list[str]] = {
            "chain.deadlines": [d.id for d in self.chain.deadlines],
            "chain.report.legal_bases": [b.id for b in self.chain.report.legal_bases],
            "chain.screening.outcomes": [o.id for o in self.chain.screening.outcomes],
            "case_evaluation.choices.worked": [c.id for c in self.case_evaluation.choices.worked],
        }
        for attendee in self.chain.screening.attendees:
            if attendee not in partner_ids:
                problems.append(f"chain.screening.attendees: unknown partner {attendee!r}")
        comensha = self.chain.comensha
        categories = {c.id for c in comensha.categories}
        for form, category in comensha.category_of.items():
            if form not in {f.value for f in ExploitationForm}:
                problems.append(f"chain.comensha.category_of: unknown form {form!r}")
            if category not in categories:
                problems.append(f"chain.comensha.category_of.{form}: unknown category {category!r}")
        for section, wanted in REQUIRED_CHAIN_IDS.items():
            for required in wanted:
                if required not in chain_sections[section]:
                    problems.append(f"{section}: Baken needs an item with id {required!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


REQUIRED_CHAIN_IDS: dict[str, tuple[str, ...]] = {
    "chain.deadlines": ("termijn-veiligheidsbeoordeling", "termijn-onderzoek"),
    "chain.report.legal_bases": ("meldrecht", "conflict-van-plichten", "toestemming"),
    "chain.screening.outcomes": (
        "screening-mdo",
        "screening-justitie",
        "screening-riec",
        "screening-geen-vervolg",
    ),
    "case_evaluation.choices.worked": (
        "ketensamenwerking-ja",
        "ketensamenwerking-deels",
        "ketensamenwerking-nee",
    ),
}
"""Chain ids the melding form and the Veilig Thuis inbox refer to; every protocol defines them."""


REQUIRED_PARTNERS = (
    "veilig-thuis",
    "zorgcoordinator",
    "politie",
    "inspectie-szw",
    "comensha",
    "meld-misdaad-anoniem",
)
"""Partner ids the engine's routing rules refer to; every protocol must define them."""

REQUIRED_ITEMS: dict[str, tuple[str, ...]] = {
    "consent": (
        "toestemming-advies-melding-vt",
        "toestemming-conflict-van-plichten",
        "toestemming-acuut",
        "toestemming-stap-3",
        "toestemming-gegevensuitwisseling",
        "toestemming-meldrecht-vastleggen",
    ),
    "routing": (
        "route-politie-kantoortijden",
        "route-politie-spoed",
        "route-vt-advies",
        "route-vt-twijfel",
        "route-zorgcoordinator",
        "route-inspectie-szw",
        "route-comensha",
        "route-meld-misdaad-anoniem",
        "route-minderjarige-ouders",
    ),
    "steps.rules": ("regel-volgorde",),
    "weighing.definitions": ("def-acute-onveiligheid",),
}
"""Items the engine cites or gives as reasons, by the section that must hold them."""


def _all_ids(protocol: Protocol) -> list[tuple[str, str]]:
    """Every (path, id) pair in the protocol, for the uniqueness check."""
    found: list[tuple[str, str]] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, BaseModel):
            node_id = getattr(node, "id", None)
            if isinstance(node_id, str):
                found.append((path, node_id))
            for name in type(node).model_fields:
                walk(getattr(node, name), f"{path}.{name}" if path else name)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{path}[{index}]")

    walk(protocol, "")
    return [(p, i) for p, i in found if p]  # the protocol's own id is not an item id

"""The protocol prepared once for the engine: every action, contact and calendar fact it
can give, built on first use and kept for the process (one per protocol object).

A protocol is frozen data, so everything the engine derives from it alone (an item's
:class:`~baken.engine.advice.Action`, a partner's contact line, the office-hours weekdays,
a melding's due dates) is the same every time. ``assess`` looks these up instead of
building them again per situation. Every action handed out is the one canonical instance
of its value, so the advice can drop repeated actions by identity, which is the same as by
equality here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from baken.engine.advice import Action, Cited, ContactAdvice, Deadline
from baken.protocol.index import ProtocolIndex, index_of
from baken.protocol.schema import (
    CaseDirection,
    ExploitationForm,
    Partner,
    PartnerPhone,
    Protocol,
    WeighingQuestion,
)

MAX_DUE_DATES = 4096
"""Melding dates whose deadlines are kept per protocol (the oldest go first beyond it)."""


class Compiled:
    """What :func:`compiled` prepares for one protocol."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.index: ProtocolIndex = index_of(protocol)
        self._canon: dict[Action, Action] = {}
        self._by_item: dict[int, tuple[object, Action]] = {}
        self._contacts: dict[tuple[str, int], tuple[Action, ContactAdvice]] = {}
        self._due: dict[date, tuple[Deadline, ...]] = {}
        hours = protocol.acute_danger.office_hours
        self.office_days = frozenset(day.iso for day in hours.days)
        self.zone = ZoneInfo(hours.timezone)
        acute = protocol.acute_danger
        self.acute_actions = tuple(self.act(a) for a in (*acute.actions, *acute.follow_up))
        self.acute_follow_up = self.act(acute.follow_up[0]) if acute.follow_up else None
        self.volunteers = self.act(protocol.weighing.volunteers)
        chain = protocol.chain
        self.after_report = tuple(self.act(item) for item in chain.after_report)
        self.casusregie: dict[CaseDirection, Action | None] = {
            direction: (
                self.act(item) if (item := chain.casusregie_for(direction)) is not None else None
            )
            for direction in CaseDirection
        }
        self.casusregie_veilig_thuis = self.act(chain.casusregie.veilig_thuis)
        self.casusregie_care_coordinator = self.act(chain.casusregie.care_coordinator)
        self.feedback_duty = self.act(chain.feedback.duty)
        self.screening = tuple((o.id, self.act(o)) for o in chain.screening.outcomes)
        self.step_lines = {
            step.number: self.canon(Action(f"Stap {step.number}: {step.summary}", step.cite))
            for step in protocol.steps.steps
        }
        self.items = {item_id: self.act(item) for item_id, item in self.index.items.items()}
        evaluation = protocol.case_evaluation
        self.evaluation = (
            self.act(evaluation.intro),
            *(self.act(q) for q in evaluation.questions),
        )
        self.profiles = tuple(
            (profile.id, tuple(self.act(advice) for advice in profile.advice))
            for profile in protocol.profiles
        )
        article = protocol.article_273f
        self.age_of_majority = article.age_of_majority
        self.minors = self.act(article.minors)
        self.information = self.act(article.information)
        weighing = protocol.weighing
        self.questions: dict[str, WeighingQuestion] = {q.id: q for q in weighing.questions}
        self.question_actions: dict[str, Action] = {q.id: self.act(q) for q in weighing.questions}
        self.if_yes: dict[str, Action] = {
            q.id: self._branch(q, q.if_yes) for q in weighing.questions
        }
        self.if_no: dict[str, Action] = {q.id: self._branch(q, q.if_no) for q in weighing.questions}
        self.outcomes: dict[str, Action] = {o.id: self.act(o) for o in weighing.outcomes}
        self.decisions: dict[str, Action] = {d.id: self.act(d) for d in weighing.decisions}
        partners = self.index.partners

        def police(ref: PartnerPhone, route_id: str) -> ContactAdvice:
            partner = partners[ref.partner]
            phone = partner.require_phone(ref.phone_label or None).value
            route = self.items[route_id]
            return ContactAdvice(
                partner.id, _display(partner), phone, route.text, route.cite, route.added
            )

        self.police_within = police(acute.within_office_hours, "route-politie-kantoortijden")
        self.police_emergency = police(acute.outside_office_hours, "route-politie-spoed")

    def canon(self, action: Action) -> Action:
        """The one instance of ``action``'s value."""
        return self._canon.setdefault(action, action)

    def act(self, item: Cited) -> Action:
        """The (canonical) action for one of the protocol's items."""
        found = self._by_item.get(id(item))
        if found is not None and found[0] is item:
            return found[1]
        action = self.canon(Action.of(item))
        self._by_item[id(item)] = (item, action)
        return action

    def _branch(self, question: WeighingQuestion, text: str) -> Action:
        """A branch of the afwegingskader, citing where the branch comes from."""
        added = question.added.source if question.added else None
        return self.canon(Action(text, question.branch_cite, added))

    def contact(self, partner_id: str, reason: Action) -> ContactAdvice:
        """The partner to contact for ``reason``, with its first phone number."""
        # Keyed by the reason's identity (hashing an Action hashes all its fields); the
        # reason is kept with the contact, so a key never outlives the object it names.
        # A reason that is not the canonical instance is looked up by its canonical one,
        # so there is one entry per value, as when keyed by value.
        found = self._contacts.get((partner_id, id(reason)))
        if found is not None and found[0] is reason:
            return found[1]
        reason = self.canon(reason)
        key = (partner_id, id(reason))
        found = self._contacts.get(key)
        if found is not None and found[0] is reason:
            return found[1]
        partner = self.index.partners[partner_id]
        phone = partner.require_phone()
        contact = ContactAdvice(
            partner_id, _display(partner), phone.value, reason.text, reason.cite, reason.added
        )
        self._contacts[key] = (reason, contact)
        return contact

    def labour_signal(self, signals: frozenset[str]) -> bool:
        """A signal from a labour signal list is among ``signals``."""
        forms = self.index.signal_forms
        return any(forms[s] is ExploitationForm.LABOUR for s in signals)

    def due_dates(
        self, report_made: date, make: Callable[[date], tuple[Deadline, ...]]
    ) -> tuple[Deadline, ...]:
        """The deadlines of a melding on ``report_made``, made once by ``make``."""
        found = self._due.get(report_made)
        if found is None:
            found = make(report_made)
            if len(self._due) >= MAX_DUE_DATES:
                self._due.pop(next(iter(self._due)))
            self._due[report_made] = found
        return found


def _display(partner: Partner) -> str:
    return f"{partner.name} ({partner.unit})" if partner.unit else partner.name


_COMPILED: dict[int, Compiled] = {}
_LAST: list[Compiled] = []
"""The preparation handed out last: ``assess`` asks for it several times per situation."""


def compiled(protocol: Protocol) -> Compiled:
    """The engine's preparation of ``protocol``, made on first use and kept for the process."""
    if _LAST and _LAST[0].protocol is protocol:
        return _LAST[0]
    found = _COMPILED.get(id(protocol))
    if found is None or found.protocol is not protocol:
        found = Compiled(protocol)
        _COMPILED[id(protocol)] = found
    _LAST[:] = (found,)
    return found

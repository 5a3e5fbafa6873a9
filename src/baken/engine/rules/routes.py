"""Whom to contact (§1.1, §2.1, §2.2, §3.4, §3.9), most urgent first, with the numbers to use."""

from __future__ import annotations

from baken.engine.advice import Action, ContactAdvice
from baken.engine.compiled import compiled
from baken.engine.rules.acute import within_office_hours as within_hours
from baken.engine.rules.weighing import WeighingResult
from baken.engine.situation import Reporter, Situation
from baken.protocol.schema import CaseDirection, ExploitationForm, Protocol


def labour_signalled(situation: Situation, protocol: Protocol) -> bool:
    """Labour exploitation is named, or a signal from a labour signal list is recorded."""
    if ExploitationForm.LABOUR in situation.exploitation_forms:
        return True
    return compiled(protocol).labour_signal(situation.signals)


def contacts(
    situation: Situation,
    protocol: Protocol,
    weighing: WeighingResult,
    within_office_hours: bool | None = None,
) -> list[ContactAdvice]:
    """The partners to contact, most urgent first.

    Trafficking counts as evident only when the weighing concluded a suspicion:
    the art. 273f elements are information, never a verdict, and do not route.
    After a melding Veilig Thuis comes right after the police, for casusregie and
    feedback rather than for a report; the zorgcoördinator is next when it holds
    casusregie. ``within_office_hours`` is whether the situation's moment is, when the
    caller knows it already.
    """
    c = compiled(protocol)
    items = c.items
    result: list[ContactAdvice] = []
    named: set[str] = set()

    def add(partner_id: str, reason: Action) -> None:
        if partner_id in named:
            return
        named.add(partner_id)
        result.append(c.contact(partner_id, reason))

    if situation.acute_danger:
        if within_office_hours is None:
            within_office_hours = within_hours(protocol.acute_danger.office_hours, situation.moment)
        police = (
            (c.police_within, c.police_emergency) if within_office_hours else (c.police_emergency,)
        )
        for contact in police:
            named.add(contact.partner)
            result.append(contact)
    if situation.reported:
        with_vt = situation.case_direction is CaseDirection.VEILIG_THUIS
        add("veilig-thuis", c.casusregie_veilig_thuis if with_vt else c.feedback_duty)
    if situation.case_direction is CaseDirection.CARE_COORDINATOR:
        add("zorgcoordinator", c.casusregie_care_coordinator)
    if situation.acute_danger and c.acute_follow_up is not None:
        add("veilig-thuis", c.acute_follow_up)
        add("zorgcoordinator", c.acute_follow_up)

    if situation.reporter is Reporter.VOLUNTEER:
        # Volunteers have no afwegingskader: they seek advice from Veilig Thuis.
        add("veilig-thuis", c.volunteers)
        return result

    if weighing.report == "required":
        add("veilig-thuis", weighing.report_reasons[0])
    elif weighing.conclusion == "doubt":
        add("veilig-thuis", items["route-vt-twijfel"])
        add("zorgcoordinator", items["route-vt-twijfel"])
    elif weighing.conclusion != "unfounded":
        add("veilig-thuis", items["route-vt-advies"])

    if weighing.conclusion == "unfounded":
        return result

    evident = weighing.conclusion == "suspicion"
    if evident:
        add("zorgcoordinator", items["route-zorgcoordinator"])
    if labour_signalled(situation, protocol):
        add("inspectie-szw", items["route-inspectie-szw"])
    if evident:
        add("comensha", items["route-comensha"])
        add("meld-misdaad-anoniem", items["route-meld-misdaad-anoniem"])
    return result


def consent_actions(
    situation: Situation, protocol: Protocol, weighing: WeighingResult
) -> list[Action]:
    """What the protocol says about consent in this situation."""
    items = compiled(protocol).items
    chosen = ["toestemming-advies-melding-vt"]
    if situation.acute_danger:
        chosen.insert(0, "toestemming-acuut")
    volunteer = situation.reporter is Reporter.VOLUNTEER
    reported = situation.reported
    without_consent = situation.consent_to_report != "yes"
    if (
        not volunteer
        and not reported
        and situation.consent_to_report == "not_asked"
        and 3 not in situation.steps_completed
    ):
        chosen.append("toestemming-stap-3")
    if reported and without_consent and not volunteer:
        # The melding is made: what remains is recording why it was made without consent.
        chosen.append("toestemming-meldrecht-vastleggen")
    elif not reported and weighing.report == "required" and without_consent:
        chosen.append("toestemming-conflict-van-plichten")
        chosen.append("toestemming-meldrecht-vastleggen")
    if weighing.conclusion == "suspicion" and "toestemming-comensha-hulp" in items:
        chosen.append("toestemming-comensha-hulp")
    return [items[i] for i in chosen]


def person_actions(situation: Situation, protocol: Protocol) -> list[Action]:
    """Advice tied to the person: minors and the victim profiles that fit."""
    c = compiled(protocol)
    actions: list[Action] = []
    if situation.age is not None and situation.age < c.age_of_majority:
        actions.append(c.items["route-minderjarige-ouders"])
    fitting = situation.profiles
    if fitting:
        for profile_id, advice in c.profiles:
            if profile_id in fitting:
                actions += advice
    return actions

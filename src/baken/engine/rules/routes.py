"""Whom to contact (§1.1, §2.1, §2.2, §3.4, §3.9), most urgent first, with the numbers to use."""

from __future__ import annotations

from baken.engine.advice import Action, Cited, ContactAdvice
from baken.engine.rules.acute import police_numbers
from baken.engine.rules.weighing import WeighingResult
from baken.engine.situation import Reporter, Situation
from baken.protocol.index import index_of
from baken.protocol.schema import CaseDirection, ExploitationForm, Protocol


def labour_signalled(situation: Situation, protocol: Protocol) -> bool:
    """Labour exploitation is named, or a signal from a labour signal list is recorded."""
    if ExploitationForm.LABOUR in situation.exploitation_forms:
        return True
    forms = index_of(protocol).signal_forms
    return any(forms[s] is ExploitationForm.LABOUR for s in situation.signals)


def contacts(
    situation: Situation, protocol: Protocol, weighing: WeighingResult
) -> list[ContactAdvice]:
    """The partners to contact, most urgent first.

    Trafficking counts as evident only when the weighing concluded a suspicion:
    the art. 273f elements are information, never a verdict, and do not route.
    After a melding Veilig Thuis comes right after the police, for casusregie and
    feedback rather than for a report; the zorgcoördinator is next when it holds
    casusregie.
    """
    index = index_of(protocol)
    partners, items = index.partners, index.items
    result: list[ContactAdvice] = []

    def add(partner_id: str, why: Cited | Action) -> None:
        if any(c.partner == partner_id for c in result):
            return
        partner = partners[partner_id]
        phone = partner.require_phone()
        name = f"{partner.name} ({partner.unit})" if partner.unit else partner.name
        reason = why if isinstance(why, Action) else Action.of(why)
        result.append(
            ContactAdvice(partner_id, name, phone.value, reason.text, reason.cite, reason.added)
        )

    if situation.acute_danger:
        for partner, phone, route_id in police_numbers(protocol, situation.moment):
            route = Action.of(items[route_id])
            name = f"{partner.name} ({partner.unit})" if partner.unit else partner.name
            result.append(
                ContactAdvice(partner.id, name, phone, route.text, route.cite, route.added)
            )
    chain = protocol.chain
    if situation.reported:
        with_vt = situation.case_direction is CaseDirection.VEILIG_THUIS
        add("veilig-thuis", chain.casusregie.veilig_thuis if with_vt else chain.feedback.duty)
    if situation.case_direction is CaseDirection.CARE_COORDINATOR:
        add("zorgcoordinator", chain.casusregie.care_coordinator)
    if situation.acute_danger:
        follow_up = protocol.acute_danger.follow_up
        if follow_up:
            add("veilig-thuis", follow_up[0])
            add("zorgcoordinator", follow_up[0])

    if situation.reporter is Reporter.VOLUNTEER:
        # Volunteers have no afwegingskader: they seek advice from Veilig Thuis.
        add("veilig-thuis", protocol.weighing.volunteers)
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
    items = index_of(protocol).items
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
    return [Action.of(items[i]) for i in chosen]


def person_actions(situation: Situation, protocol: Protocol) -> list[Action]:
    """Advice tied to the person: minors and the victim profiles that fit."""
    actions: list[Action] = []
    if situation.age is not None and situation.age < protocol.article_273f.age_of_majority:
        parents = index_of(protocol).items["route-minderjarige-ouders"]
        actions.append(Action.of(parents))
    for profile in protocol.profiles:
        if profile.id in situation.profiles:
            actions += [Action.of(advice) for advice in profile.advice]
    return actions

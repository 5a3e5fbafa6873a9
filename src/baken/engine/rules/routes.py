"""Whom to contact (§1.1, §2.1, §2.2, §3.4, §3.9), most urgent first, with the numbers to use."""

from __future__ import annotations

from baken.engine.advice import Action, Art273fAdvice, ContactAdvice
from baken.engine.rules.acute import police_numbers
from baken.engine.rules.weighing import WeighingResult
from baken.engine.situation import Reporter, Situation
from baken.protocol.index import index_of
from baken.protocol.schema import ExploitationForm, Protocol


def labour_signalled(situation: Situation, protocol: Protocol) -> bool:
    """Labour exploitation is named, or a signal from a labour signal list is recorded."""
    if ExploitationForm.LABOUR in situation.exploitation_forms:
        return True
    forms = index_of(protocol).signal_forms
    return any(forms[s] is ExploitationForm.LABOUR for s in situation.signals)


def contacts(
    situation: Situation,
    protocol: Protocol,
    weighing: WeighingResult,
    art_273f: Art273fAdvice,
) -> list[ContactAdvice]:
    """The partners to contact, most urgent first."""
    index = index_of(protocol)
    partners, items = index.partners, index.items
    result: list[ContactAdvice] = []

    def add(partner_id: str, reason: str, cite: str) -> None:
        if any(c.partner == partner_id for c in result):
            return
        partner = partners[partner_id]
        phone = partner.require_phone()
        name = f"{partner.name} ({partner.unit})" if partner.unit else partner.name
        result.append(ContactAdvice(partner_id, name, phone.value, reason, cite))

    if situation.acute_danger:
        for partner, phone, route_id in police_numbers(protocol, situation.moment):
            route = items[route_id]
            name = f"{partner.name} ({partner.unit})" if partner.unit else partner.name
            result.append(ContactAdvice(partner.id, name, phone, route.text, route.cite))
        follow_up = protocol.acute_danger.follow_up
        if follow_up:
            add("veilig-thuis", follow_up[0].text, follow_up[0].cite)
            add("zorgcoordinator", follow_up[0].text, follow_up[0].cite)

    volunteer = situation.reporter is Reporter.VOLUNTEER
    if volunteer:
        volunteers = protocol.weighing.volunteers
        add("veilig-thuis", volunteers.text, volunteers.cite)
    elif weighing.report == "required":
        reason = weighing.report_reasons[0]
        add("veilig-thuis", reason.text, reason.cite)
    elif weighing.conclusion == "doubt":
        doubt = items["route-vt-twijfel"]
        add("veilig-thuis", doubt.text, doubt.cite)
        add("zorgcoordinator", doubt.text, doubt.cite)
    elif weighing.conclusion != "unfounded":
        advice = items["route-vt-advies"]
        add("veilig-thuis", advice.text, advice.cite)

    evident = weighing.conclusion == "suspicion" or art_273f.elements_present
    if evident and not volunteer:
        route = items["route-zorgcoordinator"]
        add("zorgcoordinator", route.text, route.cite)

    if labour_signalled(situation, protocol):
        route = items["route-inspectie-szw"]
        add("inspectie-szw", route.text, route.cite)

    if evident:
        route = items["route-comensha"]
        add("comensha", route.text, route.cite)

    if evident or volunteer:
        route = items["route-meld-misdaad-anoniem"]
        add("meld-misdaad-anoniem", route.text, route.cite)
    return result


def consent_actions(
    situation: Situation, protocol: Protocol, weighing: WeighingResult
) -> list[Action]:
    """What the protocol says about consent in this situation."""
    items = index_of(protocol).items
    chosen = ["toestemming-advies-melding-vt"]
    if situation.acute_danger:
        chosen.insert(0, "toestemming-acuut")
    if situation.consent_to_report == "not_asked" and 3 not in situation.steps_completed:
        chosen.append("toestemming-stap-3")
    if weighing.report == "required" and situation.consent_to_report != "yes":
        chosen.append("toestemming-conflict-van-plichten")
        chosen.append("toestemming-meldrecht-vastleggen")
    if weighing.conclusion == "suspicion" and "toestemming-comensha-hulp" in items:
        chosen.append("toestemming-comensha-hulp")
    return [Action(items[i].text, items[i].cite) for i in chosen]


def person_actions(situation: Situation, protocol: Protocol) -> list[Action]:
    """Advice tied to the person: minors and the victim profiles that fit."""
    actions: list[Action] = []
    if situation.age is not None and situation.age < protocol.article_273f.age_of_majority:
        parents = index_of(protocol).items["route-minderjarige-ouders"]
        actions.append(Action(parents.text, parents.cite))
    for profile in protocol.profiles:
        if profile.id in situation.profiles:
            actions += [Action(advice.text, advice.cite) for advice in profile.advice]
    return actions

"""The chain's part of ``baken demo``: Veilig Thuis and the zorgcoördinatie linked as the
protocol's partners, a case that has gone through the chain, and a request waiting.

"Casus Meeuw" (the wijkteam's): steps 1 to 3, an advice request answered by Veilig Thuis
(a step-2 consultation), the weighing and the decision to report, the melding, accepted by
Veilig Thuis (casusregie moves, the deadlines run) and its feedback after the safety
assessment. A second advice request, from the school's "Casus Linde", waits in Veilig
Thuis' inbox. Synthetic only, written through the chain's services as the pages do."""

from __future__ import annotations

from datetime import date

from baken.accounts.models import User
from baken.chain import services
from baken.chain.models import PartnerRole
from baken.dossiers import demo
from baken.dossiers.models import Dossier, EntryKind
from baken.dossiers.selectors import access_to


def fill_chain(users: dict[str, User], dossiers: list[Dossier]) -> list[Dossier]:
    """Add the chain's demo to a freshly filled demo database; returns the dossiers made."""
    administrator = users["demo-beheerder"]
    professional = users["demo-professional"]
    adviser = users["demo-veilig-thuis"]
    for user, partner in (
        (adviser, PartnerRole.VEILIG_THUIS),
        (users["demo-zorgcoordinator"], PartnerRole.CARE_COORDINATOR),
        (users["demo-procesregisseur"], PartnerRole.SCREENING),
        (users["demo-ketenregisseur"], PartnerRole.CHAIN_DIRECTOR),
    ):
        if user.organisation_id is None:
            raise ValueError(f"demo user {user.username} has no organisation")
        services.link_partner(administrator, user.organisation_id, partner)

    case = demo.open_case(professional, "Casus Meeuw", days_ago=14, age=17, forms=["sexual"])
    demo.steps_one_to_three(
        case, professional, "sex-1-01", "Wie haar ophaalt na school en waar ze dan heen gaat."
    )
    observation = next(e for e in case.entries if e.kind == EntryKind.OBSERVATION)
    asked = services.ask_advice(
        access_to(professional, case.dossier.pk),
        "Is dit genoeg voor een melding, of eerst nog een gesprek met de ouders?",
        [observation.sequence],
    )
    services.answer_advice(
        adviser,
        asked.pk,
        "De signalen en het gesprek wijzen op een loverboy-aanpak. Weeg af met het "
        "afwegingskader; bij structurele onveiligheid is melden de norm.",
    )
    demo.weigh(case, professional, demo.ALL_YES)
    demo.step_5(
        case,
        professional,
        {
            "report": "yes",
            "report_motivation": "Structurele onveiligheid: melden is de professionele norm.",
            "help": "yes",
            "help_motivation": "Het wijkteam blijft betrokken, afgestemd met Veilig Thuis.",
            "deviation_motivation": "",
        },
    )
    conversation = next(e for e in case.entries if e.kind == EntryKind.CONVERSATION)
    melding = services.send_report(
        access_to(professional, case.dossier.pk),
        services.ReportDetails(
            reporter_name=str(professional),
            reporter_organisation=professional.organisation.name
            if professional.organisation
            else "",
            reporter_phone="010 000 0000",
            reporter_email="",
            person_name="Demo Meeuw",
            person_birth_date=date(2009, 6, 1),
            person_address="Demostraat 1, Demodorp",
            parents="Ouders Demo, bereikbaar via het wijkteam",
            network="Een tante in Demodorp; de mentor op school",
            done_so_far="Signalen vastgelegd, overlegd met de aandachtsfunctionaris, gesprek "
            "gevoerd, advies gevraagd aan Veilig Thuis.",
            consent="yes",
            legal_basis="toestemming",
            legal_basis_reason="Zij stemde in het gesprek in met een melding.",
            family_hidden="Zij wil niet dat haar ouders horen over de 'vriend'.",
            non_disclosure=False,
            departure_motivation="",
        ),
        [observation.sequence, conversation.sequence],
    )
    received = services.accept_report(adviser, melding.pk)
    services.give_feedback(
        access_to(adviser, received.pk),
        services.Feedback(
            moment="after_safety_assessment",
            trajectory_started=True,
            parties="Zorgcoördinatie Demo en het wijkteam",
            conditions="Het wijkteam houdt wekelijks contact en meldt nieuwe signalen direct.",
        ),
    )

    linde = next(d for d in dossiers if d.label == "Casus Linde")
    services.ask_advice(
        access_to(linde.opened_by, linde.pk),
        "Wat is een goede volgende stap bij deze signalen op school?",
        [1],
    )
    return [Dossier.objects.get(pk=case.dossier.pk), received]

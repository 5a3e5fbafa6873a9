"""The chain's part of ``baken demo``: Veilig Thuis and the zorgcoördinatie linked as the
protocol's partners, a case that has gone through the chain, and a request waiting.

"Casus Meeuw" (the wijkteam's): steps 1 to 3, an advice request answered by Veilig Thuis
(a step-2 consultation), the weighing and the decision to report, the melding, accepted by
Veilig Thuis (casusregie moves, the deadlines run) and its feedback after the safety
assessment. A second advice request, from the school's "Casus Linde", waits in Veilig
Thuis' inbox. Synthetic only, written through the chain's services as the pages do."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from baken.accounts.models import User
from baken.chain import services, trajectory
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

    reiger = fill_care_chain(users)

    linde = next(d for d in dossiers if d.label == "Casus Linde")
    services.ask_advice(
        access_to(linde.opened_by, linde.pk),
        "Wat is een goede volgende stap bij deze signalen op school?",
        [1],
    )
    return [Dossier.objects.get(pk=case.dossier.pk), received, *reiger]


def fill_care_chain(users: dict[str, User]) -> list[Dossier]:
    """ "Casus Reiger" (the wijkteam's, 19, labour exploitation): trafficking is evident, so
    the professional registers the person with the zorgcoördinatie directly (§2.1), with her
    written consent. The zorgcoördinator accepts, records the intake and two procedures,
    and sends the stand van zaken (:mod:`baken.demo` then puts the case on the
    screeningsoverleg). Returns the wijkteam's dossier and the zorgcoördinator's."""
    professional = users["demo-professional"]
    coordinator = users["demo-zorgcoordinator"]
    case = demo.open_case(professional, "Casus Reiger", days_ago=10, age=19, forms=["labour"])
    demo.steps_one_to_three(
        case,
        professional,
        "lab-1-01",
        "Waar zij slaapt, wie haar loon beheert en of zij haar paspoort zelf heeft.",
    )
    observation = next(e for e in case.entries if e.kind == EntryKind.OBSERVATION)
    conversation = next(e for e in case.entries if e.kind == EntryKind.CONVERSATION)
    today = timezone.localdate()
    aanmelding = services.send_registration(
        access_to(professional, case.dossier.pk),
        services.RegistrationDetails(
            sender_name=str(professional),
            sender_organisation=professional.organisation.name if professional.organisation else "",
            sender_phone="010 000 0000",
            sender_email="",
            person_name="Demo Reiger",
            person_birth_date=None,
            person_age=None,
            person_contact="Bereikbaar via het wijkteam",
            person_language="Engels",
            needs="Een veilige slaapplaats en hulp bij haar papieren.",
            reason="Zij werkt zonder loon, haar paspoort is ingenomen en zij slaapt op het "
            "bedrijf: er is duidelijk sprake van arbeidsuitbuiting.",
            consent=services.RegistrationConsent(
                given_by="person",
                given_on=today - timedelta(days=2),
                how="written",
                note="Getekend formulier in het wijkteamdossier.",
            ),
        ),
        [observation.sequence, conversation.sequence],
    )
    zc = services.accept(coordinator, aanmelding.pk)
    access = access_to(coordinator, zc.pk)
    trajectory.record_intake(
        access,
        trajectory.IntakeDetails(
            held_on=today - timedelta(days=1),
            needs="Opvang, een uitkering en hulp bij de aanvraag van een verblijfsvergunning.",
            informed=[
                "informatie-strafrecht",
                "informatie-verblijfsrecht",
                "informatie-zorgaanbod",
            ],
            note="Gesprek met tolk.",
        ),
    )
    for procedure, organisation, status in (
        ("procedure-opvang", "Opvang Demo", "granted"),
        ("procedure-verblijfsvergunning", "IND", "requested"),
    ):
        trajectory.start_procedure(
            access_to(coordinator, zc.pk),
            trajectory.NewProcedure(
                procedure_type=procedure,
                started_on=today - timedelta(days=1),
                organisation=organisation,
                status=status,
            ),
        )
    trajectory.send_progress(
        access_to(coordinator, zc.pk),
        "Zij is opgevangen; de aanvraag van de verblijfsvergunning loopt.",
    )
    return [Dossier.objects.get(pk=case.dossier.pk), Dossier.objects.get(pk=zc.pk)]

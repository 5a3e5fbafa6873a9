"""The aanmelding with the zorgcoördinatie (§2.1): when trafficking is evident a
professional registers the person directly, with the person's consent to care and shelter
(given by who may give it at the person's age: §2.2, art. 7:450 BW), through the same
inbox, snapshot, accept, decline and forward flow as a melding. An accepted aanmelding
opens the zorgcoördinator's own dossier, joins both in one person in the chain and moves
casusregie to the zorgcoördinatie; the sender's advice then names the zorgcoördinator."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from baken.accounts.models import Organisation, User
from baken.audit.models import AccessEvent
from baken.chain import services as chain
from baken.chain.cases import case_of, members_of
from baken.chain.models import ChainCase, Share, ShareKind, ShareStatus
from baken.dossiers import services as dossier_services
from baken.dossiers.export import person_export
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.presenters import rows
from baken.dossiers.selectors import access_to, protocol_of, state_of
from baken.notifications.models import Notification, NotificationKind, Reminder
from baken.protocol.schema import CaseDirection
from tests.chain.conftest import CONSENT, REGISTRATION, REPORT, Partners, registration
from tests.web.stages import closed, seen, walk
from tests.web.test_no_internal_identifiers import leaks


def refusal(
    user: User, dossier: Dossier, details: chain.RegistrationDetails, selected: list[int]
) -> chain.ChainRefused:
    """The refusal the aanmelding gets (the test fails if it is sent)."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.send_registration(access_to(user, dossier.pk), details, selected)
    return refused.value


def code(user: User, dossier: Dossier, details: chain.RegistrationDetails) -> str:
    return refusal(user, dossier, details, [1]).code


def entry_data(dossier_id: Any, kind: str) -> list[dict[str, Any]]:
    return [
        entry.data
        for entry in Entry.objects.filter(dossier_id=dossier_id, kind=kind).order_by("sequence")
    ]


# --- sending ----------------------------------------------------------------------------


def test_an_aanmelding_goes_to_the_zorgcoordinatie(registered: Share, partners: Partners) -> None:
    """With the person's consent it waits in the zorgcoördinatie's inbox, as an aanmelding."""
    assert (registered.kind, registered.status, registered.recipient) == (
        ShareKind.REGISTRATION,
        ShareStatus.PENDING,
        partners.care,
    )


def test_the_aanmelding_carries_the_consent_the_sender_and_the_person(registered: Share) -> None:
    """The snapshot holds the consent record (with its Dutch labels), who registers, the
    person (their age from the dossier), the needs, the reason and the selected entry."""
    content = registered.snapshot.content
    assert (
        content["consent"],
        content["sender"]["phone"],
        content["person"]["age"],
        content["needs"],
        [e["kind"] for e in content["entries"]],
        content["label"],
    ) == (
        {
            "given_by": "person",
            "given_on": "2026-11-30",
            "how": "written",
            "note": CONSENT.note,
            "given_by_label": "De betrokkene zelf",
            "how_label": "Schriftelijk",
        },
        REGISTRATION.sender_phone,
        16,
        REGISTRATION.needs,
        ["observation"],
        "Casus Proef",
    )


def test_the_senders_dossier_records_the_aanmelding(registered: Share, partners: Partners) -> None:
    """The sender's dossier gets one aanmelding entry: sent, to whom, the consent, how many
    entries went, and the day."""
    assert entry_data(registered.sender_dossier_id, EntryKind.REGISTRATION) == [
        {
            "direction": "sent",
            "share": str(registered.pk),
            "to": partners.care.name,
            "consent": {
                "given_by": "person",
                "given_on": "2026-11-30",
                "how": "written",
                "note": CONSENT.note,
            },
            "entries_sent": 1,
            "registered_on": timezone.localdate(registered.sent_at).isoformat(),
        }
    ]


def test_sending_is_logged_with_consent_as_the_legal_basis(registered: Share) -> None:
    """One share_sent line on the sender's dossier: purpose registration, basis consent."""
    lines = list(
        AccessEvent.objects.filter(
            dossier_id=registered.sender_dossier_id, action="share_sent"
        ).values_list("purpose", "detail")
    )
    assert lines == [("registration", "basis:toestemming")]


def test_the_zorgcoordinators_get_a_bericht_and_no_deadlines_follow(
    registered: Share, partners: Partners
) -> None:
    """The zorgcoördinatie's care coordinator gets a "new registration" bericht linking to
    the share; no reminders are scheduled (Veilig Thuis' terms are not the zorgcoördinatie's)."""
    found = list(
        Notification.objects.filter(kind=NotificationKind.NEW_REGISTRATION).values_list(
            "user", "url"
        )
    )
    assert (found, Reminder.objects.count()) == (
        [(partners.coordinator.pk, reverse("chain:share", args=[registered.pk]))],
        0,
    )


def test_a_volunteer_does_not_register(
    volunteer: User, partners: Partners, open_dossier: Callable[..., Dossier]
) -> None:
    """A volunteer working on their own dossier is refused (volunteer)."""
    dossier = open_dossier(volunteer)
    assert code(volunteer, dossier, REGISTRATION) == "volunteer"


def test_someone_without_access_gets_404(
    outsider: User, professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """A professional of another organisation cannot even learn the dossier exists (404)."""
    dossier = walked(1)
    with pytest.raises(Http404):
        access_to(outsider, dossier.pk)


def test_without_a_linked_zorgcoordinatie_nothing_goes(
    professional: User, unlinked: Partners, walked: Callable[..., Dossier]
) -> None:
    """No organisation is linked as the zorgcoördinatie: no_partner."""
    dossier = walked(1)
    assert code(professional, dossier, REGISTRATION) == "no_partner"


def test_the_zorgcoordinatie_does_not_register_with_itself(
    partners: Partners, open_dossier: Callable[..., Dossier]
) -> None:
    """From a dossier of the zorgcoördinatie itself: own_inbox."""
    dossier = open_dossier(partners.coordinator)
    dossier_services.record(
        access_to(partners.coordinator, dossier.pk),
        "observation",
        {
            "nature": "fact",
            "observed_on": "2026-11-28",
            "source": "zelf",
            "description": "Signalen gezien",
        },
        seen_sequence=seen(dossier),
    )
    assert code(partners.coordinator, dossier, REGISTRATION) == "own_inbox"


@pytest.mark.parametrize(
    "consent",
    [
        pytest.param({"given_by": ""}, id="nobody"),
        pytest.param({"given_on": None}, id="no-day"),
        pytest.param({"how": ""}, id="not-how"),
    ],
)
def test_an_aanmelding_needs_consent(
    consent: dict[str, Any],
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
) -> None:
    """Without who gave consent, on which day or how: consent_missing, nothing sent."""
    dossier = walked(1)
    assert (code(professional, dossier, registration(consent=consent)), Share.objects.count()) == (
        "consent_missing",
        0,
    )


def test_consent_cannot_be_given_in_the_future(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """Consent dated tomorrow: consent_in_future."""
    dossier = walked(1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert code(professional, dossier, registration(consent={"given_on": tomorrow})) == (
        "consent_in_future"
    )


def test_consent_by_the_person_is_not_enough_at_14(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """For a 14-year-old the person alone cannot consent: consent_not_valid_for_age, saying
    the person and the parents or guardian must consent together, with the protocol's cite."""
    dossier = walked(1, age=14)
    refused = refusal(professional, dossier, REGISTRATION, [1])
    assert (refused.code, refused.params) == (
        "consent_not_valid_for_age",
        {
            "age": 14,
            "needed": "person_and_parents",
            "cite": "§2.2 CoMensha; art. 7:450 Burgerlijk Wetboek",
        },
    )


def test_at_14_the_person_and_the_parents_consent_together(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """For a 14-year-old, consent by the person together with the parents goes."""
    dossier = walked(1, age=14)
    share = chain.send_registration(
        access_to(professional, dossier.pk),
        registration(consent={"given_by": "person_and_parents"}),
        [1],
    )
    assert share.status == ShareStatus.PENDING


@pytest.mark.parametrize(
    ("age", "given_by", "needed"),
    [
        pytest.param(17, "parents_or_guardian", "person", id="17-parents"),
        pytest.param(16, "person_and_parents", "person", id="16-jointly"),
        pytest.param(11, "person_and_parents", "parents_or_guardian", id="11-jointly"),
        pytest.param(12, "parents_or_guardian", "person_and_parents", id="12-parents"),
    ],
)
def test_who_must_consent_follows_the_age(
    age: int,
    given_by: str,
    needed: str,
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
) -> None:
    """From 16 only the person, from 12 the person with the parents, below 12 the parents
    or guardian (protocol data): anyone else is refused, naming who must consent."""
    dossier = walked(1, age=age)
    refused = refusal(professional, dossier, registration(consent={"given_by": given_by}), [1])
    assert (refused.code, refused.params["needed"]) == ("consent_not_valid_for_age", needed)


def test_without_an_age_in_the_dossier_the_form_gives_it(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """The dossier knows no age: without one on the form, age_missing; with a date of birth
    making the person 14, consent by the person alone is refused for that age."""
    dossier = walked(1, age=None)
    born_14 = date(2012, 6, 1)  # 14 on the day the consent was given (30 November 2026)
    missing = code(professional, dossier, REGISTRATION)
    refused = refusal(professional, dossier, registration(person_birth_date=born_14), [1])
    assert (missing, refused.code, refused.params["age"]) == (
        "age_missing",
        "consent_not_valid_for_age",
        14,
    )


@pytest.mark.parametrize("field", ["sender_name", "sender_organisation", "sender_phone"])
def test_an_aanmelding_is_never_anonymous(
    field: str, professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """Without the sender's name, organisation or phone: reporter_missing."""
    dossier = walked(1)
    assert code(professional, dossier, registration(**{field: " "})) == "reporter_missing"


def test_an_aanmelding_says_why_trafficking_is_evident(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """Without the reason: evident_missing."""
    dossier = walked(1)
    assert code(professional, dossier, registration(reason="  ")) == "evident_missing"


@pytest.mark.parametrize(
    "selected",
    [pytest.param([], id="nothing"), pytest.param([2], id="only-the-signal")],
)
def test_an_aanmelding_needs_an_entry_ticked(
    selected: list[int], professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """Nothing ticked, or only what is no entry one sends: nothing_selected."""
    dossier = walked(1)
    assert refusal(professional, dossier, REGISTRATION, selected).code == "nothing_selected"


def test_one_aanmelding_at_a_time(professional: User, registered: Share) -> None:
    """A second aanmelding while the first waits: pending."""
    dossier = Dossier.objects.get(pk=registered.sender_dossier_id)
    assert code(professional, dossier, REGISTRATION) == "pending"


def test_no_new_aanmelding_while_the_zorgcoordinator_holds_the_case(
    professional: User, partners: Partners, registered: Share
) -> None:
    """After acceptance (the zorgcoördinator's dossier open): accepted."""
    dossier = Dossier.objects.get(pk=registered.sender_dossier_id)
    chain.accept(partners.coordinator, registered.pk)
    assert code(professional, dossier, REGISTRATION) == "accepted"


def test_a_closed_dossier_registers_nothing(
    professional: User, partners: Partners, open_dossier: Callable[..., Dossier]
) -> None:
    """From a closed dossier: closed."""
    dossier = closed(professional, open_dossier())
    assert code(professional, dossier, REGISTRATION) == "closed"


def test_a_melding_and_an_aanmelding_may_both_wait(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """A pending melding to Veilig Thuis does not block an aanmelding (each has its own
    partner and rule)."""
    dossier = walked(5)
    chain.send_report(access_to(professional, dossier.pk), REPORT, [1])
    share = chain.send_registration(access_to(professional, dossier.pk), REGISTRATION, [1])
    assert share.status == ShareStatus.PENDING


# --- receiving --------------------------------------------------------------------------


def test_accepting_opens_the_zorgcoordinators_own_dossier(
    partners: Partners, registered: Share
) -> None:
    """The zorgcoördinator's new dossier: in their organisation, with the label, age and
    forms of the snapshot, the coordinator in its case team, pinned to the same protocol."""
    opened = chain.accept(partners.coordinator, registered.pk)
    sender = Dossier.objects.get(pk=registered.sender_dossier_id)
    assert (
        opened.organisation_id,
        opened.label,
        opened.age_at_opening,
        opened.exploitation_forms,
        opened.protocol_version,
        access_to(partners.coordinator, opened.pk).in_case_team,
    ) == (partners.care.pk, "Casus Proef", 16, ["sexual"], sender.protocol_version, True)


def test_the_new_dossier_starts_with_the_received_aanmelding(
    partners: Partners, registered: Share
) -> None:
    """Its first entry says where the aanmelding came from, when, and the consent."""
    opened = chain.accept(partners.coordinator, registered.pk)
    assert entry_data(opened.pk, EntryKind.REGISTRATION) == [
        {
            "direction": "received",
            "share": str(registered.pk),
            "from": "Wijkteam Proef-Noord",
            "registered_on": timezone.localdate(registered.sent_at).isoformat(),
            "consent": {
                "given_by": "person",
                "given_on": "2026-11-30",
                "how": "written",
                "note": CONSENT.note,
            },
        }
    ]


def test_accepting_joins_both_dossiers_with_casusregie_at_the_zorgcoordinatie(
    partners: Partners, registered: Share
) -> None:
    """One person in the chain: the sender's dossier and the zorgcoördinator's, casusregie
    with the zorgcoördinatie."""
    opened = chain.accept(partners.coordinator, registered.pk)
    case = case_of(opened)
    assert case is not None
    assert (
        ChainCase.objects.count(),
        [m.dossier_id for m in members_of(case)],
        case.direction_id,
    ) == (1, [registered.sender_dossier_id, opened.pk], partners.care.pk)


def test_the_sender_hears_of_the_acceptance(
    professional: User, partners: Partners, registered: Share
) -> None:
    """The sender's dossier gets the news (accepted, by the zorgcoördinatie, an aanmelding)
    and its case team a bericht."""
    chain.accept(partners.coordinator, registered.pk)
    news = entry_data(registered.sender_dossier_id, EntryKind.CHAIN_STATUS)
    berichten = list(
        Notification.objects.filter(kind=NotificationKind.REGISTRATION_ACCEPTED).values_list(
            "user", flat=True
        )
    )
    assert (news, berichten) == (
        [
            {
                "from_organisation": partners.care.name,
                "event": "accepted",
                "share": str(registered.pk),
                "by": partners.care.name,
                "partner": "zorgcoordinator",
                "kind": "registration",
            }
        ],
        [professional.pk],
    )


def test_acceptance_is_logged_on_both_sides(partners: Partners, registered: Share) -> None:
    """The sender's dossier has the zorgcoördinatie's registration_accepted transfer line;
    the new dossier its opened_from_registration line with consent as the basis."""
    opened = chain.accept(partners.coordinator, registered.pk)
    sender_side = list(
        AccessEvent.objects.filter(
            dossier_id=registered.sender_dossier_id, action="registration_accepted"
        ).values_list("organisation_id", "purpose")
    )
    own_side = list(
        AccessEvent.objects.filter(
            dossier_id=opened.pk, action="opened_from_registration"
        ).values_list("purpose", "detail")
    )
    assert (sender_side, own_side) == (
        [(partners.care.pk, "chain_follow_up")],
        [("registration", "basis:toestemming")],
    )


def test_accept_report_is_the_same_function() -> None:
    """Part 1's name for accepting keeps working: it is :func:`accept`."""
    assert chain.accept_report is chain.accept


def test_an_aanmelding_can_be_declined(
    professional: User, partners: Partners, registered: Share
) -> None:
    """Declined with a reason: the sender's dossier gets it and a "declined" bericht; a new
    aanmelding may then go."""
    chain.decline(partners.coordinator, registered.pk, "Geen mensenhandel, wel zorgen")
    news = entry_data(registered.sender_dossier_id, EntryKind.CHAIN_STATUS)
    dossier = Dossier.objects.get(pk=registered.sender_dossier_id)
    again = chain.send_registration(access_to(professional, dossier.pk), REGISTRATION, [1])
    assert (
        [(n["event"], n["reason"], n["kind"]) for n in news],
        Notification.objects.filter(kind=NotificationKind.REGISTRATION_DECLINED).count(),
        again.status,
    ) == (
        [("declined", "Geen mensenhandel, wel zorgen", "registration")],
        1,
        ShareStatus.PENDING,
    )


def test_an_aanmelding_can_be_forwarded_to_veilig_thuis(
    partners: Partners, registered: Share
) -> None:
    """Forwarded: a new pending aanmelding at Veilig Thuis with the same snapshot, no
    deadline reminders; the sender gets a "forwarded" bericht."""
    onward = chain.forward(partners.coordinator, registered.pk, partners.vt.pk, "Eerst VT")
    assert (
        onward.kind,
        onward.status,
        onward.recipient,
        onward.snapshot.content == registered.snapshot.content,
        Reminder.objects.count(),
        Notification.objects.filter(kind=NotificationKind.REGISTRATION_FORWARDED).count(),
    ) == (ShareKind.REGISTRATION, ShareStatus.PENDING, partners.vt, True, 0, 1)


def test_forwarding_goes_only_to_an_inbox_partner(
    partners: Partners, registered: Share, administrator: User
) -> None:
    """A Veiligheidshuis linked as the screeningsoverleg takes no aanmeldingen: forwarding
    there is refused (not_a_partner)."""
    house = Organisation.objects.create(name="Veiligheidshuis Proef", kind="safety_house")
    chain.link_partner(administrator, house.pk, "screeningsoverleg")
    with pytest.raises(chain.ChainRefused) as refused:
        chain.forward(partners.coordinator, registered.pk, house.pk, "")
    assert refused.value.code == "not_a_partner"


# --- the advice and casusregie ------------------------------------------------------------


def test_after_acceptance_the_senders_advice_names_the_zorgcoordinator(
    professional: User, partners: Partners, registered: Share, protocol: Any
) -> None:
    """The sender's advice: casusregie with the zorgcoördinatie (no melding made), and the
    zorgcoördinator first among the contacts, for casusregie (§2.1)."""
    chain.accept(partners.coordinator, registered.pk)
    state = state_of(access_to(professional, registered.sender_dossier_id))
    first = state.advice.contacts[0]
    assert (
        state.situation.case_direction,
        state.situation.report_made,
        first.partner,
        first.reason,
    ) == (
        CaseDirection.CARE_COORDINATOR,
        None,
        "zorgcoordinator",
        protocol.chain.casusregie.care_coordinator.text,
    )


def test_a_pending_aanmelding_does_not_move_casusregie(
    professional: User, registered: Share
) -> None:
    """Before acceptance casusregie stays with the sender's own organisation."""
    state = state_of(access_to(professional, registered.sender_dossier_id))
    assert state.situation.case_direction == CaseDirection.OWN


def _hand_over(author: User, dossier: Dossier, to_organisation: str, to_partner: str) -> None:
    dossier_services.record_from_chain(
        author,
        dossier.pk,
        EntryKind.CASE_DIRECTION,
        {
            "from_organisation": "Zorgcoördinatie Proef-Oost",
            "to_organisation": to_organisation,
            "to_partner": to_partner,
            "reason": "Afgesproken in het overleg",
        },
        now=timezone.now(),
    )


@pytest.mark.parametrize(
    ("to_organisation", "to_partner", "expected"),
    [
        pytest.param("Wijkteam Proef-Noord", "", CaseDirection.OWN, id="own-organisation"),
        pytest.param("Veilig Thuis Proef-Midden", "veilig-thuis", CaseDirection.OWN, id="vt"),
        pytest.param(
            "Zorgcoördinatie Proef-Oost",
            "zorgcoordinator",
            CaseDirection.CARE_COORDINATOR,
            id="zorgcoordinatie",
        ),
    ],
)
def test_a_hand_over_sets_casusregie(
    to_organisation: str,
    to_partner: str,
    expected: CaseDirection,
    professional: User,
    partners: Partners,
    registered: Share,
) -> None:
    """The latest hand-over wins over the accepted aanmelding: back to the own organisation
    it is own; to Veilig Thuis in a dossier that made no melding it is own too (the engine
    knows Veilig Thuis' casusregie only with a melding); to the zorgcoördinatie it is theirs."""
    chain.accept(partners.coordinator, registered.pk)
    dossier = Dossier.objects.get(pk=registered.sender_dossier_id)
    _hand_over(partners.coordinator, dossier, to_organisation, to_partner)
    state = state_of(access_to(professional, dossier.pk))
    assert state.situation.case_direction == expected


def test_a_hand_over_to_veilig_thuis_after_a_melding_is_theirs(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """In a dossier that made a melding, a hand-over to Veilig Thuis gives Veilig Thuis
    casusregie, with the melding's date."""
    dossier = walked(5)
    share = chain.send_report(access_to(professional, dossier.pk), REPORT, [1])
    _hand_over(partners.adviser, dossier, partners.vt.name, "veilig-thuis")
    state = state_of(access_to(professional, dossier.pk))
    assert (state.situation.case_direction, state.situation.report_made) == (
        CaseDirection.VEILIG_THUIS,
        timezone.localdate(share.sent_at),
    )


def test_veilig_thuis_passes_a_case_on_to_the_zorgcoordinatie(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """Veilig Thuis accepts a melding, then registers the person from its own dossier; the
    zorgcoördinatie accepts: one person in the chain with three dossiers, casusregie at the
    zorgcoördinatie, and Veilig Thuis' advice says so."""
    sent = walked(5)
    melding = chain.send_report(access_to(professional, sent.pk), REPORT, [1])
    vt_dossier = chain.accept(partners.adviser, melding.pk)
    vt_access = access_to(partners.adviser, vt_dossier.pk)
    dossier_services.record(
        vt_access,
        "observation",
        {
            "nature": "fact",
            "observed_on": "2026-11-29",
            "source": "huisbezoek",
            "description": "Slaapt op het werk",
        },
        seen_sequence=seen(vt_dossier),
    )
    observation = Entry.objects.get(dossier=vt_dossier, kind="observation").sequence
    passed_on = chain.send_registration(
        access_to(partners.adviser, vt_dossier.pk),
        registration(sender_name="Proef Adviseur", sender_organisation=partners.vt.name),
        [observation],
    )
    zc_dossier = chain.accept(partners.coordinator, passed_on.pk)
    case = case_of(zc_dossier)
    assert case is not None
    state = state_of(access_to(partners.adviser, vt_dossier.pk))
    assert (
        [m.dossier_id for m in members_of(case)],
        case.direction_id,
        state.situation.case_direction,
    ) == ([sent.pk, vt_dossier.pk, zc_dossier.pk], partners.care.pk, CaseDirection.CARE_COORDINATOR)


# --- how it reads -------------------------------------------------------------------------


def test_the_timeline_reads_the_aanmelding_in_dutch(
    professional: User, registered: Share, partners: Partners
) -> None:
    """The sent entry reads: to whom, the day, entries sent, and the consent (who, when,
    how, the note)."""
    entry = Entry.objects.get(dossier_id=registered.sender_dossier_id, kind="registration")
    protocol = protocol_of(entry.dossier)
    with override("nl"):
        found = [(r.label, r.value) for r in rows(entry, protocol)]
        today = date_format(timezone.localdate(registered.sent_at))
    assert found == [
        ("Verstuurd naar", partners.care.name),
        ("Datum van de aanmelding", today),
        ("Meegestuurde vastleggingen", "1"),
        ("Toestemming gegeven door", "De betrokkene zelf"),
        ("Toestemming gegeven op", "30 november 2026"),
        ("Toestemming gegeven hoe", "Schriftelijk"),
        ("Toelichting bij de toestemming", CONSENT.note),
    ]


def test_the_person_sees_their_consent_in_the_inzage(
    partners: Partners, registered: Share, login: Callable[..., Client]
) -> None:
    """The readable inzage of the zorgcoördinator's dossier holds the consent record and the
    registering organisation, but not the sender's phone number (only in the snapshot)."""
    opened = chain.accept(partners.coordinator, registered.pk)
    client = login(partners.coordinator, reauthenticated=True)
    page = client.get(reverse("dossiers:export", args=[opened.pk])).content.decode()
    exported = repr(person_export(opened, partners.coordinator))
    assert (
        "Toestemming gegeven door" in page,
        "De betrokkene zelf" in page,
        "Wijkteam Proef-Noord" in page,
        REGISTRATION.sender_phone in page,
        REGISTRATION.sender_phone in exported,
    ) == (True, True, True, False, False)


# --- the page -----------------------------------------------------------------------------


FORM = {
    "sender_name": "Proef Aanmelder",
    "sender_organisation": "Wijkteam Proef-Noord",
    "sender_phone": "030 000 0001",
    "person_name": "Persoon Proefnaam",
    "person_contact": "Proefstraat 2",
    "needs": "Veilige opvang",
    "reason": "Moet onbetaald werken",
    "consent_given_by": "person",
    "consent_given_on": "2026-11-30",
    "consent_how": "verbal",
    "entries": ["1"],
}


def _form(dossier: Dossier, **changes: Any) -> dict[str, Any]:
    return {**FORM, "seen": str(seen(dossier)), **changes}


def test_the_page_shows_the_consent_rule_with_its_cite(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Client],
    protocol: Any,
) -> None:
    """The page shows the protocol's consent text and its cite, and no internal id."""
    dossier = walked(1)
    page = login(professional).get(reverse("chain:registration", args=[dossier.pk]))
    html = page.content.decode()
    rule = protocol.chain.registration.consent.item
    assert (page.status_code, rule.text in html, rule.cite in html, leaks(html)) == (
        200,
        True,
        True,
        [],
    )


@pytest.mark.parametrize("who", ["outsider", "volunteer", "adviser", "coordinator"])
def test_the_page_is_404_for_who_may_not_register(
    who: str,
    professional: User,
    outsider: User,
    volunteer: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    open_dossier: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """A third organisation, a volunteer on their own dossier (volunteers do not register),
    Veilig Thuis and the zorgcoördinatie (they cannot open the sender's dossier): 404."""
    users = {
        "outsider": outsider,
        "volunteer": volunteer,
        "adviser": partners.adviser,
        "coordinator": partners.coordinator,
    }
    dossier = walked(1)
    if who == "volunteer":  # the volunteer's own dossier: in its case team, yet no aanmelding
        dossier = walk(volunteer, open_dossier(volunteer), to_step=1)
    url = reverse("chain:registration", args=[dossier.pk])
    client = login(users[who])
    assert (client.get(url).status_code, client.post(url, _form(dossier)).status_code) == (
        404,
        404,
    )


def test_consent_by_a_14_year_old_alone_keeps_what_was_typed(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """Consent "by the person" for a 14-year-old: 400, the error summary says who must
    consent at 14 with the cite, and every typed value is still in the form; nothing sent."""
    dossier = walked(1, age=14)
    url = reverse("chain:registration", args=[dossier.pk])
    response = login(professional).post(url, {**_form(dossier), "preview": ""})
    html = response.content.decode()
    message = (
        "Voor iemand van 14 jaar geven de betrokkene en de ouders of de voogd samen "
        "toestemming: kies “de betrokkene samen met de ouders of de voogd” "
        "(§2.2 CoMensha; art. 7:450 Burgerlijk Wetboek)."
    )
    assert (
        response.status_code,
        html.count(message),
        ">\nMoet onbetaald werken</textarea>" in html,
        'value="030 000 0001"' in html,
        'value="2026-11-30"' in html,
        re.search(r'value="verbal"[^>]*checked', html) is not None,
        Share.objects.count(),
        leaks(html),
    ) == (400, 2, True, True, True, True, 0, [])


def test_without_consent_the_page_says_so(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """No consent chosen: 400 with the field's Dutch message, the typed needs kept."""
    dossier = walked(1)
    url = reverse("chain:registration", args=[dossier.pk])
    form = _form(dossier, preview="")
    for key in ("consent_given_by", "consent_given_on", "consent_how"):
        form.pop(key)
    response = login(professional).post(url, form)
    html = response.content.decode()
    assert (
        response.status_code,
        "Who gave consent" not in html,
        "Wie gaf toestemming voor hulp en opvang" in html,
        ">\nVeilige opvang</textarea>" in html,
    ) == (400, True, True, True)


def test_preview_then_send_after_reauthentication(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """The preview shows the consent and what goes; sending (re-authenticated) sends it and
    returns to the dossier."""
    dossier = walked(1)
    url = reverse("chain:registration", args=[dossier.pk])
    client = login(professional, reauthenticated=True)
    preview = client.post(url, {**_form(dossier), "preview": ""})
    sent = client.post(url, {**_form(dossier), "send": ""})
    assert (
        preview.status_code,
        "Mondeling" in preview.content.decode(),
        leaks(preview.content.decode()),
        sent.status_code,
        sent["Location"],
        Share.objects.get().kind,
    ) == (200, True, [], 302, reverse("dossiers:detail", args=[dossier.pk]), "registration")


def test_sending_asks_for_the_password_again(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """Without a recent re-authentication, "send" leads to the re-authentication page first
    and nothing is sent yet."""
    dossier = walked(1)
    url = reverse("chain:registration", args=[dossier.pk])
    response = login(professional).post(url, {**_form(dossier), "send": ""})
    assert (
        response.status_code,
        "reauthenticate" in response["Location"],
        Share.objects.count(),
    ) == (
        302,
        True,
        0,
    )


def test_a_stale_preview_is_shown_again(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """Something was recorded after the preview: 409, the preview again, nothing sent."""
    dossier = walked(1)
    url = reverse("chain:registration", args=[dossier.pk])
    stale = _form(dossier, send="")
    stale["seen"] = str(seen(dossier) - 1)
    response = login(professional, reauthenticated=True).post(url, stale)
    assert (response.status_code, Share.objects.count()) == (409, 0)


def test_the_panel_and_the_advice_link_to_the_page(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """The dossier page links to the aanmelding from the chain panel and beside the
    zorgcoördinator in the advice (at step 4 with a suspicion the zorgcoördinator is a
    contact), with an advice request to them beside it."""
    dossier = walked(4)
    html = login(professional).get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    url = reverse("chain:registration", args=[dossier.pk])
    ask = reverse("chain:ask_advice", args=[dossier.pk]) + "?aan=zorgcoordinator"
    assert (
        html.count(f'href="{url}"'),
        f'href="{ask}">Adviesvraag via Baken</a>' in html,
        f'href="{url}">Aanmelden via Baken</a>' in html,
    ) == (2, True, True)


def test_the_zorgcoordinator_sees_the_aanmelding_with_the_consent(
    partners: Partners, registered: Share, login: Callable[..., Client]
) -> None:
    """The inbox lists it as "Aanmelding"; its page shows the consent record and offers to
    accept it, without any internal identifier."""
    client = login(partners.coordinator)
    inbox = client.get(reverse("chain:inbox")).content.decode()
    page = client.get(reverse("chain:share", args=[registered.pk])).content.decode()
    assert (
        ">Aanmelding</a>" in inbox,
        "Toestemming voor hulp en opvang" in page,
        "De betrokkene zelf" in page,
        "Aanmelding aannemen" in page,
        leaks(page),
    ) == (True, True, True, True, [])


def test_accepting_on_the_page_opens_the_dossier(
    partners: Partners, registered: Share, login: Callable[..., Client]
) -> None:
    """Accepting on the share page redirects to the zorgcoördinator's new dossier, which
    says it was opened from an aanmelding."""
    client = login(partners.coordinator)
    response = client.post(reverse("chain:share", args=[registered.pk]), {"action": "accept"})
    opened = Share.objects.get(pk=registered.pk).receiving_dossier
    assert opened is not None
    page = client.get(response["Location"]).content.decode()
    assert (response["Location"], "Geopend vanuit een aanmelding door Wijkteam" in page) == (
        reverse("dossiers:detail", args=[opened.pk]),
        True,
    )


def test_the_feedback_page_is_not_for_an_aanmelding(
    partners: Partners, registered: Share, login: Callable[..., Client]
) -> None:
    """Feedback to the reporter is Veilig Thuis' duty after a melding: on a dossier opened
    from an aanmelding its page is 404."""
    opened = chain.accept(partners.coordinator, registered.pk)
    response = login(partners.coordinator).get(reverse("chain:feedback", args=[opened.pk]))
    assert response.status_code == 404


def test_the_consent_rule_is_the_protocols(protocol: Any) -> None:
    """The ages come from the protocol data: 16 alone, 12 together."""
    rule = protocol.chain.registration.consent
    assert [chain.consent_needed(rule, age) for age in (11, 12, 15, 16, 40)] == [
        "parents_or_guardian",
        "person_and_parents",
        "person_and_parents",
        "person",
        "person",
    ]


def test_age_is_counted_on_the_day_consent_was_given(
    professional: User, partners: Partners, open_dossier: Callable[..., Dossier]
) -> None:
    """Born so that they turned 16 yesterday, consent by the person given two days ago
    (at 15) is refused; given yesterday it holds."""
    today = timezone.localdate()
    born = date(today.year - 16, today.month, today.day) - timedelta(days=1)
    dossier = open_dossier(birth_date=born, age=None)
    dossier_services.record(
        access_to(professional, dossier.pk),
        "observation",
        {"nature": "fact", "observed_on": "2026-11-28", "source": "x", "description": "Zorg"},
        seen_sequence=seen(dossier),
    )
    early = refusal(
        professional,
        dossier,
        registration(consent={"given_on": today - timedelta(days=2)}),
        [1],
    ).code
    share = chain.send_registration(
        access_to(professional, dossier.pk),
        registration(consent={"given_on": today - timedelta(days=1)}),
        [1],
    )
    assert (early, share.status) == ("consent_not_valid_for_age", ShareStatus.PENDING)


def test_no_page_of_the_aanmelding_shows_an_internal_identifier(
    professional: User, partners: Partners, registered: Share, login: Callable[..., Client]
) -> None:
    """The zorgcoördinatie's inbox, the sender's record of what was sent, and after
    acceptance both dossiers' pages (timeline, chain panel, advice) and the access log show
    no internal identifier."""
    zc = login(partners.coordinator)
    sender = login(professional)
    sender_id = registered.sender_dossier_id
    pages = [
        zc.get(reverse("chain:inbox")),
        sender.get(reverse("chain:sent", args=[sender_id, registered.pk])),
    ]
    opened = chain.accept(partners.coordinator, registered.pk)
    pages += [
        zc.get(reverse("dossiers:detail", args=[opened.pk])),
        zc.get(reverse("chain:share", args=[registered.pk])),
        sender.get(reverse("dossiers:detail", args=[sender_id])),
        sender.get(reverse("dossiers:access_log", args=[sender_id])),
        zc.get(reverse("dossiers:access_log", args=[opened.pk])),
    ]
    found = [leak for page in pages for leak in leaks(page.content.decode())]
    assert ([page.status_code for page in pages], found) == ([200] * 7, [])


def test_the_senders_timeline_says_the_zorgcoordinatie_accepted(
    professional: User, partners: Partners, registered: Share, login: Callable[..., Client]
) -> None:
    """After acceptance the sender's dossier page says, in Dutch, that the zorgcoördinatie
    accepted the aanmelding and holds casusregie."""
    chain.accept(partners.coordinator, registered.pk)
    page = (
        login(professional)
        .get(reverse("dossiers:detail", args=[registered.sender_dossier_id]))
        .content.decode()
    )
    assert (
        "nam de aanmelding aan; de casusregie ligt nu bij hen" in page,
        f"Casusregie: {partners.care.name}" in page,
    ) == (True, True)


def test_the_sender_may_withdraw_a_waiting_aanmelding(
    professional: User, registered: Share
) -> None:
    """Withdrawn before anyone picked it up: a new aanmelding may go from the dossier."""
    access = access_to(professional, registered.sender_dossier_id)
    chain.withdraw(access, registered.pk)
    chain.send_registration(
        access_to(professional, registered.sender_dossier_id), REGISTRATION, [1]
    )
    assert sorted(Share.objects.values_list("status", flat=True)) == [
        ShareStatus.PENDING,
        ShareStatus.WITHDRAWN,
    ]

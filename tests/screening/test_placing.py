"""The zorgcoördinator puts a case on the agenda of the screeningsoverleg (§2.1: "Indien
nodig zet de zorgcoördinator de signalen door naar het screeningsoverleg"): only what the
Veiligheidshuis registration pattern names goes (identity, reason, goal, partners), never
the dossier; it rests on the convenant (§2.1 Convenant), checked and logged on both sides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import Role, User
from baken.audit.models import AccessEvent
from baken.chain.models import ChainPartner, PartnerRole
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Entry, EntryKind
from baken.dossiers.selectors import access_to
from baken.notifications.models import Notification, NotificationKind
from baken.screening import services
from baken.screening.models import AgendaItem, Meeting
from tests.screening.conftest import REGISTRATION, Screening, place
from tests.web.stages import EVALUATION, seen


def test_the_item_carries_exactly_identity_reason_goal_and_partners(placed: AgendaItem) -> None:
    """The registration holds the four things of the Veiligheidshuis pattern, as typed,
    and nothing of the dossier."""
    assert AgendaItem.objects.get(pk=placed.pk).content == {
        "identity": {"name": "Persoon Proefnaam", "birth_date": "2008-03-14"},
        "reason": REGISTRATION.reason,
        "goal": REGISTRATION.goal,
        "partners": list(REGISTRATION.partners),
    }


def test_the_item_belongs_to_the_meeting_and_the_case(
    screening: Screening, placed: AgendaItem
) -> None:
    """The item is on the chosen meeting, brought by the zorgcoördinatie from its dossier,
    about the person in the chain."""
    from baken.chain.cases import case_of

    case = case_of(screening.zc_dossier)
    assert case is not None
    assert (
        placed.meeting_id,
        placed.brought_by_id,
        placed.brought_by_dossier_id,
        placed.chain_case_id,
        placed.placed_by_id,
    ) == (
        screening.meeting.pk,
        screening.chain.care.pk,
        screening.zc_dossier.pk,
        case.pk,
        screening.chain.coordinator.pk,
    )


def test_the_dossier_records_the_placing(screening: Screening, placed: AgendaItem) -> None:
    """The zorgcoördinator's dossier gets a SCREENING entry of the shared shape."""
    entry = Entry.objects.filter(dossier=screening.zc_dossier, kind=EntryKind.SCREENING).get()
    assert entry.data == {
        "event": "placed",
        "item": str(placed.pk),
        "meeting_on": timezone.localdate().isoformat(),
        "organisation": screening.safety_house.name,
    }


def test_the_placing_is_logged_on_both_sides_with_the_convenant(
    screening: Screening, placed: AgendaItem
) -> None:
    """One line on the dossier (the zorgcoördinator, purpose screening, basis:convenant) and
    one on the Veiligheidshuis' responsibility, naming the agenda item and the basis."""
    lines = [
        (e.responsible_organisation_id, e.dossier_id, e.code, e.purpose, e.detail, e.user_id)
        for e in AccessEvent.objects.filter(action="screening_placed").order_by("pk")
    ]
    assert lines == [
        (
            screening.chain.care.pk,
            screening.zc_dossier.pk,
            "E",
            "screening",
            "basis:convenant",
            screening.chain.coordinator.pk,
        ),
        (
            screening.safety_house.pk,
            None,
            "C",
            "screening",
            f"agenda:{placed.pk} basis:convenant",
            screening.chain.coordinator.pk,
        ),
    ]


def test_the_procesregisseurs_get_a_bericht(screening: Screening, placed: AgendaItem) -> None:
    """Both procesregisseurs of the Veiligheidshuis get a bericht linking to the item."""
    berichten = sorted(
        Notification.objects.filter(kind=NotificationKind.NEW_AGENDA_ITEM).values_list(
            "user__username", "url"
        )
    )
    url = f"/screening/agendapunt/{placed.pk}/"
    assert berichten == [
        ("proef-procesregisseur", url),
        ("proef-procesregisseur-2", url),
    ]


def test_a_case_not_in_the_chain_is_refused(
    screening: Screening, open_dossier: Callable[..., object]
) -> None:
    """A dossier the zorgcoördinator opened themselves is no person in the chain: the
    convenant's basis is not there (not_in_chain)."""
    own = open_dossier(screening.chain.coordinator)
    access = access_to(screening.chain.coordinator, own.pk)  # type: ignore[attr-defined]
    with pytest.raises(services.ScreeningRefused) as refused:
        services.place(access, screening.meeting.pk, REGISTRATION)
    assert (refused.value.code, AgendaItem.objects.count()) == ("not_in_chain", 0)


def test_without_a_linked_veiligheidshuis_it_is_refused(screening: Screening) -> None:
    """Without the Veiligheidshuis linked as the screening, nothing goes (no_partner)."""
    ChainPartner.objects.filter(partner=PartnerRole.SCREENING).delete()
    with pytest.raises(services.ScreeningRefused) as refused:
        place(screening)
    assert (refused.value.code, AgendaItem.objects.count()) == ("no_partner", 0)


def test_a_meeting_in_the_past_is_refused(screening: Screening) -> None:
    """Only an upcoming meeting takes new cases (no_meeting)."""
    Meeting.objects.filter(pk=screening.meeting.pk).update(
        held_on=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(services.ScreeningRefused) as refused:
        place(screening)
    assert refused.value.code == "no_meeting"


def test_a_meeting_of_another_veiligheidshuis_is_refused(screening: Screening) -> None:
    """A meeting of a Veiligheidshuis that is not the linked one takes no case."""
    other = Meeting.objects.create(
        organisation=screening.unlinked_safety_house,
        held_on=timezone.localdate(),
        chair=screening.unlinked_director,
        created_by=screening.unlinked_director,
        created_at=timezone.now(),
    )
    access = access_to(screening.chain.coordinator, screening.zc_dossier.pk)
    with pytest.raises(services.ScreeningRefused) as refused:
        services.place(access, other.pk, REGISTRATION)
    assert refused.value.code == "no_meeting"


def test_without_any_meeting_the_page_says_so(screening: Screening) -> None:
    """With no meeting planned, placement_blocked says no_meeting."""
    Meeting.objects.filter(pk=screening.meeting.pk).update(
        held_on=timezone.localdate() - timedelta(days=1)
    )
    access = access_to(screening.chain.coordinator, screening.zc_dossier.pk)
    assert services.placement_blocked(access) == "no_meeting"


def test_a_case_waiting_for_its_outcome_is_not_placed_twice(
    screening: Screening, placed: AgendaItem
) -> None:
    """While the case waits on an agenda without outcome, it is not put on again."""
    with pytest.raises(services.ScreeningRefused) as refused:
        place(screening)
    assert (refused.value.code, AgendaItem.objects.count()) == ("already_on_agenda", 1)


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("name", "name_missing"),
        ("reason", "reason_for_agenda_missing"),
        ("goal", "goal_missing"),
        ("partners", "partners_missing"),
    ],
)
def test_an_incomplete_registration_is_refused(screening: Screening, field: str, code: str) -> None:
    """Each of identity, reason, goal and partners is required."""
    empty: object = () if field == "partners" else "  "
    with pytest.raises(services.ScreeningRefused) as refused:
        place(screening, **{field: empty})
    assert refused.value.code == code


def test_a_closed_dossier_puts_nothing_on_the_agenda(screening: Screening) -> None:
    """From a closed dossier nothing more goes (closed)."""
    access = access_to(screening.chain.coordinator, screening.zc_dossier.pk)
    dossier_services.close_dossier(access, EVALUATION, seen_sequence=seen(screening.zc_dossier))
    with pytest.raises(services.ScreeningRefused) as refused:
        place(screening)
    assert refused.value.code == "closed"


def test_the_sender_of_the_melding_may_not_place(screening: Screening, professional: User) -> None:
    """The wijkteam's professional is in the chain too, but not the zorgcoördinatie: their
    dossier goes on no agenda (404)."""
    from baken.chain.models import Share

    share = Share.objects.filter(sender_dossier__isnull=False).first()
    assert share is not None
    access = access_to(professional, share.sender_dossier_id)
    with pytest.raises(Http404):
        services.place(access, screening.meeting.pk, REGISTRATION)


def test_a_colleague_outside_the_case_team_may_not_place(
    screening: Screening, make_user: Callable[..., User]
) -> None:
    """The zorgcoördinatie's aandachtsfunctionaris reads the dossier but is no case team:
    they do not put it on the agenda."""
    expert = make_user("zc-aandacht", Role.DESIGNATED_EXPERT, screening.chain.care)
    access = access_to(expert, screening.zc_dossier.pk)
    assert services.may_place(access) is False

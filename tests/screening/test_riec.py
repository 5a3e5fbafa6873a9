"""An inbreng in the RIEC (§2.2: "De ketenregisseur mensenhandel kan een casus inbrengen in
het RIEC-overleg"): when the outcome includes it, the procesregisseur's link goes to the
ketenregisseur of the municipality (§2.1), who records the day it was brought in; the
zorgcoördinator's dossier hears of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from baken.audit.models import AccessEvent
from baken.chain.models import ChainPartner, PartnerRole
from baken.dossiers.models import Entry, EntryKind
from baken.notifications.models import Notification, NotificationKind
from baken.screening import selectors, services
from baken.screening.models import AgendaItem
from tests.screening.conftest import Screening, tomorrow


def test_the_ketenregisseur_gets_a_bericht(screening: Screening, riec_outcome: AgendaItem) -> None:
    """The ketenregisseurs of the linked municipality get a bericht linking to the case."""
    assert list(
        Notification.objects.filter(kind=NotificationKind.FOR_THE_RIEC).values_list("user", "url")
    ) == [(screening.chain_director.pk, f"/screening/riec/{riec_outcome.pk}/")]


def test_the_hand_off_is_logged_on_both_sides(
    screening: Screening, riec_outcome: AgendaItem
) -> None:
    """The Veiligheidshuis' line and the municipality's, each with the agenda item and the
    convenant."""
    lines = [
        (e.responsible_organisation_id, e.detail)
        for e in AccessEvent.objects.filter(action="screening_to_riec").order_by("pk")
    ]
    detail = f"agenda:{riec_outcome.pk} basis:convenant"
    assert lines == [(screening.safety_house.pk, detail), (screening.municipality.pk, detail)]


def test_the_ketenregisseur_sees_only_the_riec_cases(
    screening: Screening, riec_outcome: AgendaItem
) -> None:
    """The RIEC list holds the items whose outcome includes the RIEC, nothing else."""
    items = selectors.riec_items(screening.decision(screening.chain_director), log=False)
    assert [i.pk for i in items] == [riec_outcome.pk]


def test_an_outcome_without_riec_is_not_for_the_ketenregisseur(
    screening: Screening, placed: AgendaItem
) -> None:
    """An MDO only: the ketenregisseur neither gets a bericht nor sees the case (404)."""
    services.record_outcome(
        screening.decision(screening.director), placed.pk, ["screening-mdo"], "", ""
    )
    decision = screening.decision(screening.chain_director)
    with pytest.raises(Http404):
        selectors.riec_item_for(decision, placed.pk)
    assert (
        selectors.riec_items(decision, log=False),
        Notification.objects.filter(kind=NotificationKind.FOR_THE_RIEC).count(),
    ) == ([], 0)


def test_reading_the_riec_cases_is_logged(screening: Screening, riec_outcome: AgendaItem) -> None:
    """The ketenregisseur's read of a registration is a line (code R) on the
    Veiligheidshuis' responsibility, by the municipality."""
    selectors.riec_items(screening.decision(screening.chain_director))
    line = AccessEvent.objects.filter(action="screening_item_opened").get()
    assert (
        line.code,
        line.user_id,
        line.organisation_id,
        line.responsible_organisation_id,
        line.detail,
    ) == (
        "R",
        screening.chain_director.pk,
        screening.municipality.pk,
        screening.safety_house.pk,
        f"agenda:{riec_outcome.pk} basis:convenant",
    )


def test_the_inbreng_is_recorded_and_reaches_the_dossier(
    screening: Screening, riec_outcome: AgendaItem
) -> None:
    """The day is recorded on the item, and the zorgcoördinator's dossier gets the riec
    entry of the shared shape, with a bericht to its case team."""
    today = timezone.localdate()
    services.record_riec(screening.decision(screening.chain_director), riec_outcome.pk, today)
    item = AgendaItem.objects.get(pk=riec_outcome.pk)
    entry = (
        Entry.objects.filter(dossier=screening.zc_dossier, kind=EntryKind.SCREENING)
        .order_by("-sequence")
        .first()
    )
    assert entry is not None
    assert (
        item.riec_on,
        item.riec_by_id,
        entry.data,
        list(
            Notification.objects.filter(kind=NotificationKind.BROUGHT_INTO_RIEC).values_list(
                "user", flat=True
            )
        ),
    ) == (
        today,
        screening.chain_director.pk,
        {
            "event": "riec",
            "item": str(riec_outcome.pk),
            "contributed_on": today.isoformat(),
            "organisation": screening.municipality.name,
            "from_organisation": screening.municipality.name,
        },
        [screening.chain.coordinator.pk],
    )


def test_the_inbreng_is_logged_on_both_sides(
    screening: Screening, riec_outcome: AgendaItem
) -> None:
    """The municipality's line, the Veiligheidshuis' and the transfer on the dossier, each
    with the convenant."""
    services.record_riec(
        screening.decision(screening.chain_director), riec_outcome.pk, timezone.localdate()
    )
    lines = [
        (e.responsible_organisation_id, e.dossier_id, e.detail)
        for e in AccessEvent.objects.filter(action="screening_riec").order_by("pk")
    ]
    detail = f"agenda:{riec_outcome.pk} basis:convenant"
    assert lines == [
        (screening.municipality.pk, None, detail),
        (screening.safety_house.pk, None, detail),
        (screening.chain.care.pk, screening.zc_dossier.pk, "basis:convenant"),
    ]


def test_the_inbreng_is_recorded_once(screening: Screening, riec_outcome: AgendaItem) -> None:
    """A second record says who did it first and when; the first day stands."""
    decision = screening.decision(screening.chain_director)
    first = services.record_riec(decision, riec_outcome.pk, timezone.localdate())
    with pytest.raises(services.AlreadyRecorded) as recorded:
        services.record_riec(decision, riec_outcome.pk, timezone.localdate())
    assert (recorded.value.by, recorded.value.at) == (screening.chain_director, first.riec_at)


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (tomorrow, "date_in_future"),
        (lambda: timezone.localdate() - timedelta(days=1), "before_the_screening"),
    ],
)
def test_an_impossible_day_is_refused(
    screening: Screening, riec_outcome: AgendaItem, day: object, code: str
) -> None:
    """Not in the future, and not before the screening that decided on it."""
    with pytest.raises(services.ScreeningRefused) as refused:
        services.record_riec(
            screening.decision(screening.chain_director),
            riec_outcome.pk,
            day(),  # type: ignore[operator]
        )
    assert refused.value.code == code


def test_riec_without_a_linked_municipality_is_refused(
    screening: Screening, placed: AgendaItem
) -> None:
    """Without a ketenregisseur in Baken the RIEC outcome cannot reach them
    (no_chain_director); nothing is recorded."""
    ChainPartner.objects.filter(partner=PartnerRole.CHAIN_DIRECTOR).delete()
    with pytest.raises(services.ScreeningRefused) as refused:
        services.record_outcome(
            screening.decision(screening.director), placed.pk, ["screening-riec"], "", ""
        )
    assert (refused.value.code, AgendaItem.objects.get(pk=placed.pk).outcome_at) == (
        "no_chain_director",
        None,
    )


def test_the_procesregisseur_does_not_record_the_inbreng(
    screening: Screening, riec_outcome: AgendaItem
) -> None:
    """Only the ketenregisseur records it (404 for the procesregisseur)."""
    with pytest.raises(Http404):
        services.record_riec(
            screening.decision(screening.director), riec_outcome.pk, timezone.localdate()
        )

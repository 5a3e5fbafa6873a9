"""The screening's outcome per case (§2.2): one or more of an MDO, coordination with
justice, an inbreng in the RIEC, or no further action with its reason; recorded once by
the procesregisseur, and sent back to whoever brought the case in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from baken.audit.models import AccessEvent
from baken.dossiers.models import Entry, EntryKind
from baken.notifications.models import Notification, NotificationKind
from baken.screening import services
from baken.screening.models import AgendaItem, Meeting
from tests.screening.conftest import Screening


def record(
    screening: Screening, item: AgendaItem, outcomes: list[str], reason: str = ""
) -> AgendaItem:
    return services.record_outcome(
        screening.decision(screening.director), item.pk, outcomes, reason, "Notitie"
    )


def test_the_outcome_is_recorded_on_the_item(screening: Screening, placed: AgendaItem) -> None:
    """The outcomes (in the protocol's order), the note, who and when."""
    record(screening, placed, ["screening-justitie", "screening-mdo"])
    item = AgendaItem.objects.get(pk=placed.pk)
    assert (item.outcomes, item.outcome_note, item.outcome_by_id, item.for_riec) == (
        ["screening-mdo", "screening-justitie"],
        "Notitie",
        screening.director.pk,
        False,
    )


def test_no_further_action_without_a_reason_is_refused(
    screening: Screening, placed: AgendaItem
) -> None:
    """ "Geen verdere actie" needs its reason: nothing is recorded without one."""
    with pytest.raises(services.ScreeningRefused) as refused:
        record(screening, placed, ["screening-geen-vervolg"], "  ")
    assert (refused.value.code, AgendaItem.objects.get(pk=placed.pk).outcome_at) == (
        "reason_missing",
        None,
    )


def test_no_further_action_with_a_reason_is_recorded(
    screening: Screening, placed: AgendaItem
) -> None:
    """With its reason, "no further action" is recorded, the reason kept."""
    record(screening, placed, ["screening-geen-vervolg"], "Signalen niet bevestigd")
    item = AgendaItem.objects.get(pk=placed.pk)
    assert (item.outcomes, item.outcome_reason) == (
        ["screening-geen-vervolg"],
        "Signalen niet bevestigd",
    )


def test_no_further_action_beside_another_outcome_is_refused(
    screening: Screening, placed: AgendaItem
) -> None:
    """ "No further action" and an MDO contradict each other (contradictory)."""
    with pytest.raises(services.ScreeningRefused) as refused:
        record(screening, placed, ["screening-mdo", "screening-geen-vervolg"], "Waarom")
    assert refused.value.code == "contradictory"


@pytest.mark.parametrize(
    ("outcomes", "code"), [([], "outcome_missing"), (["screening-onbekend"], "unknown_outcome")]
)
def test_an_outcome_outside_the_protocol_is_refused(
    screening: Screening, placed: AgendaItem, outcomes: list[str], code: str
) -> None:
    """At least one outcome, and only the protocol's."""
    with pytest.raises(services.ScreeningRefused) as refused:
        record(screening, placed, outcomes)
    assert refused.value.code == code


def test_a_second_outcome_is_refused_and_says_who_and_when(
    screening: Screening, placed: AgendaItem
) -> None:
    """The outcome is recorded once: the second procesregisseur is told who did it first,
    and the first outcome stands."""
    first = record(screening, placed, ["screening-mdo"])
    with pytest.raises(services.AlreadyRecorded) as recorded:
        services.record_outcome(
            screening.decision(screening.second_director),
            placed.pk,
            ["screening-justitie"],
            "",
            "",
        )
    assert (
        recorded.value.by,
        recorded.value.at,
        AgendaItem.objects.get(pk=placed.pk).outcomes,
    ) == (screening.director, first.outcome_at, ["screening-mdo"])


def test_the_outcome_lands_in_the_zorgcoordinators_dossier(
    screening: Screening, placed: AgendaItem
) -> None:
    """A SCREENING entry of the shared shape, under the Veiligheidshuis' name."""
    record(screening, placed, ["screening-geen-vervolg"], "Signalen niet bevestigd")
    entry = (
        Entry.objects.filter(dossier=screening.zc_dossier, kind=EntryKind.SCREENING)
        .order_by("-sequence")
        .first()
    )
    assert entry is not None
    assert entry.data == {
        "event": "outcome",
        "item": str(placed.pk),
        "meeting_on": timezone.localdate().isoformat(),
        "organisation": screening.safety_house.name,
        "outcomes": ["screening-geen-vervolg"],
        "reason": "Signalen niet bevestigd",
        "note": "Notitie",
        "from_organisation": screening.safety_house.name,
    }


def test_the_zorgcoordinators_engine_gets_the_outcome(
    screening: Screening, placed: AgendaItem
) -> None:
    """The dossier's situation carries the screening's outcome for the route (§2.1)."""
    from baken.dossiers.selectors import access_to, state_of

    record(screening, placed, ["screening-mdo", "screening-justitie"])
    state = state_of(access_to(screening.chain.coordinator, screening.zc_dossier.pk))
    assert state.situation.screening_outcomes == frozenset({"screening-mdo", "screening-justitie"})


def test_the_case_team_gets_a_bericht(screening: Screening, placed: AgendaItem) -> None:
    """The zorgcoördinator (the dossier's case team) gets a bericht linking to the entry."""
    record(screening, placed, ["screening-mdo"])
    entry = Entry.objects.filter(dossier=screening.zc_dossier).order_by("-sequence").first()
    assert entry is not None
    assert list(
        Notification.objects.filter(kind=NotificationKind.SCREENING_OUTCOME).values_list(
            "user", "url"
        )
    ) == [
        (
            screening.chain.coordinator.pk,
            f"/dossiers/{screening.zc_dossier.pk}/#regel-{entry.sequence}",
        )
    ]


def test_the_outcome_is_logged_on_both_sides_with_the_convenant(
    screening: Screening, placed: AgendaItem
) -> None:
    """A line on the Veiligheidshuis' responsibility and a transfer line on the dossier,
    both with basis:convenant."""
    record(screening, placed, ["screening-mdo"])
    lines = [
        (e.responsible_organisation_id, e.dossier_id, e.purpose, e.detail, e.case_team)
        for e in AccessEvent.objects.filter(action="screening_outcome").order_by("pk")
    ]
    assert lines == [
        (
            screening.safety_house.pk,
            None,
            "screening",
            f"agenda:{placed.pk} basis:convenant",
            False,
        ),
        (screening.chain.care.pk, screening.zc_dossier.pk, "screening", "basis:convenant", False),
    ]


def test_an_outcome_before_the_meeting_is_refused(screening: Screening, placed: AgendaItem) -> None:
    """A meeting that has not taken place has no outcome yet (meeting_not_held)."""
    Meeting.objects.filter(pk=screening.meeting.pk).update(
        held_on=timezone.localdate() + timedelta(days=2)
    )
    with pytest.raises(services.ScreeningRefused) as refused:
        record(screening, placed, ["screening-mdo"])
    assert refused.value.code == "meeting_not_held"


def test_a_procesregisseur_of_an_unlinked_veiligheidshuis_records_nothing(
    screening: Screening, placed: AgendaItem
) -> None:
    """The other Veiligheidshuis' procesregisseur has no standing: the decision is none."""
    from baken.screening.access import decide

    assert decide(screening.unlinked_director) is None


def test_the_ketenregisseur_does_not_record_the_outcome(
    screening: Screening, placed: AgendaItem
) -> None:
    """Only the procesregisseur records the outcome (404 for the ketenregisseur)."""
    with pytest.raises(Http404):
        services.record_outcome(
            screening.decision(screening.chain_director), placed.pk, ["screening-mdo"], "", ""
        )


def test_the_outcome_reads_with_titles_in_the_timeline(
    screening: Screening, placed: AgendaItem, protocol: object
) -> None:
    """The timeline shows the outcome's titles and the Dutch date, never the ids."""
    from django.utils.formats import date_format
    from django.utils.translation import override

    from baken.dossiers.presenters import rows
    from baken.dossiers.selectors import protocol_of

    record(screening, placed, ["screening-mdo", "screening-riec"])
    entry = Entry.objects.filter(dossier=screening.zc_dossier).order_by("-sequence").first()
    assert entry is not None
    with override("nl"):
        shown = [(r.label, r.value) for r in rows(entry, protocol_of(screening.zc_dossier))]
        today = date_format(timezone.localdate())
    assert shown == [
        ("Screeningsoverleg", screening.safety_house.name),
        ("Datum van het screeningsoverleg", today),
        ("Uitkomst", "Een MDO in het Veiligheidshuis, Inbreng in het RIEC"),
        ("Reden", "—"),
        ("Toelichting", "Notitie"),
    ]


def test_who_looked_names_the_veiligheidshuis_not_the_person(
    screening: Screening, placed: AgendaItem
) -> None:
    """In the zorgcoördinator's "Wie keek er", the outcome's line names the
    Veiligheidshuis (with the role), not its procesregisseur."""
    from baken.dossiers.selectors import access_lines

    record(screening, placed, ["screening-mdo"])
    line = next(
        line
        for line in access_lines(screening.zc_dossier)
        if line.event.action == "screening_outcome"
    )
    assert (line.user_name, line.role_label) == (
        screening.safety_house.name,
        "Procesregisseur mensenhandel",
    )

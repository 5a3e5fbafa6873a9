"""The intake (§2.2): the person's needs and questions, what they were informed about, the
day; recorded again, the newer intake supersedes the older; refused with a reason when it
cannot be recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.chain import trajectory
from baken.chain.trajectory_selectors import trajectory_of
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Dossier, EntryKind
from baken.dossiers.selectors import access_to, protocol_of
from tests.trajectory.conftest import INTAKE, Chain, days_ago
from tests.web.stages import EVALUATION


def zc(chain: Chain) -> Dossier:
    return Dossier.objects.get(pk=chain.zc.pk)


def record(chain: Chain, intake: trajectory.IntakeDetails = INTAKE) -> None:
    trajectory.record_intake(access_to(chain.partners.coordinator, chain.zc.pk), intake)


def refusal(chain: Chain, intake: trajectory.IntakeDetails) -> str:
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        record(chain, intake)
    return refused.value.code


def test_the_intake_is_an_entry_of_the_trajectory_dossier(forwarded: Chain) -> None:
    """The intake lands as an INTAKE entry with the day, the needs, the topics and the note."""
    entry = trajectory.record_intake(
        access_to(forwarded.partners.coordinator, forwarded.zc.pk), INTAKE
    )
    assert (entry.kind, entry.data) == (
        EntryKind.INTAKE,
        {
            "held_on": days_ago(1).isoformat(),
            "needs": "Veilige opvang en hulp bij de verblijfsvergunning",
            "informed": ["informatie-strafrecht", "informatie-verblijfsrecht"],
            "note": "Gesprek met tolk",
        },
    )


def test_the_intake_is_logged_in_the_dossier(forwarded: Chain) -> None:
    """One access-log line: the zorgcoördinator added an entry, with its number."""
    entry = trajectory.record_intake(
        access_to(forwarded.partners.coordinator, forwarded.zc.pk), INTAKE
    )
    line = AccessEvent.objects.filter(dossier_id=forwarded.zc.pk).order_by("-pk")[0]
    assert (line.action, line.entry_sequence, line.user_id) == (
        "entry_added",
        entry.sequence,
        forwarded.partners.coordinator.pk,
    )


def test_a_newer_intake_supersedes_the_older(forwarded: Chain) -> None:
    """The trajectory shows the latest intake; it counts both."""
    record(forwarded)
    record(forwarded, replace(INTAKE, needs="Alleen nog een uitkering", informed=[]))
    current = trajectory_of(zc(forwarded), protocol_of(forwarded.zc))
    assert current.intake is not None
    assert (current.intake.needs, current.intake.informed, current.intakes) == (
        "Alleen nog een uitkering",
        [],
        2,
    )


def test_the_trajectory_shows_the_topics_by_their_titles(forwarded: Chain) -> None:
    """The topics read as the protocol's titles, in the protocol's order."""
    record(forwarded, replace(INTAKE, informed=["informatie-zorgaanbod", "informatie-strafrecht"]))
    current = trajectory_of(zc(forwarded), protocol_of(forwarded.zc))
    assert current.intake is not None
    assert current.intake.informed == ["Strafrecht", "Zorgaanbod"]


def test_an_intake_in_the_future_is_refused(forwarded: Chain) -> None:
    """An intake cannot be held tomorrow."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert refusal(forwarded, replace(INTAKE, held_on=tomorrow)) == "future_date"


def test_an_intake_without_needs_is_refused(forwarded: Chain) -> None:
    """The needs and questions are what the intake is for."""
    assert refusal(forwarded, replace(INTAKE, needs="  ")) == "needs_missing"


def test_an_unknown_topic_is_refused(forwarded: Chain) -> None:
    """Only the protocol's information topics can be ticked."""
    assert refusal(forwarded, replace(INTAKE, informed=["informatie-belasting"])) == (
        "unknown_topic"
    )


def test_a_volunteer_does_not_record_the_intake(forwarded: Chain, zc_volunteer: User) -> None:
    """A volunteer in the case team reads the trajectory but is told why they cannot record."""
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.record_intake(access_to(zc_volunteer, forwarded.zc.pk), INTAKE)
    assert refused.value.code == "volunteer"


def test_a_reader_who_does_not_record_gets_404(forwarded: Chain, reader: User) -> None:
    """A break-glass reader may read the dossier, not record in it: 404."""
    with pytest.raises(Http404):
        trajectory.record_intake(access_to(reader, forwarded.zc.pk), INTAKE)


def test_a_dossier_that_is_not_a_trajectory_dossier_gets_404(
    forwarded: Chain, professional: User
) -> None:
    """The wijkteam's own dossier in the case has no trajectory: 404."""
    with pytest.raises(Http404):
        trajectory.record_intake(access_to(professional, forwarded.sender.pk), INTAKE)


def test_a_closed_dossier_takes_no_intake(forwarded: Chain) -> None:
    """After the zorgcoördinator closed the dossier, nothing more is recorded in it."""
    coordinator = forwarded.partners.coordinator
    dossier_services.close_dossier(
        access_to(coordinator, forwarded.zc.pk),
        EVALUATION,
        seen_sequence=zc(forwarded).last_sequence,
    )
    assert refusal(forwarded, INTAKE) == "closed"


def test_a_closed_trajectory_takes_no_intake(forwarded: Chain) -> None:
    """After closing the trajectory, the intake is read-only."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    trajectory.close_trajectory(access, trajectory.Closing("traject-overgedragen", days_ago(0), ""))
    assert refusal(forwarded, INTAKE) == "trajectory_closed"

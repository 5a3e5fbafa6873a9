"""Closing the trajectory with an outcome of the protocol; afterwards it is read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import User
from baken.chain import trajectory
from baken.chain.trajectory_selectors import trajectory_of
from baken.dossiers.models import Dossier, EntryKind
from baken.dossiers.selectors import access_to, protocol_of
from tests.trajectory.conftest import Chain, days_ago

DONE = trajectory.Closing("traject-afgerond-doelen", days_ago(1), "Alle hulpvragen beantwoord")


def close(chain: Chain, closing: trajectory.Closing = DONE, user: User | None = None) -> None:
    access = access_to(user or chain.partners.coordinator, chain.zc.pk)
    trajectory.close_trajectory(access, closing)


def refusal(chain: Chain, closing: trajectory.Closing, user: User | None = None) -> str:
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        close(chain, closing, user)
    return refused.value.code


def test_closing_writes_the_outcome(forwarded: Chain) -> None:
    """A TRAJECTORY_CLOSED entry with the outcome, the day and the note."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    entry = trajectory.close_trajectory(access, DONE)
    assert (entry.kind, entry.data) == (
        EntryKind.TRAJECTORY_CLOSED,
        {
            "outcome": "traject-afgerond-doelen",
            "closed_on": days_ago(1).isoformat(),
            "note": "Alle hulpvragen beantwoord",
        },
    )


def test_the_trajectory_reads_as_closed_with_the_outcome_title(forwarded: Chain) -> None:
    """The selector says closed, with the protocol's title of the outcome and the day."""
    close(forwarded)
    dossier = Dossier.objects.get(pk=forwarded.zc.pk)
    closing = trajectory_of(dossier, protocol_of(dossier)).closing
    assert closing is not None
    assert (closing.outcome_title, closing.closed_on) == (
        "Afgerond, de hulpvragen zijn beantwoord",
        days_ago(1),
    )


def test_closing_leaves_the_dossier_open(forwarded: Chain) -> None:
    """The trajectory closes, not the dossier (that has its own evaluation)."""
    close(forwarded)
    assert Dossier.objects.get(pk=forwarded.zc.pk).is_open is True


def test_closing_twice_is_refused(forwarded: Chain) -> None:
    """A closed trajectory is not closed again."""
    close(forwarded)
    assert refusal(forwarded, DONE) == "trajectory_closed"


def test_an_unknown_outcome_is_refused(forwarded: Chain) -> None:
    """Only the protocol's outcomes."""
    assert refusal(forwarded, trajectory.Closing("traject-onbekend", days_ago(0))) == (
        "unknown_outcome"
    )


def test_closing_tomorrow_is_refused(forwarded: Chain) -> None:
    """The day closed cannot be in the future."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert refusal(forwarded, trajectory.Closing("traject-gestopt", tomorrow)) == "future_date"


def test_a_volunteer_does_not_close(forwarded: Chain, zc_volunteer: User) -> None:
    """Closing is for a professional."""
    assert refusal(forwarded, DONE, zc_volunteer) == "volunteer"


def test_a_reader_cannot_close(forwarded: Chain, reader: User) -> None:
    """A break-glass reader records nothing: 404."""
    with pytest.raises(Http404):
        close(forwarded, DONE, reader)

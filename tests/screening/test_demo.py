"""The screening's part of ``baken demo``: a case on today's agenda, its outcome sent
back and brought into the RIEC, through the real services."""

from __future__ import annotations

from baken.dossiers.models import Entry, EntryKind
from baken.screening.demo import fill_screening
from tests.screening.conftest import Screening


def test_the_demo_screening_reaches_the_dossier(screening: Screening) -> None:
    """The zorgcoördinator's dossier holds placed, outcome and riec, in that order."""
    fill_screening(
        screening.chain.coordinator,
        screening.zc_dossier,
        screening.director,
        screening.chain_director,
    )
    events = [
        entry.data["event"]
        for entry in Entry.objects.filter(
            dossier=screening.zc_dossier, kind=EntryKind.SCREENING
        ).order_by("sequence")
    ]
    assert events == ["placed", "outcome", "riec"]

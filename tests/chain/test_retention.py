"""Retention and the chain: purging the sender's closed dossier keeps what Veilig Thuis
received (the share and its snapshot are the recipient's record), without the reference to
the purged dossier; and news that arrives after the purge is dropped, not an error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from baken.accounts.models import User
from baken.chain import services as chain
from baken.chain.models import Share, Snapshot
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Dossier
from baken.dossiers.retention import purge
from baken.dossiers.selectors import access_to
from tests.chain.conftest import REPORT, Partners
from tests.web.stages import EVALUATION, seen

FAR_FUTURE = timedelta(days=366 * 40)
"""Well past any retention term."""


@pytest.fixture
def purged(professional: User, partners: Partners, reported: Share) -> Share:
    """The melding accepted, the sender's dossier closed and purged at the end of its term."""
    chain.accept_report(partners.adviser, reported.pk)
    dossier = Dossier.objects.get(pk=reported.sender_dossier_id)
    dossier_services.close_dossier(
        access_to(professional, dossier.pk), EVALUATION, seen_sequence=seen(dossier)
    )
    result = purge(now=timezone.now() + FAR_FUTURE)
    assert [d.dossier_id for d in result.dossiers] == [dossier.pk]
    return Share.objects.get(pk=reported.pk)


def test_the_share_stays_without_the_purged_dossier(purged: Share) -> None:
    """The share is kept, its sender dossier emptied."""
    assert (Share.objects.filter(pk=purged.pk).exists(), purged.sender_dossier_id) == (
        True,
        None,
    )


def test_the_snapshot_stays_as_sent(purged: Share) -> None:
    """The snapshot still holds what was sent (the reporter's phone, for one)."""
    assert Snapshot.objects.get(share=purged).content["reporter"]["phone"] == (
        REPORT.reporter_phone
    )


def test_veilig_thuiss_dossier_stays(purged: Share) -> None:
    """Veilig Thuis's own dossier, still open, is not purged with the sender's."""
    assert Dossier.objects.filter(pk=purged.receiving_dossier_id).exists()


def test_feedback_after_the_purge_is_kept_on_veilig_thuiss_side_only(
    partners: Partners, purged: Share
) -> None:
    """Feedback given after the sender's dossier is gone is recorded in Veilig Thuis's
    dossier; nothing is written elsewhere, and nothing fails."""
    access = access_to(partners.adviser, purged.receiving_dossier_id)
    entry = chain.give_feedback(
        access, chain.Feedback("after_investigation", False, "Wijkteam Proef-Noord", "")
    )
    assert entry.dossier_id == purged.receiving_dossier_id


def test_a_share_of_no_dossier_any_more_is_purged_with_its_snapshot(
    professional: User, partners: Partners, reported: Share
) -> None:
    """A declined melding belongs only to the sender's dossier: when that is purged, the
    share and its snapshot go too (purge_orphaned_shares, run by baken purge), with an
    access-log line on the recipient's responsibility."""
    from baken.audit.models import AccessEvent

    chain.decline(partners.adviser, reported.pk, "Andere regio")
    dossier = Dossier.objects.get(pk=reported.sender_dossier_id)
    dossier_services.close_dossier(
        access_to(professional, dossier.pk), EVALUATION, seen_sequence=seen(dossier)
    )
    purge(now=timezone.now() + FAR_FUTURE)
    would = chain.purge_orphaned_shares(dry_run=True)
    done = chain.purge_orphaned_shares()
    line = AccessEvent.objects.filter(action="purged", detail=f"share:{reported.pk}").get()
    assert (
        would,
        done,
        Share.objects.filter(pk=reported.pk).exists(),
        Snapshot.objects.filter(share_id=reported.pk).exists(),
        line.responsible_organisation_id,
    ) == (1, 1, False, False, partners.vt.pk)


def test_an_accepted_melding_stays_while_veilig_thuis_keeps_its_dossier(purged: Share) -> None:
    """The accepted melding's share still belongs to Veilig Thuis' dossier: nothing is
    purged."""
    assert (chain.purge_orphaned_shares(), Share.objects.filter(pk=purged.pk).exists()) == (
        0,
        True,
    )

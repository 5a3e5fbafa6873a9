"""Two advisers acting on one share at once: one wins, the other is told (Handled), and
nothing is done twice. The share is locked for the transaction (a row lock on PostgreSQL;
SQLite serialises writers)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from baken.chain import services as chain
from baken.chain.models import Share
from baken.dossiers.models import Dossier, Entry, EntryKind
from tests.chain.conftest import Partners


def at_once(*actions: Callable[[], object]) -> list[str]:
    """Run ``actions`` in threads released together; each ends "done" or "handled"
    (anything else fails the test). SQLite's "database is locked" is retried, as a
    user would press the button again."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            for _ in range(50):
                try:
                    action()
                    outcomes.append("done")
                    return
                except chain.Handled:
                    outcomes.append("handled")
                    return
                except Exception as exc:  # SQLite under contention
                    if "locked" not in str(exc):
                        raise
            raise RuntimeError("still locked after 50 tries")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_advisers_accepting_at_once_open_one_dossier(
    partners: Partners, reported: Share
) -> None:
    """Both accept at the same moment: one opens Veilig Thuis's dossier, the other gets
    Handled, and Veilig Thuis holds exactly one dossier."""
    outcomes = at_once(
        lambda: chain.accept_report(partners.adviser, reported.pk),
        lambda: chain.accept_report(partners.second_adviser, reported.pk),
    )
    assert (outcomes, Dossier.objects.filter(organisation=partners.vt).count()) == (
        ["done", "handled"],
        1,
    )


@pytest.mark.django_db(transaction=True)
def test_an_acceptance_and_a_decline_at_once_leave_one_outcome(
    partners: Partners, reported: Share
) -> None:
    """One adviser accepts while the other declines: the sender's dossier is told one
    thing, not both."""
    at_once(
        lambda: chain.accept_report(partners.adviser, reported.pk),
        lambda: chain.decline(partners.second_adviser, reported.pk, "Andere regio"),
    )
    events = Entry.objects.filter(
        dossier_id=reported.sender_dossier_id, kind=EntryKind.CHAIN_STATUS
    ).count()
    assert events == 1


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_give_one_consultation(partners: Partners, asked: Share) -> None:
    """Two advisers answer one advice request at once: one consultation lands."""
    at_once(
        lambda: chain.answer_advice(partners.adviser, asked.pk, "Eerste"),
        lambda: chain.answer_advice(partners.second_adviser, asked.pk, "Tweede"),
    )
    consultations = Entry.objects.filter(
        dossier_id=asked.sender_dossier_id, kind=EntryKind.CONSULTATION
    ).count()
    assert consultations == 1

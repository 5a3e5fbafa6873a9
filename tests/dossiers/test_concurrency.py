"""Two people on one dossier never overwrite each other; the second keeps what they typed."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers import services
from baken.dossiers.models import Dossier, Entry
from baken.dossiers.selectors import access_to

STEPS_1_TO_3 = [
    (
        "observation",
        {"nature": "fact", "observed_on": "2026-11-20", "source": "mentor", "description": "x"},
    ),
    ("consultation", {"consulted": "colleague", "held_on": "2026-11-20", "advice": "y"}),
    (
        "conversation",
        {
            "held": "no",
            "not_held_reason": "niet veilig",
            "consent_to_involve": "not_asked",
            "consent_to_report": "not_asked",
        },
    ),
]


def weighing_post(seen: int, q2: str, motivation: str) -> dict[str, object]:
    data: dict[str, object] = {
        "weighing-seen": seen,
        "weighing-expert_consulted": "aandachtsfunctionaris",
        "weighing-discussed_with_person": "no",
        "weighing-q1": "yes",
        "weighing-q2": q2,
        "weighing-q3": "yes",
        "weighing-q4": "yes",
        "weighing-q5": "yes",
    }
    data.update({f"weighing-q{n}_motivation": motivation for n in range(1, 6)})
    return data


@pytest.fixture
def shared(professional: User, colleague: User, open_dossier: Callable[..., Dossier]) -> Dossier:
    dossier = open_dossier()
    for sequence, (kind, data) in enumerate(STEPS_1_TO_3):
        services.record(access_to(professional, dossier.pk), kind, data, seen_sequence=sequence)
    services.add_colleague(access_to(professional, dossier.pk), colleague.pk, seen_sequence=3)
    dossier.refresh_from_db()
    return dossier


def test_the_second_weighing_saved_from_an_old_form_is_refused_and_kept_in_the_form(
    shared: Dossier, professional: User, colleague: User, login: Callable[[User], Client]
) -> None:
    """Both open step 4 at the same moment; the first saves; the second gets 409, a Dutch
    message naming the colleague, their own text still in the form, and nothing overwritten."""
    seen = shared.last_sequence
    url = reverse("dossiers:record", args=[shared.pk, "weighing"])
    first = login(professional).post(url, weighing_post(seen, "no", "Eerste afweging"))
    assert first.status_code == 302
    second = login(colleague).post(url, weighing_post(seen, "yes", "Mijn eigen afweging"))
    assert second.status_code == 409
    body = second.content.decode()
    assert "Mijn eigen afweging" in body
    assert "proef-professional" in body and "overschreven" in body
    weighings = Entry.objects.filter(dossier=shared, kind="weighing")
    assert [w.data["motivations"]["q1"] for w in weighings] == ["Eerste afweging"]
    # Saving again from the re-shown form (which now carries the new sequence) works.
    again = login(colleague).post(
        url, weighing_post(shared.entries.count(), "yes", "Mijn eigen afweging")
    )
    assert again.status_code == 302
    assert Entry.objects.filter(dossier=shared, kind="weighing").count() == 2


def test_two_corrections_of_one_entry_cannot_both_stand(
    shared: Dossier, professional: User, colleague: User
) -> None:
    """The second correction of entry #1, made from the same old state, is refused."""
    data = {**STEPS_1_TO_3[0][1], "description": "gecorrigeerd"}
    services.record(
        access_to(professional, shared.pk),
        "observation",
        data,
        seen_sequence=4,
        corrects=1,
        reason="a",
    )
    with pytest.raises(services.StaleEdit) as stale:
        services.record(
            access_to(colleague, shared.pk),
            "observation",
            data,
            seen_sequence=4,
            corrects=1,
            reason="b",
        )
    assert stale.value.entry.author == professional


def test_additions_from_an_old_form_are_kept_not_refused(
    shared: Dossier, professional: User, colleague: User
) -> None:
    """Two observations added from forms opened at the same time are both kept, in order."""
    data = STEPS_1_TO_3[0][1]
    first = services.record(
        access_to(professional, shared.pk), "observation", data, seen_sequence=4
    )
    second = services.record(access_to(colleague, shared.pk), "observation", data, seen_sequence=4)
    assert (first.sequence, second.sequence) == (5, 6)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_writers_get_unique_gapless_sequence_numbers(
    professional: User, open_dossier: Callable[..., Dossier]
) -> None:
    """Eight threads adding at once: eight entries numbered 1..8, none lost (row lock on
    PostgreSQL; SQLite serialises writers)."""
    dossier = open_dossier()
    errors: list[BaseException] = []
    data = STEPS_1_TO_3[0][1]

    def add() -> None:
        try:
            for _ in range(20):
                try:
                    services.record(
                        access_to(professional, dossier.pk), "observation", data, seen_sequence=0
                    )
                    return
                except services.StaleEdit:
                    continue
                except Exception as exc:  # SQLite: "database is locked" under contention
                    if "locked" not in str(exc):
                        raise
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(Entry.objects.filter(dossier=dossier).values_list("sequence", flat=True))
    assert numbers == list(range(1, 9))

"""One decision per request (:mod:`baken.screening.access`): the procesregisseur of the
linked Veiligheidshuis, the ketenregisseur of the linked municipality, or nobody. Every
screening URL answers 404 to whoever it is not for: a third organisation, the other
screening role, the procesregisseur of a Veiligheidshuis that is not linked, and the
dossier roles; the procesregisseur and the ketenregisseur open no dossier."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.screening.access import Standing, decide
from baken.screening.models import AgendaItem
from tests.screening.conftest import Screening


def test_the_procesregisseur_of_the_linked_veiligheidshuis(screening: Screening) -> None:
    """Their standing, their organisation and the agenda's Veiligheidshuis."""
    decision = decide(screening.director)
    assert decision is not None
    assert (decision.standing, decision.organisation, decision.safety_house) == (
        Standing.PROCESS_DIRECTOR,
        screening.safety_house,
        screening.safety_house,
    )


def test_the_ketenregisseur_of_the_linked_municipality(screening: Screening) -> None:
    """Their standing, the municipality, and the linked Veiligheidshuis whose outcomes
    reach them."""
    decision = decide(screening.chain_director)
    assert decision is not None
    assert (decision.standing, decision.organisation, decision.safety_house) == (
        Standing.CHAIN_DIRECTOR,
        screening.municipality,
        screening.safety_house,
    )


def test_everyone_else_is_nobody(screening: Screening, professional: User) -> None:
    """The zorgcoördinator, the Veilig Thuis adviser, the professional and a procesregisseur
    of an unlinked Veiligheidshuis have no standing for the screening."""
    people = [
        screening.chain.coordinator,
        screening.chain.adviser,
        professional,
        screening.unlinked_director,
    ]
    assert [decide(user) for user in people] == [None, None, None, None]


def test_a_deactivated_procesregisseur_is_nobody(screening: Screening) -> None:
    """An inactive user has no standing."""
    screening.director.is_active = False
    screening.director.save(update_fields=["is_active"])
    assert decide(screening.director) is None


PROCESS_DIRECTOR_URLS: list[Callable[[Screening, AgendaItem], str]] = [
    lambda s, i: reverse("screening:meetings"),
    lambda s, i: reverse("screening:meeting_new"),
    lambda s, i: reverse("screening:meeting", args=[s.meeting.pk]),
    lambda s, i: reverse("screening:item", args=[i.pk]),
]
CHAIN_DIRECTOR_URLS: list[Callable[[Screening, AgendaItem], str]] = [
    lambda s, i: reverse("screening:riec"),
    lambda s, i: reverse("screening:riec_item", args=[i.pk]),
]
PLACE_URL: Callable[[Screening, AgendaItem], str] = lambda s, i: reverse(  # noqa: E731
    "screening:place", args=[s.zc_dossier.pk]
)
ALL_URLS = [*PROCESS_DIRECTOR_URLS, *CHAIN_DIRECTOR_URLS, PLACE_URL]


def people(screening: Screening, who: str) -> User:
    return {
        "director": screening.director,
        "chain_director": screening.chain_director,
        "unlinked_director": screening.unlinked_director,
        "coordinator": screening.chain.coordinator,
        "adviser": screening.chain.adviser,
        "school": screening.chain.school_professional,
    }[who]


ALLOWED = {
    "director": set(range(len(PROCESS_DIRECTOR_URLS))),
    "chain_director": {len(PROCESS_DIRECTOR_URLS) + n for n in range(len(CHAIN_DIRECTOR_URLS))},
    "coordinator": {len(ALL_URLS) - 1},
    "unlinked_director": set(),
    "adviser": set(),
    "school": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_who_may_open_which_screening_url(
    screening: Screening,
    riec_outcome: AgendaItem,
    login: Callable[..., Client],
    who: str,
) -> None:
    """Each screening URL answers 200 exactly to the user it is for, 404 to everyone
    else (the other screening role, an unlinked Veiligheidshuis, Veilig Thuis, a school)."""
    client = login(people(screening, who))
    statuses = [client.get(url(screening, riec_outcome)).status_code for url in ALL_URLS]
    assert statuses == [200 if n in ALLOWED[who] else 404 for n in range(len(ALL_URLS))]


@pytest.mark.parametrize("who", ["director", "chain_director"])
def test_the_screening_roles_open_no_dossier(
    screening: Screening, login: Callable[..., Client], who: str
) -> None:
    """The procesregisseur and the ketenregisseur get 404 on the dossier they discuss, its
    list and the berichten-free dossier pages."""
    client = login(people(screening, who))
    statuses = [
        client.get(reverse("dossiers:list")).status_code,
        client.get(reverse("dossiers:detail", args=[screening.zc_dossier.pk])).status_code,
    ]
    assert statuses == [404, 404]


def test_an_unknown_item_is_404(screening: Screening, login: Callable[..., Client]) -> None:
    """An agenda item that does not exist answers 404, as one that is not yours."""
    client = login(screening.director)
    url = reverse("screening:item", args=["00000000-0000-4000-8000-000000000000"])
    assert client.get(url).status_code == 404


def test_the_other_veiligheidshuis_item_is_404_by_post(
    screening: Screening, placed: AgendaItem, login: Callable[..., Client]
) -> None:
    """A POST of an outcome by someone without standing records nothing (404)."""
    client = login(screening.unlinked_director)
    response = client.post(
        reverse("screening:item", args=[placed.pk]), {"outcomes": ["screening-mdo"]}
    )
    assert (response.status_code, AgendaItem.objects.get(pk=placed.pk).outcome_at) == (404, None)


def test_an_empty_post_gets_the_forms_errors(
    screening: Screening, riec_outcome: AgendaItem, login: Callable[..., Client]
) -> None:
    """For who may use them, an empty POST to a form page answers 400 (the errors), to a
    list page 405; the answers the authorization matrix's rows need."""
    director = login(screening.director)
    keten = login(screening.chain_director)
    coordinator = login(screening.chain.coordinator)
    statuses = [
        director.post(reverse("screening:meetings"), {}).status_code,
        director.post(reverse("screening:meeting_new"), {}).status_code,
        director.post(reverse("screening:meeting", args=[screening.meeting.pk]), {}).status_code,
        keten.post(reverse("screening:riec"), {}).status_code,
        keten.post(reverse("screening:riec_item", args=[riec_outcome.pk]), {}).status_code,
        coordinator.post(PLACE_URL(screening, riec_outcome), {}).status_code,
    ]
    assert statuses == [405, 400, 405, 405, 400, 400]


def test_an_empty_outcome_post_gets_the_forms_errors(
    screening: Screening, placed: AgendaItem, login: Callable[..., Client]
) -> None:
    """The outcome form, empty: 400, nothing recorded."""
    response = login(screening.director).post(reverse("screening:item", args=[placed.pk]), {})
    assert (response.status_code, AgendaItem.objects.get(pk=placed.pk).outcome_at) == (400, None)

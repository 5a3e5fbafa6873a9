"""The dossier list: progress per dossier and filters by step, form and status."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers import services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to

OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": "x",
}


def labels(client: Client, query: str) -> str:
    return client.get(reverse("dossiers:list") + query).content.decode()


def test_filters_by_step_form_and_status(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """A dossier at step 2 with labour exploitation is found by those filters, not by others."""
    at_step_1 = open_dossier(label="Casus Eik", exploitation_forms=["sexual"])
    at_step_2 = open_dossier(label="Casus Beuk", exploitation_forms=["labour"])
    services.record(
        access_to(professional, at_step_2.pk), "observation", OBSERVATION, seen_sequence=0
    )
    evaluation = {f"evaluatie-{n}": "klaar" for n in range(1, 5)}
    services.close_dossier(access_to(professional, at_step_1.pk), evaluation, seen_sequence=0)
    client = login(professional)

    page = labels(client, "?stap=2")
    assert "Casus Beuk" in page and "Casus Eik" not in page
    page = labels(client, "?vorm=labour")
    assert "Casus Beuk" in page and "Casus Eik" not in page
    page = labels(client, "?status=closed")
    assert "Casus Eik" in page and "Casus Beuk" not in page
    page = labels(client, "?status=open&vorm=sexual")
    assert "Casus Eik" not in page and "Casus Beuk" not in page


def test_a_bad_filter_value_is_named_in_dutch_not_ignored(
    professional: User, login: Callable[[User], Client]
) -> None:
    """An unknown step or form in the URL gives a Dutch message; the page still answers."""
    response = login(professional).get(reverse("dossiers:list") + "?stap=9&vorm=ruimtevaart")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kies een stap uit de lijst." in body
    assert "Kies een vorm van uitbuiting uit de lijst." in body


def test_a_minor_without_age_or_birth_date_cannot_be_opened(
    professional: User, login: Callable[[User], Client]
) -> None:
    """Opening a dossier needs the age or date of birth; the label typed is kept."""
    response = login(professional).post(reverse("dossiers:new"), {"label": "Casus Wilg"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Casus Wilg" in body
    assert "het protocol is anders voor minderjarigen" in body
    assert not Dossier.objects.exists()


def test_a_volunteer_gets_no_weighing_and_is_sent_to_veilig_thuis(
    make_user: Callable[..., User], organisation: object, login: Callable[[User], Client]
) -> None:
    """Volunteers have no afwegingskader: steps 4 and 5 show the Veilig Thuis advice, no form,
    and posting a weighing answers 404."""
    volunteer = make_user("proef-vrijwilliger", "volunteer", organisation)
    dossier = services.open_dossier(
        volunteer, services.NewDossier("Casus Hazel", None, 30, ["labour"])
    )
    client = login(volunteer)
    page = client.get(reverse("dossiers:step", args=[dossier.pk, 4])).content.decode()
    assert "Vrijwilligers hebben geen afwegingskader" in page
    assert 'name="weighing-q1"' not in page
    url = reverse("dossiers:record", args=[dossier.pk, "weighing"])
    assert client.post(url, {}).status_code == 404

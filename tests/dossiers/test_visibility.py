"""Need to know: a dossier is visible to its case team and its organisation's
aandachtsfunctionaris only; everyone else gets 404 on every URL, never 403."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from baken.accounts.models import Role, User
from baken.dossiers import services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to


def dossier_urls(dossier: Dossier) -> list[str]:
    pk = dossier.pk
    urls = [reverse("dossiers:detail", args=[pk])]
    urls += [reverse("dossiers:step", args=[pk, n]) for n in range(1, 6)]
    urls += [
        reverse(f"dossiers:{name}", args=[pk]) for name in ("acute", "team", "close", "details")
    ]
    urls.append(reverse("dossiers:correct", args=[pk, 1]))
    return urls


@pytest.fixture
def dossier(professional: User, open_dossier: Callable[..., Dossier]) -> Dossier:
    made = open_dossier()
    services.record(
        access_to(professional, made.pk),
        "observation",
        {"nature": "fact", "observed_on": "2026-11-20", "source": "mentor", "description": "x"},
        seen_sequence=0,
    )
    return made


def test_the_selector_shows_the_case_team_and_the_organisations_expert(
    dossier: Dossier,
    professional: User,
    colleague: User,
    expert: User,
    outsider: User,
    administrator: User,
    make_user: Callable[..., User],
    other_organisation: object,
) -> None:
    """Team and same-organisation expert see it; a colleague outside the team, another
    organisation's expert, an outsider and the functioneel beheerder do not."""
    other_expert = make_user("proef-aandacht-zuid", Role.DESIGNATED_EXPERT, other_organisation)
    visible = Dossier.objects.restrict
    assert list(visible(professional)) == [dossier]
    assert list(visible(expert)) == [dossier]
    for user in (colleague, outsider, administrator, other_expert):
        assert not visible(user).exists(), user.username
    services.add_colleague(access_to(professional, dossier.pk), colleague.pk, seen_sequence=1)
    assert list(visible(colleague)) == [dossier]


def test_a_deactivated_user_sees_nothing(dossier: Dossier, professional: User) -> None:
    """Deactivating a professional ends their access at once."""
    professional.is_active = False
    professional.save()
    assert not Dossier.objects.restrict(professional).exists()


@pytest.mark.parametrize("who", ["outsider", "administrator", "colleague"])
def test_outside_the_need_to_know_every_url_answers_404(
    request: pytest.FixtureRequest, dossier: Dossier, login: Callable[[User], Client], who: str
) -> None:
    """GET on every dossier URL and POST on every write URL give 404, not 403."""
    client = login(request.getfixturevalue(who))
    for url in dossier_urls(dossier):
        assert client.get(url).status_code == 404, url
    writes = [reverse("dossiers:record", args=[dossier.pk, "observation"])]
    writes += [reverse(f"dossiers:{n}", args=[dossier.pk]) for n in ("acute", "team", "close")]
    for url in writes:
        assert client.post(url, {}).status_code == 404, url
    assert dossier.entries.count() == 1


def test_the_dossier_list_holds_only_visible_dossiers(
    dossier: Dossier, login: Callable[[User], Client], outsider: User, expert: User
) -> None:
    """The list of another organisation's professional does not show the label."""
    assert dossier.label not in login(outsider).get(reverse("dossiers:list")).content.decode()
    assert dossier.label in login(expert).get(reverse("dossiers:list")).content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(dossier: Dossier) -> None:
    """Without a login every dossier URL redirects to the login page."""
    client = Client()
    for url in dossier_urls(dossier):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_a_malformed_dossier_id_is_404(login: Callable[[User], Client], professional: User) -> None:
    """A URL with a wrong id format answers 404 like any unknown dossier."""
    assert login(professional).get("/dossiers/niet-een-id/").status_code == 404

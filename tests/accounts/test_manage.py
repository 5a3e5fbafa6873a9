"""Management of organisations and users by the functioneel beheerder."""

from __future__ import annotations

import pytest
from django.test import Client

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.audit.models import AccessEvent

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

MANAGE_GETS = ["/beheer/", "/beheer/organisaties/nieuw/", "/beheer/gebruikers/nieuw/"]


def _new_user(**overrides: object) -> dict[str, object]:
    return {
        "username": "demo-school",
        "first_name": "Demo",
        "last_name": "Leerkracht",
        "email": "school@voorbeeld.invalid",
        "role": Role.PROFESSIONAL,
        "organisation": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


@pytest.fixture
def admin_client(client: Client, administrator: User) -> Client:
    client.force_login(administrator)
    return client


@pytest.mark.parametrize("path", MANAGE_GETS)
def test_anonymous_is_sent_to_login(client: Client, path: str) -> None:
    """An anonymous visitor of a management page is redirected to the login page."""
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


@pytest.mark.parametrize("path", MANAGE_GETS)
def test_professional_gets_404(client: Client, professional: User, path: str) -> None:
    """For a logged-in professional the management pages do not exist."""
    client.force_login(professional)
    assert client.get(path).status_code == 404


def test_professional_cannot_post_changes(
    client: Client, professional: User, administrator: User
) -> None:
    """A professional's POSTs to management URLs are 404 and change nothing."""
    client.force_login(professional)
    assert (
        client.post("/beheer/organisaties/nieuw/", {"name": "X", "kind": "school"}).status_code
        == 404
    )
    assert client.post(f"/beheer/gebruikers/{administrator.pk}/deactiveren/").status_code == 404
    administrator.refresh_from_db()
    assert administrator.is_active
    assert not Organisation.objects.filter(name="X").exists()
    assert not AccessEvent.objects.exclude(purpose="authentication").exists()


def test_manage_lists_organisations_and_users(admin_client: Client, professional: User) -> None:
    """The overview shows organisations and users with their Dutch role names."""
    response = admin_client.get("/beheer/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["section"] == "manage"
    assert "Wijkteam Voorbeeld-Noord" in html
    assert "demo-wijkteam" in html
    assert "Functioneel beheerder" in html
    assert 'aria-current="page"' in html
    assert "/dossiers/" not in html  # the functioneel beheerder has no link to dossiers


def test_create_organisation_writes_audit_event(admin_client: Client, administrator: User) -> None:
    """Creating an organisation stores it and logs organisation_created by the administrator."""
    response = admin_client.post(
        "/beheer/organisaties/nieuw/",
        {"name": "Basisschool Voorbeeld-Zuid", "kind": OrganisationKind.SCHOOL},
    )
    assert response.status_code == 302
    assert response["Location"] == "/beheer/"
    organisation = Organisation.objects.get(name="Basisschool Voorbeeld-Zuid")
    assert organisation.kind == OrganisationKind.SCHOOL
    event = AccessEvent.objects.get(action="organisation_created")
    assert event.user_id == administrator.pk
    assert event.detail == "Basisschool Voorbeeld-Zuid"
    assert event.dossier_id is None and event.code == "E"
    assert "toegevoegd" in admin_client.get("/beheer/").content.decode()


def test_duplicate_organisation_is_refused_in_dutch(
    admin_client: Client, organisation: Organisation
) -> None:
    """An organisation name that exists (in any case) gives a Dutch error and no audit event."""
    response = admin_client.post(
        "/beheer/organisaties/nieuw/",
        {"name": "wijkteam voorbeeld-noord", "kind": OrganisationKind.NEIGHBOURHOOD_TEAM},
    )
    assert response.status_code == 200
    assert "Er bestaat al een organisatie met deze naam." in response.content.decode()
    assert not AccessEvent.objects.exclude(purpose="authentication").exists()


def test_create_user_writes_audit_event(
    admin_client: Client, administrator: User, organisation: Organisation
) -> None:
    """Creating a user stores them with role, organisation and password, and logs user_created."""
    response = admin_client.post(
        "/beheer/gebruikers/nieuw/", _new_user(organisation=organisation.pk)
    )
    assert response.status_code == 302
    user = User.objects.get(username="demo-school")
    assert user.role == Role.PROFESSIONAL
    assert user.organisation == organisation
    assert user.is_active and user.check_password(PASSWORD)
    event = AccessEvent.objects.get(action="user_created")
    assert (event.user_id, event.detail, event.dossier_id) == (
        administrator.pk,
        "demo-school",
        None,
    )


def test_non_administrator_role_needs_an_organisation(admin_client: Client) -> None:
    """A role other than functioneel beheerder without organisation gives a Dutch field error."""
    response = admin_client.post("/beheer/gebruikers/nieuw/", _new_user())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kies de organisatie waar deze gebruiker werkt." in html
    assert 'id="id_organisation_error"' in html
    assert 'aria-describedby="id_organisation_helptext id_organisation_error"' in html
    assert 'value="demo-school"' in html
    assert PASSWORD not in html
    assert not User.objects.filter(username="demo-school").exists()
    assert not AccessEvent.objects.exclude(purpose="authentication").exists()


def test_administrator_needs_no_organisation(admin_client: Client) -> None:
    """A second functioneel beheerder can be made without an organisation."""
    response = admin_client.post(
        "/beheer/gebruikers/nieuw/",
        _new_user(username="demo-beheer-2", email="", role=Role.ADMINISTRATOR),
    )
    assert response.status_code == 302
    assert User.objects.get(username="demo-beheer-2").organisation is None


def test_weak_initial_password_is_refused(admin_client: Client, organisation: Organisation) -> None:
    """The initial password goes through the password validators (Dutch messages)."""
    response = admin_client.post(
        "/beheer/gebruikers/nieuw/",
        _new_user(organisation=organisation.pk, password1="kort", password2="kort"),
    )
    assert response.status_code == 200
    assert "Dit wachtwoord is te kort" in response.content.decode()
    assert not User.objects.filter(username="demo-school").exists()


def test_deactivate_and_reactivate_user(
    admin_client: Client, administrator: User, professional: User
) -> None:
    """Deactivating (POST) keeps the user but stops them; both changes are logged."""
    assert admin_client.get(f"/beheer/gebruikers/{professional.pk}/deactiveren/").status_code == 405
    response = admin_client.post(f"/beheer/gebruikers/{professional.pk}/deactiveren/")
    assert response.status_code == 302
    professional.refresh_from_db()
    assert not professional.is_active
    event = AccessEvent.objects.get(action="user_deactivated")
    assert (event.user_id, event.detail) == (administrator.pk, "demo-wijkteam")

    admin_client.post(f"/beheer/gebruikers/{professional.pk}/heractiveren/")
    professional.refresh_from_db()
    assert professional.is_active
    assert AccessEvent.objects.filter(action="user_reactivated", detail="demo-wijkteam").exists()


def test_administrator_cannot_deactivate_themselves(
    admin_client: Client, administrator: User
) -> None:
    """The functioneel beheerder cannot lock themselves out."""
    response = admin_client.post(f"/beheer/gebruikers/{administrator.pk}/deactiveren/", follow=True)
    administrator.refresh_from_db()
    assert administrator.is_active
    assert "Je kunt je eigen account niet deactiveren." in response.content.decode()
    assert not AccessEvent.objects.exclude(purpose="authentication").exists()


def test_deactivated_administrator_loses_access(client: Client, administrator: User) -> None:
    """A deactivated user's session no longer opens management pages."""
    client.force_login(administrator)
    User.objects.filter(pk=administrator.pk).update(is_active=False)
    response = client.get("/beheer/")
    assert response.status_code == 302


def test_user_form_marks_optional_fields_only(admin_client: Client) -> None:
    """Names and e-mail are marked optional; the organisation (required by role) is not."""
    html = admin_client.get("/beheer/gebruikers/nieuw/").content.decode()
    assert "Voornaam (niet verplicht)" in html
    assert "E-mailadres (niet verplicht)" in html
    assert "Organisatie (niet verplicht)" not in html
    assert "<fieldset" in html and "<legend" in html

"""The authorization matrix, generated from the URL configuration: every URL of Baken's own
apps × every role × (own case team, same organisation, other organisation) gets the expected
answer, for GET and POST. A URL that is not in EXPECTED fails the test, so a new view cannot
be forgotten.

For a user who may not see a dossier, the answer about a real dossier must be exactly the
answer about a dossier that does not exist: nothing leaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.dossiers import services
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.models import Dossier
from tests.support import enrol_totp

OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": "x",
}

# Who may do what: "dossier" = case team and the organisation's aandachtsfunctionaris (and,
# to read, a running break-glass grant); "dossier-sensitive" = the same without volunteers
# and without break-glass, after re-authentication; "admin" = the functioneel beheerder
# only ("-sensitive": after re-authentication); "break-glass" = the aandachtsfunctionaris
# and the Veilig Thuis adviser.
EXPECTED: dict[str, str] = {
    "start": "start",
    "accounts:manage": "admin",
    "accounts:organisation_create": "admin",
    "accounts:user_create": "admin",
    "accounts:user_deactivate": "admin-post",
    "accounts:user_reactivate": "admin-post",
    "accounts:setup": "setup",
    "accounts:user_role": "admin-sensitive",
    "accounts:user_reset_two_factor": "admin-sensitive-post",
    "accounts:break_glass_review": "admin",
    "dossiers:break_glass": "break-glass",
    **{f"dossiers:{name}": "dossier-sensitive" for name in ("export", "export_json", "print")},
    "dossiers:list": "dossier-user",
    "dossiers:new": "dossier-user",
    **{
        f"dossiers:{name}": "dossier"
        for name in (
            "detail",
            "step",
            "acute",
            "correct",
            "close",
            "team",
            "details",
            "access_log",
        )
    },
    "dossiers:record": "dossier-post",
}
PUBLIC_NAMESPACES = {"web"}

ROLES = (
    "anonymous",
    "team_professional",
    "team_volunteer",
    "colleague_same_org",
    "expert_same_org",
    "professional_other_org",
    "expert_other_org",
    "veilig_thuis_other_org",
    "care_coordinator_other_org",
    "administrator",
    "team_professional_without_2fa",
    "veilig_thuis_with_break_glass",
)
SEES_DOSSIER = {
    "team_professional",
    "team_volunteer",
    "expert_same_org",
    "veilig_thuis_with_break_glass",
}
MAY_EXPORT = {"team_professional", "expert_same_org"}
MAY_BREAK_GLASS = {
    "expert_same_org",
    "expert_other_org",
    "veilig_thuis_other_org",
    "veilig_thuis_with_break_glass",
}


def our_urls() -> Iterator[tuple[str, URLPattern]]:
    """(name, pattern) for every URL of Baken's own apps (django-allauth's are its own)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if "allauth" in str(pattern.urlconf_name):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            else:
                yield f"{namespace}{pattern.name}", pattern

    yield from walk(get_resolver().url_patterns, "")


def _kwargs(pattern: URLPattern, dossier_id: uuid.UUID, user_id: int) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in pattern.pattern.converters:
        values[name] = {
            "pk": dossier_id if "uuid" in str(pattern.pattern) else user_id,
            "step": 1,
            "sequence": 1,
            "kind": "observation",
            "token": "not-a-token",
        }[name]
    return values


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    north = Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    south = Organisation.objects.create(name="School Proef-Zuid", kind=OrganisationKind.SCHOOL)
    vt = Organisation.objects.create(name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS)
    zc = Organisation.objects.create(
        name="Zorgcoördinatie Proef", kind=OrganisationKind.CARE_COORDINATION
    )

    def user(
        name: str, role: str, organisation: Organisation | None, *, two_factor: bool = True
    ) -> User:
        made = User.objects.create_user(
            username=name, password="x" * 16, role=role, organisation=organisation
        )
        if two_factor:
            enrol_totp(made)
        return made

    users = {
        "team_professional": user("p-team", Role.PROFESSIONAL, north),
        "team_volunteer": user("v-team", Role.VOLUNTEER, north),
        "colleague_same_org": user("p-collega", Role.PROFESSIONAL, north),
        "expert_same_org": user("a-noord", Role.DESIGNATED_EXPERT, north),
        "professional_other_org": user("p-zuid", Role.PROFESSIONAL, south),
        "expert_other_org": user("a-zuid", Role.DESIGNATED_EXPERT, south),
        "veilig_thuis_other_org": user("vt", Role.VEILIG_THUIS_ADVISER, vt),
        "care_coordinator_other_org": user("zc", Role.CARE_COORDINATOR, zc),
        "administrator": user("beheer", Role.ADMINISTRATOR, None),
        "team_professional_without_2fa": user(
            "p-team-zonder-2fa", Role.PROFESSIONAL, north, two_factor=False
        ),
        "veilig_thuis_with_break_glass": user("vt-nood", Role.VEILIG_THUIS_ADVISER, vt),
    }
    owner = users["team_professional"]
    dossier = services.open_dossier(owner, services.NewDossier("Casus Matrix", None, 16, []))
    services.record(owner, dossier.pk, "observation", OBSERVATION, seen_sequence=0)
    services.add_colleague(owner, dossier.pk, users["team_volunteer"].pk, seen_sequence=1)
    services.add_colleague(
        owner, dossier.pk, users["team_professional_without_2fa"].pk, seen_sequence=2
    )
    open_with_break_glass(
        users["veilig_thuis_with_break_glass"],
        dossier.pk,
        "Melding binnengekomen over deze casus; afstemming nodig.",
    )
    return {"users": users, "dossier": dossier}


def _client(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(
            world["users"][role], backend="django.contrib.auth.backends.ModelBackend"
        )
    return client


def test_every_url_of_ours_has_an_expectation() -> None:
    """A new URL in dossiers, accounts or the start page must be added to EXPECTED."""
    missing = [
        name
        for name, _ in our_urls()
        if name.split(":")[0] not in PUBLIC_NAMESPACES and name not in EXPECTED
    ]
    assert not missing, f"add these URLs to the authorization matrix: {missing}"


def _expected(kind: str, role: str, method: str, real: bool) -> set[int]:
    """The status codes allowed for this URL kind, role and method. A 405 (this URL does not
    take that method) is always acceptable: it says nothing about any dossier."""
    return _answers(kind, role, method, real) | {405}


def _answers(kind: str, role: str, method: str, real: bool) -> set[int]:
    if role == "team_professional_without_2fa":
        return {302}  # to setting up two-factor authentication, whatever the page
    if role == "anonymous":
        if kind in {"setup"}:
            return {404}
        if kind == "start":
            return {302}
        return {302}  # to the login page
    if kind == "start":
        return {302}
    if kind == "setup":
        return {404}  # users exist: the set-up link is dead for everyone
    if kind.startswith("admin"):
        if role != "administrator":
            return {404}
        if kind in {"admin-post", "admin-sensitive-post"}:
            return {405} if method == "GET" else {302}
        if kind == "admin-sensitive":
            return {302}  # to re-authentication first
        return {200} if method == "GET" else {200, 302, 400}
    if kind == "break-glass":
        if role not in MAY_BREAK_GLASS:
            return {404}
        # An empty POST is refused with the form's errors (400); a complete one would go to
        # re-authentication first.
        return {200} if method == "GET" else {400}
    if kind == "dossier-sensitive":
        if method == "POST":
            return {405}
        return {302} if role in MAY_EXPORT and real else {404}
    if kind == "dossier-user":
        return (
            {404}
            if role == "administrator"
            else ({200} if method == "GET" else {200, 302, 400, 405})
        )
    # kind is "dossier" or "dossier-post"
    if kind == "dossier-post" and method == "GET":
        return {405}
    if role not in SEES_DOSSIER or not real:
        return {404}
    if method == "GET":
        return {200, 404} if role == "team_volunteer" else {200}
    return {200, 302, 400, 404, 409}


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix(world: dict[str, Any], role: str) -> None:
    """Every URL × this role, for GET and POST, on the real dossier and on an unknown id."""
    client = _client(world, role)
    dossier: Dossier = world["dossier"]
    target_user = world["users"]["colleague_same_org"].pk
    failures = []
    for name, pattern in our_urls():
        namespace = name.split(":")[0]
        if namespace in PUBLIC_NAMESPACES:
            response = client.get(reverse(name))
            if response.status_code != 200:
                failures.append((name, "GET", response.status_code))
            continue
        kind = EXPECTED[name]
        answers: dict[tuple[str, bool], int] = {}
        for real in (True, False):
            dossier_id = dossier.pk if real else uuid.uuid4()
            url = reverse(name, kwargs=_kwargs(pattern, dossier_id, target_user))
            for method in ("GET", "POST"):
                response = client.get(url) if method == "GET" else client.post(url, {})
                answers[(method, real)] = response.status_code
                if response.status_code not in _expected(kind, role, method, real):
                    failures.append(
                        (name, method, "real" if real else "unknown", response.status_code)
                    )
                if response.status_code == 403:
                    failures.append((name, method, "403 leaks that the page exists"))
        if role not in SEES_DOSSIER and kind.startswith("dossier") and kind != "dossier-user":
            for method in ("GET", "POST"):
                if answers[(method, True)] != answers[(method, False)]:
                    failures.append((name, method, "a real dossier answers differently"))
    assert not failures, failures

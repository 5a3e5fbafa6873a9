"""The trajectory's pages: who may use which (404 for everyone outside the dossier or the
case), read-only for readers and volunteers, bad input shown again with everything typed
and a Dutch message, and no internal identifier in what a user reads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from baken.accounts.models import Role, User
from baken.chain import trajectory
from baken.chain.models import ChainCase
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from tests.trajectory.conftest import INTAKE, SHELTER, Chain, days_ago
from tests.web.test_no_internal_identifiers import leaks

NAMES = ("detail", "intake", "procedures", "casusregie", "progress", "close")


def prepare(chain: Chain) -> int:
    """An intake, a procedure (its key returned) and a stand van zaken."""
    access = access_to(chain.partners.coordinator, chain.zc.pk)
    trajectory.record_intake(access, INTAKE)
    key = trajectory.start_procedure(access, SHELTER).sequence
    trajectory.update_procedure(access, key, trajectory.ProcedureUpdate("running", days_ago(1)))
    trajectory.send_progress(access, "Opvang loopt.")
    return key


def urls(dossier: Dossier, key: int) -> list[str]:
    return [reverse(f"trajectory:{name}", args=[dossier.pk]) for name in NAMES] + [
        reverse("trajectory:procedure", args=[dossier.pk, key])
    ]


def test_the_zorgcoordinator_opens_every_page(
    forwarded: Chain, login: Callable[..., Client]
) -> None:
    """Each trajectory page answers 200 to the zorgcoördinator in the case team."""
    key = prepare(forwarded)
    client = login(forwarded.partners.coordinator)
    assert [client.get(url).status_code for url in urls(forwarded.zc, key)] == [200] * 7


def every_status(client: Client, chain_urls: list[str]) -> list[int]:
    """GET and an empty POST of each URL (GET only for the trajectory page, which takes no
    POST: 405 for everyone, before anything is looked at)."""
    answers = []
    for url in chain_urls:
        answers.append(client.get(url).status_code)
        if not url.endswith("/traject/"):
            answers.append(client.post(url, {}).status_code)
    return answers


def test_a_third_organisation_gets_404_everywhere(
    forwarded: Chain, login: Callable[..., Client]
) -> None:
    """The school, outside the person's chain, gets 404 on every page of the zorgcoördinator's
    dossier and on the casusregie and stand-van-zaken pages of the wijkteam's dossier, for GET
    and POST."""
    key = prepare(forwarded)
    client = login(forwarded.partners.school_professional)
    pages = urls(forwarded.zc, key) + [
        reverse("trajectory:casusregie", args=[forwarded.sender.pk]),
        reverse("trajectory:progress", args=[forwarded.sender.pk]),
    ]
    assert every_status(client, pages) == [404] * 17


def test_a_colleague_outside_the_case_team_gets_404(
    forwarded: Chain, zc_colleague: User, login: Callable[..., Client]
) -> None:
    """A zorgcoördinator of the same organisation, not in the case team, need not know."""
    key = prepare(forwarded)
    assert every_status(login(zc_colleague), urls(forwarded.zc, key)) == [404] * 13


def test_other_organisations_of_the_case_do_not_read_the_trajectory(
    three: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """The wijkteam and Veilig Thuis are in the case, yet the zorgcoördinator's dossier
    answers 404 to them on every page: nobody reads another organisation's dossier."""
    key = prepare(three)
    answers = every_status(login(professional), urls(three.zc, key)) + every_status(
        login(three.partners.adviser), urls(three.zc, key)
    )
    assert answers == [404] * 26


def test_a_dossier_that_is_no_trajectory_dossier_has_no_trajectory_pages(
    forwarded: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """The wijkteam's own dossier is in the case but is no trajectory: its trajectory,
    intake, procedure and closing pages answer 404."""
    client = login(professional)
    names = ("detail", "intake", "procedures", "close")
    pages = [reverse(f"trajectory:{n}", args=[forwarded.sender.pk]) for n in names] + [
        reverse("trajectory:procedure", args=[forwarded.sender.pk, 1])
    ]
    assert every_status(client, pages) == [404] * 9


def test_a_member_who_does_not_hold_casusregie_sees_who_does(
    forwarded: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """On its own dossier's casusregie page the wijkteam reads who holds casusregie; there
    is no form."""
    response = login(professional).get(reverse("trajectory:casusregie", args=[forwarded.sender.pk]))
    html = response.content.decode()
    assert (
        response.status_code,
        "De casusregie ligt bij Zorgcoördinatie Proef-Oost." in html,
        'name="reason"' in html,
    ) == (
        200,
        True,
        False,
    )


def test_a_volunteer_reads_the_trajectory_without_forms(
    forwarded: Chain, zc_volunteer: User, login: Callable[..., Client]
) -> None:
    """A volunteer sees the trajectory and the intake page with the reason they cannot
    record, and no intake form."""
    client = login(zc_volunteer)
    detail = client.get(reverse("trajectory:detail", args=[forwarded.zc.pk])).content.decode()
    intake = client.get(reverse("trajectory:intake", args=[forwarded.zc.pk])).content.decode()
    assert (
        "Vrijwilligers leggen het traject niet vast" in detail,
        reverse("trajectory:intake", args=[forwarded.zc.pk]) in detail,
        'name="needs"' in intake,
    ) == (True, False, False)


def test_a_reader_may_not_write_through_the_page(
    forwarded: Chain, reader: User, login: Callable[..., Client]
) -> None:
    """A break-glass reader gets the page (read-only), and 404 for a complete intake."""
    client = login(reader)
    url = reverse("trajectory:intake", args=[forwarded.zc.pk])
    complete = {"held_on": days_ago(1).isoformat(), "needs": "Opvang"}
    assert (client.get(url).status_code, client.post(url, complete).status_code) == (200, 404)


def test_the_intake_is_recorded_through_the_page(
    forwarded: Chain, login: Callable[..., Client]
) -> None:
    """A complete intake goes back to the trajectory, which shows it."""
    client = login(forwarded.partners.coordinator)
    response = client.post(
        reverse("trajectory:intake", args=[forwarded.zc.pk]),
        {
            "held_on": days_ago(1).isoformat(),
            "needs": "Hulp bij een uitkering",
            "informed": ["informatie-zorgaanbod"],
        },
    )
    page = client.get(response["Location"]).content.decode()
    assert (response.status_code, response["Location"], "Hulp bij een uitkering" in page) == (
        302,
        reverse("trajectory:detail", args=[forwarded.zc.pk]),
        True,
    )


def test_an_intake_in_the_future_keeps_what_was_typed(
    forwarded: Chain, login: Callable[..., Client]
) -> None:
    """400 with the Dutch message at the top, and the needs still in the form."""
    client = login(forwarded.partners.coordinator)
    tomorrow = (days_ago(-1)).isoformat()
    response = client.post(
        reverse("trajectory:intake", args=[forwarded.zc.pk]),
        {
            "held_on": tomorrow,
            "needs": "Hulp bij een uitkering",
            "informed": ["informatie-strafrecht"],
        },
    )
    html = response.content.decode()
    assert (
        response.status_code,
        "Datum van de intake: Deze datum ligt in de toekomst." in html,
        "Hulp bij een uitkering</textarea>" in html,
        'value="informatie-strafrecht" class="baken-choice" id="id_informed_0" checked' in html,
    ) == (400, True, True, True)


def test_another_procedure_without_a_name_keeps_what_was_typed(
    forwarded: Chain, login: Callable[..., Client]
) -> None:
    """400 with "Geef de naam van de andere procedure." and the organisation still filled in."""
    client = login(forwarded.partners.coordinator)
    response = client.post(
        reverse("trajectory:procedures", args=[forwarded.zc.pk]),
        {
            "procedure_type": "other",
            "started_on": days_ago(1).isoformat(),
            "organisation": "Schuldhulp Proef",
            "status": "requested",
        },
    )
    html = response.content.decode()
    assert (
        response.status_code,
        "Naam van de andere procedure: Geef de naam van de andere procedure." in html,
        'value="Schuldhulp Proef"' in html,
    ) == (400, True, True)


def test_a_hand_over_without_reason_keeps_the_choice(
    three: Chain, login: Callable[..., Client]
) -> None:
    """400 with the Dutch message; the chosen organisation stays chosen."""
    client = login(three.partners.coordinator)
    vt = three.partners.vt.pk
    response = client.post(
        reverse("trajectory:casusregie", args=[three.zc.pk]), {"organisation": str(vt)}
    )
    html = response.content.decode()
    assert (
        response.status_code,
        "Waarom draag je de casusregie over? Dit veld is verplicht." in html,
        f'value="{vt}" class="baken-choice" id="id_organisation_1" checked' in html,
    ) == (400, True, True)


def test_a_hand_over_through_the_page(three: Chain, login: Callable[..., Client]) -> None:
    """A complete hand-over goes back to the trajectory; casusregie is Veilig Thuis'."""
    client = login(three.partners.coordinator)
    response = client.post(
        reverse("trajectory:casusregie", args=[three.zc.pk]),
        {"organisation": str(three.partners.vt.pk), "reason": "Gezin staat centraal"},
    )
    assert (response.status_code, ChainCase.objects.get(pk=three.case.pk).direction_id) == (
        302,
        three.partners.vt.pk,
    )


def test_a_changed_picture_is_shown_again_with_the_summary(
    forwarded: Chain, login: Callable[..., Client]
) -> None:
    """When the trajectory changed after the preview, nothing goes: 409, the new picture, the
    summary as typed and the Dutch message."""
    client = login(forwarded.partners.coordinator)
    url = reverse("trajectory:progress", args=[forwarded.zc.pk])
    page = client.get(url)
    seen = page.context["form"]["seen"].value()
    trajectory.start_procedure(access_to(forwarded.partners.coordinator, forwarded.zc.pk), SHELTER)
    response = client.post(url, {"summary": "Alles loopt goed.", "seen": seen})
    html = response.content.decode()
    assert (
        response.status_code,
        "Het overzicht is veranderd nadat je deze pagina opende." in html,
        "Alles loopt goed.</textarea>" in html,
        "Opvang Proef-Oost" in html,
    ) == (409, True, True, True)


def test_a_closed_trajectory_refuses_an_intake_with_a_dutch_message(
    forwarded: Chain, login: Callable[..., Client]
) -> None:
    """After closing, the intake page says so; a complete intake posted anyway gets 409,
    the message and what was typed."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    trajectory.close_trajectory(access, trajectory.Closing("traject-gestopt", days_ago(0)))
    client = login(forwarded.partners.coordinator)
    url = reverse("trajectory:intake", args=[forwarded.zc.pk])
    shown = client.get(url).content.decode()
    response = client.post(url, {"held_on": days_ago(1).isoformat(), "needs": "Nog iets"})
    message = "Het traject is afgesloten. Je kunt het nog lezen, maar niet meer wijzigen."
    assert (message in shown, response.status_code, message in response.content.decode()) == (
        True,
        409,
        True,
    )


@pytest.mark.parametrize("who", ["coordinator", "volunteer"])
def test_no_internal_identifiers_on_the_pages(
    three: Chain, who: str, make_user: Callable[..., User], login: Callable[..., Client]
) -> None:
    """Every trajectory page, after an intake, a procedure, a stand van zaken and a closed
    trajectory, and with a form's errors, shows no internal identifier."""
    key = prepare(three)
    access = access_to(three.partners.coordinator, three.zc.pk)
    trajectory.close_trajectory(access, trajectory.Closing("traject-overgedragen", days_ago(0)))
    user = three.partners.coordinator
    if who == "volunteer":
        user = make_user("zc-vrijwilliger", Role.VOLUNTEER, three.partners.care)
        dossier_services.add_colleague(
            access, user.pk, seen_sequence=Dossier.objects.get(pk=three.zc.pk).last_sequence
        )
    client = login(user)
    found = {}
    for url in urls(three.zc, key):
        found[url] = leaks(client.get(url).content.decode())
    errors = client.post(reverse("trajectory:casusregie", args=[three.zc.pk]), {})
    found["errors"] = leaks(errors.content.decode())
    assert found == {url: [] for url in found}

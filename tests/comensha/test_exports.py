"""The printable registration form and the JSON export: for who may export on the
registering organisation's dossier, after re-authentication, each logged as an export
(code E), and each saying that no CoMensha API exists (protocol item
``comensha-indienen``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.comensha.models import Registration
from baken.dossiers.break_glass import open_with_break_glass
from tests.comensha.conftest import Chain, days_ago


def print_url(pk: object) -> str:
    return reverse("comensha:print", args=[pk])


def json_url(pk: object) -> str:
    return reverse("comensha:export_json", args=[pk])


def export_lines(action: str) -> list[tuple[object, str, str, int | None]]:
    return [
        (line.dossier_id, line.code, line.purpose, line.user_id)
        for line in AccessEvent.objects.filter(action=action).order_by("pk")
    ]


def test_printing_is_logged_as_an_export(
    registered: Registration, agreed: Chain, login: Callable[..., Client]
) -> None:
    """Veilig Thuis' adviser prints the form: 200, one line with code E on its dossier."""
    adviser = agreed.partners.adviser
    response = login(adviser, reauthenticated=True).get(print_url(agreed.vt.pk))
    assert (response.status_code, export_lines("comensha_printed")) == (
        200,
        [(agreed.vt.pk, "E", "care", adviser.pk)],
    )


def test_the_json_export_is_logged_as_an_export(
    registered: Registration, agreed: Chain, login: Callable[..., Client]
) -> None:
    """Downloading it: a file with a Dutch name and no id, one line with code E."""
    adviser = agreed.partners.adviser
    response = login(adviser, reauthenticated=True).get(json_url(agreed.vt.pk))
    assert (
        response.status_code,
        response["Content-Disposition"],
        export_lines("comensha_exported"),
    ) == (
        200,
        f'attachment; filename="comensha-registratie-casus-proef-{days_ago(1).isoformat()}.json"',
        [(agreed.vt.pk, "E", "care", adviser.pk)],
    )


def test_the_json_export_holds_the_registration(
    registered: Registration, agreed: Chain, login: Callable[..., Client]
) -> None:
    """Every value with its protocol id and Dutch title, the agreement, the consent rule and
    how the registration reaches CoMensha; made today by the adviser."""
    response = login(agreed.partners.adviser, reauthenticated=True).get(json_url(agreed.vt.pk))
    data = json.loads(response.content)
    made_at = data.pop("made_at")
    recorded_at = data["registration"].pop("recorded_at")
    assert (
        timezone.localdate(datetime.fromisoformat(made_at)),
        datetime.fromisoformat(recorded_at)
        == timezone.localtime(registered.recorded_at).replace(microsecond=0),
        data,
    ) == (
        timezone.localdate(),
        True,
        {
            "format": "baken-comensha-registratie",
            "version": 1,
            "made_by": "vt-adviseur",
            "dossier": {"reference": str(agreed.vt.pk), "label": "Casus Proef"},
            "protocol": {"id": "gelderland-midden-2018", "version": "2018-12"},
            "agreement": {
                "id": "comensha-afstemming",
                "text": "Bij vermoedelijk slachtofferschap wordt afgestemd welke betrokken "
                "ketenpartner melding maakt bij CoMensha.",
                "cite": "§2.2 CoMensha; §1.2 Casusevaluatie",
                "registering_organisation": "Veilig Thuis Proef-Midden",
                "agreed_by_organisation": "Wijkteam Proef-Noord",
                "agreed_on": timezone.localdate().isoformat(),
            },
            "registration": {
                "category": {"id": "comensha-seksueel", "title": "Seksuele uitbuiting"},
                "country_of_origin": "Nederland",
                "age": 16,
                "sex": {"id": "female", "title": "Vrouw"},
                "aanmelder": {
                    "organisation": "Veilig Thuis Proef-Midden",
                    "contact_name": "Proef Adviseur",
                    "phone": "030 000 0002",
                    "email": "adviseur@proef.invalid",
                },
                "kind": {"id": "comensha-registratie-opvang", "title": "Registratie en opvang"},
                "registered_on": days_ago(1).isoformat(),
                "recorded_by": "vt-adviseur",
            },
            "consent": {
                "signed_by": {"id": "person", "title": "De betrokkene zelf"},
                "signed_on": days_ago(2).isoformat(),
                "kept_at": "Papieren dossier, kast 3",
                "rule": {
                    "id": "comensha-toestemming",
                    "text": "Voor de registratie is een schriftelijke toestemmingsverklaring "
                    "nodig. Slachtoffers van 16 jaar of ouder tekenen zelf; voor slachtoffers "
                    "onder de 16 jaar tekenen de ouders of de voogd.",
                    "cite": "§2.2 CoMensha",
                    "self_from_age": 16,
                },
            },
            "submission": {
                "id": "comensha-indienen",
                "text": "CoMensha heeft geen koppeling voor systemen. Meld via het "
                "registratieformulier op de website van CoMensha of via de helpdesk "
                "(033-4481186). De meldingen worden door CoMensha geanonimiseerd.",
                "cite": "§2.2 CoMensha, met voetnoot 10",
            },
        },
    )


def test_the_printed_form_says_there_is_no_api(
    registered: Registration, agreed: Chain, login: Callable[..., Client]
) -> None:
    """The printed form gives the protocol's submission text under its own heading."""
    html = (
        login(agreed.partners.adviser, reauthenticated=True)
        .get(print_url(agreed.vt.pk))
        .content.decode()
    )
    heading = '<h2 class="utrecht-heading-2">Hoe de registratie bij CoMensha komt</h2>'
    start = html.index(heading) + len(heading)
    paragraph = html[start : html.index("</p>", start)]
    assert paragraph.split("<cite")[0].strip() == (
        '<p class="utrecht-paragraph">CoMensha heeft geen koppeling voor systemen. Meld via '
        "het registratieformulier op de website van CoMensha of via de helpdesk "
        "(033-4481186). De meldingen worden door CoMensha geanonimiseerd."
    )


def test_both_ask_to_log_in_again_first(
    registered: Registration, agreed: Chain, login: Callable[..., Client]
) -> None:
    """Without a recent re-authentication both go to it first (a sensitive action), and
    nothing is logged as exported."""
    client = login(agreed.partners.adviser)
    answers = [client.get(print_url(agreed.vt.pk)), client.get(json_url(agreed.vt.pk))]
    assert (
        [(r.status_code, r["Location"].split("?")[0]) for r in answers],
        export_lines("comensha_printed") + export_lines("comensha_exported"),
    ) == ([(302, "/account/reauthenticate/")] * 2, [])


def test_another_member_cannot_print_or_export(
    registered: Registration, agreed: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """The wijkteam did not register: its dossier has no registration to print (404)."""
    client = login(professional, reauthenticated=True)
    answers = [
        client.get(print_url(agreed.sender.pk)).status_code,
        client.get(json_url(agreed.sender.pk)).status_code,
    ]
    assert answers == [404, 404]


def test_nothing_to_print_before_the_registration(
    agreed: Chain, login: Callable[..., Client]
) -> None:
    """Agreed but not registered yet: 404."""
    client = login(agreed.partners.adviser, reauthenticated=True)
    assert client.get(print_url(agreed.vt.pk)).status_code == 404


def test_a_reader_without_export_gets_404(
    registered: Registration, agreed: Chain, login: Callable[..., Client]
) -> None:
    """A Veilig Thuis adviser reading the dossier under break-glass may not export it."""
    reader = agreed.partners.second_adviser
    open_with_break_glass(reader, agreed.vt.pk, "Acuut; afstemming met de politie nodig.")
    client = login(reader, reauthenticated=True)
    answers = [
        client.get(print_url(agreed.vt.pk)).status_code,
        client.get(json_url(agreed.vt.pk)).status_code,
    ]
    assert answers == [404, 404]

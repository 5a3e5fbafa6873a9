"""What each side sees of a share afterwards: the sender's "Wie keek er" names the
receiving organisation and role, never its staff; the person's inzage on Veilig Thuis'
dossier leaves out who reported when the reporter asked so (Uitvoeringsbesluit Wmo 2015,
art. 4.1.8)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.chain import services as chain
from baken.chain.models import Share
from baken.chain.selectors import share_for_recipient
from baken.dossiers.export import WITHHELD, person_export
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_lines, access_to
from tests.chain.conftest import Partners, report


def test_who_looked_names_the_receiving_organisation_and_role(
    professional: User, partners: Partners, reported: Share
) -> None:
    """When a Veilig Thuis adviser opens the melding, the sender's "Wie keek er" line says
    Veilig Thuis' name and the adviser's role, not the adviser's name."""
    share_for_recipient(partners.adviser, reported.pk)
    dossier = Dossier.objects.get(pk=reported.sender_dossier_id)
    line = next(line for line in access_lines(dossier) if line.event.action == "share_opened")
    assert (line.user_name, line.role_label, str(partners.adviser) in line.user_name) == (
        partners.vt.name,
        "Adviseur Veilig Thuis",
        False,
    )


def _received(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    *,
    non_disclosure: bool,
) -> Dossier:
    sent = walked(5)
    share = chain.send_report(
        access_to(professional, sent.pk), report(non_disclosure=non_disclosure), [1]
    )
    return chain.accept_report(partners.adviser, share.pk)


def test_the_inzage_leaves_out_the_reporter_who_asked_not_to_be_named(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
) -> None:
    """On Veilig Thuis' dossier from a melding with non-disclosure, the person's export
    (JSON and the readable page's rows) holds neither the reporting organisation nor the
    reporter; without non-disclosure it names the organisation."""
    hidden = _received(professional, partners, walked, non_disclosure=True)
    shown = _received(professional, partners, walked, non_disclosure=False)
    hidden_json = json.dumps(person_export(hidden, partners.adviser), ensure_ascii=False)
    shown_json = json.dumps(person_export(shown, partners.adviser), ensure_ascii=False)
    assert (
        "Wijkteam Proef-Noord" in hidden_json,
        "Proef Melder" in hidden_json,
        f'"from": "{WITHHELD}"' in hidden_json,
        "Wijkteam Proef-Noord" in shown_json,
    ) == (False, False, True, True)


def test_the_readable_inzage_says_the_reporter_is_not_disclosed(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """The printable inzage page of that dossier says the sender is not disclosed, at the
    reporter's request, and does not name the reporting organisation."""
    hidden = _received(professional, partners, walked, non_disclosure=True)
    client = login(partners.adviser, reauthenticated=True)
    page = client.get(reverse("dossiers:export", args=[hidden.pk])).content.decode()
    assert (
        "Niet bekendgemaakt, op verzoek van de melder" in page,
        "Wijkteam Proef-Noord" in page,
    ) == (True, False)


def test_the_advice_says_the_melding_is_done_on_both_dossiers(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """After a melding the sender's advice says it was done (not "decide whether to
    report"); Veilig Thuis' own dossier says it was opened from a melding and that
    casusregie lies with them, not that Veilig Thuis should still be reported to."""
    sent = walked(5)
    share = chain.send_report(access_to(professional, sent.pk), report(), [1])
    received = chain.accept_report(partners.adviser, share.pk)
    sender_page = login(professional).get(reverse("dossiers:detail", args=[sent.pk]))
    vt_page = login(partners.adviser).get(reverse("dossiers:detail", args=[received.pk]))
    sender_text, vt_text = sender_page.content.decode(), vt_page.content.decode()
    assert (
        "Gedaan: melding van" in sender_text,
        "geopend vanuit een melding van" in vt_text,
        "casusregie ligt bij jouw organisatie" in vt_text,
        "Nog te doen vóór stap 5" in vt_text,
    ) == (True, True, True, False)

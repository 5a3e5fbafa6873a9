"""The read-only handbook pages, rendered by Django's test client."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from baken.protocol import Protocol
from baken.protocol.index import iter_signals
from baken.web.context_processors import acute_context
from baken.web.pages import PAGES


@pytest.mark.parametrize("page", [p.name for p in PAGES])
def test_every_page_renders_in_dutch_with_the_acute_danger_box(client: Client, page: str) -> None:
    """Each page answers 200, is Dutch, and shows the police numbers for now with tel: links."""
    response = client.get(reverse(f"web:{page}"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl"' in html
    assert "Acuut gevaar? Bel nu de politie." in html
    assert 'href="tel:112"' in html


def test_the_acute_box_gives_the_front_office_within_office_hours(protocol: Protocol) -> None:
    """Wednesday 11:00: the AVIM front office first, 112 for an emergency."""
    context = acute_context(protocol, datetime.fromisoformat("2026-02-11T11:00:00+01:00"))
    assert context["within_office_hours"] is True
    assert [re.sub(r"\D", "", n["phone"]) for n in context["numbers"]] == ["0889657700", "112"]


def test_the_acute_box_gives_only_112_outside_office_hours(protocol: Protocol) -> None:
    """Sunday afternoon: 112 only."""
    context = acute_context(protocol, datetime.fromisoformat("2026-02-15T15:00:00+01:00"))
    assert context["within_office_hours"] is False
    assert [n["phone"] for n in context["numbers"]] == ["112"]


def test_the_signal_page_lists_every_signal(client: Client, protocol: Protocol) -> None:
    """All signals of both lists appear, each with its id."""
    html = client.get(reverse("web:signals")).content.decode()
    for signal_list in protocol.signal_lists:
        for signal in iter_signals(signal_list):
            assert f'id="{signal.id}"' in html


def test_the_social_map_links_every_number_and_address(client: Client, protocol: Protocol) -> None:
    """Phone numbers are tel: links and e-mail addresses mailto: links."""
    html = client.get(reverse("web:social_map")).content.decode()
    for partner in protocol.partners:
        if not partner.on_social_map:
            continue
        for contact in partner.contacts:
            if contact.kind == "phone":
                assert f'href="tel:{contact.digits}"' in html
            elif contact.kind == "email":
                assert f'href="mailto:{contact.value}"' in html


def test_the_steps_page_shows_every_action_and_weighing_question(
    client: Client, protocol: Protocol
) -> None:
    """The stappenplan page carries all actions and the five questions with citations."""
    html = client.get(reverse("web:steps")).content.decode()
    for step in protocol.steps.steps:
        for action in step.actions:
            assert escape(action.text) in html
    for question in protocol.weighing.questions:
        assert escape(question.text) in html


def test_added_items_are_marked_with_their_source(client: Client) -> None:
    """The art. 273f page marks the elements completed from the law text."""
    html = client.get(reverse("web:article_273f")).content.decode()
    assert "toegevoegd — bron:" in html


def test_the_handbook_is_read_only(client: Client) -> None:
    """A POST to a handbook page is refused."""
    assert client.post(reverse("web:steps")).status_code in {403, 405}

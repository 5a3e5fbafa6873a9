"""The acute-danger button: recorded once, police route shown, and the weighing must agree."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers import services
from baken.dossiers.models import Dossier, Entry
from baken.dossiers.selectors import access_to, state_of

WEIGHING = {
    "answers": {"q1": "yes", "q2": "no", "q3": "yes", "q4": "yes", "q5": "yes"},
    "motivations": {f"q{n}": "m" for n in range(1, 6)},
    "expert_consulted": "aandachtsfunctionaris",
    "discussed_with_person": "no",
}


def test_the_button_records_acute_danger_and_shows_the_police_route(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """POST on the button: one acute-danger entry, the dossier flagged, the police to call."""
    dossier = open_dossier()
    client = login(professional)
    url = reverse("dossiers:acute", args=[dossier.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="tel:112"' in body
    assert "Bel nu de politie" in body
    dossier.refresh_from_db()
    assert dossier.acute_danger is True
    assert state_of(access_to(dossier.opened_by, dossier.pk)).advice.call_police_now is True
    client.post(url)  # pressing it again records nothing new
    assert Entry.objects.filter(dossier=dossier, kind="acute_danger").count() == 1


def test_a_weighing_from_before_the_acute_danger_is_flagged_and_not_used_as_no(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """q2 'no' recorded earlier, then acute danger: the advice counts q2 as unsafety and the
    page asks to weigh again; a new weighing with q2 'no' is refused in Dutch."""
    dossier = open_dossier()
    services.record(access_to(professional, dossier.pk), "weighing", WEIGHING, seen_sequence=0)
    services.record(
        access_to(professional, dossier.pk),
        "acute_danger",
        {"active": True, "raised": True},
        seen_sequence=1,
    )
    dossier.refresh_from_db()
    state = state_of(access_to(dossier.opened_by, dossier.pk))
    assert "weighing_before_acute_danger" in state.notices
    assert state.situation.answer("q2") == "yes"
    client = login(professional)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "weeg opnieuw" in page
    data = {
        "weighing-seen": 2,
        "weighing-expert_consulted": "x",
        "weighing-discussed_with_person": "no",
    }
    data.update({f"weighing-q{n}": "yes" for n in range(1, 6)})
    data.update({f"weighing-q{n}_motivation": "m" for n in range(1, 6)})
    data["weighing-q2"] = "no"
    response = client.post(reverse("dossiers:record", args=[dossier.pk, "weighing"]), data)
    assert response.status_code == 400
    assert "acuut gevaar vastgelegd" in response.content.decode()


def test_the_follow_up_records_police_call_and_consent(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """After the button, the follow-up form records whether the police were called, the
    person's consent, and when the danger is over the dossier is no longer flagged."""
    dossier = open_dossier()
    client = login(professional)
    client.post(reverse("dossiers:acute", args=[dossier.pk]))
    response = client.post(
        reverse("dossiers:record", args=[dossier.pk, "acute_danger"]),
        {
            "acute_danger-seen": 1,
            "acute_danger-active": "no",
            "acute_danger-police_called": "yes",
            "acute_danger-victim_consent": "not_possible",
            "acute_danger-note": "",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.acute_danger is False
    latest = Entry.objects.filter(dossier=dossier, kind="acute_danger").last()
    assert latest.data["police_called"] == "yes"
    assert latest.data["victim_consent"] == "not_possible"

"""Rules found in review: closing, volunteers on a shared dossier, acute danger after a
weighing, outdated decisions, corrections of corrections, and bad bookkeeping fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from baken.accounts.models import Role, User
from baken.dossiers import services
from baken.dossiers.models import Dossier, Entry
from baken.dossiers.selectors import access_to, state_of

OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": "x",
}
CONSULTATION = {"consulted": "colleague", "held_on": "2026-11-20", "advice": "y"}
CONVERSATION = {
    "held": "no",
    "not_held_reason": "niet veilig",
    "consent_to_involve": "not_asked",
    "consent_to_report": "not_asked",
}
EVALUATION = {f"evaluatie-{n}": "antwoord" for n in range(1, 5)}


def weighing(**answers: str) -> dict[str, Any]:
    full = {"q1": "yes", "q2": "no", "q3": "yes", "q4": "yes", "q5": "yes", **answers}
    return {
        "answers": full,
        "motivations": dict.fromkeys(full, "m"),
        "expert_consulted": "aandachtsfunctionaris",
        "discussed_with_person": "no",
    }


def decision(report: str, help_: str, **extra: str) -> dict[str, Any]:
    return {
        "report": report,
        "report_motivation": "m",
        "help": help_,
        "help_motivation": "m",
        "deviation_motivation": "",
        **extra,
    }


def seen(dossier: Dossier) -> int:
    return Dossier.objects.get(pk=dossier.pk).last_sequence


def add(user: User, dossier: Dossier, kind: str, data: dict[str, Any]) -> Entry:
    return services.record(access_to(user, dossier.pk), kind, data, seen_sequence=seen(dossier))


@pytest.fixture
def weighed(professional: User, open_dossier: Callable[..., Dossier]) -> Dossier:
    dossier = open_dossier()
    for kind, data in (
        ("observation", OBSERVATION),
        ("consultation", CONSULTATION),
        ("conversation", CONVERSATION),
    ):
        add(professional, dossier, kind, data)
    add(professional, dossier, "weighing", weighing())
    return dossier


def test_closing_is_refused_while_acute_danger_is_open(
    professional: User, weighed: Dossier
) -> None:
    """The evaluation cannot close a dossier whose acute danger is not recorded as over."""
    add(professional, weighed, "acute_danger", {"active": True, "raised": True})
    with pytest.raises(services.NotAllowed) as refused:
        services.close_dossier(
            access_to(professional, weighed.pk), EVALUATION, seen_sequence=seen(weighed)
        )
    assert refused.value.code == "acute_active"
    assert Dossier.objects.get(pk=weighed.pk).closed_at is None


def test_closing_from_a_page_opened_before_a_colleagues_entry_is_a_conflict(
    professional: User, colleague: User, weighed: Dossier
) -> None:
    """Any entry added after the close page was opened stops the closing."""
    services.add_colleague(
        access_to(professional, weighed.pk), colleague.pk, seen_sequence=seen(weighed)
    )
    opened_at = seen(weighed)
    add(colleague, weighed, "observation", OBSERVATION)
    with pytest.raises(services.StaleEdit):
        services.close_dossier(
            access_to(professional, weighed.pk), EVALUATION, seen_sequence=opened_at
        )


def test_a_volunteer_in_a_professionals_case_team_cannot_weigh_or_decide(
    professional: User,
    make_user: Callable[..., User],
    organisation: object,
    weighed: Dossier,
    login: Callable[[User], Client],
) -> None:
    """Volunteers have no afwegingskader whoever opened the dossier: refused by the service
    and 404 on the form URLs; their advice page sends them to Veilig Thuis."""
    volunteer = make_user("proef-vrijwilliger", Role.VOLUNTEER, organisation)
    services.add_colleague(
        access_to(professional, weighed.pk), volunteer.pk, seen_sequence=seen(weighed)
    )
    with pytest.raises(services.NotAllowed) as refused:
        add(volunteer, weighed, "weighing", weighing())
    assert refused.value.code == "volunteer"
    client = login(volunteer)
    assert (
        client.post(reverse("dossiers:record", args=[weighed.pk, "decision"]), {}).status_code
        == 404
    )
    page = client.get(reverse("dossiers:step", args=[weighed.pk, 4])).content.decode()
    assert "Vrijwilligers hebben geen afwegingskader" in page
    assert state_of(access_to(volunteer, weighed.pk)).advice.conclusion is None
    assert state_of(access_to(professional, weighed.pk)).advice.conclusion == "suspicion"


def test_a_professional_can_weigh_a_dossier_a_volunteer_opened(
    make_user: Callable[..., User],
    organisation: object,
    professional: User,
    login: Callable[[User], Client],
) -> None:
    """The advice is for the reader: a professional added to a volunteer's dossier weighs."""
    volunteer = make_user("proef-vrijwilliger", Role.VOLUNTEER, organisation)
    dossier = services.open_dossier(volunteer, services.NewDossier("Casus Hazel", None, 30, []))
    services.add_colleague(access_to(volunteer, dossier.pk), professional.pk, seen_sequence=0)
    page = login(professional).get(reverse("dossiers:step", args=[dossier.pk, 4])).content.decode()
    assert 'name="weighing-q1"' in page


def test_acute_danger_after_a_weighing_keeps_counting_once_it_is_over(
    professional: User, weighed: Dossier
) -> None:
    """q1 'no' before acute danger stays unknown after the danger ends, until a new weighing."""
    add(professional, weighed, "weighing", weighing(q1="no"))
    assert state_of(access_to(weighed.opened_by, weighed.pk)).advice.conclusion == "unfounded"
    add(professional, weighed, "acute_danger", {"active": True, "raised": True})
    add(
        professional,
        weighed,
        "acute_danger",
        {"active": False, "police_called": "yes", "victim_consent": "yes", "note": ""},
    )
    weighed.refresh_from_db()
    state = state_of(access_to(weighed.opened_by, weighed.pk))
    assert weighed.acute_danger is False
    assert state.advice.conclusion == "doubt"
    assert "weighing_before_acute_danger" in state.notices
    add(professional, weighed, "weighing", weighing(q1="no"))
    assert state_of(access_to(weighed.opened_by, weighed.pk)).advice.conclusion == "unfounded"


def test_a_decision_older_than_the_latest_weighing_must_be_taken_again(
    professional: User, weighed: Dossier
) -> None:
    """Step 5 is no longer done once a newer weighing exists; the page says so."""
    services.record_decision(
        access_to(professional, weighed.pk), decision("no", "yes"), seen_sequence=seen(weighed)
    )
    weighed.refresh_from_db()
    assert weighed.next_step == 6
    add(professional, weighed, "weighing", weighing(q2="yes"))
    weighed.refresh_from_db()
    state = state_of(access_to(weighed.opened_by, weighed.pk))
    assert weighed.next_step == 5
    assert "decision_outdated" in state.notices
    assert 5 not in state.advice.steps.completed


def test_a_decision_is_refused_while_the_weighing_leaves_it_open(
    professional: User, weighed: Dossier
) -> None:
    """With q3 unknown the help decision is open: no step-5 decision yet."""
    add(professional, weighed, "weighing", weighing(q3="unknown"))
    with pytest.raises(services.NotAllowed) as refused:
        services.record_decision(
            access_to(professional, weighed.pk), decision("no", "no"), seen_sequence=seen(weighed)
        )
    assert refused.value.code == "weighing_open"


def test_a_weighing_saying_no_unsafety_during_acute_danger_is_refused_by_the_service(
    professional: User, weighed: Dossier
) -> None:
    """The acute-danger rule holds in the service, not only in the form."""
    add(professional, weighed, "acute_danger", {"active": True, "raised": True})
    with pytest.raises(services.NotAllowed) as refused:
        add(professional, weighed, "weighing", weighing(q2="no"))
    assert refused.value.code == "acute_contradiction"


def test_correcting_an_entry_that_was_corrected_meanwhile_points_at_the_correction(
    professional: User, colleague: User, weighed: Dossier, login: Callable[[User], Client]
) -> None:
    """A second correction of #1 is refused with a message naming the newer correction."""
    services.add_colleague(
        access_to(professional, weighed.pk), colleague.pk, seen_sequence=seen(weighed)
    )
    opened_at = seen(weighed)
    services.record(
        access_to(professional, weighed.pk),
        "observation",
        {**OBSERVATION, "description": "a"},
        seen_sequence=opened_at,
        corrects=1,
        reason="r",
    )
    data = {f"observation-{k}": v for k, v in {**OBSERVATION, "description": "mijn tekst"}.items()}
    data.update({"observation-seen": opened_at, "observation-correction_reason": "reden"})
    response = login(colleague).post(reverse("dossiers:correct", args=[weighed.pk, 1]), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "al gecorrigeerd" in body and "mijn tekst" in body


def test_a_form_closed_meanwhile_shows_what_was_typed(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """When the dossier was closed while typing, the text comes back to copy, not lost."""
    dossier = open_dossier()
    services.close_dossier(access_to(professional, dossier.pk), EVALUATION, seen_sequence=0)
    data = {
        f"observation-{k}": v for k, v in {**OBSERVATION, "description": "mijn waarneming"}.items()
    }
    data["observation-seen"] = 0
    response = login(professional).post(
        reverse("dossiers:record", args=[dossier.pk, "observation"]), data
    )
    assert response.status_code == 409
    assert "mijn waarneming" in response.content.decode()


def test_a_missing_seen_field_is_repaired_so_saving_again_works(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """An old or tampered form without 'seen' is shown again, up to date, with a message."""
    dossier = open_dossier()
    client = login(professional)
    data = {f"observation-{k}": v for k, v in OBSERVATION.items()}
    url = reverse("dossiers:record", args=[dossier.pk, "observation"])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "verouderd" in response.content.decode()
    assert 'name="observation-seen" value="0"' in response.content.decode()


def test_a_non_ascii_digit_in_the_step_filter_is_a_message_not_an_error(
    professional: User, login: Callable[[User], Client]
) -> None:
    """'²' passes str.isdigit but is not a step: a Dutch message, status 200."""
    response = login(professional).get(reverse("dossiers:list") + "?stap=²")
    assert response.status_code == 200
    assert "Kies een stap uit de lijst." in response.content.decode()


def test_a_wrong_age_is_corrected_and_the_old_value_stays_in_the_timeline(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """Age 19 turns out to be 16: the minors rules apply from then on, and the change with
    its reason is an entry showing the old and the new value."""
    dossier = open_dossier(age=19)
    assert state_of(access_to(dossier.opened_by, dossier.pk)).advice.art_273f.means_required is True
    client = login(professional)
    response = client.post(
        reverse("dossiers:details", args=[dossier.pk]),
        {
            "label": "Casus Proef",
            "age": 16,
            "exploitation_forms": ["sexual"],
            "reason": "Leeftijd bleek onjuist",
            "seen": 0,
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (
        state_of(access_to(dossier.opened_by, dossier.pk)).advice.art_273f.means_required is False
    )
    entry = Entry.objects.get(dossier=dossier, kind="details")
    assert entry.data["before"]["age_at_opening"] == 19
    assert entry.data["after"]["age_at_opening"] == 16
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "19 → 16" in page and "Leeftijd bleek onjuist" in page


def test_an_implausible_birth_date_is_refused_in_dutch(
    professional: User, login: Callable[[User], Client]
) -> None:
    """A date of birth more than 120 years ago is refused; the label typed is kept."""
    response = login(professional).post(
        reverse("dossiers:new"), {"label": "Casus Oud", "birth_date": "0001-01-01"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Casus Oud" in body and "meer dan 120 jaar geleden" in body

"""Acute danger (§1.1), office hours in Amsterdam time, and the routing of contacts."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from baken.engine.rules.acute import easter_sunday, is_public_holiday, within_office_hours
from baken.protocol import Protocol
from tests.engine.helpers import SUNDAY, advise

AVIM = "0889657700"
EMERGENCY = "112"


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_sunday_matches_the_calendar(year: int, easter: date) -> None:
    """The Easter computation gives the known dates, including the extremes."""
    assert easter_sunday(year) == easter


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),
        date(2026, 4, 6),
        date(2026, 4, 27),
        date(2026, 5, 5),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2025, 4, 26),
    ],
)
def test_dutch_public_holidays_are_known(protocol: Protocol, day: date) -> None:
    """Nieuwjaarsdag, 2e Paasdag, Koningsdag (26 April when the 27th is a Sunday), etc."""
    assert is_public_holiday(protocol.acute_danger.office_hours, day)


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        ("2026-02-11T11:00:00+01:00", True),  # Wednesday late morning
        ("2026-02-11T08:59:59+01:00", False),  # before opening
        ("2026-02-11T17:00:00+01:00", False),  # closing time is outside
        ("2026-02-11T07:30:00Z", False),  # 08:30 in Amsterdam
        ("2026-02-11T08:30:00Z", True),  # 09:30 in Amsterdam
        ("2026-07-15T15:30:00Z", False),  # 17:30 in summer time
        ("2026-07-15T14:30:00Z", True),  # 16:30 in summer time
        ("2026-02-11T20:00:00-05:00", False),  # 02:00 Thursday in Amsterdam
        ("2026-02-14T11:00:00+01:00", False),  # Saturday
        ("2026-12-25T11:00:00+01:00", False),  # Christmas on a Friday
        ("2026-05-14T11:00:00+02:00", False),  # Ascension Day
        ("2026-03-30T07:30:00Z", True),  # Monday after the spring switch: 09:30 CEST
        ("2026-03-30T08:30:00+01:00", True),  # the same day given in winter offset: 09:30
        ("2026-10-26T07:30:00Z", False),  # Monday after the autumn switch: 08:30 CET
        ("2026-10-26T16:30:00+02:00", True),  # summer offset after the switch: 15:30 CET
    ],
)
def test_office_hours_are_judged_in_amsterdam_time(
    protocol: Protocol, moment: str, inside: bool
) -> None:
    """Whatever offset the moment is given in, office hours are Europe/Amsterdam hours."""
    hours = protocol.acute_danger.office_hours
    assert within_office_hours(hours, datetime.fromisoformat(moment)) is inside


def test_acute_danger_within_office_hours_calls_the_avim_front_office_first(
    protocol: Protocol,
) -> None:
    """Within office hours: AVIM front office first, 112 next for an emergency."""
    advice = advise(protocol, acute_danger=True)
    assert advice.call_police_now is True
    phones = [_digits(c.phone) for c in advice.contacts]
    assert phones[:2] == [AVIM, EMERGENCY]
    assert advice.contacts[0].cite.startswith("§1.1")


def test_acute_danger_outside_office_hours_calls_112_and_not_the_closed_front_office(
    protocol: Protocol,
) -> None:
    """Outside office hours: 112 first; the front office is not offered."""
    advice = advise(protocol, acute_danger=True, moment=SUNDAY)
    phones = [_digits(c.phone) for c in advice.contacts]
    assert phones[0] == EMERGENCY
    assert AVIM not in phones


def test_acute_danger_comes_before_everything_else(protocol: Protocol) -> None:
    """Acute danger's police call is the first contact and the first action."""
    advice = advise(
        protocol,
        acute_danger=True,
        steps_completed=[1, 2, 3, 4],
        weighing={"q1": "yes", "q2": "yes"},
        exploitation_forms=["labour"],
    )
    assert advice.contacts[0].partner == "politie"
    assert advice.actions[0].text == protocol.acute_danger.actions[0].text


def test_no_acute_danger_means_no_police_call(protocol: Protocol) -> None:
    """Without acute danger the police are not among the contacts."""
    advice = advise(protocol, steps_completed=[1])
    assert advice.call_police_now is False
    assert all(c.partner != "politie" for c in advice.contacts)


def test_labour_exploitation_routes_to_the_inspectie_szw(protocol: Protocol) -> None:
    """Labour exploitation named as a form: the Inspectie SZW is a contact (§3.4)."""
    advice = advise(protocol, exploitation_forms=["labour"])
    assert "inspectie-szw" in [c.partner for c in advice.contacts]


def test_a_labour_signal_alone_routes_to_the_inspectie_szw(protocol: Protocol) -> None:
    """A signal from the labour list counts even when no form was named."""
    labour = next(lst for lst in protocol.signal_lists if lst.form == "labour")
    advice = advise(protocol, signals=[labour.groups[0].signals[0].id])
    assert "inspectie-szw" in [c.partner for c in advice.contacts]


def test_sexual_exploitation_does_not_route_to_the_inspectie_szw(protocol: Protocol) -> None:
    """The labour inspectorate is only for labour exploitation."""
    advice = advise(protocol, exploitation_forms=["sexual"])
    assert "inspectie-szw" not in [c.partner for c in advice.contacts]


def test_evident_trafficking_brings_in_the_care_coordinator_and_comensha(
    protocol: Protocol,
) -> None:
    """A suspicion: the zorgcoördinator (§2.1) and the CoMensha agreement (§2.2)."""
    advice = advise(protocol, steps_completed=[1, 2, 3, 4], weighing={"q1": "yes"})
    partners = [c.partner for c in advice.contacts]
    assert "zorgcoordinator" in partners
    assert "comensha" in partners
    assert partners.index("veilig-thuis") < partners.index("comensha")


def test_every_contact_uses_a_number_from_the_protocol(protocol: Protocol) -> None:
    """Contacts carry the protocol's own phone numbers, never invented ones."""
    numbers = {c.value for p in protocol.partners for c in p.contacts if c.kind == "phone"}
    advice = advise(
        protocol,
        acute_danger=True,
        exploitation_forms=["labour"],
        steps_completed=[1, 2, 3, 4],
        weighing={"q1": "yes"},
    )
    assert advice.contacts
    assert {c.phone for c in advice.contacts} <= numbers


def test_a_minor_brings_the_parents_rule(protocol: Protocol) -> None:
    """For a person under 18 the advice includes contact with parents (§3.3)."""
    advice = advise(protocol, person={"age": 15})
    parents = next(i for i in protocol.routing if i.id == "route-minderjarige-ouders")
    assert parents.text in [a.text for a in advice.actions]


def test_a_fitting_profile_brings_its_advice(protocol: Protocol) -> None:
    """A profile with advice (e.g. honour-related) adds that advice with its citation."""
    profile = next(p for p in protocol.profiles if p.advice)
    advice = advise(protocol, profiles=[profile.id])
    assert profile.advice[0].text in [a.text for a in advice.actions]


def test_a_volunteer_in_acute_danger_calls_the_police_then_veilig_thuis(
    protocol: Protocol,
) -> None:
    """Acute danger holds for volunteers too; after the police they turn to Veilig Thuis only."""
    advice = advise(protocol, reporter="volunteer", acute_danger=True, moment=SUNDAY)
    partners = [c.partner for c in advice.contacts]
    assert partners[0] == "politie"
    assert _digits(advice.contacts[0].phone) == EMERGENCY
    assert "veilig-thuis" in partners
    assert "meld-misdaad-anoniem" not in partners and "comensha" not in partners
    assert advice.conclusion is None and advice.report_to_veilig_thuis is None
    assert protocol.weighing.volunteers.text in [a.text for a in advice.actions]
    assert all(not a.text.startswith("Stap ") for a in advice.actions)


def test_an_unfounded_suspicion_lists_no_trafficking_partners(protocol: Protocol) -> None:
    """q1 no: no zorgcoördinator, CoMensha, Meld Misdaad Anoniem or Inspectie SZW."""
    advice = advise(
        protocol,
        exploitation_forms=["labour"],
        steps_completed=[1, 2, 3, 4],
        weighing={"q1": "no"},
        art_273f={"acts": ["act-werven"], "purposes": ["purpose-gedwongen-arbeid"]},
    )
    assert advice.contacts == ()


def test_art_273f_elements_alone_do_not_route_as_evident(protocol: Protocol) -> None:
    """The legal elements are information, not a verdict: no suspicion, no zorgcoördinator."""
    article = protocol.article_273f
    advice = advise(
        protocol,
        person={"age": 15},
        art_273f={"acts": [article.acts[0].id], "purposes": [article.purposes[0].id]},
    )
    assert advice.art_273f.elements_present is True
    assert "zorgcoordinator" not in [c.partner for c in advice.contacts]
    assert article.information.text in [a.text for a in advice.actions]


def test_text_completed_from_another_source_says_so(protocol: Protocol) -> None:
    """Items not in the protocol document carry their added source; the document's own do not."""
    advice = advise(
        protocol,
        steps_completed=[1, 2, 3, 4],
        weighing={"q1": "yes", "q2": "yes"},
        consent_to_report="no",
    )
    by_text = {a.text: a for a in advice.actions}
    recorded = next(c for c in protocol.consent if c.id == "toestemming-meldrecht-vastleggen")
    assert recorded.added is not None
    assert by_text[recorded.text].added == recorded.added.source
    suspicion = next(o for o in protocol.weighing.outcomes if o.id == "suspicion")
    assert by_text[suspicion.text].added is None
    mma = next(c for c in advice.contacts if c.partner == "meld-misdaad-anoniem")
    assert mma.added is not None

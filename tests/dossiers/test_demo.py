"""The demo data: every step and role covered, purely synthetic, never in production."""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.test import RequestFactory
from django.utils import timezone

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.audit.models import AccessEvent
from baken.dossiers import demo, services
from baken.dossiers.demo import DEMO_PASSWORD, DemoRefused, fill_demo_database
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to, age_on, state_of

COMMON_FIRST_NAMES = [
    "Jan", "Piet", "Kees", "Henk", "Willem", "Johan", "Peter", "Sander", "Thomas", "Daan",
    "Lucas", "Sem", "Bram", "Ruben", "Mohammed", "Maria", "Anna", "Emma", "Julia", "Sophie",
    "Lisa", "Sanne", "Eva", "Anouk", "Fleur", "Lotte", "Femke", "Linda", "Ingrid", "Fatima",
    "Merel", "Linde", "Noor", "Sara", "Tess",
]  # fmt: skip
COMMON_LAST_NAMES = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
    "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
    "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
    "de Graaf", "van der Meer", "Yilmaz", "El Amrani",
]  # fmt: skip
NAME_PAIRS = [
    f"{first} {last}".lower()
    for first, last in itertools.product(COMMON_FIRST_NAMES, COMMON_LAST_NAMES)
]


@pytest.fixture
def filled(db: None) -> str:
    """Fill the empty test database with the demo and return what it printed."""
    out = io.StringIO()
    fill_demo_database(out)
    return out.getvalue()


def _strings(value: Any) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _dossier(label: str) -> Dossier:
    # The label is encrypted at rest, so it cannot be looked up in the database.
    return next(d for d in Dossier.objects.all() if d.label == label)


def test_every_step_is_covered(filled: str) -> None:
    """There are dossiers whose next step is 1, 2, 3, 4, 5 and 6, and at least seven."""
    assert Dossier.objects.count() >= 7
    steps = set(Dossier.objects.values_list("next_step", flat=True))
    assert steps == {1, 2, 3, 4, 5, 6}
    assert Dossier.objects.filter(next_step=1, last_sequence=0).exists(), "one just opened"


def test_step_one_has_observations_signals_and_a_profile(filled: str) -> None:
    """The step-1 dossier holds observations, signals and a victim profile, and no more."""
    dossier = _dossier("Casus Linde")
    kinds = set(dossier.entries.values_list("kind", flat=True))
    assert kinds == {EntryKind.OBSERVATION, EntryKind.SIGNAL, EntryKind.PROFILE}
    assert dossier.next_step == 2


def test_conversation_not_possible_is_explained(filled: str) -> None:
    """The step-3 dossier records that no conversation was held, and why."""
    dossier = _dossier("Casus Vlinder")
    conversation = dossier.entries.get(kind=EntryKind.CONVERSATION)
    assert conversation.data["held"] == "no"
    assert conversation.data["not_held_reason"].strip()
    assert dossier.next_step == 4


def test_weighing_leads_to_report_required(filled: str) -> None:
    """The step-4 dossier's weighing makes the engine require a report to Veilig Thuis."""
    dossier = _dossier("Casus Reiger")
    assert dossier.next_step == 5
    advice = state_of(access_to(dossier.opened_by, dossier.pk)).advice
    assert advice.decision_possible
    assert advice.report_to_veilig_thuis == "required"


def test_decisions_follow_and_depart_from_the_advice(filled: str) -> None:
    """One decision follows the advice; another departs from it, with a motivation."""
    follows = _dossier("Casus Eik").entries.get(kind=EntryKind.DECISION)
    assert follows.data["deviates"] is False
    assert follows.data["advice_report"] == "required"
    assert follows.data["report"] == "yes"

    deviating = Dossier.objects.get(deviates=True)
    decision = deviating.entries.get(kind=EntryKind.DECISION)
    assert decision.data["deviations"] == ["report"]
    assert decision.data["deviation_motivation"].strip()
    assert deviating.next_step == 6


def test_closed_dossier_has_the_evaluation(filled: str, protocol: Any) -> None:
    """One dossier is closed, with an answer to every case-evaluation question."""
    closed = Dossier.objects.get(closed_at__isnull=False)
    assert closed.next_step == 6
    evaluation = closed.entries.get(kind=EntryKind.EVALUATION)
    question_ids = {q.id for q in protocol.case_evaluation.questions}
    assert set(evaluation.data) == question_ids
    assert all(answer.strip() for answer in evaluation.data.values())


def test_acute_danger_button_and_follow_up(filled: str) -> None:
    """One dossier is flagged acute: the button was pressed and the follow-up recorded."""
    acute = Dossier.objects.get(acute_danger=True)
    records = list(acute.entries.filter(kind=EntryKind.ACUTE_DANGER))
    assert records[0].data == {"active": True, "raised": True}
    assert records[-1].data["police_called"] == "yes"
    assert records[-1].data["active"] is True


def test_volunteer_dossier_consults_veilig_thuis(filled: str) -> None:
    """A volunteer opened a dossier and consulted Veilig Thuis; no decision is drawn for it."""
    dossier = Dossier.objects.get(reporter="volunteer")
    assert dossier.opened_by.role == Role.VOLUNTEER
    consultation = dossier.entries.get(kind=EntryKind.CONSULTATION)
    assert consultation.data["consulted"] == "veilig_thuis"
    assert not state_of(access_to(dossier.opened_by, dossier.pk)).advice.decision_possible


def test_correction_and_colleague(filled: str) -> None:
    """An observation is corrected by a later entry, and a colleague joined a case team."""
    correction = Entry.objects.get(corrects__isnull=False)
    assert correction.kind == EntryKind.OBSERVATION
    assert correction.correction_reason.strip()
    assert correction.corrects is not None
    assert correction.corrects.sequence < correction.sequence

    added = Entry.objects.get(kind=EntryKind.TEAM_MEMBER)
    assert added.dossier.team.count() == 2
    assert added.dossier.team.filter(user_id=added.data["user_id"]).exists()


def test_ages_and_forms_are_mixed(filled: str) -> None:
    """A 15- and a 16-year-old and adults; sexual, labour and criminal exploitation."""
    today = timezone.localdate()
    ages = {age_on(d, today) for d in Dossier.objects.all()}
    assert {15, 16} <= ages
    assert any(age is not None and age >= 18 for age in ages)
    forms = {f for d in Dossier.objects.all() for f in d.exploitation_forms}
    assert {"sexual", "labour", "criminal"} <= forms


def test_every_role_has_a_user(filled: str) -> None:
    """Every role has a demo user; all but the administrator belong to an organisation."""
    assert set(User.objects.values_list("role", flat=True)) == set(Role)
    assert User.objects.filter(role=Role.PROFESSIONAL).count() >= 3
    assert User.objects.get(role=Role.ADMINISTRATOR).organisation is None
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert len(kinds) == Organisation.objects.count() == 6
    adviser = User.objects.select_related("organisation").get(role=Role.VEILIG_THUIS_ADVISER)
    assert adviser.organisation is not None
    assert adviser.organisation.kind == OrganisationKind.VEILIG_THUIS
    coordinator = User.objects.select_related("organisation").get(role=Role.CARE_COORDINATOR)
    assert coordinator.organisation is not None
    assert coordinator.organisation.kind == OrganisationKind.CARE_COORDINATION
    chair = User.objects.select_related("organisation").get(role=Role.PROCESS_DIRECTOR)
    assert chair.organisation is not None
    assert chair.organisation.kind == OrganisationKind.SAFETY_HOUSE
    link = User.objects.select_related("organisation").get(role=Role.CHAIN_DIRECTOR)
    assert link.organisation is not None
    assert link.organisation.kind == OrganisationKind.MUNICIPALITY


def test_shared_password_is_valid_and_printed(filled: str) -> None:
    """The one demo password passes the validators, logs every user in, and is printed,
    with the hint that the first login sets up two-factor authentication."""
    for user in User.objects.all():
        validate_password(DEMO_PASSWORD, user)
    login_request = RequestFactory().post("/account/login/")  # django-axes needs the request
    assert (
        authenticate(login_request, username="demo-professional", password=DEMO_PASSWORD)
        is not None
    )
    assert DEMO_PASSWORD in filled
    assert "Log in at http://127.0.0.1:8000/account/login/" in filled
    assert "sets up two-factor authentication" in filled
    for user in User.objects.select_related("organisation"):
        assert user.username in filled
        if user.organisation is not None:
            assert user.organisation.name in filled


def test_writes_are_logged_like_the_application_does(filled: str) -> None:
    """Each dossier and entry was written through the services, so the audit log has them."""
    opened = AccessEvent.objects.filter(action="dossier_opened").count()
    assert opened == Dossier.objects.count()
    logged_entries = set(
        AccessEvent.objects.filter(entry_sequence__isnull=False).values_list(
            "dossier_id", "entry_sequence"
        )
    )
    assert logged_entries == set(Entry.objects.values_list("dossier_id", "sequence"))


def test_refuses_a_second_run(filled: str) -> None:
    """A database that already holds the demo is left alone."""
    before = (User.objects.count(), Dossier.objects.count())
    with pytest.raises(DemoRefused, match="already holds"):
        fill_demo_database(io.StringIO())
    assert (User.objects.count(), Dossier.objects.count()) == before


def test_refuses_a_database_with_users(db: None) -> None:
    """One existing user is enough to refuse: the demo only fills an empty database."""
    User.objects.create_user(username="proef-beheer", role=Role.ADMINISTRATOR)
    with pytest.raises(DemoRefused):
        fill_demo_database(io.StringIO())
    assert not Dossier.objects.exists()


def test_refuses_under_production_settings(db: None, settings: Any) -> None:
    """With PRODUCTION on, nothing is written and the refusal says why."""
    settings.PRODUCTION = True
    with pytest.raises(DemoRefused, match="production"):
        fill_demo_database(io.StringIO())
    assert not User.objects.exists()
    assert not Organisation.objects.exists()


def test_all_or_nothing(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure half-way leaves the database as empty as it was (one transaction)."""

    def broken(*args: Any, **kwargs: Any) -> Entry:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "close_dossier", broken)
    with pytest.raises(RuntimeError):
        demo.fill_demo_database(io.StringIO())
    assert not User.objects.exists()
    assert not Organisation.objects.exists()
    assert not Dossier.objects.exists()


def test_no_realistic_names(filled: str) -> None:
    """Labels are "Casus" and one word; no name, label or text holds a common Dutch name."""
    labels = [dossier.label for dossier in Dossier.objects.all()]
    for label in labels:
        assert re.fullmatch(r"Casus [A-Z][a-z]+", label), label
    texts = list(labels)
    texts += list(Organisation.objects.values_list("name", flat=True))
    for user in User.objects.all():
        assert user.first_name == "Demo"
        assert user.username.startswith("demo-")
        texts.append(user.get_full_name())
    for entry in Entry.objects.all():
        texts += _strings(entry.data)
        texts.append(entry.correction_reason)
    for text in texts:
        lowered = text.lower()
        found = [pair for pair in NAME_PAIRS if pair in lowered]
        assert not found, f"{text!r} holds a realistic name: {found}"

"""Recording the registration with CoMensha: once, by the case team of the organisation
agreed on, with the written consent the protocol asks for at the person's age (§2.2
CoMensha: from 16 the person signs, under 16 the parents or guardian). Every member dossier
gets that it was registered, logged, with a bericht."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.comensha import services
from baken.comensha.models import NeverChangedError, Registration
from baken.comensha.rules import PARENTS_OR_GUARDIAN, PERSON, category_for, consent_signer
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.models import Entry, EntryKind
from baken.dossiers.selectors import access_to
from baken.notifications.models import Notification
from baken.protocol import Protocol, default_registry
from tests.comensha.conftest import DETAILS, Chain, agree, days_ago, details


def record(chain_: Chain, registration: services.RegistrationDetails = DETAILS) -> Registration:
    """Veilig Thuis' adviser records ``registration``."""
    adviser = chain_.partners.adviser
    return services.record_registration(access_to(adviser, chain_.vt.pk), registration)


def refusal(chain_: Chain, registration: services.RegistrationDetails) -> str:
    """The code with which recording ``registration`` is refused."""
    with pytest.raises(services.ComenshaRefused) as refused:
        record(chain_, registration)
    return refused.value.code


def test_the_registering_organisation_records_the_registration(agreed: Chain) -> None:
    """Veilig Thuis' adviser records it: every field as given, from its own dossier."""
    registration = record(agreed)
    saved = Registration.objects.get(pk=registration.pk)
    assert (
        saved.dossier_id,
        saved.recorded_by_id,
        saved.category,
        saved.country_of_origin,
        saved.age,
        saved.sex,
        saved.reporter_organisation,
        saved.contact_name,
        saved.contact_phone,
        saved.contact_email,
        saved.kind,
        saved.registered_on,
        saved.consent_signed_by,
        saved.consent_signed_on,
        saved.consent_kept_at,
    ) == (
        agreed.vt.pk,
        agreed.partners.adviser.pk,
        "comensha-seksueel",
        "Nederland",
        16,
        "female",
        "Veilig Thuis Proef-Midden",
        "Proef Adviseur",
        "030 000 0002",
        "adviseur@proef.invalid",
        "comensha-registratie-opvang",
        days_ago(1),
        "person",
        days_ago(2),
        "Papieren dossier, kast 3",
    )


def test_every_member_dossier_learns_it_was_registered(trio: Chain, professional: User) -> None:
    """The wijkteam, Veilig Thuis and the zorgcoördinatie each get the registered entry:
    who registered, the day and the kind, nothing personal."""
    agree(trio, professional)
    record(trio)
    found = [
        [
            e.data
            for e in Entry.objects.filter(dossier=d, kind=EntryKind.COMENSHA)
            if e.data["event"] == "registered"
        ]
        for d in trio.dossiers
    ]
    expected = {
        "event": "registered",
        "registering": trio.partners.vt.name,
        "registered_on": days_ago(1).isoformat(),
        "kind": "comensha-registratie-opvang",
    }
    assert found == [[expected]] * 3


def test_the_registration_is_logged_and_told(trio: Chain, professional: User) -> None:
    """Logged in each dossier (Veilig Thuis' own on the adviser's access); the wijkteam's
    professional and the zorgcoördinator get a bericht."""
    agree(trio, professional)
    record(trio)
    lines = AccessEvent.objects.filter(action="comensha_registered").order_by("pk")
    berichten = Notification.objects.filter(kind="comensha_registered")
    assert (
        [(line.dossier_id, line.case_team) for line in lines],
        sorted(n.user_id for n in berichten),
    ) == (
        [(d.pk, d.pk == trio.vt.pk) for d in trio.dossiers],
        sorted([professional.pk, trio.partners.coordinator.pk]),
    )


def test_another_member_cannot_record_it(agreed: Chain, professional: User) -> None:
    """The wijkteam agreed that Veilig Thuis registers: the wijkteam cannot record it."""
    with pytest.raises(services.ComenshaRefused) as refused:
        services.record_registration(access_to(professional, agreed.sender.pk), DETAILS)
    assert (refused.value.code, refused.value.params) == (
        "not_registering",
        {"organisation": agreed.partners.vt.name},
    )


def test_nothing_is_recorded_before_the_agreement(pair: Chain) -> None:
    """Without an agreement there is nobody to register yet."""
    assert refusal(pair, DETAILS) == "not_agreed"


def test_the_registration_is_recorded_once(registered: Registration, agreed: Chain) -> None:
    """A second registration is refused, naming who registered and on which day."""
    with pytest.raises(services.ComenshaRefused) as refused:
        record(agreed)
    assert (refused.value.code, refused.value.params, Registration.objects.count()) == (
        "already_registered",
        {"organisation": agreed.partners.vt.name, "registered_on": days_ago(1)},
        1,
    )


def test_a_break_glass_reader_cannot_record_it(agreed: Chain) -> None:
    """Who only reads cannot write: 404."""
    reader = agreed.partners.second_adviser
    open_with_break_glass(reader, agreed.vt.pk, "Acuut; afstemming met de politie nodig.")
    with pytest.raises(Http404):
        services.record_registration(access_to(reader, agreed.vt.pk), DETAILS)


def test_a_14_year_old_does_not_sign_themselves(agreed_at_14: Chain) -> None:
    """Consent "by the person" at 14 is refused: under 16 the parents or guardian sign,
    with the protocol's cite."""
    with pytest.raises(services.ComenshaRefused) as refused:
        record(agreed_at_14, details(age=14, consent_signed_by="person"))
    assert (refused.value.code, refused.value.params) == (
        "consent_not_valid_for_age",
        {"age": 14, "needed": "parents_or_guardian", "from_age": 16, "cite": "§2.2 CoMensha"},
    )


def test_for_a_14_year_old_the_parents_sign(agreed_at_14: Chain) -> None:
    """At 14 the parents' or guardian's signature is the consent."""
    saved = record(agreed_at_14, details(age=14, consent_signed_by="parents_or_guardian"))
    assert (saved.age, saved.consent_signed_by) == (14, "parents_or_guardian")


def test_at_16_the_parents_do_not_sign_instead(agreed: Chain) -> None:
    """From 16 the person signs themselves; the parents' signature is refused."""
    assert refusal(agreed, details(age=16, consent_signed_by="parents_or_guardian")) == (
        "consent_not_valid_for_age"
    )


@given(st.integers(min_value=0, max_value=25))
def test_who_signs_follows_the_age_of_16(age: int) -> None:
    """For every age from 0 to 25: the person signs from 16, below it the parents or
    guardian (protocol data ``chain.comensha.consent``)."""
    rule = default_registry().get().chain.comensha.consent
    assert consent_signer(rule, age) == (PERSON if age >= 16 else PARENTS_OR_GUARDIAN)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"registered_on": days_ago(-1), "consent_signed_on": days_ago(2)}, "registered_in_future"),
        ({"consent_signed_on": days_ago(-1), "registered_on": days_ago(0)}, "consent_in_future"),
        (
            {"consent_signed_on": days_ago(0), "registered_on": days_ago(1)},
            "consent_after_registration",
        ),
        ({"category": "seksueel"}, "unknown_category"),
        ({"kind": "registratie"}, "unknown_kind"),
        ({"sex": "m"}, "unknown_sex"),
        ({"age": 121}, "age_invalid"),
        ({"country_of_origin": "  "}, "country_missing"),
        ({"consent_kept_at": ""}, "kept_at_missing"),
    ],
)
def test_bad_input_is_refused(agreed: Chain, changes: dict[str, object], code: str) -> None:
    """Each rule of the registration refuses its bad value with its own code."""
    assert refusal(agreed, details(**changes)) == code


def test_the_category_follows_the_dossiers_forms(protocol: Protocol) -> None:
    """Labour and sexual exploitation: the sexual category comes first in the protocol's
    order; "other" alone has no CoMensha category."""
    comensha = protocol.chain.comensha
    assert (category_for(comensha, ["labour", "sexual"]), category_for(comensha, ["other"])) == (
        "comensha-seksueel",
        "",
    )


def test_personal_fields_are_encrypted_at_rest(registered: Registration) -> None:
    """The country of origin and where the consent is kept are not in the table as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT country_of_origin, consent_kept_at FROM comensha_registration WHERE id = %s",
            [registered.pk],
        )
        stored = cursor.fetchone()
    assert ("Nederland" in stored[0], "kast 3" in stored[1]) == (False, False)


def test_a_registration_is_never_changed(registered: Registration) -> None:
    """Saving the registration again is refused: it is written once."""
    registered.country_of_origin = "België"
    with pytest.raises(NeverChangedError):
        registered.save()


def test_the_registration_is_dated_today_at_the_latest(agreed: Chain) -> None:
    """Registered today, consent signed today: accepted (today is not in the future)."""
    today = timezone.localdate()
    saved = record(agreed, details(registered_on=today, consent_signed_on=today))
    assert saved.registered_on == today


def test_an_age_that_contradicts_the_dossier_is_refused(agreed_at_14: Chain) -> None:
    """The dossier says 14; a registration that gives 17 (with the person signing) is
    refused as ``age_contradicts`` rather than let the consent rule read the wrong age."""
    assert refusal(agreed_at_14, details(age=17, consent_signed_by="person")) == ("age_contradicts")

"""Agreeing who registers the person with CoMensha (§2.2 CoMensha; §1.2 Casusevaluatie):
once per person, by a professional of an organisation in the person's chain, naming one of
the chain's organisations. Every member dossier gets the agreement, logged, with a bericht."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.comensha import services
from baken.comensha.models import Agreement, NeverChangedError
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to
from baken.notifications.models import Notification
from tests.comensha.conftest import NOTE, Chain, agree
from tests.web.stages import closed


def comensha_entries(dossier: Dossier) -> list[dict[str, object]]:
    """The data of the dossier's COMENSHA entries, oldest first."""
    return [
        dict(e.data)
        for e in Entry.objects.filter(dossier=dossier, kind=EntryKind.COMENSHA).order_by("sequence")
    ]


def test_a_member_agrees_who_registers(pair: Chain, professional: User) -> None:
    """The wijkteam's professional agrees that Veilig Thuis registers: the agreement names
    Veilig Thuis, the professional, the wijkteam and the note."""
    agreement = agree(pair, professional)
    assert (
        agreement.case_id,
        agreement.registering_id,
        agreement.agreed_by_id,
        agreement.agreed_by_organisation_id,
        agreement.note,
    ) == (pair.case.pk, pair.partners.vt.pk, professional.pk, pair.sender.organisation_id, NOTE)


def test_the_agreement_reaches_every_member_dossier(trio: Chain, professional: User) -> None:
    """Each of the three dossiers of the person's chain gets the same agreed entry."""
    agree(trio, professional)
    expected = {
        "event": "agreed",
        "registering": trio.partners.vt.name,
        "registering_id": trio.partners.vt.pk,
        "by_organisation": trio.sender.organisation.name,
    }
    assert [comensha_entries(d) for d in trio.dossiers] == [[expected]] * 3


def test_the_agreement_is_logged_in_each_dossier(trio: Chain, professional: User) -> None:
    """The own dossier's line is on the professional's access (case team); the other two are
    transfers, all with the purpose and the convenant as the legal basis."""
    agree(trio, professional)
    lines = AccessEvent.objects.filter(action="comensha_agreed").order_by("pk")
    assert [(line.dossier_id, line.case_team, line.purpose, line.detail) for line in lines] == [
        (d.pk, d.pk == trio.sender.pk, "chain_follow_up", "basis:convenant") for d in trio.dossiers
    ]


def test_every_other_case_team_gets_a_bericht(trio: Chain, professional: User) -> None:
    """The Veilig Thuis adviser and the zorgcoördinator get a bericht, linking to the
    agreement page of their own dossier; the professional who agreed does not."""
    agree(trio, professional)
    berichten = Notification.objects.filter(kind="comensha_agreed").order_by("user_id")
    assert sorted((n.user_id, n.url) for n in berichten) == sorted(
        [
            (trio.partners.adviser.pk, f"/dossiers/{trio.vt.pk}/comensha/"),
            (trio.partners.coordinator.pk, f"/dossiers/{trio.zc.pk}/comensha/"),  # type: ignore[union-attr]
        ]
    )


def test_an_organisation_outside_the_chain_cannot_be_named(pair: Chain, professional: User) -> None:
    """The school is no organisation of the person's chain: naming it is refused."""
    with pytest.raises(services.ComenshaRefused) as refused:
        services.agree(access_to(professional, pair.sender.pk), pair.partners.school.pk, "")
    assert (refused.value.code, Agreement.objects.count()) == ("not_a_member", 0)


def test_a_volunteer_cannot_agree(pair: Chain, team_volunteer: User) -> None:
    """A volunteer in the case team reads the agreement page but does not make it."""
    with pytest.raises(services.ComenshaRefused) as refused:
        services.agree(access_to(team_volunteer, pair.sender.pk), pair.partners.vt.pk, "")
    assert refused.value.code == "volunteer"


def test_a_break_glass_reader_cannot_agree(pair: Chain) -> None:
    """Reading under break-glass is read-only: agreeing answers 404."""
    reader = pair.partners.second_adviser
    open_with_break_glass(reader, pair.sender.pk, "Acuut; afstemming met de politie nodig.")
    with pytest.raises(Http404):
        services.agree(access_to(reader, pair.sender.pk), pair.partners.vt.pk, "")


def test_a_second_agreement_is_refused(agreed: Chain) -> None:
    """Veilig Thuis agreeing that the wijkteam registers, after the wijkteam agreed that
    Veilig Thuis does, is refused with who registers and since when; one agreement stays."""
    adviser = agreed.partners.adviser
    with pytest.raises(services.ComenshaRefused) as refused:
        services.agree(access_to(adviser, agreed.vt.pk), agreed.sender.organisation_id, "")
    assert (refused.value.code, refused.value.params, Agreement.objects.count()) == (
        "already_agreed",
        {"organisation": agreed.partners.vt.name, "agreed_on": timezone.localdate()},
        1,
    )


def test_a_second_agreement_past_the_check_is_refused_by_the_database(
    agreed: Chain, professional: User
) -> None:
    """Two partners agreeing at the same moment both pass the check; the one-to-one on
    the case refuses the second row, and it is told exactly as after the check."""
    access = access_to(agreed.partners.adviser, agreed.vt.pk)
    with pytest.raises(services.ComenshaRefused) as refused:
        services._insert_agreement(
            agreed.case, agreed.sender.organisation, access, "", timezone.now()
        )
    assert (refused.value.code, refused.value.params["organisation"]) == (
        "already_agreed",
        agreed.partners.vt.name,
    )


def at_once(*actions: Callable[[], object]) -> list[str]:
    """Run ``actions`` in threads released together; each ends "done" or with the refusal's
    code. SQLite's "database is locked" is retried, as a user would press the button again."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            for _ in range(50):
                try:
                    action()
                    outcomes.append("done")
                    return
                except services.ComenshaRefused as refused:
                    outcomes.append(refused.code)
                    return
                except Exception as exc:  # SQLite under contention
                    if "locked" not in str(exc):
                        raise
            raise RuntimeError("still locked after 50 tries")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_partners_agreeing_at_once_make_one_agreement(pair: Chain, professional: User) -> None:
    """The wijkteam and Veilig Thuis agree at the same moment: one agreement is made, the
    other partner is told it already was, and each dossier holds one agreed entry."""
    adviser = pair.partners.adviser
    outcomes = at_once(
        lambda: services.agree(access_to(professional, pair.sender.pk), pair.partners.vt.pk),
        lambda: services.agree(access_to(adviser, pair.vt.pk), pair.sender.organisation_id),
    )
    assert (
        outcomes,
        Agreement.objects.count(),
        [len(comensha_entries(d)) for d in pair.dossiers],
    ) == (
        ["already_agreed", "done"],
        1,
        [1, 1],
    )


def test_agreeing_on_a_closed_dossier_is_refused(pair: Chain, professional: User) -> None:
    """Nothing more is recorded from a closed dossier: the wijkteam closed its own."""
    closed(professional, Dossier.objects.get(pk=pair.sender.pk))
    with pytest.raises(services.ComenshaRefused) as refused:
        agree(pair, professional)
    assert refused.value.code == "closed"


def test_an_agreement_is_never_changed(agreed: Chain) -> None:
    """Saving the agreement again is refused: it is written once."""
    agreement = Agreement.objects.get()
    agreement.note = "Anders"
    with pytest.raises(NeverChangedError):
        agreement.save()

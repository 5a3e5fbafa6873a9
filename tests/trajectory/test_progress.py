"""The stand van zaken (§2.1: "De casusregisseur volgt de voortgang en koppelt de stand van
zaken wanneer nodig terug aan de andere betrokken partijen"): only the casusregisseur sends
it; every organisation of the person's chain gets the same summary and picture in its own
dossier, built from the sender's own dossier only."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.chain import trajectory
from baken.chain.models import ChainMember
from baken.chain.trajectory_selectors import digest, latest_progress
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to
from baken.notifications.models import Notification, NotificationKind
from tests.trajectory.conftest import INTAKE, SHELTER, Chain, days_ago

SUMMARY = "Opvang is aangevraagd; de intake is gedaan."


def prepare(chain: Chain) -> int:
    """An intake and a procedure in the trajectory, the procedure now running."""
    access = access_to(chain.partners.coordinator, chain.zc.pk)
    trajectory.record_intake(access, INTAKE)
    key = trajectory.start_procedure(access, SHELTER).sequence
    trajectory.update_procedure(access, key, trajectory.ProcedureUpdate("running", days_ago(2)))
    return key


def send(chain: Chain, summary: str = SUMMARY, seen: str | None = None) -> Entry:
    access = access_to(chain.partners.coordinator, chain.zc.pk)
    return trajectory.send_progress(access, summary, seen)


def newest(dossier: Dossier) -> Entry:
    return Entry.objects.filter(dossier=dossier).order_by("-sequence")[0]


def expected_picture(chain: Chain, organisations: list[str]) -> dict[str, Any]:
    return {
        "as_of": days_ago(0).isoformat(),
        "casusregie": chain.partners.care.name,
        "organisations": organisations,
        "trajectory": True,
        "intake_on": days_ago(1).isoformat(),
        "procedures": [
            {
                "title": "Opvang",
                "status": "running",
                "started_on": days_ago(3).isoformat(),
                "since": days_ago(2).isoformat(),
                "organisation": "Opvang Proef-Oost",
            }
        ],
        "closed": False,
        "closed_on": None,
        "outcome": "",
    }


def test_every_member_dossier_gets_the_same_picture(three: Chain) -> None:
    """The wijkteam's, Veilig Thuis' and the zorgcoördinator's own dossier each end with a
    PROGRESS entry carrying the same summary and picture."""
    prepare(three)
    send(three)
    assert three.vt is not None
    names = [three.sender.organisation.name, three.partners.vt.name, three.partners.care.name]
    expected = {
        "from_organisation": three.partners.care.name,
        "summary": SUMMARY,
        "picture": expected_picture(three, names),
    }
    assert [(newest(d).kind, newest(d).data) for d in (three.sender, three.vt, three.zc)] == [
        (EntryKind.PROGRESS, expected)
    ] * 3


def test_each_organisation_sees_the_latest_in_its_own_dossier(three: Chain) -> None:
    """After two updates, the wijkteam's dossier shows the second."""
    prepare(three)
    send(three)
    send(three, "Verblijfsvergunning loopt nog.")
    progress = latest_progress(Dossier.objects.get(pk=three.sender.pk))
    assert progress is not None
    assert (progress.from_organisation, progress.summary) == (
        three.partners.care.name,
        "Verblijfsvergunning loopt nog.",
    )


def test_a_closed_trajectory_shows_in_the_picture(forwarded: Chain) -> None:
    """Closing the trajectory shows in the next picture, with the outcome's title."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    trajectory.close_trajectory(access, trajectory.Closing("traject-vertrokken", days_ago(0)))
    picture = send(forwarded).data["picture"]
    assert (picture["closed"], picture["closed_on"], picture["outcome"]) == (
        True,
        days_ago(0).isoformat(),
        "Vertrokken of teruggekeerd",
    )


def test_the_update_is_logged_on_both_sides(forwarded: Chain) -> None:
    """Own dossier: the casusregisseur's line; the wijkteam's: a transfer line on its
    responsibility, with the convenant as basis."""
    send(forwarded)
    lines = []
    for dossier in (forwarded.zc, forwarded.sender):
        line = AccessEvent.objects.filter(dossier_id=dossier.pk).order_by("-pk")[0]
        lines.append((line.action, line.case_team, line.responsible_organisation_id, line.detail))
    assert lines == [
        ("progress_sent", True, forwarded.partners.care.pk, "basis:convenant"),
        ("progress_sent", False, forwarded.sender.organisation_id, "basis:convenant"),
    ]


def test_the_other_case_teams_get_a_bericht(three: Chain, professional: User) -> None:
    """The wijkteam's professional and the Veilig Thuis adviser get one bericht each; the
    sender none."""
    send(three)
    berichten = Notification.objects.filter(kind=NotificationKind.PROGRESS_UPDATE)
    assert sorted(n.user_id for n in berichten) == sorted(
        [professional.pk, three.partners.adviser.pk]
    )


def test_a_changed_picture_is_not_sent(forwarded: Chain) -> None:
    """The preview's fingerprint no longer matches once a procedure was added: nothing goes."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    seen = digest(trajectory.progress_preview(access, forwarded.case))
    trajectory.start_procedure(access, SHELTER)
    before = Dossier.objects.get(pk=forwarded.sender.pk).last_sequence
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        send(forwarded, seen=seen)
    assert (refused.value.code, Dossier.objects.get(pk=forwarded.sender.pk).last_sequence) == (
        "stale",
        before,
    )


def test_the_previewed_picture_is_sent(forwarded: Chain) -> None:
    """With the preview's fingerprint unchanged, the picture goes as previewed."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    preview = trajectory.progress_preview(access, forwarded.case)
    entry = send(forwarded, seen=digest(preview))
    assert entry.data["picture"] == preview


def test_an_update_without_a_summary_is_refused(forwarded: Chain) -> None:
    """The summary is the stand van zaken."""
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        send(forwarded, " ")
    assert refused.value.code == "summary_missing"


def test_who_does_not_hold_casusregie_sends_no_update(three: Chain) -> None:
    """Veilig Thuis is in the case but does not hold casusregie."""
    assert three.vt is not None
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.send_progress(access_to(three.partners.adviser, three.vt.pk), SUMMARY)
    assert refused.value.code == "not_casusregisseur"


def test_a_casusregisseur_without_the_trajectory_sends_who_is_involved(three: Chain) -> None:
    """Veilig Thuis, once it holds casusregie, sends from its own dossier: the picture says
    who is involved and who holds casusregie, and carries no trajectory (that is in the
    zorgcoördinator's dossier, which Veilig Thuis does not read)."""
    prepare(three)
    trajectory.hand_over(
        access_to(three.partners.coordinator, three.zc.pk), three.partners.vt.pk, "Gezin"
    )
    assert three.vt is not None
    entry = trajectory.send_progress(access_to(three.partners.adviser, three.vt.pk), SUMMARY)
    picture = entry.data["picture"]
    assert (picture["casusregie"], picture["trajectory"], picture["procedures"]) == (
        three.partners.vt.name,
        False,
        [],
    )


def test_a_volunteer_sends_no_update(forwarded: Chain, zc_volunteer: User) -> None:
    """A volunteer of the casusregisseur's organisation is told why not."""
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.send_progress(access_to(zc_volunteer, forwarded.zc.pk), SUMMARY)
    assert refused.value.code == "volunteer"


def test_a_reader_sends_no_update(forwarded: Chain, reader: User) -> None:
    """A break-glass reader records nothing: 404."""
    with pytest.raises(Http404):
        trajectory.send_progress(access_to(reader, forwarded.zc.pk), SUMMARY)


def test_no_update_when_nobody_else_is_left(forwarded: Chain) -> None:
    """When the other organisation's dossier has left the case (purged at the end of its
    retention term), there is nobody to send a stand van zaken to."""
    ChainMember.objects.filter(dossier_id=forwarded.sender.pk).delete()
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        send(forwarded)
    assert refused.value.code == "nobody_else"

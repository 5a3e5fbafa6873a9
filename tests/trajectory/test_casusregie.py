"""The hand-over of casusregie (§2.1 "Per casus wordt afgestemd wie de regie voert"): only
the casusregisseur hands it to another organisation of the person's chain, with a reason;
the case names the new holder, every member dossier gets the hand-over as an entry (logged
there) and its case team a bericht."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import Http404

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.chain import trajectory
from baken.chain.models import ChainCase
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to, chain_state, current_entries, timeline
from baken.notifications.models import Notification, NotificationKind
from baken.protocol.schema import CaseDirection
from tests.trajectory.conftest import Chain
from tests.web.stages import EVALUATION

REASON = "Veilig Thuis neemt de regie over voor het gezin"


def hand_to_vt(chain: Chain) -> ChainCase:
    access = access_to(chain.partners.coordinator, chain.zc.pk)
    return trajectory.hand_over(access, chain.partners.vt.pk, REASON)


def newest(dossier: Dossier) -> Entry:
    return Entry.objects.filter(dossier=dossier).order_by("-sequence")[0]


def test_the_hand_over_changes_who_holds_casusregie(three: Chain) -> None:
    """The case names Veilig Thuis as holding casusregie."""
    hand_to_vt(three)
    assert ChainCase.objects.get(pk=three.case.pk).direction_id == three.partners.vt.pk


def test_every_member_dossier_gets_the_hand_over(three: Chain) -> None:
    """The wijkteam's, Veilig Thuis' and the zorgcoördinator's dossiers each end with the
    same CASE_DIRECTION entry."""
    hand_to_vt(three)
    assert three.vt is not None
    expected = {
        "from_organisation": three.partners.care.name,
        "to_organisation": three.partners.vt.name,
        "to_partner": "veilig-thuis",
        "reason": REASON,
    }
    assert [(newest(d).kind, newest(d).data) for d in (three.sender, three.vt, three.zc)] == [
        (EntryKind.CASE_DIRECTION, expected)
    ] * 3


def test_the_hand_over_is_logged_on_both_sides(three: Chain) -> None:
    """Own dossier: the casusregisseur's line in the case team; each other dossier: a
    transfer line on that organisation's responsibility; all with the convenant as basis."""
    hand_to_vt(three)
    assert three.vt is not None
    lines = []
    for dossier in (three.zc, three.sender, three.vt):
        line = AccessEvent.objects.filter(dossier_id=dossier.pk).order_by("-pk")[0]
        lines.append(
            (
                line.action,
                line.purpose,
                line.case_team,
                line.responsible_organisation_id,
                line.detail,
                line.entry_sequence,
            )
        )
    assert lines == [
        (
            "case_direction_handed_over",
            "chain_follow_up",
            case_team,
            dossier.organisation_id,
            "basis:convenant",
            newest(dossier).sequence,
        )
        for dossier, case_team in ((three.zc, True), (three.sender, False), (three.vt, False))
    ]


def test_the_other_case_teams_get_a_bericht(three: Chain, professional: User) -> None:
    """The wijkteam's professional and the Veilig Thuis adviser each get one bericht, linking
    to the entry in their own dossier; the one who handed over gets none."""
    before = list(Notification.objects.values_list("pk", flat=True))
    hand_to_vt(three)
    assert three.vt is not None
    berichten = Notification.objects.filter(
        kind=NotificationKind.CASE_DIRECTION_HANDED_OVER
    ).exclude(pk__in=before)
    assert sorted((n.user_id, n.url) for n in berichten) == sorted(
        [
            (
                professional.pk,
                f"/dossiers/{three.sender.pk}/#regel-{newest(three.sender).sequence}",
            ),
            (
                three.partners.adviser.pk,
                f"/dossiers/{three.vt.pk}/#regel-{newest(three.vt).sequence}",
            ),
        ]
    )


def test_the_engine_reads_the_hand_over_in_the_sending_dossier(three: Chain) -> None:
    """In the wijkteam's dossier, casusregie now reads as Veilig Thuis'."""
    hand_to_vt(three)
    current = current_entries(timeline(Dossier.objects.get(pk=three.sender.pk)))
    assert chain_state(current, three.sender.organisation.name)[1] == CaseDirection.VEILIG_THUIS


def test_the_new_holder_can_hand_it_back(three: Chain) -> None:
    """Veilig Thuis, now casusregisseur, hands casusregie back from its own dossier."""
    hand_to_vt(three)
    assert three.vt is not None
    trajectory.hand_over(
        access_to(three.partners.adviser, three.vt.pk), three.partners.care.pk, "Terug"
    )
    assert ChainCase.objects.get(pk=three.case.pk).direction_id == three.partners.care.pk


def test_who_does_not_hold_casusregie_cannot_hand_it_over(three: Chain) -> None:
    """Veilig Thuis works on its own dossier in the case, but the zorgcoördinatie holds
    casusregie."""
    assert three.vt is not None
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.hand_over(
            access_to(three.partners.adviser, three.vt.pk), three.partners.vt.pk, REASON
        )
    assert refused.value.code == "not_casusregisseur"


def test_the_former_holder_can_no_longer_hand_over(three: Chain) -> None:
    """After the hand-over, the zorgcoördinator is refused: it no longer holds casusregie."""
    hand_to_vt(three)
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.hand_over(
            access_to(three.partners.coordinator, three.zc.pk), three.partners.care.pk, REASON
        )
    assert refused.value.code == "not_casusregisseur"


def test_a_hand_over_without_a_reason_is_refused(three: Chain) -> None:
    """The reason is what the others read."""
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.hand_over(
            access_to(three.partners.coordinator, three.zc.pk), three.partners.vt.pk, " "
        )
    assert refused.value.code == "reason_missing"


def test_a_hand_over_to_the_holder_itself_is_refused(three: Chain) -> None:
    """The zorgcoördinatie already holds it."""
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.hand_over(
            access_to(three.partners.coordinator, three.zc.pk), three.partners.care.pk, REASON
        )
    assert refused.value.code == "already_holds"


def test_a_hand_over_outside_the_case_is_refused(three: Chain) -> None:
    """The school is not involved in this person's chain."""
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.hand_over(
            access_to(three.partners.coordinator, three.zc.pk), three.partners.school.pk, REASON
        )
    assert refused.value.code == "not_a_member"


def test_nothing_changes_when_refused(three: Chain) -> None:
    """A refused hand-over writes no entry anywhere and leaves casusregie where it was."""
    before = [Dossier.objects.get(pk=d.pk).last_sequence for d in (three.sender, three.zc)]
    with pytest.raises(trajectory.TrajectoryRefused):
        trajectory.hand_over(
            access_to(three.partners.coordinator, three.zc.pk), three.partners.school.pk, REASON
        )
    after = [Dossier.objects.get(pk=d.pk).last_sequence for d in (three.sender, three.zc)]
    assert (after, ChainCase.objects.get(pk=three.case.pk).direction_id) == (
        before,
        three.partners.care.pk,
    )


def test_a_volunteer_does_not_hand_over(forwarded: Chain, zc_volunteer: User) -> None:
    """A volunteer of the casusregisseur's organisation is told why not."""
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.hand_over(
            access_to(zc_volunteer, forwarded.zc.pk), forwarded.partners.vt.pk, REASON
        )
    assert refused.value.code == "volunteer"


def test_a_reader_cannot_hand_over(forwarded: Chain, reader: User) -> None:
    """A break-glass reader records nothing: 404."""
    with pytest.raises(Http404):
        trajectory.hand_over(access_to(reader, forwarded.zc.pk), forwarded.partners.vt.pk, REASON)


def test_a_dossier_outside_any_case_gets_404(
    professional: User, open_dossier: Callable[..., Dossier]
) -> None:
    """A dossier that never went through the chain has no casusregie to hand over."""
    dossier = open_dossier()
    with pytest.raises(Http404):
        trajectory.hand_over(access_to(professional, dossier.pk), 1, REASON)


def test_no_hand_over_from_a_closed_dossier(forwarded: Chain) -> None:
    """A closed dossier sends nothing more."""
    coordinator = forwarded.partners.coordinator
    dossier_services.close_dossier(
        access_to(coordinator, forwarded.zc.pk),
        EVALUATION,
        seen_sequence=Dossier.objects.get(pk=forwarded.zc.pk).last_sequence,
    )
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.hand_over(
            access_to(coordinator, forwarded.zc.pk), forwarded.partners.vt.pk, REASON
        )
    assert refused.value.code == "closed"


def test_passing_the_case_on_tells_the_first_sender_who_holds_casusregie_now(
    three: Chain, professional: User
) -> None:
    """When the zorgcoördinatie accepts Veilig Thuis' aanmelding, the wijkteam's dossier (which
    sent the melding, not the aanmelding) gets one CASE_DIRECTION entry naming the
    zorgcoördinatie, and its engine reads casusregie as the zorgcoördinator's."""
    sender = Dossier.objects.get(pk=three.sender.pk)
    moved = [e for e in sender.entries.all() if e.kind == EntryKind.CASE_DIRECTION]
    assert [(e.data["event"], e.data["to_partner"]) for e in moved] == [
        ("accepted", "zorgcoordinator")
    ]
    current = current_entries(timeline(sender))
    assert chain_state(current, sender.organisation.name)[1] == CaseDirection.CARE_COORDINATOR

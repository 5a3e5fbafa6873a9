"""One access decision: the log line, the pages and the advice all read the decision that
allowed the request, and none decides again (issue: "First, one access decision")."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.audit.models import AccessEvent
from baken.dossiers import services
from baken.dossiers.access import Act, Ground, decide
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to, dossier_for, state_of
from tests.web.stages import walk

REASON = "Melding binnengekomen over deze casus; afstemming nodig."


def test_a_log_line_carries_the_checks_of_the_decision_after_a_move(
    professional: User, open_dossier: Callable[..., Dossier]
) -> None:
    """A case-team member who moves to Veilig Thuis keeps the old membership row, but case
    teams are one organisation's: reading the dossier now rests on break-glass only, and the
    log line says so (not "case team", as the old separate check in the log said)."""
    member, dossier = professional, open_dossier()
    veilig_thuis = Organisation.objects.create(
        name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS
    )
    member.organisation = veilig_thuis
    member.role = Role.VEILIG_THUIS_ADVISER
    member.save()
    assert decide(member, dossier) is None
    open_with_break_glass(member, dossier.pk, REASON)
    access = dossier_for(member, dossier.pk)
    line = AccessEvent.objects.filter(dossier_id=dossier.pk).order_by("-pk").first()
    assert line is not None
    assert (access.grounds, line.case_team, line.break_glass, line.purpose) == (
        frozenset({Ground.BREAK_GLASS}),
        False,
        True,
        "break_glass",
    )


def test_the_advice_is_for_the_reader_on_every_page(
    professional: User,
    make_user: Callable[..., User],
    organisation: Organisation,
    open_dossier: Callable[..., Dossier],
    login: Callable[..., Client],
) -> None:
    """A volunteer in the case team of a dossier a professional has weighed sees the
    volunteer's advice (no conclusion: volunteers have no afwegingskader, §1.2 Stap 5) on
    the acute-danger and closing pages too, not the professional's conclusion."""
    volunteer = make_user("proef-vrijwilliger", Role.VOLUNTEER, organisation)
    dossier = walk(professional, open_dossier(), to_step=4)
    services.add_colleague(
        access_to(professional, dossier.pk), volunteer.pk, seen_sequence=dossier.last_sequence
    )
    assert state_of(access_to(professional, dossier.pk)).advice.conclusion == "suspicion"
    client = login(volunteer)
    shown = {
        name: client.get(reverse(f"dossiers:{name}", args=[dossier.pk])).content.decode()
        for name in ("acute", "close", "detail")
    }
    marker = "Niet voor vrijwilligers: vraag Veilig Thuis om advies"
    assert {name: marker in page for name, page in shown.items()} == dict.fromkeys(shown, True)


def test_a_volunteer_is_told_why_not_when_weighing(
    professional: User,
    make_user: Callable[..., User],
    organisation: Organisation,
    open_dossier: Callable[..., Dossier],
) -> None:
    """The decision allows a volunteer in the case team to record, and not to weigh, decide,
    export or report; asking Veilig Thuis for advice is open to them (§1.2 Stap 2, Stap 5)."""
    volunteer = make_user("proef-vrijwilliger", Role.VOLUNTEER, organisation)
    dossier = open_dossier(volunteer)
    access = access_to(volunteer, dossier.pk)
    assert {act: access.may(act) for act in Act} == {
        Act.READ: True,
        Act.RECORD: True,
        Act.WEIGH: False,
        Act.EXPORT: False,
        Act.ASK_ADVICE: True,
        Act.REPORT: False,
    }

"""``baken demo`` includes a case that has gone through the chain, so a newcomer sees it at
once: advice answered, a melding accepted (casusregie with Veilig Thuis), feedback given,
and an advice request waiting in Veilig Thuis' inbox."""

from __future__ import annotations

import io

from baken.accounts.models import User
from baken.chain.demo import fill_chain
from baken.chain.models import ChainPartner, Share, ShareKind, ShareStatus
from baken.chain.selectors import casusregie_of, inbox_for
from baken.dossiers.demo import fill_demo_database
from baken.dossiers.models import Dossier, EntryKind


def test_the_demo_has_a_case_through_the_chain(db: None) -> None:
    """Casus Meeuw: steps 1-5 done, a Veilig Thuis consultation through Baken, casusregie
    with Veilig Thuis, feedback in its timeline; one advice request waits in the inbox."""
    fill_demo_database(io.StringIO(), extend=fill_chain)
    adviser = User.objects.get(username="demo-veilig-thuis")
    meeuw = next(
        d
        for d in Dossier.objects.exclude(organisation_id=adviser.organisation_id)
        if d.label == "Casus Meeuw"
    )
    kinds = [e.kind for e in meeuw.entries.all()]
    casusregie = casusregie_of(meeuw)
    assert (
        meeuw.steps_done,
        ChainPartner.objects.count(),
        casusregie.organisation if casusregie else None,
        kinds.count(EntryKind.FEEDBACK),
        any(e.data.get("via_baken") for e in meeuw.entries.filter(kind=EntryKind.CONSULTATION)),
        [item.share.status for item in inbox_for(adviser)],
        Share.objects.filter(status=ShareStatus.ACCEPTED, kind=ShareKind.REPORT).count(),
    ) == (
        "12345",
        4,
        "Veilig Thuis Demo-regio",
        1,
        True,
        [ShareStatus.PENDING],
        1,
    )


def test_the_demo_has_a_case_through_the_care_coordination_and_a_screening(db: None) -> None:
    """Casus Reiger: registered with the zorgcoördinatie with consent and accepted; the
    zorgcoördinator's dossier has an intake, two procedures and a stand van zaken, and the
    screening's outcome (an MDO and inbreng in the RIEC) came back, with the RIEC date; the
    zorgcoördinatie is agreed as the one that registers with CoMensha, and did; fourteen
    closed cases stand behind the lessons."""
    from baken.chain.models import ChainCase
    from baken.comensha.models import Agreement, Registration
    from baken.demo import fill_everything
    from baken.lessons.models import EvaluationFigure

    fill_demo_database(io.StringIO(), extend=fill_everything)
    coordinator = User.objects.get(username="demo-zorgcoordinator")
    zc = next(
        d
        for d in Dossier.objects.filter(organisation_id=coordinator.organisation_id)
        if d.label == "Casus Reiger"
    )
    kinds = [e.kind for e in zc.entries.order_by("sequence")]
    outcome = next(
        e for e in zc.entries.filter(kind=EntryKind.SCREENING) if e.data["event"] == "outcome"
    )
    case = ChainCase.objects.get(members__dossier=zc)
    assert (
        kinds.count(EntryKind.REGISTRATION),
        kinds.count(EntryKind.INTAKE),
        kinds.count(EntryKind.PROCEDURE),
        kinds.count(EntryKind.PROGRESS),
        sorted(outcome.data["outcomes"]),
        [e.data["event"] for e in zc.entries.filter(kind=EntryKind.SCREENING).order_by("sequence")],
        case.direction_id,
        case.members.count(),
        Agreement.objects.get(case=case).registering_id,
        Registration.objects.filter(agreement__case=case).count(),
        EvaluationFigure.objects.count(),
    ) == (
        1,
        1,
        2,
        1,
        ["screening-mdo", "screening-riec"],
        ["placed", "outcome", "riec"],
        coordinator.organisation_id,
        2,
        coordinator.organisation_id,
        1,
        14,
    )

"""``baken demo`` includes a case that has gone through the chain, so a newcomer sees it at
once: advice answered, a melding accepted (casusregie with Veilig Thuis), feedback given,
and an advice request waiting in Veilig Thuis' inbox."""

from __future__ import annotations

import io

from baken.accounts.models import User
from baken.chain.demo import fill_chain
from baken.chain.models import ChainPartner, Share, ShareStatus
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
        Share.objects.filter(status=ShareStatus.ACCEPTED).count(),
    ) == (
        "12345",
        4,
        "Veilig Thuis Demo-regio",
        1,
        True,
        [ShareStatus.PENDING],
        1,
    )

"""Need to know across organisations: Veilig Thuis sees what was sent and its own dossier,
never the sender's; the sender never sees Veilig Thuis's dossier; a third organisation sees
neither."""

from __future__ import annotations

import pytest

from baken.accounts.models import User
from baken.chain import services as chain
from baken.chain.access import is_recipient
from baken.chain.models import Share
from baken.dossiers.access import decide
from baken.dossiers.models import Dossier
from tests.chain.conftest import Partners


@pytest.fixture
def both(partners: Partners, reported: Share) -> tuple[Dossier, Dossier]:
    """(the sender's dossier, Veilig Thuis's dossier opened from the melding)."""
    opened = chain.accept_report(partners.adviser, reported.pk)
    return Dossier.objects.get(pk=reported.sender_dossier_id), opened


def test_the_sender_cannot_see_veilig_thuiss_dossier(
    professional: User, both: tuple[Dossier, Dossier]
) -> None:
    """The sending professional has no access to the dossier Veilig Thuis opened."""
    assert decide(professional, both[1]) is None


def test_veilig_thuis_cannot_see_the_senders_dossier(
    partners: Partners, both: tuple[Dossier, Dossier]
) -> None:
    """The accepting adviser has no access to the dossier the melding came from."""
    assert decide(partners.adviser, both[0]) is None


def test_the_adviser_works_on_veilig_thuiss_own_dossier(
    partners: Partners, both: tuple[Dossier, Dossier]
) -> None:
    """The accepting adviser records on the new dossier (case team)."""
    access = decide(partners.adviser, both[1])
    assert access is not None and access.may_record


@pytest.mark.parametrize("which", [0, 1], ids=["sender", "veilig-thuis"])
def test_a_third_organisation_sees_neither(
    which: int, partners: Partners, both: tuple[Dossier, Dossier]
) -> None:
    """A professional of a school has no access to either dossier."""
    assert decide(partners.school_professional, both[which]) is None


def test_another_adviser_of_veilig_thuis_is_not_in_the_case_team(
    partners: Partners, both: tuple[Dossier, Dossier]
) -> None:
    """A colleague adviser who did not accept has no access until added to the team."""
    assert decide(partners.second_adviser, both[1]) is None


@pytest.mark.parametrize(
    "who", ["adviser", "second_adviser", "unlinked_adviser", "coordinator", "school_professional"]
)
def test_the_inbox_is_veilig_thuiss_advisers(who: str, partners: Partners, reported: Share) -> None:
    """Only active advisers of the linked Veilig Thuis work its inbox."""
    expected = who in ("adviser", "second_adviser")
    assert is_recipient(getattr(partners, who), reported) is expected


def test_a_deactivated_adviser_works_no_inbox(partners: Partners, reported: Share) -> None:
    """An adviser whose account was deactivated is no recipient."""
    partners.adviser.is_active = False
    partners.adviser.save(update_fields=["is_active"])
    assert is_recipient(partners.adviser, reported) is False

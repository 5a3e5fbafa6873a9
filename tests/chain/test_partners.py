"""The functioneel beheerder links Baken organisations to the protocol partners they are
(§2.2): only they, and one organisation per partner."""

from __future__ import annotations

import pytest

from baken.accounts.models import Organisation, User
from baken.audit.models import AccessEvent
from baken.chain import services as chain
from baken.chain.models import ChainPartner, PartnerRole, Share
from tests.chain.conftest import Partners


def test_the_functioneel_beheerder_links_an_organisation_to_a_partner(
    administrator: User, unlinked: Partners
) -> None:
    """Linking Veilig Thuis makes it the protocol's veilig-thuis partner in Baken."""
    chain.link_partner(administrator, unlinked.vt.pk, PartnerRole.VEILIG_THUIS)
    assert chain.partner_organisation(PartnerRole.VEILIG_THUIS) == unlinked.vt


def test_linking_writes_an_access_log_line(administrator: User, unlinked: Partners) -> None:
    """The link is a management event in the access log, naming organisation and partner."""
    chain.link_partner(administrator, unlinked.vt.pk, PartnerRole.VEILIG_THUIS)
    details = list(
        AccessEvent.objects.filter(action="chain_partner_linked").values_list("detail", flat=True)
    )
    assert details == [f"organisation:{unlinked.vt.pk}:veilig-thuis"]


@pytest.mark.parametrize("who", ["professional", "adviser"])
def test_nobody_else_links_a_partner(who: str, professional: User, unlinked: Partners) -> None:
    """A professional or a Veilig Thuis adviser is refused (not_allowed), nothing linked."""
    user = professional if who == "professional" else unlinked.adviser
    with pytest.raises(chain.ChainRefused) as refused:
        chain.link_partner(user, unlinked.vt.pk, PartnerRole.VEILIG_THUIS)
    assert (refused.value.code, ChainPartner.objects.count()) == ("not_allowed", 0)


def test_a_partner_is_one_organisation(administrator: User, unlinked: Partners) -> None:
    """A second organisation as Veilig Thuis is refused (partner_taken); the first stays."""
    chain.link_partner(administrator, unlinked.vt.pk, PartnerRole.VEILIG_THUIS)
    with pytest.raises(chain.ChainRefused) as refused:
        chain.link_partner(administrator, unlinked.unlinked_vt.pk, PartnerRole.VEILIG_THUIS)
    assert (refused.value.code, chain.partner_organisation(PartnerRole.VEILIG_THUIS)) == (
        "partner_taken",
        unlinked.vt,
    )


def test_an_organisation_is_one_partner(administrator: User, unlinked: Partners) -> None:
    """Linking the same organisation again as the same partner keeps its one link."""
    chain.link_partner(administrator, unlinked.care.pk, PartnerRole.CARE_COORDINATOR)
    chain.link_partner(administrator, unlinked.care.pk, PartnerRole.CARE_COORDINATOR)
    assert list(ChainPartner.objects.values_list("organisation_id", "partner")) == [
        (unlinked.care.pk, "zorgcoordinator")
    ]


def test_a_partner_must_be_an_organisation_of_its_kind(
    administrator: User, unlinked: Partners, other_organisation: Organisation
) -> None:
    """A school, or the zorgcoördinatie, cannot be linked as Veilig Thuis (wrong_kind);
    nothing is linked."""
    codes = []
    for organisation in (other_organisation, unlinked.care):
        with pytest.raises(chain.ChainRefused) as refused:
            chain.link_partner(administrator, organisation.pk, PartnerRole.VEILIG_THUIS)
        codes.append(refused.value.code)
    assert (codes, ChainPartner.objects.count()) == (["wrong_kind", "wrong_kind"], 0)


def test_a_partner_with_open_requests_stays_linked(
    administrator: User, partners: Partners, asked: Share
) -> None:
    """While an advice request waits in Veilig Thuis' inbox, unlinking is refused
    (open_shares): nobody could handle it without the link."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.unlink_partner(administrator, partners.vt.pk)
    assert (refused.value.code, chain.partner_organisation(PartnerRole.VEILIG_THUIS)) == (
        "open_shares",
        partners.vt,
    )


def test_an_unknown_organisation_is_refused(administrator: User, unlinked: Partners) -> None:
    """An organisation id that does not exist is refused (unknown_organisation)."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.link_partner(administrator, 999_999, PartnerRole.VEILIG_THUIS)
    assert refused.value.code == "unknown_organisation"


def test_unlinking_ends_the_link(administrator: User, partners: Partners) -> None:
    """After unlinking Veilig Thuis, no organisation is the veilig-thuis partner."""
    chain.unlink_partner(administrator, partners.vt.pk)
    assert chain.partner_organisation(PartnerRole.VEILIG_THUIS) is None


def test_only_the_functioneel_beheerder_unlinks(professional: User, partners: Partners) -> None:
    """A professional cannot unlink (not_allowed); the link stays."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.unlink_partner(professional, partners.vt.pk)
    assert (refused.value.code, chain.partner_organisation(PartnerRole.VEILIG_THUIS)) == (
        "not_allowed",
        partners.vt,
    )

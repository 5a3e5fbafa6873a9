"""The screening logs its shares under the protocol's own legal basis (§2.1 Convenant), the
same code the trajectory's and CoMensha's transfers use."""

from __future__ import annotations

from baken.protocol import Protocol
from baken.screening.services import BASIS


def test_the_screenings_basis_is_the_protocols_convenant(protocol: Protocol) -> None:
    """The code in ``basis:...`` is the id of ``chain.screening.legal_basis``."""
    assert (BASIS, protocol.chain.screening.legal_basis.id) == ("convenant", "convenant")

"""The dossier fixtures serve the security tests too."""

from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    administrator,
    colleague,
    expert,
    login,
    make_user,
    open_dossier,
    organisation,
    other_organisation,
    outsider,
    professional,
)

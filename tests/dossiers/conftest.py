"""The dossier tests use the shared fixtures in tests/fixtures.py."""

from tests.fixtures import PASSWORD  # noqa: F401 - kept for modules that import it from here

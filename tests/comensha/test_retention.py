"""The registration's personal fields under key rotation and retention: ``baken keys
rotate`` finds them from the models, and purging the registering organisation's dossier
takes its registration along, while the agreement (which organisation registers) stays
for the rest of the person's chain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from baken.comensha.models import Agreement, Registration
from baken.crypto import Keyring
from baken.crypto.fields import _keyring
from baken.crypto.rotate import encrypted_columns, rotate
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Entry, EntryKind
from baken.dossiers.retention import purge
from baken.dossiers.selectors import access_to
from tests.comensha.conftest import Chain
from tests.web.stages import EVALUATION, seen

FAR_FUTURE = timedelta(days=366 * 40)


def test_rotation_finds_the_encrypted_columns() -> None:
    """Both tables' encrypted columns are rotated, found from the models."""
    found = encrypted_columns()
    assert (found["comensha_agreement"], found["comensha_registration"]) == (
        ("note",),
        (
            "country_of_origin",
            "sex",
            "reporter_organisation",
            "contact_name",
            "contact_phone",
            "contact_email",
            "consent_kept_at",
        ),
    )


@pytest.fixture
def new_key(settings: object) -> Iterator[str]:
    """A fresh key first, the old one kept for decryption (as an operator would)."""
    old = settings.BAKEN_ENCRYPTION_KEYS  # type: ignore[attr-defined]
    settings.BAKEN_ENCRYPTION_KEYS = f"{Keyring.generate()},{old}"  # type: ignore[attr-defined]
    yield old
    _keyring.cache_clear()


def test_rotation_keeps_the_registration_readable(
    registered: Registration, new_key: str, settings: object
) -> None:
    """After rotation the old key can go: the registration still reads the same, and the
    stored country of origin is under the new key."""
    result = rotate()
    settings.BAKEN_ENCRYPTION_KEYS = settings.BAKEN_ENCRYPTION_KEYS.split(",")[0]  # type: ignore[attr-defined]
    _keyring.cache_clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT country_of_origin FROM comensha_registration")
        (stored,) = cursor.fetchone()
    fresh = Registration.objects.get(pk=registered.pk)
    assert (
        str(stored).startswith(f"enc2:{result.key_id}:"),
        fresh.country_of_origin,
        fresh.agreement.note,
    ) == (True, "Nederland", "Afgesproken in het ketenoverleg van dinsdag")


def test_purging_the_registering_dossier_takes_the_registration(
    registered: Registration, agreed: Chain
) -> None:
    """Veilig Thuis' dossier closed and purged after its term: its registration goes; the
    agreement and the wijkteam's own entries about it stay."""
    adviser = agreed.partners.adviser
    dossier_services.close_dossier(
        access_to(adviser, agreed.vt.pk), EVALUATION, seen_sequence=seen(agreed.vt)
    )
    purge(now=timezone.now() + FAR_FUTURE)
    assert (
        Registration.objects.count(),
        Agreement.objects.count(),
        Entry.objects.filter(dossier=agreed.sender, kind=EntryKind.COMENSHA).count(),
    ) == (0, 1, 2)

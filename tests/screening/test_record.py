"""The agenda item is the Veiligheidshuis' own record: its registration is encrypted and
never changed (model, query set and database), key rotation covers it, and purging the
zorgcoördinator's dossier empties only the item's link to it (ADR 8)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from baken.crypto import Binding
from baken.crypto.fields import keyring
from baken.crypto.rotate import encrypted_columns
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Dossier
from baken.dossiers.retention import purge
from baken.dossiers.selectors import access_to
from baken.screening import services
from baken.screening.models import AgendaItem, RegistrationFixed
from tests.screening.conftest import REGISTRATION, Screening
from tests.web.stages import EVALUATION, seen

FAR_FUTURE = timedelta(days=366 * 40)


def test_the_registration_is_encrypted_at_rest(placed: AgendaItem) -> None:
    """The stored column holds ciphertext, not the name."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM screening_agendaitem WHERE id = %s", [placed.pk.hex])
        (stored,) = cursor.fetchone()
    decrypted = json.loads(
        keyring().decrypt(stored, Binding("screening_agendaitem", "content", str(placed.pk)))
    )
    assert (REGISTRATION.name in stored, decrypted["identity"]["name"]) == (
        False,
        REGISTRATION.name,
    )


def test_saving_the_registration_again_is_refused(placed: AgendaItem) -> None:
    """A save without update_fields (or with the content) raises."""
    placed.content = {"identity": {"name": "Anders"}}
    with pytest.raises(RegistrationFixed):
        placed.save()


def test_updating_the_registration_in_bulk_is_refused(placed: AgendaItem) -> None:
    """The query set refuses an update of the content."""
    with pytest.raises(RegistrationFixed):
        AgendaItem.objects.filter(pk=placed.pk).update(content={})


def test_the_database_refuses_changing_the_registration(placed: AgendaItem) -> None:
    """Even past the application, an UPDATE of the content fails (trigger)."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE screening_agendaitem SET content = 'x' WHERE id = %s", [placed.pk.hex]
        )


def test_an_agenda_item_is_not_deleted(placed: AgendaItem) -> None:
    """Deleting the Veiligheidshuis' record through the model is refused."""
    with pytest.raises(RegistrationFixed):
        placed.delete()


def test_key_rotation_covers_the_screening(screening: Screening) -> None:
    """``baken keys rotate`` finds the encrypted columns of both tables from the models."""
    found = encrypted_columns()
    assert (found["screening_meeting"], found["screening_agendaitem"]) == (
        ("other_attendees",),
        ("content", "outcome_reason", "outcome_note"),
    )


@pytest.fixture
def purged(screening: Screening, placed: AgendaItem) -> AgendaItem:
    """The zorgcoördinator's dossier closed and purged at the end of its term."""
    access = access_to(screening.chain.coordinator, screening.zc_dossier.pk)
    dossier_services.close_dossier(access, EVALUATION, seen_sequence=seen(screening.zc_dossier))
    result = purge(now=timezone.now() + FAR_FUTURE)
    assert screening.zc_dossier.pk in [d.dossier_id for d in result.dossiers]
    return AgendaItem.objects.get(pk=placed.pk)


def test_purging_the_dossier_empties_the_items_link(
    screening: Screening, purged: AgendaItem
) -> None:
    """The dossier is gone; the item stays, its link emptied, its registration intact."""
    assert (
        Dossier.objects.filter(pk=screening.zc_dossier.pk).exists(),
        purged.brought_by_dossier_id,
        purged.content["goal"],
    ) == (False, None, REGISTRATION.goal)


def test_an_outcome_after_the_purge_stays_with_the_veiligheidshuis(
    screening: Screening, purged: AgendaItem
) -> None:
    """The outcome is still recorded on the item; nothing is written elsewhere, nothing
    fails."""
    item = services.record_outcome(
        screening.decision(screening.director), purged.pk, ["screening-mdo"], "", ""
    )
    assert (item.outcomes, item.brought_by_dossier_id) == (["screening-mdo"], None)

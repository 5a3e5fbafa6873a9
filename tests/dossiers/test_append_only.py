"""The record is append-only: no code path, URL or SQL statement changes or deletes an entry."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import get_resolver

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.dossiers import services
from baken.dossiers.models import AppendOnlyError, Dossier, Entry
from baken.dossiers.selectors import access_to

OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": "Nieuwe dure kleding",
}


@pytest.fixture
def entry(professional: User, open_dossier: Callable[..., Dossier]) -> Entry:
    dossier = open_dossier()
    return services.record(
        access_to(professional, dossier.pk), "observation", OBSERVATION, seen_sequence=0
    )


def test_saving_an_existing_entry_again_is_refused(entry: Entry) -> None:
    """Changing a field and saving raises; the stored entry is unchanged."""
    entry.data = {**entry.data, "description": "Iets anders"}
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert Entry.objects.get(pk=entry.pk).data["description"] == "Nieuwe dure kleding"


def test_deleting_an_entry_is_refused_one_by_one_and_in_bulk(entry: Entry) -> None:
    """Model.delete, QuerySet.delete and QuerySet.update all raise."""
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(data={})
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_the_database_itself_refuses_an_update(entry: Entry) -> None:
    """Raw SQL UPDATE on entries fails in SQLite and PostgreSQL (a trigger)."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_entry SET kind = 'decision' WHERE id = %s", [entry.pk])
    assert Entry.objects.get(pk=entry.pk).kind == "observation"


def test_postgresql_refuses_a_raw_delete_of_entries_and_audit_events(entry: Entry) -> None:
    """In production (PostgreSQL) a DELETE by hand fails too, for entries and the audit log."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite leaves DELETE to the application; see migration 0002")
    for table in ("dossiers_entry", "audit_accessevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    assert Entry.objects.filter(pk=entry.pk).exists()
    assert AccessEvent.objects.filter(
        dossier_id=entry.dossier_id, entry_sequence=entry.sequence
    ).exists()


def test_a_correction_is_a_new_entry_and_the_original_stays(
    professional: User, entry: Entry
) -> None:
    """Correcting adds entry #2 pointing at #1; #1 is unchanged and still in the timeline."""
    corrected = services.record(
        access_to(professional, entry.dossier_id),
        "observation",
        {**OBSERVATION, "description": "Nieuwe dure kleding en een tweede telefoon"},
        seen_sequence=1,
        corrects=1,
        reason="Telefoon vergeten te noemen",
    )
    assert corrected.sequence == 2 and corrected.corrects_id == entry.pk
    original = Entry.objects.get(pk=entry.pk)
    assert original.data == entry.data
    assert list(Entry.objects.filter(dossier_id=entry.dossier_id).current()) == [corrected]
    assert Entry.objects.filter(dossier_id=entry.dossier_id).count() == 2


def test_no_url_edits_or_deletes_an_entry() -> None:
    """The URL map has no edit or delete route for dossier entries: only record (one entry, or
    the step-1 checklist's entries) and correct."""
    names = {
        pattern.name
        for pattern in get_resolver("baken.dossiers.urls").url_patterns
        if getattr(pattern, "name", None)
    }
    assert names == {
        "list",
        "new",
        "detail",
        "step",
        "signals",
        "record",
        "acute",
        "correct",
        "close",
        "team",
        "details",
        "access_log",
        "export",
        "export_json",
        "print",
        "break_glass",
    }


def test_every_write_is_logged_in_the_same_transaction(professional: User, entry: Entry) -> None:
    """Opening the dossier and adding the entry each left an audit event naming the user."""
    events = list(AccessEvent.objects.filter(dossier_id=entry.dossier_id))
    assert [(e.code, e.action) for e in events] == [("C", "dossier_opened"), ("C", "entry_added")]
    assert all(e.user_id == professional.pk and e.case_team for e in events)
    assert events[-1].entry_sequence == entry.sequence

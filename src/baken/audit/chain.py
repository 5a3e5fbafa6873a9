"""Writing the access log: one line per event, in the caller's transaction.

A line is only INSERTed: no lock, no read of another line, so writers never wait for each
other. Its MAC (HMAC-SHA256 with the log's line key) is made here, before the INSERT; its
place in the tree comes later, from the integrator (:mod:`baken.audit.log`). Verifying is
:mod:`baken.audit.verify`; the design is docs/adr/0009-transparency-log.md. A request that
writes several lines (the dossier list) INSERTs them in one statement with
:func:`append_many`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import structlog
from django.db.models import Field
from django.utils import timezone
from uuid6 import uuid7

from baken.audit import keys
from baken.audit.log import content, line_key
from baken.audit.models import AccessEvent

log = structlog.stdlib.get_logger("baken.audit")

DEFAULTS: dict[str, Any] = {
    "user_id": None,
    "role": "",
    "organisation_id": None,
    "responsible_organisation_id": None,
    "dossier_id": None,
    "entry_sequence": None,
    "purpose": "",
    "authorised": True,
    "case_team": False,
    "consent": "not_applicable",
    "break_glass": False,
    "detail": "",
}


def _field(name: str) -> Field[Any, Any]:
    found = AccessEvent._meta.get_field(name)
    assert isinstance(found, Field)  # noqa: S101 (every line field is a concrete field)
    return found


def _line(fields: dict[str, Any], key: bytes) -> AccessEvent:
    """One line, not yet saved: its values as :func:`append` writes them, with its uid and
    MAC. The uid is time-ordered (UUID version 7, RFC 9562: a millisecond time, then 74
    random bits; the uuid6 package keeps them rising within a process by taking the next
    millisecond when one repeats): a new line's uid goes at the end of the log's unique
    index on it, not at a random place, which at 18 million lines halves the cost of
    writing a page's lines."""
    at = fields.pop("at", None) or timezone.now()
    values = {**DEFAULTS, **fields, "at": at.replace(microsecond=0), "uid": uuid7()}
    # The MAC covers the values as the database gives them back (a UUID given as text, a
    # choice as its value), so it is computed from each field's own conversion.
    stored = {name: _field(name).to_python(value) for name, value in values.items()}
    return AccessEvent(**stored, mac=keys.line_mac(key, content(stored)))


def _announce(event: AccessEvent) -> None:
    # Ids and machine values only: never ``detail`` (it may hold a username).
    log.info(
        "access_event",
        code=event.code,
        action=event.action,
        purpose=event.purpose,
        role=event.role,
        user_id=event.user_id,
        organisation_id=event.organisation_id,
        responsible_organisation_id=event.responsible_organisation_id,
        dossier_id=event.dossier_id,
        entry_sequence=event.entry_sequence,
        break_glass=event.break_glass,
    )


def append(**fields: Any) -> AccessEvent:
    """Write one line. Runs inside the caller's transaction, so a write and its log line
    commit (or roll back) together."""
    event = _line(fields, line_key())
    event.save()
    _announce(event)
    return event


def append_many(lines: Iterable[Mapping[str, Any]]) -> list[AccessEvent]:
    """Write several lines in one INSERT (``bulk_create``), each exactly as :func:`append`
    writes it: its own uid and MAC, and its own ``access_event`` in the application log.

    Runs inside the caller's transaction like :func:`append`: the lines commit (or roll
    back) with the write they record, and all together. Their ids follow the order given,
    so the integrator gives them their places in that order."""
    key = line_key()
    events = [_line(dict(fields), key) for fields in lines]
    if not events:
        return []
    AccessEvent.objects.bulk_create(events)
    for event in events:
        _announce(event)
    return events

"""Writing the access log: one line per event, in the caller's transaction.

A line is only INSERTed: no lock, no read of another line, so writers never wait for each
other. Its MAC (HMAC-SHA256 with the log's line key) is made here, before the INSERT; its
place in the tree comes later, from the integrator (:mod:`baken.audit.log`). Verifying is
:mod:`baken.audit.verify`; the design is docs/adr/0009-transparency-log.md.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from django.db.models import Field
from django.utils import timezone

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


def append(**fields: Any) -> AccessEvent:
    """Write one line. Runs inside the caller's transaction, so a write and its log line
    commit (or roll back) together."""
    at = fields.pop("at", None) or timezone.now()
    values = {**DEFAULTS, **fields, "at": at.replace(microsecond=0), "uid": uuid.uuid4()}
    # The MAC covers the values as the database gives them back (a UUID given as text, a
    # choice as its value), so it is computed from each field's own conversion.
    stored = {name: _field(name).to_python(value) for name, value in values.items()}
    event = AccessEvent(**stored, mac=keys.line_mac(line_key(), content(stored)))
    event.save()
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
    return event

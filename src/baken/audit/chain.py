"""Writing and verifying the hash-chained access log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import structlog
from django.db import transaction
from django.utils import timezone

from baken.audit.models import AccessEvent, ChainHead

GENESIS = "0" * 64
log = structlog.stdlib.get_logger("baken.audit")
HASHED_FIELDS = (
    "position",
    "at",
    "user_id",
    "role",
    "organisation_id",
    "responsible_organisation_id",
    "dossier_id",
    "entry_sequence",
    "code",
    "action",
    "purpose",
    "authorised",
    "case_team",
    "consent",
    "break_glass",
    "detail",
    "previous_hash",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def line_hash(values: dict[str, Any]) -> str:
    """SHA-256 over the line's fields in a fixed, canonical JSON form."""
    canonical = json.dumps(
        {name: _plain(values[name]) for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def append(**fields: Any) -> AccessEvent:
    """Write one line, chained to the previous one. Runs inside the caller's transaction,
    so a write and its log line commit (or roll back) together."""
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        at = fields.pop("at", None) or timezone.now()
        values = {
            "position": head.position + 1,
            "at": at.replace(microsecond=0),
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
            **fields,
            "previous_hash": head.hash,
        }
        event = AccessEvent(**values, hash=line_hash(values))
        event.save()
        head.position, head.hash = event.position, event.hash
        head.save(update_fields=["position", "hash"])
        # Ids and machine values only: never ``detail`` (it may hold a username).
        log.info(
            "access_event",
            position=event.position,
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


@dataclass(frozen=True)
class Problem:
    position: int
    message: str

    def __str__(self) -> str:
        return f"line {self.position}: {self.message}"


def verify(events: Iterable[AccessEvent] | None = None) -> list[Problem]:
    """Every break in the chain: a changed line, a missing one, or lines out of order."""
    lines = list(events) if events is not None else list(AccessEvent.objects.order_by("pk"))
    problems: list[Problem] = []
    previous_hash, expected = GENESIS, 1
    for event in lines:
        values = {name: getattr(event, name) for name in HASHED_FIELDS}
        if event.position != expected:
            if event.position > expected:
                problems.append(
                    Problem(expected, f"missing (the next line present is {event.position})")
                )
            else:
                problems.append(Problem(event.position, "out of order"))
        elif event.previous_hash != previous_hash:
            problems.append(
                Problem(event.position, "does not follow the line before it (removed or swapped)")
            )
        if line_hash(values) != event.hash:
            problems.append(Problem(event.position, "changed after it was written"))
        previous_hash, expected = event.hash, event.position + 1
    head = ChainHead.objects.filter(pk=1).first()
    if (
        head is not None
        and lines
        and (head.position, head.hash)
        != (
            lines[-1].position,
            lines[-1].hash,
        )
    ):
        problems.append(
            Problem(head.position, "the newest lines are missing (the log was cut short)")
        )
    if head is not None and not lines and head.position:
        problems.append(Problem(1, "every line is missing"))
    return problems

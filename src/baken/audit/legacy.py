"""The hash chain the access log was before the transparency log (audit migrations 0001 to
0008): kept for the migrations that wrote it (dossiers 0004) and the one that checks it
once more before moving its lines into the tree (audit 0010). Nothing else uses it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

GENESIS = "0" * 64
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
    """SHA-256 over the line's fields in a fixed, canonical JSON form (no key)."""
    canonical = json.dumps(
        {name: _plain(values[name]) for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()

"""Inzage (AVG art. 15): everything Baken holds about the person of one dossier.

A dossier is about one person, under a pseudonym; the export holds its details, every
entry in order (corrections and withdrawals as such, with their reasons), the case team,
break-glass grants and the access log about it. :func:`person_export` gives a plain
JSON-ready structure; the readable document renders the same structure.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from baken.accounts.models import Role, User
from baken.audit.models import AccessEvent
from baken.dossiers.models import BreakGlassGrant, CaseTeamMember, Dossier, Entry, EntryKind
from baken.dossiers.selectors import named_lines, shown_name

FORMAT_VERSION = 1


def _when(moment: datetime | None) -> str | None:
    """ISO 8601 to the second, in Dutch local time (with its offset)."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


WITHHELD = "withheld"
"""Put where the export leaves out who reported (Uitvoeringsbesluit Wmo 2015, art. 4.1.8)."""


def for_person(entry: Entry) -> dict[str, Any]:
    """An entry's data as the person's inzage may show it: on a dossier opened from a
    melding whose reporter asked not to be named to the person or family, the reporting
    organisation is left out (Uitvoeringsbesluit Wmo 2015, art. 4.1.8)."""
    data = dict(entry.data)
    if (
        entry.kind == EntryKind.REPORT
        and data.get("direction") == "received"
        and data.get("non_disclosure")
    ):
        data["from"] = WITHHELD
    return data


def person_export(
    dossier: Dossier, exported_by: User, now: datetime | None = None
) -> dict[str, Any]:
    """Everything held about the dossier's person, as plain data (ids and readable names)."""
    now = now or timezone.now()
    entries = list(dossier.entries.select_related("author", "corrects"))
    corrected = {e.corrects_id for e in entries if e.corrects_id is not None}
    kinds = dict(EntryKind.choices)
    roles = dict(Role.choices)
    # Each line with the user's name and the organisation as it was on the line (a user
    # may have moved since), in the same query.
    events = list(named_lines(AccessEvent.objects.filter(dossier_id=dossier.pk)).order_by("pk"))
    team = CaseTeamMember.objects.filter(dossier=dossier).select_related("user", "added_by")
    grants = BreakGlassGrant.objects.filter(dossier=dossier).select_related("user")
    return {
        "format": "baken-inzage",
        "format_version": FORMAT_VERSION,
        "exported_at": _when(now),
        "exported_by": str(exported_by),
        "dossier": {
            "reference": str(dossier.pk),
            "label": dossier.label,
            "date_of_birth": _day(dossier.birth_date),
            "age_at_opening": dossier.age_at_opening,
            "exploitation_forms": list(dossier.exploitation_forms),
            "organisation": dossier.organisation.name,
            "opened_at": _when(dossier.opened_at),
            "closed_at": _when(dossier.closed_at),
            "protocol": {"id": dossier.protocol_id, "version": dossier.protocol_version},
        },
        "entries": [
            {
                "sequence": e.sequence,
                "kind": e.kind,
                "kind_label": str(kinds.get(e.kind, e.kind)),
                "recorded_at": _when(e.created_at),
                "recorded_by": str(e.author),
                "data": for_person(e),
                "corrects": e.corrects.sequence if e.corrects is not None else None,
                "correction_reason": e.correction_reason or None,
                "withdrawn": e.withdrawn,
                "corrected_later": e.pk in corrected,
            }
            for e in entries
        ],
        "case_team": [
            {
                "name": str(m.user),
                "role": str(roles.get(m.user.role, m.user.role)),
                "added_at": _when(m.added_at),
                "added_by": str(m.added_by),
            }
            for m in team
        ],
        "break_glass": [
            {
                "name": str(g.user),
                "role": str(roles.get(g.user.role, g.user.role)),
                "granted_at": _when(g.granted_at),
                "expires_at": _when(g.expires_at),
                "reason": g.reason,
                "reviewed_at": _when(g.reviewed_at),
            }
            for g in grants
        ],
        "access_log": [
            {
                "at": _when(e.at),
                "name": shown_name(e) or None,
                "role": str(roles.get(e.role, e.role)) if e.role else None,
                "organisation": getattr(e, "shown_organisation", None),
                "code": e.code,
                "action": e.action,
                "purpose": e.purpose,
                "case_team": e.case_team,
                "break_glass": e.break_glass,
            }
            for e in events
        ],
    }

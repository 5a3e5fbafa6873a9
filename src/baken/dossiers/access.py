"""Access-log lines (NEN 7513) for dossier events: who, on whose responsibility, which
dossier, when, what (C/R/U/D/E), why, and the four checks."""

from __future__ import annotations

from typing import Any

from baken.accounts.models import Role
from baken.audit.chain import append
from baken.audit.models import AccessEvent, Code
from baken.dossiers.models import (
    BREAK_GLASS_ROLES,
    BreakGlassGrant,
    CaseTeamMember,
    Dossier,
    Entry,
    EntryKind,
)


def _consent(dossier: Dossier) -> str:
    """The person's consent to involve others, from the newest conversation; else not asked."""
    conversation = (
        Entry.objects.filter(dossier=dossier, kind=EntryKind.CONVERSATION)
        .order_by("-sequence")
        .values_list("data", flat=True)
        .first()
    )
    if not conversation:
        return "not_recorded"
    return str(conversation.get("consent_to_involve", "not_recorded"))


def log_dossier(
    user: Any,
    dossier: Dossier,
    code: Code,
    action: str,
    *,
    entry: Entry | None = None,
    purpose: str = "care",
    break_glass: bool = False,
    detail: str = "",
) -> AccessEvent:
    """One access-log line about ``dossier`` by ``user``, in the current transaction.

    Access that rests only on a running break-glass grant is logged as break-glass, with
    that purpose, whatever the caller passed."""
    in_team = CaseTeamMember.objects.filter(dossier=dossier, user_id=user.pk).exists()
    own_organisation_expert = (
        user.role == Role.DESIGNATED_EXPERT and user.organisation_id == dossier.organisation_id
    )
    if not (in_team or own_organisation_expert or break_glass) and user.role in BREAK_GLASS_ROLES:
        break_glass = (
            BreakGlassGrant.objects.running_for(user).filter(dossier_id=dossier.pk).exists()
        )
    return append(
        user_id=user.pk,
        role=user.role,
        organisation_id=user.organisation_id,
        responsible_organisation_id=dossier.organisation_id,
        dossier_id=dossier.pk,
        entry_sequence=entry.sequence if entry is not None else None,
        code=code,
        action=action,
        purpose="break_glass" if break_glass else purpose,
        authorised=True,
        case_team=in_team,
        consent=_consent(dossier),
        break_glass=break_glass,
        detail=detail,
    )


def log_account(by: Any, action: str, detail: str) -> AccessEvent:
    """A management or login event (code E), not about a dossier."""
    return append(
        user_id=getattr(by, "pk", None),
        role=getattr(by, "role", "") or "",
        organisation_id=getattr(by, "organisation_id", None),
        code=Code.EXECUTE,
        action=action,
        purpose="administration",
        detail=detail[:200],
    )

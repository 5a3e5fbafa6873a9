"""Noodtoegang (break-glass): a designated expert (aandachtsfunctionaris) or Veilig Thuis
adviser opens a dossier outside their case team, after stating a reason.

The grant is read-only and runs for :data:`GRANT_HOURS`; it is logged (access log, with
the break-glass check set) when it is made and on every read under it, and it waits on a
review list for the functioneel beheerder. The reason is stored encrypted.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from baken.accounts.models import User
from baken.audit.models import Code
from baken.dossiers.access import Act, DossierAccess, Ground, decide, log_account, log_dossier
from baken.dossiers.models import BREAK_GLASS_ROLES, BreakGlassGrant, Dossier

GRANT_HOURS = 8
"""How long a break-glass grant runs: one working day."""
REASON_MIN_LENGTH = 20
REASON_MAX_LENGTH = 2000
_UUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)


class BreakGlassRefused(Exception):
    """Break-glass cannot go ahead; ``code`` says why (for the form's Dutch message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def may_break_glass(user: object) -> bool:
    """Whether ``user`` may ask for break-glass access at all."""
    return bool(
        isinstance(user, User) and user.works_with_dossiers and user.role in BREAK_GLASS_ROLES
    )


def parse_reference(text: str) -> UUID | None:
    """The dossier id in ``text``: the reference itself, or a pasted link to the dossier."""
    found = _UUID.search(text or "")
    return UUID(found.group(0)) if found else None


def open_with_break_glass(
    user: User, dossier_id: UUID, reason: str, now: datetime | None = None
) -> BreakGlassGrant:
    """Grant ``user`` read access to the dossier for :data:`GRANT_HOURS`, and log it.

    Refused with ``not_allowed`` (role), ``unknown`` (no such dossier), ``already_visible``
    (the user sees it without break-glass: no grant is needed) or ``reason`` (too short).
    """
    if not may_break_glass(user):
        raise BreakGlassRefused("not_allowed")
    reason = reason.strip()
    if not REASON_MIN_LENGTH <= len(reason) <= REASON_MAX_LENGTH:
        raise BreakGlassRefused("reason")
    now = now or timezone.now()
    with transaction.atomic():
        dossier = Dossier.objects.filter(pk=dossier_id).first()
        if dossier is None:
            raise BreakGlassRefused("unknown")
        current = decide(user, dossier)
        if current is not None and current.may(Act.RECORD):
            raise BreakGlassRefused("already_visible")
        grant = BreakGlassGrant.objects.create(
            dossier=dossier,
            user=user,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(hours=GRANT_HOURS),
        )
        # The grant just made is the ground of this access (also when ``now`` is given).
        access = DossierAccess(user, dossier, frozenset({Ground.BREAK_GLASS}), grant)
        log_dossier(
            access,
            Code.EXECUTE,
            "break_glass_opened",
            detail=f"grant:{grant.pk}",
        )
    return grant


def grants_for_review() -> list[BreakGlassGrant]:
    """Every break-glass grant, those not yet reviewed first, newest first."""
    grants = BreakGlassGrant.objects.select_related(
        "user", "user__organisation", "dossier__organisation", "reviewed_by"
    )
    return sorted(grants, key=lambda g: (g.reviewed_at is not None, -g.granted_at.timestamp()))


def review(by: User, grant_id: int, note: str, now: datetime | None = None) -> BreakGlassGrant:
    """The functioneel beheerder marks a grant as reviewed, with a note; logged."""
    if not by.is_administrator:
        raise BreakGlassRefused("not_allowed")
    with transaction.atomic():
        grant = BreakGlassGrant.objects.select_for_update().get(pk=grant_id)
        if grant.reviewed_at is not None:
            raise BreakGlassRefused("already_reviewed")
        grant.reviewed_by = by
        grant.reviewed_at = now or timezone.now()
        grant.review_note = note.strip()
        grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        log_account(by, "break_glass_reviewed", f"grant:{grant.pk}")
    return grant

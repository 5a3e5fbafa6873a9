"""Reads of the functioneel beheerder's pages: the organisations, the users and the
break-glass grants to review, each a page at a time (keyset, :mod:`baken.web.keyset`), so
the pages cost the same with ten users as with ten thousand."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from baken.accounts.models import Organisation, User
from baken.dossiers.models import BreakGlassGrant
from baken.web.keyset import PAGE_SIZE, Key, Page, page

ORGANISATIONS = (Key("name", "str"),)
"""Organisations by name (unique)."""

USERS = (Key("is_active", "bool", descending=True), Key("username", "str"))
"""Users: the active ones first, then by username (unique)."""

GRANTS = (
    Key("reviewed", "bool"),
    Key("granted_at", "datetime", descending=True),
    Key("id", "int", descending=True),
)
"""Break-glass grants: those not yet reviewed first, newest first (the index
``breakglass_review_order``)."""


def organisations_page(
    *, after: str | None = None, before: str | None = None, size: int = PAGE_SIZE
) -> Page[Organisation]:
    """One page of the organisations, each with its number of users (counted for the
    organisations shown only, by a subquery over the users' organisation index)."""
    users = (
        User.objects.filter(organisation_id=OuterRef("pk"))
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = Organisation.objects.annotate(
        user_count=Coalesce(Subquery(users, output_field=IntegerField()), Value(0))
    )
    return page(rows, ORGANISATIONS, after=after, before=before, size=size)


def users_page(
    *, after: str | None = None, before: str | None = None, size: int = PAGE_SIZE
) -> Page[User]:
    """One page of the users, active first, with their organisation."""
    rows = User.objects.select_related("organisation")
    return page(rows, USERS, after=after, before=before, size=size)


def open_grants() -> int:
    """How many break-glass grants wait for review."""
    return BreakGlassGrant.objects.filter(reviewed=False).count()


def grants_page(
    *, after: str | None = None, before: str | None = None, size: int = PAGE_SIZE
) -> Page[BreakGlassGrant]:
    """One page of the break-glass grants for review, those not yet reviewed first, newest
    first; only the grants shown are decrypted (the reason, the note)."""
    rows = BreakGlassGrant.objects.select_related(
        "user", "user__organisation", "dossier__organisation", "reviewed_by"
    )
    return page(rows, GRANTS, after=after, before=before, size=size)

"""Retention: a closed dossier is purged when its retention term has passed (``baken purge``).

The term is ``BAKEN_RETENTION_YEARS`` calendar years after closing (20 by default, the
term for jeugdhulp and Veilig Thuis dossiers), counted on Baken's local calendar
(``TIME_ZONE``). An open dossier is never purged.

The candidates are read a page of :data:`BATCH` dossiers at a time (in closing order, by
keyset, so a purge of many dossiers never holds them all in memory), and each dossier goes
in a short transaction of its own (its own ``SET LOCAL baken.maintenance`` on PostgreSQL),
so ordinary writers never wait for the purge beyond one dossier's delete. A purge that
stops (a crash, a kill, a refused dossier) leaves every purged dossier purged and nothing of
the others touched: run it again and it goes on with the dossiers still due. Each
transaction

1. writes a :class:`~baken.audit.models.PurgeRecord` (ids, moments and counts, no content),
2. writes an access-log line (code D, action ``purged``, purpose ``retention``, by the
   system),
3. deletes every row that belongs to the dossier, then the dossier itself: its entries
   (with the append-only triggers lifted for this transaction only), its case team, and
   the rows of every other model with a foreign key to it, found from the models
   themselves, so a model added later is purged too.

The access log keeps every line about the dossier: it has no foreign keys and Baken never
deletes from it. See docs/retention.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Count, Q
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from baken.audit.chain import append
from baken.audit.models import RETENTION_TERM, Code, PurgeRecord
from baken.dossiers.maintenance import append_only_lifted
from baken.dossiers.models import Dossier, Entry


@dataclass(frozen=True)
class DueDossier:
    """A closed dossier whose retention term has passed: ids, moments and a count only."""

    dossier_id: UUID
    organisation_id: int
    opened_at: datetime
    closed_at: datetime
    due_on: date
    """The (local) day the term ended: the first day the dossier could be purged."""
    entry_count: int


BATCH = 100
"""Dossiers read per page of candidates (each is purged in a transaction of its own)."""


@dataclass(frozen=True)
class PurgeProgress:
    """How far a purge has come, after each page of candidates (for ``progress``)."""

    checked: int
    """Candidates looked at so far."""
    purged: int
    """Dossiers purged so far (in a dry run: found due)."""
    candidates: int
    """Closed dossiers old enough to be candidates when the purge began (an upper bound)."""
    dry_run: bool

    def __str__(self) -> str:
        verb = "due" if self.dry_run else "purged"
        return (
            f"{self.checked:,} of {self.candidates:,} candidate dossier(s) checked, "
            f"{self.purged:,} {verb} so far"
        )


@dataclass(frozen=True)
class PurgeResult:
    dry_run: bool
    retention_years: int
    dossiers: tuple[DueDossier, ...]
    """Purged (or, in a dry run, due) dossiers, oldest closing first."""


class PurgeStopped(Exception):
    """A dossier could not be purged; its transaction was rolled back, so nothing of it was
    deleted. ``done`` holds the dossiers purged before it, which stay purged."""

    def __init__(self, dossier_id: UUID, done: PurgeResult, cause: Exception) -> None:
        self.dossier_id = dossier_id
        self.done = done
        self.cause = cause
        super().__init__(f"dossier {dossier_id} could not be purged: {cause}")


def add_years(moment: datetime, years: int) -> datetime:
    """``moment`` plus whole calendar years on the local calendar, as an aware UTC datetime.

    The same day and time of day ``years`` later. A 29 February whose year ``years`` later
    has none ends the term at the start of 1 March: never earlier than the full term.
    """
    if timezone.is_naive(moment):
        raise ValueError("add_years needs an aware datetime")
    # Through UTC: a moment given as a local reading that does not exist (in the spring gap)
    # becomes the real reading of that instant; astimezone to the same zone would keep it.
    local = timezone.localtime(moment.astimezone(UTC))
    year = local.year + years
    try:
        # fold=0: a reading that falls in the spring gap then means the first moment after
        # it; the fold of an autumn hour in the closing year would make it an hour early.
        later = local.replace(year=year, fold=0)
    except ValueError:  # 29 February, in a year that is no leap year
        later = datetime.combine(date(year, 3, 1), time(), tzinfo=local.tzinfo)
    return later.astimezone(UTC)


def due_at(closed_at: datetime, years: int | None = None) -> datetime:
    """The moment a dossier closed at ``closed_at`` may be purged (the term has passed)."""
    return add_years(closed_at, settings.BAKEN_RETENTION_YEARS if years is None else years)


def _shortest_term(years: int) -> timedelta:
    """No term of ``years`` calendar years is shorter than this (a daylight-saving hour
    off at most); used to pick candidates in the database, checked exactly afterwards."""
    return timedelta(days=365 * years, hours=-1)


def _entry_counts(ids: list[UUID]) -> dict[UUID, int]:
    counts = (
        Entry.objects.filter(dossier_id__in=ids)
        .values("dossier_id")
        .annotate(n=Count("id"))
        .values_list("dossier_id", "n")
    )
    return dict(counts)


def _candidates(moment: datetime, years: int) -> models.QuerySet[Dossier]:
    return Dossier.objects.filter(
        closed_at__isnull=False, closed_at__lte=moment - _shortest_term(years)
    )


def due_pages(
    now: datetime | None = None, batch: int = BATCH
) -> Iterator[tuple[int, list[DueDossier]]]:
    """The closed dossiers whose term has passed at ``now``, oldest closing first, a page
    of up to ``batch`` candidates at a time (keyset on closing moment and id, so a page is
    found the same way however many dossiers come before it): each with the number of
    candidates it looked at. Reads ids and moments only: no label or entry is decrypted."""
    moment = now or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("now must be an aware datetime")
    if batch < 1:
        raise ValueError(f"batch must be 1 or more, got {batch}")
    years = settings.BAKEN_RETENTION_YEARS
    after: tuple[datetime, UUID] | None = None
    while True:
        rows = _candidates(moment, years)
        if after is not None:
            rows = rows.filter(Q(closed_at__gt=after[0]) | Q(closed_at=after[0], pk__gt=after[1]))
        page = list(
            rows.order_by("closed_at", "pk").values_list(
                "pk", "organisation_id", "opened_at", "closed_at"
            )[:batch]
        )
        if not page:
            return
        due = [
            (pk, organisation_id, opened_at, closed_at)
            for pk, organisation_id, opened_at, closed_at in page
            if closed_at is not None and due_at(closed_at, years) <= moment
        ]
        counts = _entry_counts([row[0] for row in due])
        yield (
            len(page),
            [
                DueDossier(
                    dossier_id=pk,
                    organisation_id=organisation_id,
                    opened_at=opened_at,
                    closed_at=closed_at,
                    due_on=timezone.localdate(due_at(closed_at, years)),
                    entry_count=counts.get(pk, 0),
                )
                for pk, organisation_id, opened_at, closed_at in due
            ],
        )
        if len(page) < batch:
            return
        last_pk, _, _, last_closed = page[-1]
        if last_closed is None:  # filtered out above; keeps the keyset typed
            return
        after = (last_closed, last_pk)


def due_dossiers(now: datetime | None = None) -> list[DueDossier]:
    """The closed dossiers whose term has passed at ``now``, oldest closing first.

    Reads ids and moments only: no label or entry is decrypted."""
    return [due for _, page in due_pages(now) for due in page]


def _dependants(model: type[models.Model]) -> list[ForeignObjectRel]:
    """Every relation by which rows of another model point at ``model``'s rows.

    ``include_hidden``: a foreign key with ``related_name="+"`` (as on BreakGlassGrant) is
    left out of ``_meta.related_objects``, and its rows would be missed. Many-to-many
    relations are covered by the foreign keys of their through model.
    """
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel) and not field.many_to_many
    ]


def _deletion_order(
    rows: models.QuerySet[Any], path: tuple[type[models.Model], ...] = ()
) -> Iterator[models.QuerySet[Any]]:
    """``rows`` and, before them, every row that points at them, all the way down: the
    order in which they can be deleted without breaking a foreign key.

    A model that points at itself (a correction at the entry it corrects) is deleted in one
    statement with the rows it points at; the foreign-key check at the end of the statement
    (or of the transaction) refuses the purge if a row outside the set still points in.
    """
    model = rows.model
    for relation in _dependants(model):
        related: type[models.Model] = relation.related_model  # type: ignore[assignment]
        if related is model or related in path:
            continue
        field = relation.field
        if field.remote_field.on_delete is models.SET_NULL:
            continue  # kept, with the reference emptied (see _delete_dossier)
        yield from _deletion_order(
            related._base_manager.filter(
                **{f"{field.name}__in": rows.values(field.target_field.attname)}
            ),
            (*path, model),
        )
    yield rows


def _delete_dossier(pk: UUID) -> None:
    """Delete the dossier and everything that belongs to it, bypassing the append-only
    guards of the application (raw deletes) and of the database (triggers lifted)."""
    order = list(_deletion_order(Dossier._base_manager.filter(pk=pk)))
    tables = list(dict.fromkeys(rows.model._meta.db_table for rows in order))
    for rows in order:
        # Rows of other records that only refer to these (a melding the recipient keeps,
        # which came from the purged dossier) lose the reference and stay.
        for relation in _dependants(rows.model):
            field = relation.field
            if field.remote_field.on_delete is models.SET_NULL:
                relation.related_model._base_manager.filter(  # type: ignore[union-attr]
                    **{f"{field.name}__in": rows.values(field.target_field.attname)}
                ).update(**{field.name: None})
    with append_only_lifted(*tables):
        for rows in order:
            rows._raw_delete(rows.db)
        # A row left pointing at a deleted one (only a table deleted from can hold one)
        # fails the purge here, not at a commit that may be an outer transaction's.
        connection.check_constraints(table_names=tables)


def _purge_one(candidate: DueDossier, years: int, moment: datetime) -> DueDossier | None:
    """Purge one dossier in its own transaction; None when it is no longer due (purged by
    a purge running at the same time)."""
    with transaction.atomic():
        row = (
            Dossier.objects.select_for_update()
            .filter(pk=candidate.dossier_id, closed_at__isnull=False)
            .values_list("organisation_id", "opened_at", "closed_at")
            .first()
        )
        if row is None:
            return None
        organisation_id, opened_at, closed_at = row
        if closed_at is None or due_at(closed_at, years) > moment:
            return None
        entry_count = Entry.objects.filter(dossier_id=candidate.dossier_id).count()
        # Whole seconds, like every access-log line.
        recorded = moment.replace(microsecond=0)
        PurgeRecord.objects.create(
            dossier_id=candidate.dossier_id,
            organisation_id=organisation_id,
            opened_at=opened_at,
            closed_at=closed_at,
            purged_at=recorded,
            retention_years=years,
            reason=RETENTION_TERM,
            entry_count=entry_count,
        )
        append(
            at=recorded,
            user_id=None,
            role="system",
            organisation_id=None,
            responsible_organisation_id=organisation_id,
            dossier_id=candidate.dossier_id,
            code=Code.DELETE,
            action="purged",
            purpose="retention",
            detail=RETENTION_TERM,
        )
        _delete_dossier(candidate.dossier_id)
    return DueDossier(
        dossier_id=candidate.dossier_id,
        organisation_id=organisation_id,
        opened_at=opened_at,
        closed_at=closed_at,
        due_on=timezone.localdate(due_at(closed_at, years)),
        entry_count=entry_count,
    )


def purge(
    now: datetime | None = None,
    dry_run: bool = False,
    *,
    batch: int = BATCH,
    progress: Callable[[PurgeProgress], None] | None = None,
) -> PurgeResult:
    """Purge every closed dossier whose retention term has passed at ``now`` (default: the
    current time, which is also the moment recorded for each purge).

    A dry run lists what would go and changes or writes nothing. The candidates are read
    ``batch`` at a time and each dossier is purged in a transaction of its own;
    ``progress`` hears after each page how far it has come. When one fails,
    :class:`PurgeStopped` says which, and the ones before it stay purged.
    """
    moment = now or timezone.now()
    years = settings.BAKEN_RETENTION_YEARS
    candidates = _candidates(moment, years).count() if progress is not None else 0
    done: list[DueDossier] = []
    checked = 0
    for looked_at, page in due_pages(moment, batch):
        for candidate in page:
            if dry_run:
                done.append(candidate)
                continue
            try:
                purged = _purge_one(candidate, years, moment)
            except DatabaseError as exc:
                done_so_far = PurgeResult(False, years, tuple(done))
                raise PurgeStopped(candidate.dossier_id, done_so_far, exc) from exc
            if purged is not None:
                done.append(purged)
        checked += looked_at
        if progress is not None:
            progress(PurgeProgress(checked, len(done), max(candidates, checked), dry_run))
    return PurgeResult(dry_run, years, tuple(done))

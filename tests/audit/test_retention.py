"""Retention: a closed dossier is purged when its term (BAKEN_RETENTION_YEARS calendar years
after closing) has passed. The purge keeps a record without content, and the access log
keeps every line about the dossier."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.db.models.fields.reverse_related import ForeignObjectRel
from hypothesis import example, given
from hypothesis import strategies as st

from baken.accounts.models import User
from baken.audit.models import AccessEvent, AppendOnlyError, LogLeaf, PurgeRecord
from baken.audit.verify import verify
from baken.conf import settings as settings_module
from baken.dossiers import services
from baken.dossiers.models import BreakGlassGrant, CaseTeamMember, Dossier, Entry
from baken.dossiers.retention import (
    PurgeStopped,
    add_years,
    due_at,
    due_dossiers,
    purge,
)
from baken.dossiers.selectors import access_to
from tests.conftest import CliResult

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LABEL = "Casus Vergetelheid"
SECRET_TEXT = "Herkenbare observatie 7731 over de kelderbox"
CORRECTION_REASON = "Kelderbox in plaats van zolder 4417"
CLOSED = datetime(2003, 6, 15, 10, 0, tzinfo=AMSTERDAM)
"""A closing moment whose 20-year term (2023-06-15 10:00) lies in the past."""


def observation(description: str) -> dict[str, str]:
    return {
        "nature": "fact",
        "observed_on": "2003-05-01",
        "source": "mentor",
        "description": description,
    }


def close_at(dossier: Dossier, moment: datetime) -> None:
    """Back-date the closing (the dossier row itself is not append-only)."""
    Dossier.objects.filter(pk=dossier.pk).update(closed_at=moment)


@pytest.fixture
def closed_dossier(
    professional: User, colleague: User, open_dossier: Callable[..., Dossier]
) -> Dossier:
    """A dossier with an observation, a colleague in the case team, a correction and the
    case evaluation, closed on CLOSED."""
    dossier = open_dossier(label=LABEL, birth_date=date(1988, 2, 29))
    services.record(
        access_to(professional, dossier.pk),
        "observation",
        observation(SECRET_TEXT),
        seen_sequence=0,
    )
    services.add_colleague(access_to(professional, dossier.pk), colleague.pk, seen_sequence=1)
    services.record(
        access_to(professional, dossier.pk),
        "observation",
        observation(SECRET_TEXT + " (gecorrigeerd)"),
        seen_sequence=2,
        corrects=1,
        reason=CORRECTION_REASON,
    )
    services.close_dossier(
        access_to(professional, dossier.pk), {"evaluatie-1": SECRET_TEXT}, seen_sequence=3
    )
    close_at(dossier, CLOSED)
    return Dossier.objects.get(pk=dossier.pk)


def rows_pointing_at(dossier_id: object) -> dict[str, int]:
    """For every model with a foreign key to Dossier (hidden ones included), how many of its
    rows point at ``dossier_id``."""
    counts = {}
    for relation in Dossier._meta.get_fields(include_hidden=True):
        if isinstance(relation, ForeignObjectRel) and not relation.many_to_many:
            model = relation.related_model
            assert not isinstance(model, str)
            counts[model.__name__] = model._base_manager.filter(
                **{relation.field.name: dossier_id}
            ).count()
    return counts


def raw_row(table: str, where: str, value: int) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {where} = %s", [value])  # noqa: S608
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


# The term -------------------------------------------------------------------------------


def test_a_dossier_is_due_exactly_when_the_term_has_passed(closed_dossier: Dossier) -> None:
    """Closed 2003-06-15 10:00: after 19 years and 364 days, and one second before the 20
    years, it is not due; at exactly 20 calendar years it is, due since 2023-06-15."""
    twenty_years = datetime(2023, 6, 15, 10, 0, tzinfo=AMSTERDAM)
    almost = CLOSED.replace(year=2022) + timedelta(days=364)
    assert almost == datetime(2023, 6, 14, 10, 0, tzinfo=AMSTERDAM)
    assert due_dossiers(almost) == []
    assert due_dossiers(twenty_years - timedelta(seconds=1)) == []
    (due,) = due_dossiers(twenty_years)
    assert due.dossier_id == closed_dossier.pk
    assert due.due_on == date(2023, 6, 15)
    assert due.entry_count == 4
    assert purge(now=twenty_years - timedelta(seconds=1)).dossiers == ()
    assert Dossier.objects.filter(pk=closed_dossier.pk).exists()


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A moment on Baken's local clock (Europe/Amsterdam)."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("closed", "years", "due"),
    [
        # 29 February, term ending in a year without one: the start of 1 March.
        (local(2024, 2, 29, 12, 0), 1, local(2025, 3, 1, 0, 0)),
        (local(2080, 2, 29, 12, 0), 20, local(2100, 3, 1, 0, 0)),  # 2100: no leap year
        # ... and in a year with one: the same day and time.
        (local(2024, 2, 29, 12, 0), 20, local(2044, 2, 29, 12, 0)),
        (local(2024, 2, 28, 23, 59), 1, local(2025, 2, 28, 23, 59)),
        # Closed in summer time (from 26 March 2006), ending in winter time (until 29 March
        # 2026): the same time on the local clock, an hour later in UTC.
        (local(2006, 3, 27, 12, 0), 20, local(2026, 3, 27, 12, 0)),
    ],
)
def test_the_term_counts_calendar_years_on_the_local_calendar(
    closed: datetime, years: int, due: datetime
) -> None:
    """The term ends on the same local day and time ``years`` later; a 29 February without
    a 29 February at the end ends at the start of 1 March, never before the full term."""
    result = add_years(closed, years)
    assert result.tzinfo is UTC
    assert result == due


@given(
    closed=st.datetimes(
        min_value=datetime(1950, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=datetime(2400, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, AMSTERDAM]),
    ),
    years=st.integers(min_value=1, max_value=100),
)
# 02:00 summer time; 64 years later that night the clock jumps from 02:00 to 03:00.
@example(closed=datetime(2000, 3, 30, 0, 0, tzinfo=UTC), years=64)
@example(closed=datetime(2080, 2, 29, 11, 0, tzinfo=UTC), years=20)
# A reading in the spring gap (02:00 on 25 March 2001 does not exist), 95 years later again
# in the gap: found by hypothesis in CI.
@example(closed=datetime(2001, 3, 25, 2, 0, fold=1, tzinfo=AMSTERDAM), years=95)
def test_the_term_is_never_short_and_ends_on_the_anniversary(closed: datetime, years: int) -> None:
    """For any closing moment and term: the term ends on the local anniversary (1 March for
    a 29 February without one), is at least 365 days per year long (a daylight-saving hour
    aside, which the database preselection relies on), and a longer term ends later."""
    due = due_at(closed, years)
    start = closed.astimezone(UTC).astimezone(AMSTERDAM)  # the real local reading
    end = due.astimezone(AMSTERDAM)
    try:
        on_the_clock = datetime.combine(start.date().replace(year=start.year + years), start.time())
    except ValueError:
        assert (start.month, start.day) == (2, 29)
        on_the_clock = datetime(start.year + years, 3, 1)  # noqa: DTZ001 - a clock reading
    # The same reading of the local clock; when the clock skips that hour that night (the
    # start of summer time), the first moment after the skip.
    assert timedelta(0) <= end.replace(tzinfo=None) - on_the_clock <= timedelta(hours=1)
    if end.replace(tzinfo=None) != on_the_clock:
        assert AMSTERDAM.utcoffset(on_the_clock) != AMSTERDAM.utcoffset(
            on_the_clock + timedelta(hours=1)
        )
    assert due - closed >= timedelta(days=365 * years, hours=-1)
    assert due_at(closed, years + 1) > due


def test_open_dossiers_are_never_purged(
    open_dossier: Callable[..., Dossier], professional: User
) -> None:
    """A dossier opened 40 years ago and never closed is neither due nor purged."""
    dossier = open_dossier(label=LABEL)
    Dossier.objects.filter(pk=dossier.pk).update(opened_at=datetime(1986, 1, 1, tzinfo=UTC))
    far_future = datetime(2199, 1, 1, tzinfo=UTC)
    assert due_dossiers(far_future) == []
    assert purge(now=far_future).dossiers == ()
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    assert not PurgeRecord.objects.exists()


def test_the_setting_sets_the_term(closed_dossier: Dossier, settings: Any) -> None:
    """With BAKEN_RETENTION_YEARS = 25 a dossier closed 20 years ago stays; the purge record
    names the term that was applied."""
    settings.BAKEN_RETENTION_YEARS = 25
    assert purge(now=datetime(2024, 1, 1, tzinfo=UTC)).dossiers == ()
    result = purge(now=datetime(2028, 6, 15, 8, 0, tzinfo=UTC))
    assert result.retention_years == 25
    assert [d.dossier_id for d in result.dossiers] == [closed_dossier.pk]
    assert PurgeRecord.objects.get().retention_years == 25


@pytest.mark.parametrize(("raw", "years"), [("", 20), ("20", 20), (" 7 ", 7), ("100", 100)])
def test_the_retention_setting_accepts_whole_years(
    raw: str, years: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unset or empty means 20 years; whole numbers from 1 to 100 are taken as they are."""
    monkeypatch.setenv("BAKEN_RETENTION_YEARS", raw)
    assert settings_module._retention_years() == years


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0", "between 1 and 100 years, not 0"),
        ("-3", "between 1 and 100 years, not -3"),
        ("101", "between 1 and 100 years, not 101"),
        ("20000", "between 1 and 100 years, not 20000"),
        ("twenty", "a whole number of years, not 'twenty'"),
        ("2.5", "a whole number of years"),
        ("+20", "a whole number of years"),
        ("2_0", "a whole number of years"),
        ("\u0662\u0660", "a whole number of years"),  # Arabic-Indic digits: int() takes them
    ],
)
def test_a_bad_retention_setting_is_refused_with_its_name(
    raw: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anything but a whole number of years from 1 to 100 stops Baken with an English
    message naming the variable and the value."""
    monkeypatch.setenv("BAKEN_RETENTION_YEARS", raw)
    with pytest.raises(ImproperlyConfigured) as refused:
        settings_module._retention_years()
    assert str(refused.value).startswith("BAKEN_RETENTION_YEARS must be")
    assert message in str(refused.value)


# The purge ------------------------------------------------------------------------------


def test_a_dry_run_lists_what_would_go_and_changes_nothing(closed_dossier: Dossier) -> None:
    """A dry run returns the due dossier with its ids, dates and entry count, and writes
    nothing: no purge record, no access-log line, every row still there."""

    def state() -> tuple[object, ...]:
        return (
            Dossier.objects.count(),
            Entry.objects.count(),
            CaseTeamMember.objects.count(),
            AccessEvent.objects.count(),
            PurgeRecord.objects.count(),
            LogLeaf.objects.count(),
        )

    before = state()
    result = purge(dry_run=True)
    assert result.dry_run and result.retention_years == 20
    (due,) = result.dossiers
    assert (due.dossier_id, due.organisation_id) == (
        closed_dossier.pk,
        closed_dossier.organisation_id,
    )
    assert (due.closed_at, due.due_on, due.entry_count) == (CLOSED, date(2023, 6, 15), 4)
    assert state() == before


def test_a_purge_deletes_the_dossier_and_everything_that_points_at_it(
    closed_dossier: Dossier,
    expert: User,
    open_dossier: Callable[..., Dossier],
    professional: User,
) -> None:
    """The dossier, its entries (a correction included), its case team and rows of a model
    whose foreign key is hidden (a break-glass grant, related_name '+') all go; a dossier
    that is not due keeps its rows."""
    BreakGlassGrant.objects.create(
        dossier=closed_dossier,
        user=expert,
        reason="Proef-reden",
        granted_at=CLOSED,
        expires_at=CLOSED + timedelta(hours=4),
    )
    kept = open_dossier(label="Casus Blijft")
    services.record(
        access_to(professional, kept.pk), "observation", observation("blijft"), seen_sequence=0
    )
    present = {name: n for name, n in rows_pointing_at(closed_dossier.pk).items() if n}
    assert present == {"CaseTeamMember": 2, "Entry": 4, "BreakGlassGrant": 1}
    kept_rows = rows_pointing_at(kept.pk)

    result = purge()

    assert [d.dossier_id for d in result.dossiers] == [closed_dossier.pk]
    assert not result.dry_run and result.dossiers[0].entry_count == 4
    assert not Dossier.objects.filter(pk=closed_dossier.pk).exists()
    assert set(rows_pointing_at(closed_dossier.pk).values()) == {0}
    assert rows_pointing_at(kept.pk) == kept_rows
    assert Entry.objects.get(dossier=kept).data["description"] == "blijft"


def test_the_purge_record_and_the_log_line_say_what_when_and_why_without_content(
    closed_dossier: Dossier,
) -> None:
    """One purge record (ids, moments, term, reason, entry count) and one D line by the
    system; neither holds the label, the date of birth or any text from an entry."""
    opened_at = closed_dossier.opened_at
    last_before = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    moment = datetime(2026, 11, 1, 9, 30, 15, 123456, tzinfo=UTC)

    purge(now=moment)

    record = PurgeRecord.objects.get()
    assert {field.name for field in PurgeRecord._meta.fields} == {
        "id",
        "dossier_id",
        "organisation_id",
        "opened_at",
        "closed_at",
        "purged_at",
        "retention_years",
        "reason",
        "entry_count",
    }
    assert (record.dossier_id, record.organisation_id) == (
        closed_dossier.pk,
        closed_dossier.organisation_id,
    )
    assert (record.opened_at, record.closed_at) == (opened_at, CLOSED)
    assert record.purged_at == moment.replace(microsecond=0)
    assert (record.retention_years, record.reason, record.entry_count) == (
        20,
        "retention_term",
        4,
    )

    (line,) = AccessEvent.objects.filter(pk__gt=last_before)
    assert (line.code, line.action, line.purpose) == ("D", "purged", "retention")
    assert (line.user_id, line.role, line.organisation_id) == (None, "system", None)
    assert line.responsible_organisation_id == closed_dossier.organisation_id
    assert line.dossier_id == closed_dossier.pk
    assert line.at == moment.replace(microsecond=0)

    stored = repr(raw_row("audit_purgerecord", "id", record.pk)) + repr(
        raw_row("audit_accessevent", "id", line.pk)
    )
    # Whole texts only: a short number could turn up by chance inside a hash.
    for content in (LABEL, SECRET_TEXT, CORRECTION_REASON, "1988-02-29", "1988, 2, 29"):
        assert content not in stored
        assert content not in repr(vars(record)) + repr(vars(line))


def test_the_access_log_keeps_every_line_about_the_dossier_and_still_verifies(
    closed_dossier: Dossier,
) -> None:
    """Every access-log line written while the dossier lived is still there, unchanged,
    after the purge, followed by the purge line; the access log verifies."""
    before = list(AccessEvent.objects.filter(dossier_id=closed_dossier.pk).values_list("pk", "mac"))
    assert len(before) >= 5

    purge()

    after = list(
        AccessEvent.objects.filter(dossier_id=closed_dossier.pk).values_list("pk", "mac", "action")
    )
    assert [(position, hash_) for position, hash_, _ in after[:-1]] == before
    assert after[-1][2] == "purged"
    assert verify().problems == []


def test_a_second_purge_finds_nothing_due(closed_dossier: Dossier) -> None:
    """A purged dossier is gone: running the purge again purges and records nothing."""
    assert len(purge().dossiers) == 1
    assert purge().dossiers == ()
    assert PurgeRecord.objects.count() == 1
    assert AccessEvent.objects.filter(action="purged").count() == 1


def test_the_entry_triggers_are_back_after_a_purge(
    closed_dossier: Dossier, open_dossier: Callable[..., Dossier], professional: User
) -> None:
    """The append-only triggers are lifted for the purge's own transaction only: afterwards
    the database refuses a raw UPDATE of an entry again (and, on PostgreSQL, a DELETE)."""
    kept = open_dossier(label="Casus Blijft")
    services.record(
        access_to(professional, kept.pk), "observation", observation("blijft"), seen_sequence=0
    )
    purge()
    statements = ["UPDATE dossiers_entry SET kind = 'decision'"]
    if connection.vendor == "postgresql":
        statements.append("DELETE FROM dossiers_entry")
    for statement in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Entry.objects.filter(dossier=kept).count() == 1


def test_a_purge_that_fails_leaves_the_dossier_whole(
    closed_dossier: Dossier, open_dossier: Callable[..., Dossier], professional: User
) -> None:
    """When a row outside the dossier still points at one of its entries, the purge of that
    dossier stops and rolls back whole: the dossier, its entries, no purge record, no log
    line, and the triggers in place."""
    other = open_dossier(label="Casus Anders")
    outside = Entry.objects.create(
        dossier=other,
        sequence=1,
        kind="observation",
        data=observation("verwijst naar buiten"),
        author=professional,
        created_at=CLOSED,
        corrects=Entry.objects.get(dossier=closed_dossier, sequence=2),
    )
    lines_before = AccessEvent.objects.count()

    with pytest.raises(PurgeStopped) as stopped:
        purge()

    assert stopped.value.dossier_id == closed_dossier.pk
    assert stopped.value.done.dossiers == ()
    assert Dossier.objects.filter(pk=closed_dossier.pk).exists()
    assert Entry.objects.filter(dossier=closed_dossier).count() == 4
    assert Entry.objects.filter(pk=outside.pk).exists()
    assert not PurgeRecord.objects.exists()
    assert AccessEvent.objects.count() == lines_before
    assert verify().problems == []
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_entry SET kind = 'decision'")


def test_a_purge_record_cannot_be_changed_or_deleted(closed_dossier: Dossier) -> None:
    """Model and query set refuse to change or delete a purge record, and so does the
    database: UPDATE on SQLite and PostgreSQL, DELETE on PostgreSQL."""
    purge()
    record = PurgeRecord.objects.get()
    record.entry_count = 0
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        PurgeRecord.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        PurgeRecord.objects.update(reason="x")
    statements = ["UPDATE audit_purgerecord SET entry_count = 0"]
    if connection.vendor == "postgresql":
        statements.append("DELETE FROM audit_purgerecord")
    for statement in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert PurgeRecord.objects.get().entry_count == 4


# The command ----------------------------------------------------------------------------


def test_the_command_lists_purges_and_leaves_a_log_that_verifies(
    baken: Callable[..., CliResult], tmp_path: Path
) -> None:
    """`baken purge --dry-run` lists the due dossier (id, organisation, closed on, due since,
    entries) and changes nothing; `baken purge` purges it and says so; the access log still
    verifies; a second run finds nothing due."""
    env = {"BAKEN_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "BAKEN_ENV": "development"}
    assert baken("demo", env=env).code == 0
    database = tmp_path / "baken.sqlite3"
    with sqlite3.connect(database) as db:
        (dossier_id, organisation_id) = db.execute(
            "SELECT id, organisation_id FROM dossiers_dossier WHERE closed_at IS NOT NULL"
        ).fetchone()
        db.execute(
            "UPDATE dossiers_dossier SET closed_at = '2001-03-15 10:00:00' WHERE id = ?",
            [dossier_id],
        )
        (entries,) = db.execute(
            "SELECT count(*) FROM dossiers_entry WHERE dossier_id = ?", [dossier_id]
        ).fetchone()
    uuid = f"{dossier_id[:8]}-{dossier_id[8:12]}-{dossier_id[12:16]}-{dossier_id[16:20]}-"
    uuid += dossier_id[20:]

    dry = baken("purge", "--dry-run", env=env)
    assert dry.code == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        f"{uuid}  organisation {organisation_id}  closed on 2001-03-15  "
        f"due since 2021-03-15  {entries} entries",
        "would purge 1 dossier (retention term: 20 years after closing)",
    ]
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM audit_purgerecord").fetchone() == (0,)

    done = baken("purge", env=env)
    assert done.code == 0, done.stderr
    assert (
        done.stdout.splitlines()[-1] == "1 dossier purged (retention term: 20 years after closing)"
    )
    assert uuid in done.stdout
    with sqlite3.connect(database) as db:
        assert db.execute(
            "SELECT count(*) FROM dossiers_dossier WHERE id = ?", [dossier_id]
        ).fetchone() == (0,)
        assert db.execute("SELECT entry_count FROM audit_purgerecord").fetchall() == [(entries,)]
    assert baken("audit", "verify", env=env).code == 0

    again = baken("purge", env=env)
    assert (again.code, again.stdout) == (
        0,
        "nothing is due (retention term: 20 years after closing)\n",
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BAKEN_RETENTION_YEARS": "twenty"}, "BAKEN_RETENTION_YEARS must be a whole number"),
        ({"BAKEN_RETENTION_YEARS": "0"}, "BAKEN_RETENTION_YEARS must be between 1 and 100"),
        ({}, "the database is not up to date"),
        (
            {"DATABASE_URL": "mysql://baken@127.0.0.1/baken"},
            "DATABASE_URL must point to SQLite or PostgreSQL",
        ),
    ],
)
def test_the_command_refuses_bad_configuration_in_one_line(
    baken: Callable[..., CliResult], tmp_path: Path, env: dict[str, str], message: str
) -> None:
    """A bad retention term, a database that was never migrated, or one Baken does not
    support, exits 2 with one English line and no traceback, before anything is purged."""
    base = {"BAKEN_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "BAKEN_ENV": "development"}
    result = baken("purge", "--dry-run", env={**base, **env})
    assert result.code == 2
    assert message in result.stderr
    assert result.stderr.startswith("baken: error: ")
    assert "Traceback" not in result.stderr

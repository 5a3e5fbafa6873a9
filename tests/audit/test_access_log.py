"""The access log (NEN 7513): every read of dossier data leaves a line, and the hash chain
finds any changed, removed or reordered line."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.audit.chain import verify
from baken.audit.models import AccessEvent, AppendOnlyError
from baken.dossiers import services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to
from tests.conftest import CliResult

OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": "x",
}


def read_urls(dossier: Dossier) -> list[str]:
    pk = dossier.pk
    urls = [reverse("dossiers:detail", args=[pk])]
    urls += [reverse("dossiers:step", args=[pk, n]) for n in range(1, 6)]
    urls += [
        reverse(f"dossiers:{name}", args=[pk])
        for name in ("acute", "team", "close", "details", "access_log")
    ]
    urls.append(reverse("dossiers:correct", args=[pk, 1]))
    return urls


@pytest.fixture
def dossier(professional: User, open_dossier: Callable[..., Dossier]) -> Dossier:
    made = open_dossier()
    services.record(access_to(professional, made.pk), "observation", OBSERVATION, seen_sequence=0)
    return made


def test_every_dossier_page_writes_a_read_line_with_the_four_checks(
    dossier: Dossier, professional: User, login: Callable[[User], Client]
) -> None:
    """Each GET of a dossier URL adds one R line naming user, role, organisation, dossier,
    purpose and the checks (authorised, case team, consent, break-glass)."""
    client = login(professional)
    for url in read_urls(dossier):
        before = AccessEvent.objects.count()
        assert client.get(url).status_code == 200, url
        lines = list(AccessEvent.objects.filter(position__gt=before))
        assert [(line.code, line.dossier_id) for line in lines] == [("R", dossier.pk)], url
        line = lines[0]
        assert (line.user_id, line.role, line.organisation_id) == (
            professional.pk,
            "professional",
            professional.organisation_id,
        )
        assert line.responsible_organisation_id == dossier.organisation_id
        assert line.authorised and line.case_team and not line.break_glass
        assert line.purpose == "care" and line.consent == "not_recorded"
        assert line.at.microsecond == 0


def test_the_list_writes_a_line_per_dossier_shown(
    dossier: Dossier,
    professional: User,
    open_dossier: Callable[..., Dossier],
    login: Callable[[User], Client],
) -> None:
    """The dossier list shows labels: one R 'list' line for each dossier on it."""
    second = open_dossier(label="Casus Tweede")
    login(professional).get(reverse("dossiers:list"))
    listed = AccessEvent.objects.filter(action="list").values_list("dossier_id", flat=True)
    assert set(listed) == {dossier.pk, second.pk}


def test_a_refused_read_writes_no_dossier_line(
    dossier: Dossier, outsider: User, login: Callable[[User], Client]
) -> None:
    """A 404 outside the need to know reveals nothing, and logs no read of the dossier."""
    before = AccessEvent.objects.count()
    assert login(outsider).get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 404
    assert AccessEvent.objects.count() == before


def test_the_case_team_sees_who_looked(
    dossier: Dossier, professional: User, expert: User, login: Callable[[User], Client]
) -> None:
    """The 'who looked' page lists the aandachtsfunctionaris's visit with their name."""
    login(expert).get(reverse("dossiers:detail", args=[dossier.pk]))
    page = login(professional).get(reverse("dossiers:access_log", args=[dossier.pk]))
    body = page.content.decode()
    assert "proef-aandacht" in body and "Aandachtsfunctionaris" in body


def test_log_lines_cannot_be_changed_or_deleted_through_the_application(dossier: Dossier) -> None:
    """Model and query set refuse updates and deletes of access-log lines."""
    line = AccessEvent.objects.first()
    assert line is not None
    line.action = "nothing"
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.update(action="x")


@contextmanager
def triggers_off() -> Iterator[None]:
    """Let a test play the attacker with direct database access (inside its transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_accessevent_no_update")
    yield


def test_the_chain_is_intact_after_normal_use(dossier: Dossier) -> None:
    """Writes through the services leave a chain that verifies."""
    assert AccessEvent.objects.count() >= 2
    assert verify() == []


def test_verify_finds_a_changed_line(dossier: Dossier) -> None:
    """Changing the action of line 1 is reported as a change of line 1."""
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accessevent SET action = 'nothing' WHERE position = 1")
    assert [str(p) for p in verify()] == ["line 1: changed after it was written"]


def test_verify_finds_a_deleted_line(dossier: Dossier) -> None:
    """Deleting line 1 leaves a gap that is reported."""
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE position = 1")
    problems = [str(p) for p in verify()]
    assert problems and problems[0].startswith("line 1: missing")


def test_verify_finds_swapped_lines(dossier: Dossier) -> None:
    """Swapping the order of lines 1 and 2 (positions exchanged) is reported."""
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accessevent SET position = 1000 WHERE position = 1")
        cursor.execute("UPDATE audit_accessevent SET position = 1 WHERE position = 2")
        cursor.execute("UPDATE audit_accessevent SET position = 2 WHERE position = 1000")
    assert verify() != []


def test_verify_finds_a_log_cut_short(dossier: Dossier) -> None:
    """Removing the newest line is found against the chain head."""
    newest = AccessEvent.objects.order_by("-position").first()
    assert newest is not None
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE position = %s", [newest.position])
    assert any("cut short" in str(p) for p in verify())


def test_the_command_verifies_and_names_a_changed_line(
    baken: Callable[..., CliResult], tmp_path: Path
) -> None:
    """`baken audit verify` exits 0 on an intact log and 1 naming the line after tampering."""
    env = {"BAKEN_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "BAKEN_ENV": "development"}
    assert baken("demo", env=env).code == 0
    intact = baken("audit", "verify", env=env)
    assert intact.code == 0 and "intact" in intact.stdout
    with sqlite3.connect(tmp_path / "baken.sqlite3") as db:
        db.execute("DROP TRIGGER audit_accessevent_no_update")
        db.execute("UPDATE audit_accessevent SET user_id = 999999 WHERE position = 3")
    broken = baken("audit", "verify", env=env)
    assert broken.code == 1
    assert "line 3: changed after it was written" in broken.stderr

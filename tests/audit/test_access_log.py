"""The access log (NEN 7513): every read of dossier data leaves a line, and verify finds a
changed line (the attacks on the transparency log are in test_transparency_log.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.audit.models import AccessEvent, AppendOnlyError
from baken.audit.verify import verify
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
        before = AccessEvent.objects.order_by("pk").last()
        assert client.get(url).status_code == 200, url
        lines = list(AccessEvent.objects.filter(pk__gt=before.pk if before else 0))
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


def test_lines_get_time_ordered_uids_in_the_order_written(
    dossier: Dossier,
    professional: User,
    open_dossier: Callable[..., Dossier],
    login: Callable[[User], Client],
) -> None:
    """Every line's uid is a UUID of version 7 (the millisecond first), so the lines of one
    INSERT and of the requests after it sort by uid in the order they were written: a new
    line goes at the end of the unique index on uid."""
    open_dossier(label="Casus Tweede")
    client = login(professional)
    for _ in range(3):
        client.get(reverse("dossiers:list"))
        client.get(reverse("dossiers:detail", args=[dossier.pk]))
    lines = list(AccessEvent.objects.order_by("pk").values_list("uid", flat=True))
    assert ({uid.version for uid in lines}, sorted(lines)) == ({7}, lines)


def test_a_refused_read_writes_one_refused_line_and_no_read(
    dossier: Dossier, outsider: User, login: Callable[[User], Client]
) -> None:
    """A 404 outside the need to know reveals nothing and logs no read of the dossier: the
    one new line is the refusal itself (authorised false)."""
    client = login(outsider)
    before = AccessEvent.objects.count()
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 404
    new = list(AccessEvent.objects.order_by("pk")[before:])
    assert [(line.action, line.authorised, line.dossier_id) for line in new] == [
        ("read_refused", False, dossier.pk)
    ]


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


def test_the_log_is_intact_after_normal_use(dossier: Dossier) -> None:
    """Writes through the services leave a log that verifies, before and after a checkpoint."""
    from baken.audit.log import make_checkpoint

    assert AccessEvent.objects.count() >= 2
    assert verify().problems == []
    make_checkpoint()
    assert verify().problems == []


def test_the_command_verifies_and_names_a_changed_line(
    baken: Callable[..., CliResult], tmp_path: Path
) -> None:
    """`baken audit verify` exits 0 on an intact log and 1 naming the line after tampering
    with raw SQL, against the checkpoint `baken audit checkpoint` wrote outside the database."""
    env = {"BAKEN_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "BAKEN_ENV": "development"}
    assert baken("demo", env=env).code == 0
    made = baken("audit", "checkpoint", env=env)
    assert made.code == 0, made.stderr
    intact = baken("audit", "verify", env=env)
    assert intact.code == 0 and "intact" in intact.stdout, intact.stderr
    with sqlite3.connect(tmp_path / "baken.sqlite3") as db:
        db.execute("DROP TRIGGER audit_accessevent_no_update")
        db.execute(
            "UPDATE audit_accessevent SET user_id = 999999 WHERE id = "
            '(SELECT event_id FROM audit_logleaf WHERE "index" = 2)'
        )
    broken = baken("audit", "verify", env=env)
    assert broken.code == 1
    assert broken.stderr.splitlines()[1] == "  line 3: changed after it was written"

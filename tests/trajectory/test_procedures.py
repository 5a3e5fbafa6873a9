"""Procedures of the trajectory (§2.2; CoMensha): started with a type of the protocol (or
another, with a name), a day, a responsible organisation and a status; a status update is a
new entry referring to the procedure, and the current state is derived from them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import User
from baken.chain import trajectory
from baken.chain.trajectory_selectors import Trajectory, trajectory_of
from baken.dossiers.models import Dossier, EntryKind
from baken.dossiers.selectors import access_to, protocol_of
from tests.trajectory.conftest import SHELTER, Chain, days_ago


def current(chain: Chain) -> Trajectory:
    dossier = Dossier.objects.get(pk=chain.zc.pk)
    return trajectory_of(dossier, protocol_of(dossier))


def start(chain: Chain, procedure: trajectory.NewProcedure = SHELTER) -> int:
    access = access_to(chain.partners.coordinator, chain.zc.pk)
    return trajectory.start_procedure(access, procedure).sequence


def update(chain: Chain, key: int, status: str, days: int = 0, note: str = "") -> None:
    access = access_to(chain.partners.coordinator, chain.zc.pk)
    trajectory.update_procedure(
        access, key, trajectory.ProcedureUpdate(status, days_ago(days), note)
    )


def refusal_to_start(chain: Chain, procedure: trajectory.NewProcedure) -> str:
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        start(chain, procedure)
    return refused.value.code


def test_a_procedure_started_is_an_entry(forwarded: Chain) -> None:
    """The procedure lands as a PROCEDURE entry, "started", with everything given."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    entry = trajectory.start_procedure(access, SHELTER)
    assert (entry.kind, entry.data) == (
        EntryKind.PROCEDURE,
        {
            "event": "started",
            "procedure_type": "procedure-opvang",
            "name": "",
            "started_on": days_ago(3).isoformat(),
            "organisation": "Opvang Proef-Oost",
            "status": "requested",
            "note": "Plaats aangevraagd",
        },
    )


def test_the_trajectory_lists_the_procedure_with_its_title(forwarded: Chain) -> None:
    """The selector gives the protocol's title, the status and the responsible organisation;
    its key is the number of the entry that started it."""
    key = start(forwarded)
    procedures = current(forwarded).procedures
    assert [(p.key, p.title, p.status, p.organisation) for p in procedures] == [
        (key, "Opvang", "requested", "Opvang Proef-Oost")
    ]


def test_a_status_update_changes_the_current_state(forwarded: Chain) -> None:
    """Two updates later, the procedure is granted since the day of the last one, and its
    history holds all three statuses."""
    key = start(forwarded)
    update(forwarded, key, "running", days=2)
    update(forwarded, key, "granted", days=1, note="Plaats per direct")
    procedure = current(forwarded).procedures[0]
    assert (
        procedure.status,
        procedure.since,
        [e.status for e in procedure.events],
        procedure.events[-1].note,
    ) == ("granted", days_ago(1), ["requested", "running", "granted"], "Plaats per direct")


def test_updates_keep_to_their_own_procedure(forwarded: Chain) -> None:
    """With two procedures, an update of the second leaves the first as it was."""
    first = start(forwarded)
    second = start(
        forwarded, replace(SHELTER, procedure_type="procedure-uitkering", organisation="Gemeente")
    )
    update(forwarded, second, "refused")
    assert [(p.key, p.status) for p in current(forwarded).procedures] == [
        (first, "requested"),
        (second, "refused"),
    ]


def test_another_procedure_has_its_name_as_title(forwarded: Chain) -> None:
    """A procedure the protocol does not list is shown by the name given."""
    start(forwarded, replace(SHELTER, procedure_type="other", name="Schuldhulpverlening"))
    assert current(forwarded).procedures[0].title == "Schuldhulpverlening"


def test_another_procedure_without_a_name_is_refused(forwarded: Chain) -> None:
    """ "Other" needs a name."""
    assert refusal_to_start(forwarded, replace(SHELTER, procedure_type="other")) == "name_missing"


def test_an_unknown_procedure_type_is_refused(forwarded: Chain) -> None:
    """Only the protocol's procedure types (or "other")."""
    assert refusal_to_start(forwarded, replace(SHELTER, procedure_type="procedure-paspoort")) == (
        "unknown_procedure_type"
    )


def test_an_unknown_status_is_refused(forwarded: Chain) -> None:
    """Only the statuses of ProcedureStatus."""
    assert refusal_to_start(forwarded, replace(SHELTER, status="pending")) == "unknown_status"


def test_a_procedure_without_responsible_organisation_is_refused(forwarded: Chain) -> None:
    """Each procedure has a responsible organisation (§2.2: diverse partners)."""
    assert refusal_to_start(forwarded, replace(SHELTER, organisation=" ")) == (
        "organisation_missing"
    )


def test_a_procedure_started_tomorrow_is_refused(forwarded: Chain) -> None:
    """The day started cannot be in the future."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert refusal_to_start(forwarded, replace(SHELTER, started_on=tomorrow)) == "future_date"


def test_an_update_of_an_unknown_procedure_is_refused(forwarded: Chain) -> None:
    """A key that started no procedure (here: the received melding's entry) is refused."""
    start(forwarded)
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        update(forwarded, 1, "running")
    assert refused.value.code == "unknown_procedure"


def test_an_update_before_the_start_is_refused(forwarded: Chain) -> None:
    """A status cannot change before the procedure started."""
    key = start(forwarded)
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        update(forwarded, key, "running", days=4)
    assert refused.value.code == "before_start"


def test_an_update_with_an_unknown_status_is_refused(forwarded: Chain) -> None:
    """Only the statuses of ProcedureStatus, for an update too."""
    key = start(forwarded)
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        update(forwarded, key, "lost")
    assert refused.value.code == "unknown_status"


def test_a_volunteer_starts_no_procedure(forwarded: Chain, zc_volunteer: User) -> None:
    """Volunteers read the trajectory; they do not steer procedures."""
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.start_procedure(access_to(zc_volunteer, forwarded.zc.pk), SHELTER)
    assert refused.value.code == "volunteer"


def test_a_volunteer_updates_no_procedure(forwarded: Chain, zc_volunteer: User) -> None:
    """Nor do they change a procedure's status."""
    key = start(forwarded)
    with pytest.raises(trajectory.TrajectoryRefused) as refused:
        trajectory.update_procedure(
            access_to(zc_volunteer, forwarded.zc.pk),
            key,
            trajectory.ProcedureUpdate("running", days_ago(0)),
        )
    assert refused.value.code == "volunteer"


def test_a_reader_cannot_start_a_procedure(forwarded: Chain, reader: User) -> None:
    """A break-glass reader of the dossier records nothing: 404."""
    with pytest.raises(Http404):
        trajectory.start_procedure(access_to(reader, forwarded.zc.pk), SHELTER)


def test_a_closed_trajectory_takes_no_procedure_or_update(forwarded: Chain) -> None:
    """After closing, neither a new procedure nor a status update is recorded."""
    key = start(forwarded)
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    trajectory.close_trajectory(access, trajectory.Closing("traject-afgerond-doelen", days_ago(0)))
    codes = []
    for attempt in (lambda: start(forwarded), lambda: update(forwarded, key, "granted")):
        with pytest.raises(trajectory.TrajectoryRefused) as refused:
            attempt()
        codes.append(refused.value.code)
    assert codes == ["trajectory_closed", "trajectory_closed"]

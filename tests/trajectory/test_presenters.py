"""How the trajectory's entries read in a timeline and an inzage: Dutch labels, titles and
dates, never an internal id; and the stand-van-zaken panel on a dossier page."""

from __future__ import annotations

from collections.abc import Callable

from django.template import Context, Template
from django.test import RequestFactory
from django.utils.formats import date_format

from baken.accounts.models import User
from baken.chain import trajectory
from baken.chain.trajectory_presenters import picture_rows
from baken.dossiers.models import Dossier, Entry
from baken.dossiers.presenters import Row, rows
from baken.dossiers.selectors import access_to, protocol_of
from tests.trajectory.conftest import INTAKE, SHELTER, Chain, days_ago
from tests.web.test_no_internal_identifiers import leaks


def day(days: int) -> str:
    """The local day ``days`` ago, as a Dutch page writes it."""
    return date_format(days_ago(days))


def rows_of(entry: Entry) -> list[tuple[str, str]]:
    return [(r.label, r.value) for r in rows(entry, protocol_of(entry.dossier))]


def test_an_intake_reads_in_dutch(forwarded: Chain) -> None:
    """The day, the needs, the topics' titles and the note."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    entry = trajectory.record_intake(access, INTAKE)
    assert rows_of(entry) == [
        ("Datum van de intake", day(1)),
        ("Behoeften en hulpvragen", "Veilige opvang en hulp bij de verblijfsvergunning"),
        ("Geïnformeerd over rechten en plichten bij", "Strafrecht, Verblijfsrecht"),
        ("Toelichting", "Gesprek met tolk"),
    ]


def test_a_procedure_and_its_update_read_in_dutch(forwarded: Chain) -> None:
    """The start with the title and status label; the update names the same procedure."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    started = trajectory.start_procedure(access, SHELTER)
    updated = trajectory.update_procedure(
        access, started.sequence, trajectory.ProcedureUpdate("granted", days_ago(0))
    )
    assert (rows_of(started), rows_of(updated)) == (
        [
            ("Procedure", "Opvang"),
            ("Gestart op", day(3)),
            ("Verantwoordelijke organisatie", "Opvang Proef-Oost"),
            ("Status", "Aangevraagd"),
            ("Toelichting", "Plaats aangevraagd"),
        ],
        [
            ("Procedure", "Opvang"),
            ("Nieuwe status", "Toegekend"),
            ("Sinds", day(0)),
            ("Toelichting", "—"),
        ],
    )


def test_a_hand_over_reads_in_dutch(three: Chain) -> None:
    """From which organisation to which, and why."""
    access = access_to(three.partners.coordinator, three.zc.pk)
    trajectory.hand_over(access, three.partners.vt.pk, "Gezin")
    entry = Entry.objects.filter(dossier_id=three.sender.pk).order_by("-sequence")[0]
    assert rows_of(entry) == [
        ("Casusregie lag bij", three.partners.care.name),
        ("Casusregie ligt nu bij", three.partners.vt.name),
        ("Reden", "Gezin"),
    ]


def test_a_stand_van_zaken_reads_in_dutch(forwarded: Chain) -> None:
    """The sender, the summary and the picture, row by row."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    trajectory.start_procedure(access, SHELTER)
    trajectory.send_progress(access, "Opvang aangevraagd.")
    entry = Entry.objects.filter(dossier_id=forwarded.sender.pk).order_by("-sequence")[0]
    names = f"{forwarded.sender.organisation.name}, {forwarded.partners.care.name}"
    assert rows_of(entry) == [
        ("Van", forwarded.partners.care.name),
        ("Stand van zaken", "Opvang aangevraagd."),
        ("Overzicht van", day(0)),
        ("Casusregie", forwarded.partners.care.name),
        ("Betrokken organisaties", names),
        ("Intake", "Nog geen intake vastgelegd"),
        (
            "Opvang",
            f"Aangevraagd sinds {day(3)} · gestart op {day(3)} · Opvang Proef-Oost",
        ),
        ("Traject", "Loopt"),
    ]


def test_a_closed_trajectory_reads_in_dutch(forwarded: Chain) -> None:
    """The outcome's title, the day and the note."""
    access = access_to(forwarded.partners.coordinator, forwarded.zc.pk)
    entry = trajectory.close_trajectory(
        access, trajectory.Closing("traject-geen-contact", days_ago(2), "Telefoon afgesloten")
    )
    assert rows_of(entry) == [
        ("Uitkomst", "Geen contact meer"),
        ("Datum afgesloten", day(2)),
        ("Toelichting", "Telefoon afgesloten"),
    ]


def test_the_rows_hold_no_internal_identifier(three: Chain) -> None:
    """Every row of every trajectory entry, in all three dossiers, is free of codes."""
    access = access_to(three.partners.coordinator, three.zc.pk)
    trajectory.record_intake(access, INTAKE)
    key = trajectory.start_procedure(access, SHELTER).sequence
    trajectory.update_procedure(access, key, trajectory.ProcedureUpdate("stopped", days_ago(0)))
    trajectory.send_progress(access, "Stand.")
    trajectory.close_trajectory(access, trajectory.Closing("traject-vertrokken", days_ago(0)))
    trajectory.send_progress(access, "Afgesloten.")
    trajectory.hand_over(access, three.partners.vt.pk, "Gezin")
    assert three.vt is not None
    text = []
    for dossier in (three.sender, three.vt, three.zc):
        for entry in Entry.objects.filter(dossier_id=dossier.pk, kind__in=trajectory_kinds()):
            text += [f"<p>{r.label}: {r.value}</p>" for r in rows(entry, protocol_of(dossier))]
    assert leaks("".join(text)) == []


def trajectory_kinds() -> list[str]:
    return ["intake", "procedure", "case_direction", "progress", "trajectory_closed"]


def panel(user: User, dossier: Dossier) -> str:
    """The panel as a dossier page renders it for ``user``."""
    request = RequestFactory().get("/")
    request.user = user
    context = Context({"access": access_to(user, dossier.pk), "request": request})
    return Template("{% load trajectory %}{% trajectory_panel %}").render(context)


def test_the_panel_shows_the_latest_stand_van_zaken_in_each_dossier(
    three: Chain, professional: User
) -> None:
    """The wijkteam's and Veilig Thuis' dossier pages show the same latest summary, from
    the zorgcoördinatie; only the casusregisseur gets the links to send and hand over."""
    access = access_to(three.partners.coordinator, three.zc.pk)
    trajectory.send_progress(access, "Eerste stand.")
    trajectory.send_progress(access, "Tweede stand.")
    assert three.vt is not None
    shown = [
        panel(professional, three.sender),
        panel(three.partners.adviser, three.vt),
        panel(three.partners.coordinator, three.zc),
    ]
    progress_link = f"/dossiers/{three.zc.pk}/traject/stand-van-zaken/"
    assert [("Tweede stand." in html, "Eerste stand." in html) for html in shown] == [
        (True, False)
    ] * 3
    assert [progress_link in html for html in shown] == [False, False, True]


def test_the_panel_is_empty_outside_the_chain(
    professional: User, open_dossier: Callable[..., Dossier]
) -> None:
    """A dossier in no case gets no panel."""
    assert panel(professional, open_dossier()).strip() == ""


def test_row_is_the_dossier_layers_row() -> None:
    """The presenters give the dossier layer's Row (so the timeline and export show them)."""
    assert isinstance(picture_rows({"trajectory": False})[0], Row)

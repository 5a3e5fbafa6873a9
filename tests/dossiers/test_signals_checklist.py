"""Step 1's checklist: the protocol's signal lists and profiles ticked and saved in one go.

Service and view, on the real database: many signals in one POST, notes stored encrypted as
every entry is, the filter (GET without JavaScript, POST while ticking) keeping what was
ticked, refusals in Dutch with nothing typed lost, and the concurrency check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from baken.accounts.models import Role, User
from baken.audit.models import AccessEvent
from baken.dossiers import services
from baken.dossiers.forms import iter_signals_of_group
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to
from baken.protocol import default_registry
from baken.protocol.index import iter_signals

pytestmark = pytest.mark.django_db

NOTE = "Nieuwe dure telefoon, gezien door mentor"


def _url(dossier: Dossier) -> str:
    return reverse("dossiers:signals", args=[dossier.pk])


def _step1(dossier: Dossier) -> str:
    return reverse("dossiers:step", args=[dossier.pk, 1])


def _post(
    client: Client,
    dossier: Dossier,
    signals: list[str] = (),  # type: ignore[assignment]
    profiles: list[str] = (),  # type: ignore[assignment]
    notes: dict[str, str] | None = None,
    seen: int | None = None,
    **extra: str,
) -> Any:
    dossier.refresh_from_db()
    data: dict[str, Any] = {
        "signals-seen": dossier.last_sequence if seen is None else seen,
        "signals-signal": list(signals),
        "signals-profile": list(profiles),
        **{f"signals-note-{key}": value for key, value in (notes or {}).items()},
        **extra,
    }
    return client.post(_url(dossier), data)


def _checked(html: str) -> set[str]:
    """The ids of the enabled, ticked checkboxes on a page."""
    return set(
        re.findall(
            r'<input type="checkbox"[^>]*name="signals-(?:signal|profile)" value="([^"]+)"'
            r"[^>]* checked",
            html,
        )
    )


def _shown(html: str) -> set[str]:
    """The ids of the checkboxes shown on a page (ticked or not)."""
    return set(re.findall(r'name="signals-(?:signal|profile)" value="([^"]+)"[^>]*id=', html))


def _hidden(html: str) -> set[str]:
    """The ids kept as hidden inputs (ticked, but hidden by the filter)."""
    return set(
        re.findall(r'<input type="hidden" name="signals-(?:signal|profile)" value="([^"]+)"', html)
    )


def test_the_step_page_shows_every_list_group_sub_signal_and_profile_of_the_protocol(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """Step 1 shows one checkbox for every signal of both lists (sub-signals included) and for
    each of the five profiles, inside a fieldset per list, with each group as a section."""
    dossier = open_dossier()
    protocol = default_registry().get(dossier.protocol_id)
    html = login(professional).get(_step1(dossier)).content.decode()
    expected = {s.id for sl in protocol.signal_lists for s in iter_signals(sl)} | {
        p.id for p in protocol.profiles
    }
    assert _shown(html) == expected
    assert len(protocol.profiles) == 5
    for signal_list in protocol.signal_lists:
        legend = "utrecht-form-fieldset__legend utrecht-heading-4"
        assert f'<legend class="{legend}">{signal_list.title}</legend>' in html
        for group in signal_list.groups:
            assert f"{group.number}. {group.title}" in html
    assert "<select" not in html.split('id="form-signals"')[1].split("</section>")[0]


def test_many_signals_and_a_profile_are_recorded_in_one_post_with_their_notes(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """One POST with three signals (one a labour sub-signal) and one profile adds four entries,
    in the protocol's order, each with its own note (empty where none was written), one
    access-log line per entry, and step 1 counts as done."""
    dossier = open_dossier(exploitation_forms=["sexual", "labour"])
    client = login(professional)
    before = AccessEvent.objects.filter(dossier_id=dossier.pk, action="entry_added").count()
    response = _post(
        client,
        dossier,
        signals=["sex-2-01", "sex-1-01", "lab-1-01-01"],
        profiles=["profiel-2"],
        notes={"sex-1-01": NOTE, "profiel-2": "Past bij wat school ziet"},
    )
    assert response.status_code == 302
    assert response["Location"] == _step1(dossier)
    entries = list(Entry.objects.filter(dossier=dossier).order_by("sequence"))
    assert [(e.kind, e.data) for e in entries] == [
        (EntryKind.SIGNAL, {"signal_id": "sex-1-01", "note": NOTE}),
        (EntryKind.SIGNAL, {"signal_id": "sex-2-01", "note": ""}),
        (EntryKind.SIGNAL, {"signal_id": "lab-1-01-01", "note": ""}),
        (EntryKind.PROFILE, {"profile_id": "profiel-2", "note": "Past bij wat school ziet"}),
    ]
    after = AccessEvent.objects.filter(dossier_id=dossier.pk, action="entry_added").count()
    assert after - before == 4
    dossier.refresh_from_db()
    assert (dossier.last_sequence, dossier.steps_done) == (4, "1")
    page = client.get(_step1(dossier)).content.decode()
    assert "4 aangevinkte signalen en profielen vastgelegd." in page


def test_the_notes_are_stored_encrypted_like_every_entry(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """A note saved with the checklist is ciphertext in the entries table, plain in Python."""
    dossier = open_dossier()
    assert (
        _post(login(professional), dossier, ["sex-1-01"], notes={"sex-1-01": NOTE}).status_code
        == 302
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM dossiers_entry")  # the only dossier of this test
        rows = cursor.fetchall()
    assert len(rows) == 1
    raw = str(rows[0][0])
    assert NOTE not in raw and "sex-1-01" not in raw
    assert Entry.objects.get(dossier=dossier).data["note"] == NOTE


def test_recorded_signals_show_as_recorded_with_their_own_correct_or_withdraw_link(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """After saving, a recorded signal is shown ticked but disabled, with a link to correct or
    withdraw that entry, its group open; it cannot be ticked again."""
    dossier = open_dossier()
    client = login(professional)
    _post(client, dossier, ["sex-3-02"])
    html = client.get(_step1(dossier)).content.decode()
    assert "sex-3-02" not in _shown(html)
    assert re.search(r'id="id_signals-signal_sex-3-02" checked disabled', html)
    correct = reverse("dossiers:correct", args=[dossier.pk, 1])
    assert f'href="{correct}"' in html
    assert re.search(r'<details class="baken-checklist__group" id="groep-sex-3" open>', html)
    assert re.search(r'<details class="baken-checklist__group" id="groep-sex-4">', html)


def test_withdrawing_a_recorded_signal_makes_it_tickable_again(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """A signal withdrawn through its correction page no longer stands: the checklist offers it
    again as an ordinary, unticked checkbox."""
    dossier = open_dossier()
    client = login(professional)
    _post(client, dossier, ["sex-1-02"])
    dossier.refresh_from_db()
    response = client.post(
        reverse("dossiers:correct", args=[dossier.pk, 1]),
        {
            "signal-seen": dossier.last_sequence,
            "signal-signal_id": "sex-1-02",
            "signal-correction_reason": "Verkeerd aangevinkt",
            "signal-withdraw": "on",
        },
    )
    assert response.status_code == 302
    html = client.get(_step1(dossier)).content.decode()
    assert "sex-1-02" in _shown(html)
    assert "sex-1-02" not in _checked(html)


def test_the_get_filter_narrows_the_lists_without_javascript(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """?zoek=telefoon shows only the signals whose text (or group) has the word, accents and
    case ignored, and says what it shows; the filter box keeps the word."""
    dossier = open_dossier()
    protocol = default_registry().get(dossier.protocol_id)
    html = login(professional).get(_step1(dossier), {"zoek": "TELEFOON"}).content.decode()
    matching = {
        s.id
        for sl in protocol.signal_lists
        for g in sl.groups
        for s in iter_signals_of_group(g)
        if "telefoon" in s.text.lower() or "telefoon" in g.title.lower()
    }
    assert matching
    assert _shown(html) >= matching
    assert len(_shown(html)) < 20
    assert 'value="TELEFOON"' in html
    assert "Je ziet wat past bij “TELEFOON”." in html


def test_the_filter_post_keeps_ticks_and_notes_the_filter_hides_and_saves_nothing(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """Filtering while ticking (the filter button, or htmx while typing) saves nothing: a
    ticked signal that does not match stays as a hidden input with its note, one that
    matches stays ticked on screen."""
    dossier = open_dossier()
    response = _post(
        login(professional),
        dossier,
        ["sex-1-01", "lab-3-01"],
        notes={"sex-1-01": NOTE},
        zoek="arbeid",
        filter="1",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert Entry.objects.filter(dossier=dossier).count() == 0
    assert "sex-1-01" in _hidden(html)
    assert f'<input type="hidden" name="signals-note-sex-1-01" value="{NOTE}">' in html
    assert "lab-3-01" in _checked(html)
    assert "sex-1-01" not in _shown(html)


def test_an_unknown_signal_id_is_refused_in_dutch_and_nothing_is_recorded(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """A signal id that is not on the protocol's lists is refused with a Dutch error summary
    (no id shown), nothing is recorded, and the valid tick and its note come back."""
    dossier = open_dossier()
    response = _post(
        login(professional), dossier, ["sex-1-01", "sex-99-99"], notes={"sex-1-01": NOTE}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Een van de aangevinkte signalen staat niet op de lijsten van het protocol." in html
    assert "sex-99-99" not in html
    assert Entry.objects.filter(dossier=dossier).count() == 0
    assert "sex-1-01" in _checked(html)
    assert NOTE in html


def test_the_service_refuses_an_unknown_signal_id(
    professional: User, open_dossier: Callable[..., Dossier]
) -> None:
    """The service itself refuses an id outside the dossier's protocol, recording nothing."""
    dossier = open_dossier()
    with pytest.raises(services.NotAllowed) as refused:
        services.record_checklist(
            access_to(professional, dossier.pk),
            [("sex-1-01", ""), ("geen-signaal", "")],
            [],
            seen_sequence=0,
        )
    assert refused.value.code == "unknown_item"
    assert Entry.objects.filter(dossier=dossier).count() == 0


def test_a_note_without_a_tick_and_an_empty_save_get_a_summary_linking_to_the_field(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """A note written for an unticked signal is an error that links to that signal's checkbox,
    with the note kept and its note box open; saving with nothing ticked says what to do."""
    dossier = open_dossier()
    client = login(professional)
    response = _post(client, dossier, [], notes={"sex-2-03": NOTE})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_signals-signal_sex-2-03"' in html
    assert "maar je hebt het niet aangevinkt" in html
    assert f">{NOTE}</textarea>" in html
    assert '<details class="baken-checklist__note" open>' in html
    empty = _post(client, dossier).content.decode()
    assert "Vink minstens één signaal of profiel aan en sla dan op." in empty


def test_a_volunteer_ticks_signals_as_before_and_break_glass_cannot(
    make_user: Callable[..., User],
    organisation: Any,
    open_dossier: Callable[..., Dossier],
    login: Callable[[User], Client],
    outsider: User,
) -> None:
    """A volunteer records signals on their own dossier as before; a user outside the dossier's
    need to know gets 404 and nothing is recorded."""
    volunteer = make_user("proef-vrijwilliger", Role.VOLUNTEER, organisation)
    dossier = open_dossier(volunteer)
    assert _post(login(volunteer), dossier, ["sex-1-01"]).status_code == 302
    assert _post(login(outsider), dossier, ["sex-1-02"]).status_code == 404
    assert [e.data["signal_id"] for e in Entry.objects.filter(dossier=dossier)] == ["sex-1-01"]


def test_a_colleague_recording_the_same_signal_first_answers_409_and_keeps_the_input(
    professional: User,
    colleague: User,
    open_dossier: Callable[..., Dossier],
    login: Callable[[User], Client],
) -> None:
    """When a colleague records one of the ticked signals after the page was opened, the save
    answers 409, records nothing, says so, and shows every tick and note again with the form
    brought up to date; saving again then names the signal that is now recorded."""
    dossier = open_dossier()
    services.add_colleague(access_to(professional, dossier.pk), colleague.pk, seen_sequence=0)
    dossier.refresh_from_db()
    seen = dossier.last_sequence
    services.record_checklist(
        access_to(colleague, dossier.pk), [("sex-1-01", "")], [], seen_sequence=seen
    )
    client = login(professional)
    response = _post(client, dossier, ["sex-1-01", "sex-1-02"], notes={"sex-1-02": NOTE}, seen=seen)
    assert response.status_code == 409
    html = response.content.decode()
    assert "heeft een van deze vastgelegd" in html
    assert {"sex-1-01", "sex-1-02"} <= _checked(html)
    assert NOTE in html
    dossier.refresh_from_db()
    assert f'name="signals-seen" value="{dossier.last_sequence}"' in html
    assert Entry.objects.filter(dossier=dossier, kind=EntryKind.SIGNAL).count() == 1
    again = _post(client, dossier, ["sex-1-01", "sex-1-02"], notes={"sex-1-02": NOTE})
    assert again.status_code == 400
    assert "is al vastgelegd" in again.content.decode()


def test_older_single_signal_entries_still_read_and_count_as_recorded(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """A signal recorded the older way (one entry through the single-signal form) reads the
    same in the timeline and shows as recorded on the checklist."""
    dossier = open_dossier()
    client = login(professional)
    response = client.post(
        reverse("dossiers:record", args=[dossier.pk, "signal"]),
        {"signal-seen": 0, "signal-signal_id": "sex-1-01", "signal-note": NOTE},
    )
    assert response.status_code == 302
    html = client.get(_step1(dossier)).content.decode()
    assert re.search(r'id="id_signals-signal_sex-1-01" checked disabled', html)
    assert NOTE in html


def test_ticking_on_a_dossier_closed_meanwhile_answers_409_and_shows_what_was_ticked(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """When the dossier was closed after the page was opened, saving records nothing, answers
    409, and shows the ticked signal's text and its note under "what you typed" to copy."""
    dossier = open_dossier()
    evaluation = {q.id: "Proefantwoord" for q in default_registry().get().case_evaluation.questions}
    services.close_dossier(access_to(professional, dossier.pk), evaluation, seen_sequence=0)
    response = _post(login(professional), dossier, ["sex-1-01"], notes={"sex-1-01": NOTE}, seen=0)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Wat je typte (niet opgeslagen)" in html
    assert "Ziet er plotseling uitdagend en sexy uit" in html and NOTE in html
    assert Entry.objects.filter(dossier=dossier, kind=EntryKind.SIGNAL).count() == 0

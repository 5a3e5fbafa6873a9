"""The screening's pages: the zorgcoördinator's "Op de agenda van het screeningsoverleg"
(preview, then send), the procesregisseur's meetings, agenda and outcome form, and the
ketenregisseur's cases for the RIEC. Bad input gets a Dutch message with everything typed
kept; no page shows an internal identifier."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.dossiers.selectors import access_to
from baken.screening import services
from baken.screening.models import AgendaItem, Meeting
from tests.screening.conftest import REGISTRATION, Screening, tomorrow
from tests.web.test_no_internal_identifiers import leaks

FORM = {
    "meeting": "",
    "name": "Persoon Proefnaam",
    "birth_date": "2008-03-14",
    "reason": REGISTRATION.reason,
    "goal": REGISTRATION.goal,
    "partners": "\n".join(REGISTRATION.partners),
}


def place_form(screening: Screening, **changes: str) -> dict[str, str]:
    return {**FORM, "meeting": str(screening.meeting.pk), **changes}


def place_url(screening: Screening) -> str:
    return reverse("screening:place", args=[screening.zc_dossier.pk])


def test_the_place_page_starts_from_the_dossier_and_the_chain(
    screening: Screening, login: Callable[..., Client]
) -> None:
    """Name and date of birth come from the dossier, the partners from the person's chain
    (the zorgcoördinatie with the user, then the others), the one meeting is chosen; the
    convenant is shown with its cite; nothing internal shows."""
    page = login(screening.chain.coordinator).get(place_url(screening))
    form = page.context["form"]
    html = page.content.decode()
    assert (
        page.status_code,
        form["name"].value(),
        form["partners"].value(),
        form["meeting"].value(),
        "§2.1 Convenant, voetnoot 8" in html,
        leaks(html),
    ) == (
        200,
        "Casus Proef",
        "Zorgcoördinatie Proef-Oost: zc-coordinator\nWijkteam Proef-Noord",
        str(screening.meeting.pk),
        True,
        [],
    )


def test_the_preview_shows_exactly_what_goes_and_sends_nothing(
    screening: Screening, login: Callable[..., Client]
) -> None:
    """ "Laat zien wat de screening krijgt": the registration as it will go, nothing sent."""
    page = login(screening.chain.coordinator).post(
        place_url(screening), {**place_form(screening), "preview": ""}
    )
    html = page.content.decode()
    assert (
        page.status_code,
        "Precies dit gaat naar de screening" in html,
        REGISTRATION.goal in html,
        "14 maart 2008" in html,
        AgendaItem.objects.count(),
        leaks(html),
    ) == (200, True, True, True, 0, [])


def test_sending_puts_the_case_on_the_agenda(
    screening: Screening, login: Callable[..., Client]
) -> None:
    """After the preview, "Zet op de agenda" places it (re-authenticated) and goes back to
    the dossier."""
    client = login(screening.chain.coordinator, reauthenticated=True)
    response = client.post(place_url(screening), {**place_form(screening), "send": ""})
    item = AgendaItem.objects.get()
    assert (response.status_code, response["Location"], item.content["goal"]) == (
        302,
        reverse("dossiers:detail", args=[screening.zc_dossier.pk]),
        REGISTRATION.goal,
    )


def test_bad_input_keeps_what_was_typed_with_a_dutch_message(
    screening: Screening, login: Callable[..., Client]
) -> None:
    """Without a reason: 400, the error summary in Dutch, everything typed still there."""
    page = login(screening.chain.coordinator).post(
        place_url(screening), {**place_form(screening, reason=""), "preview": ""}
    )
    form = page.context["form"]
    html = page.content.decode()
    assert (
        page.status_code,
        "Reden van aanmelding bij de screening: Dit veld is verplicht." in html,
        form["goal"].value(),
        form["partners"].value(),
        AgendaItem.objects.count(),
        leaks(html),
    ) == (400, True, REGISTRATION.goal, FORM["partners"], 0, [])


def test_a_case_not_in_the_chain_gets_the_reason_on_the_page(
    screening: Screening, login: Callable[..., Client], open_dossier: Callable[..., object]
) -> None:
    """A dossier outside the chain: the page says why in Dutch and offers no form."""
    own = open_dossier(screening.chain.coordinator)
    page = login(screening.chain.coordinator).get(
        reverse("screening:place", args=[own.pk])  # type: ignore[attr-defined]
    )
    html = page.content.decode()
    assert (
        page.status_code,
        "Deze casus is niet in de keten" in html,
        'name="reason"' in html,
        leaks(html),
    ) == (200, True, False, [])


def test_sending_when_no_meeting_is_left_keeps_the_form(
    screening: Screening, login: Callable[..., Client]
) -> None:
    """The meeting was moved into the past meanwhile: it is no choice any more (400), the
    page says no meeting is planned, the typed text is kept and nothing goes."""
    Meeting.objects.filter(pk=screening.meeting.pk).update(
        held_on=timezone.localdate() - timedelta(days=1)
    )
    client = login(screening.chain.coordinator, reauthenticated=True)
    page = client.post(place_url(screening), {**place_form(screening), "send": ""})
    html = page.content.decode()
    assert (
        page.status_code,
        "Er is nog geen screeningsoverleg gepland." in html,
        page.context["form"]["goal"].value(),
        AgendaItem.objects.count(),
    ) == (400, True, REGISTRATION.goal, 0)


def test_the_meetings_page_lists_upcoming_first_without_identifiers(
    screening: Screening, login: Callable[..., Client]
) -> None:
    """The procesregisseur's page: upcoming meetings, then held ones; no ids."""
    Meeting.objects.create(
        organisation=screening.safety_house,
        held_on=timezone.localdate() - timedelta(days=7),
        chair=screening.director,
        created_by=screening.director,
        created_at=timezone.now(),
    )
    page = login(screening.director).get(reverse("screening:meetings"))
    html = page.content.decode()
    upcoming = html.index("Gepland")
    held = html.index("Geweest")
    with override("nl"):
        today = date_format(timezone.localdate())
        week_ago = date_format(timezone.localdate() - timedelta(days=7))
    assert (
        page.status_code,
        upcoming < html.index(today) < held < html.index(week_ago),
        leaks(html),
    ) == (200, True, [])


def test_the_new_meeting_form_names_the_partners_never_their_ids(
    screening: Screening, login: Callable[..., Client]
) -> None:
    """Attendees are the protocol partners by name, plus "Iemand anders"."""
    page = login(screening.director).get(reverse("screening:meeting_new"))
    html = page.content.decode()
    assert (
        page.status_code,
        "Ketenregisseur mensenhandel (Gemeente)" in html,
        "Iemand anders" in html,
        leaks(html),
    ) == (200, True, True, [])


def test_planning_a_meeting(screening: Screening, login: Callable[..., Client]) -> None:
    """A new meeting with its date, chair, partners and others, then its page."""
    response = login(screening.director).post(
        reverse("screening:meeting_new"),
        {
            "held_on": tomorrow().isoformat(),
            "chair": str(screening.second_director.pk),
            "attendees": ["politie", "veilig-thuis", "anders"],
            "other_attendees": "Jeugdbescherming Proef",
        },
    )
    meeting = Meeting.objects.get(held_on=tomorrow())
    assert (
        response.status_code,
        response["Location"],
        meeting.chair_id,
        meeting.attendees,
        meeting.other_attendees,
    ) == (
        302,
        reverse("screening:meeting", args=[meeting.pk]),
        screening.second_director.pk,
        ["politie", "veilig-thuis"],
        "Jeugdbescherming Proef",
    )


def test_a_meeting_in_the_past_keeps_what_was_typed(
    screening: Screening, login: Callable[..., Client]
) -> None:
    """A date before today: 400 with the Dutch message, the others typed kept."""
    page = login(screening.director).post(
        reverse("screening:meeting_new"),
        {
            "held_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "chair": str(screening.director.pk),
            "attendees": ["anders"],
            "other_attendees": "Jeugdbescherming Proef",
        },
    )
    html = page.content.decode()
    assert (
        page.status_code,
        "Kies vandaag of een dag na vandaag." in html,
        page.context["form"]["other_attendees"].value(),
        Meeting.objects.count(),
        leaks(html),
    ) == (400, True, "Jeugdbescherming Proef", 1, [])


def test_the_meeting_page_shows_the_registration_and_logs_each_read(
    screening: Screening, placed: AgendaItem, login: Callable[..., Client]
) -> None:
    """The agenda shows each case's registration; reading it is a line (code R) on the
    Veiligheidshuis' responsibility, with the convenant."""
    page = login(screening.director).get(reverse("screening:meeting", args=[screening.meeting.pk]))
    html = page.content.decode()
    line = AccessEvent.objects.filter(action="screening_item_opened").get()
    assert (
        page.status_code,
        REGISTRATION.reason in html,
        REGISTRATION.partners[0] in html,
        "Politie" in html,
        (line.code, line.responsible_organisation_id, line.detail),
        leaks(html),
    ) == (
        200,
        True,
        True,
        True,
        ("R", screening.safety_house.pk, f"agenda:{placed.pk} basis:convenant"),
        [],
    )


def item_url(item: AgendaItem) -> str:
    return reverse("screening:item", args=[item.pk])


def test_the_outcome_form_shows_the_protocols_outcomes(
    screening: Screening, placed: AgendaItem, login: Callable[..., Client]
) -> None:
    """Four outcomes with their titles, texts and cites; no ids in the text."""
    page = login(screening.director).get(item_url(placed))
    html = page.content.decode()
    assert (
        page.status_code,
        html.count('type="checkbox"'),
        "Inbreng in het RIEC" in html,
        "§2.2 Procesregisseur en ketenregisseur mensenhandel" in html,
        leaks(html),
    ) == (200, 4, True, True, [])


def test_no_further_action_without_a_reason_keeps_what_was_typed(
    screening: Screening, placed: AgendaItem, login: Callable[..., Client]
) -> None:
    """400, the Dutch message at the reason, the tick and the note kept, nothing recorded."""
    page = login(screening.director).post(
        item_url(placed), {"outcomes": ["screening-geen-vervolg"], "note": "Getypte notitie"}
    )
    html = page.content.decode()
    assert (
        page.status_code,
        "Reden: Vul in waarom er geen verdere actie volgt." in html,
        'value="screening-geen-vervolg" id="id_outcomes_3" '
        'aria-describedby="id_outcomes_3_tekst" checked' in html,
        "Getypte notitie" in html,
        AgendaItem.objects.get(pk=placed.pk).outcome_at,
        leaks(html),
    ) == (400, True, True, True, None, [])


def test_recording_the_outcome_goes_back_to_the_meeting(
    screening: Screening, placed: AgendaItem, login: Callable[..., Client]
) -> None:
    """The outcome recorded, the procesregisseur back on the meeting page."""
    response = login(screening.director).post(
        item_url(placed), {"outcomes": ["screening-mdo"], "note": ""}
    )
    assert (response.status_code, response["Location"], AgendaItem.objects.get().outcomes) == (
        302,
        reverse("screening:meeting", args=[screening.meeting.pk]),
        ["screening-mdo"],
    )


def test_a_second_outcome_on_the_page_says_who_did_it(
    screening: Screening, placed: AgendaItem, login: Callable[..., Client]
) -> None:
    """The second procesregisseur's outcome: 409, told who recorded it first, in Dutch."""
    services.record_outcome(
        screening.decision(screening.director), placed.pk, ["screening-mdo"], "", ""
    )
    page = login(screening.second_director).post(
        item_url(placed), {"outcomes": ["screening-justitie"], "note": ""}
    )
    html = page.content.decode()
    assert (
        page.status_code,
        "proef-procesregisseur heeft dit al vastgelegd op" in html,
        AgendaItem.objects.get().outcomes,
        leaks(html),
    ) == (409, True, ["screening-mdo"], [])


def test_the_riec_pages(
    screening: Screening, riec_outcome: AgendaItem, login: Callable[..., Client]
) -> None:
    """The ketenregisseur's list shows identity, reason, goal and outcome (not the note);
    recording the day goes back to the list."""
    client = login(screening.chain_director)
    listing = client.get(reverse("screening:riec")).content.decode()
    response = client.post(
        reverse("screening:riec_item", args=[riec_outcome.pk]),
        {"contributed_on": timezone.localdate().isoformat()},
    )
    assert (
        REGISTRATION.goal in listing,
        "Een MDO in het Veiligheidshuis, Inbreng in het RIEC" in listing,
        "MDO binnen twee weken" in listing,
        leaks(listing),
        response.status_code,
        AgendaItem.objects.get().riec_on,
    ) == (True, True, False, [], 302, timezone.localdate())


def test_a_riec_day_in_the_future_keeps_what_was_typed(
    screening: Screening, riec_outcome: AgendaItem, login: Callable[..., Client]
) -> None:
    """400 with the Dutch message; the day typed is still in the field."""
    page = login(screening.chain_director).post(
        reverse("screening:riec_item", args=[riec_outcome.pk]),
        {"contributed_on": tomorrow().isoformat()},
    )
    html = page.content.decode()
    assert (
        page.status_code,
        "De dag kan niet in de toekomst liggen." in html,
        f'value="{tomorrow().isoformat()}"' in html,
        leaks(html),
    ) == (400, True, True, [])


def test_the_dossier_panel_shows_the_meeting_and_the_outcome(
    screening: Screening, riec_outcome: AgendaItem
) -> None:
    """{% screening_panel access %}: the Veiligheidshuis, the meeting's date and the outcome
    titles; no ids."""
    access = access_to(screening.chain.coordinator, screening.zc_dossier.pk)
    with override("nl"):
        html = Template("{% load screening %}{% screening_panel access %}").render(
            Context({"access": access})
        )
        today = date_format(timezone.localdate())
    assert (
        f"Op de agenda van {screening.safety_house.name} voor {today}" in html,
        "Een MDO in het Veiligheidshuis, Inbreng in het RIEC" in html,
        leaks(html),
    ) == (True, True, [])


def test_the_panel_offers_placing_to_the_case_team_only(
    screening: Screening, professional: User
) -> None:
    """The link to put the case on the agenda shows for the zorgcoördinator; the panel
    shows nothing on the sender's dossier."""
    from baken.chain.models import Share

    share = Share.objects.filter(sender_dossier__isnull=False).first()
    assert share is not None
    template = Template("{% load screening %}{% screening_panel access %}")
    coordinator = template.render(
        Context({"access": access_to(screening.chain.coordinator, screening.zc_dossier.pk)})
    )
    sender = template.render(Context({"access": access_to(professional, share.sender_dossier_id)}))
    assert (place_url(screening) in coordinator, sender.strip()) == (True, "")


def test_a_refused_outcome_shows_the_registration_again_as_one_logged_read(
    screening: Screening, placed: AgendaItem, login: Callable[..., Client]
) -> None:
    """An outcome refused for want of a reason shows the item's registration again: that
    is one read line (code R) on the Veiligheidshuis' responsibility, like opening it."""
    login(screening.director).post(
        item_url(placed), {"outcomes": ["screening-geen-vervolg"], "note": ""}
    )
    lines = AccessEvent.objects.filter(action="screening_item_opened")
    assert [(line.code, line.detail) for line in lines] == [
        ("R", f"agenda:{placed.pk} basis:convenant")
    ]

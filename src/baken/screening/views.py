"""Pages of the screeningsoverleg. Thin: decide once, read through selectors, write
through services.

The zorgcoördinator's page (putting a case on the agenda) hangs under their own dossier
and rests on the dossier access decision. The procesregisseur's pages (meetings, the
agenda, the outcome) and the ketenregisseur's (the cases for the RIEC) rest on the
screening's decision (:func:`baken.screening.access.screening_access`); they offer the
screening's work and nothing else, and answer 404 to everyone else.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from baken.accounts.two_factor import sensitive
from baken.chain.models import PartnerRole
from baken.dossiers import selectors as dossier_selectors
from baken.dossiers.access import DossierAccess, dossier_user
from baken.screening import selectors, services
from baken.screening.access import ScreeningAccess, Standing, screening_access
from baken.screening.forms import OTHERS, MeetingForm, OutcomeForm, PlaceForm, RiecForm
from baken.screening.models import AgendaItem
from baken.web import keyset

REFUSED = {
    "closed": gettext_lazy("This dossier is closed; nothing more goes to the screening from it."),
    "no_partner": gettext_lazy(
        "The Veiligheidshuis is not in Baken yet: the functioneel beheerder links it first."
    ),
    "not_in_chain": gettext_lazy(
        "This case is not in the chain: it came in neither through a report nor through a "
        "registration. The convenant covers sharing between the chain partners about a case "
        "in the chain."
    ),
    "already_on_agenda": gettext_lazy(
        "This case is already on the agenda of a screeningsoverleg that has not recorded its "
        "outcome yet."
    ),
    "no_meeting": gettext_lazy(
        "No screeningsoverleg is planned yet. Ask the procesregisseur of the Veiligheidshuis "
        "to plan one."
    ),
    "name_missing": gettext_lazy("Fill in the name of the person."),
    "reason_for_agenda_missing": gettext_lazy("Say why the case goes on the agenda."),
    "goal_missing": gettext_lazy("Say what the discussion should achieve."),
    "partners_missing": gettext_lazy("Name at least one partner involved, with contact details."),
    "too_long": gettext_lazy("A text is too long: keep it under 5,000 characters."),
    "date_in_past": gettext_lazy("Choose today or a day after today."),
    "unknown_attendee": gettext_lazy("Choose who attends from the list."),
    "chair_unknown": gettext_lazy("Choose a procesregisseur of your Veiligheidshuis as chair."),
    "outcome_missing": gettext_lazy("Tick at least one outcome."),
    "unknown_outcome": gettext_lazy("Choose the outcome from the list."),
    "contradictory": gettext_lazy("“No further action” cannot go together with another outcome."),
    "reason_missing": gettext_lazy("Say why no further action follows."),
    "meeting_not_held": gettext_lazy(
        "This screeningsoverleg has not taken place yet: record its outcome on the day or after."
    ),
    "no_chain_director": gettext_lazy(
        "The municipality's ketenregisseur is not in Baken yet, so the case cannot go to the "
        "RIEC through Baken. Ask the functioneel beheerder to link the municipality, or "
        "choose another outcome."
    ),
    "date_in_future": gettext_lazy("The day cannot be in the future."),
    "before_the_screening": gettext_lazy(
        "The day cannot be before the screeningsoverleg that decided on it."
    ),
}

OUTCOME_FIELD = {
    "outcome_missing": "outcomes",
    "unknown_outcome": "outcomes",
    "contradictory": "outcomes",
    "reason_missing": "reason",
    "too_long": "note",
}
MEETING_FIELD = {
    "date_in_past": "held_on",
    "unknown_attendee": "attendees",
    "chair_unknown": "chair",
}
PLACE_FIELD = {
    "name_missing": "name",
    "reason_for_agenda_missing": "reason",
    "goal_missing": "goal",
    "partners_missing": "partners",
    "too_long": "reason",
    "no_meeting": "meeting",
}


def _recorded_text(recorded: services.AlreadyRecorded) -> str:
    """Who recorded it first, and when."""
    who = str(recorded.by) if recorded.by is not None else _("Someone")
    when = date_format(timezone.localtime(recorded.at), "DATETIME_FORMAT") if recorded.at else ""
    return _("%(who)s already recorded this on %(time)s. Nothing has been done twice.") % {
        "who": who,
        "time": when,
    }


# --- the zorgcoördinator -------------------------------------------------------------------


def _registration(data: dict[str, Any]) -> services.Registration:
    return services.Registration(
        name=data["name"],
        birth_date=data.get("birth_date"),
        reason=data["reason"],
        goal=data["goal"],
        partners=services.partner_lines(data["partners"]),
    )


def _place_page(
    request: HttpRequest,
    access: DossierAccess,
    form: PlaceForm,
    preview: dict[str, Any] | None,
    status: int,
    blocked: str,
) -> HttpResponse:
    dossier = access.dossier
    protocol = dossier_selectors.protocol_of(dossier)
    meeting = None
    if preview is not None and form.is_valid():
        meeting = next(
            (m for m in form.meetings if str(m.pk) == form.cleaned_data["meeting"]), None
        )
    return render(
        request,
        "screening/place.html",
        {
            "section": "dossiers",
            "dossier": dossier,
            "access": access,
            "form": form,
            "preview": preview,
            "preview_meeting": meeting,
            "blocked": REFUSED[blocked] if blocked else "",
            "show_form": not blocked or request.method == "POST",
            "screening": protocol.chain.screening,
            "safety_house": services.linked(PartnerRole.SCREENING),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def place(request: HttpRequest, pk: str) -> HttpResponse:
    """Put the case on the agenda of the screeningsoverleg (§2.1): the zorgcoördinator's
    case team only; fill in what the screening receives, see it, then send."""
    access = dossier_selectors.dossier_for(dossier_user(request), pk)
    if not services.may_place(access):
        raise Http404("no such dossier")
    dossier = access.dossier
    meetings = services.upcoming_meetings(services.linked(PartnerRole.SCREENING))
    form = PlaceForm(
        request.POST or None,
        meetings=meetings,
        initial={
            "name": dossier.label,
            "birth_date": dossier.birth_date,
            "partners": "\n".join(services.involved_partners(access)),
            "meeting": str(meetings[0].pk) if len(meetings) == 1 else None,
        },
    )
    blocked = services.placement_blocked(access)
    preview = None
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif blocked:
            messages.error(request, str(REFUSED[blocked]))
            status = 409
        else:
            registration = _registration(form.cleaned_data)
            if "send" in request.POST:
                return _send(request, access, form, registration)
            preview = registration.as_content()
    return _place_page(request, access, form, preview, status, blocked)


@sensitive
def _send(
    request: HttpRequest,
    access: DossierAccess,
    form: PlaceForm,
    registration: services.Registration,
) -> HttpResponse:
    try:
        services.place(access, form.cleaned_data["meeting"], registration)
    except services.ScreeningRefused as refused:
        field = PLACE_FIELD.get(refused.code)
        if field:
            form.add_error(field, str(REFUSED[refused.code]))
            return _place_page(request, access, form, None, 400, "")
        messages.error(request, str(REFUSED[refused.code]))
        return _place_page(request, access, form, None, 409, refused.code)
    messages.success(request, _("The case is on the agenda of the screeningsoverleg."))
    return redirect("dossiers:detail", access.dossier.pk)


# --- the procesregisseur --------------------------------------------------------------------


def _process_director(request: HttpRequest) -> ScreeningAccess:
    return screening_access(request, Standing.PROCESS_DIRECTOR)


@login_required
@require_http_methods(["GET", "HEAD"])
def meetings(request: HttpRequest) -> HttpResponse:
    """The Veiligheidshuis' screeningsoverleggen: the upcoming ones first, then those held,
    25 a page (keyset, :mod:`baken.web.keyset`)."""
    decision = _process_director(request)
    upcoming, past = selectors.meetings_for(decision, **keyset.tokens(request.GET))
    return render(
        request,
        "screening/meetings.html",
        {
            "section": "screening",
            "decision": decision,
            "only_outcome": selectors.only_on_the_outcome(),
            "upcoming": upcoming,
            "past": past.rows,
            **keyset.pager(request.GET, past),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Plan a screeningsoverleg: its date, chair and attendees."""
    decision = _process_director(request)
    chairs = services.process_directors(decision.organisation)
    form = MeetingForm(
        request.POST or None,
        chairs=chairs,
        attendees=selectors.attendee_choices(),
        today=timezone.localdate(),
        initial={"chair": decision.user.pk},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.create_meeting(
                    decision,
                    data["held_on"],
                    data["chair"],
                    [a for a in data["attendees"] if a != OTHERS],
                    data["other_attendees"] if OTHERS in data["attendees"] else "",
                )
            except services.ScreeningRefused as refused:
                form.add_error(MEETING_FIELD.get(refused.code), str(REFUSED[refused.code]))
            else:
                messages.success(request, _("The screeningsoverleg is planned."))
                return redirect("screening:meeting", meeting.pk)
        status = 400
    return render(
        request,
        "screening/meeting_new.html",
        {"section": "screening", "decision": decision, "form": form},
        status=status,
    )


def _item_view(item: AgendaItem) -> dict[str, Any]:
    return {"item": item, "outcome_titles": selectors.outcome_titles(item)}


@login_required
@require_http_methods(["GET", "HEAD"])
def meeting(request: HttpRequest, meeting: str) -> HttpResponse:
    """One screeningsoverleg and its agenda: each case's registration, and its outcome."""
    decision = _process_director(request)
    found = selectors.meeting_for(decision, meeting)
    items = selectors.items_page(decision, found, **keyset.tokens(request.GET))
    return render(
        request,
        "screening/meeting.html",
        {
            "section": "screening",
            "decision": decision,
            "meeting": found,
            "attendees": selectors.attendee_names(found),
            "items": [_item_view(item) for item in items.rows],
            "held": found.held_on <= timezone.localdate(),
            **keyset.pager(request.GET, items),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def item(request: HttpRequest, item: str) -> HttpResponse:
    """One case on the agenda: its registration, and the outcome form (once)."""
    decision = _process_director(request)
    found = selectors.item_for(decision, item, log=request.method != "POST")
    form = OutcomeForm(request.POST or None, choices=selectors.outcome_choices(found))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_outcome(
                    decision, found.pk, data["outcomes"], data["reason"], data["note"]
                )
            except services.AlreadyRecorded as recorded:
                messages.error(request, _recorded_text(recorded))
                status = 409
            except services.ScreeningRefused as refused:
                field = OUTCOME_FIELD.get(refused.code)
                if field:
                    form.add_error(field, str(REFUSED[refused.code]))
                else:
                    messages.error(request, str(REFUSED[refused.code]))
                status = 400
            else:
                messages.success(
                    request,
                    _("The outcome is recorded and sent to %(organisation)s.")
                    % {"organisation": found.brought_by.name},
                )
                return redirect("screening:meeting", found.meeting_id)
        else:
            status = 400
        found = selectors.item_for(decision, item)  # shown again: a read, logged
    protocol = services.protocol_of_item(found)
    return render(
        request,
        "screening/item.html",
        {
            "section": "screening",
            "decision": decision,
            "form": form,
            "held": found.meeting.held_on <= timezone.localdate(),
            "screening": protocol.chain.screening,
            **_item_view(found),
        },
        status=status,
    )


# --- the ketenregisseur ---------------------------------------------------------------------


def _chain_director(request: HttpRequest) -> ScreeningAccess:
    return screening_access(request, Standing.CHAIN_DIRECTOR)


@login_required
@require_http_methods(["GET", "HEAD"])
def riec(request: HttpRequest) -> HttpResponse:
    """The cases the screening decided to bring into the RIEC: the registration and the
    outcome, nothing more; those not yet brought in first."""
    decision = _chain_director(request)
    items = selectors.riec_page(decision, **keyset.tokens(request.GET))
    return render(
        request,
        "screening/riec.html",
        {
            "section": "screening",
            "decision": decision,
            "items": [_item_view(i) for i in items.rows],
            "only_outcome": selectors.only_on_the_outcome(),
            **keyset.pager(request.GET, items),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def riec_item(request: HttpRequest, item: str) -> HttpResponse:
    """One case for the RIEC: record the day it was brought into the RIEC-overleg (once)."""
    decision = _chain_director(request)
    found = selectors.riec_item_for(decision, item, log=request.method != "POST")
    form = RiecForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.record_riec(decision, found.pk, form.cleaned_data["contributed_on"])
            except services.AlreadyRecorded as recorded:
                messages.error(request, _recorded_text(recorded))
                status = 409
            except services.ScreeningRefused as refused:
                form.add_error("contributed_on", str(REFUSED[refused.code]))
                status = 400
            else:
                messages.success(
                    request,
                    _("Recorded. %(organisation)s hears of it.")
                    % {"organisation": found.brought_by.name},
                )
                return redirect("screening:riec")
        else:
            status = 400
        found = selectors.riec_item_for(decision, item)  # shown again: a read, logged
    return render(
        request,
        "screening/riec_item.html",
        {
            "section": "screening",
            "decision": decision,
            "form": form,
            "screening": services.protocol_of_item(found).chain.screening,
            **_item_view(found),
        },
        status=status,
    )

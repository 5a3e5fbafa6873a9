"""Dossier pages. Thin: read through selectors, write through services, render.

Every dossier URL resolves the dossier with :func:`selectors.dossier_for`, so a
dossier outside the user's need to know answers 404 on every URL.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from baken.accounts.models import User
from baken.dossiers import selectors, services
from baken.dossiers.access import Act, DossierAccess, dossier_user
from baken.dossiers.break_glass import may_break_glass
from baken.dossiers.forms import (
    ENTRY_FORMS,
    FORMS,
    ColleagueForm,
    DetailsForm,
    DossierForm,
    EntryForm,
    EvaluationForm,
    SignalChecklistForm,
    correction_form,
)
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.presenters import rows, rows_many
from baken.dossiers.selectors import STEP_KINDS, DossierState
from baken.web.context_processors import acute_context

VOLUNTEER_BARRED = services.VOLUNTEER_BARRED

CLOSED = gettext_lazy("This dossier is closed; nothing more can be recorded.")

REFUSALS = {
    "steps_missing": gettext_lazy("First record steps 1 to 4; then the step-5 decision."),
    "weighing_open": gettext_lazy(
        "The weighing does not settle the two decisions yet: answer the open weighing "
        "questions in step 4 first."
    ),
    "motivation_missing": gettext_lazy(
        "Your decision departs from what the protocol requires. Explain why."
    ),
    "volunteer": gettext_lazy(
        "Volunteers have no weighing framework: ask Veilig Thuis for advice instead."
    ),
    "acute_contradiction": gettext_lazy(
        "Acute danger has been recorded for this dossier: that is acute unsafety and a "
        "reason for concern, so questions 1 and 2 cannot be answered no."
    ),
    "acute_active": gettext_lazy(
        "Acute danger is still open for this dossier. First record that the danger is "
        "over (acute-danger page), then close the dossier."
    ),
    "unknown_item": gettext_lazy(
        "One of the ticked items is not on this dossier's protocol lists. Tick the signals "
        "again from the lists below."
    ),
    "already_recorded": gettext_lazy(
        "One of the ticked items is already recorded in this dossier. Untick it and save again."
    ),
    "nothing_ticked": gettext_lazy("Tick at least one signal or profile, then save."),
}


def _form_kwargs(kind: str, dossier: Dossier, state: DossierState) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"protocol": state.protocol}
    if kind == EntryKind.WEIGHING:
        kwargs["acute_danger"] = dossier.acute_danger
    if kind == EntryKind.DECISION:
        kwargs["advice_report"] = state.advice.report_to_veilig_thuis
        kwargs["advice_help"] = state.advice.help_possible
    return kwargs


def _blank(kind: str, dossier: Dossier, state: DossierState) -> EntryForm:
    form_class = ENTRY_FORMS[kind]
    return form_class(
        initial={"seen": dossier.last_sequence},
        prefix=kind,
        **_form_kwargs(kind, dossier, state),
    )


def _page(
    request: HttpRequest,
    access: DossierAccess,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    state: DossierState | None = None,
    page: selectors.TimelinePage | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render a dossier page with the engine's advice beside it, and ``page`` of the
    timeline where the page shows one (the overview, a step).

    The page reads what the user may do from ``access`` (the request's one decision), and
    the record through the request's one state (:func:`selectors.state_of`)."""
    dossier = access.dossier
    state = state or selectors.state_of(access)
    shown = page.entries if page is not None else []
    labelled = list(zip(shown, rows_many(shown, state.protocol, known=state.current), strict=True))
    base = {
        "section": "dossiers",
        "dossier": dossier,
        "access": access,
        "state": state,
        "advice": state.advice,
        "age": state.situation.age,
        "timeline": labelled,
        "page": page,
        "shown_from": shown[0].sequence if shown else 0,
        "standing": page.standing if page is not None else {e.pk for e in state.current},
        **_outcome(dossier, state),
        "acute_now": acute_context(state.protocol, timezone.now()),
        "forms_display": [str(label) for key, label in FORMS if key in dossier.exploitation_forms],
        "steps": state.protocol.steps.steps,
        "decision_open": state.advice.decision_possible
        and (
            state.advice.conclusion != "suspicion"
            or state.advice.report_to_veilig_thuis is None
            or state.advice.help_possible is None
        ),
        "seen": dossier.last_sequence,
    }
    return render(request, template, {**base, **(context or {})}, status=status)


def _outcome(dossier: Dossier, state: DossierState) -> dict[str, Any]:
    """What a closed dossier shows beside it instead of tasks: its standing decision and
    evaluation, each with its rows (from the standing entries: no timeline read)."""
    if dossier.is_open:
        return {"outcome_decision": None, "outcome_evaluation": None}
    found = {}
    for kind in (EntryKind.DECISION, EntryKind.EVALUATION):
        entry = selectors.latest(
            [e for e in state.current if e.kind == kind and not e.withdrawn], kind
        )
        found[f"outcome_{kind}"] = (entry, rows(entry, state.protocol)) if entry else None
    return found


def _timeline(
    request: HttpRequest, access: DossierAccess, kinds: tuple[str, ...] | None = None
) -> selectors.TimelinePage:
    """The page of the timeline the request asks for (``?tot=``, ``?vanaf=``)."""
    return selectors.timeline_page(
        access.dossier,
        kinds=kinds,
        up_to=request.GET.get("tot"),
        from_=request.GET.get("vanaf"),
    )


LIST_PROBLEMS = {
    "bad_cursor": gettext_lazy(
        "This page of the list does not exist: the link is not complete. Here is the first page."
    ),
    "stale_cursor": gettext_lazy(
        "There are no more dossiers after that page: the list has changed. Here is the first page."
    ),
}
"""What the list says about a page link that does not work (``DossierPage.problem``)."""


@login_required
@require_http_methods(["GET", "HEAD"])
def dossier_list(request: HttpRequest) -> HttpResponse:
    user = dossier_user(request)
    step = request.GET.get("stap", "")
    form = request.GET.get("vorm", "")
    status = request.GET.get("status", "")
    problems = []
    step_number = int(step) if step.isascii() and step.isdigit() and 1 <= int(step) <= 6 else None
    if step and step_number is None:
        problems.append(_("Choose a step from the list."))
    if form and form not in dict(FORMS):
        problems.append(_("Choose a form of exploitation from the list."))
        form = ""
    if status and status not in {"open", "closed"}:
        problems.append(_("Choose open or closed."))
        status = ""
    page = selectors.dossiers_for(
        user,
        step=step_number,
        form=form or None,
        status=status,
        after=request.GET.get("na") or None,
        before=request.GET.get("voor") or None,
    )
    if page.problem:
        problems.append(str(LIST_PROBLEMS[page.problem]))
    # The page links keep the filters that hold (not a value just refused).
    kept = {
        key: value
        for key, value in (
            ("stap", step if step_number else ""),
            ("vorm", form),
            ("status", status),
        )
        if value
    }
    return render(
        request,
        "dossiers/list.html",
        {
            "section": "dossiers",
            "dossiers": page.dossiers,
            "paged": bool(page.after or page.before),
            "next_query": urlencode({**kept, "na": page.after}) if page.after else "",
            "previous_query": urlencode({**kept, "voor": page.before}) if page.before else "",
            "filters": {"stap": step, "vorm": form, "status": status},
            "problems": problems,
            "may_break_glass": may_break_glass(user),
            "form_choices": FORMS,
            "step_choices": [(n, _("Step %(n)s") % {"n": n}) for n in range(1, 6)]
            + [(6, _("All steps done"))],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def dossier_new(request: HttpRequest) -> HttpResponse:
    user = dossier_user(request)
    form = DossierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dossier = services.open_dossier(
            user,
            services.NewDossier(
                label=data["label"],
                birth_date=data["birth_date"],
                age=data["age"],
                exploitation_forms=data["exploitation_forms"],
            ),
        )
        messages.success(request, _("The dossier has been opened. Start with step 1."))
        return redirect("dossiers:step", dossier.pk, 1)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "dossiers/new.html", {"section": "dossiers", "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def dossier_detail(request: HttpRequest, pk: str) -> HttpResponse:
    access = selectors.dossier_for(dossier_user(request), pk)
    return _page(request, access, "dossiers/detail.html", page=_timeline(request, access))


def _checklist(
    dossier: Dossier, state: DossierState, bound: forms.Form | None, query: str
) -> SignalChecklistForm:
    """Step 1's signal and profile checklist: the bound one, or a blank one (filtered)."""
    if isinstance(bound, SignalChecklistForm):
        return bound
    return SignalChecklistForm(
        initial={"seen": dossier.last_sequence},
        protocol=state.protocol,
        recorded=services.recorded_checklist(state.current),
        query=query,
    )


def _step_forms(
    access: DossierAccess,
    step: int,
    state: DossierState,
    bound: forms.Form | None,
    query: str = "",
) -> list[forms.Form]:
    dossier = access.dossier
    if not access.may(Act.RECORD):
        return []  # break-glass access is read-only: no forms
    if step in (4, 5) and not access.may(Act.WEIGH):
        return []
    advice = state.advice
    settled = advice.conclusion == "suspicion" and None not in (
        advice.report_to_veilig_thuis,
        advice.help_possible,
    )
    if step == 5 and not (advice.decision_possible and settled) and bound is None:
        return []
    result: list[forms.Form] = []
    for kind in STEP_KINDS[step]:
        if kind == EntryKind.SIGNAL:
            # Signals and profiles are ticked together on one checklist (§3.1, §3.2, §3.7).
            result.append(_checklist(dossier, state, bound, query))
        if kind in (EntryKind.SIGNAL, EntryKind.PROFILE):
            if isinstance(bound, EntryForm) and bound.kind == kind:
                result.append(bound)  # a single entry posted the older way: keep its input
            continue
        if isinstance(bound, EntryForm) and bound.kind == kind:
            result.append(bound)
        else:
            result.append(_blank(kind, dossier, state))
    return result


def _step_page(
    request: HttpRequest,
    access: DossierAccess,
    step: int,
    *,
    bound: forms.Form | None = None,
    status: int = 200,
    state: DossierState | None = None,
    query: str = "",
) -> HttpResponse:
    dossier = access.dossier
    state = state or selectors.state_of(access)
    protocol_step = next(s for s in state.protocol.steps.steps if s.number == step)
    return _page(
        request,
        access,
        "dossiers/step.html",
        {
            "step": protocol_step,
            "step_forms": _step_forms(access, step, state, bound, query),
            "typed": (bound.typed() if isinstance(bound, SignalChecklistForm) else _typed(bound))
            if bound is not None and not dossier.is_open
            else [],
            "guidance": state.protocol.conversation if step == 3 else [],
            "weighing": state.protocol.weighing,
        },
        state=state,
        page=_timeline(request, access, STEP_KINDS[step]),
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def dossier_step(request: HttpRequest, pk: str, step: int) -> HttpResponse:
    access = selectors.dossier_for(dossier_user(request), pk)
    if step not in STEP_KINDS:
        raise Http404("no such step")
    # Step 1's checklist can be narrowed without JavaScript: ?zoek=words (GET, no input yet).
    query = request.GET.get("zoek", "") if step == 1 else ""
    return _step_page(request, access, step, query=query)


@login_required
@require_POST
def record_signals(request: HttpRequest, pk: str) -> HttpResponse:
    """Step 1 in one go: every ticked signal and profile, each with its note, in one save.

    The same form also filters (its "filter" button, or htmx while typing): then nothing is
    saved and the page comes back narrowed, with every tick and note kept.
    """
    user = dossier_user(request)
    access = selectors.dossier_for(user, pk)
    dossier = access.dossier
    state = selectors.state_of(access)
    form = SignalChecklistForm(
        request.POST,
        protocol=state.protocol,
        recorded=services.recorded_checklist(state.current),
        query=request.POST.get("zoek", ""),
    )
    if "filter" in request.POST:
        return _step_page(request, access, 1, bound=form, state=state)
    if not form.is_valid() and "seen" in form.errors:
        form.data = _with_seen(form, dossier.last_sequence)
    status = 400
    if form.is_valid():
        signals, profiles = form.chosen()
        try:
            made = services.record_checklist(
                access, signals, profiles, seen_sequence=form.cleaned_data["seen"]
            )
            messages.success(
                request,
                ngettext(
                    "%(count)s ticked signal or profile recorded.",
                    "%(count)s ticked signals and profiles recorded.",
                    len(made),
                )
                % {"count": len(made)},
            )
            return redirect("dossiers:step", dossier.pk, 1)
        except services.StaleEdit as stale:
            _conflict(
                request,
                form,
                dossier,
                stale,
                _(
                    "A colleague (%(author)s) recorded one of these at %(time)s, after you "
                    "opened this page. Nothing has been saved and everything you ticked and "
                    "wrote is still here: untick what is now recorded, then save again."
                ),
            )
        except (services.DossierClosed, services.NotAllowed) as refused:
            _say_refused(request, refused)
        status = 409
    dossier.refresh_from_db()
    state = selectors.state_of(access)
    form.recorded = services.recorded_checklist(state.current)
    return _step_page(request, access, 1, bound=form, status=status, state=state)


def _say_refused(
    request: HttpRequest, refused: services.DossierClosed | services.NotAllowed
) -> None:
    """Tell the user in Dutch why the services refused a write."""
    if isinstance(refused, services.DossierClosed):
        messages.error(request, CLOSED)
    else:
        messages.error(request, REFUSALS.get(refused.code, _("This cannot be recorded.")))


def _save(
    request: HttpRequest, access: DossierAccess, form: EntryForm, corrects: int | None
) -> Entry | None:
    """Hand a valid form to the services; on a conflict or a closed dossier, say so in Dutch."""
    dossier = access.dossier
    data = form.entry_data()
    reason = form.cleaned_data.get("correction_reason", "")
    if form.cleaned_data.get("withdraw"):
        data = {**data, "withdrawn": True}
    try:
        if form.kind == EntryKind.DECISION:
            return services.record_decision(
                access,
                data,
                seen_sequence=form.cleaned_data["seen"],
                corrects=corrects,
                reason=reason,
            )
        return services.record(
            access,
            form.kind,
            data,
            seen_sequence=form.cleaned_data["seen"],
            corrects=corrects,
            reason=reason,
        )
    except services.StaleEdit as stale:
        if stale.already_corrected:
            messages.error(
                request,
                _(
                    "Entry #%(n)s has already been corrected by entry #%(m)s. Correct #%(m)s "
                    "instead; what you typed is still here to copy."
                )
                % {
                    "n": stale.entry.corrects.sequence if stale.entry.corrects else "?",
                    "m": stale.entry.sequence,
                },
            )
            return None
        _conflict(
            request,
            form,
            dossier,
            stale,
            _(
                "A colleague (%(author)s) recorded this too, at %(time)s, after you opened this "
                "form. Nothing has been overwritten and what you typed is still here: look at "
                "their entry in the timeline, then save again if yours is still needed."
            ),
        )
    except (services.DossierClosed, services.NotAllowed) as refused:
        _say_refused(request, refused)
    return None


@login_required
@require_POST
def record_entry(request: HttpRequest, pk: str, kind: str) -> HttpResponse:
    user = dossier_user(request)
    access = selectors.dossier_for(user, pk)
    dossier = access.dossier
    if kind not in ENTRY_FORMS or (kind in VOLUNTEER_BARRED and not access.may(Act.WEIGH)):
        raise Http404("no such form")
    state = selectors.state_of(access)
    form = ENTRY_FORMS[kind](request.POST, prefix=kind, **_form_kwargs(kind, dossier, state))
    if not form.is_valid() and "seen" in form.errors:
        # The form lost its bookkeeping (an old page, a tampered field): show it again
        # with the current state, so that saving again works once the user has checked.
        form.data = _with_seen(form, dossier.last_sequence)
    if form.is_valid() and _save(request, access, form, None) is not None:
        messages.success(request, _("Recorded."))
        if kind == EntryKind.ACUTE_DANGER:
            return redirect("dossiers:acute", dossier.pk)
        return redirect("dossiers:step", dossier.pk, STEP_KINDS_BY_KIND[kind])
    dossier.refresh_from_db()
    if kind == EntryKind.ACUTE_DANGER:
        return _acute_page(request, access, bound=form, status=409 if form.is_valid() else 400)
    return _step_page(
        request,
        access,
        STEP_KINDS_BY_KIND[kind],
        bound=form,
        status=409 if form.is_valid() else 400,
    )


def _conflict(
    request: HttpRequest,
    form: forms.Form,
    dossier: Dossier,
    stale: services.StaleEdit,
    text: str,
) -> None:
    """Say who recorded what since the form was opened, and bring the form up to date
    (keeping everything typed) so that saving again works once the user has looked."""
    when = timezone.localtime(stale.entry.created_at).strftime("%H:%M")
    messages.error(request, text % {"author": stale.entry.author, "time": when})
    form.data = _with_seen(form, selectors.newest_sequence(dossier))


def _with_seen(form: forms.Form, sequence: int) -> QueryDict:
    """The submitted data with ``seen`` moved to ``sequence``, so saving again can succeed."""
    data = cast(QueryDict, form.data).copy()
    data[form.add_prefix("seen")] = str(sequence)
    return data


def _typed(form: forms.Form) -> list[tuple[str, str]]:
    """What the user typed into a form that can no longer be saved, to show and copy."""
    typed = []
    for name, field in form.fields.items():
        if name == "seen":
            continue
        value = form.data.get(form.add_prefix(name), "")
        if value:
            typed.append((str(field.label), str(value)))
    return typed


STEP_KINDS_BY_KIND = {kind: step for step, kinds in STEP_KINDS.items() for kind in kinds}


def _acute_page(
    request: HttpRequest,
    access: DossierAccess,
    *,
    bound: EntryForm | None = None,
    status: int = 200,
) -> HttpResponse:
    dossier = access.dossier
    state = selectors.state_of(access)
    form = bound or _blank(EntryKind.ACUTE_DANGER, dossier, state)
    return _page(
        request,
        access,
        "dossiers/acute.html",
        {"form": form, "acute_protocol": state.protocol.acute_danger},
        state=state,
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def acute(request: HttpRequest, pk: str) -> HttpResponse:
    """GET: the police route for this moment. POST: the acute-danger button records it."""
    user = dossier_user(request)
    access = selectors.dossier_for(user, pk)
    dossier = access.dossier
    if request.method == "POST":
        if dossier.acute_danger:
            messages.info(request, _("Acute danger was already recorded for this dossier."))
        else:
            try:
                services.record(
                    access,
                    EntryKind.ACUTE_DANGER,
                    {"active": True, "raised": True},
                    seen_sequence=dossier.last_sequence,
                )
                messages.warning(request, _("Acute danger recorded. Call the police now."))
            except services.StaleEdit:
                messages.info(request, _("A colleague recorded acute danger a moment ago."))
            except services.DossierClosed:
                messages.error(request, CLOSED)
        return redirect("dossiers:acute", dossier.pk)
    return _acute_page(request, access)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def correct(request: HttpRequest, pk: str, sequence: int) -> HttpResponse:
    """Correct an entry: a new entry pointing at it. The original stays in the timeline."""
    user = dossier_user(request)
    access = selectors.dossier_for(user, pk)
    dossier = access.dossier
    entry = selectors.entry_at(dossier, sequence)
    if entry is None or entry.kind not in ENTRY_FORMS:
        raise Http404("no such entry")
    if entry.kind in VOLUNTEER_BARRED and not access.may(Act.WEIGH):
        raise Http404("no such entry")
    state = selectors.state_of(access)
    form_class = correction_form(ENTRY_FORMS[entry.kind])
    kwargs = _form_kwargs(entry.kind, dossier, state)
    if request.method == "POST":
        form = form_class(request.POST, prefix=entry.kind, **kwargs)
        if form.is_valid() and _save(request, access, form, entry.sequence) is not None:
            messages.success(request, _("The correction has been recorded."))
            return redirect("dossiers:detail", dossier.pk)
        dossier.refresh_from_db()
        status = 409 if form.is_valid() else 400
    else:
        initial = {**form_class.initial_from(entry.data), "seen": dossier.last_sequence}
        form = form_class(initial=initial, prefix=entry.kind, **kwargs)
        status = 200
    return _page(
        request,
        access,
        "dossiers/correct.html",
        {"form": form, "entry": entry, "entry_rows": rows(entry, state.protocol)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def close(request: HttpRequest, pk: str) -> HttpResponse:
    """Close the dossier with the four case-evaluation questions (§1.2 Casusevaluatie)."""
    user = dossier_user(request)
    access = selectors.dossier_for(user, pk)
    dossier = access.dossier
    state = selectors.state_of(access)
    status = 200
    if request.method == "POST":
        form = EvaluationForm(request.POST, protocol=state.protocol, prefix="evaluation")
        if form.is_valid():
            try:
                services.close_dossier(
                    access, form.entry_data(), seen_sequence=form.cleaned_data["seen"]
                )
                messages.success(request, _("The dossier has been closed."))
                return redirect("dossiers:detail", dossier.pk)
            except services.StaleEdit as stale:
                _conflict(
                    request,
                    form,
                    dossier,
                    stale,
                    _(
                        "%(author)s recorded something in this dossier at %(time)s, after you "
                        "opened this page. Read it in the timeline first; your answers are "
                        "still here."
                    ),
                )
            except (services.DossierClosed, services.NotAllowed) as refused:
                _say_refused(request, refused)
            status = 409
        else:
            status = 400
    else:
        form = EvaluationForm(
            initial={"seen": dossier.last_sequence}, protocol=state.protocol, prefix="evaluation"
        )
    return _page(
        request,
        access,
        "dossiers/close.html",
        {"form": form, "evaluation": state.protocol.case_evaluation},
        state=state,
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def details(request: HttpRequest, pk: str) -> HttpResponse:
    """Change the person's details (label, age or date of birth, forms); the old values stay
    in the timeline."""
    user = dossier_user(request)
    access = selectors.dossier_for(user, pk)
    dossier = access.dossier
    status = 200
    if request.method == "POST":
        form = DetailsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.change_details(
                    access,
                    services.NewDossier(
                        data["label"], data["birth_date"], data["age"], data["exploitation_forms"]
                    ),
                    reason=data["reason"],
                    seen_sequence=data["seen"],
                )
                messages.success(request, _("The details have been changed."))
                return redirect("dossiers:detail", dossier.pk)
            except services.StaleEdit as stale:
                _conflict(
                    request,
                    form,
                    dossier,
                    stale,
                    _(
                        "%(author)s changed these details at %(time)s, after you opened this "
                        "page. Check the timeline; what you typed is still here."
                    ),
                )
            except services.DossierClosed:
                messages.error(request, CLOSED)
            status = 409
        else:
            status = 400
    else:
        age = selectors.age_on(dossier, timezone.localdate())
        form = DetailsForm(
            initial={
                "label": dossier.label,
                "birth_date": dossier.birth_date,
                "age": None if dossier.birth_date else age,
                "exploitation_forms": dossier.exploitation_forms,
                "seen": dossier.last_sequence,
            }
        )
    return _page(request, access, "dossiers/details.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def access_log(request: HttpRequest, pk: str) -> HttpResponse:
    """Who looked at this dossier, and did what (the access log, newest first)."""
    access = selectors.dossier_for(dossier_user(request), pk, action="view_access_log")
    page = selectors.access_page(
        access.dossier, after=request.GET.get("na"), before=request.GET.get("voor")
    )
    return _page(
        request,
        access,
        "dossiers/access_log.html",
        {"lines": page.lines, "log_page": page},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def team(request: HttpRequest, pk: str) -> HttpResponse:
    """The case team; add a colleague of the same organisation."""
    user = dossier_user(request)
    access = selectors.dossier_for(user, pk)
    dossier = access.dossier
    members = [m.user for m in dossier.team.select_related("user")]
    colleagues = [
        c
        for c in User.objects.filter(organisation_id=dossier.organisation_id, is_active=True)
        if c.works_with_dossiers and c not in members
    ]
    status = 200
    form = ColleagueForm(
        request.POST or None, colleagues=colleagues, initial={"seen": dossier.last_sequence}
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_colleague(
                    access,
                    form.cleaned_data["colleague"],
                    seen_sequence=form.cleaned_data["seen"],
                )
                messages.success(request, _("The colleague has been added to the case team."))
                return redirect("dossiers:team", dossier.pk)
            except services.NotAllowed:
                form.add_error("colleague", _("This colleague cannot be added."))
            except services.DossierClosed:
                messages.error(request, CLOSED)
        status = 400
    return _page(
        request, access, "dossiers/team.html", {"form": form, "members": members}, status=status
    )

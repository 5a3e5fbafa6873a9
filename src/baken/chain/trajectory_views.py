"""Pages of the zorgcoördinator's trajectory. Thin: decide (through ``dossier_for``'s rule,
:mod:`baken.chain.trajectory_selectors`), read through the selectors, write through
:mod:`baken.chain.trajectory`. Who may use which page is in that module's docstring.

A bad form is shown again with everything typed and a Dutch message (400); a write the
rules refuse is shown again the same way (409; a volunteer 403); who may not write at all
gets 404 on a POST, as for any write outside their need to know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from baken.chain import trajectory as services
from baken.chain import trajectory_selectors as selectors
from baken.chain.cases import members_of
from baken.chain.models import ChainCase
from baken.chain.trajectory_forms import (
    CloseForm,
    HandOverForm,
    IntakeForm,
    ProcedureForm,
    ProcedureStatusForm,
    ProgressForm,
)
from baken.dossiers.access import Act, DossierAccess, dossier_user
from baken.dossiers.selectors import protocol_of

REFUSED: dict[str, Any] = {
    "volunteer": gettext_lazy(
        "Volunteers do not record the trajectory; a professional of your organisation does."
    ),
    "closed": gettext_lazy("This dossier is closed; nothing more can be recorded in it."),
    "trajectory_closed": gettext_lazy(
        "The trajectory is closed. You can still read it, but no longer change it."
    ),
    "future_date": gettext_lazy("This date lies in the future."),
    "needs_missing": gettext_lazy("Write down the person's needs and questions."),
    "unknown_topic": gettext_lazy("Choose the topics from the list."),
    "unknown_procedure_type": gettext_lazy("Choose a procedure from the list."),
    "name_missing": gettext_lazy("Give the name of the other procedure."),
    "organisation_missing": gettext_lazy("Fill in the responsible organisation."),
    "unknown_status": gettext_lazy("Choose a status from the list."),
    "unknown_procedure": gettext_lazy("This procedure is not in the trajectory."),
    "before_start": gettext_lazy("This date lies before the day the procedure started."),
    "unknown_outcome": gettext_lazy("Choose an outcome from the list."),
    "not_casusregisseur": gettext_lazy(
        "Only whoever holds casusregie can do this. It may have been handed over meanwhile: "
        "see who holds it on this page."
    ),
    "reason_missing": gettext_lazy("Write why casusregie is handed over."),
    "already_holds": gettext_lazy("This organisation already holds casusregie."),
    "not_a_member": gettext_lazy("Choose an organisation involved in this person's chain."),
    "summary_missing": gettext_lazy("Write the stand van zaken."),
    "nobody_else": gettext_lazy("No other organisation is involved in this person's chain yet."),
    "stale": gettext_lazy(
        "The picture changed after you opened this page. Check it again below; what you "
        "wrote is still here."
    ),
}

READ_ONLY = gettext_lazy("You can read the trajectory here; you cannot change it.")


def _write_blocked(access: DossierAccess, trajectory: selectors.Trajectory | None) -> str:
    """Why the user cannot record in the trajectory now, in Dutch; ``""`` when they can."""
    if not access.may(Act.RECORD):
        return str(READ_ONLY)
    if not access.may(Act.REPORT):
        return str(REFUSED["volunteer"])
    if not access.dossier.is_open:
        return str(REFUSED["closed"])
    if trajectory is not None and trajectory.closed:
        return str(REFUSED["trajectory_closed"])
    return ""


def _direction_blocked(access: DossierAccess, case: ChainCase) -> str:
    """Why the user cannot hand over casusregie or send a stand van zaken; ``""`` if they can."""
    if not selectors.may_write(access):
        return str(REFUSED["volunteer"]) if access.may(Act.RECORD) else str(READ_ONLY)
    if not access.dossier.is_open:
        return str(REFUSED["closed"])
    if not selectors.is_casusregisseur(access, case):
        return _("Only whoever holds casusregie can do this. Casusregie is with %(holder)s.") % {
            "holder": case.direction.name
        }
    return ""


def _refused(form: Form, refused: services.TrajectoryRefused) -> int:
    """Put a refusal at the top of the form's error summary; the page's status code."""
    form.add_error(None, str(REFUSED.get(refused.code, refused.code)))
    return 403 if refused.code == "volunteer" else 409


def _context(access: DossierAccess, **extra: Any) -> dict[str, Any]:
    dossier = access.dossier
    return {
        "section": "dossiers",
        "dossier": dossier,
        "access": access,
        "protocol": protocol_of(dossier),
        **extra,
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The trajectory as it stands: intake, procedures, casusregie, the organisations of the
    chain, the last stand van zaken, and the protocol's texts."""
    access = selectors.trajectory_access(dossier_user(request), pk)
    dossier = access.dossier
    protocol = protocol_of(dossier)
    case = selectors.chain_case(dossier)
    if case is None:  # trajectory_access checked it
        raise Http404("not in the chain")
    trajectory = selectors.trajectory_of(dossier, protocol)
    return render(
        request,
        "chain/trajectory/detail.html",
        _context(
            access,
            trajectory=trajectory,
            case=case,
            members=members_of(case),
            progress=selectors.latest_progress(dossier),
            write_blocked=_write_blocked(access, trajectory),
            direction_blocked=_direction_blocked(access, case),
        ),
    )


def _form_page(
    request: HttpRequest,
    access: DossierAccess,
    trajectory: selectors.Trajectory | None,
    form: Form,
    template: str,
    write: Callable[[dict[str, Any]], object],
    done: str,
    **extra: Any,
) -> HttpResponse:
    """A trajectory form page: on a valid POST, ``write`` the cleaned data and go back to
    the trajectory with ``done``; a bad form (400) or a refused write (409, a volunteer 403)
    shows the page again with everything typed and a Dutch message."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                write(form.cleaned_data)
            except services.TrajectoryRefused as refused:
                status = _refused(form, refused)
            else:
                messages.success(request, done)
                return redirect("trajectory:detail", access.dossier.pk)
    return render(
        request,
        template,
        _context(
            access,
            form=form,
            trajectory=trajectory,
            write_blocked=_write_blocked(access, trajectory),
            **extra,
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake(request: HttpRequest, pk: str) -> HttpResponse:
    """Record the intake (again: the newer one supersedes the older)."""
    access = selectors.trajectory_access(dossier_user(request), pk)
    protocol = protocol_of(access.dossier)
    if request.method == "POST":
        form = IntakeForm(request.POST, protocol=protocol)
    else:
        latest = selectors.latest_intake_data(access.dossier)
        initial = {k: latest[k] for k in ("needs", "informed", "note") if k in latest}
        form = IntakeForm(initial=initial, protocol=protocol)
    return _form_page(
        request,
        access,
        selectors.trajectory_of(access.dossier, protocol),
        form,
        "chain/trajectory/intake.html",
        lambda data: services.record_intake(
            access,
            services.IntakeDetails(
                data["held_on"], data["needs"], list(data["informed"]), data["note"]
            ),
        ),
        _("The intake has been recorded."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def procedures(request: HttpRequest, pk: str) -> HttpResponse:
    """Add a procedure the zorgcoördinator started."""
    access = selectors.trajectory_access(dossier_user(request), pk)
    protocol = protocol_of(access.dossier)
    return _form_page(
        request,
        access,
        selectors.trajectory_of(access.dossier, protocol),
        ProcedureForm(request.POST or None, protocol=protocol),
        "chain/trajectory/procedures.html",
        lambda data: services.start_procedure(
            access,
            services.NewProcedure(
                procedure_type=data["procedure_type"],
                started_on=data["started_on"],
                organisation=data["organisation"],
                status=data["status"],
                name=data["name"],
                note=data["note"],
            ),
        ),
        _("The procedure has been added."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def procedure(request: HttpRequest, pk: str, sequence: int) -> HttpResponse:
    """Record a procedure's new status; ``sequence`` is the procedure's key."""
    access = selectors.trajectory_access(dossier_user(request), pk)
    protocol = protocol_of(access.dossier)
    trajectory = selectors.trajectory_of(access.dossier, protocol)
    found = next((p for p in trajectory.procedures if p.key == sequence), None)
    if found is None:
        raise Http404("no such procedure")
    return _form_page(
        request,
        access,
        trajectory,
        ProcedureStatusForm(request.POST or None, started_on=found.started_on),
        "chain/trajectory/procedure.html",
        lambda data: services.update_procedure(
            access, found.key, services.ProcedureUpdate(data["status"], data["on"], data["note"])
        ),
        _("The status of the procedure has been recorded."),
        procedure=found,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def close(request: HttpRequest, pk: str) -> HttpResponse:
    """Close the trajectory with its outcome."""
    access = selectors.trajectory_access(dossier_user(request), pk)
    protocol = protocol_of(access.dossier)
    return _form_page(
        request,
        access,
        selectors.trajectory_of(access.dossier, protocol),
        CloseForm(request.POST or None, protocol=protocol),
        "chain/trajectory/close.html",
        lambda data: services.close_trajectory(
            access, services.Closing(data["outcome"], data["closed_on"], data["note"])
        ),
        _("The trajectory has been closed."),
    )


def _back(access: DossierAccess) -> str:
    """Where the chain pages lead back to: the trajectory, or the dossier."""
    return (
        "trajectory:detail"
        if selectors.is_trajectory_dossier(access.dossier)
        else "dossiers:detail"
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def casusregie(request: HttpRequest, pk: str) -> HttpResponse:
    """The casusregisseur hands casusregie to another organisation of the chain (§2.1)."""
    access, case = selectors.case_access(dossier_user(request), pk)
    members = members_of(case)
    choices = [(m.organisation_id, m.organisation.name) for m in members]
    others = [(pk_, name) for pk_, name in choices if pk_ != case.direction_id]
    form = HandOverForm(request.POST or None, organisations=others)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.hand_over(access, data["organisation"], data["reason"])
            except services.TrajectoryRefused as refused:
                status = _refused(form, refused)
                case = ChainCase.objects.select_related("direction").get(pk=case.pk)
            else:
                messages.success(
                    request,
                    _("Casusregie is now with %(organisation)s.")
                    % {"organisation": case.direction.name},
                )
                return redirect(_back(access), access.dossier.pk)
    return render(
        request,
        "chain/trajectory/casusregie.html",
        _context(
            access,
            form=form,
            case=case,
            members=members,
            back=_back(access),
            direction_blocked=_direction_blocked(access, case),
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def progress(request: HttpRequest, pk: str) -> HttpResponse:
    """The casusregisseur sends the stand van zaken to every organisation of the chain: the
    page is the preview of exactly what goes."""
    access, case = selectors.case_access(dossier_user(request), pk)
    picture = services.progress_preview(access, case)
    seen = selectors.digest(picture)
    status = 200
    if request.method == "POST":
        form = ProgressForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.send_progress(
                    access, form.cleaned_data["summary"], form.cleaned_data["seen"]
                )
            except services.TrajectoryRefused as refused:
                # A new bound form: the summary as typed, the fingerprint of the new picture.
                form = ProgressForm({"summary": request.POST.get("summary", ""), "seen": seen})
                form.is_valid()
                status = _refused(form, refused)
                case = ChainCase.objects.select_related("direction").get(pk=case.pk)
            else:
                messages.success(
                    request, _("The stand van zaken has been sent to every organisation involved.")
                )
                return redirect(_back(access), access.dossier.pk)
    else:
        form = ProgressForm(initial={"seen": seen})
    members = members_of(case)
    return render(
        request,
        "chain/trajectory/progress.html",
        _context(
            access,
            form=form,
            case=case,
            members=members,
            recipients=[m for m in members if m.dossier_id != access.dossier.pk],
            picture=picture,
            last=selectors.latest_progress(access.dossier),
            back=_back(access),
            direction_blocked=_direction_blocked(access, case),
        ),
        status=status,
    )

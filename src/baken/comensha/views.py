"""Pages of the CoMensha registration. Thin: resolve the dossier once with the access
decision (:mod:`baken.comensha.selectors`), write through :mod:`baken.comensha.services`,
render. Who may use which page is in the services' docstring and in docs/chain.md.

A bad form is shown again with everything typed and a Dutch message (400); a write the
rules refuse is shown again the same way (409; a volunteer 403); who may not write at all
gets 404 on a POST, as for any write outside their need to know.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from baken.accounts.two_factor import sensitive
from baken.comensha import selectors, services
from baken.comensha.forms import AgreementForm, RegistrationForm, add_refusal
from baken.comensha.models import Registration
from baken.dossiers.access import DossierAccess, dossier_user
from baken.dossiers.selectors import age_on, protocol_of


def _status(refused: services.ComenshaRefused) -> int:
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
@require_http_methods(["GET", "HEAD", "POST"])
def detail(request: HttpRequest, pk: str) -> HttpResponse:
    """Who registers the person with CoMensha: before the agreement, the form to agree it
    (for who may report); after it, who registers and whether they did, for every
    organisation of the person's chain; the registering organisation's registration."""
    access, case = selectors.comensha_access(dossier_user(request), pk)
    state = selectors.state_of(access, case)
    form: AgreementForm | None = None
    status = 200
    if request.method == "POST":
        form = AgreementForm(request.POST, organisations=state.organisations)
        status = 400
        if form.is_valid():
            try:
                services.agree(access, form.cleaned_data["registering"], form.cleaned_data["note"])
            except services.ComenshaRefused as refused:
                add_refusal(form, refused)
                status = _status(refused)
                state = selectors.state_of(access, case)
            else:
                messages.success(request, _("The agreement has been recorded."))
                return redirect("comensha:detail", access.dossier.pk)
    elif state.agreement is None and services.may_agree(access):
        form = AgreementForm(organisations=state.organisations)
    protocol = protocol_of(access.dossier)
    return render(
        request,
        "comensha/detail.html",
        _context(
            access,
            state=state,
            form=form,
            may_agree=services.may_agree(access),
            may_register=selectors.may_register(access, state),
            rows=selectors.registration_rows(state.registration, protocol)
            if state.registration
            else [],
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest, pk: str) -> HttpResponse:
    """The registering organisation records its registration with CoMensha, once."""
    user = dossier_user(request)
    access, _case, state = selectors.registration_access(user, pk)
    protocol = protocol_of(access.dossier)
    if request.method != "POST" and state.registered_on is not None:
        return redirect("comensha:detail", access.dossier.pk)
    status = 200
    if request.method == "POST":
        form = RegistrationForm(
            request.POST, protocol=protocol, known_age=lambda day: age_on(access.dossier, day)
        )
        status = 400
        if form.is_valid():
            try:
                services.record_registration(access, form.details())
            except services.ComenshaRefused as refused:
                add_refusal(form, refused)
                status = _status(refused)
            else:
                messages.success(request, _("The registration with CoMensha has been recorded."))
                return redirect("comensha:detail", access.dossier.pk)
    else:
        form = RegistrationForm(
            initial=selectors.initial_registration(access, user, protocol), protocol=protocol
        )
    return render(
        request,
        "comensha/register.html",
        _context(
            access,
            state=state,
            form=form,
            may_register=selectors.may_register(access, state),
        ),
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def print_view(request: HttpRequest, pk: str) -> HttpResponse:
    """The registration as a printable form (logged as an export)."""
    access, registration = selectors.export_access(dossier_user(request), pk)
    return _print(request, access, registration)


@sensitive
def _print(request: HttpRequest, access: DossierAccess, registration: Registration) -> HttpResponse:
    protocol = protocol_of(access.dossier)
    with transaction.atomic():
        services.log_export(access, "print")
    return render(
        request,
        "comensha/print.html",
        _context(
            access,
            registration=registration,
            agreement=registration.agreement,
            rows=selectors.registration_rows(registration, protocol),
            made_at=timezone.now(),
        ),
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def export_json(request: HttpRequest, pk: str) -> HttpResponse:
    """The registration as a JSON file (logged as an export)."""
    access, registration = selectors.export_access(dossier_user(request), pk)
    return _export(request, access, registration)


@sensitive
def _export(
    request: HttpRequest, access: DossierAccess, registration: Registration
) -> HttpResponse:
    with transaction.atomic():
        services.log_export(access, "json")
        data = selectors.export_data(access, registration, timezone.now())
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    name = slugify(str(access.dossier.label)) or "persoon"
    day = registration.registered_on.isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="comensha-registratie-{name}-{day}.json"'
    )
    return response

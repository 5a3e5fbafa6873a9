"""Break-glass (noodtoegang), inzage/export and print of a dossier. Views only route.

Each of these is a sensitive action: after the visibility check (404 outside the user's
need to know, before anything else), django-allauth asks for the password or an
authenticator code again unless the user confirmed it in the last few minutes.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from baken.accounts import selectors as account_selectors
from baken.accounts.models import User
from baken.accounts.two_factor import sensitive
from baken.audit.models import Action, Purpose
from baken.dossiers import break_glass, selectors
from baken.dossiers.access import Act, DossierAccess, dossier_user
from baken.dossiers.export import person_export
from baken.dossiers.forms import BreakGlassForm, BreakGlassReviewForm
from baken.dossiers.models import BreakGlassGrant, Dossier, Entry, EntryKind
from baken.dossiers.presenters import rows_many
from baken.web import keyset

REFUSED = {
    "unknown": gettext_lazy(
        "There is no dossier with this reference. Check it with whoever gave it to you."
    ),
    "already_visible": gettext_lazy(
        "You already have access to this dossier: no emergency access is needed."
    ),
    "reason": gettext_lazy("Give a reason of at least 20 characters."),
    "not_allowed": gettext_lazy("Your role cannot use emergency access."),
}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def break_glass_open(request: HttpRequest) -> HttpResponse:
    """Noodtoegang: open a dossier outside the case team, with a reason."""
    user = dossier_user(request)
    if not break_glass.may_break_glass(user):
        raise Http404("no emergency access for this role")
    if request.method == "POST":
        form = BreakGlassForm(request.POST)
        if not form.is_valid():
            # Say what is wrong first; the password is asked only for a complete request.
            return _break_glass_page(request, form, status=400)
        return _break_glass_post(request)
    form = BreakGlassForm(initial={"reference": request.GET.get("kenmerk", "")})
    return _break_glass_page(request, form)


@sensitive
def _break_glass_post(request: HttpRequest) -> HttpResponse:
    user = dossier_user(request)
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            grant = break_glass.open_with_break_glass(
                user, form.cleaned_data["reference"], form.cleaned_data["reason"]
            )
        except break_glass.BreakGlassRefused as refused:
            if refused.code == "already_visible":
                messages.info(request, str(REFUSED["already_visible"]))
                return redirect("dossiers:detail", form.cleaned_data["reference"])
            field = "reason" if refused.code == "reason" else "reference"
            form.add_error(field, str(REFUSED.get(refused.code, REFUSED["not_allowed"])))
        else:
            messages.warning(
                request,
                _(
                    "Emergency access until %(until)s. You can read this dossier, not change "
                    "it. Your access and its reason are logged and will be reviewed."
                )
                % {"until": timezone.localtime(grant.expires_at).strftime("%H:%M")},
            )
            return redirect("dossiers:detail", grant.dossier_id)
    return _break_glass_page(request, form, status=400)


def _break_glass_page(
    request: HttpRequest, form: BreakGlassForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "dossiers/break_glass.html",
        {"section": "dossiers", "form": form, "hours": break_glass.GRANT_HOURS},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def export(request: HttpRequest, pk: str, fmt: str = "html") -> HttpResponse:
    """Inzage: everything held about the person, readable (HTML, printable) or as JSON."""
    access = selectors.access_to(dossier_user(request), pk)
    if not access.may(Act.EXPORT):
        raise Http404("no such dossier")
    return _export(request, access, fmt)


@sensitive
def _export(request: HttpRequest, access: DossierAccess, fmt: str) -> HttpResponse:
    dossier = access.dossier
    with transaction.atomic():
        selectors.record_export(access, "export_json" if fmt == "json" else "export")
        data = person_export(dossier, access.user)
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="baken-inzage-{dossier.pk}.json"'
        return response
    return render(request, "dossiers/export.html", _export_context(dossier, data))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def print_view(request: HttpRequest, pk: str) -> HttpResponse:
    """The dossier as a document for printing (the same content as the readable export)."""
    access = selectors.access_to(dossier_user(request), pk)
    if not access.may(Act.EXPORT):
        raise Http404("no such dossier")
    return _print(request, access)


@sensitive
def _print(request: HttpRequest, access: DossierAccess) -> HttpResponse:
    dossier = access.dossier
    with transaction.atomic():
        selectors.record_read(access, "print")
        data = person_export(dossier, access.user)
    return render(
        request, "dossiers/export.html", {**_export_context(dossier, data), "printing": True}
    )


def _moment(value: str | None) -> str | None:
    """An ISO moment or date from the export, written as the locale writes it."""
    if not value:
        return value
    if len(value) == 10:
        return date_format(date.fromisoformat(value))
    moment = timezone.localtime(datetime.fromisoformat(value))
    return date_format(moment, "DATETIME_FORMAT")


def _readable(dossier: Dossier, data: dict[str, Any]) -> dict[str, Any]:
    """The export as a page shows it: labelled rows instead of stored keys, access-log
    actions by their label, and dates as the locale writes them (the JSON keeps the
    stored values)."""
    protocol = selectors.protocol_of(dossier)
    # The rows from the export's own entries (read and decrypted once, by person_export):
    # unsaved copies that carry the data as the person's inzage shows it.
    copies = [
        Entry(dossier_id=dossier.pk, sequence=e["sequence"], kind=e["kind"], data=e["data"])
        for e in data["entries"]
    ]
    labelled = rows_many(copies, protocol, known=copies, for_person=True)
    person = dict(data["dossier"])
    for key in ("opened_at", "closed_at", "date_of_birth"):
        person[key] = _moment(person[key])
    person["protocol_title"] = protocol.title
    return {
        **data,
        "dossier": person,
        "entries": [
            {
                **entry,
                "recorded_at": _moment(entry["recorded_at"]),
                "rows": entry_rows,
            }
            for entry, entry_rows in zip(data["entries"], labelled, strict=True)
        ],
        "case_team": [{**m, "added_at": _moment(m["added_at"])} for m in data["case_team"]],
        "break_glass": [{**g, "granted_at": _moment(g["granted_at"])} for g in data["break_glass"]],
        "access_log": [
            {
                **line,
                "at": _moment(line["at"]),
                "action_label": Action(line["action"]).label
                if line["action"] in Action.values
                else _("something else"),
                "purpose_label": Purpose(line["purpose"]).label
                if line["purpose"] in Purpose.values
                else "",
            }
            for line in data["access_log"]
        ],
    }


def _export_context(dossier: Dossier, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "section": "dossiers",
        "dossier": dossier,
        "data": _readable(dossier, data),
        "kinds": dict(EntryKind.choices),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def break_glass_review(request: HttpRequest) -> HttpResponse:
    """The functioneel beheerder's review list of the break-glass grants, those not yet
    reviewed first, newest first, 25 a page (keyset, :mod:`baken.web.keyset`)."""
    user = request.user
    if not isinstance(user, User) or not user.is_administrator:
        raise Http404("only for the functioneel beheerder")
    forms_by_grant: dict[int, BreakGlassReviewForm] = {}
    status = 200
    if request.method == "POST":
        raw = request.POST.get("grant", "")
        grant_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
        form = BreakGlassReviewForm(request.POST, prefix=f"g{grant_id}")
        if grant_id is None:
            messages.error(request, _("Choose an emergency access from the list."))
            return redirect("accounts:break_glass_review")
        if form.is_valid():
            try:
                break_glass.review(user, grant_id, form.cleaned_data["note"])
            except break_glass.BreakGlassRefused:
                messages.error(request, _("This emergency access was already reviewed."))
            except BreakGlassGrant.DoesNotExist:
                messages.error(request, _("Choose an emergency access from the list."))
            else:
                messages.success(request, _("The emergency access is marked as reviewed."))
            return redirect("accounts:break_glass_review")
        forms_by_grant[grant_id] = form
        status = 400
    grants = account_selectors.grants_page(**keyset.tokens(request.GET))
    rows = [
        (grant, forms_by_grant.get(grant.pk) or BreakGlassReviewForm(prefix=f"g{grant.pk}"))
        for grant in grants.rows
    ]
    return render(
        request,
        "dossiers/break_glass_review.html",
        {
            "section": "manage",
            "rows": rows,
            "open_count": account_selectors.open_grants(),
            **keyset.pager(request.GET, grants),
        },
        status=status,
    )

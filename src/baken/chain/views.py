"""Pages of the chain. Thin: decide, read through selectors, write through services."""

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
from django.views.decorators.http import require_http_methods, require_POST

from baken.accounts.models import Organisation, User
from baken.accounts.two_factor import sensitive
from baken.chain import selectors, services
from baken.chain.access import inbox_of
from baken.chain.context_processors import remember_inbox
from baken.chain.forms import (
    AdviceRequestForm,
    AnswerForm,
    DeclineForm,
    FeedbackForm,
    ForwardForm,
    PartnerForm,
    RegistrationForm,
    ReportForm,
    consent_text,
)
from baken.chain.links import links
from baken.chain.models import ChainPartner, PartnerRole, Share, ShareKind
from baken.dossiers import selectors as dossier_selectors
from baken.dossiers.access import Act, DossierAccess, dossier_user
from baken.dossiers.presenters import rows
from baken.web import keyset

REFUSED = {
    "closed": gettext_lazy("This dossier is closed; nothing more can be sent from it."),
    "no_partner": gettext_lazy(
        "This chain partner is not in Baken yet. Call them instead; the number is beside "
        "the advice."
    ),
    "own_inbox": gettext_lazy("This would go to your own organisation's inbox."),
    "question_missing": gettext_lazy("Write your question."),
    "volunteer": gettext_lazy(
        "Volunteers do not report themselves: ask Veilig Thuis for advice; they help you "
        "shape a report."
    ),
    "reporter_missing": gettext_lazy(
        "Fill in your name, organisation and phone number: a professional cannot report "
        "anonymously."
    ),
    "legal_basis_missing": gettext_lazy("Choose what this report rests on."),
    "pending": gettext_lazy(
        "A report from this dossier is still waiting for Veilig Thuis. Wait for their answer "
        "or withdraw it first."
    ),
    "accepted": gettext_lazy(
        "Veilig Thuis has accepted a report from this dossier and holds casusregie. Tell "
        "them about new concerns directly."
    ),
    "decision_missing": gettext_lazy(
        "Your step-5 decision does not say report. Explain why you report anyway."
    ),
    "nothing_selected": gettext_lazy("Tick at least one entry that shows your concerns."),
    "answer_missing": gettext_lazy("Write your advice."),
    "reason_missing": gettext_lazy("Say why you decline."),
    "not_a_partner": gettext_lazy("Choose a chain partner from the list."),
    "feedback_incomplete": gettext_lazy(
        "Say when this feedback is and to which parties the case went."
    ),
    "no_report": gettext_lazy("This dossier was not opened from a report."),
    "not_an_advice_request": gettext_lazy("This is a report, not an advice request."),
    "not_a_report": gettext_lazy("This is an advice request: answer it instead."),
    "partner_taken": gettext_lazy("Another organisation is already linked to this partner."),
    "unknown_organisation": gettext_lazy("Choose an organisation from the list."),
    "wrong_kind": gettext_lazy(
        "This organisation is not of that kind: link Veilig Thuis to a Veilig Thuis "
        "organisation and the zorgcoördinatie to a care-coordination organisation."
    ),
    "open_shares": gettext_lazy(
        "Requests or reports still wait in this organisation's inbox. They must be dealt "
        "with first; then remove the link."
    ),
    "not_allowed": gettext_lazy("You cannot do this."),
    "consent_missing": gettext_lazy(
        "Record the person's consent: who gave it, on which day and how. Care and shelter "
        "need it; without it the registration cannot go."
    ),
    "consent_in_future": gettext_lazy("The day the consent was given cannot be in the future."),
    "age_missing": gettext_lazy(
        "Fill in the person's date of birth or age: who gives consent depends on it."
    ),
    "evident_missing": gettext_lazy("Say why trafficking is evident."),
    "age_contradicts": gettext_lazy(
        "The date of birth or age on this form gives another age than the dossier. Correct "
        "one of them first: who must consent depends on it."
    ),
    "in_chain": gettext_lazy(
        "Veilig Thuis already keeps a dossier about this person in the chain. Tell them "
        "about new concerns directly; their number is beside the advice."
    ),
    "recipient_in_chain": gettext_lazy(
        "Your organisation already keeps a dossier about this person in the chain. Decline "
        "this one, saying so, and record the new concerns in that dossier."
    ),
}

REGISTRATION_REFUSED = {
    **REFUSED,
    "volunteer": gettext_lazy(
        "Volunteers do not register someone with the zorgcoördinatie themselves: ask Veilig "
        "Thuis for advice."
    ),
    "reporter_missing": gettext_lazy(
        "Fill in your name, organisation and phone number: a registration is never anonymous."
    ),
    "pending": gettext_lazy(
        "A registration from this dossier is still waiting for the zorgcoördinatie. Wait for "
        "their answer or withdraw it first."
    ),
    "accepted": gettext_lazy(
        "The zorgcoördinatie has accepted a registration from this dossier and holds "
        "casusregie. Tell them about new concerns directly."
    ),
    "in_chain": gettext_lazy(
        "The zorgcoördinatie already keeps a dossier about this person in the chain. Tell "
        "them about new concerns directly; their number is beside the advice."
    ),
}
"""The messages of the aanmelding page: the melding's, with the aanmelding's own words
where they differ."""


def refusal_text(refused: services.ChainRefused, texts: dict[str, Any] | None = None) -> str:
    """The Dutch message for a refusal; for consent given by the wrong people for the
    person's age, one that says who must consent at that age, with its cite."""
    if refused.code == "consent_not_valid_for_age":
        return consent_text(refused.params["needed"], refused.params["age"], refused.params["cite"])
    return str((texts or REFUSED)[refused.code])


def _choosable(access: DossierAccess) -> list[tuple[Any, str]]:
    """The standing entries a sender may send along, each with a short readable line."""
    protocol = dossier_selectors.protocol_of(access.dossier)
    found = []
    for entry in dossier_selectors.standing_of_kinds(access.dossier, services.SELECTABLE_KINDS):
        if entry.kind in services.SELECTABLE_KINDS:
            first = rows(entry, protocol)
            summary = " · ".join(r.value for r in first[:2])[:160]
            when = timezone.localtime(entry.created_at)
            found.append(
                (
                    entry,
                    f"#{entry.sequence} {entry.get_kind_display()} ({when:%d-%m-%Y}): {summary}",
                )
            )
    return found


def _send_page(
    request: HttpRequest,
    access: DossierAccess,
    template: str,
    form: Any,
    preview: dict[str, Any] | None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    protocol = dossier_selectors.protocol_of(access.dossier)
    basis = None
    if preview and preview.get("legal_basis"):
        basis = protocol.chain.report.legal_basis(preview["legal_basis"])
    return render(
        request,
        template,
        {
            "section": "dossiers",
            "dossier": access.dossier,
            "access": access,
            "form": form,
            "preview": preview,
            "basis": basis,
            "protocol": protocol,
            "veilig_thuis": services.partner_organisation(PartnerRole.VEILIG_THUIS),
            **extra,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def ask_advice(request: HttpRequest, pk: str) -> HttpResponse:
    """Ask Veilig Thuis for advice, anonymously: choose, preview exactly what goes, send."""
    access = dossier_selectors.dossier_for(dossier_user(request), pk)
    if not access.may(Act.ASK_ADVICE):
        raise Http404("no such dossier")
    # ?aan=zorgcoordinator: the zorgcoördinator directly (§2.1); otherwise Veilig Thuis.
    partner = (
        PartnerRole.CARE_COORDINATOR
        if request.GET.get("aan") == PartnerRole.CARE_COORDINATOR
        else PartnerRole.VEILIG_THUIS
    )
    choosable = _choosable(access)
    form = AdviceRequestForm(
        request.POST or None, choosable=choosable, initial={"seen": access.dossier.last_sequence}
    )
    preview = None
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            if "send" in request.POST and not _previewed(request, form, access):
                status = 409
            elif "send" in request.POST:
                try:
                    services.ask_advice(access, data["question"], data["entries"], partner=partner)
                except services.ChainRefused as refused:
                    messages.error(request, str(REFUSED[refused.code]))
                    status = 409
                else:
                    messages.success(request, _("Your advice request has been sent."))
                    return redirect("dossiers:detail", access.dossier.pk)
            preview = services.build_content(
                access.dossier,
                ShareKind.ADVICE_REQUEST,
                data["entries"],
                {"question": data["question"]},
            )
    return _send_page(
        request,
        access,
        "chain/ask_advice.html",
        form,
        preview,
        status,
        partner=partner,
        recipient=services.partner_organisation(partner),
    )


def _previewed(request: HttpRequest, form: Any, access: DossierAccess) -> bool:
    """Whether the preview the user saw is still what would be sent: nothing was recorded
    in the dossier since. If something was, say so and bring the form up to date, so the
    user looks at the new preview and sends again."""
    newest = dossier_selectors.newest_sequence(access.dossier)
    if form.cleaned_data["seen"] == newest:
        return True
    messages.warning(
        request,
        _(
            "Something was recorded in this dossier after you looked at what is sent. Check "
            "the preview again; then send."
        ),
    )
    data = form.data.copy()
    data[form.add_prefix("seen")] = str(newest)
    form.data = data
    return False


def _report_form(request: HttpRequest, access: DossierAccess, says_report: bool) -> ReportForm:
    initial = {
        "reporter_name": str(access.user),
        "reporter_organisation": access.user.organisation.name if access.user.organisation else "",
        "person_birth_date": access.dossier.birth_date,
        "seen": access.dossier.last_sequence,
    }
    return ReportForm(
        request.POST or None,
        initial=initial,
        choosable=_choosable(access),
        protocol=dossier_selectors.protocol_of(access.dossier),
        decision_says_report=says_report,
    )


def _details(data: dict[str, Any]) -> services.ReportDetails:
    return services.ReportDetails(
        reporter_name=data["reporter_name"],
        reporter_organisation=data["reporter_organisation"],
        reporter_phone=data["reporter_phone"],
        reporter_email=data.get("reporter_email", ""),
        person_name=data["person_name"],
        person_birth_date=data.get("person_birth_date"),
        person_address=data.get("person_address", ""),
        parents=data.get("parents", ""),
        network=data.get("network", ""),
        done_so_far=data["done_so_far"],
        consent=data["consent"],
        legal_basis=data["legal_basis"],
        legal_basis_reason=data["legal_basis_reason"],
        family_hidden=data.get("family_hidden", ""),
        non_disclosure=bool(data.get("non_disclosure")),
        departure_motivation=data.get("departure_motivation", ""),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, pk: str) -> HttpResponse:
    """Report to Veilig Thuis (melding), after the Veilig Thuis meldformulier: professionals
    only; preview first; sending asks for the password or code again."""
    access = dossier_selectors.dossier_for(dossier_user(request), pk)
    if not access.may(Act.REPORT):
        raise Http404("no such dossier")
    says_report, blocked = services.report_allowed(access)
    form = _report_form(request, access, says_report)
    if request.method == "POST" and "send" in request.POST and form.is_valid():
        if _previewed(request, form, access):
            return _send_report(request, access, form)
    preview = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            status = 409 if "send" in request.POST else 200
            preview = services.report_content(access.dossier, _details(data), data["entries"])
        else:
            status = 400
    return _send_page(
        request,
        access,
        "chain/report.html",
        form,
        preview,
        status,
        blocked=REFUSED[blocked] if blocked else "",
    )


@sensitive
def _send_report(request: HttpRequest, access: DossierAccess, form: ReportForm) -> HttpResponse:
    data = form.cleaned_data
    try:
        services.send_report(access, _details(data), data["entries"])
    except services.ChainRefused as refused:
        messages.error(request, str(REFUSED[refused.code]))
        preview = services.report_content(access.dossier, _details(data), data["entries"])
        return _send_page(request, access, "chain/report.html", form, preview, 409)
    messages.success(request, _("Your report has been sent to Veilig Thuis."))
    return redirect("dossiers:detail", access.dossier.pk)


def _registration_form(request: HttpRequest, access: DossierAccess) -> RegistrationForm:
    dossier = access.dossier
    today = timezone.localdate()
    initial = {
        "sender_name": str(access.user),
        "sender_organisation": access.user.organisation.name if access.user.organisation else "",
        "person_birth_date": dossier.birth_date,
        "person_age": dossier_selectors.age_on(dossier, today) if not dossier.birth_date else None,
        "seen": dossier.last_sequence,
    }
    return RegistrationForm(
        request.POST or None,
        initial=initial,
        choosable=_choosable(access),
        dossier=dossier,
        today=today,
    )


def _registration_details(data: dict[str, Any]) -> services.RegistrationDetails:
    return services.RegistrationDetails(
        sender_name=data["sender_name"],
        sender_organisation=data["sender_organisation"],
        sender_phone=data["sender_phone"],
        sender_email=data.get("sender_email", ""),
        person_name=data["person_name"],
        person_birth_date=data.get("person_birth_date"),
        person_age=data.get("person_age"),
        person_contact=data.get("person_contact", ""),
        person_language=data.get("person_language", ""),
        needs=data["needs"],
        reason=data["reason"],
        consent=services.RegistrationConsent(
            given_by=data["consent_given_by"],
            given_on=data["consent_given_on"],
            how=data["consent_how"],
            note=data.get("consent_note", ""),
        ),
    )


def _registration_page(
    request: HttpRequest,
    access: DossierAccess,
    form: RegistrationForm,
    preview: dict[str, Any] | None,
    status: int,
) -> HttpResponse:
    blocked = services.registration_blocked(access.dossier)
    return _send_page(
        request,
        access,
        "chain/registration.html",
        form,
        preview,
        status,
        blocked=REGISTRATION_REFUSED[blocked] if blocked else "",
        recipient=services.partner_organisation(PartnerRole.CARE_COORDINATOR),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def registration(request: HttpRequest, pk: str) -> HttpResponse:
    """Register the person with the zorgcoördinatie (aanmelding) when trafficking is
    evident (§2.1), with the person's consent: who may report only; preview first; sending
    asks for the password or code again, as for a melding."""
    access = dossier_selectors.dossier_for(dossier_user(request), pk)
    if not access.may(Act.REPORT):
        raise Http404("no such dossier")
    form = _registration_form(request, access)
    if request.method == "POST" and "send" in request.POST and form.is_valid():
        if _previewed(request, form, access):
            return _send_registration(request, access, form)
    preview = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            status = 409 if "send" in request.POST else 200
            preview = services.registration_content(
                access.dossier, _registration_details(data), data["entries"]
            )
        else:
            status = 400
    return _registration_page(request, access, form, preview, status)


@sensitive
def _send_registration(
    request: HttpRequest, access: DossierAccess, form: RegistrationForm
) -> HttpResponse:
    data = form.cleaned_data
    details = _registration_details(data)
    try:
        services.send_registration(access, details, data["entries"])
    except services.ChainRefused as refused:
        messages.error(request, refusal_text(refused, REGISTRATION_REFUSED))
        preview = services.registration_content(access.dossier, details, data["entries"])
        return _registration_page(request, access, form, preview, 409)
    messages.success(request, _("Your registration has been sent to the zorgcoördinatie."))
    return redirect("dossiers:detail", access.dossier.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def sent(request: HttpRequest, pk: str, share: str) -> HttpResponse:
    """What was sent from this dossier, exactly as it went (the sender's own record)."""
    access = dossier_selectors.dossier_for(dossier_user(request), pk)
    item = selectors.sent_share(access, share)
    final = item.final
    return render(
        request,
        "chain/sent.html",
        {
            "section": "dossiers",
            "dossier": access.dossier,
            "access": access,
            "item": item,
            "final": final,
            "content": item.snapshot.content,
            "basis": _basis(item),
            "protocol": services.protocol_of_share(item),
        },
    )


def _basis(item: Any) -> Any:
    content = item.snapshot.content
    if not content.get("legal_basis"):
        return None
    return services.protocol_of_share(item).chain.report.legal_basis(content["legal_basis"])


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: str, share: str) -> HttpResponse:
    access = dossier_selectors.dossier_for(dossier_user(request), pk)
    try:
        services.withdraw(access, share)
    except services.Handled as handled:
        messages.error(request, _handled_text(handled, access.user))
    except services.ChainRefused as refused:
        messages.error(request, str(REFUSED[refused.code]))
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("dossiers:detail", access.dossier.pk)


def _handled_text(handled: services.Handled, viewer: User) -> str:
    """Who acted first, and when; someone of another organisation by that organisation."""
    share = handled.share
    when = date_format(timezone.localtime(share.status_at), "DATETIME_FORMAT")
    by = share.handled_by
    if by is None:
        who = _("Someone")
    elif by.organisation_id != viewer.organisation_id and by.organisation is not None:
        who = by.organisation.name
    else:
        who = str(by)
    return _(
        "%(who)s already dealt with this on %(time)s (%(status)s). Nothing has been done twice."
    ) % {"who": who, "time": when, "status": share.get_status_display().lower()}


@login_required
@require_http_methods(["GET", "HEAD"])
def inbox(request: HttpRequest) -> HttpResponse:
    """The chain partner's inbox: the open requests and meldingen, overdue ones first, 25 a
    page (keyset: ``na``/``voor``, :mod:`baken.web.keyset`)."""
    user = dossier_user(request)
    link = inbox_of(user)
    remember_inbox(request, link)
    if link is None:
        raise Http404("no inbox for this user")
    found = selectors.inbox_page(user, link, **keyset.tokens(request.GET))
    return render(
        request,
        "chain/inbox.html",
        {
            "section": "inbox",
            "items": found.rows,
            "link": link,
            **keyset.pager(request.GET, found),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def share(request: HttpRequest, share_id: str) -> HttpResponse:
    """One request or melding for its recipient: what was sent, the due dates, and answer,
    accept, decline or forward."""
    user = dossier_user(request)
    link = inbox_of(user)
    remember_inbox(request, link)
    item = selectors.share_for_recipient(user, share_id, log=request.method != "POST", link=link)
    partners = [
        (other.organisation_id, other.organisation.name)
        for partner, other in sorted(links().by_partner.items())
        if partner in services.INBOX_PARTNERS
        and other.organisation_id not in (item.recipient_id, item.sender_organisation_id)
    ]
    answer = AnswerForm(prefix="answer")
    decline_form = DeclineForm(prefix="decline")
    forward_form = ForwardForm(prefix="forward", partners=partners)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "answer":
                answer = AnswerForm(request.POST, prefix="answer")
                if answer.is_valid():
                    services.answer_advice(user, item.pk, answer.cleaned_data["answer"])
                    messages.success(request, _("Your advice has been sent to the sender."))
                    return redirect("chain:inbox")
            elif action == "accept":
                opened = services.accept(user, item.pk)
                messages.success(request, _("Accepted. Casusregie is now with your organisation."))
                return redirect("dossiers:detail", opened.pk)
            elif action == "decline":
                decline_form = DeclineForm(request.POST, prefix="decline")
                if decline_form.is_valid():
                    services.decline(user, item.pk, decline_form.cleaned_data["reason"])
                    messages.success(request, _("Declined. The sender sees your reason."))
                    return redirect("chain:inbox")
            elif action == "forward":
                forward_form = ForwardForm(request.POST, prefix="forward", partners=partners)
                if forward_form.is_valid():
                    services.forward(
                        user,
                        item.pk,
                        forward_form.cleaned_data["organisation"],
                        forward_form.cleaned_data["note"],
                    )
                    messages.success(request, _("Forwarded."))
                    return redirect("chain:inbox")
            else:
                messages.error(request, _("Choose what you want to do."))
            status = 400
        except services.Handled as handled:
            messages.error(request, _handled_text(handled, user))
            status = 409
        except services.ChainRefused as refused:
            messages.error(request, str(REFUSED[refused.code]))
            status = 400
        item = selectors.share_for_recipient(user, share_id, log=False, link=link)
    content = item.snapshot.content if item.content_readable else {}
    protocol = services.protocol_of_share(item)
    basis = _basis(item)
    previous = Share.objects.filter(forwarded_to=item).select_related("recipient").first()
    return render(
        request,
        "chain/share.html",
        {
            "section": "inbox",
            "item": item,
            "content": content,
            "forwarded_by": previous,
            "dues": selectors.dues_in(item, link) if link is not None else [],
            "basis": basis,
            "answer_form": answer,
            "decline_form": decline_form,
            "forward_form": forward_form,
            "has_partners": bool(partners),
            "protocol": protocol,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request: HttpRequest, pk: str) -> HttpResponse:
    """Veilig Thuis' feedback to the reporter (Wmo 2015, art. 4.1.1 lid 2 sub g)."""
    access = dossier_selectors.dossier_for(dossier_user(request), pk)
    received = selectors.received_share(access)
    # Feedback to the reporter is Veilig Thuis' duty after a melding (not after an aanmelding).
    if received is None or not received.is_report or not access.may(Act.RECORD):
        raise Http404("no such dossier")
    form = FeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.give_feedback(
                    access,
                    services.Feedback(
                        data["moment"],
                        data["trajectory_started"],
                        data["parties"],
                        data["conditions"],
                    ),
                )
            except services.ChainRefused as refused:
                messages.error(request, str(REFUSED[refused.code]))
            else:
                messages.success(request, _("Your feedback has been sent to the reporter."))
                return redirect("dossiers:detail", access.dossier.pk)
        status = 400
    return render(
        request,
        "chain/feedback.html",
        {
            "section": "dossiers",
            "dossier": access.dossier,
            "access": access,
            "form": form,
            "received": received,
            "protocol": dossier_selectors.protocol_of(access.dossier),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def partners(request: HttpRequest) -> HttpResponse:
    """The functioneel beheerder links organisations to the protocol's chain partners."""
    user = request.user
    if not isinstance(user, User) or not user.is_administrator:
        raise Http404("only for the functioneel beheerder")
    # Only organisations of a kind a partner can be (a school is never Veilig Thuis): a
    # region's handful, not every school and team of the installation.
    organisations = [
        (o.pk, o.name)
        for o in Organisation.objects.filter(kind__in=services.PARTNER_KIND.values())
        .only("pk", "name")
        .order_by("name")
    ]
    form = PartnerForm(request.POST or None, organisations=organisations)
    status = 200
    if request.method == "POST":
        if "unlink" in request.POST:
            raw = request.POST.get("unlink", "")
            if raw.isascii() and raw.isdigit() and len(raw) <= 18:
                try:
                    services.unlink_partner(user, int(raw))
                except services.ChainRefused as refused:
                    messages.error(request, str(REFUSED[refused.code]))
                else:
                    messages.success(request, _("The link has been removed."))
            return redirect("chain:partners")
        if form.is_valid():
            try:
                services.link_partner(
                    user, form.cleaned_data["organisation"], form.cleaned_data["partner"]
                )
            except services.ChainRefused as refused:
                form.add_error("partner", str(REFUSED[refused.code]))
            else:
                messages.success(request, _("The organisation has been linked."))
                return redirect("chain:partners")
        status = 400
    return render(
        request,
        "chain/partners.html",
        {
            "section": "manage",
            "form": form,
            "links": ChainPartner.objects.select_related("organisation"),
        },
        status=status,
    )

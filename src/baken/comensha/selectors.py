"""Reads of the CoMensha registration. Every page resolves its dossier once, with the
access decision (404 outside the user's need to know), and reads the person's chain case
through it: nobody reads another organisation's dossier, only which organisation registers
and on which day. The registration's details are the registering organisation's own
record: only its dossier shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from baken.accounts.models import Organisation, User
from baken.chain.cases import organisations_of, picture
from baken.chain.models import ChainCase
from baken.comensha.models import Agreement, ConsentSigner, Registration, Sex
from baken.comensha.rules import category_for, consent_signer
from baken.dossiers.access import Act, DossierAccess
from baken.dossiers.selectors import access_to, age_on, protocol_of, record_read
from baken.protocol import Protocol
from baken.protocol.schema import Choice


def comensha_access(
    user: Any, dossier_id: UUID | str, *, action: str = "view"
) -> tuple[DossierAccess, ChainCase]:
    """A dossier of a person's chain case with the user's access (the read logged) and its
    case; 404 when the user need not know the dossier or it is in no case."""
    access = access_to(user, dossier_id)
    case = picture(access.dossier).case
    if case is None:
        raise Http404("not in the chain")
    record_read(access, action)
    return access, case


def agreement_of(case: ChainCase) -> Agreement | None:
    """The case's agreement on who registers with CoMensha, if made."""
    return (
        Agreement.objects.select_related("registering", "agreed_by_organisation", "registration")
        .filter(case=case)
        .first()
    )


def registration_of(agreement: Agreement | None) -> Registration | None:
    """The registration recorded under the agreement, if any."""
    if agreement is None:
        return None
    if Agreement.registration.is_cached(agreement):  # read with it (agreement_of)
        return getattr(agreement, "registration", None)
    return Registration.objects.filter(agreement=agreement).first()


@dataclass(frozen=True)
class ComenshaState:
    """Where the person's CoMensha registration stands, as one member dossier sees it."""

    case: ChainCase
    organisations: list[Organisation]
    agreement: Agreement | None
    registered_on: date | None
    """The day the registering organisation registered, when it has (every member sees it)."""
    own_registers: bool
    """The dossier is the registering organisation's own."""
    registration: Registration | None
    """The registration's details: only on the registering organisation's dossier."""

    @property
    def agreed_on(self) -> date | None:
        return timezone.localdate(self.agreement.agreed_at) if self.agreement else None


def _organisations(access: DossierAccess, case: ChainCase) -> list[Organisation]:
    """The case's organisations: from the dossier's chain picture when it is this case."""
    seen = picture(access.dossier)
    if seen.case is not None and seen.case.pk == case.pk:
        return [member.organisation for member in seen.members]
    return organisations_of(case)


def state_of(access: DossierAccess, case: ChainCase) -> ComenshaState:
    """The agreement and registration as ``access``'s dossier sees them."""
    agreement = agreement_of(case)
    registration = registration_of(agreement)
    own = agreement is not None and agreement.registering_id == access.dossier.organisation_id
    return ComenshaState(
        case=case,
        organisations=_organisations(access, case),
        agreement=agreement,
        registered_on=registration.registered_on if registration else None,
        own_registers=own,
        registration=registration if own else None,
    )


def may_register(access: DossierAccess, state: ComenshaState) -> bool:
    """Whether the user may record the registration now: the agreement names their
    organisation, they may report on its open dossier, and nothing is recorded yet."""
    return (
        state.own_registers
        and state.registered_on is None
        and access.may(Act.REPORT)
        and access.dossier.is_open
    )


def registration_access(
    user: Any, dossier_id: UUID | str, *, action: str = "view"
) -> tuple[DossierAccess, ChainCase, ComenshaState]:
    """The registering organisation's dossier with the user's access and the state; 404
    for any other dossier, or before the agreement."""
    access = access_to(user, dossier_id)
    case = picture(access.dossier).case
    if case is None:
        raise Http404("not in the chain")
    state = state_of(access, case)
    if not state.own_registers:
        raise Http404("not the registering organisation")
    record_read(access, action)
    return access, case, state


def export_access(user: Any, dossier_id: UUID | str) -> tuple[DossierAccess, Registration]:
    """For printing or exporting: the registering organisation's dossier, for who may
    export there (Act.EXPORT), with its recorded registration; 404 otherwise. Not a read
    by itself: the export is logged as one (code E)."""
    access = access_to(user, dossier_id)
    if not access.may(Act.EXPORT):
        raise Http404("no such dossier")
    case = picture(access.dossier).case
    if case is None:
        raise Http404("not in the chain")
    state = state_of(access, case)
    if state.registration is None:
        raise Http404("nothing registered here")
    return access, state.registration


def initial_registration(access: DossierAccess, user: User, protocol: Protocol) -> dict[str, Any]:
    """What the registration form starts with: CoMensha's category from the dossier's forms
    of exploitation, the age today, who signs at that age, the aanmelder (the organisation
    and the user) and today's date."""
    dossier = access.dossier
    today = timezone.localdate()
    comensha = protocol.chain.comensha
    age = age_on(dossier, today)
    initial: dict[str, Any] = {
        "category": category_for(comensha, dossier.exploitation_forms),
        "reporter_organisation": dossier.organisation.name,
        "contact_name": str(user),
        "contact_email": user.email,
        "registered_on": today,
    }
    if age is not None:
        initial["age"] = age
        initial["consent_signed_by"] = consent_signer(comensha.consent, age)
    return initial


def _choice(choices: list[Choice], choice_id: str) -> Choice | None:
    return next((c for c in choices if c.id == choice_id), None)


def title_of(choices: list[Choice], choice_id: str) -> str:
    """The title of a protocol choice; "—" for an id the protocol does not know."""
    found = _choice(choices, choice_id)
    return found.title if found else "—"


def sex_label(value: str) -> str:
    return str(Sex(value).label) if value in Sex.values else "—"


def signer_label(value: str) -> str:
    return str(ConsentSigner(value).label) if value in ConsentSigner.values else "—"


def registration_rows(registration: Registration, protocol: Protocol) -> list[tuple[str, str]]:
    """The registration as (label, value) pairs, as the page and the printed form show
    them: titles, never ids."""
    comensha = protocol.chain.comensha
    email = registration.contact_email or "—"
    return [
        (_("Form of exploitation"), title_of(comensha.categories, registration.category)),
        (_("Country of origin"), registration.country_of_origin),
        (_("Age at registration"), str(registration.age)),
        (_("Sex"), sex_label(registration.sex)),
        (_("Aanmelder (organisation)"), registration.reporter_organisation),
        (_("Contact person"), registration.contact_name),
        (_("Phone number"), registration.contact_phone),
        (_("E-mail address"), email),
        (_("Kind of registration"), title_of(comensha.kinds, registration.kind)),
        (_("Registered with CoMensha on"), date_format(registration.registered_on)),
        (_("Written consent signed by"), signer_label(registration.consent_signed_by)),
        (_("Consent signed on"), date_format(registration.consent_signed_on)),
        (_("Where the signed consent is kept"), registration.consent_kept_at),
    ]


def _moment(value: datetime) -> str:
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def export_data(access: DossierAccess, registration: Registration, now: datetime) -> dict[str, Any]:
    """The registration as a data export (JSON): every value with its protocol id and its
    Dutch title, the agreement, the consent rule and how the registration reaches CoMensha
    (no API exists: its registration form or helpdesk)."""
    dossier = access.dossier
    protocol = protocol_of(dossier)
    comensha = protocol.chain.comensha
    agreement = registration.agreement
    with override("nl"):
        sex = sex_label(registration.sex)
        signer = signer_label(registration.consent_signed_by)
    return {
        "format": "baken-comensha-registratie",
        "version": 1,
        "made_at": _moment(now),
        "made_by": str(access.user),
        "dossier": {"reference": str(dossier.pk), "label": dossier.label},
        "protocol": {"id": protocol.id, "version": protocol.version},
        "agreement": {
            "id": comensha.agreement.id,
            "text": comensha.agreement.text,
            "cite": comensha.agreement.cite,
            "registering_organisation": agreement.registering.name,
            "agreed_by_organisation": agreement.agreed_by_organisation.name,
            "agreed_on": timezone.localdate(agreement.agreed_at).isoformat(),
        },
        "registration": {
            "category": {
                "id": registration.category,
                "title": title_of(comensha.categories, registration.category),
            },
            "country_of_origin": registration.country_of_origin,
            "age": registration.age,
            "sex": {"id": registration.sex, "title": sex},
            "aanmelder": {
                "organisation": registration.reporter_organisation,
                "contact_name": registration.contact_name,
                "phone": registration.contact_phone,
                "email": registration.contact_email,
            },
            "kind": {
                "id": registration.kind,
                "title": title_of(comensha.kinds, registration.kind),
            },
            "registered_on": registration.registered_on.isoformat(),
            "recorded_by": str(registration.recorded_by),
            "recorded_at": _moment(registration.recorded_at),
        },
        "consent": {
            "signed_by": {"id": registration.consent_signed_by, "title": signer},
            "signed_on": registration.consent_signed_on.isoformat(),
            "kept_at": registration.consent_kept_at,
            "rule": {
                "id": comensha.consent.item.id,
                "text": comensha.consent.item.text,
                "cite": comensha.consent.item.cite,
                "self_from_age": comensha.consent.self_from_age,
            },
        },
        "submission": {
            "id": comensha.submission.id,
            "text": comensha.submission.text,
            "cite": comensha.submission.cite,
        },
    }

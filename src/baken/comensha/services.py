"""Writes of the CoMensha registration: agreeing who registers, recording the registration,
and logging its print and export. Each service authorises, writes and logs in one
transaction.

Who may do what (the one access decision, :mod:`baken.dossiers.access`):

- **Agreeing** who registers (:func:`agree`): whoever may report (Act.REPORT, so not a
  volunteer) on an open dossier of the person's chain case. The registering organisation
  must be one of the case's organisations. Once per person: a second agreement is refused
  (``already_agreed``), also when two partners agree at the same moment (the case row is
  locked, and the one-to-one on the case refuses the second row).
- **Recording the registration** (:func:`record_registration`): whoever may report on the
  registering organisation's own dossier of the case, once, with the written consent the
  protocol asks for at the person's age (``chain.comensha.consent``). Baken's users are on
  the care side, where CoMensha registration needs consent (police, KMar and the Labour
  Inspectorate register without it, and do not use Baken), so consent is always asked.

Without Act.RECORD (a break-glass reader) a write answers 404; a volunteer is told why
(``volunteer``); every other refusal is a :class:`ComenshaRefused` with a code for the
Dutch message.

What goes to the chain is an entry in every member dossier (the shapes in the chain's
brief: ``{"event": "agreed", ...}``, ``{"event": "registered", ...}``), logged in the own
dossier (``log_dossier``) and as a transfer in each other one (``log_transfer``, purpose
``chain_follow_up``, basis the regional convenant, §2.1 Convenant); the case team of every
member dossier gets a bericht (the user who acted excepted). Nothing personal goes: only
organisation names, the day and the kind of registration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from baken.accounts.models import Organisation
from baken.audit.models import Code
from baken.chain.cases import case_of, members_of, to_every_member
from baken.chain.models import ChainCase, ChainMember
from baken.comensha.models import Agreement, ConsentSigner, Registration, Sex
from baken.comensha.rules import consent_signer
from baken.dossiers.access import Act, DossierAccess, log_dossier
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import age_on, protocol_of
from baken.notifications.models import NotificationKind
from baken.protocol import Protocol

MAX_LINE = 200
MAX_AGE = 120


class ComenshaRefused(Exception):
    """The registration cannot do this; ``code`` names the rule, for the Dutch message,
    and ``params`` what the message needs (an organisation's name, a day, an age)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class RegistrationDetails:
    """What the registration form records: CoMensha's category, the country of origin, the
    age at registration and the sex, the aanmelder (organisation and contact person), the
    kind of registration, the day, and the written consent (who signed, when, where the
    signed form is kept)."""

    category: str
    country_of_origin: str
    age: int
    sex: str
    reporter_organisation: str
    contact_name: str
    contact_phone: str
    contact_email: str
    kind: str
    registered_on: date
    consent_signed_by: str
    consent_signed_on: date
    consent_kept_at: str


# --- checks ---------------------------------------------------------------------------------


def may_agree(access: DossierAccess) -> bool:
    """Whether the user may agree who registers, on this dossier: a professional working
    on it (Act.REPORT) while it is open."""
    return access.may(Act.REPORT) and access.dossier.is_open


def _worker(access: DossierAccess) -> None:
    """404 for who does not record in the dossier; ``volunteer`` for a volunteer."""
    if not access.may(Act.RECORD):
        raise Http404("no such dossier")
    if not access.may(Act.REPORT):
        raise ComenshaRefused("volunteer")


def _already_agreed(agreement: Agreement) -> ComenshaRefused:
    return ComenshaRefused(
        "already_agreed",
        organisation=agreement.registering.name,
        agreed_on=timezone.localdate(agreement.agreed_at),
    )


def _already_registered(agreement: Agreement, registration: Registration) -> ComenshaRefused:
    return ComenshaRefused(
        "already_registered",
        organisation=agreement.registering.name,
        registered_on=registration.registered_on,
    )


def _locked(access: DossierAccess) -> tuple[DossierAccess, ChainCase]:
    """The case of the dossier with its row locked (one agreement or registration at a
    time), and the decision with the own dossier locked; refused on a closed dossier."""
    _worker(access)
    case = case_of(access.dossier)
    if case is None:
        raise Http404("not in the chain")
    case = ChainCase.objects.select_for_update().get(pk=case.pk)
    dossier = Dossier.objects.select_for_update().get(pk=access.dossier.pk)
    if not dossier.is_open:
        raise ComenshaRefused("closed")
    return access.with_dossier(dossier), case


def registration_problem(
    protocol: Protocol,
    details: RegistrationDetails,
    today: date,
    known_age: Callable[[date], int | None] | None = None,
) -> ComenshaRefused | None:
    """Why the registration cannot be recorded as given, or ``None``: a category or kind the
    protocol does not know, an unknown sex, an age outside 0 to 120, a missing text, a day in
    the future, consent signed after the registration, or signed by the wrong people for the
    person's age on the day it was signed (``consent_not_valid_for_age``, with the protocol's
    cite). ``known_age(day)`` is the age the dossier knows on a day: the age given must
    match it on the day of registration (``age_contradicts``), and the consent rule uses the
    dossier's age on the day of signing; without it, the age given is used for both."""
    comensha = protocol.chain.comensha
    if details.category not in {c.id for c in comensha.categories}:
        return ComenshaRefused("unknown_category")
    if details.kind not in {k.id for k in comensha.kinds}:
        return ComenshaRefused("unknown_kind")
    if details.sex not in Sex.values:
        return ComenshaRefused("unknown_sex")
    if not 0 <= details.age <= MAX_AGE:
        return ComenshaRefused("age_invalid")
    texts = {
        "country_missing": details.country_of_origin,
        "reporter_missing": details.reporter_organisation,
        "contact_missing": details.contact_name,
        "phone_missing": details.contact_phone,
        "kept_at_missing": details.consent_kept_at,
    }
    for code, text in texts.items():
        if not text.strip():
            return ComenshaRefused(code)
    if details.registered_on > today:
        return ComenshaRefused("registered_in_future")
    if details.consent_signed_by not in ConsentSigner.values:
        return ComenshaRefused("consent_missing")
    if details.consent_signed_on > today:
        return ComenshaRefused("consent_in_future")
    if details.consent_signed_on > details.registered_on:
        return ComenshaRefused("consent_after_registration")
    rule = comensha.consent
    signing_age = details.age
    if known_age is not None:
        registered_age = known_age(details.registered_on)
        if registered_age is not None and registered_age != details.age:
            return ComenshaRefused("age_contradicts", age=registered_age)
        signed_age = known_age(details.consent_signed_on)
        if signed_age is not None:
            signing_age = signed_age
    needed = consent_signer(rule, signing_age)
    if details.consent_signed_by != needed:
        return ComenshaRefused(
            "consent_not_valid_for_age",
            age=signing_age,
            needed=needed,
            from_age=rule.self_from_age,
            cite=rule.item.cite,
        )
    return None


# --- to every member dossier ----------------------------------------------------------------


def _to_every_member(
    access: DossierAccess,
    members: list[ChainMember],
    data: dict[str, Any],
    action: str,
    notification: str,
    now: datetime,
) -> Entry:
    """The COMENSHA entry in every member dossier, logged under the convenant; the case
    team of every member dossier gets a bericht, the user who acted excepted."""
    return to_every_member(
        access,
        members,
        EntryKind.COMENSHA,
        data,
        action,
        notification,
        now,
        link=lambda dossier, entry: reverse("comensha:detail", args=[dossier.pk]),
        tell_own_team=True,
    )


# --- agreeing who registers -----------------------------------------------------------------


def _insert_agreement(
    case: ChainCase,
    registering: Organisation,
    access: DossierAccess,
    note: str,
    now: datetime,
) -> Agreement:
    """The agreement row; a second one for the case (two partners at the same moment, past
    the check) is refused by the one-to-one and told as ``already_agreed``."""
    try:
        with transaction.atomic():
            return Agreement.objects.create(
                case=case,
                registering=registering,
                agreed_by=access.user,
                agreed_by_organisation_id=access.dossier.organisation_id,
                agreed_at=now,
                note=note,
            )
    except IntegrityError:
        existing = Agreement.objects.select_related("registering").get(case=case)
        raise _already_agreed(existing) from None


def agree(
    access: DossierAccess, registering_id: int, note: str = "", now: datetime | None = None
) -> Agreement:
    """Agree which organisation of the person's chain registers them with CoMensha (§2.2
    CoMensha), once per person. Every member dossier gets ``{"event": "agreed",
    "registering": name, "registering_id": pk, "by_organisation": name}``."""
    note = note.strip()
    now = now or timezone.now()
    with transaction.atomic():
        access, case = _locked(access)
        existing = Agreement.objects.select_related("registering").filter(case=case).first()
        if existing is not None:
            raise _already_agreed(existing)
        members = members_of(case)
        registering = next(
            (m.organisation for m in members if m.organisation_id == registering_id), None
        )
        if registering is None:
            raise ComenshaRefused("not_a_member")
        agreement = _insert_agreement(case, registering, access, note, now)
        by = Organisation.objects.get(pk=access.dossier.organisation_id)
        _to_every_member(
            access,
            members,
            {
                "event": "agreed",
                "registering": registering.name,
                "registering_id": registering.pk,
                "by_organisation": by.name,
            },
            "comensha_agreed",
            NotificationKind.COMENSHA_AGREED,
            now,
        )
        return agreement


# --- recording the registration -------------------------------------------------------------


def record_registration(
    access: DossierAccess, details: RegistrationDetails, now: datetime | None = None
) -> Registration:
    """Record the registration with CoMensha, once, from the registering organisation's own
    dossier (§2.2 CoMensha), with the written consent as evidence. Every member dossier
    gets ``{"event": "registered", "registering": name, "registered_on": "YYYY-MM-DD",
    "kind": "<kind id>"}``."""
    now = now or timezone.now()
    with transaction.atomic():
        access, case = _locked(access)
        agreement = Agreement.objects.select_related("registering").filter(case=case).first()
        if agreement is None:
            raise ComenshaRefused("not_agreed")
        if agreement.registering_id != access.dossier.organisation_id:
            raise ComenshaRefused("not_registering", organisation=agreement.registering.name)
        existing = Registration.objects.filter(agreement=agreement).first()
        if existing is not None:
            raise _already_registered(agreement, existing)
        problem = registration_problem(
            protocol_of(access.dossier),
            details,
            timezone.localdate(now),
            lambda day: age_on(access.dossier, day),
        )
        if problem is not None:
            raise problem
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    agreement=agreement,
                    dossier=access.dossier,
                    recorded_by=access.user,
                    recorded_at=now,
                    category=details.category,
                    country_of_origin=details.country_of_origin.strip(),
                    age=details.age,
                    sex=details.sex,
                    reporter_organisation=details.reporter_organisation.strip(),
                    contact_name=details.contact_name.strip(),
                    contact_phone=details.contact_phone.strip(),
                    contact_email=details.contact_email.strip(),
                    kind=details.kind,
                    registered_on=details.registered_on,
                    consent_signed_by=details.consent_signed_by,
                    consent_signed_on=details.consent_signed_on,
                    consent_kept_at=details.consent_kept_at.strip(),
                )
        except IntegrityError:
            raise _already_registered(
                agreement, Registration.objects.get(agreement=agreement)
            ) from None
        _to_every_member(
            access,
            members_of(case),
            {
                "event": "registered",
                "registering": agreement.registering.name,
                "registered_on": details.registered_on.isoformat(),
                "kind": details.kind,
            },
            "comensha_registered",
            NotificationKind.COMENSHA_REGISTERED,
            now,
        )
        return registration


# --- print and export -----------------------------------------------------------------------

EXPORT_ACTIONS = {"print": "comensha_printed", "json": "comensha_exported"}
"""The access-log action of each way the registration leaves Baken."""


def log_export(access: DossierAccess, how: str) -> None:
    """The access-log line (code E, as the dossier's own export) for printing the
    registration form (``print``) or downloading it as JSON (``json``)."""
    if not access.may(Act.EXPORT):
        raise Http404("no such dossier")
    log_dossier(access, Code.EXECUTE, EXPORT_ACTIONS[how])

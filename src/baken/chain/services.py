"""Writes of the chain: linking partners, sending an advice request, a melding or an
aanmelding, and the recipient's answer, acceptance, decline, forward and feedback.

Each service authorises, writes and logs in one transaction. The sender acts on the ground
of their :class:`~baken.dossiers.access.DossierAccess`; the recipient on the ground of the
share (they work for the organisation it was sent to, in the partner's role), never on the
sender's dossier, which they cannot open. A share changes status once, under a row lock:
of two advisers acting at once one wins, and the other is told who did (:class:`Handled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from baken.accounts.models import Organisation, OrganisationKind, User
from baken.audit.chain import append
from baken.audit.models import Code
from baken.chain.access import RECIPIENT_ROLE, is_recipient
from baken.chain.cases import case_of, join_on_accept, keeps_a_dossier, picture
from baken.chain.links import forget_links, held, links
from baken.chain.models import (
    ChainCase,
    ChainPartner,
    PartnerRole,
    Share,
    ShareKind,
    ShareStatus,
    Snapshot,
)
from baken.dossiers import services as dossier_services
from baken.dossiers.access import Act, DossierAccess, decide, log_account, log_dossier, log_transfer
from baken.dossiers.models import CaseTeamMember, Dossier, Entry, EntryKind
from baken.dossiers.presenters import rows
from baken.dossiers.selectors import (
    age_on,
    current_entries,
    decision_outdated,
    latest,
    protocol_of,
    standing_entries,
    timeline,
)
from baken.engine.calendar import due_date
from baken.notifications.models import NotificationKind
from baken.notifications.services import cancel_reminders, notify, schedule_reminder
from baken.protocol.schema import ConsentRule

PARTNER_KIND = {
    PartnerRole.VEILIG_THUIS: OrganisationKind.VEILIG_THUIS,
    PartnerRole.CARE_COORDINATOR: OrganisationKind.CARE_COORDINATION,
    PartnerRole.SCREENING: OrganisationKind.SAFETY_HOUSE,
    PartnerRole.CHAIN_DIRECTOR: OrganisationKind.MUNICIPALITY,
}
"""The kind of organisation each partner must be: a school cannot be linked as Veilig Thuis."""

SELECTABLE_KINDS = (
    EntryKind.OBSERVATION,
    EntryKind.CONSULTATION,
    EntryKind.CONVERSATION,
    EntryKind.ACUTE_DANGER,
)
"""Entries a sender may choose to send along; signals and the weighing go as such."""

LEGAL_BASES = ("meldrecht", "conflict-van-plichten", "toestemming")
"""Ids of the protocol's legal bases for a melding (protocol data, ``chain.report``)."""

FEEDBACK_MOMENTS = ("after_safety_assessment", "after_investigation")


CONSENT_GIVERS: dict[str, Any] = {
    "person": gettext_lazy("The person themselves"),
    "person_and_parents": gettext_lazy("The person together with the parents or guardian"),
    "parents_or_guardian": gettext_lazy("The parents or guardian"),
}
"""Who gave consent to an aanmelding (care and shelter need it; §2.2, art. 7:450 BW)."""

CONSENT_WAYS: dict[str, Any] = {
    "written": gettext_lazy("In writing"),
    "verbal": gettext_lazy("Verbally"),
}
"""How the consent was given."""


class ChainRefused(Exception):
    """The chain cannot do this; ``code`` says which rule, for the Dutch message, and
    ``params`` what the message needs (e.g. the person's age)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class Handled(Exception):
    """Someone else acted on the share first; nothing was done twice."""

    def __init__(self, share: Share) -> None:
        super().__init__(f"share {share.pk} is {share.status}")
        self.share = share


# --- partners -------------------------------------------------------------------------


def link_partner(by: User, organisation_id: int, partner: str) -> ChainPartner:
    """The functioneel beheerder links an organisation to the protocol partner it is."""
    if not by.is_administrator:
        raise ChainRefused("not_allowed")
    role = PartnerRole(partner)
    with transaction.atomic():
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise ChainRefused("unknown_organisation")
        if organisation.kind != PARTNER_KIND[role]:
            raise ChainRefused("wrong_kind")
        if ChainPartner.objects.filter(partner=role).exclude(organisation=organisation).exists():
            raise ChainRefused("partner_taken")
        try:
            with transaction.atomic():
                link, _created = ChainPartner.objects.update_or_create(
                    organisation=organisation,
                    defaults={"partner": role, "linked_by": by, "linked_at": timezone.now()},
                )
        except IntegrityError:  # linked at the same moment by someone else
            raise ChainRefused("partner_taken") from None
        log_account(by, "chain_partner_linked", f"organisation:{organisation.pk}:{role}")
    forget_links()
    return link


def unlink_partner(by: User, organisation_id: int) -> None:
    """End an organisation's link. Refused (``open_shares``) while requests or meldingen
    wait in its inbox: only the partner's own staff can handle them, and without the link
    nobody could (they would be stranded, their reminders still running)."""
    if not by.is_administrator:
        raise ChainRefused("not_allowed")
    with transaction.atomic():
        # Lock the link first: a share being sent holds it too (partner_organisation with
        # lock), so none can arrive after this check and be stranded.
        list(ChainPartner.objects.select_for_update().filter(organisation_id=organisation_id))
        if Share.objects.filter(recipient_id=organisation_id, status=ShareStatus.PENDING).exists():
            raise ChainRefused("open_shares")
        deleted, _rows = ChainPartner.objects.filter(organisation_id=organisation_id).delete()
        if deleted:
            log_account(by, "chain_partner_unlinked", f"organisation:{organisation_id}")
    forget_links()


def partner_organisation(partner: str, *, lock: bool = False) -> Organisation | None:
    """The Baken organisation that is this protocol partner, if one is linked; with
    ``lock`` (when sending), the link is read again and held until the transaction ends."""
    return held(partner) if lock else links().organisation(partner)


# --- what goes --------------------------------------------------------------------------


def _entry_summary(entry: Entry, dossier: Dossier) -> dict[str, Any]:
    protocol = protocol_of(dossier)
    return {
        "kind": entry.kind,
        "kind_label": str(entry.get_kind_display()),
        "recorded_on": timezone.localdate(entry.created_at).isoformat(),
        "rows": [[row.label, row.value] for row in rows(entry, protocol)],
    }


def build_content(
    dossier: Dossier, kind: str, selected: list[int], extra: dict[str, Any]
) -> dict[str, Any]:
    """Exactly what a share carries, rendered in Dutch as the sender sees it in the preview.

    An advice request carries the question, the texts of the signals ticked, the entries
    the sender selected and the weighing's answers so far: never the label, the date of
    birth, a signal's note, a weighing's motivation or an entry not selected. A melding
    carries the same concerns plus what the melding form asks (``extra``)."""
    with override("nl"):
        entries = timeline(dossier)
        current = current_entries(entries)
        protocol = protocol_of(dossier)
        chosen = [e for e in current if e.sequence in set(selected) and e.kind in SELECTABLE_KINDS]
        signal_rows = []
        for entry in current:
            if entry.kind in (EntryKind.SIGNAL, EntryKind.PROFILE):
                signal_rows.append(rows(entry, protocol)[0].value)
        weighing = latest(current, EntryKind.WEIGHING)
        answers = []
        if weighing is not None:
            labels = {"yes": _("Yes"), "no": _("No"), "unknown": _("Unknown")}
            for question in protocol.weighing.questions:
                given = weighing.data.get("answers", {}).get(question.id, "unknown")
                answers.append([f"{question.number}. {question.text}", str(labels[given])])
        content: dict[str, Any] = {
            "kind": kind,
            "protocol": {"id": protocol.id, "version": dossier.protocol_version},
            "signals": signal_rows,
            "entries": [_entry_summary(e, dossier) for e in chosen],
            "weighing": answers,
            **extra,
        }
    return content


# --- sending ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDetails:
    """What the melding form asks beside the selected concerns (the Veilig Thuis
    meldformulier's sections)."""

    reporter_name: str
    reporter_organisation: str
    reporter_phone: str
    reporter_email: str
    person_name: str
    person_birth_date: date | None
    person_address: str
    parents: str
    network: str
    done_so_far: str
    consent: str
    legal_basis: str
    legal_basis_reason: str
    family_hidden: str
    non_disclosure: bool
    departure_motivation: str


def report_content(dossier: Dossier, details: ReportDetails, selected: list[int]) -> dict[str, Any]:
    """What a melding carries: the selected concerns (as :func:`build_content`) and the
    meldformulier's sections. The preview shows exactly this."""
    extra = {
        "label": dossier.label,
        "exploitation_forms": list(dossier.exploitation_forms),
        "reporter": {
            "name": details.reporter_name.strip(),
            "organisation": details.reporter_organisation.strip(),
            "phone": details.reporter_phone.strip(),
            "email": details.reporter_email.strip(),
        },
        "person": {
            "name": details.person_name.strip(),
            "birth_date": details.person_birth_date.isoformat()
            if details.person_birth_date
            else None,
            "address": details.person_address.strip(),
            "parents": details.parents.strip(),
        },
        "network": details.network.strip(),
        "done_so_far": details.done_so_far.strip(),
        "consent": details.consent,
        "legal_basis": details.legal_basis,
        "legal_basis_reason": details.legal_basis_reason.strip(),
        "family_hidden": details.family_hidden.strip(),
        "non_disclosure": details.non_disclosure,
        "departure_motivation": details.departure_motivation.strip(),
    }
    return build_content(dossier, ShareKind.REPORT, selected, extra)


def _sender_team(dossier: Dossier) -> list[User]:
    return [m.user for m in CaseTeamMember.objects.filter(dossier=dossier).select_related("user")]


def _inbox_url() -> str:
    return reverse("chain:inbox")


def _share_url(share: Share) -> str:
    return reverse("chain:share", args=[share.pk])


def _recipients(organisation: Organisation) -> list[User]:
    link = ChainPartner.objects.filter(organisation=organisation).first()
    if link is None:
        return []
    role = RECIPIENT_ROLE[PartnerRole(link.partner)]
    return list(User.objects.filter(organisation=organisation, role=role, is_active=True))


SENT_ENTRY: dict[str, str] = {
    ShareKind.ADVICE_REQUEST: EntryKind.ADVICE_REQUEST,
    ShareKind.REPORT: EntryKind.REPORT,
    ShareKind.REGISTRATION: EntryKind.REGISTRATION,
}
"""The entry a share of each kind writes in the sender's dossier."""

NEW_SHARE_NOTIFICATION: dict[str, str] = {
    ShareKind.ADVICE_REQUEST: NotificationKind.NEW_ADVICE_REQUEST,
    ShareKind.REPORT: NotificationKind.NEW_REPORT,
    ShareKind.REGISTRATION: NotificationKind.NEW_REGISTRATION,
}
"""The bericht the recipients get for a new share of each kind."""


def _send(
    access: DossierAccess,
    kind: str,
    recipient: Organisation,
    content: dict[str, Any],
    entry_data: dict[str, Any],
    now: datetime,
) -> Share:
    if recipient.pk == access.dossier.organisation_id:
        raise ChainRefused("own_inbox")
    dossier = access.dossier
    share = Share.objects.create(
        kind=kind,
        sender_dossier=dossier,
        sender_organisation_id=dossier.organisation_id,
        sent_by=access.user,
        sent_at=now,
        recipient=recipient,
        status=ShareStatus.PENDING,
        status_at=now,
    )
    Snapshot.objects.create(share=share, content=content, created_at=now)
    entry = dossier_services.record_from_chain(
        access.user,
        dossier.pk,
        SENT_ENTRY[kind],
        {**entry_data, "share": str(share.pk), "to": recipient.name},
        now=now,
    )
    log_dossier(
        access,
        Code.EXECUTE,
        "share_sent",
        entry=entry,
        purpose=_purpose(share),
        detail=_basis_detail(share, content),
    )
    notify(
        _recipients(recipient),
        NEW_SHARE_NOTIFICATION[kind],
        _share_url(share),
        organisation=dossier.organisation,
    )
    return share


def _locked_open(access: DossierAccess) -> DossierAccess:
    """The decision with its dossier row locked for this transaction; ``closed`` when the
    dossier is closed (nothing more is sent from it)."""
    dossier = Dossier.objects.select_for_update().get(pk=access.dossier.pk)
    if not dossier.is_open:
        raise ChainRefused("closed")
    return access.with_dossier(dossier)


def ask_advice(
    access: DossierAccess,
    question: str,
    selected: list[int],
    now: datetime | None = None,
    *,
    partner: str = PartnerRole.VEILIG_THUIS,
) -> Share:
    """Ask Veilig Thuis for advice, anonymously (§1.2 Stap 2; volunteers too, Stap 5), or
    the zorgcoördinator directly when trafficking is evident (§2.1)."""
    if not access.may(Act.ASK_ADVICE):
        raise Http404("no such dossier")
    question = question.strip()
    if not question:
        raise ChainRefused("question_missing")
    now = now or timezone.now()
    with transaction.atomic():
        access = _locked_open(access)
        dossier = access.dossier
        recipient = partner_organisation(PartnerRole(partner), lock=True)
        if recipient is None:
            raise ChainRefused("no_partner")
        content = build_content(dossier, ShareKind.ADVICE_REQUEST, selected, {"question": question})
        return _send(
            access,
            ShareKind.ADVICE_REQUEST,
            recipient,
            content,
            {"question": question, "entries_sent": len(content["entries"])},
            now,
        )


def report_allowed(access: DossierAccess) -> tuple[bool, str]:
    """(the step-5 decision says report, why no new melding can go now or ``""``).

    Not while a melding from this dossier waits (``pending``), nor while one is accepted
    and its recipient's dossier is still open (``accepted``): the partner then holds
    casusregie, and new concerns go to them directly. Read from the dossier's standing
    entries and its chain picture, once per request (a send decides on the row it locked)."""
    current = standing_entries(access.dossier).entries
    decision = latest(current, EntryKind.DECISION)
    # A decision taken before a newer weighing or acute danger no longer counts (step 5 is
    # then not done): reporting needs a motivation again, as for no decision at all.
    says_report = bool(
        decision and decision.data.get("report") == "yes" and not decision_outdated(current)
    )
    return says_report, _sent_blocked(access.dossier, ShareKind.REPORT, PartnerRole.VEILIG_THUIS)


def _sent_blocked(dossier: Dossier, kind: str, partner: str) -> str:
    """Why no new melding or aanmelding (``kind``) to ``partner`` can go from ``dossier``:
    one waits (``pending``); one was accepted and its recipient's dossier is open, or no
    longer exists (``accepted``); the partner keeps an open dossier in the person's chain
    case (``in_chain``); or ``""``. Forwards keep the sending dossier, so they count where
    they are now."""
    seen = picture(dossier)
    sent = seen.sent_of(kind)
    if any(share.status == ShareStatus.PENDING for share in sent):
        return "pending"
    if any(
        share.status == ShareStatus.ACCEPTED
        and (share.receiving_dossier is None or share.receiving_dossier.closed_at is None)
        for share in sent
    ):
        return "accepted"
    recipient = partner_organisation(partner)
    if recipient is not None and seen.keeps_a_dossier(recipient.pk):
        return "in_chain"
    return ""


def send_report(
    access: DossierAccess,
    details: ReportDetails,
    selected: list[int],
    now: datetime | None = None,
) -> Share:
    """Report to Veilig Thuis (melding): professionals only, never anonymously (§2.2), when
    the step-5 decision says report or with a motivation for departing from it."""
    if not access.may(Act.REPORT):
        if access.may(Act.RECORD):
            raise ChainRefused("volunteer")
        raise Http404("no such dossier")
    if not (
        details.reporter_name.strip()
        and details.reporter_organisation.strip()
        and details.reporter_phone.strip()
    ):
        raise ChainRefused("reporter_missing")
    if details.legal_basis not in LEGAL_BASES:
        raise ChainRefused("legal_basis_missing")
    now = now or timezone.now()
    with transaction.atomic():
        access = _locked_open(access)
        dossier = access.dossier
        says_report, blocked = report_allowed(access)
        if blocked:
            raise ChainRefused(blocked)
        if not says_report and not details.departure_motivation.strip():
            raise ChainRefused("decision_missing")
        if not selected:
            raise ChainRefused("nothing_selected")
        recipient = partner_organisation(PartnerRole.VEILIG_THUIS, lock=True)
        if recipient is None:
            raise ChainRefused("no_partner")
        content = report_content(dossier, details, selected)
        if not content["entries"]:  # only ids that are no standing entry one sends
            raise ChainRefused("nothing_selected")
        share = _send(
            access,
            ShareKind.REPORT,
            recipient,
            content,
            {
                "legal_basis": details.legal_basis,
                "non_disclosure": details.non_disclosure,
                "entries_sent": len(content["entries"]),
                "report_made": timezone.localdate(now).isoformat(),
            },
            now,
        )
        _schedule_deadlines(share, dossier, now)
        return share


# --- the aanmelding with the zorgcoördinatie ------------------------------------------------


@dataclass(frozen=True)
class RegistrationConsent:
    """The person's consent to care and shelter, as the aanmelding records it: who gave it
    (:data:`CONSENT_GIVERS`), on which day, how (:data:`CONSENT_WAYS`), and a note."""

    given_by: str
    given_on: date | None
    how: str
    note: str = ""

    def as_data(self) -> dict[str, Any]:
        return {
            "given_by": self.given_by,
            "given_on": self.given_on.isoformat() if self.given_on else None,
            "how": self.how,
            "note": self.note.strip(),
        }


@dataclass(frozen=True)
class RegistrationDetails:
    """What the aanmelding form asks beside the selected concerns: who registers (never
    anonymously), the person, the needs and questions known so far, why trafficking is
    evident (§2.1), and the consent."""

    sender_name: str
    sender_organisation: str
    sender_phone: str
    sender_email: str
    person_name: str
    person_birth_date: date | None
    person_age: int | None
    person_contact: str
    person_language: str
    needs: str
    reason: str
    consent: RegistrationConsent


def consent_needed(rule: ConsentRule, age: int) -> str:
    """Who must consent for a person of ``age`` (a key of :data:`CONSENT_GIVERS`): the
    person alone from ``self_from_age``, the person with the parents or guardian from
    ``jointly_from_age``, below that the parents or guardian (protocol data,
    ``chain.registration.consent``)."""
    if age >= rule.self_from_age:
        return "person"
    if rule.jointly_from_age is not None and age >= rule.jointly_from_age:
        return "person_and_parents"
    return "parents_or_guardian"


def _years(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def registration_age(
    dossier: Dossier, birth_date: date | None, age: int | None, on: date
) -> int | None:
    """The person's age on ``on`` for the consent rule: from the dossier (date of birth or
    age), else from the date of birth or age given on the form; ``None`` when unknown."""
    known = age_on(dossier, on)
    if known is not None:
        return known
    if birth_date is not None:
        return _years(birth_date, on)
    return age


def consent_problem(
    dossier: Dossier, details: RegistrationDetails, today: date | None = None
) -> ChainRefused | None:
    """Why the consent on the aanmelding does not hold, or ``None``: none recorded
    (``consent_missing``), a date in the future (``consent_in_future``), the age unknown
    (``age_missing``), or given by the wrong people for the person's age on the day it was
    given (``consent_not_valid_for_age``, with the age and who must consent); a date of
    birth or age on the form that tells another age than the dossier (``age_contradicts``)."""
    consent = details.consent
    today = today or timezone.localdate()
    if (
        consent.given_by not in CONSENT_GIVERS
        or consent.how not in CONSENT_WAYS
        or consent.given_on is None
    ):
        return ChainRefused("consent_missing")
    if consent.given_on > today:
        return ChainRefused("consent_in_future")
    age = registration_age(dossier, details.person_birth_date, details.person_age, consent.given_on)
    if age is None:
        return ChainRefused("age_missing")
    typed = (
        _years(details.person_birth_date, consent.given_on)
        if details.person_birth_date is not None
        else details.person_age
    )
    if typed is not None and typed != age:
        # The form's date of birth or age goes with the snapshot: it must tell the same age
        # as the dossier, or the consent would be checked against one and sent with another.
        return ChainRefused("age_contradicts")
    rule = protocol_of(dossier).chain.registration.consent
    needed = consent_needed(rule, age)
    if consent.given_by != needed:
        return ChainRefused(
            "consent_not_valid_for_age", age=age, needed=needed, cite=rule.item.cite
        )
    return None


def registration_content(
    dossier: Dossier, details: RegistrationDetails, selected: list[int]
) -> dict[str, Any]:
    """What an aanmelding carries: the selected concerns (as :func:`build_content`), who
    registers, the person, the needs, why trafficking is evident and the consent record
    (with its Dutch labels, as the sender saw them). The preview shows exactly this."""
    consent = details.consent
    given_on = consent.given_on or timezone.localdate()
    age = registration_age(dossier, details.person_birth_date, details.person_age, given_on)
    with override("nl"):
        consent_data = {
            **consent.as_data(),
            "given_by_label": str(CONSENT_GIVERS.get(consent.given_by, "")),
            "how_label": str(CONSENT_WAYS.get(consent.how, "")),
        }
    extra = {
        "label": dossier.label,
        "exploitation_forms": list(dossier.exploitation_forms),
        "sender": {
            "name": details.sender_name.strip(),
            "organisation": details.sender_organisation.strip(),
            "phone": details.sender_phone.strip(),
            "email": details.sender_email.strip(),
        },
        "person": {
            "name": details.person_name.strip(),
            "birth_date": details.person_birth_date.isoformat()
            if details.person_birth_date
            else None,
            "age": age,
            "contact": details.person_contact.strip(),
            "language": details.person_language.strip(),
        },
        "needs": details.needs.strip(),
        "reason": details.reason.strip(),
        "consent": consent_data,
    }
    return build_content(dossier, ShareKind.REGISTRATION, selected, extra)


def registration_blocked(dossier: Dossier) -> str:
    """Why no new aanmelding can go from ``dossier`` now, or ``""``: one waits at the
    zorgcoördinatie (``pending``), or one was accepted and the zorgcoördinator's dossier is
    still open (``accepted``: they hold casusregie; new concerns go to them directly), or
    the zorgcoördinatie keeps an open dossier in the person's case (``in_chain``)."""
    return _sent_blocked(dossier, ShareKind.REGISTRATION, PartnerRole.CARE_COORDINATOR)


def registration_possible(access: DossierAccess) -> bool:
    """Whether the page to register this dossier's person with the zorgcoördinatie is
    offered: who may report, an open dossier, a linked zorgcoördinatie that is not the
    dossier's own organisation, and no aanmelding waiting or accepted."""
    if not access.may(Act.REPORT) or not access.dossier.is_open:
        return False
    recipient = partner_organisation(PartnerRole.CARE_COORDINATOR)
    if recipient is None or recipient.pk == access.dossier.organisation_id:
        return False
    return not registration_blocked(access.dossier)


def send_registration(
    access: DossierAccess,
    details: RegistrationDetails,
    selected: list[int],
    now: datetime | None = None,
) -> Share:
    """Register the person with the zorgcoördinatie (aanmelding) when trafficking is evident
    (§2.1): for who may report (not a volunteer), never anonymously, with at least one entry
    ticked and the person's consent, given by who may give it at the person's age (§2.2;
    art. 7:450 BW). Veilig Thuis may pass a case on the same way, from its own dossier. The
    consent is the legal basis (``basis:toestemming``). No deadlines follow."""
    if not access.may(Act.REPORT):
        if access.may(Act.RECORD):
            raise ChainRefused("volunteer")
        raise Http404("no such dossier")
    if not (
        details.sender_name.strip()
        and details.sender_organisation.strip()
        and details.sender_phone.strip()
    ):
        raise ChainRefused("reporter_missing")
    if not details.reason.strip():
        raise ChainRefused("evident_missing")
    now = now or timezone.now()
    with transaction.atomic():
        access = _locked_open(access)
        dossier = access.dossier
        blocked = registration_blocked(dossier)
        if blocked:
            raise ChainRefused(blocked)
        problem = consent_problem(dossier, details, timezone.localdate(now))
        if problem is not None:
            raise problem
        if not selected:
            raise ChainRefused("nothing_selected")
        recipient = partner_organisation(PartnerRole.CARE_COORDINATOR, lock=True)
        if recipient is None:
            raise ChainRefused("no_partner")
        content = registration_content(dossier, details, selected)
        if not content["entries"]:  # only ids that are no standing entry one sends
            raise ChainRefused("nothing_selected")
        return _send(
            access,
            ShareKind.REGISTRATION,
            recipient,
            content,
            {
                "direction": "sent",
                "consent": details.consent.as_data(),
                "entries_sent": len(content["entries"]),
                "registered_on": timezone.localdate(now).isoformat(),
            },
            now,
        )


def _schedule_deadlines(share: Share, dossier: Dossier, now: datetime) -> None:
    """Reminders for the melding's deadlines (protocol data, Dutch working days): the day
    before to the recipient, and on the day after the term to them once more."""
    protocol = protocol_of(dossier)
    made = timezone.localdate(now)
    for deadline in protocol.chain.deadlines:
        due = due_date(deadline, made, protocol)
        end = timezone.make_aware(datetime.combine(due, time(9, 0)))
        for kind, at in (
            (NotificationKind.DEADLINE_NEAR, end - timedelta(days=1)),
            (NotificationKind.DEADLINE_PASSED, end + timedelta(days=1)),
        ):
            schedule_reminder(
                f"share:{share.pk}:{deadline.id}:{kind}",
                at,
                kind,
                _share_url(share),
                organisation=share.recipient,
                role=RECIPIENT_ROLE[PartnerRole(_partner_of(share.recipient))],
            )


def deadlines_of(share: Share) -> list[tuple[str, str, date, str]]:
    """(id, what, due, cite) of a melding's deadlines, counted from the day it was sent."""
    if not share.is_report or _partner_of(share.recipient) != PartnerRole.VEILIG_THUIS:
        return []  # the terms are Veilig Thuis' (Uitvoeringsbesluit Wmo 2015, art. 4.1.7)
    protocol = protocol_of_share(share)
    made = timezone.localdate(share.sent_at)
    return [(d.id, d.what, due_date(d, made, protocol), d.cite) for d in protocol.chain.deadlines]


def protocol_of_share(share: Share) -> Any:
    from baken.protocol import default_registry

    return default_registry().get(share.snapshot.content["protocol"]["id"])


def withdraw(access: DossierAccess, share_id: UUID | str) -> Share:
    """The sender withdraws a request, melding or aanmelding nobody has picked up yet. A
    melding or aanmelding only by who may report (not a volunteer), as sending it."""
    if not access.may(Act.RECORD):
        raise Http404("no such dossier")
    now = timezone.now()
    with transaction.atomic():
        share = _locked_share(share_id, sender_dossier=access.dossier)
        if share.opens_dossier and not access.may(Act.REPORT):
            raise ChainRefused("volunteer")
        share.status, share.status_at, share.handled_by = ShareStatus.WITHDRAWN, now, access.user
        share.save(update_fields=["status", "status_at", "handled_by"])
        entry = dossier_services.record_from_chain(
            access.user,
            access.dossier.pk,
            EntryKind.CHAIN_STATUS,
            {"event": "withdrawn", "share": str(share.pk), "by": share.recipient.name},
            now=now,
        )
        log_dossier(access, Code.EXECUTE, "share_withdrawn", entry=entry)
        cancel_reminders(f"share:{share.pk}:")
        return share


# --- receiving --------------------------------------------------------------------------


def _locked_share(share_id: UUID | str, **scope: Any) -> Share:
    """The share locked for this transaction (404 outside ``scope``), still open; else
    :class:`Handled`, which names who acted and when."""
    try:
        share = (
            Share.objects.select_for_update(of=("self",))
            .select_related("recipient", "sender_organisation", "handled_by")
            .get(pk=share_id, **scope)
        )
    except (Share.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("no such share") from exc
    if not share.is_open:
        raise Handled(share)
    return share


def _as_recipient(user: User, share_id: UUID | str) -> Share:
    """The open share, locked, for a user who works the inbox it was sent to (else 404)."""
    try:
        share = _locked_share(share_id)
    except Handled as handled:
        if not is_recipient(user, handled.share):
            raise Http404("no such share") from None
        raise
    if not is_recipient(user, share):
        raise Http404("no such share")
    return share


def _to_sender(
    share: Share,
    author: User,
    kind: str,
    data: dict[str, Any],
    action: str,
    now: datetime,
    notification: str,
) -> Entry | None:
    """Record news in the sender's dossier, log it there (a transfer back) and tell its
    case team; nothing when the sender's dossier has been purged."""
    if share.sender_dossier_id is None:
        return None
    dossier = Dossier.objects.get(pk=share.sender_dossier_id)
    # Attributed to the organisation, not to its staff member (see access_lines).
    data = {"from_organisation": share.recipient.name, **data}
    entry = dossier_services.record_from_chain(author, dossier.pk, kind, data, now=now)
    log_transfer(
        author,
        dossier,
        Code.CREATE,
        action,
        purpose="chain_follow_up",
        # Feedback rests on the duty to give it; everything else on the share's own basis.
        basis="terugkoppeling" if kind == EntryKind.FEEDBACK else basis_of(share),
        entry=entry,
    )
    notify(
        _sender_team(dossier),
        notification,
        reverse("dossiers:detail", args=[dossier.pk]) + f"#regel-{entry.sequence}",
        organisation=share.recipient,
    )
    return entry


def purpose_of(share: Share) -> str:
    """The access-log purpose of what a share does: ``advice_request``, ``report`` or
    ``registration``."""
    if share.is_registration:
        return "registration"
    return "report" if share.is_report else "advice_request"


_purpose = purpose_of


def basis_of(share: Share, content: dict[str, Any] | None = None) -> str:
    """The legal basis a share rests on: the melding's own (meldrecht, conflict of duties,
    consent); an aanmelding's is the person's consent (``toestemming``); an advice request
    carries no personal data (``geen-persoonsgegevens``)."""
    if share.is_registration:
        return "toestemming"
    if share.is_report:
        content = share.snapshot.content if content is None else content
        return str(content.get("legal_basis") or "")
    return "geen-persoonsgegevens"


def _basis_detail(share: Share, content: dict[str, Any]) -> str:
    """The legal basis for the log line (``basis:...``, see :func:`basis_of`)."""
    basis = basis_of(share, content)
    return f"basis:{basis}" if basis else ""


def log_recipient_side(user: User, share: Share, action: str) -> None:
    """The recipient organisation's own access-log line about a share (NEN 7513: the
    transfer as received), with the purpose and legal basis; the share's id is the only
    reference, as the recipient has no dossier of the sender's."""
    append(
        user_id=user.pk,
        role=user.role,
        organisation_id=user.organisation_id,
        responsible_organisation_id=share.recipient_id,
        dossier_id=share.receiving_dossier_id,
        code=Code.READ if action == "share_opened" else Code.EXECUTE,
        action=action,
        purpose=_purpose(share),
        detail=f"share:{share.pk} {_basis_detail(share, share.snapshot.content)}".strip(),
    )


def _partner_of(organisation: Organisation) -> str:
    return links().partner_of(organisation.pk)


def _finish(share: Share, user: User, status: str, now: datetime, reason: str = "") -> None:
    share.status, share.status_at, share.handled_by = status, now, user
    share.reason = reason
    share.save(update_fields=["status", "status_at", "handled_by", "reason"])


def answer_advice(user: User, share_id: UUID | str, answer: str) -> Share:
    """A Veilig Thuis adviser answers an advice request; the answer lands in the sender's
    dossier as a step-2 consultation ("Veilig Thuis, adviesvraag van ...")."""
    answer = answer.strip()
    if not answer:
        raise ChainRefused("answer_missing")
    now = timezone.now()
    with transaction.atomic():
        share = _as_recipient(user, share_id)
        if share.kind != ShareKind.ADVICE_REQUEST:
            raise ChainRefused("not_an_advice_request")
        _finish(share, user, ShareStatus.ANSWERED, now)
        log_recipient_side(user, share, "advice_answered")
        _to_sender(
            share,
            user,
            EntryKind.CONSULTATION,
            {
                "consulted": "care_coordinator"
                if _partner_of(share.recipient) == PartnerRole.CARE_COORDINATOR
                else "veilig_thuis",
                "held_on": timezone.localdate(now).isoformat(),
                "advice": answer,
                "agreements": "",
                "via_baken": True,
                "from_organisation": share.recipient.name,
                "asked_on": timezone.localdate(share.sent_at).isoformat(),
                "share": str(share.pk),
            },
            "advice_answered",
            now,
            NotificationKind.ADVICE_ANSWERED,
        )
        return share


def _received_entry(share: Share, content: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The first entry of the dossier opened from an accepted melding or aanmelding."""
    if share.is_registration:
        return EntryKind.REGISTRATION, {
            "direction": "received",
            "share": str(share.pk),
            "from": share.sender_organisation.name,
            "registered_on": timezone.localdate(share.sent_at).isoformat(),
            "consent": {
                key: content.get("consent", {}).get(key)
                for key in ("given_by", "given_on", "how", "note")
            },
        }
    return EntryKind.REPORT, {
        "direction": "received",
        "share": str(share.pk),
        "from": share.sender_organisation.name,
        "report_made": timezone.localdate(share.sent_at).isoformat(),
        "non_disclosure": bool(content.get("non_disclosure")),
    }


def accept(user: User, share_id: UUID | str) -> Dossier:
    """The recipient accepts a melding or an aanmelding: its own dossier is opened from the
    snapshot (label, date of birth or age, forms of exploitation), pinned to the same
    protocol, with the accepting user in the case team; both dossiers join one person in the
    chain, and casusregie moves to the recipient (§2.1: to Veilig Thuis with a melding, to
    the zorgcoördinatie with an aanmelding). The sender is told (``chain_status``)."""
    now = timezone.now()
    with transaction.atomic():
        share = _as_recipient(user, share_id)
        if not share.opens_dossier:
            raise ChainRefused("not_a_report")
        sender = (
            Dossier.objects.filter(pk=share.sender_dossier_id).first()
            if share.sender_dossier_id is not None
            else None
        )
        if keeps_a_dossier(sender, share.recipient_id):
            # One dossier per organisation per person: the new concerns belong in the one
            # the recipient already keeps (decline, saying so, and add them there).
            raise ChainRefused("recipient_in_chain")
        content = share.snapshot.content
        person = content.get("person", {})
        born = person.get("birth_date")
        age = person.get("age") if not born else None
        opened = dossier_services.open_dossier(
            user,
            dossier_services.NewDossier(
                label=str(content.get("label") or share.sender_organisation.name),
                birth_date=date.fromisoformat(born) if born else None,
                age=age if isinstance(age, int) else None,
                exploitation_forms=list(content.get("exploitation_forms", [])),
            ),
            now,
            protocol_id=content["protocol"]["id"],
            protocol_version=content["protocol"]["version"],
        )
        _finish(share, user, ShareStatus.ACCEPTED, now)
        share.receiving_dossier = opened
        share.save(update_fields=["receiving_dossier"])
        before = case_of(
            Dossier.objects.filter(pk=share.sender_dossier_id).first()
            if share.sender_dossier_id is not None
            else None
        )
        previous = before.direction if before is not None else None
        case = join_on_accept(share, opened, now)
        if previous is not None and previous.pk != share.recipient_id:
            _direction_moved(share, case, opened, previous, user, now)
        accepted_action = "registration_accepted" if share.is_registration else "share_accepted"
        log_recipient_side(user, share, accepted_action)
        access = decide(user, opened)
        if access is None:  # cannot happen: the recipient opened it
            raise RuntimeError("the recipient has no access to the dossier they opened")
        kind, data = _received_entry(share, content)
        entry = dossier_services.record_from_chain(user, opened.pk, kind, data, now=now)
        log_dossier(
            access,
            Code.CREATE,
            "opened_from_registration" if share.is_registration else "opened_from_report",
            entry=entry,
            purpose=purpose_of(share),
            detail=_basis_detail(share, content),
        )
        _to_sender(
            share,
            user,
            EntryKind.CHAIN_STATUS,
            {
                "event": "accepted",
                "share": str(share.pk),
                "by": share.recipient.name,
                "partner": _partner_of(share.recipient),
                "kind": share.kind,
            },
            accepted_action,
            now,
            NotificationKind.REGISTRATION_ACCEPTED
            if share.is_registration
            else NotificationKind.REPORT_ACCEPTED,
        )
        return opened


accept_report = accept


def _direction_moved(
    share: Share,
    case: ChainCase,
    opened: Dossier,
    previous: Organisation,
    user: User,
    now: datetime,
) -> None:
    """Accepting moved casusregie within a case that already had members (Veilig Thuis
    passing a case on to the zorgcoördinatie): every member dossier other than the sender's
    (told by its ``chain_status``) and the new one gets a CASE_DIRECTION entry, logged as a
    transfer, and its case team a bericht, so each knows who holds casusregie now (§2.1)."""
    partner = _partner_of(share.recipient)
    for member in case.members.select_related("dossier").exclude(
        dossier_id__in=[opened.pk, share.sender_dossier_id]
    ):
        entry = dossier_services.record_from_chain(
            user,
            member.dossier_id,
            EntryKind.CASE_DIRECTION,
            {
                "event": "accepted",
                "from_organisation": previous.name,
                "to_organisation": share.recipient.name,
                "to_partner": partner if partner in DIRECTION_PARTNERS else "",
                "reason": "",
            },
            now=now,
        )
        log_transfer(
            user,
            member.dossier,
            Code.CREATE,
            "case_direction_handed_over",
            purpose="chain_follow_up",
            basis="convenant",
            entry=entry,
        )
        notify(
            _sender_team(member.dossier),
            NotificationKind.CASE_DIRECTION_HANDED_OVER,
            reverse("dossiers:detail", args=[member.dossier_id]) + f"#regel-{entry.sequence}",
            organisation=share.recipient,
        )


DIRECTION_PARTNERS = (PartnerRole.VEILIG_THUIS, PartnerRole.CARE_COORDINATOR)
"""Partners whose casusregie the engine knows (``CaseDirection``)."""
"""The name part 1 gave :func:`accept` (a melding); the same function."""


DECLINED_NOTIFICATION: dict[str, str] = {
    ShareKind.ADVICE_REQUEST: NotificationKind.ADVICE_DECLINED,
    ShareKind.REPORT: NotificationKind.REPORT_DECLINED,
    ShareKind.REGISTRATION: NotificationKind.REGISTRATION_DECLINED,
}
FORWARDED_NOTIFICATION: dict[str, str] = {
    ShareKind.ADVICE_REQUEST: NotificationKind.ADVICE_FORWARDED,
    ShareKind.REPORT: NotificationKind.REPORT_FORWARDED,
    ShareKind.REGISTRATION: NotificationKind.REGISTRATION_FORWARDED,
}


def decline(user: User, share_id: UUID | str, reason: str) -> Share:
    """Decline a request or melding, with a reason the sender sees (e.g. another region)."""
    reason = reason.strip()
    if not reason:
        raise ChainRefused("reason_missing")
    now = timezone.now()
    with transaction.atomic():
        share = _as_recipient(user, share_id)
        _finish(share, user, ShareStatus.DECLINED, now, reason)
        log_recipient_side(user, share, "share_declined")
        _to_sender(
            share,
            user,
            EntryKind.CHAIN_STATUS,
            {
                "event": "declined",
                "share": str(share.pk),
                "by": share.recipient.name,
                "reason": reason,
                "kind": share.kind,
            },
            "share_declined",
            now,
            DECLINED_NOTIFICATION[share.kind],
        )
        cancel_reminders(f"share:{share.pk}:")
        return share


INBOX_PARTNERS = (PartnerRole.VEILIG_THUIS, PartnerRole.CARE_COORDINATOR)
"""The partners whose inboxes take advice requests, meldingen and aanmeldingen (the
screeningsoverleg and the ketenregisseur get none of these)."""


def forward(user: User, share_id: UUID | str, organisation_id: int, note: str) -> Share:
    """Forward a request, melding or aanmelding to another chain partner (Veilig Thuis or
    the zorgcoördinatie). The new share carries the same snapshot; the sender is told where
    it went."""
    now = timezone.now()
    with transaction.atomic():
        share = _as_recipient(user, share_id)
        target = (
            Organisation.objects.filter(
                pk=organisation_id, chain_partner__partner__in=INBOX_PARTNERS
            )
            .exclude(pk__in=[share.recipient_id, share.sender_organisation_id])
            .first()
        )
        if target is None:
            raise ChainRefused("not_a_partner")
        onward = Share.objects.create(
            kind=share.kind,
            sender_dossier_id=share.sender_dossier_id,
            sender_organisation_id=share.sender_organisation_id,
            sent_by_id=share.sent_by_id,
            sent_at=share.sent_at,
            recipient=target,
            status=ShareStatus.PENDING,
            status_at=now,
        )
        Snapshot.objects.create(share=onward, content=share.snapshot.content, created_at=now)
        share.forwarded_to = onward
        _finish(share, user, ShareStatus.FORWARDED, now, note.strip())
        log_recipient_side(user, share, "share_forwarded")
        share.save(update_fields=["forwarded_to"])
        _to_sender(
            share,
            user,
            EntryKind.CHAIN_STATUS,
            {
                "event": "forwarded",
                "share": str(share.pk),
                "onward": str(onward.pk),
                "by": share.recipient.name,
                "to": target.name,
                "kind": share.kind,
                "note": note.strip(),
            },
            "share_forwarded",
            now,
            FORWARDED_NOTIFICATION[share.kind],
        )
        cancel_reminders(f"share:{share.pk}:")
        if (
            onward.is_report
            and share.sender_dossier_id is not None
            and _partner_of(target) == PartnerRole.VEILIG_THUIS
        ):
            # Veilig Thuis' terms run from the melding, whichever Veilig Thuis holds it.
            _schedule_deadlines(
                onward, Dossier.objects.get(pk=share.sender_dossier_id), share.sent_at
            )
        notify(
            _recipients(target),
            NEW_SHARE_NOTIFICATION[share.kind],
            _share_url(onward),
            organisation=share.recipient,
        )
        return onward


@dataclass(frozen=True)
class Feedback:
    """Feedback to the reporter (Wmo 2015, art. 4.1.1 lid 2 sub g)."""

    moment: str
    trajectory_started: bool
    parties: str
    conditions: str


def give_feedback(access: DossierAccess, feedback: Feedback) -> Entry:
    """Veilig Thuis writes feedback on its own dossier; it lands in the reporter's dossier
    timeline, attributed to Veilig Thuis."""
    if not access.may(Act.RECORD):
        raise Http404("no such dossier")
    if feedback.moment not in FEEDBACK_MOMENTS or not feedback.parties.strip():
        raise ChainRefused("feedback_incomplete")
    now = timezone.now()
    with transaction.atomic():
        share = (
            Share.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(receiving_dossier=access.dossier, kind=ShareKind.REPORT)
            .first()
        )
        if share is None:
            raise ChainRefused("no_report")
        data = {
            "moment": feedback.moment,
            "trajectory_started": feedback.trajectory_started,
            "parties": feedback.parties.strip(),
            "conditions": feedback.conditions.strip(),
            "from_organisation": share.recipient.name,
            "share": str(share.pk),
        }
        own = dossier_services.record_from_chain(
            access.user, access.dossier.pk, EntryKind.FEEDBACK, data, now=now
        )
        log_dossier(access, Code.CREATE, "feedback_given", entry=own, purpose="chain_follow_up")
        _to_sender(
            share,
            access.user,
            EntryKind.FEEDBACK,
            data,
            "feedback_given",
            now,
            NotificationKind.FEEDBACK_GIVEN,
        )
        if feedback.moment == "after_safety_assessment" and feedback.trajectory_started:
            cancel_reminders(f"share:{share.pk}:termijn-veiligheidsbeoordeling")
        else:
            # After the investigation, or when no trajectory follows the assessment, no
            # term is left to remind of.
            cancel_reminders(f"share:{share.pk}:")
        return own


def end_reminders_of_closed_dossier(sender: Any, dossier: Dossier, **kwargs: Any) -> None:
    """When the recipient's dossier opened from a melding is closed, its deadlines no longer
    need reminding (connected to ``dossier_closed`` in :mod:`baken.chain.apps`)."""
    for share_id in Share.objects.filter(receiving_dossier=dossier).values_list("pk", flat=True):
        cancel_reminders(f"share:{share_id}:")


def purge_orphaned_shares(now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete the shares, and their snapshots, that belong to no dossier any more: the
    sender's dossier and the dossier opened from it (if any) were both purged at the end
    of their retention terms (``baken purge``). Each goes with an access-log line (code D)
    on the recipient's responsibility. Returns how many were (or, with ``dry_run``, would
    be) purged."""
    from baken.dossiers.maintenance import append_only_lifted

    orphans = Share.objects.filter(sender_dossier__isnull=True, receiving_dossier__isnull=True)
    if dry_run:
        return orphans.count()
    moment = (now or timezone.now()).replace(microsecond=0)
    purged = 0
    with transaction.atomic(), append_only_lifted(Snapshot._meta.db_table):
        while True:
            # A forwarded share points at the next one: the first of a chain goes first.
            batch = list(
                orphans.filter(forwarded_from__isnull=True).select_for_update(of=("self",))
            )
            if not batch:
                break
            for share in batch:
                append(
                    at=moment,
                    role="system",
                    responsible_organisation_id=share.recipient_id,
                    code=Code.DELETE,
                    action="purged",
                    purpose="retention",
                    detail=f"share:{share.pk}",
                )
                Snapshot.objects.filter(share=share)._raw_delete(Snapshot.objects.db)
                Share.objects.filter(pk=share.pk).delete()
                purged += 1
    return purged

"""Writes to dossiers. Each service authorises, writes and logs in one transaction.

Entries are only ever added. Two people working on one dossier cannot overwrite
each other: the dossier row is locked while an entry is numbered, and a change
to something a colleague changed since the form was opened (the weighing, the
decision, the acute-danger record, the evaluation, or a correction of the same
entry) is refused with :class:`StaleEdit`, so the form can be shown again with
everything typed still in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import Role, User
from baken.audit.models import Code
from baken.dossiers.access import Act, DossierAccess, decide, log_dossier
from baken.dossiers.models import CHAIN_KINDS, CaseTeamMember, Dossier, Entry, EntryKind
from baken.dossiers.selectors import current_entries, latest, steps_done
from baken.protocol import default_registry
from baken.protocol.index import index_of
from baken.protocol.schema import ExploitationForm

STATE_KINDS = frozenset(
    {EntryKind.WEIGHING, EntryKind.DECISION, EntryKind.ACUTE_DANGER, EntryKind.EVALUATION}
)
"""Kinds where a newer entry replaces what counts: a colleague's newer one is a conflict."""

VOLUNTEER_BARRED = frozenset({EntryKind.WEIGHING, EntryKind.DECISION})
"""Volunteers have no afwegingskader (§1.2 Stap 5): no weighing and no step-5 decision."""


dossier_closed = Signal()
"""Sent inside the closing transaction with ``dossier``: layers above (the chain's
reminders) end what they keep running for it, without this module knowing them."""


class DossierClosed(Exception):
    """The dossier is closed: nothing more can be recorded."""


class StaleEdit(Exception):
    """A colleague recorded the same thing since this form was opened.

    ``already_corrected`` says the entry being corrected already has a correction
    (``entry``): correct that one instead; saving again would not help.
    """

    def __init__(self, entry: Entry, *, already_corrected: bool = False) -> None:
        self.entry = entry
        self.already_corrected = already_corrected
        super().__init__(f"entry {entry.sequence} was added since the form was opened")


class NotAllowed(Exception):
    """The user may not do this (shown as a message, not as a leak of what exists).

    ``code`` says which rule: ``steps_missing`` (step 5 before steps 1-4),
    ``weighing_open`` (step 5 while the weighing leaves a decision open),
    ``motivation_missing`` (a departing decision without a motivation), ``volunteer``
    (volunteers have no afwegingskader), ``acute_contradiction`` (a weighing that says
    no to concern or unsafety while acute danger is recorded), ``acute_active`` (closing
    while acute danger is open), ``colleague``.
    """

    def __init__(self, message: str, code: str = "") -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class NewDossier:
    label: str
    birth_date: date | None
    age: int | None
    exploitation_forms: list[str]


_CODES = {
    "dossier_opened": Code.CREATE,
    "entry_added": Code.CREATE,
    "team_member_added": Code.UPDATE,
    "entry_corrected": Code.UPDATE,
    "details_changed": Code.UPDATE,
    "dossier_closed": Code.UPDATE,
}


def _log(access: DossierAccess, action: str, entry: Entry | None = None) -> None:
    log_dossier(access, _CODES[action], action, entry=entry)


def _locked(access: DossierAccess, act: Act = Act.RECORD) -> DossierAccess:
    """The decision with its dossier row locked for this transaction, if it allows ``act``.

    Otherwise 404, as for a dossier the user need not know: break-glass access is
    read-only. A volunteer asking for a professional's act is told so instead
    (:class:`NotAllowed`, code ``volunteer``)."""
    if not access.may(act):
        if access.may(Act.RECORD) and access.volunteer:
            raise NotAllowed("volunteers have no afwegingskader (§1.2 Stap 5)", "volunteer")
        raise Http404("no such dossier")
    return access.with_dossier(Dossier.objects.select_for_update().get(pk=access.dossier.pk))


def open_dossier(
    user: User,
    new: NewDossier,
    now: datetime | None = None,
    *,
    protocol_id: str | None = None,
    protocol_version: str | None = None,
) -> Dossier:
    """Open a dossier in the user's organisation, pinning the default protocol (or, for a
    dossier opened from a melding, the protocol id and version of the dossier it came from:
    when the installed version differs, the page says so, as for any pinned dossier)."""
    if not user.works_with_dossiers or user.organisation_id is None:
        raise NotAllowed("only users of an organisation open dossiers")
    for form in new.exploitation_forms:
        ExploitationForm(form)  # raises ValueError on an unknown form
    protocol = default_registry().get(protocol_id)
    moment = now or timezone.now()
    with transaction.atomic():
        dossier = Dossier(
            organisation_id=user.organisation_id,
            label=new.label,
            birth_date=new.birth_date,
            age_at_opening=new.age,
            protocol_id=protocol.id,
            protocol_version=protocol_version or protocol.version,
            reporter="volunteer" if user.role == Role.VOLUNTEER else "professional",
            opened_by=user,
            opened_at=moment,
        )
        dossier.set_forms(new.exploitation_forms)  # the list and its columns (ADR 11)
        dossier.save(force_insert=True)
        CaseTeamMember.objects.create(dossier=dossier, user=user, added_by=user, added_at=moment)
        access = decide(user, dossier)
        if access is None:  # cannot happen: the opener is in the case team
            raise RuntimeError("the opener has no access to the dossier they opened")
        _log(access, "dossier_opened")
    return dossier


def record(
    access: DossierAccess,
    kind: str,
    data: dict[str, Any],
    *,
    seen_sequence: int,
    corrects: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Entry:
    """Add one entry (or a correction of entry number ``corrects``) to the dossier.

    ``seen_sequence`` is the dossier's newest entry number when the form was opened.
    """
    with _conflicts_as_stale(access), transaction.atomic():
        access = _locked(access, Act.WEIGH if kind in VOLUNTEER_BARRED else Act.RECORD)
        entry = _append(access, kind, data, seen_sequence, corrects, reason, now)
        _log(access, "entry_corrected" if corrects else "entry_added", entry)
        return entry


@contextmanager
def _conflicts_as_stale(access: DossierAccess) -> Iterator[None]:
    """Turn a unique-constraint clash into the same conflict the checks report.

    Only reachable when two transactions slipped past the row lock: the entry number
    and the one-correction rule still hold in the database.
    """
    try:
        yield
    except IntegrityError as exc:
        newest = Entry.objects.filter(dossier_id=access.dossier.pk).order_by("-sequence").first()
        if newest is None:
            raise
        raise StaleEdit(newest) from exc


def _append(
    access: DossierAccess,
    kind: str,
    data: dict[str, Any],
    seen_sequence: int,
    corrects: int | None,
    reason: str,
    now: datetime | None,
) -> Entry:
    user, dossier = access.user, access.dossier
    if not dossier.is_open:
        raise DossierClosed()
    if kind in VOLUNTEER_BARRED and not access.may(Act.WEIGH):
        raise NotAllowed("volunteers have no afwegingskader (§1.2 Stap 5)", "volunteer")
    if kind == EntryKind.WEIGHING and dossier.acute_danger:
        answers = data.get("answers", {})
        if "no" in (answers.get("q1"), answers.get("q2")):
            raise NotAllowed(
                "acute danger is acute unsafety: q1 and q2 cannot be no",
                "acute_contradiction",
            )
    target = None
    if corrects is not None:
        target = dossier.entries.filter(sequence=corrects).first()
        if target is None or target.kind != kind:
            raise Http404("no such entry")
        later = Entry.objects.filter(corrects=target).first()
        if later is not None:
            raise StaleEdit(later, already_corrected=True)
    if kind in STATE_KINDS or target is not None:
        newer = (
            dossier.entries.filter(kind=kind, sequence__gt=seen_sequence)
            .order_by("-sequence")
            .first()
        )
        if newer is not None:
            raise StaleEdit(newer)
    if kind in CHAIN_KINDS:
        raise NotAllowed("the chain writes these entries itself", "chain_entry")
    return _write(dossier, user, kind, data, now, target, reason)


def _write(
    dossier: Dossier,
    author: User,
    kind: str,
    data: dict[str, Any],
    now: datetime | None,
    corrects: Entry | None = None,
    reason: str = "",
) -> Entry:
    """Number and write one entry on the locked ``dossier`` and refresh its summary."""
    dossier.last_sequence += 1
    entry = Entry.objects.create(
        dossier=dossier,
        sequence=dossier.last_sequence,
        kind=kind,
        data=data,
        author=author,
        created_at=now or timezone.now(),
        corrects=corrects,
        correction_reason=reason,
    )
    _refresh_progress(dossier)
    return entry


def record_from_chain(
    author: User, dossier_id: UUID | str, kind: str, data: dict[str, Any], *, now: datetime
) -> Entry:
    """Add an entry the chain writes into a dossier: an advice request or melding sent from
    it, news about it (accepted, declined, forwarded), Veilig Thuis' answer (a step-2
    consultation) or its feedback to the reporter.

    Only :mod:`baken.chain.services` calls this, inside its own transaction, after deciding
    on the ground of the share that ``author`` may; the caller writes the access-log line.
    Feedback and answers are recorded on a closed dossier too: the record must hold them.
    """
    if kind not in CHAIN_KINDS and kind != EntryKind.CONSULTATION:
        raise ValueError(f"the chain does not write {kind!r} entries")
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    return _write(dossier, author, kind, data, now)


def _refresh_progress(dossier: Dossier) -> None:
    """Keep the dossier's summary fields (for the list and its filters) in step with the record."""
    current = current_entries(list(dossier.entries.all()))
    done = steps_done(current)
    dossier.steps_done = "".join(str(step) for step in done)
    dossier.next_step = next((step for step in range(1, 6) if step not in done), 6)
    decision = latest(current, EntryKind.DECISION)
    dossier.deviates = bool(decision and decision.data.get("deviates"))
    acute = latest(current, EntryKind.ACUTE_DANGER)
    dossier.acute_danger = bool(acute and acute.data.get("active"))
    dossier.save(
        update_fields=["last_sequence", "steps_done", "next_step", "deviates", "acute_danger"]
    )


def add_colleague(access: DossierAccess, colleague_id: int, *, seen_sequence: int) -> Entry:
    """Add a colleague of the same organisation to the case team."""
    with _conflicts_as_stale(access), transaction.atomic():
        access = _locked(access)
        user, dossier = access.user, access.dossier
        colleague = User.objects.filter(
            pk=colleague_id, organisation_id=dossier.organisation_id, is_active=True
        ).first()
        if colleague is None or not colleague.works_with_dossiers:
            raise NotAllowed("only active colleagues of the same organisation join a case team")
        if dossier.team.filter(user=colleague).exists():
            raise NotAllowed("already in the case team")
        CaseTeamMember.objects.create(
            dossier=dossier, user=colleague, added_by=user, added_at=timezone.now()
        )
        entry = _append(
            access,
            EntryKind.TEAM_MEMBER,
            {"user_id": colleague.pk, "name": str(colleague)},
            seen_sequence,
            None,
            "",
            None,
        )
        _log(access, "team_member_added", entry)
        return entry


DETAIL_FIELDS = ("label", "birth_date", "age_at_opening", "exploitation_forms")


def change_details(
    access: DossierAccess,
    new: NewDossier,
    *,
    reason: str,
    seen_sequence: int,
) -> Entry:
    """Change the person's details on the dossier, keeping the old values in an entry.

    The age given now counts from now on: the dossier keeps ``age_at_opening``, so the
    age is converted back to the opening date.
    """
    for form in new.exploitation_forms:
        ExploitationForm(form)
    with _conflicts_as_stale(access), transaction.atomic():
        access = _locked(access)
        dossier = access.dossier
        if not dossier.is_open:
            raise DossierClosed()
        newer = (
            dossier.entries.filter(kind=EntryKind.DETAILS, sequence__gt=seen_sequence)
            .order_by("-sequence")
            .first()
        )
        if newer is not None:
            raise StaleEdit(newer)
        before = {name: getattr(dossier, name) for name in DETAIL_FIELDS}
        opened = timezone.localdate(dossier.opened_at)
        today = timezone.localdate()
        years_open = (
            today.year - opened.year - ((today.month, today.day) < (opened.month, opened.day))
        )
        dossier.label = new.label
        dossier.birth_date = new.birth_date
        dossier.age_at_opening = None if new.age is None else max(new.age - years_open, 0)
        changed = dossier.set_forms(new.exploitation_forms)  # the list and its columns
        dossier.save(update_fields=list(dict.fromkeys([*DETAIL_FIELDS, *changed])))
        after = {name: getattr(dossier, name) for name in DETAIL_FIELDS}

        def plain(values: dict[str, Any]) -> dict[str, Any]:
            return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}

        entry = _append(
            access,
            EntryKind.DETAILS,
            {
                "before": plain(before),
                "after": plain(after),
                "age_given": new.age,
                "reason": reason,
            },
            seen_sequence,
            None,
            "",
            None,
        )
        _log(access, "details_changed", entry)
        return entry


def close_dossier(access: DossierAccess, answers: dict[str, Any], *, seen_sequence: int) -> Entry:
    """Record the case evaluation (§1.2 Casusevaluatie) and close the dossier.

    Closing is refused while acute danger is open, and when anything at all was recorded
    since the form was opened: the evaluation must be written knowing the whole record.
    """
    with _conflicts_as_stale(access), transaction.atomic():
        access = _locked(access)
        dossier = access.dossier
        if dossier.acute_danger:
            raise NotAllowed("record first that the acute danger is over", "acute_active")
        newer = dossier.entries.filter(sequence__gt=seen_sequence).order_by("-sequence").first()
        if newer is not None:
            raise StaleEdit(newer)
        entry = _append(access, EntryKind.EVALUATION, answers, seen_sequence, None, "", None)
        dossier.closed_at = entry.created_at
        dossier.save(update_fields=["closed_at"])
        _log(access, "dossier_closed", entry)
        dossier_closed.send(sender=Dossier, dossier=dossier)
        return entry


def deviations(
    advice_report: str | None, advice_help: bool | None, report: str, help_: str
) -> list[str]:
    """Where the professional's two decisions depart from what the protocol requires.

    ``report`` and ``help_`` are the professional's ``yes``/``no``. A report the
    protocol requires but that is not made, help the weighing rules out but that is
    chosen, or help it finds possible but that is not offered, is a departure.
    """
    found = []
    if advice_report == "required" and report == "no":
        found.append("report")
    if advice_help is False and help_ == "yes":
        found.append("help")
    if advice_help is True and help_ == "no":
        found.append("help")
    return found


def record_decision(
    access: DossierAccess,
    data: dict[str, Any],
    *,
    seen_sequence: int,
    corrects: int | None = None,
    reason: str = "",
) -> Entry:
    """Record the step-5 decision with the engine's advice of this moment beside it.

    A decision that departs from the advice needs ``deviation_motivation``; it is
    stored with ``deviates`` so the dossier is flagged.
    """
    from baken.dossiers.selectors import state_of

    with _conflicts_as_stale(access), transaction.atomic():
        access = _locked(access, Act.WEIGH)
        advice = state_of(access).advice
        if not advice.decision_possible:
            raise NotAllowed("steps 1 to 4 come before the step-5 decision", "steps_missing")
        if advice.conclusion != "suspicion" or None in (
            advice.report_to_veilig_thuis,
            advice.help_possible,
        ):
            # The two decisions are taken when the suspicion remains and the weighing
            # settles both (§1.2 Stap 5); otherwise the open questions come first.
            raise NotAllowed("the weighing leaves the step-5 decisions open", "weighing_open")
        departs = deviations(
            advice.report_to_veilig_thuis, advice.help_possible, data["report"], data["help"]
        )
        if departs and not str(data.get("deviation_motivation", "")).strip():
            raise NotAllowed(
                "a decision that departs from the protocol needs a motivation",
                "motivation_missing",
            )
        stored = {
            **data,
            "advice_report": advice.report_to_veilig_thuis,
            "advice_help": advice.help_possible,
            "deviations": departs,
            "deviates": bool(departs),
        }
        entry = _append(access, EntryKind.DECISION, stored, seen_sequence, corrects, reason, None)
        _log(access, "entry_corrected" if corrects else "entry_added", entry)
        return entry


CHECKLIST_KINDS = (EntryKind.SIGNAL, EntryKind.PROFILE)


def recorded_checklist(entries: list[Entry]) -> dict[str, int]:
    """The signal and profile ids the standing entries record, with their entry numbers."""
    found: dict[str, int] = {}
    for entry in current_entries(entries):
        if entry.kind == EntryKind.SIGNAL:
            found.setdefault(str(entry.data.get("signal_id", "")), entry.sequence)
        elif entry.kind == EntryKind.PROFILE:
            found.setdefault(str(entry.data.get("profile_id", "")), entry.sequence)
    return found


def record_checklist(
    access: DossierAccess,
    signals: list[tuple[str, str]],
    profiles: list[tuple[str, str]],
    *,
    seen_sequence: int,
    now: datetime | None = None,
) -> list[Entry]:
    """Record the step-1 checklist in one go: one entry per ticked signal and profile.

    ``signals`` and ``profiles`` are (id, note) pairs; each becomes an entry of the same
    shape a single signal or profile always had (``signal_id``/``profile_id`` and ``note``),
    so older entries read the same. All or nothing, in one transaction, with one access-log
    line per entry. An id the dossier's protocol does not have is refused
    (``unknown_item``); an item a standing entry already records is a conflict when a
    colleague recorded it after ``seen_sequence`` (:class:`StaleEdit`), and refused
    (``already_recorded``) when it was already there when the form was opened.
    """
    if not signals and not profiles:
        raise NotAllowed("nothing ticked", "nothing_ticked")
    with _conflicts_as_stale(access), transaction.atomic():
        access = _locked(access)
        dossier = access.dossier
        if not dossier.is_open:
            raise DossierClosed()
        protocol = default_registry().get(dossier.protocol_id)
        index = index_of(protocol)
        for signal_id, _note in signals:
            if signal_id not in index.signals:
                raise NotAllowed(f"unknown signal {signal_id!r}", "unknown_item")
        for profile_id, _note in profiles:
            if profile_id not in index.profiles:
                raise NotAllowed(f"unknown profile {profile_id!r}", "unknown_item")
        recorded = recorded_checklist(list(dossier.entries.filter(kind__in=CHECKLIST_KINDS)))
        clashes = [
            recorded[item_id]
            for item_id in [i for i, _ in signals] + [i for i, _ in profiles]
            if item_id in recorded
        ]
        if clashes:
            newest = max(clashes)
            if newest > seen_sequence:
                raise StaleEdit(dossier.entries.get(sequence=newest))
            raise NotAllowed("already recorded", "already_recorded")
        moment = now or timezone.now()
        items = [(EntryKind.SIGNAL, "signal_id", i, n) for i, n in signals] + [
            (EntryKind.PROFILE, "profile_id", i, n) for i, n in profiles
        ]
        made = []
        for kind, key, item_id, note in items:
            entry = _append(
                access, kind, {key: item_id, "note": note}, seen_sequence, None, "", moment
            )
            _log(access, "entry_added", entry)
            made.append(entry)
        return made

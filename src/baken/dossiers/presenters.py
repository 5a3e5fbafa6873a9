"""Turn stored entries into what a page shows: Dutch labels and readable values."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from baken.dossiers.forms import ENTRY_FORMS, EvaluationForm
from baken.dossiers.models import CHAIN_KINDS, Entry, EntryKind
from baken.protocol import Protocol
from baken.protocol.index import all_signals


@dataclass(frozen=True)
class Row:
    label: str
    value: str


_FORMS: dict[tuple[str, str, str, str], forms.Form | None] = {}


def _form_for(kind: str, protocol: Protocol) -> forms.Form | None:
    """An unbound form of ``kind``, for its labels and choices; built once per language."""
    key = (kind, protocol.id, protocol.version, get_language() or "")
    if key not in _FORMS:
        form_class = EvaluationForm if kind == EntryKind.EVALUATION else ENTRY_FORMS.get(kind)
        _FORMS[key] = None if form_class is None else form_class(protocol=protocol)
    return _FORMS[key]


def _date(value: Any) -> str | None:
    """A date stored in an entry's payload as an ISO string, written as the locale writes a
    date ("28 november 2026"); None if ``value`` is not such a date."""
    if isinstance(value, date):
        return date_format(value)
    if isinstance(value, str) and len(value) == 10:
        try:
            return date_format(date.fromisoformat(value))
        except ValueError:
            return None
    return None


def _display(field: forms.Field | None, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(field, forms.DateField):
        return _date(value) or str(value)
    if field is not None and isinstance(field, forms.ChoiceField):
        flat: dict[str, str] = {}
        choices: Any = field.choices
        for key, label in choices:
            if isinstance(label, list | tuple):
                flat.update({str(k): str(v) for k, v in label})
            else:
                flat[str(key)] = str(label)
        return flat.get(str(value), str(value))
    return str(value)


def _details_rows(data: dict[str, Any]) -> list[Row]:
    from baken.dossiers.forms import FORMS

    names = {key: str(label) for key, label in FORMS}
    labels = {
        "label": _("Label (pseudonym)"),
        "birth_date": _("Date of birth"),
        "age_at_opening": _("Age when opened"),
        "exploitation_forms": _("Suspected forms of exploitation"),
    }
    result = []
    before, after = data.get("before", {}), data.get("after", {})
    for key, label in labels.items():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "exploitation_forms":
            old = ", ".join(names.get(f, f) for f in old or []) or None
            new = ", ".join(names.get(f, f) for f in new or []) or None
        if key == "birth_date":
            old, new = _date(old) or old, _date(new) or new
        result.append(Row(str(label), f"{_display(None, old)} → {_display(None, new)}"))
    result.append(Row(_("Reason"), _display(None, data.get("reason"))))
    return result


CHAIN_EVENTS = {
    "accepted": gettext_noop("accepted the report; casusregie is now with them"),
    "accepted_registration": gettext_noop("accepted the registration; casusregie is now with them"),
    "declined": gettext_noop("declined"),
    "forwarded": gettext_noop("forwarded it"),
    "withdrawn": gettext_noop("withdrawn by the sender"),
}
FEEDBACK_MOMENTS = {
    "after_safety_assessment": gettext_noop("After the safety assessment"),
    "after_investigation": gettext_noop("After the investigation"),
}


def _chain_rows(entry: Entry, protocol: Protocol, for_person: bool) -> list[Row]:
    """Readable rows for what the chain wrote into a dossier (never its internal ids)."""
    data = entry.data
    if entry.kind == EntryKind.ADVICE_REQUEST:
        return [
            Row(_("Sent to"), str(data.get("to", ""))),
            Row(_("Question"), _display(None, data.get("question"))),
            Row(_("Entries sent along"), str(data.get("entries_sent", 0))),
        ]
    if entry.kind == EntryKind.REPORT:
        basis_id = str(data.get("legal_basis", ""))
        titles = {b.id: b.title for b in protocol.chain.report.legal_bases}
        result = []
        if data.get("direction") == "received":
            sender = str(data.get("from", ""))
            if for_person and data.get("non_disclosure"):
                # Uitvoeringsbesluit Wmo 2015, art. 4.1.8: the reporter asked not to be named.
                sender = _("Not disclosed, at the reporter's request")
            result.append(Row(_("Received from"), sender))
        else:
            result.append(Row(_("Sent to"), str(data.get("to", ""))))
            result.append(Row(_("Rests on"), titles.get(basis_id, "—")))
            result.append(Row(_("Entries sent along"), str(data.get("entries_sent", 0))))
        result.append(Row(_("Date of the report"), _date(data.get("report_made")) or "—"))
        result.append(
            Row(
                _("Reporter's identity not to be disclosed"),
                _display(None, bool(data.get("non_disclosure"))),
            )
        )
        return result
    if entry.kind == EntryKind.CHAIN_STATUS:
        event = str(data.get("event", ""))
        if event == "accepted" and data.get("kind") == "registration":
            event = "accepted_registration"
        result = [Row(str(data.get("by", "")), _(CHAIN_EVENTS.get(event, event)))]
        if data.get("reason"):
            result.append(Row(_("Reason"), str(data["reason"])))
        if data.get("to"):
            result.append(Row(_("Forwarded to"), str(data["to"])))
        if data.get("note"):
            result.append(Row(_("Note"), str(data["note"])))
        return result
    if entry.kind == EntryKind.FEEDBACK:
        return [
            Row(_("From"), str(data.get("from_organisation", ""))),
            Row(_("When"), _(FEEDBACK_MOMENTS.get(str(data.get("moment")), "—"))),
            Row(
                _("Follow-up trajectory started"),
                _display(None, bool(data.get("trajectory_started"))),
            ),
            Row(_("To which parties the case went"), _display(None, data.get("parties"))),
            Row(
                _("Safety conditions and monitoring agreements that involve you"),
                _display(None, data.get("conditions")),
            ),
        ]
    return []


def _evaluation_rows(form: forms.Form, data: dict[str, Any]) -> list[Row]:
    """The case evaluation in the form's order: the four texts and, where the entry has
    them, the structured choices by their Dutch titles (an entry from before the choices
    existed shows only the texts; a choice the protocol no longer has is left out)."""
    result: list[Row] = []
    for name, field in form.fields.items():
        if name == "seen" or name not in data:
            continue
        value = data[name]
        if isinstance(field, forms.ChoiceField):
            offered: Any = field.choices
            titles = {str(key): str(label) for key, label in offered}
            chosen = value if isinstance(value, list) else [value]
            value = ", ".join(titles[str(c)] for c in chosen if str(c) in titles)
        result.append(Row(str(field.label), _display(None, value)))
    return result


RowsOf = Callable[[Entry, Protocol, bool], list[Row]]

_REGISTERED_ROWS: dict[str, RowsOf] = {}


def register_rows(kind: str, rows_of: RowsOf) -> None:
    """Let a layer above (the chain's trajectory, the screening, CoMensha) say how the
    entries it writes into a dossier read: ``rows_of(entry, protocol, for_person)``. Called
    from its app's ``ready``, so the dossier layer never imports the layers above it."""
    _REGISTERED_ROWS[kind] = rows_of


Prepare = Callable[[list[Entry], dict[tuple[Any, int], Entry]], None]

_PREPARERS: dict[str, Prepare] = {}


def register_prepare(kind: str, prepare: Prepare) -> None:
    """Let a layer above get ready, once for a whole page, what its rows of ``kind`` read
    beyond the entry itself (a procedure's status update reads the title of the procedure
    it updates): ``prepare(entries, known)`` gets the page's entries of ``kind`` and the
    entries the request already read, by (dossier id, sequence), and reads the rest in one
    query, so that a page's rows cost the same number of queries whatever it shows."""
    _PREPARERS[kind] = prepare


def rows_many(
    entries: list[Entry],
    protocol: Protocol,
    *,
    known: Iterable[Entry] = (),
    for_person: bool = False,
) -> list[list[Row]]:
    """:func:`rows` for each of ``entries`` (one page of a timeline), with what their rows
    read beyond themselves prepared once for all of them (:func:`register_prepare`);
    ``known``: entries the request has read already, which need not be read again."""
    if _PREPARERS and entries:
        by_place = {(e.dossier_id, e.sequence): e for e in [*known, *entries]}
        for kind, prepare in _PREPARERS.items():
            of_kind = [e for e in entries if e.kind == kind]
            if of_kind:
                prepare(of_kind, by_place)
    return [rows(entry, protocol, for_person=for_person) for entry in entries]


def rows(entry: Entry, protocol: Protocol, *, for_person: bool = False) -> list[Row]:
    """The entry's data as (label, value) rows in the form's field order; ``for_person``:
    as the person's inzage shows it (see :func:`baken.dossiers.export.for_person`)."""
    data = entry.data
    if entry.kind in _REGISTERED_ROWS:
        return _REGISTERED_ROWS[entry.kind](entry, protocol, for_person)
    if entry.kind in CHAIN_KINDS:
        return _chain_rows(entry, protocol, for_person)
    if entry.withdrawn:
        return [Row(_("Withdrawn"), _("This entry withdraws the one it corrects."))]
    if entry.kind == EntryKind.TEAM_MEMBER:
        return [Row(_("Colleague"), str(data.get("name", "")))]
    if entry.kind == EntryKind.DETAILS:
        return _details_rows(data)
    form = _form_for(entry.kind, protocol)
    if form is None:
        return [Row(str(key), str(value)) for key, value in data.items()]
    result: list[Row] = []
    if entry.kind == EntryKind.SIGNAL:
        signal = all_signals(protocol).get(data.get("signal_id", ""))
        result.append(Row(_("Signal"), signal.text if signal else str(data.get("signal_id"))))
        result.append(Row(_("Note"), _display(None, data.get("note"))))
        return result
    if entry.kind == EntryKind.WEIGHING:
        answers, motivations = data.get("answers", {}), data.get("motivations", {})
        for question in protocol.weighing.questions:
            answer = _display(form.fields[question.id], answers.get(question.id))
            motivation = motivations.get(question.id, "")
            result.append(Row(f"{question.number}. {question.text}", f"{answer} — {motivation}"))
        for name in ("expert_consulted", "discussed_with_person"):
            result.append(
                Row(str(form.fields[name].label), _display(form.fields[name], data.get(name)))
            )
        return result
    if entry.kind == EntryKind.EVALUATION:
        return _evaluation_rows(form, data)
    if entry.kind == EntryKind.ACUTE_DANGER and data.get("raised"):
        return [Row(_("Acute danger"), _("Recorded with the acute-danger button."))]
    for name, field in form.fields.items():
        if name == "seen" or name not in data:
            continue
        result.append(Row(str(field.label), _display(field, data[name])))
    if entry.kind == EntryKind.CONSULTATION and data.get("via_baken"):
        result.insert(
            0,
            Row(
                _("Through Baken"),
                _("%(organisation)s, advice request of %(date)s")
                % {
                    "organisation": data.get("from_organisation", ""),
                    "date": _date(data.get("asked_on")) or "",
                },
            ),
        )
    if entry.kind == EntryKind.DECISION and data.get("deviates"):
        result.append(Row(_("Departs from the protocol"), _("Yes, with a motivation")))
    return result

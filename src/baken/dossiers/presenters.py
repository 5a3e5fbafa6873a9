"""Turn stored entries into what a page shows: Dutch labels and readable values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from baken.dossiers.forms import ENTRY_FORMS, EvaluationForm
from baken.dossiers.models import Entry, EntryKind
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


def rows(entry: Entry, protocol: Protocol) -> list[Row]:
    """The entry's data as (label, value) rows in the form's field order."""
    data = entry.data
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
    if entry.kind == EntryKind.ACUTE_DANGER and data.get("raised"):
        return [Row(_("Acute danger"), _("Recorded with the acute-danger button."))]
    for name, field in form.fields.items():
        if name == "seen" or name not in data:
            continue
        result.append(Row(str(field.label), _display(field, data[name])))
    if entry.kind == EntryKind.DECISION and data.get("deviates"):
        result.append(Row(_("Departs from the protocol"), _("Yes, with a motivation")))
    return result

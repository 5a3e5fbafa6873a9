"""Forms of the zorgcoördinator's trajectory: intake, procedure, procedure status, hand-over
of casusregie, progress update and closing. Labels in English msgids, shown in Dutch; the
server says what is missing (no browser validation), and a bound form keeps what was typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baken.chain.trajectory_selectors import OTHER, ProcedureStatus
from baken.dossiers.forms import text_field as _text
from baken.protocol import Protocol

MAX_LINE = 200


def _day(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _not_future(day: date | None) -> date | None:
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("This date lies in the future."), code="future")
    return day


class IntakeForm(forms.Form):
    use_required_attribute = False

    held_on = _day(_("Date of the intake"))
    needs = _text(
        _("Needs and questions"),
        help_text=_("What the person needs and asks for (the hulpvragen), in their words."),
        rows=5,
    )
    informed = forms.MultipleChoiceField(
        label=_("The person was informed about their rights and duties in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = protocol.chain.trajectory.information_topics
        self.fields["informed"].choices = [(t.id, t.title) for t in topics]  # type: ignore[attr-defined]

    def clean_held_on(self) -> date | None:
        return _not_future(self.cleaned_data.get("held_on"))


class ProcedureForm(forms.Form):
    use_required_attribute = False

    procedure_type = forms.ChoiceField(label=_("Which procedure"), widget=forms.RadioSelect)
    name = forms.CharField(
        label=_("Name of the other procedure"),
        required=False,
        max_length=MAX_LINE,
        help_text=_("Only when you chose “Other procedure”."),
    )
    started_on = _day(_("Date started"))
    organisation = forms.CharField(
        label=_("Responsible organisation"),
        max_length=MAX_LINE,
        help_text=_("Who handles the procedure, e.g. the IND, the municipality or the shelter."),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ProcedureStatus.choices, widget=forms.RadioSelect
    )
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        procedures = protocol.chain.trajectory.procedures
        self.fields["procedure_type"].choices = [  # type: ignore[attr-defined]
            *((p.id, p.title) for p in procedures),
            (OTHER, _("Other procedure")),
        ]

    def clean_started_on(self) -> date | None:
        return _not_future(self.cleaned_data.get("started_on"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("procedure_type") == OTHER and not str(cleaned.get("name", "")).strip():
            self.add_error("name", _("Give the name of the other procedure."))
        return cleaned


class ProcedureStatusForm(forms.Form):
    use_required_attribute = False

    status = forms.ChoiceField(
        label=_("New status"), choices=ProcedureStatus.choices, widget=forms.RadioSelect
    )
    on = _day(_("Since"))
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, started_on: date | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started_on = started_on

    def clean_on(self) -> date | None:
        day = _not_future(self.cleaned_data.get("on"))
        if day is not None and self.started_on is not None and day < self.started_on:
            raise forms.ValidationError(
                _("This date lies before the day the procedure started."), code="before_start"
            )
        return day


class HandOverForm(forms.Form):
    use_required_attribute = False

    organisation = forms.TypedChoiceField(
        label=_("Hand casusregie to"), coerce=int, widget=forms.RadioSelect
    )
    reason = _text(_("Why is casusregie handed over?"))

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    use_required_attribute = False

    summary = _text(
        _("Stand van zaken"),
        help_text=_(
            "What every organisation involved needs to know now. The picture below goes with it."
        ),
        rows=5,
    )
    seen = forms.CharField(widget=forms.HiddenInput, max_length=64)
    """The fingerprint of the picture in the preview: sending checks it."""


class CloseForm(forms.Form):
    use_required_attribute = False

    outcome = forms.ChoiceField(label=_("Outcome of the trajectory"), widget=forms.RadioSelect)
    closed_on = _day(_("Date closed"))
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outcomes = protocol.chain.trajectory.outcomes
        self.fields["outcome"].choices = [(o.id, o.title) for o in outcomes]  # type: ignore[attr-defined]

    def clean_closed_on(self) -> date | None:
        return _not_future(self.cleaned_data.get("closed_on"))

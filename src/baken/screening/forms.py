"""Forms of the screeningsoverleg: planning a meeting, putting a case on the agenda, the
outcome and the inbreng in the RIEC."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from baken.accounts.models import User
from baken.dossiers.forms import text_field as _text
from baken.protocol.schema import Choice
from baken.screening.models import Meeting
from baken.screening.selectors import Attendee
from baken.screening.services import NO_FURTHER_ACTION

OTHERS = "anders"
"""The attendee choice "someone else", with the names typed beside it."""


def _day(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


class _Form(forms.Form):
    use_required_attribute = False


class MeetingForm(_Form):
    """A new screeningsoverleg: the date, the chair and who attends."""

    held_on = _day(_("Date of the screeningsoverleg"))
    chair = forms.TypedChoiceField(label=_("Chair"), coerce=int)
    attendees = forms.MultipleChoiceField(
        label=_("Who attends"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_attendees = forms.CharField(
        label=_("Others who attend"),
        required=False,
        max_length=500,
        help_text=_("Only when you ticked “Someone else”: who, and from which organisation."),
    )

    def __init__(
        self,
        *args: Any,
        chairs: list[User],
        attendees: list[Attendee],
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["chair"].choices = [("", _("Choose…"))] + [  # type: ignore[attr-defined]
            (user.pk, str(user)) for user in chairs
        ]
        self.fields["attendees"].choices = [  # type: ignore[attr-defined]
            (a.id, f"{a.name} ({a.unit})" if a.unit else a.name) for a in attendees
        ] + [(OTHERS, _("Someone else"))]

    def clean_held_on(self) -> date:
        day: date = self.cleaned_data["held_on"]
        if day < self.today:
            raise forms.ValidationError(_("Choose today or a day after today."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        others = (data.get("other_attendees") or "").strip()
        chosen = data.get("attendees") or []
        if OTHERS in chosen and not others:
            self.add_error("other_attendees", _("Say who else attends."))
        if others and OTHERS not in chosen:
            self.add_error("attendees", _("Tick “Someone else” for the others you named."))
        return data


class PlaceForm(_Form):
    """Putting a case on the screening's agenda: what the screening receives, nothing else."""

    meeting = forms.ChoiceField(label=_("Which screeningsoverleg"), widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name of the person"), max_length=200)
    birth_date = _day(_("Date of birth"), required=False)
    reason = _text(_("Reason for putting the case on the agenda"))
    goal = _text(_("Goal of the discussion"))
    partners = _text(
        _("Partners involved and their contact details"),
        help_text=_("One partner a line, with the contact person's name and phone or e-mail."),
        rows=4,
    )

    def __init__(self, *args: Any, meetings: list[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meetings = meetings
        self.fields["meeting"].choices = [  # type: ignore[attr-defined]
            (str(m.pk), date_format(m.held_on, "l j F Y")) for m in meetings
        ]


class OutcomeForm(_Form):
    """The screening's outcome for one case: one or more of the protocol's outcomes; "no
    further action" only with its reason."""

    outcomes = forms.MultipleChoiceField(
        label=_("Outcome of the screening"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one outcome.")},
    )
    reason = _text(
        _("Reason"),
        required=False,
        help_text=_("Required when no further action follows: why not."),
    )
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, choices: list[Choice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.fields["outcomes"].choices = [(c.id, c.title) for c in choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("outcomes") or []
        if NO_FURTHER_ACTION in chosen and len(chosen) > 1:
            self.add_error(
                "outcomes",
                _("“No further action” cannot go together with another outcome."),
            )
        elif NO_FURTHER_ACTION in chosen and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why no further action follows."))
        return data

    def options(self) -> list[dict[str, Any]]:
        """The outcomes as the page shows them: title, text, cite, whether ticked."""
        if self.is_bound:
            name = self.add_prefix("outcomes")
            getlist = getattr(self.data, "getlist", None)
            ticked = set(getlist(name) if getlist else self.data.get(name, []))
        else:
            ticked = set(self.initial.get("outcomes", []))
        field = self["outcomes"]
        return [
            {
                "value": choice.id,
                "dom_id": f"{field.auto_id}_{index}",
                "title": choice.title,
                "text": choice.text,
                "cite": choice.cite,
                "added": choice.added.source if choice.added else "",
                "checked": choice.id in ticked,
            }
            for index, choice in enumerate(self.choices)
        ]


class RiecForm(_Form):
    """The ketenregisseur: the day the case was brought into the RIEC-overleg."""

    contributed_on = _day(_("Brought into the RIEC-overleg on"))

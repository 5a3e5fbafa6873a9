"""The forms of the five steps. Labels in English msgids, shown in Dutch.

Each entry form turns its cleaned data into the JSON stored on the entry
(:meth:`EntryForm.entry_data`) and can be filled from a stored entry to correct it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast
from uuid import UUID

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baken.dossiers.models import EntryKind
from baken.protocol import Protocol
from baken.protocol.schema import Signal, SignalGroup

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
YES_NO_UNKNOWN = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Unknown"))]
CONSENT = [
    ("yes", _("Yes, given")),
    ("no", _("No, refused")),
    ("not_asked", _("Not asked (yet)")),
]
FORMS = [
    ("sexual", _("Sexual exploitation")),
    ("labour", _("Labour exploitation")),
    ("criminal", _("Criminal exploitation")),
    ("organ", _("Organ removal")),
    ("other", _("Other")),
]
MAX_TEXT = 5000
MAX_AGE = 120


def _text(label: Any, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _not_future(day: date | None) -> date | None:
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("This date lies in the future."))
    return day


def _plausible_birth_date(day: date | None) -> date | None:
    day = _not_future(day)
    today = timezone.localdate()
    if day is not None and (today.year - day.year) > MAX_AGE:
        raise forms.ValidationError(
            _("This date of birth is more than %(years)s years ago.") % {"years": MAX_AGE}
        )
    return day


class DossierForm(forms.Form):
    """Open a dossier: a pseudonymous label, the age or date of birth, the forms suspected."""

    use_required_attribute = False

    label = forms.CharField(
        label=_("Label (pseudonym)"),
        max_length=80,
        help_text=_("Choose a name that does not identify the person, e.g. “Casus Linde”."),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Or give the age below. Needed to know whether the person is a minor."),
    )
    age = forms.IntegerField(
        label=_("Age in years"), required=False, min_value=0, max_value=MAX_AGE
    )
    exploitation_forms = forms.MultipleChoiceField(
        label=_("Suspected forms of exploitation"),
        choices=FORMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_birth_date(self) -> date | None:
        return _plausible_birth_date(self.cleaned_data.get("birth_date"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("birth_date") is None and cleaned.get("age") is None:
            if not self.has_error("birth_date") and not self.has_error("age"):
                self.add_error(
                    "age",
                    _("Give the age or the date of birth: the protocol differs for minors."),
                )
        return cleaned


class DetailsForm(DossierForm):
    """Change the label, age or date of birth, or the forms suspected: logged as an entry."""

    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = _text(_("Why is this changed?"))


class EntryForm(forms.Form):
    """Base for the forms that add an entry; they carry the sequence number seen."""

    kind: str = ""
    use_required_attribute = False
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        self.protocol = protocol
        super().__init__(*args, **kwargs)

    def entry_data(self) -> dict[str, Any]:
        """The cleaned data as JSON, without the bookkeeping fields."""
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name in {"seen", "correction_reason", "withdraw"}:
                continue
            data[name] = value.isoformat() if isinstance(value, date) else value
        return data

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Initial values to correct a stored entry."""
        return {key: value for key, value in data.items() if key != "withdrawn"}


class CorrectionMixin(forms.Form):
    """Fields added when a form corrects an earlier entry."""

    correction_reason = _text(_("Why is this corrected?"))
    withdraw = forms.BooleanField(
        label=_("Withdraw the entry (it was wrong altogether)"), required=False
    )


class ObservationForm(EntryForm):
    kind = EntryKind.OBSERVATION
    nature = forms.ChoiceField(
        label=_("Type"),
        choices=[
            ("fact", _("Fact")),
            ("circumstance", _("Circumstance")),
            ("event", _("Event")),
            ("interpretation", _("Interpretation")),
            ("own_observation", _("Own observation")),
        ],
        help_text=_("§1.2 Stap 1: keep facts, circumstances and interpretations apart."),
    )
    observed_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        help_text=_("Who saw or said it (a role, not a name), or a document."),
    )
    description = _text(_("What was observed"))

    def clean_observed_on(self) -> date | None:
        return _not_future(self.cleaned_data.get("observed_on"))


class SignalForm(EntryForm):
    kind = EntryKind.SIGNAL
    signal_id = forms.ChoiceField(label=_("Signal from the protocol's lists"))
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, protocol=protocol, **kwargs)
        choices: list[Any] = [("", _("Choose a signal"))]
        for signal_list in protocol.signal_lists:
            for group in signal_list.groups:
                options = [(s.id, s.text) for s in iter_signals_of_group(group)]
                choices.append((f"{signal_list.title} — {group.title}", options))
        cast(forms.ChoiceField, self.fields["signal_id"]).choices = choices


def iter_signals_of_group(group: SignalGroup) -> list[Signal]:
    """The signals of one group, nested details included, in reading order."""

    def walk(signals: list[Signal]) -> list[Signal]:
        return [found for signal in signals for found in (signal, *walk(signal.details))]

    return walk(group.signals)


class ProfileForm(EntryForm):
    kind = EntryKind.PROFILE
    profile_id = forms.ChoiceField(label=_("Victim profile that fits"))
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, protocol=protocol, **kwargs)
        cast(forms.ChoiceField, self.fields["profile_id"]).choices = [
            ("", _("Choose a profile"))
        ] + [(p.id, f"{p.number}. {p.title}") for p in protocol.profiles]


class ConsultationForm(EntryForm):
    kind = EntryKind.CONSULTATION
    consulted = forms.ChoiceField(
        label=_("Consulted"),
        choices=[
            ("colleague", _("A colleague")),
            ("designated_expert", _("The designated expert (aandachtsfunctionaris)")),
            ("veilig_thuis", _("Veilig Thuis")),
            ("care_coordinator", _("The care coordinator (zorgcoördinator)")),
        ],
    )
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    advice = _text(_("Advice received"))
    agreements = _text(_("Agreements made"), required=False)

    def clean_held_on(self) -> date | None:
        return _not_future(self.cleaned_data.get("held_on"))


class ConversationForm(EntryForm):
    kind = EntryKind.CONVERSATION
    held = forms.ChoiceField(
        label=_("Was there a conversation with the person?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    held_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    discussed = _text(_("What was discussed"), required=False)
    reaction = _text(_("The person's reaction"), required=False)
    risk_factors = _text(_("Risk factors"), required=False)
    protective_factors = _text(_("Protective factors"), required=False)
    consent_to_involve = forms.ChoiceField(
        label=_("Consent to involve others"), choices=CONSENT, initial="not_asked"
    )
    consent_to_report = forms.ChoiceField(
        label=_("Consent to a report to Veilig Thuis"), choices=CONSENT, initial="not_asked"
    )
    follow_up = _text(_("Follow-up agreed"), required=False)
    not_held_reason = _text(_("Why a conversation was not possible or not safe"), required=False)

    def clean_held_on(self) -> date | None:
        return _not_future(self.cleaned_data.get("held_on"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("held") == "yes":
            if not cleaned.get("held_on") and not self.has_error("held_on"):
                self.add_error("held_on", _("Give the date of the conversation."))
            if not cleaned.get("discussed"):
                self.add_error("discussed", _("Describe what was discussed."))
        elif cleaned.get("held") == "no" and not cleaned.get("not_held_reason"):
            self.add_error(
                "not_held_reason", _("Explain why a conversation was not possible or not safe.")
            )
        return cleaned


class WeighingForm(EntryForm):
    kind = EntryKind.WEIGHING
    expert_consulted = forms.CharField(
        label=_("Expert consulted on the weighing"),
        max_length=200,
        help_text=_("A role, e.g. “aandachtsfunctionaris” or “Veilig Thuis”."),
    )
    discussed_with_person = forms.ChoiceField(
        label=_("Was the conclusion discussed with the person?"),
        choices=[("yes", _("Yes")), ("no", _("No")), ("not_safe", _("No, not safe"))],
    )

    def __init__(self, *args: Any, protocol: Protocol, acute_danger: bool = False, **kwargs: Any):
        super().__init__(*args, protocol=protocol, **kwargs)
        self.acute_danger = acute_danger
        self.questions = protocol.weighing.questions
        for question in self.questions:
            self.fields[question.id] = forms.ChoiceField(
                label=f"{question.number}. {question.text}",
                choices=YES_NO_UNKNOWN,
                widget=forms.RadioSelect,
            )
            self.fields[f"{question.id}_motivation"] = _text(_("Motivation"))

    def question_fields(self) -> list[tuple[Any, Any]]:
        """(answer field, motivation field) pairs, in question order, for the template."""
        return [(self[q.id], self[f"{q.id}_motivation"]) for q in self.questions]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.acute_danger:
            for question in ("q1", "q2"):
                if cleaned.get(question) == "no":
                    self.add_error(
                        question,
                        _(
                            "Acute danger has been recorded for this dossier: that is acute "
                            "unsafety and a reason for concern, so the answer cannot be no."
                        ),
                    )
        if cleaned.get("q1") == "no" and cleaned.get("q2") == "yes":
            self.add_error(
                "q2",
                _(
                    "Unsafety is only weighed when there is a suspicion "
                    "(question 1 yes or unknown)."
                ),
            )
        return cleaned

    def entry_data(self) -> dict[str, Any]:
        data = super().entry_data()
        data["answers"] = {q.id: data.pop(q.id) for q in self.questions}
        data["motivations"] = {q.id: data.pop(f"{q.id}_motivation") for q in self.questions}
        return data

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        initial = {k: v for k, v in data.items() if k not in {"answers", "motivations"}}
        for qid, answer in data.get("answers", {}).items():
            initial[qid] = answer
        for qid, motivation in data.get("motivations", {}).items():
            initial[f"{qid}_motivation"] = motivation
        return initial


class DecisionForm(EntryForm):
    kind = EntryKind.DECISION
    report = forms.ChoiceField(
        label=_("Is a report to Veilig Thuis needed?"), choices=YES_NO, widget=forms.RadioSelect
    )
    report_motivation = _text(_("Motivation"))
    help = forms.ChoiceField(
        label=_("Is help possible (and offered or organised)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    help_motivation = _text(_("Motivation"))
    deviation_motivation = _text(
        _("Why you depart from what the protocol requires"),
        required=False,
        help_text=_("Required when a decision departs from the advice beside this form."),
    )

    def __init__(
        self,
        *args: Any,
        protocol: Protocol,
        advice_report: str | None = None,
        advice_help: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, protocol=protocol, **kwargs)
        self.advice_report = advice_report
        self.advice_help = advice_help

    def clean(self) -> dict[str, Any]:
        from baken.dossiers.services import deviations

        cleaned = super().clean() or {}
        if cleaned.get("report") and cleaned.get("help"):
            departs = deviations(
                self.advice_report, self.advice_help, cleaned["report"], cleaned["help"]
            )
            if departs and not cleaned.get("deviation_motivation"):
                self.add_error(
                    "deviation_motivation",
                    _(
                        "Your decision departs from what the protocol requires. Explain why, "
                        "or change the decision."
                    ),
                )
        return cleaned


class AcuteDangerForm(EntryForm):
    kind = EntryKind.ACUTE_DANGER
    active = forms.ChoiceField(
        label=_("Is the danger still acute?"),
        choices=YES_NO,
        initial="yes",
        widget=forms.RadioSelect,
    )
    police_called = forms.ChoiceField(
        label=_("Were the police called?"), choices=YES_NO, widget=forms.RadioSelect
    )
    victim_consent = forms.ChoiceField(
        label=_("Did the person consent to calling the police?"),
        choices=[
            ("yes", _("Yes")),
            ("no", _("No")),
            ("not_possible", _("Could not be asked")),
        ],
        widget=forms.RadioSelect,
    )
    note = _text(_("Note"), required=False)

    def entry_data(self) -> dict[str, Any]:
        data = super().entry_data()
        data["active"] = data["active"] == "yes"
        return data

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        initial = super().initial_from(data)
        initial["active"] = "yes" if data.get("active") else "no"
        return initial


class EvaluationForm(EntryForm):
    kind = EntryKind.EVALUATION

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, protocol=protocol, **kwargs)
        self.questions = protocol.case_evaluation.questions
        for question in self.questions:
            self.fields[question.id] = _text(question.text)


class ColleagueForm(forms.Form):
    use_required_attribute = False
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    colleague = forms.TypedChoiceField(label=_("Colleague"), coerce=int)

    def __init__(self, *args: Any, colleagues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["colleague"]).choices = [
            ("", _("Choose a colleague"))
        ] + [(c.pk, f"{c} ({c.get_role_display()})") for c in colleagues]


ENTRY_FORMS: dict[str, type[EntryForm]] = {
    form.kind: form
    for form in (
        ObservationForm,
        SignalForm,
        ProfileForm,
        ConsultationForm,
        ConversationForm,
        WeighingForm,
        DecisionForm,
        AcuteDangerForm,
    )
}
"""The kinds a user records through the generic entry view (evaluation closes, so it is apart)."""


def correction_form(form_class: type[EntryForm]) -> type[EntryForm]:
    """The same form with the correction fields added."""
    return type(f"Correct{form_class.__name__}", (form_class, CorrectionMixin), {})


class BreakGlassForm(forms.Form):
    """Noodtoegang: which dossier (its reference, or a link to it) and why."""

    use_required_attribute = False

    reference = forms.CharField(
        label=_("Dossier reference"),
        max_length=300,
        help_text=_(
            "The reference shown on the dossier (“Kenmerk”), or a link to the dossier "
            "that a colleague sent you."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=20,
        max_length=2000,
        error_messages={"min_length": _("Give a reason of at least 20 characters.")},
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why you need this dossier now, outside the case team. The reason is logged and "
            "reviewed by the functioneel beheerder."
        ),
    )

    def clean_reference(self) -> UUID:
        from baken.dossiers.break_glass import parse_reference

        found = parse_reference(self.cleaned_data["reference"])
        if found is None:
            raise forms.ValidationError(
                _(
                    "This is not a dossier reference. A reference looks like "
                    "“3f2a9c1e-…” (32 characters with dashes)."
                ),
                code="reference",
            )
        return found


class BreakGlassReviewForm(forms.Form):
    """The functioneel beheerder's review of one break-glass grant."""

    use_required_attribute = False

    note = forms.CharField(
        label=_("Review note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “Reason checked with the organisation; justified.”"),
    )

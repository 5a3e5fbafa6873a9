"""The forms of the five steps. Labels in English msgids, shown in Dutch.

Each entry form turns its cleaned data into the JSON stored on the entry
(:meth:`EntryForm.entry_data`) and can be filled from a stored entry to correct it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast
from uuid import UUID

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorList
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


def text_field(
    label: Any, required: bool = True, help_text: Any = "", rows: int = 3
) -> forms.CharField:
    """A free-text field (a textarea of ``rows`` lines, at most :data:`MAX_TEXT` characters),
    as every form of Baken asks for text."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


_text = text_field


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


def _folded(text: str) -> str:
    """Text for the checklist filter: lower case, accents dropped (``café`` finds ``cafe``)."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class ChecklistItem:
    """One signal or profile of the step-1 checklist, as the template shows it."""

    id: str
    text: str
    input_name: str
    """The name of the checkbox list the item belongs to (signals or profiles)."""
    dom_id: str
    note_name: str
    note_id: str
    hint: str = ""
    checked: bool = False
    note: str = ""
    recorded: int | None = None
    """The number of the standing entry that already records this item, if any."""
    visible: bool = True
    errors: list[str] = field(default_factory=list)
    details: list[ChecklistItem] = field(default_factory=list)

    @property
    def open_note(self) -> bool:
        return bool(self.note or self.errors)

    @property
    def all_items(self) -> list[ChecklistItem]:
        return [self, *(found for d in self.details for found in d.all_items)]


@dataclass
class ChecklistGroup:
    title: str
    items: list[ChecklistItem]
    dom_id: str

    @property
    def all_items(self) -> list[ChecklistItem]:
        return [found for item in self.items for found in item.all_items]

    @property
    def visible(self) -> bool:
        return any(item.visible for item in self.all_items)

    @property
    def open(self) -> bool:
        """Open when something in it is ticked, recorded or in error (or a filter is typed)."""
        return any(i.checked or i.recorded or i.errors for i in self.all_items)

    @property
    def count(self) -> int:
        return sum(1 for i in self.all_items if i.checked or i.recorded)


@dataclass
class ChecklistSection:
    title: str
    groups: list[ChecklistGroup]
    dom_id: str

    @property
    def visible(self) -> bool:
        return any(group.visible for group in self.groups)


class SignalChecklistForm(forms.Form):
    """Step 1 in one go: tick any number of signals and profiles, each with an optional note.

    The lists, groups, sub-signals and profiles come from the dossier's protocol. Items the
    dossier already records (``recorded``: id to entry number) are shown as recorded and
    cannot be ticked again; they are corrected or withdrawn one by one, as every entry is.
    ``query`` narrows what is shown; ticked items that it hides are kept as hidden inputs.
    """

    kind = "signals"
    use_required_attribute = False
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    signal = forms.MultipleChoiceField(
        label=_("Signals"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "One of the ticked signals is not on the protocol's lists. Tick the signals "
                "again from the lists below."
            )
        },
    )
    profile = forms.MultipleChoiceField(
        label=_("Victim profiles"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "One of the ticked profiles is not one of the protocol's five profiles. Tick "
                "the profiles again from the list below."
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        protocol: Protocol,
        recorded: dict[str, int] | None = None,
        query: str = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", "signals")
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        self.recorded = recorded or {}
        self.query = query.strip()[:200]
        self.signals = {
            s.id: s
            for signal_list in protocol.signal_lists
            for group in signal_list.groups
            for s in iter_signals_of_group(group)
        }
        self.profiles = {p.id: p for p in protocol.profiles}
        cast(forms.ChoiceField, self.fields["signal"]).choices = [
            (sid, s.text) for sid, s in self.signals.items()
        ]
        cast(forms.ChoiceField, self.fields["profile"]).choices = [
            (pid, p.title) for pid, p in self.profiles.items()
        ]
        for item_id in (*self.signals, *self.profiles):
            self.fields[f"note-{item_id}"] = forms.CharField(
                label=_("Note"), required=False, max_length=MAX_TEXT, widget=forms.Textarea
            )
        self.item_errors: dict[str, list[str]] = {}

    def _ticked(self, name: str) -> list[str]:
        if not self.is_bound:
            return []
        key = self.add_prefix(name)
        data: Any = self.data
        values = data.getlist(key) if hasattr(data, "getlist") else data.get(key, [])
        return [str(v) for v in ([values] if isinstance(values, str) else values)]

    def _note(self, item_id: str) -> str:
        if not self.is_bound:
            return ""
        return str(self.data.get(self.add_prefix(f"note-{item_id}"), ""))

    def _text_of(self, item_id: str) -> str:
        if item_id in self.signals:
            return self.signals[item_id].text
        return f"{self.profiles[item_id].number}. {self.profiles[item_id].title}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ticked = [*cleaned.get("signal", []), *cleaned.get("profile", [])]
        seen = cleaned.get("seen")
        for item_id in ticked:
            # One a colleague recorded after the form was opened is the services' conflict
            # (409, with everything kept); one that was already there is an input error.
            if item_id in self.recorded and seen is not None and self.recorded[item_id] <= seen:
                self._item_error(
                    item_id,
                    _(
                        "“%(text)s” is already recorded (entry #%(n)s). Untick it here; to "
                        "add to it, correct that entry."
                    )
                    % {"text": self._text_of(item_id), "n": self.recorded[item_id]},
                )
        for item_id in (*self.signals, *self.profiles):
            if cleaned.get(f"note-{item_id}", "").strip() and item_id not in ticked:
                if self.has_error(f"note-{item_id}"):
                    continue
                self._item_error(
                    item_id,
                    _(
                        "You wrote a note for “%(text)s” but did not tick it. Tick it, or clear "
                        "the note."
                    )
                    % {"text": self._text_of(item_id)},
                )
        if not ticked and not self.errors and not self.item_errors:
            raise forms.ValidationError(
                _("Tick at least one signal or profile, then save."), code="empty"
            )
        if self.item_errors:
            raise forms.ValidationError(_("Check the ticked items named below."), code="items")
        return cleaned

    def _item_error(self, item_id: str, message: str) -> None:
        self.item_errors.setdefault(item_id, []).append(message)

    def chosen(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(signal id, note) and (profile id, note) pairs ticked, in the protocol's order."""
        data = self.cleaned_data

        def pairs(name: str, order: dict[str, Any]) -> list[tuple[str, str]]:
            ticked = set(data.get(name, []))
            return [(i, data.get(f"note-{i}", "").strip()) for i in order if i in ticked]

        return pairs("signal", self.signals), pairs("profile", self.profiles)

    # --- What the template shows --------------------------------------------------------

    def _matches(self, *texts: str) -> bool:
        words = _folded(self.query).split()
        haystack = " ".join(_folded(t) for t in texts)
        return all(word in haystack for word in words)

    def _item(self, item_id: str, name: str, text: str, hint: str, context: str) -> ChecklistItem:
        ticked = item_id in self._ticked_all
        errors = list(self.item_errors.get(item_id, []))
        note_field = f"note-{item_id}"
        errors.extend(str(e) for e in self._shown_errors().get(note_field, []))
        item = ChecklistItem(
            id=item_id,
            text=text,
            input_name=self.add_prefix(name),
            dom_id=f"id_{self.add_prefix(name)}_{item_id}",
            note_name=self.add_prefix(note_field),
            note_id=f"id_{self.add_prefix(note_field)}",
            hint=hint,
            checked=ticked,
            note=self._note(item_id),
            recorded=self.recorded.get(item_id),
            errors=errors,
        )
        item.visible = not self.query or self._matches(context, text, hint)
        return item

    def sections(self) -> list[ChecklistSection]:
        """The signal lists and the profiles, nested as the protocol has them."""
        self._ticked_all = set(self._ticked("signal")) | set(self._ticked("profile"))
        result = []
        for signal_list in self.protocol.signal_lists:
            groups = []
            for group in signal_list.groups:
                context = f"{signal_list.title} {group.title}"

                def build(signal: Signal, context: str = context) -> ChecklistItem:
                    item = self._item(signal.id, "signal", signal.text, "", context)
                    item.details = [build(d, f"{context} {signal.text}") for d in signal.details]
                    if any(d.visible for d in item.details):
                        item.visible = True
                    return item

                groups.append(
                    ChecklistGroup(
                        title=f"{group.number}. {group.title}",
                        items=[build(s) for s in group.signals],
                        dom_id=f"groep-{group.id}",
                    )
                )
            result.append(
                ChecklistSection(title=signal_list.title, groups=groups, dom_id=signal_list.id)
            )
        profiles = [
            self._item(p.id, "profile", f"{p.number}. {p.title}", p.text, "")
            for p in self.protocol.profiles
        ]
        if profiles:
            result.append(
                ChecklistSection(
                    title=str(_("Victim profiles (loverboy techniques)")),
                    groups=[ChecklistGroup(title="", items=profiles, dom_id="groep-profielen")],
                    dom_id="profielen",
                )
            )
        return result

    def _shown_errors(self) -> Any:
        """The errors of a validation that ran; a form only filtered is not validated."""
        done = getattr(self, "_errors", None)
        return done if self.is_bound and done is not None else {}

    def summary(self) -> list[tuple[str, str]]:
        """(anchor, message) lines for the error summary, each linking to its checkbox."""
        lines: list[tuple[str, str]] = []
        errors = self._shown_errors()
        if not errors:
            return lines
        if "seen" in errors:
            lines.append(
                (
                    "",
                    str(
                        _(
                            "This form was out of date and has been brought up to date. "
                            "Check it and save again."
                        )
                    ),
                )
            )
        for name in ("signal", "profile"):
            for error in errors.get(name, []):
                lines.append(("signalen-lijsten", str(error)))
        for error in errors.get(NON_FIELD_ERRORS, ErrorList()).as_data():
            if error.code == "empty":
                lines.append(("signalen-lijsten", str(error.messages[0])))
        for item_id in (*self.signals, *self.profiles):
            name = "signal" if item_id in self.signals else "profile"
            messages_ = list(self.item_errors.get(item_id, []))
            messages_ += [str(e) for e in errors.get(f"note-{item_id}", [])]
            for message in messages_:
                lines.append((f"id_{self.add_prefix(name)}_{item_id}", message))
        return lines

    def hidden_ticks(self) -> list[ChecklistItem]:
        """Items the filter hides that carry a tick or a note: sent along as hidden inputs,
        so nothing typed is lost."""
        return [
            item
            for section in self.sections()
            for group in section.groups
            for item in group.all_items
            if (item.checked or item.note) and not item.visible
        ]

    def nothing_found(self) -> bool:
        """A filter is typed and nothing on the lists matches it."""
        return bool(self.query) and not any(s.visible for s in self.sections())

    def typed(self) -> list[tuple[str, str]]:
        """What was ticked and written, as text, when it can no longer be saved."""
        result = []
        for item_id in [*self._ticked("signal"), *self._ticked("profile")]:
            if item_id in self.signals or item_id in self.profiles:
                result.append((self._text_of(item_id), self._note(item_id)))
        return result


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
            self.fields[f"{question.id}_motivation"] = _text(
                _("Motivation for question %(number)s") % {"number": question.number}
            )

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
    """The four case-evaluation questions (§1.2 Casusevaluatie), each organisation for its
    own part, with a free-text answer to each, as before.

    Questions 2 and 3 also get the protocol's structured choices
    (``case_evaluation.choices``), stored beside the texts in the entry as ``lessons`` and
    ``gaps`` (lists of choice ids) and ``worked`` (one id): what went well is counted across
    closed cases for the ketenregisseur's lessons, never the free text, which may hold
    personal data. ``worked`` is required; the gaps and lessons are optional, also when the
    chain worked only partly or not: the list cannot hold every gap, the required free text
    of question 3 says where it was, and a forced tick would count a gap that was not there.
    Entries written before the choices existed hold only the four texts, and read as before.
    """

    kind = EntryKind.EVALUATION
    STRUCTURED = {"lessons": 1, "worked": 2, "gaps": 2}
    """The structured fields and the (0-based) question they are asked with."""

    def __init__(self, *args: Any, protocol: Protocol, **kwargs: Any) -> None:
        super().__init__(*args, protocol=protocol, **kwargs)
        self.questions = protocol.case_evaluation.questions
        choices = protocol.case_evaluation.choices
        structured: dict[str, forms.Field] = {
            "lessons": forms.MultipleChoiceField(
                label=_("What should be different or better next time?"),
                choices=[(c.id, c.title) for c in choices.lessons],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Tick what applies; you may also tick nothing."),
            ),
            "worked": forms.ChoiceField(
                label=_("Did the cooperation in the chain work as it should?"),
                choices=[(c.id, c.title) for c in choices.worked],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose whether the cooperation in the chain worked.")
                },
            ),
            "gaps": forms.MultipleChoiceField(
                label=_("Where are there still gaps?"),
                choices=[(c.id, c.title) for c in choices.gaps],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Tick what applies; you may also tick nothing."),
            ),
        }
        for number, question in enumerate(self.questions):
            for name, asked_with in self.STRUCTURED.items():
                if asked_with == number:
                    self.fields[name] = structured[name]
            help_text = (
                _(
                    "Explain your answer. What you type stays in this dossier: only the "
                    "choices above count in the lessons from the chain, without personal data."
                )
                if number in self.STRUCTURED.values()
                else ""
            )
            self.fields[question.id] = _text(question.text, help_text=help_text)


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
        # The page's notice already says the reason is logged and reviewed: said once.
        help_text=_("Why you need this dossier now, outside the case team."),
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

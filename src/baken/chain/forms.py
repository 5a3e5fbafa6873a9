"""Forms of the chain: the advice request, the melding (after the Veilig Thuis
meldformulier), the aanmelding with the zorgcoördinatie (with the person's consent), the
inbox's answer, decline and forward, the feedback, and the partner link."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baken.chain import services
from baken.chain.models import PartnerRole
from baken.chain.services import CONSENT_GIVERS, CONSENT_WAYS, FEEDBACK_MOMENTS
from baken.dossiers.forms import CONSENT, MAX_AGE
from baken.dossiers.forms import text_field as _text
from baken.dossiers.models import Dossier, Entry
from baken.dossiers.selectors import age_on, protocol_of
from baken.protocol import Protocol


def _line(label: Any, required: bool = True, max_length: int = 200) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length)


class _Selecting(forms.Form):
    """A form that lets the sender choose which entries go along."""

    entries = forms.TypedMultipleChoiceField(
        label=_("Entries to send along"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only what you tick goes. The signals ticked in step 1 and the weighing's answers "
            "go as well."
        ),
    )

    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    """The dossier's newest entry number when the preview was made: sending checks it."""

    def __init__(self, *args: Any, choosable: list[tuple[Entry, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(e.sequence, text) for e, text in choosable]  # type: ignore[attr-defined]


class AdviceRequestForm(_Selecting):
    question = _text(
        _("Your question to Veilig Thuis"),
        help_text=_(
            "Keep names, addresses, schools and places out of it: an advice request is anonymous."
        ),
        rows=5,
    )
    field_order = ["question", "entries"]


class ReportForm(_Selecting):
    reporter_name = _line(_("Your name"))
    reporter_organisation = _line(_("Your organisation"))
    reporter_phone = _line(_("Your phone number"), max_length=40)
    reporter_email = forms.EmailField(label=_("Your e-mail address"), required=False)
    person_name = _line(_("Name of the person concerned"))
    person_birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    person_address = _text(_("Address or place where the person stays"), required=False, rows=2)
    parents = _text(
        _("Parents or guardians (for a minor): names and how to reach them"), required=False
    )
    network = _text(_("Supporting network: who is around the person"), required=False)
    done_so_far = _text(_("What has been done so far"))
    consent = forms.ChoiceField(label=_("Consent of the person to this report"), choices=CONSENT)
    legal_basis = forms.ChoiceField(label=_("What this report rests on"), widget=forms.RadioSelect)
    legal_basis_reason = _text(
        _("Why"),
        help_text=_("Record your reasons; they stay in your dossier and go with the report."),
    )
    family_hidden = _text(
        _("Information the family must not see"),
        required=False,
        help_text=_(
            "What you write above can be read by parents and by children over 12. Put what "
            "they must not see here."
        ),
    )
    non_disclosure = forms.BooleanField(
        label=_(
            "I ask Veilig Thuis not to tell the person or the family that the report came from me"
        ),
        required=False,
    )
    departure_motivation = _text(
        _("Why you report although your step-5 decision does not say so"), required=False
    )
    field_order = [
        "reporter_name",
        "reporter_organisation",
        "reporter_phone",
        "reporter_email",
        "person_name",
        "person_birth_date",
        "person_address",
        "parents",
        "entries",
        "network",
        "done_so_far",
        "consent",
        "legal_basis",
        "legal_basis_reason",
        "family_hidden",
        "non_disclosure",
        "departure_motivation",
    ]

    def __init__(
        self, *args: Any, protocol: Protocol, decision_says_report: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.decision_says_report = decision_says_report
        self.fields["legal_basis"].choices = [  # type: ignore[attr-defined]
            (basis.id, f"{basis.title} ({basis.cite})")
            for basis in protocol.chain.report.legal_bases
        ]
        if decision_says_report:
            del self.fields["departure_motivation"]

    def clean_entries(self) -> list[int]:
        chosen: list[int] = self.cleaned_data.get("entries") or []
        if not chosen:
            raise forms.ValidationError(
                _("Tick at least one entry that shows your concerns."), code="required"
            )
        return chosen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            not self.decision_says_report
            and not str(cleaned.get("departure_motivation", "")).strip()
        ):
            self.add_error(
                "departure_motivation",
                forms.ValidationError(
                    _("Your step-5 decision does not say report. Explain why you report anyway."),
                    code="required",
                ),
            )
        return cleaned


CONSENT_FOR_AGE = {
    "person": _("Someone of %(age)s gives consent themselves: choose “%(choice)s” (%(cite)s)."),
    "person_and_parents": _(
        "For someone of %(age)s, the person and the parents or guardian consent together: "
        "choose “%(choice)s” (%(cite)s)."
    ),
    "parents_or_guardian": _(
        "For someone of %(age)s, the parents or guardian consent: choose “%(choice)s” (%(cite)s)."
    ),
}


def consent_text(needed: str, age: int, cite: str) -> str:
    """Who must consent at the person's age, with the choice to make and the cite."""
    return str(CONSENT_FOR_AGE[needed]) % {
        "age": age,
        "choice": str(CONSENT_GIVERS[needed]).lower(),
        "cite": cite,
    }


class RegistrationForm(_Selecting):
    """The aanmelding: who registers, the person, the entries that show the concerns, the
    needs known so far, why trafficking is evident, and the person's consent."""

    sender_name = _line(_("Your name"))
    sender_organisation = _line(_("Your organisation"))
    sender_phone = _line(_("Your phone number"), max_length=40)
    sender_email = forms.EmailField(label=_("Your e-mail address"), required=False)
    person_name = _line(_("Name of the person concerned"))
    person_birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    person_age = forms.IntegerField(
        label=_("Age, if the date of birth is not known"),
        required=False,
        min_value=0,
        max_value=MAX_AGE,
    )
    person_contact = _text(
        _("How to reach the person: address, place or phone"), required=False, rows=2
    )
    person_language = _line(_("Language the person speaks"), required=False, max_length=100)
    needs = _text(
        _("Needs and questions known so far"),
        help_text=_("For example shelter, safety, income, health care, residence."),
    )
    reason = _text(
        _("Why trafficking is evident"),
        help_text=_("What you saw and heard that makes it clear; the entries you tick go along."),
    )
    consent_given_by = forms.ChoiceField(
        label=_("Who gave consent to care and shelter"),
        choices=list(CONSENT_GIVERS.items()),
        widget=forms.RadioSelect,
    )
    consent_given_on = forms.DateField(
        label=_("On which day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    consent_how = forms.ChoiceField(
        label=_("How it was given"), choices=list(CONSENT_WAYS.items()), widget=forms.RadioSelect
    )
    consent_note = _text(
        _("Note on the consent"),
        required=False,
        help_text=_("For example where the signed form is kept, or who was there."),
        rows=2,
    )
    field_order = [
        "sender_name",
        "sender_organisation",
        "sender_phone",
        "sender_email",
        "person_name",
        "person_birth_date",
        "person_age",
        "person_contact",
        "person_language",
        "entries",
        "needs",
        "reason",
        "consent_given_by",
        "consent_given_on",
        "consent_how",
        "consent_note",
    ]

    def __init__(self, *args: Any, dossier: Dossier, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.today = today
        self.dossier_knows_age = age_on(dossier, today) is not None
        if self.dossier_knows_age:
            self.fields["person_age"].help_text = _(
                "The dossier knows the age; who must consent follows from it."
            )

    def clean_entries(self) -> list[int]:
        chosen: list[int] = self.cleaned_data.get("entries") or []
        if not chosen:
            raise forms.ValidationError(
                _("Tick at least one entry that shows your concerns."), code="required"
            )
        return chosen

    def clean_consent_given_on(self) -> date:
        given: date = self.cleaned_data["consent_given_on"]
        if given > self.today:
            raise forms.ValidationError(
                _("The day the consent was given cannot be in the future."), code="future"
            )
        return given

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        born, age = cleaned.get("person_birth_date"), cleaned.get("person_age")
        if born is not None and born > self.today:
            self.add_error(
                "person_birth_date",
                forms.ValidationError(
                    _("The date of birth cannot be in the future."), code="future"
                ),
            )
            return cleaned
        if not self.dossier_knows_age and born is None and age is None:
            self.add_error(
                "person_age",
                forms.ValidationError(
                    _(
                        "Fill in the person's date of birth or age: who gives consent "
                        "depends on it."
                    ),
                    code="required",
                ),
            )
            return cleaned
        given_by, given_on = cleaned.get("consent_given_by"), cleaned.get("consent_given_on")
        if not given_by or given_on is None:
            return cleaned
        known = services.registration_age(self.dossier, born, age, given_on)
        if known is None:
            return cleaned
        refused = services.consent_problem(
            self.dossier,
            _age_only(born, age, given_by, given_on),
            today=self.today,
        )
        if refused is not None and refused.code == "age_contradicts":
            self.add_error(
                "person_birth_date" if born is not None else "person_age",
                forms.ValidationError(
                    _(
                        "The date of birth or age on this form gives another age than the "
                        "dossier. Correct one of them first: who must consent depends on it."
                    ),
                    code="contradicts",
                ),
            )
            return cleaned
        rule = protocol_of(self.dossier).chain.registration.consent
        needed = services.consent_needed(rule, known)
        if given_by != needed:
            self.add_error(
                "consent_given_by",
                forms.ValidationError(
                    consent_text(needed, known, rule.item.cite), code="not_valid_for_age"
                ),
            )
        return cleaned


def _age_only(
    born: date | None, age: int | None, given_by: str, given_on: date
) -> services.RegistrationDetails:
    """Just enough of an aanmelding for :func:`services.consent_problem` to judge the age."""
    return services.RegistrationDetails(
        sender_name="",
        sender_organisation="",
        sender_phone="",
        sender_email="",
        person_name="",
        person_birth_date=born,
        person_age=age,
        person_contact="",
        person_language="",
        needs="",
        reason="",
        consent=services.RegistrationConsent(given_by=given_by, given_on=given_on, how="written"),
    )


class AnswerForm(forms.Form):
    answer = _text(_("Your advice"), rows=6)


class DeclineForm(forms.Form):
    reason = _text(
        _("Why you decline"),
        help_text=_(
            "The sender reads this, for example: another region, or this is an advice request."
        ),
    )


class ForwardForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Forward to"), coerce=int)
    note = _text(_("Note for the sender and the recipient"), required=False)

    def __init__(self, *args: Any, partners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Choose…")), *partners]  # type: ignore[attr-defined]


class FeedbackForm(forms.Form):
    moment = forms.ChoiceField(
        label=_("When"),
        choices=[
            (FEEDBACK_MOMENTS[0], _("After the safety assessment")),
            (FEEDBACK_MOMENTS[1], _("After the investigation")),
        ],
        widget=forms.RadioSelect,
    )
    trajectory_started = forms.TypedChoiceField(
        label=_("Has a follow-up trajectory started?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    parties = _text(_("To which parties the case went"))
    conditions = _text(
        _("Safety conditions and monitoring agreements that involve you"), required=False
    )


class PartnerForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    partner = forms.ChoiceField(
        label=_("Is the protocol's"), choices=[("", _("Choose…")), *PartnerRole.choices]
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Choose…")), *organisations]  # type: ignore[attr-defined]

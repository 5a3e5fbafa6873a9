"""Forms of the CoMensha registration: who registers (the agreement), and the registration
itself. Labels in English msgids, shown in Dutch; the server says what is wrong (no browser
validation), and a bound form keeps what was typed. The registration form checks its
input with the service's own rules (:func:`baken.comensha.services.registration_problem`),
so the page and the service never disagree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baken.accounts.models import Organisation
from baken.comensha.models import ConsentSigner, Sex
from baken.comensha.services import (
    MAX_AGE,
    MAX_LINE,
    ComenshaRefused,
    RegistrationDetails,
    registration_problem,
)
from baken.dossiers.forms import text_field as _text
from baken.protocol import Protocol

REFUSED: dict[str, Any] = {
    "volunteer": gettext_lazy(
        "Volunteers do not agree on or record the registration with CoMensha; a "
        "professional of your organisation does."
    ),
    "closed": gettext_lazy("This dossier is closed; nothing more can be recorded in it."),
    "not_a_member": gettext_lazy("Choose an organisation involved in this person's chain."),
    "not_agreed": gettext_lazy(
        "First agree with the other organisations who registers with CoMensha."
    ),
    "unknown_category": gettext_lazy("Choose a form of exploitation from the list."),
    "unknown_kind": gettext_lazy("Choose a kind of registration from the list."),
    "unknown_sex": gettext_lazy("Choose the sex from the list."),
    "age_invalid": gettext_lazy("Give an age between 0 and 120."),
    "age_contradicts": gettext_lazy(
        "This age is not the one the dossier gives for the day of registration. Correct "
        "the age, or the person's details in the dossier."
    ),
    "country_missing": gettext_lazy("Fill in the country of origin."),
    "reporter_missing": gettext_lazy("Fill in the organisation of the aanmelder."),
    "contact_missing": gettext_lazy("Fill in the contact person."),
    "phone_missing": gettext_lazy("Fill in the phone number of the contact person."),
    "kept_at_missing": gettext_lazy("Write down where the signed consent form is kept."),
    "registered_in_future": gettext_lazy("This date lies in the future."),
    "consent_in_future": gettext_lazy("This date lies in the future."),
    "consent_missing": gettext_lazy("Choose who signed the written consent."),
    "consent_after_registration": gettext_lazy(
        "The consent must be signed before the registration: this date lies after the "
        "date registered."
    ),
}

FIELD_OF: dict[str, str] = {
    "not_a_member": "registering",
    "unknown_category": "category",
    "unknown_kind": "kind",
    "unknown_sex": "sex",
    "age_invalid": "age",
    "age_contradicts": "age",
    "country_missing": "country_of_origin",
    "reporter_missing": "reporter_organisation",
    "contact_missing": "contact_name",
    "phone_missing": "contact_phone",
    "kept_at_missing": "consent_kept_at",
    "registered_in_future": "registered_on",
    "consent_in_future": "consent_signed_on",
    "consent_missing": "consent_signed_by",
    "consent_after_registration": "consent_signed_on",
    "consent_not_valid_for_age": "consent_signed_by",
}
"""The field a refusal is about (the rest go at the top of the error summary)."""


def refusal_message(refused: ComenshaRefused) -> str:
    """The Dutch message for a refusal, with what it names (an organisation, a day, the
    person's age and the protocol's cite)."""
    params = refused.params
    if refused.code == "already_agreed":
        return _(
            "It has already been agreed that %(organisation)s registers with CoMensha "
            "(on %(date)s)."
        ) % {"organisation": params["organisation"], "date": date_format(params["agreed_on"])}
    if refused.code == "already_registered":
        return _("%(organisation)s already registered the person with CoMensha on %(date)s.") % {
            "organisation": params["organisation"],
            "date": date_format(params["registered_on"]),
        }
    if refused.code == "not_registering":
        return _(
            "It has been agreed that %(organisation)s registers with CoMensha; only its case "
            "team records the registration."
        ) % {"organisation": params["organisation"]}
    if refused.code == "consent_not_valid_for_age":
        if params["needed"] == ConsentSigner.PARENTS_OR_GUARDIAN:
            message = _(
                "At %(age)s the person does not sign the written consent themselves: under "
                "%(from_age)s the parents or guardian sign (%(cite)s)."
            )
        else:
            message = _(
                "At %(age)s the person signs the written consent themselves: from "
                "%(from_age)s victims sign themselves, not their parents or guardian "
                "(%(cite)s)."
            )
        return message % {
            "age": params["age"],
            "from_age": params["from_age"],
            "cite": params["cite"],
        }
    return str(REFUSED.get(refused.code, REFUSED["closed"]))


def add_refusal(form: forms.Form, refused: ComenshaRefused) -> None:
    """Put a refusal on the field it is about, or at the top of the error summary."""
    field = FIELD_OF.get(refused.code)
    form.add_error(field if field in form.fields else None, refusal_message(refused))


def _line(label: Any, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=MAX_LINE, help_text=help_text)


def _day(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label, help_text=help_text, widget=forms.DateInput(attrs={"type": "date"})
    )


class AgreementForm(forms.Form):
    """Which organisation of the person's chain registers with CoMensha, and a note."""

    use_required_attribute = False

    registering = forms.TypedChoiceField(
        label=gettext_lazy("Who registers with CoMensha?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the organisation that registers with CoMensha.")
        },
    )
    note = _text(
        gettext_lazy("Note"),
        required=False,
        help_text=gettext_lazy(
            "For example where and when you agreed this. Every organisation in this "
            "person's chain reads this note: write nothing about the person here."
        ),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["registering"]
        field.choices = [(o.pk, o.name) for o in organisations]  # type: ignore[attr-defined]


class RegistrationForm(forms.Form):
    """The registration with CoMensha as the registering organisation records it."""

    use_required_attribute = False

    category = forms.ChoiceField(
        label=gettext_lazy("Form of exploitation"),
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "CoMensha's four categories. Filled in from the dossier's forms of exploitation: "
            "check it."
        ),
    )
    country_of_origin = _line(gettext_lazy("Country of origin"))
    age = forms.IntegerField(
        label=gettext_lazy("Age at registration"),
        min_value=0,
        max_value=MAX_AGE,
        help_text=gettext_lazy("In whole years, on the day of the registration."),
    )
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), widget=forms.RadioSelect)
    reporter_organisation = _line(
        gettext_lazy("Aanmelder (organisation)"),
        help_text=gettext_lazy("The organisation that registers the person with CoMensha."),
    )
    contact_name = _line(gettext_lazy("Contact person"))
    contact_phone = _line(gettext_lazy("Phone number of the contact person"))
    contact_email = forms.EmailField(
        label=gettext_lazy("E-mail address of the contact person"),
        required=False,
        max_length=MAX_LINE,
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind of registration"), widget=forms.RadioSelect)
    registered_on = _day(
        gettext_lazy("Date registered with CoMensha"),
        help_text=gettext_lazy("The day you sent the registration to CoMensha."),
    )
    consent_signed_by = forms.ChoiceField(
        label=gettext_lazy("Who signed the written consent?"),
        widget=forms.RadioSelect,
        choices=ConsentSigner.choices,
    )
    consent_signed_on = _day(gettext_lazy("Date the consent was signed"))
    consent_kept_at = _line(
        gettext_lazy("Where the signed consent form is kept"),
        help_text=gettext_lazy(
            "For example: in the paper file at the office. Do not put a copy in Baken."
        ),
    )

    def __init__(
        self,
        *args: Any,
        protocol: Protocol,
        known_age: Callable[[date], int | None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.protocol = protocol
        self.known_age = known_age
        comensha = protocol.chain.comensha
        self.fields["category"].choices = [(c.id, c.title) for c in comensha.categories]  # type: ignore[attr-defined]
        self.fields["kind"].choices = [(k.id, k.title) for k in comensha.kinds]  # type: ignore[attr-defined]
        self.fields["sex"].choices = Sex.choices  # type: ignore[attr-defined]

    def details(self) -> RegistrationDetails:
        """The cleaned input for the service (only on a valid form)."""
        data = self.cleaned_data
        return RegistrationDetails(
            category=data["category"],
            country_of_origin=data["country_of_origin"],
            age=data["age"],
            sex=data["sex"],
            reporter_organisation=data["reporter_organisation"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"] or "",
            kind=data["kind"],
            registered_on=data["registered_on"],
            consent_signed_by=data["consent_signed_by"],
            consent_signed_on=data["consent_signed_on"],
            consent_kept_at=data["consent_kept_at"],
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        today: date = timezone.localdate()
        problem = registration_problem(self.protocol, self.details(), today, self.known_age)
        if problem is not None:
            add_refusal(self, problem)
        return cleaned

"""Forms of the functioneel beheerder and of the first-run setup.

Passwords are checked by Django's password validators (AUTH_PASSWORD_VALIDATORS) and never
shown again after an error; everything else the user typed stays in the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from baken.accounts.models import Organisation, Role, User

if TYPE_CHECKING:
    _UserCreationForm = UserCreationForm[User]
    _OrganisationModelForm = forms.ModelForm[Organisation]
    _UserModelForm = forms.ModelForm[User]
else:  # the form classes are not subscriptable at run time
    _UserCreationForm = UserCreationForm
    _OrganisationModelForm = forms.ModelForm
    _UserModelForm = forms.ModelForm

# Django 5.2's MinimumLengthValidator asks for this text, which its Dutch catalog lacks (there
# the msgid still has %(min_length)d); the accounts catalog supplies it.
PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)

EMPTY_CHOICE = _("Choose…")
"""The label of a select's empty option, instead of Django's "---------"."""


def label_empty_choices(form: forms.BaseForm) -> None:
    """Give every select of ``form`` a Dutch empty option instead of Django's "---------"
    (model fields with choices and foreign keys add that dash line by default)."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == "---------":
                field.empty_label = EMPTY_CHOICE
        elif isinstance(field, forms.ChoiceField):
            choices: list[tuple[Any, Any]] = list(cast(Iterable[tuple[Any, Any]], field.choices))
            field.choices = [
                (value, EMPTY_CHOICE if value == "" and label == "---------" else label)
                for value, label in choices
            ]


class _UserFormBase(_UserCreationForm):
    """Username (unique regardless of case), e-mail (optional, unique) and a new password.

    Templates render the widgets with ``accounts/_field.html`` (NL Design System classes,
    errors and help linked with ``aria-describedby``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("Needed to reset a forgotten password.")

    def clean_email(self) -> str:
        email: str = self.cleaned_data.get("email", "")
        if email and User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("Another user already has this e-mail address."), code="email_taken"
            )
        return email


class SetupForm(_UserFormBase):
    """The first functioneel beheerder: username, optional e-mail address, password twice."""

    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}


class _RoleFields(forms.BaseForm):
    """Role and organisation: every role but functioneel beheerder needs an organisation."""

    conditionally_required = frozenset({"organisation"})
    """Fields not marked "optional": required depending on another field (see help text)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        if isinstance(organisation, forms.ModelChoiceField):
            organisation.queryset = Organisation.objects.order_by("name")
            organisation.empty_label = _("None (only for a functioneel beheerder)")
        organisation.help_text = _("Required for every role except functioneel beheerder.")
        self.fields["role"].help_text = _(
            "A functioneel beheerder manages organisations and users and never sees dossiers."
        )
        label_empty_choices(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        role = cleaned.get("role")
        if role and role != Role.ADMINISTRATOR and cleaned.get("organisation") is None:
            self.add_error(
                "organisation",
                forms.ValidationError(
                    _("Choose the organisation this user works for."),
                    code="organisation_required",
                ),
            )
        return cleaned


class UserCreateForm(_RoleFields, _UserFormBase):
    """A new user made by the functioneel beheerder, with role and organisation."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "organisation")
        field_classes = {"username": UsernameField}


class UserRoleForm(_RoleFields, _UserModelForm):
    """Another role or organisation for an existing user."""

    class Meta:
        model = User
        fields = ("role", "organisation")


class OrganisationForm(_OrganisationModelForm):
    """A new organisation: its name (unique regardless of case) and its kind."""

    class Meta:
        model = Organisation
        fields = ("name", "kind")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_empty_choices(self)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if Organisation.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                _("An organisation with this name already exists."), code="name_taken"
            )
        return name

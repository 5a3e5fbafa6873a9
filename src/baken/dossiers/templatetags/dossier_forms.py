"""Render form fields accessibly: errors and help text tied to the input (WCAG 2.1 AA)."""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def widget(field: forms.BoundField) -> SafeString:
    """The field's input with aria-describedby pointing at its help text and errors."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_hulp")
    attrs: dict[str, str | bool] = {}
    if field.errors:
        described.append(f"{field.auto_id}_fout")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.field.required and not isinstance(
        field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
    ):
        # Required is said to assistive technology; the browser's own :invalid styling of
        # empty required fields (before anything was sent) is avoided: the forms set
        # use_required_attribute = False and the server says what is missing.
        attrs["aria-required"] = "true"
    css = "utrecht-textbox utrecht-textbox--html-input"
    if isinstance(field.field.widget, forms.Textarea):
        css = "utrecht-textarea utrecht-textarea--html-textarea"
    elif isinstance(field.field.widget, forms.Select) and not isinstance(
        field.field.widget, forms.RadioSelect
    ):
        css = "utrecht-select utrecht-select--html-select"
    elif isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "baken-choice"
    attrs["class"] = css
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_group(field: forms.BoundField) -> bool:
    """Radio buttons and checkbox lists are grouped in a fieldset with a legend."""
    return isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def exploitation_labels(forms_: list[str]) -> str:
    """The Dutch names of the exploitation forms stored on a dossier."""
    from baken.dossiers.forms import FORMS

    names = dict(FORMS)
    return ", ".join(str(names.get(key, key)) for key in forms_)


@register.filter
def plain(value: object) -> str:
    """A stored value as text for the inspection export: lists joined, mappings as pairs."""
    if isinstance(value, list | tuple):
        return ", ".join(plain(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {plain(item)}" for key, item in value.items())
    return str(value)

"""``{{ field|nlds_widget }}``: a form field's widget with its NL Design System (utrecht) class.

Works for any form, django-allauth's included. Django itself adds ``aria-invalid`` and the
``aria-describedby`` that points at ``<id>_helptext`` and ``<id>_error``.
"""

from __future__ import annotations

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


def _base_class(widget: forms.Widget) -> tuple[str, str]:
    if isinstance(widget, forms.CheckboxInput):
        return "utrecht-checkbox", "utrecht-checkbox utrecht-checkbox--html-input"
    if isinstance(widget, forms.Select):
        return "utrecht-select", "utrecht-select utrecht-select--html-select"
    if isinstance(widget, forms.Textarea):
        return "utrecht-textarea", "utrecht-textarea utrecht-textarea--html-textarea"
    return "utrecht-textbox", "utrecht-textbox utrecht-textbox--html-input"


@register.filter
def nlds_widget(field: forms.BoundField) -> SafeString:
    """Render the field's widget with the utrecht classes, marked invalid after an error."""
    block, css = _base_class(field.field.widget)
    if field.errors:
        css += f" {block}--invalid"
    extra = field.field.widget.attrs.get("class")
    return field.as_widget(attrs={"class": f"{css} {extra}" if extra else css})


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)

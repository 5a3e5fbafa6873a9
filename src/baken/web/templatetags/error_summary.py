"""The error summary at the top of a form (GOV.UK / NL Design System pattern): each line
names the question it is about and links to its field."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def summary_line(field: forms.BoundField, error: str) -> str:
    """One line of the summary: the field's label and the error, punctuated as a sentence.

    A label that is a question keeps its question mark ("Is de dreiging nog acuut? Dit veld
    is verplicht."); any other label loses a closing full stop or colon before the colon
    that joins it to the error ("Motivering bij vraag 1: Dit veld is verplicht.").
    """
    label = str(field.label or field.name).strip()
    message = str(error).strip()
    if label.endswith("?"):
        return f"{label} {message}"
    return f"{label.rstrip('.:;')}: {message}"


@register.filter
def summary_anchor(field: forms.BoundField) -> str:
    """The id a summary line links to: the group of a set of radio buttons or check boxes
    (its fieldset), else the field's own input."""
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{field.auto_id}_groep"
    return str(field.id_for_label or field.auto_id)

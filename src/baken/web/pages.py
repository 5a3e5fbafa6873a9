"""The handbook's pages: URL path, template and navigation title, in reading order."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    title: str | Promise


PAGES = (
    Page("home", "", _("Overview")),
    Page("acute", "acuut-gevaar/", _("Acute danger")),
    Page("steps", "stappenplan/", _("Step plan")),
    Page("signals", "signalen/", _("Signal lists")),
    Page("profiles", "profielen/", _("Victim profiles")),
    Page("forms", "uitbuitingsvormen/", _("Forms of exploitation")),
    Page("partners", "ketenpartners/", _("Chain partners")),
    Page("social_map", "sociale-kaart/", _("Social map")),
    Page("article_273f", "artikel-273f/", _("Art. 273f Sr")),
    Page("conversation", "gespreksvoering/", _("Conversation and consent")),
    Page("case_evaluation", "casusevaluatie/", _("Case evaluation")),
)

"""The acute-danger box shown on every page: the police numbers that apply at this moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from baken.engine.rules.acute import police_numbers, within_office_hours
from baken.protocol import Protocol, default_registry
from baken.protocol.index import index_of


def acute_context(protocol: Protocol, moment: datetime) -> dict[str, Any]:
    """The police route at ``moment``: numbers most urgent first, each with its reason."""
    items = index_of(protocol).items
    return {
        "numbers": [
            {"partner": partner, "phone": phone, "route": items[route_id]}
            for partner, phone, route_id in police_numbers(protocol, moment)
        ],
        "within_office_hours": within_office_hours(protocol.acute_danger.office_hours, moment),
    }


def acute_danger(request: HttpRequest) -> dict[str, Any]:
    """Context for ``web/_acute_danger.html`` on every page, computed for now."""
    protocol = default_registry().get()
    return {"protocol": protocol, "acute": acute_context(protocol, timezone.now())}

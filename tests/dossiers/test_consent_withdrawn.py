"""The access log's ``consent`` column comes from the newest conversation that still stands:
a withdrawn conversation (which carries its old answers, consent included) and a corrected
one count no more."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.dossiers import services
from baken.dossiers.access import _consent, consent_in
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to, standing_entries
from tests.support import conversation


def record(user: User, dossier: Dossier, data: dict[str, Any], **kwargs: Any) -> int:
    dossier.refresh_from_db()
    entry = services.record(
        access_to(user, dossier.pk),
        "conversation",
        data,
        seen_sequence=dossier.last_sequence,
        **kwargs,
    )
    return entry.sequence


def consent_read(client: Client, dossier: Dossier) -> str:
    """Open the dossier's page and return the ``consent`` of the read line it wrote."""
    assert client.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 200
    line = AccessEvent.objects.filter(dossier_id=dossier.pk, action="view").latest("pk")
    return line.consent


def withdraw_on_the_page(client: Client, dossier: Dossier, sequence: int) -> int:
    """Withdraw conversation ``sequence`` as a person does: the correction page, filled in
    with the entry's answers as the page shows them, and "withdraw" ticked."""
    dossier.refresh_from_db()
    stored = conversation("yes")
    form = {f"conversation-{name}": value for name, value in stored.items()}
    form |= {
        "conversation-seen": str(dossier.last_sequence),
        "conversation-correction_reason": "Het gesprek ging over iemand anders.",
        "conversation-withdraw": "on",
    }
    response = client.post(reverse("dossiers:correct", args=[dossier.pk, sequence]), form)
    return response.status_code


def test_a_withdrawn_conversation_no_longer_gives_consent(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """Consent given in a conversation is ``yes`` on the next read; after the conversation
    is withdrawn on its correction page, the next read says ``not_recorded``."""
    dossier = open_dossier()
    client = login(professional)
    sequence = record(professional, dossier, conversation("yes"))
    before = consent_read(client, dossier)
    status = withdraw_on_the_page(client, dossier, sequence)
    assert (before, status, consent_read(client, dossier)) == ("yes", 302, "not_recorded")


def test_after_a_withdrawal_the_earlier_standing_conversation_counts(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """An earlier conversation (consent refused), then a later one (consent given) that is
    withdrawn: the earlier one stands, so the read says ``no``."""
    dossier = open_dossier()
    client = login(professional)
    record(professional, dossier, conversation("no"))
    later = record(professional, dossier, conversation("yes"))
    withdraw_on_the_page(client, dossier, later)
    assert consent_read(client, dossier) == "no"


def test_a_corrected_conversation_counts_as_its_correction(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[[User], Client]
) -> None:
    """A conversation with consent given, corrected to consent refused: ``no``."""
    dossier = open_dossier()
    client = login(professional)
    first = record(professional, dossier, conversation("yes"))
    record(
        professional,
        dossier,
        conversation("no"),
        corrects=first,
        reason="Verkeerd genoteerd.",
    )
    assert consent_read(client, dossier) == "no"


def test_the_refused_read_carries_no_consent(
    professional: User,
    outsider: User,
    open_dossier: Callable[..., Dossier],
    login: Callable[[User], Client],
) -> None:
    """A refused read says nothing about the dossier but its id and organisation: its
    ``consent`` is ``not_applicable``, even when consent was given."""
    dossier = open_dossier()
    record(professional, dossier, conversation("yes"))
    login(outsider).get(reverse("dossiers:detail", args=[dossier.pk]))
    line = AccessEvent.objects.filter(dossier_id=dossier.pk, action="read_refused").get()
    assert line.consent == "not_applicable"


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("new"), st.sampled_from(["yes", "no", "not_asked"])),
        st.tuples(st.just("correct"), st.sampled_from(["yes", "no"])),
        st.just(("withdraw", "")),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_the_page_reads_the_consent_from_the_standing_entries_as_the_log_rule_says(
    professional: User, open_dossier: Callable[..., Dossier], steps: list[tuple[str, str]]
) -> None:
    """Whatever conversations are recorded, corrected and withdrawn, the consent a page's
    read line takes from the standing entries it read (``consent_in``) is the consent of
    the log's own rule (the newest standing conversation that is no withdrawal)."""
    dossier = open_dossier()
    standing: list[int] = []
    for step, consent in steps:
        if step == "new":
            standing.append(record(professional, dossier, conversation(consent)))
        elif standing:
            target = standing.pop()
            data = conversation("yes" if step == "withdraw" else consent)
            if step == "withdraw":
                data["withdrawn"] = True
            made = record(professional, dossier, data, corrects=target, reason="Verkeerd.")
            if step == "correct":
                standing.append(made)
    dossier.refresh_from_db()
    read = consent_in(standing_entries(Dossier.objects.get(pk=dossier.pk)).entries)
    assert read == _consent(dossier)

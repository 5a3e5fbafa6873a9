"""Advice from Veilig Thuis (adviesvraag): anyone working on the dossier asks, anonymously
(§1.2 Stap 2; volunteers too, §1.2 Stap 5); an adviser of the linked Veilig Thuis answers,
and the answer counts as the step-2 consultation."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse

from baken.accounts.models import User
from baken.audit.models import AccessEvent
from baken.chain import services as chain
from baken.chain.models import PartnerRole, Share, ShareKind, ShareStatus
from baken.chain.selectors import inbox_for
from baken.dossiers import services as dossier_services
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.selectors import access_to
from baken.notifications.models import Notification, NotificationKind
from baken.protocol import default_registry
from baken.protocol.index import all_signals
from tests.chain.conftest import QUESTION, Partners
from tests.web.stages import OBSERVATION, SIGNAL, add, closed

LABEL = "Casus Geheimnaam 5521"
BIRTH_DATE = date(2011, 4, 23)
UNSENT = "Onverstuurde observatie 8842 over de zolderkamer"


@pytest.fixture
def request_content(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> dict[str, Any]:
    """What an advice request carries from a dossier at step 4 (observation #1, signal #2
    with a note, consultation #3, conversation #4, weighing #5 with motivations) plus a
    second observation (#6) that is not selected. The sender selects #1 only, and also
    #2 and #5, which are not entries one selects (the signal and the weighing go as such)."""
    dossier = walked(4, label=LABEL, birth_date=BIRTH_DATE)
    add(professional, dossier, "observation", {**OBSERVATION, "description": UNSENT})
    share = chain.ask_advice(access_to(professional, dossier.pk), QUESTION, [1, 2, 5])
    content: dict[str, Any] = share.snapshot.content
    return content


# What goes ------------------------------------------------------------------------------


def test_the_request_carries_the_question(request_content: dict[str, Any]) -> None:
    """The snapshot holds the question as typed."""
    assert request_content["question"] == QUESTION


def test_the_request_carries_the_texts_of_the_signals(request_content: dict[str, Any]) -> None:
    """The signal ticked goes as its text from the protocol's list."""
    text = all_signals(default_registry().get())[SIGNAL["signal_id"]].text
    assert request_content["signals"] == [text]


def test_the_request_carries_only_the_selected_entry(request_content: dict[str, Any]) -> None:
    """Of the entries, only observation #1 goes: the signal and weighing selected along
    are not sent as entries."""
    assert [entry["kind"] for entry in request_content["entries"]] == ["observation"]


def test_the_selected_observation_goes_with_its_description(
    request_content: dict[str, Any],
) -> None:
    """The observation's description is among its rows."""
    values = [value for _label, value in request_content["entries"][0]["rows"]]
    assert OBSERVATION["description"] in values


def test_the_request_carries_the_weighing_answers(request_content: dict[str, Any]) -> None:
    """The five weighing questions go with the answers, in Dutch (q1 yes, q2 no, ...)."""
    answers = [answer for _question, answer in request_content["weighing"]]
    assert answers == ["Ja", "Nee", "Nee", "Onbekend", "Onbekend"]


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(LABEL, id="label"),
        pytest.param(BIRTH_DATE.isoformat(), id="birth-date-iso"),
        pytest.param("23 april 2011", id="birth-date-dutch"),
        pytest.param(SIGNAL["note"], id="signal-note"),
        pytest.param("Motivering", id="weighing-motivation"),
        pytest.param(UNSENT, id="unselected-entry"),
    ],
)
def test_the_request_never_carries_what_identifies_or_was_not_selected(
    secret: str, request_content: dict[str, Any]
) -> None:
    """No label, date of birth, signal note, weighing motivation or unselected entry is
    anywhere in the snapshot."""
    assert secret not in json.dumps(request_content, ensure_ascii=False)


# Who asks, and when ----------------------------------------------------------------------


def test_a_volunteer_in_the_case_team_may_ask(
    volunteer: User, partners: Partners, open_dossier: Callable[..., Dossier]
) -> None:
    """A volunteer's own dossier: the advice request is sent, pending at Veilig Thuis."""
    dossier = open_dossier(volunteer)
    share = chain.ask_advice(access_to(volunteer, dossier.pk), QUESTION, [])
    assert (share.kind, share.status, share.recipient) == (
        ShareKind.ADVICE_REQUEST,
        ShareStatus.PENDING,
        partners.vt,
    )


def test_a_volunteer_added_to_a_professionals_case_team_may_ask(
    professional: User,
    volunteer: User,
    partners: Partners,
    walked: Callable[..., Dossier],
) -> None:
    """A volunteer colleague in the case team asks from the professional's dossier."""
    dossier = walked(1)
    dossier_services.add_colleague(
        access_to(professional, dossier.pk), volunteer.pk, seen_sequence=dossier.last_sequence
    )
    share = chain.ask_advice(access_to(volunteer, dossier.pk), QUESTION, [1])
    assert share.sent_by == volunteer


def test_a_closed_dossier_asks_nothing(
    professional: User, partners: Partners, open_dossier: Callable[..., Dossier]
) -> None:
    """From a closed dossier the request is refused (closed) and nothing is sent."""
    dossier = closed(professional, open_dossier())
    with pytest.raises(chain.ChainRefused) as refused:
        chain.ask_advice(access_to(professional, dossier.pk), QUESTION, [1])
    assert (refused.value.code, Share.objects.count()) == ("closed", 0)


def test_without_a_linked_veilig_thuis_nothing_is_sent(
    professional: User, unlinked: Partners, walked: Callable[..., Dossier]
) -> None:
    """With no organisation linked as Veilig Thuis, the request is refused (no_partner)."""
    dossier = walked(1)
    with pytest.raises(chain.ChainRefused) as refused:
        chain.ask_advice(access_to(professional, dossier.pk), QUESTION, [1])
    assert (refused.value.code, Share.objects.count()) == ("no_partner", 0)


def test_a_request_needs_a_question(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """Only spaces as the question is refused (question_missing)."""
    dossier = walked(1)
    with pytest.raises(chain.ChainRefused) as refused:
        chain.ask_advice(access_to(professional, dossier.pk), "   ", [1])
    assert (refused.value.code, Share.objects.count()) == ("question_missing", 0)


def test_the_senders_dossier_records_the_request(professional: User, asked: Share) -> None:
    """The sender's dossier gets one advice-request entry pointing at the share."""
    shares = [
        entry.data
        for entry in Entry.objects.filter(
            dossier_id=asked.sender_dossier_id, kind=EntryKind.ADVICE_REQUEST
        )
    ]
    assert [data["share"] for data in shares] == [str(asked.pk)]


def test_sending_is_an_access_log_line_with_its_purpose(asked: Share) -> None:
    """The sender's dossier has one share_sent line, purpose advice_request."""
    purposes = list(
        AccessEvent.objects.filter(
            dossier_id=asked.sender_dossier_id, action="share_sent"
        ).values_list("purpose", flat=True)
    )
    assert purposes == ["advice_request"]


# The answer ------------------------------------------------------------------------------


def test_the_answer_counts_as_step_two(partners: Partners, asked: Share) -> None:
    """A dossier at step 1 has steps 1 and 2 done once Veilig Thuis answers."""
    chain.answer_advice(partners.adviser, asked.pk, "Bespreek het met de aandachtsfunctionaris")
    assert Dossier.objects.get(pk=asked.sender_dossier_id).steps_done == "12"


def test_the_answer_is_a_consultation_of_veilig_thuis(partners: Partners, asked: Share) -> None:
    """The new entry in the sender's dossier is a consultation with Veilig Thuis, naming
    the organisation and the advice."""
    chain.answer_advice(partners.adviser, asked.pk, "Bel ons bij nieuwe signalen")
    entry = Entry.objects.filter(dossier_id=asked.sender_dossier_id).order_by("-sequence")[0]
    assert (entry.kind, entry.data["consulted"], entry.data["from_organisation"]) == (
        EntryKind.CONSULTATION,
        "veilig_thuis",
        partners.vt.name,
    )


def test_an_answer_needs_text(partners: Partners, asked: Share) -> None:
    """An empty answer is refused (answer_missing); the request stays pending."""
    with pytest.raises(chain.ChainRefused) as refused:
        chain.answer_advice(partners.adviser, asked.pk, "  ")
    assert (refused.value.code, Share.objects.get(pk=asked.pk).status) == (
        "answer_missing",
        ShareStatus.PENDING,
    )


def test_a_request_is_answered_once(partners: Partners, asked: Share) -> None:
    """The second adviser answering after the first is told it was handled (Handled),
    and the sender's dossier holds one consultation from Veilig Thuis."""
    chain.answer_advice(partners.adviser, asked.pk, "Eerste antwoord")
    with pytest.raises(chain.Handled):
        chain.answer_advice(partners.second_adviser, asked.pk, "Tweede antwoord")
    assert (
        Entry.objects.filter(
            dossier_id=asked.sender_dossier_id, kind=EntryKind.CONSULTATION
        ).count()
        == 1
    )


def test_handled_says_who_answered(partners: Partners, asked: Share) -> None:
    """Handled carries the share as it is: answered, by the first adviser."""
    chain.answer_advice(partners.adviser, asked.pk, "Eerste antwoord")
    with pytest.raises(chain.Handled) as handled:
        chain.answer_advice(partners.second_adviser, asked.pk, "Tweede antwoord")
    assert (handled.value.share.status, handled.value.share.handled_by) == (
        ShareStatus.ANSWERED,
        partners.adviser,
    )


def test_a_withdrawn_request_is_not_answered(
    professional: User, partners: Partners, asked: Share
) -> None:
    """After the sender withdrew it, answering raises Handled (status withdrawn)."""
    chain.withdraw(access_to(professional, asked.sender_dossier_id), asked.pk)
    with pytest.raises(chain.Handled) as handled:
        chain.answer_advice(partners.adviser, asked.pk, "Te laat")
    assert handled.value.share.status == ShareStatus.WITHDRAWN


@pytest.mark.parametrize("who", ["unlinked_adviser", "professional", "coordinator"])
def test_only_an_adviser_of_the_linked_veilig_thuis_answers(
    who: str, professional: User, partners: Partners, asked: Share
) -> None:
    """An adviser of another Veilig Thuis, the sending professional or the zorgcoördinator
    gets 404: the request is not in their inbox."""
    user = professional if who == "professional" else getattr(partners, who)
    with pytest.raises(Http404):
        chain.answer_advice(user, asked.pk, "Antwoord")


def test_the_answer_is_logged_on_the_senders_dossier_as_a_transfer(
    partners: Partners, asked: Share
) -> None:
    """The line on the sender's dossier is Veilig Thuis's (its organisation), not on the
    ground of a case team."""
    chain.answer_advice(partners.adviser, asked.pk, "Antwoord")
    lines = list(
        AccessEvent.objects.filter(
            dossier_id=asked.sender_dossier_id, action="advice_answered"
        ).values_list("organisation_id", "case_team", "purpose")
    )
    assert lines == [(partners.vt.pk, False, "chain_follow_up")]


# Berichten ---------------------------------------------------------------------------------


def test_every_adviser_of_veilig_thuis_gets_a_bericht(partners: Partners, asked: Share) -> None:
    """Both advisers of the linked Veilig Thuis are told of the new request; nobody else."""
    told = set(
        Notification.objects.filter(kind=NotificationKind.NEW_ADVICE_REQUEST).values_list(
            "user_id", flat=True
        )
    )
    assert told == {partners.adviser.pk, partners.second_adviser.pk}


def test_the_sender_gets_a_bericht_about_the_answer(
    professional: User, partners: Partners, asked: Share
) -> None:
    """The sender's case team is told the request was answered, linking to the dossier."""
    chain.answer_advice(partners.adviser, asked.pk, "Antwoord")
    urls = list(
        Notification.objects.filter(
            user=professional, kind=NotificationKind.ADVICE_ANSWERED
        ).values_list("url", flat=True)
    )
    assert [url.split("#")[0] for url in urls] == [
        reverse("dossiers:detail", args=[asked.sender_dossier_id])
    ]


def test_the_zorgcoordinator_can_be_asked_directly(
    professional: User, partners: Partners, walked: Callable[..., Dossier]
) -> None:
    """An advice request to the zorgcoördinatie (§2.1: directly when trafficking is
    evident) waits in its inbox, not Veilig Thuis'; the coordinator's answer lands as a
    step-2 consultation with the zorgcoördinator."""
    dossier = walked(1)
    share = chain.ask_advice(
        access_to(professional, dossier.pk), QUESTION, [1], partner=PartnerRole.CARE_COORDINATOR
    )
    waiting = ([i.share.pk for i in inbox_for(partners.coordinator)], inbox_for(partners.adviser))
    chain.answer_advice(partners.coordinator, share.pk, "Bel ons voor een casusoverleg.")
    answer = Entry.objects.get(dossier=dossier, kind=EntryKind.CONSULTATION)
    assert (waiting, answer.data["consulted"], Dossier.objects.get(pk=dossier.pk).steps_done) == (
        ([share.pk], []),
        "care_coordinator",
        "12",
    )


def test_the_advice_page_sends_to_the_partner_asked_for(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Any],
) -> None:
    """The page at ?aan=zorgcoordinator names the zorgcoördinatie and its send button
    sends there; without it, Veilig Thuis."""
    dossier = walked(1)
    client = login(professional)
    url = reverse("chain:ask_advice", args=[dossier.pk])
    page = client.get(url + "?aan=zorgcoordinator").content.decode()
    for query in ("?aan=zorgcoordinator", ""):
        seen = Dossier.objects.get(pk=dossier.pk).last_sequence  # as the page carries it
        client.post(url + query, {"question": QUESTION, "entries": [1], "seen": seen, "send": ""})
    recipients = sorted(s.recipient.name for s in Share.objects.filter(sender_dossier=dossier))
    assert (partners.care.name in page, recipients) == (
        True,
        sorted([partners.care.name, partners.vt.name]),
    )


def test_a_send_after_something_was_recorded_shows_the_preview_again(
    professional: User,
    partners: Partners,
    walked: Callable[..., Dossier],
    login: Callable[..., Any],
) -> None:
    """When a colleague records something between the preview and "send", nothing is sent
    (409): the page shows the preview again, brought up to date, with what was typed."""
    dossier = walked(1)
    client = login(professional)
    url = reverse("chain:ask_advice", args=[dossier.pk])
    stale = Dossier.objects.get(pk=dossier.pk).last_sequence
    add(professional, dossier, "observation", OBSERVATION)
    response = client.post(url, {"question": QUESTION, "entries": [1], "seen": stale, "send": ""})
    page = response.content.decode()
    assert (
        response.status_code,
        Share.objects.filter(sender_dossier=dossier).count(),
        QUESTION in page,
        "Precies dit wordt verstuurd" in page,
    ) == (409, 0, True, True)

"""The close form's structured choices at questions 2 and 3 (§1.2 Casusevaluatie): the
required answer whether the chain worked, the optional gaps and lessons, what is stored,
how the timeline reads it, and nothing typed lost on an error."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from baken.accounts.models import User
from baken.dossiers.models import Dossier, Entry, EntryKind
from baken.dossiers.presenters import Row, rows
from baken.dossiers.selectors import protocol_of
from tests.web.stages import seen

TEXTS = {
    "evaluation-evaluatie-1": "Getypt antwoord een",
    "evaluation-evaluatie-2": "Getypt antwoord twee",
    "evaluation-evaluatie-3": "Getypt antwoord drie",
    "evaluation-evaluatie-4": "Getypt antwoord vier",
}


def _post(client: Client, dossier: Dossier, **extra: object) -> str:
    response = client.post(
        reverse("dossiers:close", args=[dossier.pk]),
        {"evaluation-seen": seen(dossier), **TEXTS, **extra},
    )
    return f"{response.status_code}\n{response.content.decode()}"


def test_without_the_answer_whether_the_chain_worked_nothing_is_closed_and_nothing_lost(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """Leaving out "Heeft de ketensamenwerking naar behoren gewerkt?" answers 400 with that
    question in the error summary; the dossier stays open, and the four texts and the ticked
    gap and lesson are still in the form."""
    dossier = open_dossier()
    page = _post(
        login(professional),
        dossier,
        **{"evaluation-gaps": ["hiaat-regie"], "evaluation-lessons": ["les-gesprek"]},
    )
    status, body = page.split("\n", 1)
    assert status == "400"
    summary = body[
        body.index("baken-error-summary") : body.index("</ul>", body.index("baken-error-summary"))
    ]
    assert re.findall(r'<a class="utrecht-link" href="([^"]+)">([^<]+)</a>', summary) == [
        (
            "#id_evaluation-worked_groep",
            "Heeft de ketensamenwerking naar behoren gewerkt? "
            "Kies of de ketensamenwerking naar behoren heeft gewerkt.",
        )
    ]
    for text in TEXTS.values():
        assert body.count(text) == 1
    assert re.search(r'<input[^>]*value="hiaat-regie"[^>]*checked', body) is not None
    assert re.search(r'<input[^>]*value="les-gesprek"[^>]*checked', body) is not None
    assert re.search(r'<input[^>]*value="hiaat-justitie"[^>]*checked', body) is None
    dossier.refresh_from_db()
    assert dossier.closed_at is None


def test_the_choices_are_stored_beside_the_four_texts(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """The evaluation entry holds the four texts, ``worked`` and the ticked gaps and lessons
    as protocol ids, in the order ticked; the dossier is closed."""
    dossier = open_dossier()
    page = _post(
        login(professional),
        dossier,
        **{
            "evaluation-worked": "ketensamenwerking-deels",
            "evaluation-gaps": ["hiaat-terugkoppeling", "hiaat-justitie"],
            "evaluation-lessons": ["les-eerder-advies"],
        },
    )
    assert page.split("\n", 1)[0] == "302"
    entry = Entry.objects.get(dossier=dossier, kind=EntryKind.EVALUATION)
    assert entry.data == {
        "evaluatie-1": "Getypt antwoord een",
        "lessons": ["les-eerder-advies"],
        "evaluatie-2": "Getypt antwoord twee",
        "worked": "ketensamenwerking-deels",
        "gaps": ["hiaat-terugkoppeling", "hiaat-justitie"],
        "evaluatie-3": "Getypt antwoord drie",
        "evaluatie-4": "Getypt antwoord vier",
    }
    dossier.refresh_from_db()
    assert dossier.closed_at is not None


def test_a_chain_that_did_not_work_needs_no_gap_ticked(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """ "Nee" with no gap ticked closes the dossier (the decision in EvaluationForm: the
    required text of question 3 says where the gap was; a forced tick would count a gap
    that was not there)."""
    dossier = open_dossier()
    page = _post(login(professional), dossier, **{"evaluation-worked": "ketensamenwerking-nee"})
    assert page.split("\n", 1)[0] == "302"
    entry = Entry.objects.get(dossier=dossier, kind=EntryKind.EVALUATION)
    assert (entry.data["worked"], entry.data["gaps"], entry.data["lessons"]) == (
        "ketensamenwerking-nee",
        [],
        [],
    )


def test_a_choice_the_protocol_does_not_offer_is_refused(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """A gap id that is not in the protocol answers 400 with Django's Dutch message for an
    invalid choice, and closes nothing."""
    dossier = open_dossier()
    page = _post(
        login(professional),
        dossier,
        **{"evaluation-worked": "ketensamenwerking-ja", "evaluation-gaps": ["hiaat-verzonnen"]},
    )
    status, body = page.split("\n", 1)
    assert status == "400"
    assert "Selecteer een geldige keuze. hiaat-verzonnen is geen beschikbare keuze." in body
    dossier.refresh_from_db()
    assert dossier.closed_at is None


def test_the_timeline_shows_the_chosen_titles_in_dutch(
    professional: User, close_one: Callable[..., Dossier]
) -> None:
    """The evaluation entry reads as the form's questions with the Dutch titles of the
    choices (never their ids); a question with nothing ticked shows a dash."""
    from tests.lessons.conftest import evaluation

    dossier = close_one(
        data=evaluation(
            "ketensamenwerking-deels",
            gaps=[],
            lessons=["les-eerder-signaleren", "les-afspraken-keten"],
        )
    )
    entry = Entry.objects.get(dossier=dossier, kind=EntryKind.EVALUATION)
    assert rows(entry, protocol_of(dossier)) == [
        Row(
            "Is het slachtoffer veilig en is de uitbuiting gestopt?",
            "Veilig in de opvang, Proefstraat 1",
        ),
        Row(
            "Wat moet de volgende keer anders of beter?", "Eerder signaleren, Afspraken in de keten"
        ),
        Row(
            "Wat heeft men geleerd van deze casus? Wat moet de volgende keer anders/beter?",
            "Eerder overleggen met Persoon Proefnaam",
        ),
        Row("Heeft de ketensamenwerking naar behoren gewerkt?", "Deels"),
        Row("Waar bevinden zich nog hiaten?", "—"),
        Row(
            "Heeft de ketensamenwerking naar behoren gewerkt en waar bevinden zich nog hiaten?",
            "Goed afgestemd",
        ),
        Row(
            "Afstemming met ketenpartners over wie melding maakt bij CoMensha.",
            "De zorgcoördinator meldt",
        ),
    ]


def test_an_evaluation_from_before_the_choices_reads_as_before(
    professional: User, close_one: Callable[..., Dossier]
) -> None:
    """An evaluation entry with only the four texts (written before the choices existed)
    shows the four questions and their answers, nothing else."""
    dossier = close_one(data={f"evaluatie-{n}": f"Oud antwoord {n}" for n in range(1, 5)})
    entry = Entry.objects.get(dossier=dossier, kind=EntryKind.EVALUATION)
    protocol = protocol_of(dossier)
    assert rows(entry, protocol) == [
        Row(q.text, f"Oud antwoord {n}")
        for n, q in enumerate(protocol.case_evaluation.questions, start=1)
    ]


def test_the_close_page_asks_for_the_own_part_and_offers_the_choices_by_title(
    professional: User, open_dossier: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """The close page says to answer for the own organisation's part, offers Ja / Deels /
    Nee as radio buttons in a fieldset, and cites the k = 11 rule in its explanation."""
    dossier = open_dossier()
    body = login(professional).get(reverse("dossiers:close", args=[dossier.pk])).content.decode()
    assert "Beantwoord de vragen voor het deel dat je eigen organisatie had." in body
    legend = re.search(r'id="id_evaluation-worked_groep">\s*<legend[^>]*>([^<]+)', body)
    assert legend is not None
    assert legend.group(1).strip() == "Heeft de ketensamenwerking naar behoren gewerkt?"
    labels = re.findall(
        r'<input type="radio" name="evaluation-worked" value="[^"]+"[^>]*>\s*([^<]+?)\s*</label>',
        body,
    )
    assert labels == ["Ja", "Deels", "Nee"]
    assert "Counter Trafficking Data Collaborative (CTDC), k-anonimiteit met k = 11" in body

"""The ketenregisseur's lessons page (``lessons:index``, ``/lessen/``): only the
ketenregisseur of the linked municipality sees it, every view is logged, a grouping shows
from 11 closed cases and is hidden below, with complementary suppression, and no internal
identifier is on the page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.audit.models import AccessEvent
from baken.chain import services as chain
from baken.chain.models import PartnerRole
from baken.dossiers.models import Dossier
from tests.lessons.conftest import Chain, evaluation

HIDDEN_WHOLE = "Minder dan 11 casussen: niet getoond"
HIDDEN_GROUP = (
    "Minder dan 11 casussen, of verborgen om een kleine groep te beschermen: niet getoond"
)
WORKED = (
    ["ketensamenwerking-ja"] * 6 + ["ketensamenwerking-deels"] * 3 + ["ketensamenwerking-nee"] * 2
)


def _page(client: Client) -> str:
    response = client.get(reverse("lessons:index"))
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def _groups(main: str) -> list[tuple[str, str]]:
    """Every group heading (h2 of the whole, h3 of a dimension's group) with the paragraph
    after it: the number of cases or the hidden text."""
    found = re.findall(
        r'<h[23] class="utrecht-heading-[23]"(?: id="[^"]+")?>([^<]+)</h[23]>\s*'
        r'<p class="utrecht-paragraph">([^<]+)</p>',
        main,
    )
    return [(title.strip(), text.strip()) for title, text in found]


def _table(main: str, caption: str, occurrence: int = 0) -> list[tuple[str, str]]:
    """The rows (answer, count) of the ``occurrence``-th table with ``caption``."""
    tables = re.findall(
        rf'<caption class="utrecht-table__caption">{re.escape(caption)}</caption>(.*?)</table>',
        main,
        re.S,
    )
    return re.findall(
        r'<th class="utrecht-table__header-cell" scope="row">([^<]+)</th>'
        r'<td class="utrecht-table__cell utrecht-table__cell--numeric-data">(\d+)</td>',
        tables[occurrence],
    )


def test_a_grouping_of_exactly_11_cases_is_shown_with_its_counts(
    linked: Chain, close_one: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """Eleven closed cases (six "Ja", three "Deels", two "Nee"): the whole is shown with
    "11 casussen" and the count of every answer, by its Dutch title."""
    for number, worked in enumerate(WORKED):
        close_one(
            data=evaluation(
                worked,
                gaps=["hiaat-regie"] if number < 4 else [],
                lessons=["les-eerder-advies", "les-gesprek"] if number == 0 else [],
            )
        )
    main = _page(login(linked.chain_director))
    assert _groups(main)[0] == ("Alle afgesloten casussen", "11 casussen")
    assert _table(main, "Heeft de ketensamenwerking naar behoren gewerkt?") == [
        ("Ja", "6"),
        ("Deels", "3"),
        ("Nee", "2"),
    ]
    assert _table(main, "Waar bevinden zich nog hiaten?") == [
        ("Terugkoppeling aan de melder", "0"),
        ("Onduidelijk wie de regie voerde", "4"),
        ("Informatie delen", "0"),
        ("Opvang en zorg", "0"),
        ("Afstemming met politie en justitie", "0"),
        ("Bereikbaarheid van partners", "0"),
    ]
    assert _table(main, "Wat moet de volgende keer anders of beter?") == [
        ("Eerder signaleren", "0"),
        ("Eerder advies vragen", "1"),
        ("Het gesprek met de betrokkene", "1"),
        ("Vastleggen in het dossier", "0"),
        ("Afspraken in de keten", "0"),
    ]


def test_ten_cases_show_nothing_not_even_their_number(
    linked: Chain, close_one: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """Ten closed cases: the whole says "Minder dan 11 casussen: niet getoond", there is no
    table and no division (by year, kind or category), and "10" appears nowhere."""
    for worked in WORKED[:10]:
        close_one(data=evaluation(worked))
    main = _page(login(linked.chain_director))
    assert _groups(main) == [("Alle afgesloten casussen", HIDDEN_WHOLE)]
    assert (main.count("<table"), main.count("<h3"), re.findall(r"\b10\b", main)) == (0, 0, [])


def test_dossiers_closed_without_the_choices_are_not_counted(
    linked: Chain, close_one: Callable[..., Dossier], login: Callable[..., Client]
) -> None:
    """Ten cases with the choices and one closed with the four texts only (as before the
    choices existed) stay below 11: nothing is shown, and the page says such dossiers are
    not counted."""
    for worked in WORKED[:10]:
        close_one(data=evaluation(worked))
    close_one(data={f"evaluatie-{n}": "Afgerond" for n in range(1, 5)})
    main = _page(login(linked.chain_director))
    assert _groups(main) == [("Alle afgesloten casussen", HIDDEN_WHOLE)]
    assert (
        main.count(
            "Dossiers die zijn afgesloten voordat Baken om deze keuzes vroeg, tellen niet mee."
        )
        == 1
    )


def test_one_small_group_hides_the_smallest_other_group_of_its_division_too(
    linked: Chain,
    close_one: Callable[..., Dossier],
    login: Callable[..., Client],
    professional: User,
    outsider: User,
    make_user: Callable[..., User],
) -> None:
    """11 cases of a wijkteam, 11 of a school and 1 of a huisartspraktijk: the whole (23),
    the year and the category are shown; by kind of organisation, the huisartspraktijk's
    single case is hidden, and so is the wijkteam (the first of the two smallest), so that
    23 minus the school's 11 leaves two unknowns: only the school is shown."""
    practice = Organisation.objects.create(
        name="Huisartspraktijk Proef", kind=OrganisationKind.GP_PRACTICE
    )
    doctor = make_user("proef-huisarts", Role.PROFESSIONAL, practice)
    for user, number in ((professional, 11), (outsider, 11), (doctor, 1)):
        for _ in range(number):
            close_one(user)
    main = _page(login(linked.chain_director))
    year = str(Dossier.objects.first().closed_at.year)  # type: ignore[union-attr]
    assert _groups(main) == [
        ("Alle afgesloten casussen", "23 casussen"),
        (year, "23 casussen"),
        ("Wijkteam", HIDDEN_GROUP),
        ("School", "11 casussen"),
        ("Huisartspraktijk", HIDDEN_GROUP),
        ("Seksuele uitbuiting", "23 casussen"),
    ]


def test_the_page_shows_no_internal_identifier(
    linked: Chain, close_one: Callable[..., Dossier], login: Callable[..., Client], protocol
) -> None:
    """With every gap and lesson ticked somewhere, the page holds none of the protocol's
    choice ids, category ids, organisation-kind values or the protocol's id; the k = 11 rule
    is cited in a details element."""
    choices = protocol.case_evaluation.choices
    for number in range(12):
        close_one(
            data=evaluation(
                choices.worked[number % 3].id,
                gaps=[c.id for c in choices.gaps],
                lessons=[c.id for c in choices.lessons],
            ),
            forms=["sexual", "labour", "criminal", "organ", "other"],
        )
    main = _page(login(linked.chain_director))
    identifiers = [
        *(c.id for c in [*choices.worked, *choices.gaps, *choices.lessons]),
        *(c.id for c in protocol.chain.comensha.categories),
        *(kind.value for kind in OrganisationKind if "_" in kind.value),
        "neighbourhood_team",
        protocol.id,
    ]
    assert [i for i in identifiers if i in main] == []
    details = main[main.index("<details") : main.index("</details>")]
    assert (
        details.count("Counter Trafficking Data Collaborative (CTDC), k-anonimiteit met k = 11")
        == 1
    )


def test_every_view_is_one_line_in_the_access_log(
    linked: Chain, login: Callable[..., Client]
) -> None:
    """Two views of the page are two lines "lessons_viewed" (code R), about no dossier, by
    the ketenregisseur, on the municipality's responsibility."""
    client = login(linked.chain_director)
    _page(client)
    _page(client)
    lines = list(
        AccessEvent.objects.filter(action="lessons_viewed").values(
            "code",
            "dossier_id",
            "user_id",
            "role",
            "organisation_id",
            "responsible_organisation_id",
        )
    )
    line = {
        "code": "R",
        "dossier_id": None,
        "user_id": linked.chain_director.pk,
        "role": "chain_director",
        "organisation_id": linked.municipality.pk,
        "responsible_organisation_id": linked.municipality.pk,
    }
    assert lines == [line, line]


@pytest.fixture
def strangers(
    linked: Chain, administrator: User, make_user: Callable[..., User], professional: User
) -> dict[str, User]:
    """Everyone who is not the ketenregisseur of the linked municipality."""
    safety_house = Organisation.objects.create(
        name="Veiligheidshuis Proef", kind=OrganisationKind.SAFETY_HOUSE
    )
    chain.link_partner(administrator, safety_house.pk, PartnerRole.SCREENING)
    elsewhere = Organisation.objects.create(
        name="Gemeente Proef-Elders", kind=OrganisationKind.MUNICIPALITY
    )
    return {
        "procesregisseur": make_user("proef-procesregisseur", Role.PROCESS_DIRECTOR, safety_house),
        "professional": professional,
        "beheerder": administrator,
        "ketenregisseur elders": make_user("proef-keten-elders", Role.CHAIN_DIRECTOR, elsewhere),
        "professional van de gemeente": make_user(
            "proef-gemeente-prof", Role.PROFESSIONAL, linked.municipality
        ),
    }


def test_only_the_ketenregisseur_of_the_linked_municipality_sees_the_page(
    linked: Chain, strangers: dict[str, User], login: Callable[..., Client]
) -> None:
    """The procesregisseur, a professional, the functioneel beheerder, a ketenregisseur of
    a municipality that is not linked and a professional of the linked municipality all get
    404, and none of their requests is logged as a view of the lessons."""
    statuses = {
        who: login(user).get(reverse("lessons:index")).status_code
        for who, user in strangers.items()
    }
    assert statuses == {who: 404 for who in strangers}
    assert AccessEvent.objects.filter(action="lessons_viewed").count() == 0


def test_without_logging_in_the_page_sends_you_to_log_in(linked: Chain) -> None:
    """An anonymous request is redirected to the login page."""
    response = Client().get(reverse("lessons:index"))
    assert (response.status_code, response["Location"].split("?")[0]) == (
        302,
        reverse("account_login"),
    )

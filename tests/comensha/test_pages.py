"""The CoMensha pages, for who uses them: the agreement page (every organisation of the
person's chain reads it; a professional agrees), the registration form (only the
registering organisation's case team), their Dutch messages with nothing typed lost, the
panel and the status line for the dossier pages, and no internal identifier on any page."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from baken.accounts.models import User
from baken.comensha.models import Agreement, Registration
from baken.dossiers.models import Entry, EntryKind
from baken.dossiers.presenters import Row, rows
from baken.dossiers.selectors import access_to, protocol_of
from tests.comensha.conftest import NOTE, Chain, days_ago
from tests.web.test_no_internal_identifiers import leaks, visible


def detail_url(chain_dossier_pk: object) -> str:
    return reverse("comensha:detail", args=[chain_dossier_pk])


def register_url(chain_dossier_pk: object) -> str:
    return reverse("comensha:register", args=[chain_dossier_pk])


def summary(html: str) -> list[str]:
    """The lines of the page's error summary, as text."""
    found = re.search(
        r'baken-error-summary".*?<ul class="utrecht-unordered-list">(.*?)</ul>', html, re.S
    )
    if found is None:
        return []
    items = re.findall(r'<li class="utrecht-unordered-list__item">(.*?)</li>', found.group(1), re.S)
    return [visible(item)[0] for item in items]


def textarea(html: str, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return found.group(1) if found else ""


def radio_labels(html: str, name: str) -> list[str]:
    """The labels of the radio buttons named ``name``, in order."""
    return [
        visible(label)[0]
        for label in re.findall(
            rf'<label[^>]*>\s*<input type="radio" name="{name}"[^>]*>(.*?)</label>', html, re.S
        )
    ]


def today_nl() -> str:
    with translation.override("nl"):
        return date_format(timezone.localdate())


REGISTRATION_FORM = {
    "category": "comensha-seksueel",
    "country_of_origin": "Roemenië",
    "age": "14",
    "sex": "female",
    "reporter_organisation": "Veilig Thuis Proef-Midden",
    "contact_name": "Proef Adviseur",
    "contact_phone": "030 000 0002",
    "contact_email": "",
    "kind": "comensha-registratie",
    "registered_on": days_ago(1).isoformat(),
    "consent_signed_by": "person",
    "consent_signed_on": days_ago(2).isoformat(),
    "consent_kept_at": "Papieren dossier, kast 3",
}
"""A registration form for a 14-year-old who signed the consent themselves (synthetic)."""


# The agreement page -------------------------------------------------------------------------


def test_a_member_sees_the_organisations_to_choose_from(
    pair: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """The wijkteam's professional is offered the two organisations of the chain, by name."""
    page = login(professional).get(detail_url(pair.sender.pk))
    assert (page.status_code, radio_labels(page.content.decode(), "registering")) == (
        200,
        [pair.sender.organisation.name, pair.partners.vt.name],
    )


def test_agreeing_on_the_page_records_it(
    pair: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """Choosing Veilig Thuis and sending: back to the page, the agreement made."""
    response = login(professional).post(
        detail_url(pair.sender.pk), {"registering": pair.partners.vt.pk, "note": NOTE}
    )
    agreement = Agreement.objects.get()
    assert (response.status_code, response["Location"], agreement.registering_id) == (
        302,
        detail_url(pair.sender.pk),
        pair.partners.vt.pk,
    )


def test_choosing_nobody_is_refused_with_the_note_kept(
    pair: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """Sending without a choice: 400, a Dutch message, the typed note still there."""
    page = login(professional).post(detail_url(pair.sender.pk), {"note": "Mijn toelichting"})
    html = page.content.decode()
    assert (page.status_code, summary(html), textarea(html, "note")) == (
        400,
        ["Wie meldt bij CoMensha? Kies de organisatie die bij CoMensha meldt."],
        "Mijn toelichting",
    )


def test_a_second_agreement_is_refused_on_the_page(
    agreed: Chain, login: Callable[..., Client]
) -> None:
    """Veilig Thuis, its page opened before the wijkteam agreed, sends its own choice: 409,
    the Dutch message naming who registers and since when, its typed note kept."""
    page = login(agreed.partners.adviser).post(
        detail_url(agreed.vt.pk),
        {"registering": agreed.sender.organisation_id, "note": "Wij melden zelf"},
    )
    html = page.content.decode()
    assert (page.status_code, summary(html), textarea(html, "note")) == (
        409,
        [
            "Er is al afgesproken dat Veilig Thuis Proef-Midden meldt bij CoMensha "
            f"(op {today_nl()})."
        ],
        "Wij melden zelf",
    )


def test_the_other_member_sees_who_registers(
    agreed: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """After the agreement the wijkteam's page says Veilig Thuis registers; no form."""
    html = login(professional).get(detail_url(agreed.sender.pk)).content.decode()
    alert = re.search(
        r'<div class="utrecht-alert utrecht-alert--info" id="afspraak">(.*?)</div>', html, re.S
    )
    assert alert is not None
    assert (visible(alert.group(1))[0], radio_labels(html, "registering")) == (
        f"Veilig Thuis Proef-Midden meldt de persoon bij CoMensha. Afgesproken door "
        f"Wijkteam Proef-Noord op {today_nl()}. Toelichting: {NOTE}",
        [],
    )


def test_after_the_registration_every_member_sees_the_day(
    registered: Registration, agreed: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """The wijkteam reads that Veilig Thuis registered, and on which day."""
    html = login(professional).get(detail_url(agreed.sender.pk)).content.decode()
    strong = re.search(
        r'id="afspraak">\s*<p class="utrecht-paragraph"><strong>(.*?)</strong>', html, re.S
    )
    assert strong is not None
    with translation.override("nl"):
        day = date_format(days_ago(1))
    assert visible(strong.group(1))[0] == (
        f"Veilig Thuis Proef-Midden heeft de persoon op {day} gemeld bij CoMensha."
    )


def test_a_volunteer_reads_but_gets_no_form(
    pair: Chain, team_volunteer: User, login: Callable[..., Client]
) -> None:
    """The volunteer in the case team sees the page without the form; a POST is refused
    with the Dutch reason (403)."""
    client = login(team_volunteer)
    page = client.get(detail_url(pair.sender.pk))
    refused = client.post(detail_url(pair.sender.pk), {"registering": pair.partners.vt.pk})
    assert (
        page.status_code,
        radio_labels(page.content.decode(), "registering"),
        refused.status_code,
        summary(refused.content.decode()),
        Agreement.objects.count(),
    ) == (
        200,
        [],
        403,
        [
            "Vrijwilligers spreken de registratie bij CoMensha niet af en leggen die niet "
            "vast; een professional van je organisatie doet dat."
        ],
        0,
    )


def test_a_third_organisation_gets_404(
    pair: Chain, outsider: User, login: Callable[..., Client]
) -> None:
    """A professional of the school, which is not in the person's chain, gets 404 on the
    members' pages, for GET and POST."""
    client = login(outsider)
    answers = [
        client.get(detail_url(pair.sender.pk)).status_code,
        client.post(detail_url(pair.vt.pk), {"registering": pair.partners.vt.pk}).status_code,
    ]
    assert answers == [404, 404]


def test_a_dossier_outside_any_chain_has_no_page(
    open_dossier: Callable[..., object], professional: User, login: Callable[..., Client]
) -> None:
    """A dossier that is in no person's chain: 404 (there is nobody to agree with)."""
    dossier = open_dossier()
    assert login(professional).get(detail_url(dossier.pk)).status_code == 404  # type: ignore[attr-defined]


# The registration form ----------------------------------------------------------------------


def test_only_the_registering_organisation_gets_the_form(
    agreed: Chain, professional: User, login: Callable[..., Client]
) -> None:
    """Veilig Thuis' adviser opens the registration form; the wijkteam's professional gets
    404 (the wijkteam does not register)."""
    answers = (
        login(agreed.partners.adviser).get(register_url(agreed.vt.pk)).status_code,
        login(professional).get(register_url(agreed.sender.pk)).status_code,
    )
    assert answers == (200, 404)


def test_the_form_starts_from_the_dossier(agreed: Chain, login: Callable[..., Client]) -> None:
    """The sexual exploitation of the dossier gives CoMensha's first category, the age
    gives who signs, the organisation is the aanmelder."""
    page = login(agreed.partners.adviser).get(register_url(agreed.vt.pk))
    form = page.context["form"]
    assert (
        form["category"].value(),
        form["age"].value(),
        form["consent_signed_by"].value(),
        form["reporter_organisation"].value(),
    ) == ("comensha-seksueel", 16, "person", "Veilig Thuis Proef-Midden")


def test_consent_by_a_14_year_old_is_refused_with_everything_kept(
    agreed_at_14: Chain, login: Callable[..., Client]
) -> None:
    """A 14-year-old signing themselves: 400, the Dutch message with the protocol's cite,
    and every typed value still in the form."""
    page = login(agreed_at_14.partners.adviser).post(
        register_url(agreed_at_14.vt.pk), REGISTRATION_FORM
    )
    form = page.context["form"]
    assert (
        page.status_code,
        summary(page.content.decode()),
        {name: str(form[name].value()) for name in REGISTRATION_FORM},
        Registration.objects.count(),
    ) == (
        400,
        [
            "Wie tekende de toestemmingsverklaring? Met 14 jaar tekent de persoon de "
            "toestemmingsverklaring niet zelf: onder de 16 jaar tekenen de ouders of de "
            "voogd (§2.2 CoMensha)."
        ],
        REGISTRATION_FORM,
        0,
    )


def test_the_parents_consent_for_a_14_year_old_is_recorded(
    agreed_at_14: Chain, login: Callable[..., Client]
) -> None:
    """The same form with the parents' signature: recorded, back to the agreement page."""
    form = {**REGISTRATION_FORM, "consent_signed_by": "parents_or_guardian"}
    response = login(agreed_at_14.partners.adviser).post(register_url(agreed_at_14.vt.pk), form)
    assert (response.status_code, response["Location"], Registration.objects.get().age) == (
        302,
        detail_url(agreed_at_14.vt.pk),
        14,
    )


def test_an_empty_form_says_what_is_missing(agreed: Chain, login: Callable[..., Client]) -> None:
    """Nothing filled in: 400, one line per required field."""
    page = login(agreed.partners.adviser).post(register_url(agreed.vt.pk), {})
    assert (page.status_code, len(summary(page.content.decode()))) == (400, 12)


def test_after_the_registration_the_form_is_gone(
    registered: Registration, agreed: Chain, login: Callable[..., Client]
) -> None:
    """Recorded once: the form's address leads back to the agreement page."""
    response = login(agreed.partners.adviser).get(register_url(agreed.vt.pk))
    assert (response.status_code, response["Location"]) == (302, detail_url(agreed.vt.pk))


# The dossier pages' parts -------------------------------------------------------------------


def render(tag: str, user: User, dossier_pk: object) -> str:
    template = Template("{% load comensha %}{% " + tag + " access %}")
    with translation.override("nl"):
        return visible(template.render(Context({"access": access_to(user, dossier_pk)})))[0]


def test_the_panel_says_who_registers(agreed: Chain, professional: User) -> None:
    """On the wijkteam's dossier: Veilig Thuis registers, agreed today, with the link."""
    assert render("comensha_panel", professional, agreed.sender.pk) == (
        f"Registratie bij CoMensha Veilig Thuis Proef-Midden meldt de persoon bij CoMensha "
        f"(afgesproken op {today_nl()}). Naar de registratie bij CoMensha"
    )


def test_the_panel_offers_the_agreement_before_it(pair: Chain, professional: User) -> None:
    """Before the agreement: nothing agreed yet, and the link to agree."""
    assert render("comensha_panel", professional, pair.sender.pk) == (
        "Registratie bij CoMensha Er is nog niet afgesproken wie de persoon bij CoMensha "
        "meldt. Afspreken wie meldt"
    )


def test_the_status_line_for_question_4(registered: Registration, agreed: Chain) -> None:
    """On Veilig Thuis' closing page: it registered, on which day, with the cite."""
    with translation.override("nl"):
        day = date_format(days_ago(1))
    assert render("comensha_status", agreed.partners.adviser, agreed.vt.pk) == (
        f"Afstemming over wie bij CoMensha meldt: Veilig Thuis Proef-Midden heeft de persoon "
        f"op {day} gemeld bij CoMensha. Naar de registratie bij CoMensha "
        "§2.2 CoMensha; §1.2 Casusevaluatie"
    )


def test_the_status_line_outside_a_chain(
    open_dossier: Callable[..., object], professional: User
) -> None:
    """A dossier in no chain: agree outside Baken."""
    dossier = open_dossier()
    assert render("comensha_status", professional, dossier.pk) == (  # type: ignore[attr-defined]
        "Afstemming over wie bij CoMensha meldt: In Baken is geen andere organisatie bij de "
        "keten van deze persoon betrokken. Spreek buiten Baken met de ketenpartners af wie "
        "de persoon bij CoMensha meldt. §2.2 CoMensha; §1.2 Casusevaluatie"
    )


def test_the_timeline_reads_the_entries(registered: Registration, agreed: Chain) -> None:
    """The wijkteam's timeline: who registers and who agreed; then who registered, on which
    day, and the kind's title. No ids."""
    entries = Entry.objects.filter(dossier=agreed.sender, kind=EntryKind.COMENSHA).order_by(
        "sequence"
    )
    protocol = protocol_of(agreed.sender)
    with translation.override("nl"):
        found = [rows(e, protocol) for e in entries]
        day = date_format(days_ago(1))
    assert found == [
        [
            Row("Meldt bij CoMensha", "Veilig Thuis Proef-Midden"),
            Row("Afgesproken door", "Wijkteam Proef-Noord"),
        ],
        [
            Row("Gemeld bij CoMensha door", "Veilig Thuis Proef-Midden"),
            Row("Gemeld bij CoMensha op", day),
            Row("Soort registratie", "Registratie en opvang"),
        ],
    ]


# No internal identifiers --------------------------------------------------------------------


def test_no_comensha_page_shows_an_internal_identifier(
    trio: Chain, professional: User, team_volunteer: User, login: Callable[..., Client]
) -> None:
    """Every CoMensha page, for each of its users and in each state (before the agreement,
    refused, agreed, registered, bad input, printed), shows no code, protocol id, file name
    or UUID."""
    adviser = trio.partners.adviser
    vt = trio.vt.pk
    pages: list[tuple[str, str]] = []

    def take(client: Client, url: str, data: dict[str, object] | None = None) -> None:
        response = client.post(url, data) if data is not None else client.get(url)
        pages.append((url, response.content.decode()))

    me, them, volunteer = (
        login(professional),
        login(adviser, reauthenticated=True),
        login(team_volunteer),
    )
    take(me, detail_url(trio.sender.pk))
    take(volunteer, detail_url(trio.sender.pk))
    take(me, detail_url(trio.sender.pk), {"note": "x"})
    take(me, detail_url(trio.sender.pk), {"registering": trio.partners.vt.pk, "note": NOTE})
    take(me, detail_url(trio.sender.pk))
    take(them, detail_url(vt), {"registering": trio.sender.organisation_id})
    take(them, detail_url(vt))
    take(them, register_url(vt))
    take(them, register_url(vt), REGISTRATION_FORM)
    take(them, register_url(vt), {**REGISTRATION_FORM, "consent_signed_by": "parents_or_guardian"})
    take(them, detail_url(vt))
    take(me, detail_url(trio.sender.pk))
    take(login(trio.partners.coordinator), detail_url(trio.zc.pk))  # type: ignore[union-attr]
    take(them, reverse("comensha:print", args=[vt]))
    take(them, reverse("dossiers:detail", args=[vt]))
    found = {url: leaks(html) for url, html in pages if leaks(html)}
    assert (len(pages), found) == (15, {})

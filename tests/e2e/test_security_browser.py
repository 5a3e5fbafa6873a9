"""Security as a person meets it, in Chromium: setting up two-factor authentication, logging
in with a code, the lockout after repeated failures, and break-glass with a reason. Each page
on the way passes axe-core without serious or critical findings."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.audit.models import AccessEvent
from baken.dossiers import services
from baken.dossiers.models import BreakGlassGrant
from tests.e2e.conftest import (
    PASSWORD,
    describe,
    enter_code,
    log_in,
    serious_violations,
    submit_password,
)
from tests.support import enrol_totp, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Melding bij Veilig Thuis over deze jongere; afstemming met het wijkteam nodig."


def _accessible(page: Page) -> None:
    violations = serious_violations(page)
    assert not violations, describe(violations)


def test_enrolment_then_login_with_a_code(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """A new user logs in with a password, is sent to set up the authenticator app, cannot
    reach the dossiers before that, activates it with the app's code, gets recovery codes,
    and from then on logs in with password and code."""
    north = Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    User.objects.create_user(
        username="proef-nieuw", password=PASSWORD, role=Role.PROFESSIONAL, organisation=north
    )
    page = new_context().new_page()
    submit_password(page, live_server.url, "proef-nieuw")
    expect(page).to_have_url(f"{live_server.url}/account/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie instellen")
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    _accessible(page)
    page.goto(f"{live_server.url}/dossiers/")
    expect(page).to_have_url(f"{live_server.url}/account/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    enter_code(page, secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("Herstelcodes")
    expect(page.locator(".baken-recovery-codes li")).to_have_count(10)
    _accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Verder naar Baken").click()
    expect(page).to_have_url(f"{live_server.url}/dossiers/")

    with page.expect_navigation():
        page.get_by_role("button", name="Uitloggen").click()
    submit_password(page, live_server.url, "proef-nieuw")
    expect(page).to_have_url(f"{live_server.url}/account/2fa/authenticate/")
    _accessible(page)
    page.locator('[name="code"]').fill("000000")
    with page.expect_navigation():
        page.locator('main button[type="submit"]').first.click()
    expect(page.locator("main")).to_contain_text("Deze code klopt niet")
    # The code that set up the app is used; a code is accepted once, so the app's next one.
    page.locator('[name="code"]').fill(totp_code(secret, offset=1))
    with page.expect_navigation():
        page.locator('main button[type="submit"]').first.click()
    expect(page).to_have_url(f"{live_server.url}/dossiers/")


def test_lockout_after_five_failed_logins(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """Five wrong passwords lock the account: the fifth and any later attempt, even with the
    right password, shows the Dutch lockout page and logs nobody in."""
    north = Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    enrol_totp(
        User.objects.create_user(
            username="proef-doelwit", password=PASSWORD, role=Role.PROFESSIONAL, organisation=north
        )
    )
    page = new_context().new_page()
    for _ in range(4):
        submit_password(page, live_server.url, "proef-doelwit", "verkeerd-wachtwoord-1")
        expect(page.locator("main")).to_contain_text("klopt niet")
    submit_password(page, live_server.url, "proef-doelwit", "verkeerd-wachtwoord-1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account tijdelijk geblokkeerd")
    _accessible(page)
    submit_password(page, live_server.url, "proef-doelwit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account tijdelijk geblokkeerd")
    page.goto(f"{live_server.url}/dossiers/")
    expect(page).to_have_url(re.compile(r"/account/login/"))


def test_break_glass_with_a_reason(
    new_context: Callable[..., BrowserContext], live_server: Any
) -> None:
    """A Veilig Thuis adviser opens a wijkteam's dossier through emergency access: the form
    asks for a reason, the password is confirmed, the dossier opens read-only with a banner,
    and the case team sees the access under "Wie keek er"."""
    north = Organisation.objects.create(
        name="Wijkteam Proef-Noord", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    vt = Organisation.objects.create(name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS)
    owner = User.objects.create_user(
        username="proef-professional", password=PASSWORD, role=Role.PROFESSIONAL, organisation=north
    )
    adviser = User.objects.create_user(
        username="proef-vt", password=PASSWORD, role=Role.VEILIG_THUIS_ADVISER, organisation=vt
    )
    enrol_totp(owner)
    enrol_totp(adviser)
    dossier = services.open_dossier(
        owner, services.NewDossier("Casus Proef-Noodtoegang", None, 15, ["sexual"])
    )

    page = new_context().new_page()
    log_in(page, live_server.url, "proef-vt")
    response = page.goto(f"{live_server.url}/dossiers/{dossier.pk}/")
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/dossiers/")
    with page.expect_navigation():
        page.get_by_role("link", name="Noodtoegang").click()
    _accessible(page)
    form = page.locator("main form")
    form.get_by_label("Dossierkenmerk").fill(str(dossier.pk))
    form.get_by_label("Reden").fill("te kort")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page.locator(".baken-error-summary")).to_contain_text("minstens 20 tekens")
    expect(form.get_by_label("Dossierkenmerk")).to_have_value(str(dossier.pk))
    _accessible(page)
    form.get_by_label("Reden").fill(REASON)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/account/reauthenticate/"))
    _accessible(page)
    page.locator('main [name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        page.locator('main button[type="submit"]').first.click()
    expect(page).to_have_url(f"{live_server.url}/dossiers/{dossier.pk}/")
    expect(page.locator(".baken-banner--break-glass")).to_contain_text("Noodtoegang")
    _accessible(page)
    assert BreakGlassGrant.objects.get().reason == REASON
    assert AccessEvent.objects.filter(
        dossier_id=dossier.pk, user_id=adviser.pk, break_glass=True, action="view"
    ).exists()

    team_page = new_context().new_page()
    log_in(team_page, live_server.url, "proef-professional")
    team_page.goto(f"{live_server.url}/dossiers/{dossier.pk}/inzage/")
    row = team_page.locator("tbody tr", has_text="opende het dossier met noodtoegang")
    expect(row).to_contain_text("Adviseur Veilig Thuis")
    expect(row.locator("td").last).to_have_text("ja")

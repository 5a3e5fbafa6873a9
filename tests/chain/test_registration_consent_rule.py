"""The aanmelding's consent rule as a property (§2.2 CoMensha; art. 7:447 and 7:450 BW):
for any date of birth and any day of consent, the consent holds exactly when it was given
by the person from 16, by the person with the parents or guardian from 12 to 16, and by
the parents or guardian under 12, counting whole years on the day it was given."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from baken.chain import services as chain
from baken.dossiers.models import Dossier
from tests.chain.conftest import CONSENT, REGISTRATION

TODAY = date(2026, 12, 2)
GIVERS = sorted(chain.CONSENT_GIVERS)


def _expected(born: date, on: date) -> str:
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if years >= 16:
        return "person"
    if years >= 12:
        return "person_and_parents"
    return "parents_or_guardian"


@given(
    born=st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 11, 1)),
    on=st.dates(min_value=date(2026, 11, 1), max_value=TODAY),
    giver=st.sampled_from(GIVERS),
)
def test_consent_holds_exactly_for_who_may_give_it_at_that_age(
    born: date, on: date, giver: str
) -> None:
    """No refusal when the giver is the one the age asks for; otherwise the one refusal
    ``consent_not_valid_for_age``, naming that age and who must consent."""
    dossier = Dossier(protocol_id="gelderland-midden-2018", birth_date=None, age_at_opening=None)
    details = replace(
        REGISTRATION,
        person_birth_date=born,
        consent=replace(CONSENT, given_by=giver, given_on=on),
    )
    refused = chain.consent_problem(dossier, details, today=TODAY)
    needed = _expected(born, on)
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if giver == needed:
        assert refused is None
    else:
        assert refused is not None
        assert (refused.code, refused.params["age"], refused.params["needed"]) == (
            "consent_not_valid_for_age",
            years,
            needed,
        )


def test_a_date_of_birth_that_contradicts_the_dossier_is_refused() -> None:
    """The dossier says the person was born on 1 January 2009 (17 on the day of consent);
    the form says 1 June 2012 (14) with consent by the person: refused as
    ``age_contradicts``, whichever age the consent would fit."""
    dossier = Dossier(
        protocol_id="gelderland-midden-2018", birth_date=date(2009, 1, 1), age_at_opening=None
    )
    details = replace(REGISTRATION, person_birth_date=date(2012, 6, 1), consent=CONSENT)
    refused = chain.consent_problem(dossier, details, today=TODAY)
    assert refused is not None and refused.code == "age_contradicts"

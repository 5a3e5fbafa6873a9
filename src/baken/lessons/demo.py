"""The lessons' part of ``baken demo``: fourteen of the wijkteam's dossiers walked through
the five steps and closed with a case evaluation that answers the structured choices, so
the ketenregisseur's lessons page has something above k = 11 to show (and, per CoMensha
category, something it must hide). Synthetic only: the figures come from real closings
through :func:`baken.dossiers.services.close_dossier`, exactly as the close page makes them.
"""

from __future__ import annotations

from baken.accounts.models import User
from baken.dossiers import demo, services
from baken.dossiers.models import Dossier
from baken.dossiers.selectors import access_to

# label, forms of exploitation, worked, gaps, lessons
CLOSED: list[tuple[str, list[str], str, list[str], list[str]]] = [
    ("Casus Mus", ["sexual"], "ja", [], ["les-eerder-signaleren"]),
    ("Casus Spreeuw", ["sexual"], "ja", [], ["les-vastleggen"]),
    ("Casus Kievit", ["sexual"], "ja", ["hiaat-bereikbaarheid"], ["les-eerder-advies"]),
    ("Casus Gaai", ["sexual"], "ja", [], []),
    ("Casus Specht", ["sexual"], "ja", [], ["les-gesprek"]),
    ("Casus Uil", ["sexual"], "deels", ["hiaat-terugkoppeling"], ["les-afspraken-keten"]),
    ("Casus Valk", ["sexual"], "deels", ["hiaat-regie", "hiaat-informatie-delen"], []),
    ("Casus Zwaan", ["sexual"], "ja", [], ["les-eerder-signaleren", "les-eerder-advies"]),
    ("Casus Fazant", ["sexual"], "nee", ["hiaat-opvang-zorg"], ["les-afspraken-keten"]),
    ("Casus Lijster", ["sexual"], "deels", ["hiaat-terugkoppeling"], ["les-vastleggen"]),
    ("Casus Vink", ["sexual", "criminal"], "ja", [], ["les-eerder-signaleren"]),
    ("Casus Kraai", ["labour"], "nee", ["hiaat-justitie", "hiaat-regie"], ["les-eerder-advies"]),
    ("Casus Ekster", ["labour"], "deels", ["hiaat-bereikbaarheid"], []),
    ("Casus Wulp", ["criminal"], "ja", [], ["les-gesprek"]),
]
"""Eleven with sexual exploitation, three others: the whole (14), the year and the
wijkteam's kind are shown; the categories are all hidden (labour and criminal have fewer
than 11, and sexual exploitation alone would let them be worked out)."""

DECISION = {
    "report": "yes",
    "report_motivation": "Structurele onveiligheid: melden is de professionele norm.",
    "help": "yes",
    "help_motivation": "Hulp via het wijkteam, afgestemd met de zorgcoördinator.",
    "deviation_motivation": "",
}


def fill_lessons(users: dict[str, User], dossiers: list[Dossier]) -> list[Dossier]:
    """Close fourteen synthetic dossiers of ``demo-professional`` (the wijkteam) with
    varied structured evaluations; returns them. ``dossiers`` (what the demo made so far)
    is not touched: the signature is that of :data:`baken.dossiers.demo.Extension`."""
    professional = users["demo-professional"]
    closed: list[Dossier] = []
    for number, (label, forms, worked, gaps, lessons) in enumerate(CLOSED):
        case = demo.open_case(professional, label, days_ago=200 - 12 * number, age=19, forms=forms)
        signal = "sex-1-01" if "sexual" in forms else "lab-1-01"
        demo.steps_one_to_three(case, professional, signal, "Wat er speelt en wie helpt.")
        demo.weigh(case, professional, demo.ALL_YES)
        demo.step_5(case, professional, DECISION)
        services.close_dossier(
            access_to(professional, case.dossier.pk),
            {
                "evaluatie-1": "Veilig in de opvang; de uitbuiting is gestopt.",
                "lessons": lessons,
                "evaluatie-2": "Eerder de aandachtsfunctionaris betrekken bij de eerste signalen.",
                "worked": f"ketensamenwerking-{worked}",
                "gaps": gaps,
                "evaluatie-3": "Afgestemd met Veilig Thuis en de zorgcoördinator.",
                "evaluatie-4": "De zorgcoördinator meldt bij CoMensha.",
            },
            seen_sequence=case.seen,
        )
        closed.append(Dossier.objects.get(pk=case.dossier.pk))
    return closed

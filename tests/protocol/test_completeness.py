"""The export holds every item of the seed's lists, read straight from the seed text.

The seed is a text dump of the PDF: bullets start with '•', the labour list's sub-group
headers with U+F0A7, the weighing questions with 'o N.'; a wrapped line may continue after
an empty line. These tests rebuild each item from that text and look for it in the export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest

from baken.protocol import Protocol
from baken.protocol.index import iter_signals
from tests.conftest import CliResult, shared_dir

BULLET = "\u2022"
SUBGROUP = "\uf0a7"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _seed_lines() -> list[str]:
    seeds = sorted((shared_dir() / "seeds").glob("*.txt"))
    assert seeds, "no seed protocol text found"
    return seeds[0].read_text("utf-8").splitlines()


def _section(lines: list[str], start: str, end: str) -> list[str]:
    begin = next(i for i, line in enumerate(lines) if line.strip().startswith(start))
    stop = next(i for i in range(begin + 1, len(lines)) if lines[i].strip().startswith(end))
    return lines[begin:stop]


def _items(lines: list[str], markers: tuple[str, ...], *, sentences: bool = False) -> Iterator[str]:
    """Items that start with one of ``markers``, with their wrapped continuation lines.

    With ``sentences``, an item that does not yet end a sentence also takes a following
    line that starts with a capital (prose bullets wrap mid-sentence before a name).
    """
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith(markers):
            text = stripped.lstrip("".join(markers)).strip()
            j = i + 1
            while j < len(lines):
                nxt = lines[j]
                if nxt == "":  # the PDF dump's soft break inside a wrapped item
                    j += 1
                    continue
                candidate = nxt.strip()
                starts_item = re.match(r"o \d\.", candidate) is not None
                unfinished = sentences and not text.rstrip().endswith((".", "?", "!", ":"))
                wraps = candidate[:1].islower() or candidate[:1] in ("(", "“") or unfinished
                if candidate and not starts_item and not candidate.startswith(markers) and wraps:
                    text += " " + candidate
                    j += 1
                    continue
                break
            # A footnote reference is glued to the item's last word: "werkaantekeningen.4".
            yield re.sub(r"(?<=[.)a-z])\d{1,2}$", "", _norm(text))
            i = j
        else:
            i += 1


def _signal_texts(protocol: Protocol, form: str) -> list[str]:
    lst = next(lst for lst in protocol.signal_lists if lst.form == form)
    return [_norm(s.text) for s in iter_signals(lst)]


def test_every_sexual_exploitation_signal_is_in_the_protocol(protocol: Protocol) -> None:
    """All 48 bullets of §3.2, in 6 groups, are signals with exactly the seed's text."""
    seed = list(
        _items(_section(_seed_lines(), "3.2 Signalenlijst", "3.3 Aandachtspunten"), (BULLET,))
    )
    assert len(seed) == 48
    lst = next(lst for lst in protocol.signal_lists if lst.form == "sexual")
    assert [len(g.signals) for g in lst.groups] == [8, 9, 13, 4, 8, 6]
    assert _signal_texts(protocol, "sexual") == seed


def test_every_labour_exploitation_signal_is_in_the_protocol(protocol: Protocol) -> None:
    """Every bullet and sub-group header of §3.7, in 5 groups, is a signal with the seed's text."""
    section = _section(_seed_lines(), "3.7 Signalenlijst", "3.8 Artikel 273f")
    seed = list(_items(section, (BULLET, SUBGROUP)))
    lst = next(lst for lst in protocol.signal_lists if lst.form == "labour")
    assert len(lst.groups) == 5
    assert sorted(_signal_texts(protocol, "labour")) == sorted(seed)


def test_every_step_action_weighing_question_and_evaluation_question_is_present(
    protocol: Protocol,
) -> None:
    """§1.2's bullets (actions, case evaluation) and the five questions are in the protocol."""
    section = _section(_seed_lines(), "1.2 Toelichting op de stappen", "2 Overzicht")
    seed = list(_items(section, (BULLET,)))
    actions = [_norm(a.text) for s in protocol.steps.steps for a in s.actions]
    evaluation = [_norm(q.text) for q in protocol.case_evaluation.questions]
    for text in seed:
        assert text in actions or text in evaluation, text
    questions = list(_items(section, ("o ",)))
    assert [_norm(q.text) for q in protocol.weighing.questions] == [
        _norm(re.sub(r"^\d\.\s*", "", q)) for q in questions
    ]
    assert len(protocol.case_evaluation.questions) == 4


def test_every_conversation_point_and_route_point_is_present(protocol: Protocol) -> None:
    """§3.3's guidance bullets and §2.1's route explanation are in the protocol."""
    lines = _seed_lines()
    guidance = list(
        _items(_section(lines, "3.3 Aandachtspunten", "Zorg voor toestemming"), (BULLET,))
    )
    items = [_norm(i.text) for block in protocol.conversation for i in block.items]
    assert len(guidance) == 15
    for text in guidance:
        assert text in items, text
    route = list(_items(_section(lines, "2.1 Route", "Convenant"), (BULLET,), sentences=True))
    steps = [_norm(s.text) for s in protocol.route.steps]
    for text in route:
        assert text in steps, text


def test_every_phone_number_of_the_social_map_is_a_contact(protocol: Protocol) -> None:
    """Each 'T:' number on the sociale kaart (§3.9) is a phone contact of a partner."""
    section = _section(_seed_lines(), "3.9 Sociale Kaart", "http://www.moviera.nl/")
    numbers = {re.sub(r"\D", "", m) for m in re.findall(r"T:\s*([\d -]+\d)", "\n".join(section))}
    assert len(numbers) == 10
    contacts = {c.digits for p in protocol.partners for c in p.contacts if c.kind == "phone"}
    assert numbers <= contacts


SOCIAL_MAP_PARTNERS = {
    # The heading each block of §3.9 starts with, and the partner id it must land on.
    "Veilig Thuis": "veilig-thuis",
    "Zorgcoördinator slachtoffers Mensenhandel": "zorgcoordinator",
    "Afdeling Preventie": "moviera-preventie",
    "Politie": "politie",
    "Inspectie Sociale Zaken": "inspectie-szw",
    "CoMensha": "comensha",
    "Meld Misdaad Anoniem": "meld-misdaad-anoniem",
}


def test_each_social_map_number_belongs_to_the_partner_it_is_listed_under(
    protocol: Protocol,
) -> None:
    """§3.9's numbers, e-mail addresses and websites sit on the right partner, not just anywhere."""
    section = _section(_seed_lines(), "3.9 Sociale Kaart", "http://www.moviera.nl/")
    found: dict[str, set[str]] = {partner: set() for partner in SOCIAL_MAP_PARTNERS.values()}
    current = None
    for line in section:
        heading = next((p for h, p in SOCIAL_MAP_PARTNERS.items() if line.startswith(h)), None)
        current = heading or current
        phone = re.match(r"T:\s*([\d -]+\d)", line)
        email = re.match(r"E:\s*(\S+@\S+)", line)
        if current and phone:
            found[current].add(re.sub(r"\D", "", phone.group(1)))
        if current and email:
            found[current].add(email.group(1))
    assert sum(len(values) for values in found.values()) == 13  # 10 numbers, 3 e-mail addresses
    partners = {p.id: p for p in protocol.partners}
    for partner_id, wanted in found.items():
        have = {c.digits if c.kind == "phone" else c.value for c in partners[partner_id].contacts}
        assert wanted <= have, partner_id


def test_the_five_victim_profiles_are_present(protocol: Protocol) -> None:
    """§3.1's five profiles, by title, in order."""
    assert [p.title for p in protocol.profiles] == [
        "Faseproblematiek",
        "Zeer beïnvloedbare meisjes",
        "Getraumatiseerde meisjes",
        "Multi-problem",
        "Eergerelateerd",
    ]


@pytest.mark.parametrize("form", ["sexual", "labour"])
def test_the_command_line_export_holds_every_signal(
    protocol: Protocol, baken: Callable[..., CliResult], form: str
) -> None:
    """`baken protocol export` carries every signal with its id and Dutch text."""
    exported = json.loads(baken("protocol", "export").stdout)
    found: dict[str, str] = {}

    def walk(signals: list[dict[str, object]]) -> None:
        for signal in signals:
            found[str(signal["id"])] = str(signal["text"])
            walk(signal["details"])  # type: ignore[arg-type]

    for lst in exported["signal_lists"]:
        for group in lst["groups"]:
            walk(group["signals"])
    lst = next(lst for lst in protocol.signal_lists if lst.form == form)
    for signal in iter_signals(lst):
        assert found[signal.id] == signal.text

"""Which groups of the lessons may be shown: small-count suppression with k = 11 (the
k-anonymity the Counter Trafficking Data Collaborative uses for victim data), pure Python.

A group is shown only when at least ``k`` cases stand behind it (primary suppression). That
alone is not enough: where the whole is shown, the cases of a dimension's hidden groups
together are the whole minus what is shown. So, within one dimension, the groups hidden are
never exactly one, and never hold fewer than ``k`` cases together: while they do, the
smallest group still shown is hidden too (complementary suppression). Then no hidden
group's count follows from the others: there are at least two unknowns, each of at least one
case, summing to at least ``k``.

Only the groups that have cases are listed (a group with none does not appear), so the
rule reasons about groups of at least one case. It is applied the same way to a dimension
whose groups overlap (a case with two CoMensha categories counts in both): there no sum
gives a hidden count, and the rule only hides more.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def hidden_groups(counts: Mapping[Key, int], k: int, *, whole_shown: bool) -> set[Key]:
    """The keys of ``counts`` (group -> number of cases, each at least 1) not to show.

    ``whole_shown``: whether the total the dimension divides is shown (when it is not, no
    subtraction is possible, and only the groups below ``k`` are hidden; they are all of
    them, as every group is at most the total). Groups are taken in the order of
    ``counts`` when their sizes tie, so the answer is the same for the same input."""
    hidden = {key for key, count in counts.items() if count < k}
    if not whole_shown:
        return hidden
    order = {key: index for index, key in enumerate(counts)}
    while hidden and (len(hidden) == 1 or sum(counts[key] for key in hidden) < k):
        shown = [key for key in counts if key not in hidden]
        if not shown:
            break
        hidden.add(min(shown, key=lambda key: (counts[key], order[key])))
    return hidden

"""Small-count suppression with k = 11 (:func:`baken.lessons.suppression.hidden_groups`):
no group of 1 to 10 cases is ever shown, and within a division whose whole is shown, no
hidden group's count is the whole minus what is shown."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from baken.lessons.suppression import hidden_groups

K = 11
divisions = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h"]),
    st.integers(min_value=1, max_value=40),
    min_size=1,
)


@settings(max_examples=500, deadline=None)
@given(divisions, st.booleans())
def test_no_group_of_fewer_than_k_cases_is_ever_shown(counts: dict[str, int], whole: bool) -> None:
    """Whatever the groups and whether the whole is shown, every group of 1 to 10 cases is
    hidden."""
    hidden = hidden_groups(counts, K, whole_shown=whole)
    assert [key for key, count in counts.items() if count < K and key not in hidden] == []


@settings(max_examples=500, deadline=None)
@given(divisions)
def test_no_hidden_count_follows_from_the_whole_minus_what_is_shown(
    counts: dict[str, int],
) -> None:
    """For a division of the cases (each case in one group) whose whole is shown (at least
    11 cases), the hidden groups are none, or at least two holding at least 11 cases
    together; so no hidden group's count equals the whole minus the shown groups, and
    none is pinned down by the others being at least one each."""
    total = sum(counts.values())
    whole_shown = total >= K
    hidden = hidden_groups(counts, K, whole_shown=whole_shown)
    if not whole_shown:
        assert hidden == set(counts)
        return
    rest = total - sum(count for key, count in counts.items() if key not in hidden)
    assert [key for key in hidden if counts[key] == rest] == []
    assert hidden == set() or (len(hidden) >= 2 and rest >= K)
    # A hidden count lies between 1 and rest minus one for each other hidden group: it is
    # pinned down only when rest equals the number of hidden groups.
    assert hidden == set() or rest > len(hidden)


def test_only_small_groups_are_hidden_when_nothing_can_be_subtracted() -> None:
    """When the whole is not shown, exactly the groups under k are hidden."""
    assert hidden_groups({"a": 3, "b": 11, "c": 10}, K, whole_shown=False) == {"a", "c"}


def test_one_small_group_also_hides_the_smallest_other() -> None:
    """One group of 3 beside groups of 20 and 12: the 12 is hidden too (3 + 12 >= 11)."""
    assert hidden_groups({"a": 20, "b": 3, "c": 12}, K, whole_shown=True) == {"b", "c"}


def test_small_groups_that_are_small_together_hide_more() -> None:
    """Groups of 1 and 1 beside 20 and 30: two hidden groups of 2 cases together would each
    be exactly 1, so the 20 is hidden too."""
    assert hidden_groups({"a": 30, "b": 1, "c": 1, "d": 20}, K, whole_shown=True) == {
        "b",
        "c",
        "d",
    }


def test_ties_hide_the_first_in_order() -> None:
    """Of two equally small shown groups, the first in the division's order is hidden."""
    assert hidden_groups({"x": 11, "y": 11, "z": 1}, K, whole_shown=True) == {"x", "z"}


def test_no_small_group_hides_nothing() -> None:
    """Every group of at least 11: nothing is hidden."""
    assert hidden_groups({"a": 11, "b": 40}, K, whole_shown=True) == set()

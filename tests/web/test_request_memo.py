"""The request's memo (baken.memo): a fact read once per request, never across requests."""

from __future__ import annotations

from baken.memo import forget, remembered, request_scope


def test_inside_a_request_a_fact_is_computed_once_and_again_after_forget() -> None:
    """Two reads in one request compute once; after ``forget`` the next read computes."""
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with request_scope():
        first, second = remembered("fact", compute), remembered("fact", compute)
        forget("fact")
        third = remembered("fact", compute)
    assert (first, second, third, len(calls)) == (1, 1, 2, 2)


def test_outside_a_request_and_in_the_next_one_nothing_is_kept() -> None:
    """Outside a request every read computes; the next request starts empty."""
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    outside = [remembered("fact", compute), remembered("fact", compute)]
    with request_scope():
        inside = remembered("fact", compute)
    with request_scope():
        next_request = remembered("fact", compute)
    assert (outside, inside, next_request) == ([1, 2], 3, 4)

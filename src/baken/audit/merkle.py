"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1, in pure Python.

Hashing as RFC 6962 §2.1 and RFC 9162 §2.1.1: a leaf's hash is SHA-256(0x00 || data), an
interior node's is SHA-256(0x01 || left || right), the empty tree's is SHA-256(""). A tree
of n > 1 leaves splits at k, the largest power of two smaller than n.

A tree is reached through a :data:`SubtreeSource`: the hash of the complete (perfect)
subtree of 2**level leaves that starts at leaf ``index * 2**level``. Level 0 is a leaf's
hash. Every subtree an RFC 9162 proof needs is either such a complete subtree or a right
edge made of at most log2(n) of them, so a proof from stored complete subtrees costs
O(log n) look-ups (:func:`subtree_hash`).

:class:`CompactRange` builds a root while the leaves stream past, in O(log n) memory, and
names every complete subtree it finishes (what the integrator stores).

No Django here: this module is the algorithm only (mypy strict, property-tested).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree (RFC 9162 §2.1.1)."""

SubtreeSource = Callable[[int, int], bytes]
"""``(level, index) -> hash`` of leaves ``[index * 2**level, (index + 1) * 2**level)``."""


class ProofError(ValueError):
    """A proof was asked for sizes or an index that do not fit the tree."""


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def _is_power_of_two(size: int) -> bool:
    return size > 0 and size & (size - 1) == 0


def subtree_hash(start: int, end: int, source: SubtreeSource) -> bytes:
    """MTH(D[start:end]) for a range the RFC's recursion produces: ``start`` is a multiple
    of the largest power of two not above ``end - start``, so the range is a complete
    subtree or a complete subtree followed by a smaller such range."""
    size = end - start
    if size <= 0:
        raise ProofError(f"empty range [{start}, {end})")
    if _is_power_of_two(size):
        if start % size:
            raise ProofError(f"range [{start}, {end}) is not an aligned subtree")
        level = size.bit_length() - 1
        return source(level, start >> level)
    k = _split(size)
    return node_hash(subtree_hash(start, start + k, source), subtree_hash(start + k, end, source))


def root_from(size: int, source: SubtreeSource) -> bytes:
    """The root of the first ``size`` leaves."""
    return EMPTY_ROOT if size == 0 else subtree_hash(0, size, source)


def source_of(leaves: Sequence[bytes]) -> SubtreeSource:
    """A :data:`SubtreeSource` over leaf hashes in memory (tests and small trees)."""

    def source(level: int, index: int) -> bytes:
        width = 1 << level
        return mth(leaves[index * width : (index + 1) * width])

    return source


def mth(leaves: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of a list of leaf hashes, straight from the definition."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


# Proofs (RFC 9162 §2.1.3.1 and §2.1.4.1) --------------------------------------------------


def inclusion_proof(index: int, size: int, source: SubtreeSource) -> list[bytes]:
    """PATH(index, D[0:size]): the audit path of leaf ``index`` (0-based) in a tree of
    ``size`` leaves, nearest the leaf first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(subtree_hash(start + k, end, source))
            end = start + k
        else:
            path.append(subtree_hash(start, start + k, source))
            start += k
    path.reverse()
    return path


def consistency_proof(old_size: int, new_size: int, source: SubtreeSource) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]): that the tree of ``old_size`` leaves is a prefix of
    the tree of ``new_size`` leaves. Empty when either size is 0 or they are equal."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    start, end, m, complete = 0, new_size, old_size, True
    while True:
        size = end - start
        if m == size:
            if not complete:
                proof.append(subtree_hash(start, end, source))
            break
        k = _split(size)
        if m <= k:
            proof.append(subtree_hash(start + k, end, source))
            end = start + k
        else:
            proof.append(subtree_hash(start, start + k, source))
            start, m, complete = start + k, m - k, False
    proof.reverse()
    return proof


# Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) --------------------------------------------


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree ``root`` of
    ``size`` leaves (RFC 9162 §2.1.3.2, step by step)."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``old_root`` of ``old_size`` leaves is a prefix of
    the tree ``new_root`` of ``new_size`` leaves (RFC 9162 §2.1.4.2, step by step)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = list(proof)
    if _is_power_of_two(old_size):
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


# Streaming --------------------------------------------------------------------------------


class CompactRange:
    """The complete subtrees covering leaves ``[0, size)``, largest first: one per set bit
    of ``size``, so at most 64 hashes for any tree a database holds (RFC 9162's tree as
    Trillian's and Tessera's compact ranges keep it).

    ``on_node(level, index, hash)`` is called for every complete subtree above the leaves
    that an :meth:`append` finishes."""

    __slots__ = ("_hashes", "_on_node", "size")

    def __init__(
        self,
        size: int = 0,
        hashes: Iterable[bytes] = (),
        on_node: Callable[[int, int, bytes], None] | None = None,
    ) -> None:
        self.size = size
        self._hashes = list(hashes)
        if len(self._hashes) != size.bit_count():
            raise ProofError(f"a tree of {size} leaves has {size.bit_count()} complete subtrees")
        self._on_node = on_node

    @classmethod
    def resume(
        cls,
        size: int,
        source: SubtreeSource,
        on_node: Callable[[int, int, bytes], None] | None = None,
    ) -> CompactRange:
        """The compact range of a stored tree of ``size`` leaves (log2 look-ups)."""
        return cls(size, [source(level, index) for level, index in frontier(size)], on_node)

    def append(self, leaf: bytes) -> None:
        """Add the next leaf's hash."""
        index = self.size
        self._hashes.append(leaf)
        self.size += 1
        level = 0
        while index & 1:
            right = self._hashes.pop()
            left = self._hashes.pop()
            merged = node_hash(left, right)
            self._hashes.append(merged)
            index >>= 1
            level += 1
            if self._on_node is not None:
                self._on_node(level, index, merged)

    def root(self) -> bytes:
        """The root of the leaves appended so far."""
        if not self._hashes:
            return EMPTY_ROOT
        r = self._hashes[-1]
        for h in reversed(self._hashes[:-1]):
            r = node_hash(h, r)
        return r


def frontier(size: int) -> list[tuple[int, int]]:
    """The ``(level, index)`` of the complete subtrees covering ``[0, size)``, largest
    first: the compact range's look-ups."""
    result = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            result.append((level, start >> level))
            start += 1 << level
    return result

"""The Merkle tree of RFC 9162 §2.1 (baken.audit.merkle): roots, inclusion and consistency
proofs, and the streaming compact range, checked against the definition for any size."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from baken.audit import merkle

SIZES = st.integers(min_value=1, max_value=300)


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def test_hashing_uses_the_rfc_6962_prefixes() -> None:
    """A leaf is SHA-256(0x00 || data), a node SHA-256(0x01 || l || r), and the empty tree's
    root is SHA-256 of nothing (RFC 9162 §2.1.1)."""
    assert merkle.leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()
    assert merkle.node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    assert merkle.mth([]) == hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT


def test_the_root_of_a_known_tree_matches_the_certificate_transparency_test_vector() -> None:
    """The 8-leaf tree of the RFC 6962 test data (Google's certificate-transparency
    merkle_tree_test) has the published root."""
    data = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ]
    root = merkle.mth([merkle.leaf_hash(d) for d in data])
    assert root.hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


@settings(deadline=None)
@given(SIZES)
def test_the_compact_range_gives_the_definitions_root_at_every_size(n: int) -> None:
    """Appending leaves one by one, the compact range's root equals MTH of the prefix, and
    the nodes it reports are the complete subtrees the definition gives."""
    hashes = leaves(n)
    nodes: dict[tuple[int, int], bytes] = {}
    tree = merkle.CompactRange(on_node=lambda lv, ix, h: nodes.__setitem__((lv, ix), h))
    source = merkle.source_of(hashes)
    for i, h in enumerate(hashes):
        tree.append(h)
        assert tree.root() == merkle.mth(hashes[: i + 1])
    assert all(source(level, index) == h for (level, index), h in nodes.items())
    assert len(nodes) == n - n.bit_count()


@settings(deadline=None)
@given(SIZES, st.integers(min_value=0, max_value=300))
def test_a_resumed_compact_range_continues_the_same_tree(n: int, more: int) -> None:
    """A compact range resumed from stored subtrees at size n reaches the same root as one
    built from scratch."""
    hashes = leaves(n + more)
    resumed = merkle.CompactRange.resume(n, merkle.source_of(hashes[:n]))
    for h in hashes[n:]:
        resumed.append(h)
    assert resumed.root() == merkle.mth(hashes)


@settings(deadline=None)
@given(st.data())
def test_every_inclusion_proof_verifies_and_a_changed_leaf_or_hash_fails(
    data: st.DataObject,
) -> None:
    """PATH(m, D[n]) verifies for any leaf of any tree; another leaf, a changed proof
    hash, another index or another size do not."""
    n = data.draw(SIZES)
    m = data.draw(st.integers(min_value=0, max_value=n - 1))
    hashes = leaves(n)
    root = merkle.mth(hashes)
    proof = merkle.inclusion_proof(m, n, merkle.source_of(hashes))
    assert merkle.verify_inclusion(m, n, hashes[m], proof, root)
    assert not merkle.verify_inclusion(m, n, merkle.leaf_hash(b"forged"), proof, root)
    if proof:
        i = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bent = [*proof[:i], merkle.leaf_hash(b"x"), *proof[i + 1 :]]
        assert not merkle.verify_inclusion(m, n, hashes[m], bent, root)
        assert not merkle.verify_inclusion(m, n, hashes[m], proof[:-1], root)
    if n > 1:
        other = (m + 1) % n
        assert not merkle.verify_inclusion(other, n, hashes[m], proof, root)
    assert not merkle.verify_inclusion(m, n, hashes[m], [*proof, root], root)


@settings(deadline=None)
@given(st.data())
def test_every_consistency_proof_verifies_and_a_changed_tree_or_hash_fails(
    data: st.DataObject,
) -> None:
    """PROOF(m, D[n]) verifies for any 0 < m <= n; a changed old leaf, a changed proof
    hash or a wrong root does not."""
    n = data.draw(SIZES)
    m = data.draw(st.integers(min_value=1, max_value=n))
    hashes = leaves(n)
    old_root, new_root = merkle.mth(hashes[:m]), merkle.mth(hashes)
    proof = merkle.consistency_proof(m, n, merkle.source_of(hashes))
    assert merkle.verify_consistency(m, n, old_root, new_root, proof)
    j = data.draw(st.integers(min_value=0, max_value=m - 1))
    changed = [*hashes[:j], merkle.leaf_hash(b"changed"), *hashes[j + 1 : m]]
    assert not merkle.verify_consistency(m, n, merkle.mth(changed), new_root, proof)
    if proof:
        i = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bent = [*proof[:i], merkle.leaf_hash(b"x"), *proof[i + 1 :]]
        assert not merkle.verify_consistency(m, n, old_root, new_root, bent)
        assert not merkle.verify_consistency(m, n, old_root, new_root, proof[1:])
    if m < n:
        assert not merkle.verify_consistency(m, n, old_root, old_root, proof)


def test_sizes_outside_the_tree_are_refused() -> None:
    """No proof for a leaf past the end or a shrinking tree; verification says no."""
    source = merkle.source_of(leaves(4))
    for call in (
        lambda: merkle.inclusion_proof(4, 4, source),
        lambda: merkle.consistency_proof(5, 4, source),
    ):
        try:
            call()
        except merkle.ProofError:
            continue
        raise AssertionError("no ProofError")
    assert not merkle.verify_consistency(5, 4, b"", b"", [])
    assert merkle.verify_consistency(0, 4, merkle.EMPTY_ROOT, merkle.mth(leaves(4)), [])

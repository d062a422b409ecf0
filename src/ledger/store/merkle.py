"""The Merkle tree over the log, in the shape of RFC 9162 (Certificate Transparency 2.0), §2.1.

Kept apart from any store: the arithmetic of leaf and node hashes, of the stored perfect subtrees
that a proof needs, and the two verification algorithms of RFC 9162 (§2.1.3.2 inclusion,
§2.1.4.2 consistency), which are all an offline verifier runs.

Leaves are the log's events in chain order (leaf index = chain ``seq`` - 1; positions may have
gaps, the tree has none). A leaf's input binds the event's log position to its chain hash, so
renumbering positions changes the tree (the chain alone does not hash positions).

The stores keep every *perfect, aligned* subtree: node ``(level, index)`` covers leaves
``[index·2^level, (index+1)·2^level)``. Appending leaf ``i`` adds one leaf node and as many parents
as ``i+1`` has trailing zero bits (two rows per leaf on average). Any subtree hash the RFC's
recursion asks for is then a fold of at most ⌈log2 n⌉ stored nodes, so a proof costs O(log² n)
node reads in the worst case, fetched in one query — never a pass over the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").hexdigest()

NodeKey = tuple[int, int]
"""(level, index) of a stored perfect subtree."""


def leaf_input(position: int, event_hash: str) -> bytes:
    """What a leaf commits to: the event's log position (8 bytes, big-endian) and its chain hash."""
    return position.to_bytes(8, "big") + bytes.fromhex(event_hash)


def leaf_hash(position: int, event_hash: str) -> str:
    return hashlib.sha256(LEAF_PREFIX + leaf_input(position, event_hash)).hexdigest()


def node_hash(left: str, right: str) -> str:
    return hashlib.sha256(NODE_PREFIX + bytes.fromhex(left) + bytes.fromhex(right)).hexdigest()


def _largest_power_of_two_below(n: int) -> int:
    """k of RFC 9162: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def decompose(lo: int, hi: int) -> list[NodeKey]:
    """The stored perfect subtrees that make up leaves ``[lo, hi)``, left to right.

    Valid for every range the RFC's recursion produces (``lo`` aligned to the first chunk)."""
    keys = []
    while lo < hi:
        size = 1 << ((hi - lo).bit_length() - 1)
        while lo % size:
            size >>= 1
        level = size.bit_length() - 1
        keys.append((level, lo >> level))
        lo += size
    return keys


def fold(keys: Sequence[NodeKey], nodes: Mapping[NodeKey, str]) -> str:
    """The hash of a range from its decomposition: each chunk is a left child of the rest."""
    result = nodes[keys[-1]]
    for key in reversed(keys[:-1]):
        result = node_hash(nodes[key], result)
    return result


def parents_to_add(index: int) -> list[NodeKey]:
    """The nodes completed by appending leaf ``index``: one per trailing one bit of the index."""
    keys = []
    level = 0
    while index & 1:
        index >>= 1
        level += 1
        keys.append((level, index))
    return keys


def frontier(size: int) -> list[NodeKey]:
    """The perfect subtrees of a tree of ``size`` leaves, left to right (its compact range)."""
    return decompose(0, size)


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1, as leaf ranges, leaf-side first."""
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo = lo + k
    return list(reversed(ranges))


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1, as leaf ranges, in proof order."""
    if old <= 0 or old >= new:
        return []
    return _subproof(old, 0, new, start_from_old_root=True)


def _subproof(m: int, lo: int, hi: int, *, start_from_old_root: bool) -> list[tuple[int, int]]:
    n = hi - lo
    if m == n:
        return [] if start_from_old_root else [(lo, hi)]
    k = _largest_power_of_two_below(n)
    if m <= k:
        return [*_subproof(m, lo, lo + k, start_from_old_root=start_from_old_root), (lo + k, hi)]
    return [*_subproof(m - k, lo + k, hi, start_from_old_root=False), (lo, lo + k)]


NodeReader = Callable[[Iterable[NodeKey]], Mapping[NodeKey, str]]
"""Reads stored nodes by key, all in one go (one query)."""


def range_hashes(ranges: Sequence[tuple[int, int]], read: NodeReader) -> list[str]:
    decompositions = [decompose(lo, hi) for lo, hi in ranges]
    nodes = read({key for keys in decompositions for key in keys})
    return [fold(keys, nodes) for keys in decompositions]


def root(size: int, read: NodeReader) -> str:
    if size == 0:
        return EMPTY_ROOT
    return range_hashes([(0, size)], read)[0]


def inclusion_proof(index: int, size: int, read: NodeReader) -> list[str]:
    return range_hashes(inclusion_ranges(index, size), read)


def consistency_proof(old: int, new: int, read: NodeReader) -> list[str]:
    return range_hashes(consistency_ranges(old, new), read)


# ------------------------------------------------------------------ verification (RFC 9162)


def verify_inclusion(index: int, size: int, leaf: str, proof: Sequence[str], root_hash: str) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` show leaf hash ``leaf`` at ``index`` in ``root_hash``?"""
    if index >= size or size <= 0:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(
    old: int, new: int, old_root: str, new_root: str, proof: Sequence[str]
) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show that the tree of size ``new`` extends ``old``?"""
    if old == new:
        return old_root == new_root and not proof
    if old <= 0 or old > new or not proof:
        return old == 0 and not proof
    path = list(proof)
    if old & (old - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
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
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class Frontier:
    """The compact range of a tree being grown leaf by leaf: its root at any size in O(log n)
    memory. ``ledger verify`` recomputes the tree this way from the stored events."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, str]] = []  # (level, hash), levels decreasing

    def append(self, leaf: str) -> list[tuple[int, int, str]]:
        """Add a leaf; returns the nodes it completes, ``(level, index, hash)``, leaf first."""
        index = self.size
        level, value = 0, leaf
        made = [(0, index, leaf)]
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            value = node_hash(left, value)
            level += 1
            made.append((level, index >> level, value))
        self._stack.append((level, value))
        self.size += 1
        return made

    def root(self) -> str:
        if not self._stack:
            return EMPTY_ROOT
        result = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            result = node_hash(left, result)
        return result


def reference_root(leaves: Sequence[str]) -> str:
    """MTH(D[n]) straight from RFC 9162's definition (for tests and the offline verifier)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _largest_power_of_two_below(len(leaves))
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))

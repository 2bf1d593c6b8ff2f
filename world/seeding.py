"""Many seeded generators at once: numpy's ``SeedSequence`` hashing run over a batch of keys.

``np.random.default_rng(words)`` hashes ``words`` with a ``SeedSequence`` into four 64-bit
words and seeds a ``PCG64`` with them; most of its cost (about 0.2 M instructions a stream)
is the hashing done one stream at a time through Python objects. A reset draws one stream
per road link, weather cell, disruption and shipment (about 60 on ``liuzhou-asean``): here
the same hashing runs vectorised over the keys of a source (``uint32`` arrays wrap as the C
code does) and each ``PCG64`` is seeded with its four words as they are (:func:`streams`).
tests/world/test_seeding.py checks the generators against ``default_rng``'s.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.random.bit_generator import ISeedSequence

__all__ = ["streams", "seed_words", "BATCH_MIN"]

# numpy/random/bit_generator.pyx (SeedSequence: mix_entropy, generate_state)
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_POOL = 4  # SeedSequence's default pool size (32-bit words)
_M32 = 0xFFFFFFFF


def _consts(init: int, mult: int, n: int) -> list[np.uint32]:
    """A hash constant's successive values (they never depend on the data)."""
    out, h = [], init
    for _ in range(n):
        out.append(np.uint32(h))
        h = (h * mult) & _M32
    return out


# hashmix i (the pool's 4, then 12 mixes) xors with _A[i] and multiplies by _A[i + 1];
# generate_state's word i xors with _B[i] and multiplies by _B[i + 1]
_A = _consts(_INIT_A, _MULT_A, 17)
_B = _consts(_INIT_B, _MULT_B, 9)
_MIX_L, _MIX_R, _16 = np.uint32(0xCA01F9DD), np.uint32(0x4973F715), np.uint32(16)
#: Fewer keys are seeded one by one: the batch's hashing costs about 1 M instructions
#: (numpy calls on small arrays), a stream by ``default_rng`` 0.07-0.2 M, one from hashed words
#: 7 k (callgrind: 32 keys in a batch 1.24 M, one by one 2.29 M, in a bare numpy process)
BATCH_MIN = 16
_ORDER = [(src, dst) for src in range(_POOL) for dst in range(_POOL) if src != dst]


def seed_words(prefix: Sequence[int], keys: Sequence[int]) -> np.ndarray:
    """``SeedSequence([*prefix, k]).generate_state(4, np.uint64)`` for each ``k`` of ``keys``,
    as the rows of a ``(len(keys), 4)`` array; every word in ``[0, 2**32)`` and at most 4 of
    them (``ValueError`` otherwise)."""
    n_words = len(prefix) + 1
    if n_words > _POOL:  # longer entropy mixes in after the pool: not done here
        raise ValueError("at most 3 prefix words")
    if not all(0 <= int(w) <= _M32 for w in prefix) or not all(0 <= int(k) <= _M32 for k in keys):
        raise ValueError("a word is not in [0, 2**32)")
    ent = np.empty((n_words, len(keys)), dtype=np.uint32)
    ent[:-1] = np.asarray(prefix, dtype=np.uint32)[:, None]
    ent[-1] = np.asarray(keys, dtype=np.uint32)
    zero = np.zeros(len(keys), dtype=np.uint32)
    pool = []
    for i in range(_POOL):  # hashmix of each entropy word (0 past its end)
        v = (ent[i] if i < n_words else zero) ^ _A[i]
        v *= _A[i + 1]
        v ^= v >> _16
        pool.append(v)
    i = _POOL
    for src, dst in _ORDER:  # pool[dst] = mix(pool[dst], hashmix(pool[src]))
        v = pool[src] ^ _A[i]
        v *= _A[i + 1]
        v ^= v >> _16
        v *= _MIX_R
        r = pool[dst] * _MIX_L
        r -= v
        r ^= r >> _16
        pool[dst] = r
        i += 1
    out = np.empty((len(keys), 8), dtype=np.uint32)
    for i in range(8):  # generate_state: eight 32-bit words, read as four 64-bit ones
        v = pool[i % _POOL] ^ _B[i]
        v *= _B[i + 1]
        v ^= v >> _16
        out[:, i] = v
    return out.view("<u8")  # little-endian pairs, as numpy views them (x86, ARM)


class _Words(ISeedSequence):
    """A seed sequence that hands ``PCG64`` its four words, already hashed."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = words

    def generate_state(self, n_words, dtype=np.uint32):
        if n_words != 4 or np.dtype(dtype) != np.uint64:  # PCG64 asks for exactly this
            raise ValueError("only PCG64's four 64-bit words")
        return self.words


def streams(prefix: Sequence[int], keys: Sequence[int]) -> list[np.random.Generator]:
    """``np.random.default_rng([*prefix, k])`` for each ``k`` of ``keys`` (the same generators,
    each its own object; numpy's own for fewer than :data:`BATCH_MIN` keys or where a word
    does not fit the batch)."""
    rows = None
    if len(keys) >= BATCH_MIN and np.little_endian:  # the words are read as little-endian pairs
        try:
            rows = seed_words(prefix, keys)
        except (ValueError, OverflowError):
            rows = None
    if rows is None:
        words = [*map(int, prefix)]
        if all(0 <= w <= _M32 for w in words):
            # the same entropy words as the list, read without converting every int (half
            # the cost of numpy's list path; tests/world/test_streams.py)
            base = np.array([*words, 0], dtype=np.uint32)
            out = []
            for k in keys:
                k = int(k)
                if 0 <= k <= _M32:
                    base[-1] = k
                    out.append(np.random.default_rng(base.copy()))
                else:
                    out.append(np.random.default_rng([*words, k]))
            return out
        return [np.random.default_rng([*words, int(k)]) for k in keys]
    return [np.random.Generator(np.random.PCG64(_Words(r))) for r in rows]

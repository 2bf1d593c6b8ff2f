"""Seed ranges: training, validation and evaluation episodes never share a seed.

Evaluation uses the seeds a user names (``--seeds 0-29``, by default below
:data:`VALIDATION`); training draws its episodes from :data:`TRAINING` and checks itself on
:data:`VALIDATION`. Nothing is tuned on evaluation seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from mmroute.errors import InputError

__all__ = ["SeedRange", "TRAINING", "VALIDATION", "EVALUATION", "parse_seeds", "check_disjoint",
           "MAX_SEEDS"]


@dataclass(frozen=True)
class SeedRange:
    """Half-open ``[lo, hi)`` range of episode seeds."""

    lo: int
    hi: int
    name: str = ""

    def __post_init__(self):
        if not 0 <= self.lo < self.hi:
            raise InputError(f"seed range must have 0 <= lo < hi, not [{self.lo}, {self.hi})",
                             field="seeds")

    def __iter__(self):
        return iter((self.lo, self.hi))

    def __getitem__(self, i: int) -> int:
        return (self.lo, self.hi)[i]

    def __contains__(self, seed: object) -> bool:
        return isinstance(seed, int) and self.lo <= seed < self.hi


EVALUATION = SeedRange(0, 100_000, "evaluation")
VALIDATION = SeedRange(100_000, 101_000, "validation")
TRAINING = SeedRange(1_000_000, 2**31 - 1, "training")


#: Most seeds one evaluation runs (checked before the list is made).
MAX_SEEDS = 100_000


def parse_seeds(text: str | list[int] | range) -> list[int]:
    """``"0-29"``, ``"3,5,8"`` or ``"0-9,20-24"`` (inclusive ranges), or integers -> sorted
    unique seeds, each in 0 .. 2^31-1, at most :data:`MAX_SEEDS` of them (counted before
    any list is made). ``1.5`` or ``True`` as a seed is an error, never cut to 1."""
    from mmroute.validate import MAX_SEED, describe, is_integer

    def bad(why: str) -> InputError:
        return InputError(f"{why}; seeds are integers in 0..{MAX_SEED}, at most "
                          f"{MAX_SEEDS:,}, e.g. 0-29 or 1,2,5", field="seeds")

    if isinstance(text, range):
        if len(text) > MAX_SEEDS:
            raise bad(f"{len(text):,} seeds")
        text = list(text)
    if isinstance(text, list | tuple):
        if len(text) > MAX_SEEDS:
            raise bad(f"{len(text):,} seeds")
        for s in text:
            if not is_integer(s) or not 0 <= s <= MAX_SEED:
                raise bad(f"bad seed {describe(s)}")
        seeds = {int(s) for s in text}
    elif isinstance(text, str):
        spans = []
        for part in text.split(","):
            part = part.strip()
            a, dash, b = part.partition("-")
            try:
                lo = int(a) if a.strip().isdigit() else None
                hi = (int(b) if b.strip().isdigit() else None) if dash else lo
            except ValueError:  # more digits than int() reads
                lo = hi = None
            if lo is None or hi is None or hi < lo:
                raise bad(f"bad seed list {text[:60]!r}")
            if hi > MAX_SEED:
                raise bad(f"seed {hi} too large")
            spans.append((lo, hi))
        if sum(hi - lo + 1 for lo, hi in spans) > MAX_SEEDS:
            raise bad("too many seeds")
        seeds = {s for lo, hi in spans for s in range(lo, hi + 1)}
    else:
        raise bad(f"expected a text or a list, got {describe(text)}")
    if not seeds:
        raise bad("no seeds")
    return sorted(seeds)


def check_disjoint(**ranges: tuple[int, int]) -> None:
    """Raise :class:`InputError` if two named ``[lo, hi)`` ranges overlap."""
    items = list(ranges.items())
    for i, (a, ra) in enumerate(items):
        for b, rb in items[i + 1:]:
            if ra[0] < rb[1] and rb[0] < ra[1]:
                raise InputError(f"{a} seeds [{ra[0]}, {ra[1]}) overlap {b} seeds "
                                 f"[{rb[0]}, {rb[1]})", field="seeds")

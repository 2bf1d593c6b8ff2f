"""Seed ranges: training, validation and evaluation episodes never share a seed.

Evaluation uses the seeds a user names (``--seeds 0-29``, by default below
:data:`VALIDATION`); training draws its episodes from :data:`TRAINING` and checks itself on
:data:`VALIDATION`. Nothing is tuned on evaluation seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from mmroute.errors import InputError

__all__ = ["SeedRange", "TRAINING", "VALIDATION", "EVALUATION", "parse_seeds", "check_disjoint"]


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


def parse_seeds(text: str | list[int] | range) -> list[int]:
    """``"0-29"``, ``"3,5,8"`` or ``"0-9,20-24"`` (inclusive ranges) -> sorted unique seeds."""
    if isinstance(text, range | list | tuple):
        seeds = [int(s) for s in text]
    else:
        seeds = []
        for part in str(text).split(","):
            part = part.strip()
            try:
                if "-" in part:
                    a, b = (int(x) for x in part.split("-", 1))
                    if b < a:
                        raise ValueError
                    seeds.extend(range(a, b + 1))
                else:
                    seeds.append(int(part))
            except ValueError:
                raise InputError(f"bad seed list {text!r}: expected e.g. 0-29 or 1,2,5",
                                 field="seeds") from None
    if not seeds or any(s < 0 for s in seeds):
        raise InputError(f"seeds must be integers >= 0, not {text!r}", field="seeds")
    if len(seeds) > 100_000:
        raise InputError("at most 100,000 seeds", field="seeds")
    return sorted(set(seeds))


def check_disjoint(**ranges: tuple[int, int]) -> None:
    """Raise :class:`InputError` if two named ``[lo, hi)`` ranges overlap."""
    items = list(ranges.items())
    for i, (a, ra) in enumerate(items):
        for b, rb in items[i + 1:]:
            if ra[0] < rb[1] and rb[0] < ra[1]:
                raise InputError(f"{a} seeds [{ra[0]}, {ra[1]}) overlap {b} seeds "
                                 f"[{rb[0]}, {rb[1]})", field="seeds")

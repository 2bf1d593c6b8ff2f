"""Block-building heuristic with full support: greedy construction plus a look-ahead search.

State: the free supported surfaces (maximal rectangles per height level, see
:mod:`mmroute.routing.loading.surface`) and the remaining boxes. A step takes the first free
surface in the space order (back of the container first, i.e. smallest x, then lowest z, then
nearest a side wall), and places a simple block (:mod:`mmroute.routing.loading.blocks`) at its
back corner nearest a side wall. The greedy completion always takes the largest-volume block
that fits. The search (in the spirit of Fanslau & Bortfeldt's CLTRS and Araya & Riff's
beam-greedy) evaluates, at every step, the best few candidate blocks by a greedy completion
from the resulting state, keeps the best state(s) (a beam; width 1 by default, i.e. the pilot
method), and keeps the best complete packing met on the way; passes with wider candidate lists
and then randomised passes use the rest of the time limit.

Every box rests fully on the floor or on one box of its own block (or on the top surface of
blocks of equal height), so packings satisfy any ``min_support <= 1``. Multi-drop: boxes of
the last stop are loaded first (at the back); a block of an earlier stop is never placed
behind a box of a later stop whose y–z projection it overlaps (see the unloading rule in
:mod:`mmroute.routing.loading.model`); nothing is ever placed below an existing box.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from mmroute import validate
from mmroute.routing.loading.arguments import solver_arguments
from mmroute.routing.loading.blocks import BlockTable, add_general_blocks, build_blocks
from mmroute.routing.loading.model import LoadingInstance, Placement
from mmroute.routing.loading.surface import Rect, subtract_rect, union_maximal

__all__ = ["HeuristicParams", "HeuristicResult", "pack_blocks"]


@dataclass(frozen=True)
class HeuristicParams:
    """Settings of the search (defaults tuned on BR1, BR4, BR7 instances 1–5).

    ``passes``: successive search passes ``(width, beam)``, each a full construction run once
    per space order in ``orders`` (0: back first; 1: low first). ``width`` candidate blocks are
    evaluated per step (at most ``max(per_type, width // 3)`` of one box type, distinct in
    type, height, width and, if ``distinct_length``, length); ``beam`` states survive each
    step (1 = pilot method). When every pass is done and time is left, randomised passes
    follow, drawn from the second half of ``passes``, with candidate scores multiplied by
    ``1 + noise * U(0, 1)`` (generator seeded from the caller). ``waste`` > 0 ranks blocks
    by volume minus ``waste`` times the slivers of the space too thin for any remaining box.
    ``max_passes`` stops after that many passes (a time-independent, reproducible budget).
    ``general_blocks``: also use two-part blocks joined along these directions (0: x, 1: y,
    2: on top; see :func:`.blocks.add_general_blocks`) filling at least ``general_fill`` of
    their bounding box; off by default (it did not pay on BR1/BR7 samples).
    """

    passes: tuple[tuple[int, int], ...] = (
        (3, 1), (6, 1), (10, 1), (16, 1), (24, 1), (32, 1), (48, 1), (64, 1)
    )
    per_type: int = 3
    orders: tuple[int, ...] = (0, 1)
    noise: float = 0.3
    waste: float = 0.0
    distinct_length: bool = True
    max_passes: int | None = None
    general_blocks: tuple[int, ...] = ()
    general_fill: float = 0.98


@dataclass(frozen=True)
class HeuristicResult:
    """Best packing found: placements, packed volume, passes done, whether time ran out."""

    placements: tuple[Placement, ...]
    volume: int
    passes: int
    timed_out: bool
    greedy_volume: int


class _Deadline(Exception):
    pass


@dataclass
class _State:
    levels: dict[int, list[Rect]]
    rem: np.ndarray
    placed: list[tuple[int, int, int, int]]  # (block index, x, y, z)
    volume: int = 0
    weight_kg: float = 0.0
    group: int = 0
    dead: set[tuple[int, Rect]] = field(default_factory=set)
    boxes: list[tuple[int, int, int, int, int, int, int]] = field(default_factory=list)  # for stops

    def copy(self) -> _State:
        return _State(
            levels={z: list(r) for z, r in self.levels.items()},
            rem=self.rem.copy(),
            placed=list(self.placed),
            volume=self.volume,
            weight_kg=self.weight_kg,
            group=self.group,
            dead=set(self.dead),
            boxes=list(self.boxes),
        )


class _Packer:
    """The problem data shared by every state of one search."""

    def __init__(self, inst: LoadingInstance, blocks: BlockTable, deadline: float):
        self.inst = inst
        self.b = blocks
        self.L, self.W, self.H = inst.container.dims
        self.payload = inst.container.payload_kg
        self.deadline = deadline
        self.best: _State | None = None
        self.order = 0
        self.noise = 0.0
        self.waste = 0.0
        self.distinct_length = True
        types = inst.box_types
        self.type_min = np.array([min(t.dims) for t in types])
        self.stackable = np.array([t.stackable for t in types], dtype=bool)
        stops = [t.stop for t in types]
        self.groups = sorted({s for s in stops if s is not None}, reverse=True) or [None]
        self.has_stops = self.groups != [None]
        stop_arr = np.array([-1 if s is None else s for s in stops])
        self.block_stop = stop_arr[blocks.type_idx]
        # per group: blocks usable (own stop or no stop)
        self.group_mask = [
            (self.block_stop == g) | (self.block_stop < 0) if g is not None else np.ones(len(blocks), bool)
            for g in self.groups
        ]

    def initial(self) -> _State:
        rem = np.array([t.quantity for t in self.inst.box_types], dtype=np.int64)
        return _State(levels={0: [(0, 0, self.L, self.W)]}, rem=rem, placed=[])

    # -- one step -------------------------------------------------------------------------
    def _available(self, s: _State) -> np.ndarray:
        b = self.b
        ok = (b.n <= s.rem[b.type_idx]) & self.group_mask[s.group]
        if b.type2 is not None:
            ok &= b.n2 <= s.rem[np.maximum(b.type2, 0)]
        if self.payload is not None:
            ok &= b.weight_kg <= self.payload - s.weight_kg + 1e-9
        return ok

    def _corner_y(self, r: Rect, dy: np.ndarray | int) -> np.ndarray | int:
        return r[1] if r[1] <= self.W - r[3] else r[3] - dy

    def next_space(self, s: _State) -> tuple[int, Rect, np.ndarray, np.ndarray] | None:
        """The first free surface (in space order) where some block fits, and those blocks
        (best first) with their scores."""
        b = self.b
        while True:
            avail = np.flatnonzero(self._available(s))
            if avail.size:
                adx, ady, adz = b.dx[avail], b.dy[avail], b.dz[avail]
                dead = s.dead
                if self.order == 0:  # back first, then low, then near a side wall
                    spaces = sorted(
                        (r[0], z, min(r[1], self.W - r[3]), z, r)
                        for z, rs in s.levels.items() for r in rs if (z, r) not in dead
                    )
                else:  # low first, then back
                    spaces = sorted(
                        (z, r[0], min(r[1], self.W - r[3]), z, r)
                        for z, rs in s.levels.items() for r in rs if (z, r) not in dead
                    )
                for _, _, _, z, r in spaces:
                    idx = avail[(adx <= r[2] - r[0]) & (ady <= r[3] - r[1]) & (adz <= self.H - z)]
                    if idx.size and self.has_stops:
                        idx = self._unload_ok(s, z, r, idx)
                    if idx.size:
                        return z, r, *self._rank(s, z, r, idx)
                    dead.add((z, r))
            if s.group + 1 < len(self.groups):
                s.group += 1
                s.dead.clear()
                continue
            return None

    def _rank(self, s: _State, z: int, r: Rect, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Order fitting blocks best first: volume minus ``waste`` times the slivers of the
        space (beside, in front of or above the block) too thin for any remaining box."""
        b = self.b
        if self.waste <= 0 or idx.size == 1:
            return idx, b.volume[idx]
        left = s.rem > 0
        mind = int(self.type_min[left].min()) if left.any() else 0
        dx, dy, dz = b.dx[idx], b.dy[idx], b.dz[idx]
        rw = r[2] - r[0] - dx
        rd = r[3] - r[1] - dy
        rh = self.H - z - dz
        lost = (
            np.where(rw < mind, rw, 0) * dy * dz
            + np.where(rd < mind, rd, 0) * dx * dz
            + np.where(rh < mind, rh, 0) * dx * dy
        )
        score = b.volume[idx] - self.waste * lost
        order = np.argsort(-score, kind="stable")
        return idx[order], score[order]

    def _unload_ok(self, s: _State, z: int, r: Rect, idx: np.ndarray) -> np.ndarray:
        """Keep blocks that would not sit behind a later stop's box (y–z overlap)."""
        if not s.boxes:
            return idx
        b = self.b
        P = np.array(s.boxes)  # x0, y0, z0, x1, y1, z1, stop
        stop = self.block_stop[idx]
        x1 = r[0] + b.dx[idx]
        y0 = np.asarray(self._corner_y(r, b.dy[idx])) * np.ones_like(idx)
        y1 = y0 + b.dy[idx]
        z1 = z + b.dz[idx]
        bad = (
            (P[None, :, 6] > stop[:, None]) & (stop[:, None] >= 0)
            & (P[None, :, 0] >= x1[:, None])
            & (P[None, :, 1] < y1[:, None]) & (P[None, :, 4] > y0[:, None])
            & (P[None, :, 2] < z1[:, None]) & (P[None, :, 5] > z)
        ).any(axis=1)
        return idx[~bad]

    def apply(self, s: _State, k: int, z: int, r: Rect) -> None:
        """Place block ``k`` at the back corner of surface ``r`` at height ``z``."""
        b = self.b
        dx, dy, dz = int(b.dx[k]), int(b.dy[k]), int(b.dz[k])
        x = r[0]
        y = int(self._corner_y(r, dy))
        for t, nx, ny, nz, bx, by, bz, ox, oy, oz in b.block_parts(k):
            px, py, pz = x + ox, y + oy, z + oz
            cut = (px, py, px + nx * bx, py + ny * by)
            rest = subtract_rect(s.levels[pz], cut)
            if rest:
                s.levels[pz] = rest
            else:
                del s.levels[pz]
            top = pz + nz * bz
            if self.stackable[t] and top < self.H:
                s.levels[top] = union_maximal([*s.levels[top], cut]) if top in s.levels else [cut]
            s.rem[t] -= nx * ny * nz
        s.volume += int(b.volume[k])
        s.weight_kg += float(b.weight_kg[k])
        s.placed.append((k, x, y, z))
        if self.has_stops:  # the bounding box: conservative for the unloading rule
            s.boxes.append((x, y, z, x + dx, y + dy, z + dz, int(self.block_stop[k])))

    def greedy(self, s: _State) -> _State:
        while True:
            if time.monotonic() > self.deadline:
                raise _Deadline
            nxt = self.next_space(s)
            if nxt is None:
                return s
            self.apply(s, int(nxt[2][0]), nxt[0], nxt[1])

    def candidates(
        self,
        idx: np.ndarray,
        score: np.ndarray,
        width: int,
        per_type: int,
        rng: np.random.Generator | None = None,
    ) -> list[int]:
        """Up to ``width`` good blocks, best first, at most ``per_type`` of one type."""
        if rng is not None and idx.size > 1:  # randomised pass: perturb the scores
            noisy = score + self.noise * rng.random(idx.size) * np.abs(score)
            idx = idx[np.argsort(-noisy, kind="stable")]
        out: list[int] = []
        count: dict[int, int] = {}
        seen: set[tuple[int, int, int, int]] = set()
        b = self.b
        for k in idx:
            t = int(b.type_idx[k])
            key = (t, int(b.dx[k]) if self.distinct_length else 0, int(b.dz[k]), int(b.dy[k]))
            if count.get(t, 0) >= per_type or key in seen:
                continue
            seen.add(key)
            count[t] = count.get(t, 0) + 1
            out.append(int(k))
            if len(out) >= width:
                break
        return out

    def beam(self, width: int, beam: int, per_type: int, rng: np.random.Generator | None = None) -> None:
        """One beam-search pass: every state of the beam expands its ``width`` best blocks; the
        children are valued by a greedy completion and the ``beam`` best survive. The best
        complete state met is kept in ``self.best``."""
        states = [self.initial()]
        while states:
            children: list[tuple[int, int, _State]] = []
            for s in states:
                nxt = self.next_space(s)
                if nxt is None:
                    continue
                z, r, idx, score = nxt
                for k in self.candidates(idx, score, width, per_type, rng):
                    c = s.copy()
                    self.apply(c, k, z, r)
                    fin = self.greedy(c.copy())
                    if self.best is None or fin.volume > self.best.volume:
                        self.best = fin
                    children.append((fin.volume, len(children), c))
            children.sort(key=lambda t: (-t[0], t[1]))
            states = [c for _, _, c in children[:beam]]

    def to_placements(self, s: _State) -> tuple[Placement, ...]:
        b = self.b
        ids = [t.id for t in self.inst.box_types]
        out: list[Placement] = []
        for k, x, y, z in s.placed:
            for t, nx, ny, nz, bx, by, bz, ox, oy, oz in b.block_parts(k):
                for iz in range(nz):
                    for iy in range(ny):
                        for ix in range(nx):
                            pos = (x + ox + ix * bx, y + oy + iy * by, z + oz + iz * bz)
                            out.append(Placement(ids[t], pos, (bx, by, bz)))
        return tuple(out)


def pack_blocks(
    instance: LoadingInstance,
    *,
    time_limit_s: float,
    seed: int,
    params: HeuristicParams | None = None,
) -> HeuristicResult:
    """Run the greedy construction, then look-ahead passes until ``time_limit_s`` (s).

    Deterministic passes first; then randomised passes seeded by ``seed`` until the time
    limit or the trivial volume bound is reached.
    """
    time_limit_s, seed = solver_arguments(instance, time_limit_s, seed)
    params = validate.params_of(params, HeuristicParams)
    validate.integer(params.max_passes, "params.max_passes", lo=0, nullable=True)
    start = time.monotonic()
    blocks = build_blocks(instance.container, instance.box_types)
    if params.general_blocks:
        blocks = add_general_blocks(
            blocks, instance.container, instance.box_types,
            min_fill=params.general_fill, directions=params.general_blocks,
        )
    packer = _Packer(instance, blocks, deadline=float("inf"))
    packer.waste = params.waste
    packer.distinct_length = params.distinct_length
    packer.best = packer.greedy(packer.initial())
    greedy_volume = packer.best.volume
    for order in params.orders[1:]:
        packer.order = order
        g = packer.greedy(packer.initial())
        if g.volume > packer.best.volume:
            packer.best = g
    packer.deadline = start + time_limit_s
    passes = 0
    timed_out = False
    bound = instance.volume_bound
    try:
        limit = params.max_passes if params.max_passes is not None else 1 << 62
        for width, beam in params.passes:
            for order in params.orders:
                if packer.best.volume >= bound or passes >= limit:
                    break
                packer.order = order
                packer.beam(width, beam, max(params.per_type, width // 3))
                passes += 1
        rng = np.random.default_rng(seed)
        packer.noise = params.noise
        late = params.passes[len(params.passes) // 2 :]
        while packer.best.volume < bound and time.monotonic() < packer.deadline and passes < limit:
            width, beam = late[int(rng.integers(len(late)))]
            packer.order = int(rng.choice(params.orders))
            packer.beam(width, beam, max(params.per_type, width // 3), rng)
            passes += 1
    except _Deadline:
        timed_out = True
    best = packer.best
    return HeuristicResult(
        placements=packer.to_placements(best),
        volume=best.volume,
        passes=passes,
        timed_out=timed_out,
        greedy_volume=greedy_volume,
    )

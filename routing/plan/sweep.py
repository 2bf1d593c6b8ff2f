"""Sweeps of the time-expanded network for many demands at once (numpy, in chunks).

Arc elimination needs, for every demand, the arcs on some source-to-sink path (reachability)
and the cheapest route through every arc (a forward and a backward shortest-path pass); the
greedy incumbent needs every demand's cheapest path. Done demand by demand in Python this is
``O(demands x arcs)`` interpreted steps: at 10,000 consignments of a month (37 k arcs, 27.8 M
demand-arc pairs) the reachability alone took 270 s. Here one pass over the arcs in
topological order updates a row of ``chunk`` demands per arc (a numpy operation), so the
interpreted work is ``O(arcs x demands / chunk)``.

Arcs owned by one demand (its source, drop and sink-at-origin arcs) all leave its source node,
which nothing else reaches; they are applied per demand before the shared arcs. Every value is
computed with the same floating-point expressions, in the same order along each path, as the
per-demand passes, so costs, bounds and kept arcs are bit-for-bit those of the per-demand code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

__all__ = ["Sweeps", "topological_rank_of", "CHUNK", "MATRIX_BYTES"]

#: demands per pass: bounds the memory of a pass to about ``nodes x CHUNK x 8`` bytes twice
CHUNK = 1024
#: largest cost matrix of a shortest-path pass (bytes): sets the demands per pass
MATRIX_BYTES = 256 * 2**20
#: tolerance of a capacity test (TEU), as in the per-demand code
_EPS = 1e-9


def topological_rank_of(n: int, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Topological rank of each of ``n`` nodes of the acyclic graph with arcs ``tail -> head``."""
    indeg = np.bincount(head, minlength=n)
    order = np.argsort(tail, kind="stable")
    start = np.searchsorted(tail[order], np.arange(n + 1))
    rank = np.full(n, -1, dtype=np.int64)
    heads = head[order].tolist()
    start_l = start.tolist()
    deg = indeg.tolist()
    queue = np.nonzero(indeg == 0)[0].tolist()
    k = 0
    while k < len(queue):
        u = queue[k]
        rank[u] = k
        for h in heads[start_l[u]:start_l[u + 1]]:
            deg[h] -= 1
            if deg[h] == 0:
                queue.append(h)
        k += 1
    return rank


@dataclass
class Sweeps:
    """The network as arrays for batched passes.

    ``owner[a]``: the demand index that owns arc ``a`` (-1: shared); ``mincap[a]``: the
    smallest capacity (TEU) of its resources (inf: none); ``source[k]``, ``sink[k]``: demand
    ``k``'s source and sink nodes; ``teu[k]``: its quantity."""

    n_nodes: int
    tail: np.ndarray
    head: np.ndarray
    mincap: np.ndarray
    owner: np.ndarray
    source: np.ndarray
    sink: np.ndarray
    teu: np.ndarray

    def __post_init__(self) -> None:
        rank = topological_rank_of(self.n_nodes, self.tail, self.head)
        shared = self.owner == -1
        fwd = np.argsort(rank[self.tail], kind="stable")
        bwd = np.argsort(-rank[self.head], kind="stable")
        self.fwd_order = fwd[shared[fwd]]
        self.bwd_order = bwd[shared[bwd]]
        self.shared = np.nonzero(shared)[0]
        self.row = np.full(len(self.tail), -1, dtype=np.int64)  # arc -> its row among shared
        self.row[self.shared] = np.arange(len(self.shared))
        own = np.nonzero(self.owner >= 0)[0]  # by owner, then arc id
        own = own[np.argsort(self.owner[own], kind="stable")]
        self.own = own
        self.own_ptr = np.searchsorted(self.owner[own], np.arange(len(self.source) + 1))
        # rows of the passes' node x demand arrays: every node but the sources (only their
        # own demand leaves them, by its owned arcs, which the passes apply one by one)
        keep = np.ones(self.n_nodes, dtype=bool)
        keep[self.source] = False
        self.node_row = np.full(self.n_nodes, -1, dtype=np.int64)
        self.node_row[keep] = np.arange(int(keep.sum()))
        self.n_rows = int(keep.sum())
        self.rtail, self.rhead = self.node_row[self.tail], self.node_row[self.head]
        self.rsink = self.node_row[self.sink]

    @classmethod
    def of(cls, net) -> Sweeps:
        """The arrays of a :class:`~mmroute.routing.plan.expand.TimeExpandedNetwork`."""
        arcs = net.arcs
        n = len(arcs)
        ship_no = {d.shipment: k for k, d in enumerate(net.demands)}
        return cls(
            n_nodes=len(net.nodes),
            tail=np.fromiter((a.tail for a in arcs), dtype=np.int64, count=n),
            head=np.fromiter((a.head for a in arcs), dtype=np.int64, count=n),
            mincap=np.fromiter((min((net.capacity[r] for r in a.resources), default=np.inf)
                                for a in arcs), dtype=float, count=n),
            owner=np.fromiter((-1 if a.shipment is None else ship_no.get(a.shipment, -2)
                               for a in arcs), dtype=np.int64, count=n),
            source=np.array([net.source[d.shipment] for d in net.demands], dtype=np.int64),
            sink=np.array([net.sink[d.destination] for d in net.demands], dtype=np.int64),
            teu=np.array([d.quantity_teu for d in net.demands], dtype=float),
        )

    def owned(self, k: int) -> np.ndarray:
        """Arcs owned by demand ``k``, by arc id."""
        return self.own[self.own_ptr[k]:self.own_ptr[k + 1]]

    def chunks(self, chunk: int | None = None) -> Iterator[np.ndarray]:
        """Demand indices in blocks of at most ``chunk`` (default :meth:`chunk_size`)."""
        n = len(self.source)
        chunk = self.chunk_size() if chunk is None else chunk
        for lo in range(0, n, chunk):
            yield np.arange(lo, min(n, lo + chunk))

    # --- reachability ---------------------------------------------------------------------

    def usable(self, splittable: bool) -> list[np.ndarray]:
        """For each demand, the arcs on some path from its source to its sink (by arc id);
        unsplittable: only through arcs whose every capacity is at least its quantity."""
        out: list[np.ndarray] = []
        for ks in self.chunks(4 * self.chunk_size()):
            out.extend(self._usable_chunk(ks, splittable))
        return out

    def _fit_rows(self, ks: np.ndarray) -> list[np.ndarray | None]:
        """Per shared arc (in ``shared`` order), which demands ``ks`` its capacities take
        whole (``None``: all); one mask per distinct capacity."""
        q = self.teu[ks]
        masks: dict[float, np.ndarray | None] = {}
        out: list[np.ndarray | None] = []
        for cap in self.mincap[self.shared].tolist():
            if cap not in masks:
                ok = cap >= q - _EPS
                masks[cap] = None if ok.all() else ok
            out.append(masks[cap])
        return out

    def _usable_chunk(self, ks: np.ndarray, splittable: bool) -> list[np.ndarray]:
        n, m = self.n_rows, len(ks)
        tail, head = self.rtail, self.rhead
        tl, hd, row = tail.tolist(), head.tolist(), self.row.tolist()
        fit = [None] * len(self.shared) if splittable else self._fit_rows(ks)
        fwd = np.zeros((n, m), dtype=bool)
        own_ok: list[np.ndarray] = []
        for j, k in enumerate(ks.tolist()):
            own = self.owned(k)
            if not splittable:
                own = own[self.mincap[own] >= self.teu[k] - _EPS]
            own_ok.append(own)
            fwd[head[own], j] = True
        bwd = np.zeros((n, m), dtype=bool)
        bwd[self.rsink[ks], np.arange(m)] = True
        for a in self.fwd_order.tolist():
            ok = fit[row[a]]
            src = fwd[tl[a]] if ok is None else fwd[tl[a]] & ok
            fwd[hd[a]] |= src
        for a in self.bwd_order.tolist():
            ok = fit[row[a]]
            src = bwd[hd[a]] if ok is None else bwd[hd[a]] & ok
            bwd[tl[a]] |= src
        arcs = self.shared
        mask = fwd[tail[arcs]] & bwd[head[arcs]]
        if not splittable:
            mask &= self.mincap[arcs][:, None] >= self.teu[ks][None, :] - _EPS
        mask_t = np.ascontiguousarray(mask.T)
        del mask, fwd
        out = []
        for j, own in enumerate(own_ok):
            out.append(np.sort(np.concatenate([arcs[mask_t[j]], own[bwd[head[own], j]]])))
        return out

    # --- shortest paths -------------------------------------------------------------------

    def chunk_size(self) -> int:
        """Demands per pass of the shortest-path sweeps: an arcs x demands matrix of a pass
        (8 bytes each) stays within :data:`MATRIX_BYTES`."""
        return int(min(CHUNK, max(16, MATRIX_BYTES // (8 * max(1, len(self.shared))))))

    def forward(self, ks: np.ndarray, cost: np.ndarray, own_cost, *, pred: bool = False):
        """Cheapest cost from each demand's source to every node: ``(dist, pred)`` as
        ``n_rows x len(ks)`` arrays, a node's row ``node_row[node]`` (``pred`` the last arc,
        -1 if none; ``None`` unless asked).

        ``cost(a)``: the costs of shared arc ``a`` for demands ``ks`` (inf: not usable);
        ``own_cost(k)``: ``(arcs, costs)`` of the arcs demand
        ``k`` owns that it may use."""
        n, m = self.n_rows, len(ks)
        hd, tl = self.rhead.tolist(), self.rtail.tolist()
        dist = np.full((n, m), np.inf)
        prev = np.full((n, m), -1, dtype=np.int64) if pred else None
        for j, k in enumerate(ks.tolist()):
            arcs, c = own_cost(k)  # from the source, at cost 0
            for a, ca in zip(arcs.tolist(), c.tolist()):
                v = 0.0 + ca
                if v < dist[hd[a], j]:
                    dist[hd[a], j] = v
                    if prev is not None:
                        prev[hd[a], j] = a
        minimum = np.minimum
        for a in self.fwd_order.tolist():
            h = dist[hd[a]]
            cand = dist[tl[a]] + cost(a)
            if prev is None:
                minimum(h, cand, out=h)
            else:
                better = cand < h
                if better.any():
                    h[better] = cand[better]
                    prev[hd[a]][better] = a
        return dist, prev

    def backward(self, ks: np.ndarray, cost: np.ndarray) -> np.ndarray:
        """Cheapest cost from every node to each demand's sink over shared arcs
        (``n_rows x len(ks)``, rows as in :meth:`forward`); ``cost`` as in :meth:`forward`."""
        n, m = self.n_rows, len(ks)
        hd, tl = self.rhead.tolist(), self.rtail.tolist()
        dist = np.full((n, m), np.inf)
        dist[self.rsink[ks], np.arange(m)] = 0.0
        minimum = np.minimum
        for a in self.bwd_order.tolist():
            t = dist[tl[a]]
            minimum(t, cost(a) + dist[hd[a]], out=t)
        return dist

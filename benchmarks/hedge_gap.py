"""What the hindsight gap is made of, and whether a non-anticipative policy could hedge it.

For each seed where hindsight beats greedy, per consignment whose cost differs: greedy's move
where the two itineraries part (the *commitment*: decision time, node, move), hindsight's move
there, the events that touch greedy's route after that point (with their onset: when a policy
learns of them) and the realised difference. Then, at greedy's commitment decision, the
expected episode cost of each of the two moves under the scenario's own uncertainty model:
``n_futures`` futures sampled with :func:`~mmroute.envs.futures.sample_future` from what is known
then (a stream of its own, never the realization), each played out in the simulator with the
move forced and

* greedy after it (``cont=greedy``: a feasible non-anticipative continuation, so an upper
  bound on what the best policy gets after that move), and
* the clairvoyant re-planner after it (``cont=clairvoyant``: the future known in full from
  then on, a lower bound on what any policy gets after that move).

If the hedging move's lower bound exceeds greedy's move's upper bound, no non-anticipative
policy prefers the hedge in expectation at that point.

    nice -n 10 python benchmarks/hedge_gap.py tests/data/user/shanghai-europe.yaml \
        --seeds 100030-100059 --futures 64 --out benchmarks/results/hedge_gap_shanghai-europe.csv
"""

from __future__ import annotations

import argparse
import csv
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmroute.agents.imitation import Clairvoyant
from mmroute.agents.policies import GreedyPolicy, HindsightPolicy
from mmroute.agents.rollout import rollout
from mmroute.agents.seeds import parse_seeds
from mmroute.envs.futures import as_realization, sample_future
from mmroute.envs.reroute import RerouteEnv
from mmroute.envs.simulator import Move, moves_of
from mmroute.scenarios import as_scenario
from mmroute.world.realization import realize

#: the analysis' own stream of futures (beside the realization's 0-5 and the policies' 23)
STREAM = 2321


@dataclass(frozen=True)
class Decision:
    """One decision of an episode: its index, the consignment's shipment, time (h), node and
    the move taken."""

    index: int
    shipment: str
    time_h: float
    node: str
    move: Move


class _Recording:
    """A policy that records what ``inner`` decides."""

    def __init__(self, inner):
        self.inner, self.log = inner, []

    def reset(self, env):
        self.log = []
        self.inner.reset(env)

    def act(self, env):
        a = self.inner.act(env)
        m = a if isinstance(a, Move) else env.slots[int(a)].move if env.slots[int(a)] else None
        d = env.decision
        self.log.append(Decision(env.sim.decisions, env.sim.consignments[d.consignment].shipment.id,
                                 env.sim.now, d.node, m))
        return a


class _Forced:
    """Greedy until decision ``index``; ``move`` there; then ``after`` (greedy or the
    clairvoyant re-planner, reset at the switch)."""

    def __init__(self, index: int, shipment: str, move: Move, after: str):
        self.index, self.shipment, self.move, self.after = index, shipment, move, after
        self.greedy = GreedyPolicy()

    def reset(self, env):
        self.greedy.reset(env)
        self.cont = None
        self.matched = False

    def act(self, env):
        i = env.sim.decisions
        if i < self.index:
            return self.greedy.act(env)
        if i == self.index:
            sid = env.sim.consignments[env.decision.consignment].shipment.id
            self.matched = sid == self.shipment
            return self.move
        if self.cont is None:
            self.cont = self.greedy if self.after == "greedy" else Clairvoyant(time_limit_s=10.0)
            if self.after != "greedy":
                self.cont.reset(env)
        return self.cont.act(env)


def route_events(real, sc, links: set[str], nodes: set[str], from_h: float, to_h: float):
    """The events of ``real`` that touch ``links`` / ``nodes`` (a weather cell: one of the
    modes of ``links``) and are under way between ``from_h`` and ``to_h``."""
    ev = real.events
    modes = {lk.mode for lk in sc.links if lk.id in links}
    out = [e for e in (*ev.closures, *ev.node_delays, *ev.node_closures)
           if _touches(e, links, nodes) and e.to_h > from_h and e.from_h <= to_h]
    out += [w for w in ev.weather if set(w.modes) & modes and w.to_h > from_h and w.from_h <= to_h]
    return sorted(out, key=lambda e: e.from_h)


def _touches(e, links: set[str], nodes: set[str]) -> bool:
    if hasattr(e, "link"):
        return e.link in links
    if hasattr(e, "node"):
        return e.node in nodes
    return False


def gap_rows(scenario, seed: int, *, n_futures: int, n_clairvoyant: int,
             min_gap_cny: float = 1000.0, futures: bool = True):
    """The rows of one seed (see the module doc); ``futures=False``: without the expected
    costs (the episodes' part only)."""
    sc = as_scenario(scenario)
    env = RerouteEnv(sc)
    real = realize(sc, seed)
    rec = _Recording(GreedyPolicy())
    g = rollout(env, rec, real)
    g_log, g_traj = list(rec.log), g.sim.trajectory()
    h = rollout(env, HindsightPolicy(), real)
    h_traj = h.sim.trajectory()
    if g.cost_cny - h.cost_cny < min_gap_cny:
        return []
    rows = []
    for gi in g_traj.itineraries:
        hi = h_traj.itinerary(gi.shipment)[0]
        diff = gi.objective_cny - hi.objective_cny
        if abs(diff) < min_gap_cny:
            continue
        gm, hm = moves_of(gi), moves_of(hi)
        k = next((j for j, (a, b) in enumerate(zip(gm, hm)) if a != b), min(len(gm), len(hm)))
        mine = [d for d in g_log if d.shipment == gi.shipment]
        if k >= len(mine) or k >= len(hm):
            continue
        dec = mine[k]
        after = gi.legs[sum(1 if m.kind == "service" else len(m.path) for m in gm[:k]):]
        # the route's nodes from the commitment on, and every link leaving one of them (a
        # closure of a departure the cargo was booked on leaves no leg of it behind)
        nodes = {dec.node, *(lg.to_node for lg in after), *(lg.to_node for lg in hi.legs)}
        links = {lk.id for lk in sc.links if lk.from_node in nodes}
        hit = route_events(real, sc, links, nodes, dec.time_h, gi.arrival_h or sc.horizon_h)
        row = {"seed": seed, "shipment": gi.shipment, "teu": round(gi.teu, 2),
               "greedy_cny": round(gi.objective_cny), "hindsight_cny": round(hi.objective_cny),
               "realised_diff_cny": round(diff), "commit_h": round(dec.time_h, 2),
               "commit_node": dec.node, "greedy_move": _name(dec.move), "hindsight_move": _name(hm[k]),
               "events": "; ".join(f"{_ev_name(e)} {e.from_h:g}-{e.to_h:g} h" for e in hit),
               "known_at_commit": "; ".join(_ev_name(e) for e in hit
                                            if e.from_h <= dec.time_h + 1e-9),
               "late_arrival_h": round(gi.lateness_h, 1),
               "greedy_episode_cny": round(g.cost_cny), "hindsight_episode_cny": round(h.cost_cny)}
        nxt = mine[k + 1].move if k + 1 < len(mine) else None
        if futures:
                row.update(expected_costs(sc, env, real, dec, dec.move, hm[k], nxt,
                                      n_futures=n_futures, n_clairvoyant=n_clairvoyant,
                                      route_links=links))
        rows.append(row)
    return rows


def expected_costs(sc, env, real, dec: Decision, greedy_move: Move, hedge_move: Move,
                   greedy_next: Move | None, *, n_futures: int, n_clairvoyant: int,
                   route_links: set[str]) -> dict:
    """Mean episode cost (CNY) over futures sampled at ``dec`` of each move, followed by
    greedy and by the clairvoyant re-planner; futures where the replayed past differs from
    the episode's are skipped (counted)."""
    # the simulator at the decision: greedy replayed up to it
    pre = _Forced(dec.index, dec.shipment, greedy_move, "greedy")
    env.reset(options={"realization": real})
    pre.reset(env)
    while env.sim.decisions < dec.index:
        a = pre.act(env)
        env.step_move(a) if isinstance(a, Move) else env.step(a)
    sim = env.sim
    late = latest_commit(env, greedy_move, greedy_next)
    rng = np.random.default_rng([int(real.seed), STREAM, int(dec.index)])
    futures = [as_realization(sample_future(sim, rng), real) for _ in range(n_futures)]
    out: dict = {"futures": n_futures, "clairvoyant_futures": n_clairvoyant}
    clairvoyant = n_clairvoyant > 1
    conts = ("greedy", "clairvoyant") if clairvoyant else ("greedy",)
    t0 = time.process_time()
    costs: dict[tuple[str, str], list[float]] = {}
    for tag, move in (("g", greedy_move), ("h", hedge_move)):
        for cont in conts:
            got = []
            for f in futures[:n_clairvoyant] if cont == "clairvoyant" else futures:
                pol = _Forced(dec.index, dec.shipment, move, cont)
                ro = rollout(env, pol, f)
                got.append(ro.cost_cny if pol.matched else float("nan"))
            costs[tag, cont] = got
    out["E_greedy_move_cny"] = _mean(costs["g", "greedy"])
    for cont in conts:  # the hedge's extra expected cost, paired over the futures
        out[f"hedge_minus_greedy_{cont}_cny"], out[f"ci_{cont}_cny"] = _paired(
            costs["h", cont], costs["g", cont])
    if clairvoyant:  # the hedge then clairvoyance, against greedy's move then greedy
        out["bound_cny"], out["ci_bound_cny"] = _paired(costs["h", "clairvoyant"],
                                                        costs["g", "greedy"][:n_clairvoyant])
    # futures in which a closure not known at the decision touches greedy's route on
    out["futures_closing_route"] = sum(1 for f in futures if any(
        e.from_h > sim.now and e.link in route_links for e in f.events.closures))
    # the hedge in the episode's own realization, greedy after it
    out["late_move"] = "" if late is None else _name(late)
    if late is not None:  # greedy's truck as late as still makes greedy's next departure
        got = []
        for f in futures:
            pol = _Forced(dec.index, dec.shipment, late, "greedy")
            ro = rollout(env, pol, f)
            got.append(ro.cost_cny if pol.matched else float("nan"))
        out["late_minus_greedy_cny"], out["ci_late_cny"] = _paired(got, costs["g", "greedy"])
        out["realised_late_then_greedy_cny"] = round(rollout(
            env, _Forced(dec.index, dec.shipment, late, "greedy"), real).cost_cny)
    out["realised_hedge_then_greedy_cny"] = round(rollout(
        env, _Forced(dec.index, dec.shipment, hedge_move, "greedy"), real).cost_cny)
    out["cpu_s"] = round(time.process_time() - t0, 1)
    return out


def latest_commit(env, move: Move, nxt: Move | None, slack_h: float = 2.0) -> Move | None:
    """``move``, a road trip to a terminal, leaving at the latest whole hour from which the
    cargo is still ready there (known conditions at the decision, ``slack_h`` to spare) for
    the cut-off of ``nxt``, the scheduled departure greedy books next; ``None`` if that is
    not a road trip followed by a departure, or no later hour makes it."""
    if move.kind != "road" or nxt is None or nxt.kind != "service":
        return None
    sim = env.sim
    cond = sim.known()
    path = [sim.links[x] for x in move.path]
    end = sim.nodes[path[-1].to_node]
    lk = sim.links[nxt.link]
    need = nxt.timetable_h - lk.timetable.cutoff_h - slack_h
    best = None
    t = float(int(sim.now) + 1)
    while t <= need:
        times = cond.road_trip(path, t)
        if times is not None:
            arr = times[-1][1]
            if arr + end.handling_time_h + cond.node_delay_h(end.id, arr) <= need:
                best = t
        t += 1.0
    return None if best is None else Move.road(move.path, best)


def _mean(xs) -> float:
    x = np.asarray(xs, dtype=float)
    return round(float(np.nanmean(x)))


def _paired(a, b) -> tuple[float, float]:
    """Mean of ``a - b`` over the futures where both ran, and its 95 % CI half-width."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return float("nan"), float("nan")
    return round(float(d.mean())), round(float(1.96 * d.std(ddof=1) / np.sqrt(len(d))))


def _name(m: Move) -> str:
    if m.kind == "service":
        return f"{m.link}@{m.timetable_h:g}"
    if m.kind == "road":
        at = "" if m.depart_h is None else f"@{m.depart_h:g}"
        return "road " + "/".join(m.path) + at
    return "drop"


def _ev_name(e) -> str:
    what = getattr(e, "link", None) or getattr(e, "node", None) or getattr(e, "cell", "")
    return f"{type(e).__name__}({what})"


def markdown(path: str | Path) -> str:
    """The CSV of :func:`main` as the table of docs/agents.md: the Red Sea closure's onset
    (a ``*-suez`` link closure) and the other events under way by then."""
    import pandas as pd

    d = pd.read_csv(path)
    out = ["| seed | consignment | commit (h, node) | greedy's move | hindsight's move "
           "| closure onset (h) | other events by then | realised saving "
           "| E[hedge − greedy's move], greedy after | the same, clairvoyant after (8) "
           "| late truck: E[late − greedy's move] |",
           "|---|---|---|---|---|---:|---|---:|---:|---:|---:|"]
    for r in d.itertuples():
        evs = [(x.split(" ")[0], x.split(" ")[1]) for x in str(r.events).split("; ") if " " in x]
        onsets = sorted({float(w.split("-")[0]) for n, w in evs if "suez" in n})
        first = onsets[0] if onsets else float("inf")
        other = [f"{n.split('(')[1].rstrip(')')} {w} h" for n, w in evs
                 if "suez" not in n and float(w.split("-")[0]) <= first]
        late = ("—" if not isinstance(r.late_move, str) else
                f"{r.late_move.split('@')[1]} h: {r.late_minus_greedy_cny:+,.0f} ± {r.ci_late_cny:,.0f}")
        out.append(f"| {r.seed} | {r.shipment} ({r.teu:g} TEU) | {r.commit_h:g}, {r.commit_node} "
                   f"| {r.greedy_move} | {r.hindsight_move} "
                   f"| {', '.join(f'{x:g}' for x in onsets)} | {'; '.join(other) or '—'} "
                   f"| {r.realised_diff_cny:,.0f} "
                   f"| {r.hedge_minus_greedy_greedy_cny:+,.0f} ± {r.ci_greedy_cny:,.0f} "
                   f"| {r.hedge_minus_greedy_clairvoyant_cny:+,.0f} ± {r.ci_clairvoyant_cny:,.0f} "
                   f"| {late} |")
    return "\n".join(out)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--seeds", default="100030-100059")
    ap.add_argument("--futures", type=int, default=64)
    ap.add_argument("--clairvoyant-futures", type=int, default=8,
                    help="the first N futures also played with the clairvoyant after the move "
                         "(0: none; its episodes cost ~10x greedy's)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--table", action="store_true", help="print --out as a markdown table")
    ap.add_argument("--refresh-events", action="store_true",
                    help="recompute the episodes' columns of --out (events, ...), keep the rest")
    a = ap.parse_args(argv)
    if a.table:
        print(markdown(a.out))
        return
    if a.refresh_events:
        import pandas as pd

        d = pd.read_csv(a.out)
        for s in sorted(set(d.seed)):
            for r in gap_rows(a.scenario, int(s), n_futures=0, n_clairvoyant=0, futures=False):
                at = (d.seed == s) & (d.shipment == r["shipment"])
                for k, v in r.items():
                    if k not in d or isinstance(v, str):
                        d[k] = d[k].astype(object) if k in d else None
                    d.loc[at, k] = v
        d.to_csv(a.out, index=False)
        return
    seeds = parse_seeds(a.seeds)
    rows = []
    for s in seeds:
        t0 = time.process_time()
        got = gap_rows(a.scenario, s, n_futures=a.futures,
                       n_clairvoyant=a.clairvoyant_futures)
        rows += got
        print(f"seed {s}: {len(got)} consignments, {time.process_time() - t0:.0f} s CPU",
              flush=True)
        for r in got:
            print("   ", r, flush=True)
        if rows:
            Path(a.out).parent.mkdir(parents=True, exist_ok=True)
            with open(a.out, "w", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)


if __name__ == "__main__":
    main()

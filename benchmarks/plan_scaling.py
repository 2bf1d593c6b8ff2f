"""Scaling of the exact multimodal plan: solve time and gap as shipments and horizon grow,
and milliseconds per re-plan call on the bundled scenarios.

Generated variants of a bundled scenario keep its network and draw shipments from its own
origin-destination pairs (quantities, release times and lead times drawn like its shipments)
with a ``numpy.random.Generator`` seeded by ``--seed``.

    .venv/bin/python benchmarks/plan_scaling.py --sizes 10,100,1000 --weeks 1,2,4 \
        --time-limit 60 --out benchmarks/results/plan_scaling.csv

Writes one CSV row per run and prints a table.

Month rows (``--month-sizes``): the scenario scaled as ``mmroute scenarios scale`` does
(consignments of 1-3 TEU over a month, capacities scaled with the volume), each size planned
in a child process of its own so that its peak RSS (``resource.getrusage``) is its own;
``--before REV`` plans each size with the code of git revision ``REV`` too (exported with
``git archive`` into a temporary folder that the child imports first), side by side:

    .venv/bin/python benchmarks/plan_scaling.py --sizes '' --weeks '' --replan '' \
        --month-sizes 1000,3000,10000 --time-limit 600 --before main \
        --out benchmarks/results/plan_scaling_month.csv

Time limits (issue 22): ``--size-limits 20,60,120`` plans the ``--sizes`` rows once per limit
(the 1,000 row is the capacity-starved stress row); with ``--before REV`` those rows too run
in child processes, with that revision's code and with this tree's, side by side. Every plan
row has ``wall_s`` (the call's wall time) and ``wall_ratio`` (wall / limit; within 1.05 is
the goal):

    .venv/bin/python benchmarks/plan_scaling.py --sizes 1000 --size-limits 20,60,120 \
        --weeks '' --replan '' --month-sizes 1000,3000 --before main \
        --out benchmarks/results/plan_scaling_timelimit.csv
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from mmroute.io import write_text_atomic
from mmroute.routing.plan import PlanParams, expand, replan, solve_plan, state_at
from mmroute.routing.plan.incremental import Replanner
from mmroute.scenarios import Scenario, load, parse
from mmroute.scenarios.scaling import scale
from mmroute.world.conditions import Conditions
from mmroute.world.events import DepartureDelay, KnownEvents, LinkClosure

COLUMNS = ["experiment", "scenario", "shipments", "horizon_h", "variables", "status",
           "objective", "bound", "gap", "time_s", "build_s", "dropped", "ms_per_call",
           "code", "time_limit_s", "wall_s", "wall_ratio", "peak_rss_gb"]
#: the folders of the source tree that install as mmroute's subpackages (pyproject.toml)
_SUBPACKAGES = ("scenarios", "world", "routing", "envs", "agents")


def variant(base: Scenario, n: int, horizon_h: float, rng: np.random.Generator) -> Scenario:
    """``base`` with ``n`` shipments drawn on its OD pairs over ``horizon_h``."""
    data = base.to_dict()
    ships = base.shipments
    pairs = sorted({(s.origin, s.destination) for s in ships})
    leads = {p: [s.due_h - s.release_h for s in ships if (s.origin, s.destination) == p]
             for p in pairs}
    qty = [s.quantity_teu for s in ships]
    out = []
    for i in range(n):
        o, d = pairs[int(rng.integers(len(pairs)))]
        lead = float(rng.choice(leads[(o, d)]))
        release = float(np.round(rng.uniform(0, max(1.0, horizon_h - lead - 48)), 1))
        out.append({"id": f"G{i:04d}", "origin": o, "destination": d,
                    "quantity_teu": float(max(1, round(rng.choice(qty) * rng.uniform(0.5, 1.5)))),
                    "release_h": release, "due_h": release + lead,
                    "lateness_penalty_cny_per_teu_h": base.objective.lateness_cny_per_teu_h})
    data["shipments"] = out
    data["horizon_h"] = horizon_h
    data["name"] = f"{base.name}-n{n}-h{int(horizon_h)}"
    data.pop("uncertainty", None)  # demand / weather draws are not used by the plan
    return parse(data)


def run_plan(sc: Scenario, time_limit_s: float, seed: int, experiment: str) -> dict[str, Any]:
    t = time.perf_counter()
    net = expand(sc)
    build = time.perf_counter() - t
    n_var = sum(len(v) for v in net.usable.values())
    del net
    t = time.perf_counter()
    plan = solve_plan(sc, time_limit_s=time_limit_s, seed=seed)
    wall = time.perf_counter() - t
    return {"experiment": experiment, "scenario": sc.name, "shipments": len(sc.shipments),
            "horizon_h": sc.horizon_h, "variables": n_var, "status": plan.status,
            "objective": round(plan.objective, 2),
            "bound": None if plan.bound is None else round(plan.bound, 2),
            "gap": None if plan.gap is None else f"{plan.gap:.2e}", "time_s": plan.time_s,
            "build_s": round(build, 3),
            "dropped": sum(1 for it in plan.itineraries if it.dropped), "ms_per_call": None,
            "code": None, "time_limit_s": time_limit_s, "wall_s": round(wall, 2),
            "wall_ratio": round(wall / time_limit_s, 3),
            "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3)}


def run_size(name: str, sizes: list[int], seed: int, time_limit_s: float) -> dict[str, Any]:
    """The ``--sizes`` row of ``sizes[-1]`` shipments (the variants drawn for ``sizes`` in
    order from ``--seed``, as in the parent), planned in this process (see :func:`child_row`)."""
    rng = np.random.default_rng(seed)
    base = load(name)
    for n in sizes:
        sc = variant(base, n, base.horizon_h, rng)
    return run_plan(sc, time_limit_s, seed, "shipments")


def run_replan(sc: Scenario, time_limit_s: float, seed: int, every_h: float,
               rng: np.random.Generator, solver: str = "highs") -> dict[str, Any]:
    """Plan, then re-plan every ``every_h`` hours with a random closure revealed each time."""
    from mmroute.routing.plan import executed_plan  # this version's (children run others)

    plan = solve_plan(sc, time_limit_s=time_limit_s, seed=seed)
    road = [lk.id for lk in sc.links]
    ms: list[float] = []
    closures: list[LinkClosure] = []
    t = every_h
    current = plan
    worst = "optimal"
    while t < sc.horizon_h and len(ms) < 20:
        lk = road[int(rng.integers(len(road)))]
        closures.append(LinkClosure(lk, t, t + float(rng.uniform(12, 72))))
        state = state_at(sc, current, t)
        if all(p.delivered for p in state.positions) and len(state.positions) == len(
                sc.shipments):
            break
        t0 = time.perf_counter()
        new = replan(sc, state, KnownEvents(closures=tuple(closures)), time_limit_s=time_limit_s,
                     seed=seed, params=PlanParams(solver=solver), initial=current)
        ms.append(1000 * (time.perf_counter() - t0))
        if new.status != "optimal":
            worst = new.status
        current = executed_plan(current, new, t)
        t += every_h
    return {"experiment": f"replan-{solver}", "scenario": sc.name, "shipments": len(sc.shipments),
            "horizon_h": sc.horizon_h, "variables": None, "status": worst,
            "objective": None, "bound": None, "gap": None, "time_s": None, "build_s": None,
            "dropped": None,
            "ms_per_call": f"{statistics.median(ms):.0f} (median of {len(ms)}, max "
                           f"{max(ms):.0f})" if ms else None,
            "code": None, "time_limit_s": time_limit_s, "wall_s": None, "peak_rss_gb": None}


def mid_horizon_events(sc: Scenario, n: int, rng: np.random.Generator, t_lo: float = 16.0,
                       t_hi: float = 340.0):
    """:func:`events_along` ``n`` times evenly in ``[t_lo, t_hi]`` h (0.1 h)."""
    return events_along(sc, np.linspace(t_lo, min(t_hi, sc.horizon_h), n).round(1).tolist(), rng)


def events_along(sc: Scenario, times, rng: np.random.Generator):
    """Per time of ``times`` (h), the events known so far: each time a new closure (12-72 h)
    or departure delay (6-48 h, of the next departure of a scheduled link), drawn by ``rng``
    (also the incremental re-plan tests' episodes)."""
    closures: list[LinkClosure] = []
    delays: list[DepartureDelay] = []
    for t in times:
        lk = sc.links[int(rng.integers(len(sc.links)))]
        deps = [] if lk.timetable is None else Conditions(sc, None).departures(
            lk, t + lk.timetable.cutoff_h, t + 200)
        if deps and rng.random() < 0.5:
            delays.append(DepartureDelay(lk.id, deps[0][0], float(rng.uniform(6, 48))))
        else:
            closures.append(LinkClosure(lk.id, t, t + float(rng.uniform(12, 72))))
        yield t, KnownEvents(closures=tuple(closures), delays=tuple(delays))


def run_replan_month(sc: Scenario, time_limit_s: float, seed: int, n_states: int = 20
                     ) -> list[dict[str, Any]]:
    """Re-plan times (s) at ``n_states`` mid-horizon states of an episode (each with a newly
    known closure or delay, the plan followed so far as ``initial``): from scratch (before)
    and with a kept :class:`Replanner` (after), side by side on the same states. Two rows;
    the objectives must agree within 1e-6 relative (else the run fails)."""
    from mmroute.routing.plan import executed_plan

    plan = solve_plan(sc, time_limit_s=time_limit_s, seed=seed)
    rp = Replanner(sc)
    times: dict[str, list[float]] = {"scratch": [], "incremental": []}
    current = plan
    worst = {"scratch": "optimal", "incremental": "optimal"}
    for k, (t, ev) in enumerate(mid_horizon_events(sc, n_states, np.random.default_rng(seed))):
        state = state_at(sc, current, t, ev)
        out = {}
        for how in (("scratch", "incremental") if k % 2 == 0 else ("incremental", "scratch")):
            t0 = time.perf_counter()
            if how == "scratch":
                out[how] = replan(sc, state, ev, time_limit_s=time_limit_s, seed=seed,
                                  initial=current, tables=rp.tables)
            else:
                out[how] = rp.replan(state, ev, time_limit_s=time_limit_s, seed=seed,
                                     initial=current)
            times[how].append(time.perf_counter() - t0)
            if out[how].status != "optimal":
                worst[how] = out[how].status
        a, b = out["incremental"].objective, out["scratch"].objective
        if abs(a - b) > 1e-6 * max(1.0, abs(b)):
            raise AssertionError(f"state {k} (t={t}): incremental {a} != from scratch {b}")
        print(f"  state {k} t={t}: scratch {times['scratch'][-1]:.2f} s, incremental "
              f"{times['incremental'][-1]:.2f} s, objective {b:.2f}", flush=True)
        current = executed_plan(current, out["incremental"], t)
    rows = []
    for how, ts in times.items():
        med, p95 = statistics.median(ts), float(np.percentile(ts, 95))
        rows.append({"experiment": f"replan-month-{how}", "scenario": sc.name,
                     "shipments": len(sc.shipments), "horizon_h": sc.horizon_h,
                     "variables": None, "status": worst[how], "objective": None, "bound": None,
                     "gap": None, "time_s": round(sum(ts), 2), "build_s": None, "dropped": None,
                     "ms_per_call": f"median {1000 * med:.0f}, p95 {1000 * p95:.0f}, max "
                                    f"{1000 * max(ts):.0f} ({len(ts)} states)"})
    return rows


def run_month(name: str, n: int, seed: int, time_limit_s: float) -> dict[str, Any]:
    """Plan ``name`` scaled to ``n`` consignments (in this process; see :func:`month_row`)."""
    from mmroute.scenarios.scaling import scale

    sc = scale(load(name), consignments=n, seed=seed)
    t = time.perf_counter()
    plan = solve_plan(sc, time_limit_s=time_limit_s, seed=seed)
    wall = time.perf_counter() - t
    return {"experiment": "month", "scenario": sc.name, "shipments": n,
            "horizon_h": sc.horizon_h, "variables": None, "status": plan.status,
            "objective": round(plan.objective, 2),
            "bound": None if plan.bound is None else round(plan.bound, 2),
            "gap": None if plan.gap is None else f"{plan.gap:.2e}", "time_s": plan.time_s,
            "build_s": None, "dropped": sum(1 for it in plan.itineraries if it.dropped),
            "ms_per_call": None, "time_limit_s": time_limit_s, "wall_s": round(wall, 2),
            "wall_ratio": round(wall / time_limit_s, 3), "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3)}


def export_revision(rev: str, into: Path) -> Path:
    """The source tree of git revision ``rev`` under ``into``, laid out as the ``mmroute``
    package (``mmroute/routing`` -> ``routing``, ...): put it first on ``PYTHONPATH``."""
    root = Path(__file__).resolve().parent.parent
    tree = into / "tree"
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(root), "archive", rev], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    pkg = into / "pkg"
    pkg.mkdir()
    (pkg / "mmroute").symlink_to(tree / "mmroute")
    for sub in _SUBPACKAGES:
        (tree / "mmroute" / sub).symlink_to(tree / sub)
    return pkg


def month_row(name: str, n: int, seed: int, time_limit_s: float, code: str,
              pythonpath: Path | None) -> dict[str, Any]:
    """:func:`run_month` in a child process (with ``pythonpath`` first, for another
    revision's code); a row with status ``error: ...`` if the child fails."""
    return child_row(["month", name, n, seed, time_limit_s], "month", name, n, code, pythonpath)


def child_row(job: list, experiment: str, name: str, n: int, code: str,
              pythonpath: Path | None) -> dict[str, Any]:
    """``job`` (``["month", name, n, seed, limit]``: :func:`run_month`; ``["size", name,
    sizes, seed, limit]``: :func:`run_size`) in a child process with ``pythonpath`` first."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        row = {c: None for c in COLUMNS}
        row.update(experiment=experiment, scenario=name, shipments=n, status=f"error: {tail}")
    else:
        row = {c: None for c in COLUMNS}
        row.update(json.loads(lines[-1]))
    row["code"] = code
    return row


def table(rows: list[dict[str, Any]]) -> str:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS}
    lines = [" | ".join(c.ljust(widths[c]) for c in COLUMNS)]
    lines.append("-|-".join("-" * widths[c] for c in COLUMNS))
    for r in rows:
        lines.append(" | ".join(str("" if r[c] is None else r[c]).ljust(widths[c])
                                for c in COLUMNS))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="liuzhou-asean")
    ap.add_argument("--sizes", default="10,100,1000", help="shipment counts (comma separated)")
    ap.add_argument("--weeks", default="1,2,4", help="horizons in weeks for the horizon sweep")
    ap.add_argument("--horizon-shipments", type=int, default=20,
                    help="shipments per week in the horizon sweep")
    ap.add_argument("--replan", default="tiny,liuzhou-asean,yangtze-inbound,china-europe",
                    help="bundled scenarios to time re-plans on ('' for none)")
    ap.add_argument("--replan-solvers", default="highs,scip",
                    help="solvers to time re-plans with (scip takes the previous plan as hint)")
    ap.add_argument("--replan-month", default="",
                    help="consignment counts of scaled months (scenarios scale) to time 20 "
                         "mid-horizon re-plans on, from scratch and incremental ('' for none)")
    ap.add_argument("--replan-states", type=int, default=20)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="benchmarks/results/plan_scaling.csv")
    ap.add_argument("--month-sizes", default="",
                    help="consignments of the month rows (comma separated; '' for none)")
    ap.add_argument("--before", default=None,
                    help="git revision whose code plans the month rows too (e.g. main)")
    ap.add_argument("--after", default=None,
                    help="git revision whose code plans the month rows (default: this tree)")
    ap.add_argument("--size-limits", default=None,
                    help="time limits of the --sizes rows (comma separated; default --time-limit)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None:  # one month or size row, in its own process
        kind, name, n, seed, limit = json.loads(args.child)
        if kind == "month":
            row = run_month(name, int(n), int(seed), float(limit))
        else:
            row = run_size(name, [int(x) for x in n], int(seed), float(limit))
        print(json.dumps(row), flush=True)
        return 0
    rng = np.random.default_rng(args.seed)
    base = load(args.scenario)
    rows: list[dict[str, Any]] = []

    def add(row: dict[str, Any]) -> None:
        row = {k: row.get(k) for k in COLUMNS}  # experiments fill different columns
        rows.append(row)
        print(" ".join(f"{k}={row[k]}" for k in COLUMNS if row[k] is not None), flush=True)

    sizes = [int(x) for x in args.sizes.split(",") if x]
    limits = [float(x) for x in (args.size_limits or str(args.time_limit)).split(",") if x]
    months = [int(x) for x in args.month_sizes.split(",") if x]
    with tempfile.TemporaryDirectory() as tmp:
        codes = [(rev, None if rev is None or not (months or sizes) else export_revision(
            rev, Path(tmp) / f"code{k}")) for k, rev in enumerate((args.before, args.after))]
        for i, n in enumerate(sizes):
            sc = variant(base, n, base.horizon_h, rng)
            for limit in limits:
                if args.before is None:  # in this process, as before
                    add(run_plan(sc, limit, args.seed, "shipments"))
                    continue
                for rev, path in codes:
                    add(child_row(["size", args.scenario, sizes[:i + 1], args.seed, limit],
                                  "shipments", sc.name, n, rev or "this", path))
        for w in [float(x) for x in args.weeks.split(",") if x]:
            n = int(round(args.horizon_shipments * w))
            add(run_plan(variant(base, n, 168.0 * w, rng), args.time_limit, args.seed,
                         "horizon"))
        for n in months:
            for k, (rev, path) in enumerate(codes):
                if k == 0 and rev is None:
                    continue
                add(month_row(args.scenario, n, args.seed, args.time_limit, rev or "this", path))
    for name in [x for x in args.replan.split(",") if x]:
        try:
            sc = load(name)
        except Exception as exc:  # a bundled scenario not there yet
            print(f"skip {name}: {exc}", file=sys.stderr)
            continue
        for solver in [x for x in args.replan_solvers.split(",") if x]:
            add(run_replan(sc, args.time_limit, args.seed, 24.0,
                           np.random.default_rng(args.seed), solver))
    for n in [int(x) for x in args.replan_month.split(",") if x]:
        for row in run_replan_month(scale(base, consignments=n, seed=args.seed),
                                    args.time_limit, args.seed, args.replan_states):
            add(row)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    write_text_atomic(args.out, buf.getvalue())
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

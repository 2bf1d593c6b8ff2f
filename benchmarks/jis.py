"""Just-in-sequence supply: mmroute's plans against the practice baseline, at several takts and
line-side buffer sizes, on the bundled ``liuzhou-jis`` shift (480 cars, 4 suppliers); then every
method on the same drawn days (road noise and the Liujiang road closure of the scenario's
uncertainty, ``mmroute.world.realize``, seeds paired across methods).

    .venv/bin/python benchmarks/jis.py --takts 60,72 --buffers 0,3 --seeds 0-29 \
        --train-seeds 1000-1029 --time-limit 60 --changes 60:0 --replan-limit 4 \
        --out benchmarks/results/jis.csv
    .venv/bin/python benchmarks/jis.py --takts 60 --buffers 0 --changes 60:0 \
        --out benchmarks/results/jis_resequence.csv --days-out benchmarks/results/jis_resequence_days.csv

Methods: ``mmroute`` (the cost-optimal plan, departures as planned), ``mmroute-replan`` (its
departures re-planned from the current state, leaving as late as is safe: policy
``resequence``), ``mmroute-early`` (the same plan, each trip leaving as soon as its racks are
ready and a truck is back, waiting at the gate: policy ``early``), ``mmroute-robust`` (a plan
with gate leads per supplier chosen on the TRAINING days, ``choose_gate_leads``, never on the
reported ones; departures as planned), ``mmroute-rolling`` (the robust plan run as planned
with a rolling re-plan from the current state on news, keeping its gate leads: policy
``replan``, each re-plan ``--replan-limit`` s of CP-SAT deterministic time), ``practice`` (a
truck leaves when full or N minutes after its first rack is ready, and waits at the dock for
room; on a drawn day the rule runs on the realised roads).

``--changes TAKT:BUFFER,...``: for those settings, every method again on the same days with
sequence changes drawn too (``draw_changes(problem, seed, outage_probability=0.2)``: Poisson(2)
cars pulled, Poisson(1) inserted, each reported 0.5-3 h before the car enters the line, and a
supplier's outage of 15-60 min on 20 % of the days); rows ``changes`` = 1. Without a re-plan the
plan's schedule is kept (``keep_schedule``); ``unavoidable_per_day``: racks that cannot reach
their car even if loaded the moment they are ready (a car inserted at too short notice);
``days_beyond_unavoidable``: days with more stops than those; ``unavoidable_only_on_those``: of
the days practice stops, those with no stop beyond the unavoidable ones.

The day in hindsight (``classify_day``, for each day on which a method stops the line): could a
clairvoyant plan, knowing every change, outage and the realised roads from hour 0, have kept the
line running (``avoidable``, with a plan checked on the realised roads), or is a stop proven
(``unavoidable``: a part that misses its car even loaded at once, the segmentation bound or
CP-SAT on the optimistic road table), or ``unknown`` in ``--hindsight-limit``;
``avoidable_practice_days``: the days practice stops and a stop-free plan existed;
``clean_on_avoidable`` / ``share_clean_avoidable``: of those, the days this method has no stop;
``share_clean_all``: the same over every day practice stops. From the reveal time (rows
``mmroute-rolling``): on each day the rolling re-plan stops, ``classify_from_news``: a
clairvoyant re-plan from the day's first news (a road event's onset or a report), keeping the
rolling re-plan's trips loaded by then, and again from each later report of an outage or a road
event (a window is known from its report, never before: a stop proven from there that the state
without that window avoids is the news's): ``days_reveal_unavoidable`` (a stop proven),
``days_reveal_later_news`` (of those, proven only from a later report),
``avoidable_practice_days_reveal`` (the days practice stops on which rolling is clean or a
stop-free plan is found from the news), ``clean_on_avoidable_reveal``, ``share_clean_avoidable_reveal``.
``--days-out``: one row per day (its classes, the deciding reveal time and the first news,
each method's stops, the rolling re-plans and their CPU s).

A takt other than 60 s stretches the shift to fit the 480 cars; ``--buffers`` adds racks to
every station's buffer. Columns: planned trips, km, line-side rack-hours, planned line stops,
racks inside the safety time, buffer overflows, truck-hours waiting at the dock (practice),
cost, bound, solve time and gap; gate leads; over the drawn days: days with a line stop, mean
line stops per day, mean line-side rack-hours as unloaded, days on which practice stops and
on how many of those this method has none;
trips and inventory against practice.
"""

from __future__ import annotations

import argparse
import sys
import time

import yaml
from common import write_csv

from mmroute.routing.jis import (
    JisParams,
    JisProblem,
    apply_changes,
    check_jis_plan,
    choose_gate_leads,
    draw_changes,
    execute,
    execute_practice,
    solve_jis,
    solve_practice,
)
from mmroute.routing.jis.disrupt import _Roads, news_s
from mmroute.routing.jis.hindsight import classify_day, classify_from_news
from mmroute.routing.jis.replan import unavoidable_stops
from mmroute.routing.jis.sequence import JisEvents
from mmroute.scenarios import Scenario, bundled_path
from mmroute.world import realize

COLUMNS = ["takt_s", "buffer_add", "method", "trips", "km", "inventory_rack_h", "plan_line_stops",
           "in_safety_time", "buffer_overflows", "dock_wait_h", "cost_cny", "bound_cny", "time_s", "gap",
           "status", "gate_lead_s", "changes", "days", "days_with_stops", "days_beyond_unavoidable", "stops_per_day",
           "unavoidable_per_day",
           "day_trips", "day_km", "day_inventory_rack_h", "replans_per_day", "replan_s_per_day", "days_practice_stops",
           "clean_on_those", "unavoidable_only_on_those", "days_hindsight_unavoidable", "days_hindsight_unknown",
           "avoidable_practice_days", "clean_on_avoidable", "share_clean_avoidable", "share_clean_all",
           "days_reveal_unavoidable", "days_reveal_later_news", "avoidable_practice_days_reveal", "clean_on_avoidable_reveal",
           "share_clean_avoidable_reveal",
           "trips_ratio", "inventory_ratio"]
DAY_COLUMNS = ["takt_s", "buffer_add", "changes", "seed", "hindsight", "proof", "rack_stops", "first_news_h", "reveal_h", "from_reveal",
               "reveal_proof", "pulled", "inserted",
               "outages", "closures", "mmroute", "mmroute-replan", "mmroute-early", "mmroute-robust", "mmroute-rolling",
               "practice", "rolling_replans", "rolling_replan_cpu_s"]


_CTX: dict = {}


def _day(k: int) -> tuple[dict, object, object]:
    """Every method on drawn day ``k`` of ``_CTX``; the day in hindsight (from hour 0) if a method
    stops the line; and, if the rolling re-plan stops it, a clairvoyant re-plan from the day's
    first news keeping the rolling re-plan's trips loaded by then: ``(runs, class, (reveal_h,
    class) or None)``."""
    c = _CTX
    p, sc, r, e = c["p"], c["sc"], c["real"][k], c["evs"][k]
    kw = {"jis_events": e}
    runs = {"mmroute": execute(p, c["plan"], sc, r, policy="static", **kw),
            "mmroute-replan": execute(p, c["plan"], sc, r, policy="resequence", **kw),
            "mmroute-robust": execute(p, c["robust"], sc, r, policy="static", **kw),
            "mmroute-early": execute(p, c["plan"], sc, r, policy="early", **kw),
            "mmroute-rolling": execute(p, c["robust"], sc, r, policy="replan", params=c["params"],
                                       time_limit_s=c["replan_limit"], seed=0, **kw),
            "practice": execute_practice(p, sc, r, **kw)}
    ev = e or JisEvents()
    cls = (classify_day(p, sc, r, ev, time_limit_s=c["hindsight_limit"], seed=0)
           if any(x.line_stops for x in runs.values()) else None)
    reveal = None
    if runs["mmroute-rolling"].line_stops:  # from the news, each window known from its report
        reveal = classify_from_news(p, sc, r, ev, runs["mmroute-rolling"].trips, time_limit_s=c["hindsight_limit"],
                                    seed=0)
        if reveal is not None:
            first = news_s(p, _Roads(p, sc, r), r, ev)[0] / 3600
            reveal = (*reveal, first)
    return runs, cls, reveal


def _said(seed: int, out: tuple) -> tuple:
    """Print one day's figures as it is done (a long run leaves its days behind it)."""
    runs, cls, reveal = out
    print(f"day seed={seed} hindsight={'no stop' if cls is None else cls.label} "
          f"from_reveal={'' if reveal is None else reveal[1].label} "
          + " ".join(f"{m}={e.line_stops}/{len(e.trips)}/{e.inventory_rack_h:.1f}/{e.replans}/{e.replan_s:.1f}"
                     for m, e in runs.items()), flush=True)
    return out


def scenario(takt_s: int, buffer_add: int) -> Scenario:
    d = yaml.safe_load(bundled_path("liuzhou-jis").read_text())
    line = d["jis"]["line"]
    line["takt_s"] = takt_s
    start = line["shifts"][0]["start_h"]
    line["shifts"] = [{"start_h": start, "end_h": start + 480 * takt_s / 3600}]
    for st in line["stations"]:
        st["buffer_racks"] += buffer_add
    return Scenario.from_dict(d, file=f"liuzhou-jis-takt{takt_s}-buf+{buffer_add}.yaml")


def seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--takts", default="60,72")
    ap.add_argument("--buffers", default="0,3")
    ap.add_argument("--seeds", default="0-29")
    ap.add_argument("--train-seeds", default="1000-1029", help="days the gate leads are chosen on")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--changes", default="", help="TAKT:BUFFER settings also run with drawn sequence changes")
    ap.add_argument("--replan-limit", type=float, default=4.0, help="CP-SAT deterministic s per rolling re-plan")
    ap.add_argument("--out", default="benchmarks/results/jis.csv")
    ap.add_argument("--days-out", default="", help="CSV of each drawn day: its hindsight class and each method's stops")
    ap.add_argument("--gate-leads", default="", help="SUPPLIER:S,... as choose_gate_leads chose them on the "
                    "training days before (skips choosing again; one setting only)")
    ap.add_argument("--only-changes", action="store_true", help="only the pass with sequence changes")
    ap.add_argument("--jobs", type=int, default=1, help="days run in parallel processes")
    ap.add_argument("--hindsight-limit", type=float, default=10.0, help="CP-SAT deterministic s per station, hindsight")
    args = ap.parse_args(argv)
    rows, day_rows = [], []
    days = seeds(args.seeds)
    train = seeds(args.train_seeds)
    if set(days) & set(train):
        ap.error("--train-seeds must not overlap --seeds")
    for takt in [int(x) for x in args.takts.split(",")]:
        for add in [int(x) for x in args.buffers.split(",")]:
            sc = scenario(takt, add)
            p = JisProblem.from_scenario(sc)
            t0 = time.perf_counter()
            plan = solve_jis(p, time_limit_s=args.time_limit, seed=0)
            plan_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            if args.gate_leads:  # as chosen before on the training days (the same call's output)
                gate = {s.id: 0 for s in p.suppliers} | {k: int(v) for k, v in (
                    x.split(":") for x in args.gate_leads.split(","))}
            else:
                gate = dict(choose_gate_leads(p, sc, [realize(sc, s) for s in train], policy="static",
                                              time_limit_s=min(10.0, args.time_limit), seed=0).gate_lead_s)
            robust = solve_jis(p, time_limit_s=args.time_limit, seed=0, params=JisParams(gate_lead_s=gate))
            robust_s = time.perf_counter() - t0
            base = solve_practice(p)
            assert check_jis_plan(p, plan).feasible and check_jis_plan(p, robust).feasible
            real = [realize(sc, s) for s in days]
            robust_params = JisParams(gate_lead_s=gate)
            leads = " ".join(f"{k}:{v}" for k, v in gate.items() if v) or "0"
            passes = [False, True] if f"{takt}:{add}" in args.changes.split(",") else [False]
            for changed in passes[1:] if args.only_changes and len(passes) > 1 else passes:
                evs = [draw_changes(p, s, outage_probability=0.2) if changed else None for s in days]
                _CTX.update(p=p, sc=sc, plan=plan, robust=robust, params=robust_params, real=real, evs=evs,
                            replan_limit=args.replan_limit, hindsight_limit=args.hindsight_limit)
                if args.jobs > 1:  # the days are independent: in parallel (fork: the context is inherited)
                    import multiprocessing

                    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
                        out = [_said(days[k], o) for k, o in enumerate(pool.imap(_day, range(len(days)), chunksize=1))]
                else:
                    out = [_said(days[k], _day(k)) for k in range(len(days))]
                runs = {m: [o[0][m] for o in out] for m in out[0][0]}
                classes = [o[1] for o in out]
                reveal = [o[2] for o in out]
                rolling = runs["mmroute-rolling"]
                unavoidable = [unavoidable_stops(apply_changes(p, e)) if e else 0 for e in evs]
                bad_days = [k for k, e in enumerate(runs["practice"]) if e.line_stops > 0]
                avoidable = [k for k in bad_days if classes[k] is not None and classes[k].stop_free]
                avoidable_reveal = [k for k in bad_days if rolling[k].line_stops == 0
                                    or (reveal[k] is not None and reveal[k][1].stop_free)]
                for k, seed in enumerate(days):
                    c, e = classes[k], evs[k] or JisEvents()
                    day_rows.append({"takt_s": takt, "buffer_add": add, "changes": int(changed), "seed": seed,
                                     "hindsight": "no stop" if c is None else c.label, "proof": "" if c is None else c.proof,
                                     "rack_stops": 0 if c is None else c.rack_stops,
                                     "first_news_h": "" if reveal[k] is None else round(reveal[k][2], 3),
                                     "reveal_h": "" if reveal[k] is None else round(reveal[k][0], 3),
                                     "from_reveal": "" if reveal[k] is None else reveal[k][1].label,
                                     "reveal_proof": "" if reveal[k] is None else reveal[k][1].proof, "pulled": len(e.pulled),
                                     "inserted": len(e.inserted), "outages": len(e.outages),
                                     "closures": len(real[k].events.closures),
                                     **{m: runs[m][k].line_stops for m in runs},
                                     "rolling_replans": runs["mmroute-rolling"][k].replans,
                                     "rolling_replan_cpu_s": runs["mmroute-rolling"][k].replan_s})
                for method, pl, secs, lead in (("mmroute", plan, plan_s, "0"), ("mmroute-replan", plan, plan_s, "0"),
                                               ("mmroute-early", plan, plan_s, "0"),
                                               ("mmroute-robust", robust, robust_s, leads),
                                               ("mmroute-rolling", robust, robust_s, leads),
                                               ("practice", base, base.time_s, "")):
                    i = pl.info
                    ex = runs[method]
                    n = max(1, len(ex))
                    rows.append({
                        "takt_s": takt, "buffer_add": add, "method": method, "trips": i["trips"],
                        "km": round(i["km"], 1), "inventory_rack_h": round(i["inventory_rack_h"], 2),
                        "plan_line_stops": i["line_stops"], "in_safety_time": i["in_safety_time"],
                        "buffer_overflows": i["buffer_overflows"], "dock_wait_h": i.get("dock_wait_h", ""),
                        "cost_cny": round(pl.objective, 2), "bound_cny": "" if pl.bound is None else pl.bound,
                        "time_s": round(secs, 2), "gap": "" if pl.gap is None else round(pl.gap, 5),
                        "status": pl.status, "gate_lead_s": lead, "changes": int(changed), "days": len(ex),
                        "days_with_stops": sum(e.line_stops > 0 for e in ex),
                        "days_beyond_unavoidable": sum(e.line_stops > u for e, u in zip(ex, unavoidable)),
                        "stops_per_day": round(sum(e.line_stops for e in ex) / n, 3),
                        "unavoidable_per_day": round(sum(unavoidable) / n, 3),
                        "day_trips": round(sum(len(e.trips) for e in ex) / n, 2),
                        "day_km": round(sum(p.roads[t.supplier].km_out + p.roads[t.supplier].km_back
                                            for e in ex for t in e.trips) / n, 1),
                        "day_inventory_rack_h": round(sum(e.inventory_rack_h for e in ex) / n, 2),
                        "replans_per_day": round(sum(e.replans for e in ex) / n, 2),
                        "replan_s_per_day": round(sum(e.replan_s for e in ex) / n, 2),
                        "days_practice_stops": len(bad_days),
                        "clean_on_those": sum(ex[k].line_stops == 0 for k in bad_days),
                        "unavoidable_only_on_those": sum(ex[k].line_stops <= unavoidable[k] for k in bad_days),
                        "days_hindsight_unavoidable": sum(c is not None and c.stop_free is False for c in classes),
                        "days_hindsight_unknown": sum(c is not None and c.stop_free is None for c in classes),
                        "avoidable_practice_days": len(avoidable),
                        "clean_on_avoidable": sum(ex[k].line_stops == 0 for k in avoidable),
                        "share_clean_avoidable": round(sum(ex[k].line_stops == 0 for k in avoidable) / max(1, len(avoidable)), 3),
                        "share_clean_all": round(sum(ex[k].line_stops == 0 for k in bad_days) / max(1, len(bad_days)), 3),
                        **({"days_reveal_unavoidable": sum(x is not None and x[1].stop_free is False for x in reveal),
                            "days_reveal_later_news": sum(x is not None and x[1].stop_free is False and x[0] > x[2]
                                                          for x in reveal),
                            "avoidable_practice_days_reveal": len(avoidable_reveal),
                            "clean_on_avoidable_reveal": sum(ex[k].line_stops == 0 for k in avoidable_reveal),
                            "share_clean_avoidable_reveal": round(sum(ex[k].line_stops == 0 for k in avoidable_reveal)
                                                                  / max(1, len(avoidable_reveal)), 3)}
                           if method == "mmroute-rolling" else {}),
                        "trips_ratio": round(i["trips"] / base.info["trips"], 3),
                        "inventory_ratio": round(i["inventory_rack_h"] / base.info["inventory_rack_h"], 3)})
                    print(" ".join(f"{k}={rows[-1].get(k, '')}" for k in COLUMNS), flush=True)
    write_csv(args.out, rows, COLUMNS)
    if args.days_out:
        write_csv(args.days_out, day_rows, DAY_COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())

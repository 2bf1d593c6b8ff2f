"""The main demo (``make demo``): what mmroute does, on the bundled scenarios.

1. every bundled scenario validated and drawn on a map;
2. exact multimodal plans (MIP with a proven bound) with maps and a cost-CO2 Pareto front,
   a re-plan after a Red Sea closure and the clairvoyant (hindsight) plan for comparison;
3. the Liuzhou parts milk-run: vehicle routes whose trucks are checked by 3D loading;
4. finished vehicles from Liuzhou to 30 dealers on auto-carriers, against the practice baseline;
5. every policy (OR baselines, the shipped PPO agent, the hindsight bound) on the same 20
   episodes of liuzhou-asean: the comparison table, a cost plot and an episode map.

Run ``python -m mmroute.demo --out DIR [--time-limit S] [--seed N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from mmroute.errors import MMRouteError

__all__ = ["main", "run_scenarios", "run_plans", "run_milkrun", "run_cars", "run_policies"]


def run_scenarios(out_dir: Path) -> list[Path]:
    """List, validate and map every bundled scenario; return the map files written.

    A scenario that fails validation is reported and the others still run; then
    :class:`MMRouteError` names the failures.

    The cheapest route by cost of each scenario's first shipment is highlighted on its map.
    """
    from mmroute.scenarios import bundled_names, load, plot_map

    names = bundled_names()
    print(f"Bundled scenarios ({len(names)}):")
    maps = []
    failed = []
    for name in names:
        t0 = time.perf_counter()
        try:
            scenario = load(name)
        except MMRouteError as exc:  # report it and go on with the others
            print(f"  FAILED {name}: {exc}")
            failed.append(name)
            continue
        print(f"  ok  {scenario.summary()}")
        routes = {}
        if scenario.shipments:
            s = scenario.shipments[0]
            route = scenario.network().shortest_path(s.origin, s.destination, "cost")
            routes[f"{s.id} cheapest"] = route
        path = plot_map(scenario, out_dir / f"{name}-map.png", routes=routes)
        maps.append(path)
        print(f"      map -> {path} ({time.perf_counter() - t0:.1f} s)")
    if failed:
        raise MMRouteError(f"{len(failed)} bundled scenario(s) failed to validate: "
                           f"{', '.join(failed)}")
    return maps


def run_plans(out_dir: Path, time_limit_s: float, seed: int) -> None:
    """Exact plans of the corridor scenarios; a re-plan after a Red Sea closure; hindsight."""
    from mmroute.io import write_json_atomic
    from mmroute.routing.plan import (
        pareto_front,
        plot_pareto,
        replan,
        solve_hindsight,
        solve_plan,
        state_at,
        sunk_objective,
    )
    from mmroute.scenarios import load, plot_map
    from mmroute.world.events import KnownEvents, LinkClosure

    print("\nMultimodal plans (time-expanded MIP, HiGHS; optimal = bound proves it):")
    for name in ("liuzhou-asean", "yangtze-inbound", "china-europe"):
        scenario = load(name)
        plan = solve_plan(scenario, time_limit_s=time_limit_s, seed=seed)
        write_json_atomic(out_dir / f"{name}-plan.json", plan.to_dict())
        plot_map(scenario, out_dir / f"{name}-plan-map.png", routes=plan.map_routes(scenario.shipments),
                 title=f"{name}: planned routes")
        print(f"  {plan.summary()}")
    scenario = load("liuzhou-asean")
    front = pareto_front(scenario, time_limit_s=time_limit_s, seed=seed, points=5)
    plot_pareto(front, out_dir / "liuzhou-asean-pareto.png",
                title="liuzhou-asean: cost-CO2 Pareto front")
    print("  liuzhou-asean cost-CO2 front: " + ", ".join(
        f"{p.cost_cny / 1e3:,.0f}k CNY / {p.co2_kg / 1e3:,.1f} t" for p in front))

    # A Red Sea closure announced at hour 200, lasting the rest of the horizon: the plan made
    # at hour 0 is re-planned from where every shipment is then; hindsight knew it all along.
    scenario = load("china-europe")
    red_sea = next(d for d in scenario.uncertainty.disruptions if d.id == "red-sea")
    t, end = 200.0, scenario.horizon_h
    events = KnownEvents(closures=tuple(LinkClosure(lk, t, end) for lk in red_sea.targets))
    plan = solve_plan(scenario, time_limit_s=time_limit_s, seed=seed)
    t0 = time.perf_counter()
    again = replan(scenario, state_at(scenario, plan, t, events), events,
                   time_limit_s=time_limit_s, seed=seed, initial=plan)
    ms = (time.perf_counter() - t0) * 1000
    realised = sunk_objective(scenario, plan, t, events) + again.objective
    oracle = solve_hindsight(scenario, events, time_limit_s=time_limit_s, seed=seed)
    print(f"  china-europe, Red Sea closed from hour {t:g}: plan {plan.objective:,.0f} CNY -> "
          f"re-planned {realised:,.0f} CNY ({ms:.0f} ms), hindsight {oracle.objective:,.0f} CNY "
          f"({oracle.status}); regret {realised - oracle.objective:,.0f} CNY")


def run_milkrun(out_dir: Path, time_limit_s: float, seed: int) -> None:
    """The Liuzhou milk-run: routes by OR-Tools / PyVRP, every truck checked by 3D loading,
    routes whose boxes do not fit repaired; JSON and one picture per truck written."""
    from mmroute.routing.loading import plot_packing
    from mmroute.routing.loadroute import LoadingAwareParams, solve_loading_aware
    from mmroute.routing.loadroute.output import summary_table, write_loading_aware
    from mmroute.scenarios import load

    scenario = load("liuzhou-milkrun")
    print("\nLiuzhou parts milk-run (time windows, mixed fleet, pickup-and-delivery pairs; "
          "every truck packed in 3D):")
    params = LoadingAwareParams(vrp_max_iterations=200)  # reproducible whatever the load
    result = solve_loading_aware(scenario, time_limit_s=max(time_limit_s, 30.0), seed=seed,
                                 params=params)
    print("  " + summary_table(result).replace("\n", "\n  "))
    path = write_loading_aware(result, out_dir / "milkrun-routes.json")
    print(f"      routes and packings -> {path}")
    for rl in result.report.routes:
        for k, part in enumerate(rl.parts):
            if part.packing is None:
                continue
            name = f"milkrun-route{rl.route + 1}" + (f"-phase{k + 1}" if len(rl.parts) > 1 else "")
            title = f"route {rl.route + 1} ({rl.vehicle_name}): {'+'.join(part.customers)}"
            png = plot_packing(part.packing, out_dir / f"{name}.png", title=title)
            print(f"      packing -> {png}")


def run_cars(out_dir: Path, time_limit_s: float, seed: int) -> None:
    """Auto-carriers from the SGMW Baojun base to 30 dealers: routes, checked loads (LIFO per
    deck), against nearest-neighbour + first-fit; plan JSON, route map, three side views."""
    from mmroute.routing.cars import CarsProblem, solve_cars, solve_practice, write_plan
    from mmroute.routing.cars.plot import plot_load, plot_route_map
    from mmroute.scenarios import load

    problem = CarsProblem.from_scenario(load("liuzhou-cars"))
    print("\nFinished vehicles, Liuzhou -> 30 dealers (auto-carriers, decks, LIFO, GB 1589-2016 envelopes):")
    plan = solve_cars(problem, time_limit_s=min(time_limit_s, 10.0), seed=seed)
    base = solve_practice(problem, seed=seed)
    for p in (plan, base):
        print(f"  {p.summary()}")
    print(f"  mmroute vs practice: cost x{plan.objective / base.objective:.3f}, carriers "
          f"{plan.carriers_used} vs {base.carriers_used}; routes that fit by count but not on the decks: "
          f"{plan.info['routes_not_loading_detected']} detected and repaired")
    print(f"      plan -> {write_plan(out_dir / 'cars-plan.json', plan)}")
    print(f"      map -> {plot_route_map(problem, plan, out_dir / 'cars-routes.png')}")
    models = problem.model_map()
    for k, r in enumerate(plan.routes[:3], start=1):
        png = plot_load(r, problem.carrier(r.carrier_type), models, out_dir / f"cars-load-{k:02d}.png")
        print(f"      side view -> {png}")


def run_policies(out_dir: Path, seeds: int = 20, jobs: int = 2,
                 scenario_name: str = "liuzhou-asean") -> None:
    """Every policy on the same ``seeds`` episodes (with the shipped PPO model if there is one):
    the summary table, ``policies-cost.png`` and ``episode-map.png``."""
    from mmroute.agents import (
        default_policies,
        episode,
        evaluate,
        format_summary,
        shipped_model,
        summarize,
    )
    from mmroute.agents.plots import plot_costs
    from mmroute.envs.render import plot_episode
    from mmroute.io import write_with
    from mmroute.scenarios import load
    from mmroute.world.realization import realize

    scenario = load(scenario_name)
    model = shipped_model(scenario)
    policies = default_policies(model)
    print(f"\nPolicies on the same {seeds} episodes of {scenario_name} (seeds 0-{seeds - 1}; "
          f"{'shipped model ' + model.name if model else 'no shipped model'}):")
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done == total or done % max(1, total // 10) == 0:
            print(f"  {done}/{total} episodes ({time.perf_counter() - t0:.0f} s)", flush=True)

    df = evaluate(scenario, policies, range(seeds), model=model, jobs=jobs, progress=progress)
    print("  " + format_summary(summarize(df)).replace("\n", "\n  "))
    csv = write_with(out_dir / "policies.csv", lambda tmp: df.to_csv(tmp, index=False))
    fig = plot_costs(df, out_dir / "policies-cost.png")
    del fig
    print(f"      results -> {csv}, cost plot -> {out_dir / 'policies-cost.png'}")
    seed = next(s for s in range(seeds) if realize(scenario, s).events.weather)
    _, sim = episode(scenario, "replan", seed)
    path = plot_episode(scenario, sim.realization, sim.trajectory(), out_dir / "episode-map.png",
                        title=f"{scenario_name}, seed {seed}, re-planning policy")
    print(f"      episode map (seed {seed}, with its storm cells) -> {path}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmroute.demo", description=__doc__)
    parser.add_argument("--out", default="demo-output", type=Path, help="output folder")
    parser.add_argument("--time-limit", type=float, default=20.0, metavar="S",
                        help="seconds per solve (default 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--episodes", type=int, default=20, help="seeds for the policy comparison")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        maps = run_scenarios(args.out)
        run_plans(args.out, args.time_limit, args.seed)
        run_milkrun(args.out, args.time_limit, args.seed)
        run_cars(args.out, args.time_limit, args.seed)
        run_policies(args.out, seeds=args.episodes, jobs=args.jobs)
    except MMRouteError as exc:
        print(f"demo: error: {exc}".replace("\n", " "), file=sys.stderr)
        return 2
    print(f"\n{len(maps)} maps and the results above written to {args.out.resolve()} "
          f"in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

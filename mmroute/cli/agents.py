"""``mmroute train`` and ``mmroute evaluate``: PPO agents and the paired comparison of
policies on the same realizations."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mmroute.agents.budget import DEFAULT_TIMESTEPS
from mmroute.cli.types import decision_budget, int_in, output_file, seed, time_limit
from mmroute.errors import InputError

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``train`` and ``evaluate`` commands (policy names from the registry)."""
    from mmroute.agents.registry import LEARNED, POLICIES

    t = subparsers.add_parser(
        "train", help="train a PPO / MaskablePPO agent on a scenario",
        description="Train on episodes of the training seed range, validate on the validation "
                    "range, keep the best model (best.zip + best.json card) in --out. By "
                    "default the policy first clones the hindsight plans of training "
                    "episodes, two DAgger rounds relabel the states it reaches by "
                    "clairvoyant re-plans, then PPO fine-tunes it; how many episodes and "
                    "steps each phase gets follows from --timesteps (docs/agents.md, "
                    "'Budget'); the model kept is the best on 30 validation seeds (fewer "
                    "where episodes are long: as many as hold 15,000 decisions).")
    t.add_argument("file", metavar="FILE", help="scenario file or bundled scenario name")
    t.add_argument("--algo", choices=LEARNED, default="maskable-ppo")
    t.add_argument("--timesteps", type=int_in(1), default=DEFAULT_TIMESTEPS, metavar="N",
                   help="the budget: environment steps of the whole run, every phase counted "
                        "(3 measuring episodes, imitation and DAgger episodes, PPO; "
                        "validation not counted); the recipe is scaled to it: half its "
                        "episodes imitation (<= 600), 2 DAgger rounds of a tenth (<= 100), "
                        "PPO the rest; long episodes (a month's) imitated from 2,000 "
                        "decisions (default: %(default)s)")
    t.add_argument("--seed", type=seed, default=0)
    t.add_argument("--config", metavar="CFG.yaml", help="training settings (TrainConfig fields)")
    t.add_argument("--out", required=True, metavar="DIR")
    t.add_argument("--resume", action="store_true", help="continue from DIR/checkpoint.zip")
    t.add_argument("--backend", choices=("local", "ray"), default="local",
                   help="local processes, or one Ray task (n_envs CPUs) on the cluster "
                        "RAY_ADDRESS names, else on a local Ray; the --out folder goes with "
                        "it and comes back")
    t.add_argument("--no-progress", action="store_true",
                   help="no progress bars (one per phase, with an ETA, on stderr)")
    t.set_defaults(func=run_train)

    e = subparsers.add_parser(
        "evaluate", help="every policy on the same realizations, with the hindsight bound",
        description="Run policies on the seeds' realizations; write one CSV row per "
                    "(scenario, policy, seed) and print mean cost, the paired difference to "
                    "the best baseline (lowest mean cost among the policies that ran and "
                    "need neither training nor foresight, greedy included) with its 95 % CI, "
                    "the gap to "
                    "hindsight and the decision time. Exit 3 if a policy beats the bound.")
    e.add_argument("file", metavar="FILE", help="scenario file or bundled scenario name")
    e.add_argument("--policies", default=None, type=_policies, metavar="a,b,c",
                   help=f"{', '.join(POLICIES)} (default: every baseline and the "
                        "shipped model)")
    e.add_argument("--seeds", default="0-29", type=_seeds, metavar="0-29",
                   help="seeds in 0..2^31-1, at most 100,000 (default 0-29)")
    e.add_argument("--allow-training-seeds", action="store_true",
                   help="evaluate a model on seeds its card says it was trained or selected on")
    e.add_argument("--model", default=None, metavar="PATH",
                   help="PPO model zip (default: the scenario's shipped model, if any)")
    e.add_argument("--jobs", type=int_in(1, 64), default=1, metavar="N")
    e.add_argument("--time-limit", type=time_limit, default=10.0, metavar="S",
                   help="MIP time limit per (re-)plan (default 10)")
    e.add_argument("--decision-budget-s", type=decision_budget, default=1.0, metavar="S",
                   help="wall-time budget of one decision of replan / anticipate, the whole "
                        "re-plan included: one that does not finish in time acts on its "
                        "incumbent (the plan it follows, else the best candidate) and counts "
                        "in the budget_hits column; results of episodes with hits depend on "
                        "the machine. 0: never re-plan; 'none': no budget, reproducible "
                        "results (default 1)")
    e.add_argument("--backend", choices=("local", "ray"), default="local",
                   help="local processes (--jobs of them), or Ray tasks: on the cluster "
                        "RAY_ADDRESS names, else a local Ray with --jobs CPUs (needs "
                        "pip install 'mmroute[ray]')")
    e.add_argument("--address", default=None, type=_address, metavar="ADDR",
                   help="the Ray cluster to join (with --backend ray; default RAY_ADDRESS)")
    e.add_argument("--out", required=True, type=output_file, metavar="RESULTS.csv")
    e.add_argument("--per-shipment", default=None, type=output_file, metavar="SHIPMENTS.csv",
                   help="also write one row per (policy, seed, shipment): route, modes, "
                        "departure and arrival (h), lateness (h), CO2 (kg), cost (CNY), "
                        "dropped TEU and where and why (policy, capacity, closure, "
                        "released-too-late, no-service; docs in mmroute.world.shipments)")
    e.add_argument("--summary", default=None, type=output_file, metavar="SUMMARY.csv",
                   help="also write the summary table, one row per policy, with the "
                        "scenario's value of information (EVPI bound, VSS with its CI, degree "
                        "of dynamism) in columns of its own")
    e.add_argument("--html-episode", default=None, type=int_in(0), metavar="SEED",
                   help="also write the interactive page of each policy's episode of SEED "
                        "(one of --seeds) beside --out: RESULTS.episode-SEED-POLICY.html "
                        "(map with a time slider moving the weather cells, tooltips, "
                        "timeline; self-contained and offline)")
    e.set_defaults(func=run_evaluate)


def _seeds(text: str) -> list[int]:
    """``--seeds``: checked while parsing (:func:`mmroute.agents.seeds.parse_seeds`)."""
    from mmroute.agents.seeds import parse_seeds

    try:
        return parse_seeds(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.reason) from None


def _policies(text: str) -> list[str]:
    """``--policies``: a non-empty comma list of known names."""
    from mmroute.agents.registry import POLICIES

    names = [p.strip() for p in text.split(",") if p.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected policy names, e.g. replan,maskable-ppo, "
                                         f"got {text!r}")
    for p in names:
        if p not in POLICIES:
            raise argparse.ArgumentTypeError(f"unknown policy {p[:40]!r}; choose from "
                                             f"{', '.join(POLICIES)}")
    return names


def _address(text: str) -> str:
    """``--address``: ``host:port``, ``ray://host:port``, ``auto`` or ``local``."""
    if text in ("auto", "local"):
        return text
    rest = text.split("://", 1)[1] if "://" in text else text
    host, sep, port = rest.rstrip("/").rpartition(":")
    if not sep or not host.strip("[]") or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected host:port or ray://host:port, got {text!r}")
    return text


def run_train(args: argparse.Namespace) -> int:
    from mmroute.agents.training import TrainConfig, train
    from mmroute.scenarios import load

    scenario = load(args.file)
    cfg = TrainConfig.from_file(args.config) if args.config else None
    command = "mmroute " + " ".join(sys.argv[1:]) if sys.argv else None
    train(scenario, algo=args.algo, timesteps=args.timesteps, seed=args.seed, out=args.out,
          config=cfg, resume=args.resume, progress_bar=not args.no_progress,
          command=command, backend=args.backend)
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from mmroute.agents.evaluation import (
        BoundViolation,
        evaluate,
        evaluate_per_shipment,
        format_summary,
        summarize,
    )
    from mmroute.agents.registry import default_policies, entry
    from mmroute.agents.shipped import shipped_model
    from mmroute.agents.voi import summary_with_voi, value_of_information
    from mmroute.errors import InputError
    from mmroute.io import write_with
    from mmroute.scenarios import load

    out = Path(args.out)
    if out.suffix.lower() != ".csv":
        raise InputError("--out must end in .csv", file=out)
    ships = None if args.per_shipment is None else Path(args.per_shipment)
    if ships is not None:
        if ships.suffix.lower() != ".csv":
            raise InputError("--per-shipment must end in .csv", file=ships)
        if ships.resolve() == out.resolve():
            raise InputError("--per-shipment must differ from --out", file=ships)
    summary_out = None if args.summary is None else Path(args.summary)
    if summary_out is not None:
        if summary_out.suffix.lower() != ".csv":
            raise InputError("--summary must end in .csv", file=summary_out)
        if summary_out.resolve() in {out.resolve()} | ({ships.resolve()} if ships else set()):
            raise InputError("--summary must differ from --out and --per-shipment",
                             file=summary_out)
    if args.html_episode is not None and args.html_episode not in args.seeds:
        raise InputError(f"--html-episode {args.html_episode} is not one of --seeds",
                         field="html-episode")
    scenario = load(args.file)
    seeds = args.seeds
    policies = args.policies
    model = args.model
    wants_model = policies is None or any(entry(p).learned for p in policies)
    if model is None and wants_model:
        model = shipped_model(scenario)
        if model is None and policies is not None:
            raise InputError(f"no shipped model for {scenario.name!r}: give --model",
                             field="model")
    if policies is None:
        policies = default_policies(model)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total} episodes", end="" if done < total else "\n",
                  file=sys.stderr, flush=True)
        elif done == total or done % max(1, total // 10) == 0:
            print(f"{done}/{total} episodes", file=sys.stderr, flush=True)

    if args.address is not None:
        if args.backend != "ray":
            raise InputError("--address needs --backend ray", field="address")
        os.environ["RAY_ADDRESS"] = args.address
    try:
        kw = dict(model=model, jobs=args.jobs, time_limit_s=args.time_limit, progress=progress,
                  backend=args.backend, allow_training_seeds=args.allow_training_seeds,
                  decision_budget_s=args.decision_budget_s)
        if ships is None:
            df, ship_df = evaluate(scenario, policies, seeds, **kw), None
        else:
            df, ship_df = evaluate_per_shipment(scenario, policies, seeds, **kw)
    except BoundViolation as exc:
        print(f"mmroute: error: {exc}", file=sys.stderr)
        return 3
    write_with(out, lambda tmp: df.to_csv(tmp, index=False))
    if ship_df is not None:
        from mmroute.world.shipments import with_iso_columns

        stamped = with_iso_columns(ship_df, scenario.clock())
        write_with(ships, lambda tmp: stamped.to_csv(tmp, index=False))
    voi = value_of_information(df, scenario)
    print(format_summary(summarize(df)))
    print(voi.format())
    print(f"{len(df)} episodes -> {out}")
    if summary_out is not None:
        summary = summary_with_voi(df, voi=voi)
        write_with(summary_out, lambda tmp: summary.to_csv(tmp, index=False))
        print(f"summary -> {summary_out}")
    if args.html_episode is not None:
        _episode_pages(scenario, policies, args.html_episode, model, args.time_limit, out)
    if ship_df is not None:
        dropped = ship_df[ship_df.dropped_teu > 0]
        reasons = dropped.groupby("drop_reason").dropped_teu.sum()
        why = ", ".join(f"{r} {t:g} TEU" for r, t in reasons.items()) or "none dropped"
        print(f"{len(ship_df)} shipment rows ({why}) -> {ships}")
    return 0


def _episode_pages(scenario, policies, seed: int, model, time_limit_s: float, out: Path) -> None:
    """``--html-episode``: each policy's episode of ``seed`` again (the same realization, the
    same rows), drawn as an interactive page beside ``out``."""
    from mmroute.agents.evaluation import episode
    from mmroute.world.page import episode_page

    for policy in policies:
        _, sim = episode(scenario, policy, seed, model=model, time_limit_s=time_limit_s)
        path = out.with_name(f"{out.stem}.episode-{seed}-{policy}.html")
        title = f"{scenario.name}, seed {seed}, {policy}: episode"
        episode_page(scenario, sim.realization, sim.trajectory(), title=title).save(path)
        print(f"episode page -> {path}")

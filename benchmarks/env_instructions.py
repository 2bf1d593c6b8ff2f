"""Instructions per decision of mmroute/Reroute-v0, this version against git ``REF`` (valgrind).

Wall-clock and CPU-time speed on a shared machine measures the neighbours; counted
instructions do not. For each scenario and version, the same loop of random masked actions
(``numpy`` generator seeded 0, episode seeds 0..E-1, resets included) runs under
``valgrind --tool=callgrind`` twice, with ``--short`` episodes and with enough more for ``--min-decisions`` decisions; the difference
of the two totals over the difference of decisions is the cost of a decision (imports and
table building cancel out; ``PYTHONHASHSEED=0``). A scenario at a carmaker's scale
(``liuzhou-asean-month``, thousands of decisions per episode) runs the first episode only,
stopped after ``--at-scale-skip`` decisions and after that many plus ``--min-decisions``: the
difference is the cost of a decision in the middle of a month (its reset cancels out; the
reset is ``env_speed.py``'s column). Writes ``benchmarks/results/env_instructions.csv``:

    python benchmarks/env_instructions.py --compare 909e765

Needs valgrind; about 3 minutes per run on a quiet core (20 runs for the five scenarios).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from env_speed import export  # noqa: E402  (git archive of REF laid out for PYTHONPATH)

RESULTS = Path(__file__).resolve().parent / "results"
SCENARIOS = ("tiny", "liuzhou-asean", "yangtze-inbound", "china-europe", "liuzhou-asean-month")
#: Scenarios measured within their first episode (see the module doc)
AT_SCALE = frozenset({"liuzhou-asean-month"})

LOOP = """
import sys
import numpy as np
from mmroute.envs import RerouteEnv
from mmroute.scenarios import load
env = RerouteEnv(load(sys.argv[1]))
rng = np.random.default_rng(0)
decisions, cap = 0, int(sys.argv[3]) or -1  # cap: stop after that many decisions (0: none)
for ep in range(int(sys.argv[2])):
    env.reset(seed=ep)
    done = False
    while not done and decisions != cap:
        action = int(rng.choice(np.flatnonzero(env.action_masks())))
        _, _, term, trunc, _ = env.step(action)
        done = term or trunc
        decisions += 1
print(decisions)
"""


def count(name: str, episodes: int, pythonpath: Path | None, cap: int = 0) -> tuple[int, int]:
    """(decisions, instructions) of ``episodes`` episodes of ``name`` under callgrind (at
    most ``cap`` decisions, if not 0)."""
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    env["PYTHONHASHSEED"] = "0"  # string hashing (set order) varies the count by a few % otherwise
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          sys.executable, "-c", LOOP, name, str(episodes), str(cap)],
                         capture_output=True, text=True, env=env, check=True,
                         cwd=tempfile.gettempdir())
    collected = re.search(r"Collected : (\d+)", out.stderr)
    if collected is None:
        raise SystemExit(f"callgrind printed no total for {name}: {out.stderr[-300:]}")
    return int(out.stdout.strip()), int(collected.group(1))


def per_decision(name: str, short: int, long: int, pythonpath: Path | None,
                 caps: tuple[int, int] = (0, 0), first: tuple[int, int] | None = None) -> float:
    """Instructions per decision from a short and a long run (``first``: the short run's
    ``(decisions, instructions)`` if already counted)."""
    d1, i1 = first or count(name, short, pythonpath, caps[0])
    d2, i2 = count(name, long, pythonpath, caps[1])
    return (i2 - i1) / (d2 - d1)


def long_episodes(name: str, short: int, min_decisions: int) -> tuple[int, tuple[int, int]]:
    """Episodes of the long run: enough for ``min_decisions`` more decisions than the short
    run (a garbage collection is millions of instructions: a few decisions would drown); and
    the short run's count of this version."""
    d1, i1 = count(name, short, None)
    return short + max(5, -(-min_decisions * short // max(1, d1))), (d1, i1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", required=True, metavar="REF", help="git ref to compare with")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--short", type=int, default=1, help="episodes of the short run")
    ap.add_argument("--min-decisions", type=int, default=400,
                    help="decisions the long run has beyond the short one (at least)")
    ap.add_argument("--at-scale-skip", type=int, default=200,
                    help="decisions of a month-scale episode before the measured ones")
    ap.add_argument("--out", default=str(RESULTS / "env_instructions.csv"))
    args = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        base = export(args.compare, Path(tmp))
        # its .pyc files written now, not by its short run (which would count the
        # compilation, and understate REF's cost per decision by it over the decisions)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(base)], check=True)
        rows = []
        for name in args.scenarios.split(","):
            if name in AT_SCALE:  # within the first episode
                long, caps = 1, (args.at_scale_skip, args.at_scale_skip + args.min_decisions)
                new = per_decision(name, 1, 1, None, caps)
                old = per_decision(name, 1, 1, base, caps)
            else:
                long, first = long_episodes(name, args.short, args.min_decisions)
                new = per_decision(name, args.short, long, None, first=first)
                old = per_decision(name, args.short, long, base)
            rows.append({"scenario": name, "episodes": long, "instructions_per_decision": round(new),
                         f"{args.compare}_instructions_per_decision": round(old),
                         "speed_ratio": round(old / new, 4)})
            print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    df.to_csv(args.out, index=False)
    print(df.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

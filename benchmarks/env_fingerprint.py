"""Behaviour fingerprint of mmroute/Reroute-v0: this version against git ``REF``, bit for bit.

A speed-up of the environment must not change what an agent sees. For each scenario, episodes
of random masked actions (``numpy`` generator seeded 0, episode seeds 0..E-1) run in a fresh
process per version; every reset and step feeds one SHA-256: the observation's bytes, the
mask's bytes, the reward's ``repr``, the flags, the info (``repr`` of its items sorted, arrays
as bytes: cost, time, shaping potential, consignment, node, episode result) and the candidate
slots (``repr`` of each :class:`~mmroute.envs.Candidate`: move, score, times, features). The
trajectory follows from them (the actions are drawn from the masks). ``liuzhou-asean-month``
runs its first episode for ``--month-decisions`` decisions. Prints one line per scenario;
exit 1 if a digest differs::

    python benchmarks/env_fingerprint.py --compare 7e7a054
    python benchmarks/env_fingerprint.py --compare 96ac5a7 --hold latest
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from env_speed import export  # noqa: E402  (git archive of REF laid out for PYTHONPATH)

#: (scenario, episodes, decisions cap; 0: none)
RUNS = (("tiny", 60, 0), ("liuzhou-asean", 3, 0), ("yangtze-inbound", 3, 0),
        ("china-europe", 3, 0), ("liuzhou-asean-month", 1, None))

WORKER = """
import hashlib, sys
import numpy as np
from mmroute.envs import RerouteEnv
from mmroute.scenarios import load

def feed(h, obs, info, slots, *rest):
    h.update(np.ascontiguousarray(obs).tobytes())
    for k in sorted(info):
        v = info[k]
        h.update(k.encode())
        h.update(v.tobytes() if isinstance(v, np.ndarray) else repr(v).encode())
    for c in slots:
        h.update(repr(c).encode())
    for x in rest:
        h.update(repr(x).encode())

hold = sys.argv[4]  # "off": the default, constructed as before the argument existed
env = RerouteEnv(load(sys.argv[1])) if hold == "off" else RerouteEnv(load(sys.argv[1]), hold=hold)
rng = np.random.default_rng(0)
h = hashlib.sha256()
decisions, cap = 0, int(sys.argv[3]) or -1
for ep in range(int(sys.argv[2])):
    obs, info = env.reset(seed=ep)
    feed(h, obs, info, env.slots)
    done = False
    while not done and decisions != cap:
        mask = env.action_masks()
        h.update(mask.tobytes())
        action = int(rng.choice(np.flatnonzero(mask)))
        obs, reward, term, trunc, info = env.step(action)
        feed(h, obs, info, env.slots, action, reward, term, trunc)
        done = term or trunc
        decisions += 1
print(decisions, h.hexdigest())
"""


def digest(name: str, episodes: int, cap: int, pythonpath: Path | None,
           hold: str = "off") -> tuple[int, str]:
    """(decisions, SHA-256) of ``episodes`` episodes of ``name`` (``pythonpath`` first: another
    version; ``hold``: the env's hold mode)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    env["PYTHONHASHSEED"] = "0"
    out = subprocess.run([sys.executable, "-c", WORKER, name, str(episodes), str(cap), hold],
                         capture_output=True, text=True, env=env, check=True,
                         cwd=tempfile.gettempdir())
    n, hexdigest = out.stdout.split()
    return int(n), hexdigest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", required=True, metavar="REF", help="git ref to compare with")
    ap.add_argument("--scenarios", default=",".join(r[0] for r in RUNS))
    ap.add_argument("--month-decisions", type=int, default=1500,
                    help="decisions of the month episode (its first)")
    ap.add_argument("--hold", default="off",
                    help="the env's hold mode (default off; REF must know the mode)")
    args = ap.parse_args(argv)
    wanted = args.scenarios.split(",")
    same = True
    with tempfile.TemporaryDirectory() as tmp:
        base = export(args.compare, Path(tmp))
        for name, episodes, cap in RUNS:
            if name not in wanted:
                continue
            cap = args.month_decisions if cap is None else cap
            new = digest(name, episodes, cap, None, args.hold)
            old = digest(name, episodes, cap, base, args.hold)
            ok = new == old
            same &= ok
            print(f"{name:22s} {episodes:3d} episodes {new[0]:6d} decisions "
                  f"{new[1][:16]} {args.compare}: {old[0]:6d} {old[1][:16]} "
                  f"{'identical' if ok else 'DIFFERENT'}", flush=True)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

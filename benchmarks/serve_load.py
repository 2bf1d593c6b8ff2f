"""Load test of ``mmroute serve`` on 127.0.0.1: mixed valid and hostile requests, every answer
accounted for, latency of ``GET /jobs/{id}``.

Starts the service in a subprocess on a free loopback port (jobs in a temporary folder),
solves the tiny plan once, then sends ``--requests`` requests ``--concurrency`` at a time
(:func:`mmroute.serve.loadtest.run_load`) and stops the service. Writes one row per run to
``benchmarks/results/serve_load.csv`` and prints it (``get_p95_after_1s_ms``: the GETs sent
after the first second, when every connection is open). Latencies are wall-clock on this (possibly
shared) machine: compare runs side by side, not across machines.

    python benchmarks/serve_load.py --requests 200 --concurrency 20 --seed 0
    python benchmarks/serve_load.py --before d6d29b0 --rounds 3   # old and new code, alternating
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import REPO, write_csv  # noqa: E402

COLUMNS = ["code", "round", "requests", "concurrency", "seed", "workers", "sent", "answered", "lost",
           "hostile_not_4xx", "unexpected", "gets", "get_p50_ms", "get_p95_ms", "get_p95_after_1s_ms", "get_max_ms",
           "wall_s", "statuses", "python", "machine"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1, help="the service's solve workers")
    ap.add_argument("--before", default=None, metavar="REV",
                    help="also serve git revision REV's code, alternating with this one")
    ap.add_argument("--rounds", type=int, default=1, help="runs of each code")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "serve_load.csv"))
    args = ap.parse_args(argv)
    rows, ok = [], True
    with tempfile.TemporaryDirectory() as tmp:
        codes: list[tuple[str, Path | None]] = [("this", None)]
        if args.before is not None:
            from benchmarks.plan_scaling import export_revision

            codes.insert(0, (args.before, export_revision(args.before, Path(tmp) / "before")))
        for k in range(args.rounds):
            for code, pythonpath in codes:
                row, good = run_once(args, pythonpath)
                rows.append({"code": code, "round": k, **row})
                ok = ok and good
                print(json.dumps(rows[-1], indent=1), flush=True)
    write_csv(args.out, rows, COLUMNS)
    return 0 if ok else 1


def run_once(args, pythonpath: Path | None) -> tuple[dict, bool]:
    """One load test on a fresh service (``pythonpath`` first: another revision's code)."""
    import httpx

    from mmroute.serve.loadtest import run_load

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([sys.executable, "-m", "mmroute", "serve", "--port", str(port),
                                 "--data", tmp, "--workers", str(args.workers),
                                 "--max-jobs", "50"], env=env)
        try:
            client = httpx.Client(base_url=url, timeout=30)
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise SystemExit("the service did not start") from None
                    time.sleep(0.1)
            job_id = client.post("/plans", json={"scenario": "tiny", "time_limit_s": 20}).json()["id"]
            while (job := client.get(f"/jobs/{job_id}").json())["status"] not in ("done", "failed"):
                time.sleep(0.05)
            client.close()
            report = run_load(url, job_id, job["result"]["plan"], requests=args.requests,
                              concurrency=args.concurrency, seed=args.seed)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    s = report.summary()
    row = {"requests": args.requests, "concurrency": args.concurrency, "seed": args.seed,
           "workers": args.workers, **{k: s[k] for k in COLUMNS if k in s and k != "statuses"},
           "statuses": json.dumps(s["statuses"]), "python": platform.python_version(),
           "machine": f"{platform.machine()} x{os.cpu_count()}"}
    for k in ("get_p50_ms", "get_p95_ms", "get_p95_after_1s_ms", "get_max_ms", "wall_s"):
        row[k] = None if row[k] is None else round(row[k], 2)
    for line in report.errors[:10]:
        print("  " + line)
    return row, s["lost"] == 0 and s["hostile_not_4xx"] == 0 and s["unexpected"] == 0


if __name__ == "__main__":
    sys.exit(main())

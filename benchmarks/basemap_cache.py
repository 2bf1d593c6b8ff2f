"""Basemap time of a plan page in a fresh process: without the disk cache (the vectors computed
from GSHHS, as every new process did before), with an empty cache (computed and written), and in
a second process that finds the cache file.

Each row is one fresh Python process (the plan is solved first, outside the timed part):
``basemap_s`` / ``basemap_cpu_s`` the wall and CPU seconds of the page's basemap vectors,
``page_s`` the whole page with them (``plan_page``'s data and HTML). ``how``: ``computed`` (the old path,
``mapvectors._compute``), ``cold`` (``basemap_vectors`` with an empty cache folder: compute and
write), ``warm`` (the same call in a new process: read the file). ``equal``: the warm vectors
are the computed ones. The three rows of a scenario run one after the other in one run: compare
them side by side (the machine may be shared).

    python benchmarks/basemap_cache.py --scenarios tiny liuzhou-asean china-europe
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import REPO, write_csv  # noqa: E402

COLUMNS = ["scenario", "how", "extent", "basemap_s", "basemap_cpu_s", "page_s", "cache_kb",
           "rings", "equal", "python", "machine"]

#: run in a fresh process: argv = scenario, how; prints one JSON object
CHILD = r"""
import json, sys, time
from mmroute.routing.plan import solve_plan
from mmroute.scenarios import load
from mmroute.scenarios import mapvectors as mv
from mmroute.world.page import plan_page_data, render

name, how = sys.argv[1], sys.argv[2]
sc = load(name)
plan = solve_plan(sc, time_limit_s=60, seed=0)
extent = tuple(plan_page_data(sc, plan, basemap=False)["extent"])
t0, c0 = time.perf_counter(), time.process_time()
vec = mv._compute(extent, 3) if how == "computed" else mv.basemap_vectors(extent)
basemap_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
t1 = time.perf_counter()  # the rest of plan_page: its data and the HTML
render({**plan_page_data(sc, plan, basemap=False), "basemap": vec.to_dict()})
page_s = basemap_s + time.perf_counter() - t1
path = mv.cache_path(extent)
print(json.dumps({"extent": [round(x, 3) for x in extent], "basemap_s": round(basemap_s, 3),
                  "basemap_cpu_s": round(cpu_s, 3), "page_s": round(page_s, 3),
                  "cache_kb": round(path.stat().st_size / 1024, 1) if path.exists() else None,
                  "rings": len(vec.land) + len(vec.lakes) + len(vec.borders),
                  "vectors": vec.to_dict()}))
"""


def run(name: str, how: str, cache: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run([sys.executable, "-c", CHILD, name, how], env=env, check=True,
                         capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", nargs="+", default=["tiny", "liuzhou-asean", "china-europe"])
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "basemap_cache.csv"))
    args = ap.parse_args(argv)
    rows = []
    for name in args.scenarios:
        with tempfile.TemporaryDirectory() as tmp:
            computed = run(name, "computed", Path(tmp))
            cold = run(name, "cold", Path(tmp))
            warm = run(name, "warm", Path(tmp))
        for how, r in (("computed", computed), ("cold", cold), ("warm", warm)):
            row = {"scenario": name, "how": how, "extent": " ".join(map(str, r["extent"])),
                   "equal": r["vectors"] == computed["vectors"],
                   "python": platform.python_version(), "machine": platform.machine(),
                   **{k: r[k] for k in ("basemap_s", "basemap_cpu_s", "page_s", "cache_kb",
                                        "rings")}}
            rows.append(row)
            print(", ".join(f"{k}={row[k]}" for k in COLUMNS[:9]), flush=True)
    write_csv(args.out, rows, COLUMNS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

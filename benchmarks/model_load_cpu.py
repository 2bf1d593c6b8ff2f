"""CPU seconds of loading a shipped model, to predict (``load_model``: no Adam, no orthogonal
initialisation) against with an optimizer (``load_model(..., optimizer=True)``: what every load
built before; building torch's Adam imports ``torch._dynamo``).

Each row is one fresh Python process (torch and sb3-contrib imported before the timing, so the
rows time the load only): ``first_cpu_s`` the first load of the process (what a CLI run, a
notebook kernel or a pool worker pays), ``second_cpu_s`` a second load in it, ``dynamo``:
``torch._dynamo`` was imported. The two ways alternate, ``--repeats`` times each.

    python benchmarks/model_load_cpu.py --repeats 3
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import REPO, write_csv  # noqa: E402

COLUMNS = ["model", "how", "repeat", "first_cpu_s", "second_cpu_s", "dynamo", "python"]

_CHILD = """
import resource, sys
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
import torch, sb3_contrib
from mmroute.agents.model_files import load_model
from mmroute.agents.shipped import MODELS_DIR
from mmroute.scenarios import load
name, optimizer = sys.argv[1], sys.argv[2] == "optimizer"
sc = load(name)
out = []
for _ in range(2):
    t = cpu()
    load_model(MODELS_DIR / f"{name}.zip", scenario=sc, optimizer=optimizer)
    out.append(cpu() - t)
print(out[0], out[1], "torch._dynamo" in sys.modules)
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="liuzhou-asean", help="a shipped model (scenario name)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "model_load_cpu.csv"))
    args = ap.parse_args(argv)
    rows = []
    for k in range(args.repeats):
        for how in ("optimizer", "predict"):
            r = subprocess.run([sys.executable, "-c", _CHILD, args.model, how], cwd=REPO,
                               capture_output=True, text=True, check=True, timeout=600)
            first, second, dynamo = r.stdout.split()
            rows.append({"model": args.model, "how": how, "repeat": k,
                         "first_cpu_s": round(float(first), 3),
                         "second_cpu_s": round(float(second), 3), "dynamo": dynamo,
                         "python": platform.python_version()})
            print(rows[-1])
    write_csv(args.out, rows, COLUMNS)
    return 0


if __name__ == "__main__":
    sys.exit(main())

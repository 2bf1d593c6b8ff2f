"""Container loading benchmark: BR0–BR15 (Bischoff & Ratcliff, OR-Library thpack format).

For each chosen class and its first N instances: our block-building heuristic (full support,
``min_support = 1``) with a time limit per instance, and py3dbp (a simple open-source packer)
on the same instances. Every packing is verified by the independent checker; py3dbp's are
checked without the support rule (py3dbp has none) and the share of its boxes that would fail
full support is reported. Writes one CSV row per (instance, solver) and prints a table per class.

Orientation rules: ours follows thpack's vertical flags exactly; py3dbp is given the same
allowed orientations (its rotation loop is restricted per item), but py3dbp only tries the
first rotation that fits inside the bin at each pivot (its own behaviour) and ignores support.

    python benchmarks/loading.py --classes BR1-BR7 --instances 10 --time-limit 10 --out bench.csv
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

import numpy as np

from mmroute.io import write_text_atomic
from mmroute.routing.loading.check import check_packing
from mmroute.routing.loading.model import LoadingInstance, Placement
from mmroute.routing.loading.solve import solve_loading
from mmroute.routing.loading.thpack import read_thpack

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "thpack"


def parse_classes(spec: str) -> list[str]:
    """``BR1-BR7`` or ``BR1,BR3,BR10`` -> class names."""
    out: list[str] = []
    for part in spec.split(","):
        part = part.strip().upper()
        if "-" in part:
            a, b = (int(p.strip().removeprefix("BR")) for p in part.split("-"))
            out += [f"BR{k}" for k in range(a, b + 1)]
        elif part:
            out.append(part)
    return out


def py3dbp_pack(inst: LoadingInstance) -> tuple[tuple[Placement, ...], float]:
    """Pack with py3dbp (biggest first) using only the orientations thpack allows.

    Axes: py3dbp (width, height, depth) = our (x, z, y); its height is vertical.
    """
    from py3dbp import Bin, Item, Packer

    class _Item(Item):
        def __init__(self, name, allowed):
            a = allowed[0]
            super().__init__(name, a[0], a[2], a[1], 0)
            self.allowed = [[d[0], d[2], d[1]] for d in allowed]

        def get_dimension(self):
            if self.rotation_type < len(self.allowed):
                return list(self.allowed[self.rotation_type])
            return [10**12] * 3  # disallowed rotation: never fits

    t0 = time.monotonic()
    L, W, H = inst.container.dims
    packer = Packer()
    packer.add_bin(Bin("c", L, H, W, 10**12))
    for t in inst.box_types:
        for k in range(t.quantity):
            packer.add_item(_Item(f"{t.id}:{k}", t.orientations()))
    packer.pack(bigger_first=True, distribute_items=False, number_of_decimals=0)
    out = []
    for it in packer.bins[0].items:
        dx, dz, dy = (int(v) for v in it.get_dimension())
        x, z, y = (int(v) for v in it.position)
        out.append(Placement(int(it.name.split(":")[0]), (x, y, z), (dx, dy, dz)))
    return tuple(out), time.monotonic() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--classes", default="BR1-BR7", help="e.g. BR1-BR7 or BR0,BR8 (default BR1-BR7)")
    ap.add_argument("--instances", type=int, default=10, help="first N instances per class (default 10)")
    ap.add_argument("--start", type=int, default=1,
                    help="first instance (counting from 1) of each class; with --instances N "
                         "runs instances start..start+N-1 (to split a long run)")
    ap.add_argument("--time-limit", type=float, default=10.0, metavar="S", help="seconds per instance")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-py3dbp", action="store_true", help="skip the py3dbp comparison")
    ap.add_argument("--py3dbp-max-boxes", type=int, default=400,
                    help="skip py3dbp on instances with more boxes (its run time grows ~cubically)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with BR*.txt")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/loading.csv"), help="CSV output")
    args = ap.parse_args(argv)

    rows: list[dict] = []
    for cls in parse_classes(args.classes):
        insts = read_thpack(args.data / f"{cls}.txt")[args.start - 1 : args.start - 1 + args.instances]
        for k, inst in enumerate(insts, start=args.start):
            bound_pct = 100 * inst.volume_bound / inst.container.volume
            p = solve_loading(inst, time_limit_s=args.time_limit, seed=args.seed)
            rep = check_packing(inst.container, inst.box_types, p)
            rows.append(dict(cls=cls, instance=k, solver="mmroute", support="full",
                             utilisation_pct=round(100 * rep.details["utilisation"], 3), time_s=round(p.time_s, 2),
                             feasible=rep.feasible, boxes=rep.details["n_boxes"], unsupported=0,
                             upper_bound_pct=round(bound_pct, 3)))
            line = f"{cls}-{k}: mmroute {100 * rep.details['utilisation']:.2f}% ({p.time_s:.1f} s)"
            if not args.no_py3dbp and inst.n_boxes <= args.py3dbp_max_boxes:
                pl, dt = py3dbp_pack(inst)
                r0 = check_packing(inst.container, inst.box_types, pl, min_support=0.0)
                r1 = check_packing(inst.container, inst.box_types, pl, min_support=1.0)
                unsup = r1.details["counts"].get("support", 0)
                rows.append(dict(cls=cls, instance=k, solver="py3dbp", support="none",
                                 utilisation_pct=round(100 * r0.details["utilisation"], 3), time_s=round(dt, 2),
                                 feasible=r0.feasible, boxes=r0.details["n_boxes"], unsupported=unsup,
                                 upper_bound_pct=round(bound_pct, 3)))
                line += f", py3dbp {100 * r0.details['utilisation']:.2f}% ({dt:.1f} s)"
            print(line, flush=True)

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    write_text_atomic(args.out, buf.getvalue())

    print(f"\nper class, instances {args.start}-{args.start + args.instances - 1}, "
          f"{args.time_limit:g} s per instance (ours)")
    print("| class | n | mmroute mean % | min % | mean s | max s | py3dbp mean % | min % | mean s | all verified |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    means = []
    for cls in parse_classes(args.classes):
        ours = [r for r in rows if r["cls"] == cls and r["solver"] == "mmroute"]
        theirs = [r for r in rows if r["cls"] == cls and r["solver"] == "py3dbp"]
        u = np.array([r["utilisation_pct"] for r in ours])
        t = np.array([r["time_s"] for r in ours])
        means.append(u.mean())
        ok = all(r["feasible"] for r in ours + theirs)
        if theirs:
            v = np.array([r["utilisation_pct"] for r in theirs])
            tv = np.array([r["time_s"] for r in theirs])
            other = f"{v.mean():.2f} | {v.min():.2f} | {tv.mean():.1f}"
        else:
            other = "– | – | –"
        if theirs and len(theirs) < len(ours):
            other += f" ({len(theirs)} inst.)"
        print(f"| {cls} | {len(ours)} | {u.mean():.2f} | {u.min():.2f} | {t.mean():.1f} | {t.max():.1f} | {other} | {ok} |")
    print(f"mean over classes: {np.mean(means):.2f} %; CSV: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

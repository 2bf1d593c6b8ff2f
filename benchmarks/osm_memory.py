"""Memory of ``mmroute roads import``: bounded by the drivable roads, not by the extract.

Builds extracts that hold the same roads (central Aguascalientes, osmnx's test extract in
``../shared/data/osm``) padded with ``N`` synthetic buildings (closed ways of 5 new nodes,
tagged ``building``/``addr:*`` as in a real province extract, where buildings and addresses
outnumber roads many times), as PBF and as OSM XML, and imports each in a fresh process:
the peak resident memory (``ru_maxrss``) of the import beyond that of the same process
after its imports, and the graph's size. Beside it, for the XML files up to
``--osmnx-max``, osmnx's ``graph_from_xml`` (the reader before the streaming one), which
holds every element. Flat rows for mmroute and growing rows for osmnx show the bound.
Writes ``benchmarks/results/osm_memory.csv`` and prints a table.

    python benchmarks/osm_memory.py --buildings 0,100000,400000 --osmnx-max 100000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import REPO, data_dir, write_csv  # noqa: E402

_CHILD = r"""
import json, resource, sys, time
import osmnx, osmium, networkx
from mmroute.scenarios.osm_roads import import_roads
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.process_time()
how, src, out = sys.argv[1:4]
if how == "mmroute":
    g = import_roads(src, out)
else:
    g = osmnx.graph_from_xml(src, simplify=True, retain_all=True)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base_mb": before / 1024, "extra_mb": (peak - before) / 1024,
                  "cpu_s": time.process_time() - t, "nodes": len(g),
                  "edges": g.number_of_edges()}))
"""


def padded(src: Path, n: int, out: Path) -> None:
    """``src`` plus ``n`` buildings (5 new nodes and a closed way each), written to ``out``
    (PBF or XML by its name), nodes first, then ways, in id order."""
    import osmium

    base = 10**10  # ids above the extract's
    with osmium.SimpleWriter(str(out), overwrite=True) as w:
        for o in osmium.FileProcessor(str(src), osmium.osm.NODE):
            w.add_node(o)
        for i in range(n):
            x, y = -102.30 + (i % 1000) * 5e-5, 21.84 + (i // 1000) * 5e-5
            for j, (dx, dy) in enumerate([(0, 0), (2e-5, 0), (2e-5, 2e-5), (0, 2e-5),
                                          (1e-5, 3e-5)]):
                w.add_node(osmium.osm.mutable.Node(id=base + 5 * i + j,
                                                   location=(x + dx, y + dy)))
        for o in osmium.FileProcessor(str(src), osmium.osm.WAY):
            w.add_way(o)
        for i in range(n):
            ids = [base + 5 * i + j for j in range(5)]
            w.add_way(osmium.osm.mutable.Way(
                id=base + i, nodes=[*ids, ids[0]],
                tags={"building": "house", "addr:street": "Calle Madero",
                      "addr:housenumber": str(i % 400 + 1), "addr:postcode": "20000"}))


def run(how: str, src: Path, out: Path) -> dict:
    res = subprocess.run([sys.executable, "-c", _CHILD, how, str(src), str(out)],
                         capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--buildings", default="0,100000,400000",
                    help="comma-separated counts of synthetic buildings")
    ap.add_argument("--osmnx-max", type=int, default=100_000,
                    help="largest padding read with osmnx's graph_from_xml as well")
    ap.add_argument("--data", default=None, help="benchmark data folder (../shared/data)")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "osm_memory.csv"))
    args = ap.parse_args(argv)
    src = data_dir(args.data) / "osm" / "aguascalientes.osm.pbf"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.buildings.split(",")):
            for fmt in ("osm.pbf", "osm"):
                ext = Path(tmp) / f"ags-{n}.{fmt}"
                padded(src, n, ext)
                hows = ["mmroute"] + (["osmnx"] if fmt == "osm" and n <= args.osmnx_max else [])
                for how in hows:
                    r = run(how, ext, Path(tmp) / "g.graphml")
                    rows.append({"reader": how, "format": fmt, "buildings": n,
                                 "file_mb": round(ext.stat().st_size / 2**20, 1),
                                 "extra_rss_mb": round(r["extra_mb"], 1),
                                 "cpu_s": round(r["cpu_s"], 2), "nodes": r["nodes"],
                                 "edges": r["edges"]})
                    print(rows[-1], flush=True)
                ext.unlink()
    cols = ["reader", "format", "buildings", "file_mb", "extra_rss_mb", "cpu_s", "nodes",
            "edges"]
    write_csv(args.out, rows, cols)
    print(" ".join(f"{c:>12}" for c in cols))
    for r in rows:
        print(" ".join(f"{r[c]!s:>12}" for c in cols))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

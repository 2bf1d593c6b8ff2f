"""Plain outputs of a loading-aware run for the CLI and the demo: a table and a JSON file."""

from __future__ import annotations

from pathlib import Path

from mmroute.io import write_json_atomic
from mmroute.routing.loadroute.repair import LoadingAwareResult

__all__ = ["summary_table", "write_loading_aware"]


def summary_table(result: LoadingAwareResult) -> str:
    """One line per route before and after the repair, then the objective (CNY) and counts."""
    lines = ["before  vehicle     weight_kg  volume_m3  fits_3d  customers"]
    for rl in result.initial_report.routes:
        lines.append(f"  #{rl.route + 1:<4}{rl.vehicle_name:<12}{rl.weight_kg:>9.0f}  {rl.volume_m3:>9.2f}  "
                     f"{rl.fits_3d:<8} {'+'.join(rl.customers)}")
    lines.append("after   vehicle     weight_kg  volume_m3  util     customers")
    for rl in result.report.routes:
        util = "" if rl.utilisation is None else f"{rl.utilisation:.3f}"
        lines.append(f"  #{rl.route + 1:<4}{rl.vehicle_name:<12}{rl.weight_kg:>9.0f}  {rl.volume_m3:>9.2f}  "
                     f"{util:<8} {'+'.join(rl.customers)}")
    lines.append(
        f"objective {result.objective_before:.2f} -> {result.objective_after:.2f} CNY; "
        f"capacity model wrong (proved): {result.n_capacity_wrong}, unverified: "
        f"{result.n_unknown_initial} of {len(result.initial_report.routes)} routes; "
        f"{result.time_s:.1f} s"
    )
    return "\n".join(lines)


def write_loading_aware(result: LoadingAwareResult, path: str | Path, with_packing: bool = True) -> Path:
    """Write the result as JSON (atomically): the final solution's fields (``objective``,
    ``bound``, ``status``, ``time_s``, ``solver``, ``seed``, ``routes``) at the top level, then
    the loading report, the plain solution and the repair steps."""
    sol = result.solution.to_dict()
    return write_json_atomic(path, {**sol, "loading_aware": result.to_dict(with_packing)})

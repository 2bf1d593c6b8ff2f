"""A 3D picture of a packing (matplotlib mplot3d, Agg backend), written atomically as PNG."""

from __future__ import annotations

from pathlib import Path

from mmroute.io import write_with
from mmroute.routing.loading.model import Packing

__all__ = ["plot_packing"]


def plot_packing(packing: Packing, path: str | Path, *, title: str | None = None) -> Path:
    """Draw every box as a shaded cuboid coloured by type; the door (x = L) is marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    c = packing.container
    type_ids = sorted({p.type_id for p in packing.placements})
    cmap = plt.get_cmap("tab20", max(len(type_ids), 1))
    colour = {t: cmap(i % 20) for i, t in enumerate(type_ids)}
    fig = plt.figure(figsize=(9, 5))
    ax = fig.add_subplot(projection="3d")
    faces, colours = [], []
    for p in packing.placements:
        x0, y0, z0 = p.position
        x1, y1, z1 = p.end
        v = [(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0),
             (x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)]
        for f in ((0, 1, 2, 3), (4, 5, 6, 7), (0, 1, 5, 4), (2, 3, 7, 6), (1, 2, 6, 5), (0, 3, 7, 4)):
            faces.append([v[i] for i in f])
            colours.append(colour[p.type_id])
    if faces:
        ax.add_collection3d(Poly3DCollection(faces, facecolors=colours, edgecolors="k", linewidths=0.2, alpha=0.9))
    L, W, H = c.dims
    for xs, ys, zs in (
        ([0, L], [0, 0], [0, 0]), ([0, L], [W, W], [0, 0]), ([0, L], [0, 0], [H, H]), ([0, L], [W, W], [H, H]),
        ([0, 0], [0, W], [0, 0]), ([0, 0], [0, W], [H, H]), ([0, 0], [0, 0], [0, H]), ([0, 0], [W, W], [0, H]),
    ):
        ax.plot(xs, ys, zs, color="grey", linewidth=0.8)
    ax.plot([L, L, L, L, L], [0, W, W, 0, 0], [0, 0, H, H, 0], color="red", linewidth=1.5, label="door")
    ax.set_xlim(0, L)
    ax.set_ylim(0, W)
    ax.set_zlim(0, H)
    ax.set_box_aspect((L, W, H))
    ax.set_xlabel("x (length)")
    ax.set_ylabel("y")
    ax.set_zlabel("z")
    ax.legend(loc="upper left")
    ax.set_title(title or f"{len(packing.placements)} boxes, utilisation {packing.utilisation:.1%} ({packing.solver})")
    try:
        return write_with(path, lambda tmp: fig.savefig(tmp, dpi=120, bbox_inches="tight"))
    finally:
        plt.close(fig)

"""A bounded load test of a running service (on this machine): mixed valid and hostile
requests from a few threads, every answer accounted for.

The mix (drawn with ``numpy.random.default_rng(seed)``): ``GET /jobs/{id}`` of a finished job
(the latency reported), valid ``POST /plans`` (tiny, 202 or 429 when the job limit is
reached), ``POST /check/plan`` of that job's plan, and hostile bodies (:data:`HOSTILE`: each
must get a 4xx). Requests are bounded in count and each in time; the test stops by itself.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HOSTILE", "LoadReport", "run_load"]

#: Bodies of ``POST /plans`` that a correct service refuses with a 4xx (raw bytes).
HOSTILE: tuple[bytes, ...] = (
    b"",
    b"{",
    b"null",
    b'{"scenario": "/etc/passwd"}',
    b'{"scenario": "tiny", "time_limit_s": NaN}',
    b'{"scenario": "tiny", "time_limit_s": 1e308}',
    b'{"scenario": "tiny", "seed": -1}',
    b'{"scenario": "tiny", "options": {"solver": "rm -rf /"}}',
    b'{"scenario": {"name": "x", "horizon_h": -1, "nodes": "many"}}',
    b'{"scenario": "tiny", "x": "' + b"A" * 200_000 + b'"}',
    b"[" * 20_000 + b"]" * 20_000,
    b"\xff\xfe\x00garbage",
)


@dataclass
class LoadReport:
    """What a load test saw: ``sent`` requests, ``answered`` (any HTTP status), ``lost``
    (no answer: connection error or timeout), ``hostile_not_4xx`` (should be 0),
    ``unexpected`` (a valid request with an unexpected status), latencies of
    ``GET /jobs/{id}`` (ms) and the wall time (s)."""

    sent: int = 0
    answered: int = 0
    lost: int = 0
    hostile_not_4xx: int = 0
    unexpected: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    get_ms: list[float] = field(default_factory=list)
    get_start_s: list[float] = field(default_factory=list)  # since the test began
    wall_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    def percentile_ms(self, q: float) -> float | None:
        import numpy as np

        return float(np.percentile(self.get_ms, q)) if self.get_ms else None

    def steady_p95_ms(self, after_s: float = 1.0) -> float | None:
        """p95 of the GETs sent ``after_s`` seconds into the test or later (the first burst
        opens every connection and warms the service up)."""
        import numpy as np

        late = [ms for ms, t in zip(self.get_ms, self.get_start_s) if t >= after_s]
        return float(np.percentile(late, 95)) if late else None

    def summary(self) -> dict[str, Any]:
        return {"sent": self.sent, "answered": self.answered, "lost": self.lost,
                "hostile_not_4xx": self.hostile_not_4xx, "unexpected": self.unexpected,
                "gets": len(self.get_ms), "get_p50_ms": self.percentile_ms(50),
                "get_p95_ms": self.percentile_ms(95), "get_max_ms": max(self.get_ms, default=None),
                "get_p95_after_1s_ms": self.steady_p95_ms(1.0),
                "wall_s": self.wall_s, "statuses": dict(sorted(self.statuses.items()))}


def run_load(base_url: str, job_id: str, plan: dict[str, Any], *, requests: int = 200,
             concurrency: int = 20, seed: int = 0, timeout_s: float = 30.0) -> LoadReport:
    """Send ``requests`` requests, ``concurrency`` at a time, to the service at ``base_url``
    (``job_id``: a finished plan job, ``plan`` its plan)."""
    import httpx
    import numpy as np

    rng = np.random.default_rng(seed)
    kinds = rng.choice(["get", "post", "check", "hostile"], size=requests, p=[0.45, 0.1, 0.1, 0.35])
    hostile = rng.integers(0, len(HOSTILE), size=requests)
    report = LoadReport(sent=requests)
    start = time.perf_counter()
    lock = threading.Lock()
    local = threading.local()
    clients: list[httpx.Client] = []

    def client() -> httpx.Client:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base_url, timeout=timeout_s)
            with lock:
                clients.append(local.client)
        return local.client

    def one(i: int) -> None:
        kind = str(kinds[i])
        t0 = time.perf_counter()
        try:
            c = client()
            if kind == "get":
                r = c.get(f"/jobs/{job_id}")
                ok = r.status_code == 200
            elif kind == "post":
                r = c.post("/plans", json={"scenario": "tiny", "time_limit_s": 5, "seed": i})
                ok = r.status_code in (202, 429)
            elif kind == "check":
                r = c.post("/check/plan", json={"scenario": "tiny", "plan": plan})
                ok = r.status_code == 200 and r.json()["feasible"]
            else:
                r = c.post("/plans", content=HOSTILE[int(hostile[i])],
                           headers={"content-type": "application/json"})
                ok = 400 <= r.status_code < 500
        except httpx.HTTPError as exc:
            with lock:
                report.lost += 1
                report.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return
        ms = (time.perf_counter() - t0) * 1000.0
        with lock:
            report.answered += 1
            key = f"{kind} {r.status_code}"
            report.statuses[key] = report.statuses.get(key, 0) + 1
            if kind == "get":
                report.get_ms.append(ms)
                report.get_start_s.append(t0 - start)
            if not ok:
                if kind == "hostile":
                    report.hostile_not_4xx += 1
                else:
                    report.unexpected += 1
                report.errors.append(f"{key}: {r.text[:200]}")

    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(one, range(requests)))
    finally:
        for c in clients:
            c.close()
    report.wall_s = time.perf_counter() - start
    return report

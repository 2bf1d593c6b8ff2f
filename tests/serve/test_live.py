"""A live ``mmroute serve`` on 127.0.0.1 (uvicorn in a subprocess): a plan job, its page in
headless Chromium with the network off, DELETE of a running MIP, a bounded load test and a
restart that keeps the finished job."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx", reason="the 'serve' extra (httpx) is not installed")
pytest.importorskip("uvicorn", reason="the 'serve' extra (uvicorn) is not installed")

from mmroute.serve.loadtest import run_load  # noqa: E402 - after the skip
from tests.browser import SKIP_REASON, Browser  # noqa: E402
from tests.serve.test_api import congested  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """``python -m mmroute serve`` on a free port of 127.0.0.1, jobs under ``data``."""

    def __init__(self, data: Path, *extra: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(data.parent / f"serve-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mmroute", "serve", "--port", str(self.port), "--data",
             str(data), *extra], stdout=self.log, stderr=subprocess.STDOUT)
        self.client = httpx.Client(base_url=self.url, timeout=30)
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert self.proc.poll() is None, Path(self.log.name).read_text()
            assert time.monotonic() < deadline, "the service did not start in 60 s"
            time.sleep(0.1)

    def wait(self, job_id: str, statuses=("done", "failed", "cancelled"), timeout_s=60.0) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            job = self.client.get(f"/jobs/{job_id}").json()
            if job["status"] in statuses:
                return job
            assert time.monotonic() < deadline, job
            time.sleep(0.05)

    def stop(self) -> int:
        self.client.close()
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        return code


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    data = tmp_path_factory.mktemp("live") / "jobs-data"
    svc = Service(data, "--workers", "1", "--max-jobs", "30")
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def tiny_job(live):
    r = live.client.post("/plans", json={"scenario": "tiny", "time_limit_s": 20, "seed": 0})
    assert r.status_code == 202
    job = live.wait(r.json()["id"])
    assert job["status"] == "done", job
    return job


def test_the_service_binds_to_loopback_and_serves_openapi(live):
    assert live.client.get("/openapi.json").json()["info"]["title"] == "mmroute"
    out = subprocess.run(["ss", "-ltnp"], capture_output=True, text=True) if _has("ss") else None
    if out is not None:
        lines = [ln for ln in out.stdout.splitlines() if f":{live.port} " in ln]
        assert lines and all("127.0.0.1:" in ln for ln in lines), lines


def _has(cmd: str) -> bool:
    from shutil import which

    return which(cmd) is not None


def test_a_bounded_load_loses_no_request_and_refuses_every_hostile_body(live, tiny_job):
    progress = live.client.get(f"/jobs/{tiny_job['id']}").json()["progress"]
    assert progress["phase"] == "check" and progress["objective"] == tiny_job["objective"]
    report = run_load(live.url, tiny_job["id"], tiny_job["result"]["plan"], requests=80,
                      concurrency=10, seed=0)
    s = report.summary()
    assert s["lost"] == 0 and s["answered"] == 80, report.errors[:5]
    assert s["hostile_not_4xx"] == 0 and s["unexpected"] == 0, report.errors[:5]
    assert s["gets"] > 10 and s["get_p95_ms"] is not None
    assert live.client.get("/health").json()["status"] == "ok"


@pytest.mark.slow  # the fast sibling: test_api.py's DELETE through TestClient
def test_delete_stops_a_running_mip_within_a_second(live):
    r = live.client.post("/plans", json={"scenario": congested(), "time_limit_s": 120})
    job_id = r.json()["id"]
    live.wait(job_id, ("running",), timeout_s=120)
    deadline = time.monotonic() + 60
    while (live.client.get(f"/jobs/{job_id}").json()["progress"] or {}).get("phase") != "mip":
        assert time.monotonic() < deadline  # HiGHS past its presolve, in branch and bound
        time.sleep(0.1)
    t0 = time.monotonic()
    job = live.client.delete(f"/jobs/{job_id}").json()
    assert job["status"] == "cancelled" and time.monotonic() - t0 < 1.0
    with pytest.raises(ProcessLookupError):
        os.kill(job["pid"], 0)


# the basemap of tiny's page comes from the session's cache (test_api.py's page wrote it; ~8 s
# more when this module runs alone)
@pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")
def test_chromium_loads_the_job_page_from_the_service_with_the_network_off(live, tiny_job,
                                                                            tmp_path):
    n_legs = sum(len(it["legs"]) for it in tiny_job["result"]["plan"]["itineraries"])
    url = f"{live.url}/jobs/{tiny_job['id']}/page"
    with Browser(allow_hosts=("127.0.0.1",)) as b:
        b.goto(url)
        assert b.js("document.querySelectorAll('path.mm-leg').length") == n_legs
        assert b.js("document.querySelectorAll('path.mm-node').length") == 4
        b.screenshot(tmp_path / "service-page.png")
        assert b.requests == [url], b.requests  # the page needs nothing else
        assert b.console == []


@pytest.mark.slow  # the fast sibling: test_api.py's restarted JobStore
def test_a_restarted_service_still_has_the_finished_job(tmp_path):
    data = tmp_path / "jobs-data"
    first = Service(data, "--workers", "1")
    try:
        r = first.client.post("/plans", json={"scenario": "tiny", "time_limit_s": 20})
        done = first.wait(r.json()["id"])
    finally:
        assert first.stop() == 0  # SIGINT: a graceful shutdown (the store closes), exit 0
    again = Service(data, "--workers", "1")
    try:
        job = again.client.get(f"/jobs/{done['id']}").json()
        assert job["status"] == "done" and job["result"] == done["result"]
    finally:
        assert again.stop() == 0

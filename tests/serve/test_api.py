"""The service's API contract through FastAPI's TestClient (jobs in real worker processes)."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

pytest.importorskip("fastapi", reason="the 'serve' extra (fastapi) is not installed")
pytest.importorskip("httpx", reason="the 'serve' extra (httpx) is not installed")

from fastapi.testclient import TestClient  # noqa: E402 - after the skip

from mmroute.routing.plan.progress import PHASES  # noqa: E402
from mmroute.scenarios import load  # noqa: E402
from mmroute.serve import FINAL, JobStore, ServeParams, create_app  # noqa: E402

#: A solve that runs to its time limit: a month of orders (1,500 shipments).
LONG = {"scenario": "liuzhou-asean-month", "time_limit_s": 120, "seed": 0}


def congested(n: int = 200, horizon_h: float = 240.0, seed: int = 0) -> dict:
    """liuzhou-asean with ``n`` shipments on its origin-destination pairs over ``horizon_h``
    (benchmarks/plan_scaling.py's ``variant``): capacity-starved, so the greedy plan is not
    optimal and HiGHS works on the MIP for many seconds (a 58 kB document)."""
    import numpy as np

    from benchmarks.plan_scaling import variant

    return variant(load("liuzhou-asean"), n, horizon_h, np.random.default_rng(seed)).to_dict()


def wait(client, job_id: str, statuses=FINAL, timeout_s: float = 60.0) -> dict:
    """Poll ``GET /jobs/{id}`` until its status is one of ``statuses``."""
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in statuses:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout_s} s"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A service with one worker, two pending jobs at most, 120 s time limits at most."""
    params = ServeParams(data_dir=tmp_path_factory.mktemp("service"), workers=1, max_jobs=2,
                         max_time_limit_s=120.0, max_body_bytes=256 * 1024)
    with TestClient(create_app(params)) as c:
        yield c


@pytest.fixture(scope="module")
def tiny_job(client):
    """A finished plan job of the tiny scenario."""
    r = client.post("/plans", json={"scenario": "tiny", "time_limit_s": 20, "seed": 0})
    assert r.status_code == 202 and r.json()["status"] == "queued"
    return wait(client, r.json()["id"])


def test_a_plan_job_runs_in_a_worker_and_returns_the_checked_optimal_plan(tiny_job):
    assert tiny_job["status"] == "done" and tiny_job["error"] is None
    assert tiny_job["exit_code"] == 0 and tiny_job["pid"] != os.getpid()
    result = tiny_job["result"]
    assert result["check"]["feasible"] and result["plan"]["scenario"] == "tiny"
    assert tiny_job["solver_status"] == "optimal"
    assert tiny_job["objective"] == pytest.approx(tiny_job["bound"], rel=1e-6)
    assert len(result["plan"]["itineraries"]) == len(load("tiny").shipments)


def test_a_finished_plan_job_reports_the_progress_its_worker_wrote(tiny_job):
    progress = tiny_job["progress"]
    assert progress["phase"] == "check" and progress["time_limit_s"] == 20
    assert progress["objective"] == pytest.approx(tiny_job["objective"])
    assert progress["bound"] == pytest.approx(tiny_job["bound"])
    assert 0 < progress["elapsed_s"] < 20
    assert tiny_job["started"] <= progress["updated"] <= tiny_job["finished"]


def test_the_job_and_its_progress_are_in_the_openapi_schema(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"phase", "objective", "bound", "done", "total"} <= set(schemas["JobProgress"]["properties"])
    assert "progress" in schemas["Job"]["properties"]


#: request body -> ({field: default, or None when it has none}, required fields)
_BODIES = {
    "PlanRequest": ({"scenario": None, "time_limit_s": 60.0, "seed": 0, "options": None},
                    ["scenario"]),
    "EventsRequest": ({"time_h": None, "events": None, "time_limit_s": 30.0, "seed": 0},
                      ["time_h"]),
    "VRPRequest": ({"scenario": None, "time_limit_s": 10.0, "seed": 0, "options": None},
                   ["scenario"]),
    "CarsRequest": ({"scenario": None, "time_limit_s": 30.0, "seed": 0, "options": None},
                    ["scenario"]),
    "EvaluationRequest": ({"scenario": None, "policies": None, "seeds": None,
                           "time_limit_s": 10.0, "decision_budget_s": None},
                          ["scenario", "policies", "seeds"]),
    "CheckPlanRequest": ({"scenario": None, "plan": None}, ["scenario", "plan"]),
    "CheckVRPRequest": ({"scenario": None, "solution": None}, ["scenario", "solution"]),
    "CheckCarsRequest": ({"scenario": None, "plan": None}, ["scenario", "plan"]),
}


def test_the_request_bodies_keep_their_fields_defaults_and_limits_in_the_openapi_schema(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name, (defaults, required) in _BODIES.items():
        body = schemas[name]
        assert body["additionalProperties"] is False, name  # unknown fields: 422
        assert body["required"] == required, name
        assert {k: v.get("default") for k, v in body["properties"].items()} == defaults, name
        if "seed" in body["properties"]:
            seed = body["properties"]["seed"]
            assert (seed["type"], seed["minimum"], seed["exclusiveMaximum"]) == (
                "integer", 0, 2**31), name
        if "time_limit_s" in body["properties"]:
            limit = body["properties"]["time_limit_s"]
            assert (limit["type"], limit["exclusiveMinimum"]) == ("number", 0), name
        if "scenario" in body["properties"]:
            kinds = [t["type"] for t in body["properties"]["scenario"]["anyOf"]]
            assert kinds == ["string", "object"], name


def test_the_job_page_is_the_interactive_page_of_its_plan(client, tiny_job):
    r = client.get(f"/jobs/{tiny_job['id']}/page")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "id='mm-data'" in r.text and "tiny: plan" in r.text
    assert client.get(f"/jobs/{tiny_job['id']}/page").text == r.text  # kept on disk


def test_a_scenario_document_is_accepted_and_validated_like_a_file(client):
    doc = load("tiny").to_dict()
    r = client.post("/plans", json={"scenario": doc, "time_limit_s": 20, "seed": 1})
    assert r.status_code == 202
    job = wait(client, r.json()["id"])
    assert job["status"] == "done" and job["result"]["check"]["feasible"]
    doc["links"][0]["mode"] = "teleport"
    r = client.post("/plans", json={"scenario": doc})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "scenario", "links[LZ-QZ-rail]", "mode"]


@pytest.mark.parametrize(("body", "loc"), [
    ({"scenario": "no-such-scenario"}, ["body", "scenario"]),
    ({"scenario": "/etc/passwd"}, ["body", "scenario"]),  # names only, never paths
    ({"scenario": "../scenarios/data/tiny.yaml"}, ["body", "scenario"]),
    ({"scenario": "tiny", "time_limit_s": 0}, ["body", "time_limit_s"]),
    ({"scenario": "tiny", "time_limit_s": 121}, ["body", "time_limit_s"]),
    ({"scenario": "tiny", "time_limit_s": "soon"}, ["body", "time_limit_s"]),
    ({"scenario": "tiny", "seed": -1}, ["body", "seed"]),
    ({"scenario": "tiny", "seed": 2**40}, ["body", "seed"]),
    ({"scenario": "tiny", "options": {"solver": "cplex"}}, ["body", "options", "solver"]),
    ({"scenario": "tiny", "options": {"co2_price": -5}}, ["body", "options", "co2_price"]),
    ({"scenario": "tiny", "ask": "politely"}, ["body", "ask"]),
    ({"time_limit_s": 5}, ["body", "scenario"]),
    ({"scenario": {"name": "x"}}, ["body", "scenario", "horizon_h"]),
    ({"scenario": 42}, ["body", "scenario"]),
])
def test_bad_bodies_get_422_naming_the_field(client, body, loc):
    r = client.post("/plans", json=body)
    assert r.status_code == 422, r.text
    assert any(d["loc"][:len(loc)] == loc for d in r.json()["detail"]), r.json()


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'{"scenario": "tiny", "time_limit_s": NaN}',
                                 b'{"scenario": "tiny", "time_limit_s": Infinity}',
                                 b"[" * 50_000 + b"]" * 50_000, b"\xff\xfe"])
def test_malformed_json_is_a_4xx_never_a_crash(client, raw):
    r = client.post("/plans", content=raw, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    assert client.get("/health").json()["status"] == "ok"


def test_a_body_over_the_limit_gets_413(client):
    big = {"scenario": "tiny", "pad": "x" * 300_000}
    assert client.post("/plans", json=big).status_code == 413
    chunks = (b"x" * 65_536 for _ in range(8))  # no Content-Length: counted as it streams
    r = client.post("/plans", content=chunks, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_unknown_jobs_are_404(client):
    for method in ("get", "delete"):
        assert getattr(client, method)("/jobs/0123456789abcdef").status_code == 404
    assert client.get("/jobs/../../etc/passwd/page").status_code == 404


def test_delete_stops_a_running_mip_within_a_second_and_the_job_limit_holds(client):
    first = client.post("/plans", json={"scenario": congested(), "time_limit_s": 120}).json()["id"]
    second = client.post("/plans", json={"scenario": "tiny"}).json()["id"]  # queued
    third = client.post("/plans", json={"scenario": "tiny"})
    assert third.status_code == 429  # two pending at most
    wait(client, first, ("running",))
    seen, deadline = [], time.monotonic() + 60
    while True:  # the worker tells where the solver is: wait for HiGHS to work on the MIP
        job = client.get(f"/jobs/{first}").json()
        assert job["status"] == "running" and time.monotonic() < deadline, job
        progress = job["progress"]
        if progress is not None and (not seen or seen[-1] != progress["phase"]):
            seen.append(progress["phase"])
        if progress is not None and progress["phase"] in ("presolve", "mip"):
            break
        time.sleep(0.05)
    assert set(seen) <= {"start", *PHASES} and progress["elapsed_s"] > 0, seen
    # the greedy incumbent's objective and arc elimination's lower bound, before the MIP
    assert progress["bound"] < progress["objective"], progress
    t0 = time.monotonic()
    job = client.delete(f"/jobs/{first}").json()
    took = time.monotonic() - t0
    assert job["status"] == "cancelled" and took < 1.0, (job, took)
    # 143: the worker stopped on SIGTERM (its solver interrupted); -9: killed after 0.5 s
    assert job["exit_code"] in (143, -signal.SIGKILL)
    with pytest.raises(ProcessLookupError):
        os.kill(job["pid"], 0)  # the worker is gone
    # the queued job runs next; deleting a finished job changes nothing
    done = wait(client, second)
    assert done["status"] == "done"
    assert client.delete(f"/jobs/{second}").json()["status"] == "done"


def test_a_queued_job_is_cancelled_at_once(client):
    first = client.post("/plans", json=LONG).json()["id"]
    second = client.post("/plans", json={"scenario": "tiny"}).json()["id"]
    assert client.delete(f"/jobs/{second}").json()["status"] == "cancelled"
    assert client.delete(f"/jobs/{first}").json()["status"] == "cancelled"


def test_a_crashing_worker_fails_its_job_and_the_service_goes_on(client):
    job_id = client.post("/plans", json=LONG).json()["id"]
    pid = wait(client, job_id, ("running",))["pid"]
    os.kill(pid, signal.SIGKILL)  # as a segfault in a native solver would end it
    job = wait(client, job_id)
    assert job["status"] == "failed" and "exit code -9" in job["error"]
    r = client.post("/plans", json={"scenario": "tiny", "time_limit_s": 20})
    assert wait(client, r.json()["id"])["status"] == "done"


def test_check_plan_recomputes_and_finds_a_tampered_plan(client, tiny_job):
    plan = tiny_job["result"]["plan"]
    ok = client.post("/check/plan", json={"scenario": "tiny", "plan": plan}).json()
    assert ok["feasible"] and ok["objective"] == pytest.approx(plan["objective"], rel=1e-6)
    bad = json.loads(json.dumps(plan))
    leg = bad["itineraries"][0]["legs"][0]
    leg["arrival_h"] = leg["departure_h"] + 0.5  # faster than the link allows
    r = client.post("/check/plan", json={"scenario": "tiny", "plan": bad}).json()
    assert not r["feasible"] and r["n_violations"] >= 1
    r = client.post("/check/plan", json={"scenario": "tiny", "plan": {"itineraries": 3}})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "plan"]


def test_the_scheduler_never_polls_a_process_that_a_cancel_is_stopping(tmp_path):
    """Two threads polling one forkserver process race for its exit status, and the loser
    reads end-of-file: multiprocessing then reports exit code 255 (seen under load as a DELETE
    answering 255 instead of 143). The scheduler's collection leaves a job being cancelled to
    the cancel, and a second cancel of it does not poll it either."""
    from mmroute.serve.jobs import _Running

    class Polled:
        pid, exitcode, polls = 12345, None, 0

        def is_alive(self):
            self.polls += 1
            return False

        def join(self, timeout=None):
            self.polls += 1

    store = JobStore(tmp_path, workers=1, poll_s=0.01)
    try:
        proc = Polled()
        with store._lock:  # the job as if started and a cancel under way (the lock held: the
            job = store.submit("plan", {"time_limit_s": 20, "seed": 0, "options": {}},
                               load("tiny").to_dict())  # scheduler cannot start it first)
            store._queue.remove(job)
            store._records[job] = dict(store._records[job], status="running")
            store._running[job] = _Running(proc, time.time())
            store._cancelling.add(job)
        time.sleep(0.2)  # ~20 rounds of the scheduler
        assert proc.polls == 0 and job in store._running
        assert store.cancel(job)["status"] == "running"  # the first cancel has not ended
        assert proc.polls == 0
        with store._lock:  # the first cancel's end
            store._running.pop(job)
            store._cancelling.discard(job)
    finally:
        store.close()


def test_a_restarted_store_keeps_finished_jobs_and_fails_interrupted_ones(tmp_path):
    store = JobStore(tmp_path, workers=1)
    try:
        done = store.submit("plan", {"time_limit_s": 20, "seed": 0, "options": {}},
                            load("tiny").to_dict())
        deadline = time.monotonic() + 60
        while store.get(done)["status"] not in FINAL:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        store.close()
    # a record left "running" by a service that died
    record = json.loads((tmp_path / "jobs" / done / "job.json").read_text())
    ghost = dict(record, id="0" * 32, status="running")
    (tmp_path / "jobs" / ghost["id"]).mkdir()
    (tmp_path / "jobs" / ghost["id"] / "job.json").write_text(json.dumps(ghost))
    again = JobStore(tmp_path, workers=1)
    try:
        kept = again.get(done)
        assert kept["status"] == "done" and kept["result"]["check"]["feasible"]
        assert again.get(ghost["id"])["status"] == "failed"
        assert "service stopped" in again.get(ghost["id"])["error"]
    finally:
        again.close()


def test_events_replan_from_the_state_at_that_time_and_list_what_changed(client, tiny_job):
    # the Qinzhou-Haiphong sailing closes at h 10: S1 is on the train to Qinzhou (sunk) and
    # must reach Haiphong another way; S2 (road, not yet left) and S3 (to Qinzhou) stay
    closure = {"closures": [{"link": "QZ-HPH-sea", "from_h": 0, "to_h": 200}]}
    r = client.post(f"/plans/{tiny_job['id']}/events",
                    json={"time_h": 10, "events": closure, "time_limit_s": 20})
    assert r.status_code == 202
    job = wait(client, r.json()["id"])
    assert job["status"] == "done" and job["kind"] == "replan", job
    res = job["result"]
    assert res["check"]["feasible"] and res["time_h"] == 10
    assert [c["shipment"] for c in res["changes"]] == ["S1"]
    s1 = res["changes"][0]
    assert s1["before"]["links"] == ["QZ-HPH-sea"] and "QZ-HPH-sea" not in s1["after"]["links"]
    assert s1["after"]["links"][-1].endswith("HPH-road")
    assert res["cost_cny_change"] == pytest.approx(s1["after"]["cost_cny"] - s1["before"]["cost_cny"])
    assert res["objective_after"] == pytest.approx(res["sunk_objective"] + res["plan"]["objective"])
    assert res["objective_after"] > res["objective_before"]  # the closure costs money
    assert client.get(f"/jobs/{job['id']}/page").status_code == 200


#: a storm cell over the Gulf of Tonkin from h 12 to 200, drifting west-north-west: it closes
#: the Qinzhou-Haiphong sailing (its forecast track: the area moved by the velocity each hour)
GULF_STORM = {"cell": "gulf-storm", "from_h": 12, "to_h": 200, "effect": "close",
              "area": [[107.0, 20.0], [109.0, 20.0], [109.0, 21.5], [107.0, 21.5]],
              "velocity_kmh": [-2, 1], "modes": ["sea"], "speed_factor": None}


def test_a_weather_cell_with_its_track_is_an_event_a_plan_is_replanned_around(client, tiny_job):
    def replanned(cell: dict) -> dict:
        r = client.post(f"/plans/{tiny_job['id']}/events",
                        json={"time_h": 10, "events": {"weather": [cell]}, "time_limit_s": 20})
        assert r.status_code == 202, r.text
        job = wait(client, r.json()["id"])
        assert job["status"] == "done", job["error"]
        res = job["result"]
        assert res["check"]["feasible"] and [c["shipment"] for c in res["changes"]] == ["S1"]
        assert res["plan"]["events"]["weather"][0]["cell"] == "gulf-storm"  # kept with the plan
        return next(it for it in res["plan"]["itineraries"] if it["shipment"] == "S1")

    sailing = next(lg for it in tiny_job["result"]["plan"]["itineraries"] for lg in it["legs"]
                   if lg["link"] == "QZ-HPH-sea")
    still = replanned({**GULF_STORM, "velocity_kmh": [0, 0]})  # over the lane until h 200
    assert "QZ-HPH-sea" not in [lg["link"] for lg in still["legs"]]  # S1 goes by road
    drifting = replanned(GULF_STORM)  # its track leaves the lane: S1 sails once it has passed
    (sea,) = [lg for lg in drifting["legs"] if lg["link"] == "QZ-HPH-sea"]
    assert sea["departure_h"] > sailing["departure_h"]


@pytest.mark.parametrize(("body", "loc"), [
    ({"time_h": 10, "events": {"storms": []}}, ["body", "events", "storms"]),
    ({"time_h": 10, "events": {"closures": [{"link": "NOPE", "from_h": 0, "to_h": 5}]}},
     ["body", "events", "closures[0]"]),  # not a link of the plan's scenario
    ({"time_h": 10, "events": {"weather": [{**GULF_STORM, "area": [[107, 20], [109, "x"]]}]}},
     ["body", "events", "weather[0]", "area[1]"]),
    ({"time_h": 10, "events": {"weather": [{**GULF_STORM, "area": [[107, 20], [509, 20]]}]}},
     ["body", "events", "weather[0]", "area[1]"]),
    ({"time_h": 10, "events": {"weather": [{**GULF_STORM, "effect": "boil"}]}},
     ["body", "events", "weather[0]"]),
    ({"time_h": 10, "events": {"weather": [{**GULF_STORM, "modes": "sea"}]}},
     ["body", "events", "weather[0]", "modes"]),
    ({"time_h": 10, "events": {"closures": [{"link": 3}]}}, ["body", "events", "closures[0]"]),
    ({"time_h": 10, "events": {"closures": [{"link": "X", "from_h": "no", "to_h": 1}]}},
     ["body", "events", "closures[0]", "from_h"]),
    ({"time_h": -1}, ["body", "time_h"]),
    ({"time_h": 1e5}, ["body", "time_h"]),  # after tiny's horizon
    ({"events": {}}, ["body", "time_h"]),
])
def test_bad_events_get_422_naming_the_field(client, tiny_job, body, loc):
    r = client.post(f"/plans/{tiny_job['id']}/events", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][:len(loc)] == loc, r.json()


def test_events_of_an_unknown_job_are_404(client):
    assert client.post("/plans/nope/events", json={"time_h": 1}).status_code == 404

"""VRP, cars and evaluation jobs and their checkers through FastAPI's TestClient (jobs in
real worker processes)."""

from __future__ import annotations

import copy

import pytest

pytest.importorskip("fastapi", reason="the 'serve' extra (fastapi) is not installed")
pytest.importorskip("httpx", reason="the 'serve' extra (httpx) is not installed")

from fastapi.testclient import TestClient  # noqa: E402 - after the skip

from mmroute.serve import ServeParams, create_app  # noqa: E402
from tests.browser import SKIP_REASON, check_storm_slider  # noqa: E402
from tests.serve.test_api import wait  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A service with two workers, six pending jobs, 60 s time limits and 12 episodes at most."""
    params = ServeParams(data_dir=tmp_path_factory.mktemp("service"), workers=2, max_jobs=6,
                         max_time_limit_s=60.0, max_episodes=12)
    with TestClient(create_app(params)) as c:
        yield c


def stormy_tiny() -> dict:
    """tiny with a storm over the Gulf of Tonkin in every episode (h 21 to 62, drifting
    west-north-west at (-10, 4) km/h, slowing sea links)."""
    from mmroute.scenarios import load

    doc = load("tiny").to_dict()
    doc["name"] = "tiny-storm"
    doc["uncertainty"]["weather"] = [{
        "id": "gulf-storm", "kind": "storm", "probability": 1.0, "months": [3],
        "area": [[107.0, 20.0], [109.0, 20.0], [109.0, 21.5], [107.0, 21.5]],
        "velocity_kmh": [-10, 4], "start_h": [20, 21], "duration_h": [40, 41],
        "effect": "slow", "speed_factor": 0.6, "modes": ["sea"]}]
    return doc


@pytest.fixture(scope="module")
def jobs(client):
    """A VRP job (liuzhou-milkrun, 20 iterations), a cars job (liuzhou-cars, 1 s), an
    evaluation (tiny with a storm: greedy on seeds 0 and 1) and a plan (tiny), submitted
    together, all finished."""
    ids = {
        "plan": client.post("/plans", json={"scenario": "tiny", "time_limit_s": 20}),
        "vrp": client.post("/vrp", json={"scenario": "liuzhou-milkrun", "time_limit_s": 20,
                                         "options": {"max_iterations": 20}}),
        "cars": client.post("/cars", json={"scenario": "liuzhou-cars", "time_limit_s": 1}),
        "evaluation": client.post("/evaluations", json={"scenario": stormy_tiny(),
                                                        "policies": ["greedy"], "seeds": [0, 1]}),
    }
    for r in ids.values():
        assert r.status_code == 202, r.text
    return {k: wait(client, r.json()["id"], timeout_s=120) for k, r in ids.items()}


def test_a_vrp_job_returns_a_solution_its_checker_accepts(client, jobs):
    job = jobs["vrp"]
    assert job["status"] == "done" and job["kind"] == "vrp", job["error"]
    sol = job["result"]["solution"]
    assert job["result"]["check"]["feasible"] and job["objective"] == sol["objective"]
    assert job["solver_status"] == sol["status"] and sol["routes"]
    assert job["progress"]["phase"] == "check"
    assert job["progress"]["objective"] == pytest.approx(sol["objective"])
    r = client.post("/check/vrp", json={"scenario": "liuzhou-milkrun", "solution": sol})
    assert r.status_code == 200 and r.json()["feasible"]
    assert r.json()["objective"] == pytest.approx(sol["objective"], rel=1e-6)
    bad = copy.deepcopy(sol)
    bad["routes"] = bad["routes"][1:]  # a route's customers left unvisited
    bad["vehicle_types"] = bad["vehicle_types"][1:]
    r = client.post("/check/vrp", json={"scenario": "liuzhou-milkrun", "solution": bad})
    assert r.status_code == 200 and not r.json()["feasible"] and r.json()["violations"]


def test_a_cars_job_returns_a_plan_its_checker_accepts(client, jobs):
    job = jobs["cars"]
    assert job["status"] == "done" and job["kind"] == "cars", job["error"]
    plan = job["result"]["plan"]
    assert job["result"]["check"]["feasible"] and job["objective"] == plan["objective"]
    r = client.post("/check/cars", json={"scenario": "liuzhou-cars", "plan": plan})
    assert r.status_code == 200 and r.json()["feasible"]
    bad = copy.deepcopy(plan)
    bad["routes"] = bad["routes"][1:]  # the first carrier's vehicles never delivered
    r = client.post("/check/cars", json={"scenario": "liuzhou-cars", "plan": bad})
    assert r.status_code == 200 and not r.json()["feasible"]
    assert any("delivered 0 times" in v for v in r.json()["violations"])


def test_vrp_and_cars_jobs_cannot_be_replanned(client, jobs):
    for kind in ("vrp", "cars"):
        r = client.post(f"/plans/{jobs[kind]['id']}/events", json={"time_h": 1, "events": {}})
        assert r.status_code == 409 and "not a plan" in r.json()["detail"]


@pytest.mark.slow  # ~15 s: the basemaps of two extents; fast siblings: the pages from Python
# (tests/routing/test_route_pages.py) and the 409 of an evaluation's page below
def test_vrp_and_cars_jobs_serve_their_pages(client, jobs):
    for kind, entity in (("vrp", "vehicle"), ("cars", "carrier")):
        r = client.get(f"/jobs/{jobs[kind]['id']}/page")
        assert r.status_code == 200 and f'"entity":"{entity}"' in r.text


def test_an_evaluation_job_returns_a_row_per_episode_and_a_summary(client, jobs):
    job = jobs["evaluation"]
    assert job["status"] == "done" and job["kind"] == "evaluation", job["error"]
    rows = job["result"]["rows"]
    assert sorted((r["policy"], r["seed"]) for r in rows) == [
        ("greedy", 0), ("greedy", 1), ("hindsight", 0), ("hindsight", 1)]
    assert all(r["cost"] >= r["bound"] - 1e-6 for r in rows)
    assert {s["policy"] for s in job["result"]["summary"]} == {"greedy", "hindsight"}
    assert "greedy" in job["result"]["table"]
    progress = job["progress"]  # episodes done of the total, as the worker counted them
    assert progress["phase"] == "episodes" and progress["done"] == progress["total"] == 4


def test_an_evaluation_job_serves_the_episode_page_of_one_of_its_seeds(client, jobs, tmp_path):
    job = jobs["evaluation"]
    r = client.get(f"/jobs/{job['id']}/page?seed=1")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "tiny-storm, seed 1, greedy: episode" in r.text and '"cell":"gulf-storm"' in r.text
    assert client.get(f"/jobs/{job['id']}/page?seed=1").text == r.text  # kept on disk
    (tmp_path / "episode.html").write_text(r.text, encoding="utf-8")
    for query, loc in (("seed=2", "seed"), ("policy=random", "policy"), ("seed=x", "seed")):
        r = client.get(f"/jobs/{job['id']}/page?{query}")
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", loc], r.text
    r = client.get(f"/jobs/{jobs['plan']['id']}/page?seed=0")  # a plan has no seeds
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "seed"]


@pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")
def test_chromium_offline_moves_the_storm_on_an_evaluations_episode_page(client, jobs, tmp_path):
    job = jobs["evaluation"]
    r = client.get(f"/jobs/{job['id']}/page")  # the first seed (0), the first policy
    assert r.status_code == 200 and "tiny-storm, seed 0, greedy: episode" in r.text
    path = tmp_path / "episode-0-greedy.html"
    path.write_text(r.text, encoding="utf-8")
    check_storm_slider(path, at_h=30, later_h=50, end_h=62,
                       screenshot=tmp_path / "evaluation-episode-h30.png")


@pytest.mark.parametrize(("path", "body", "loc"), [
    ("/vrp", {"scenario": "tiny"}, ["body", "scenario", "fleet"]),
    ("/vrp", {"scenario": "liuzhou-milkrun", "options": {"engine": "magic"}},
     ["body", "options", "engine"]),
    ("/vrp", {"scenario": "liuzhou-milkrun", "time_limit_s": 61}, ["body", "time_limit_s"]),
    ("/cars", {"scenario": "tiny"}, ["body", "scenario", "vehicle_orders"]),
    ("/cars", {"scenario": "liuzhou-cars", "options": {"split": "maybe"}},
     ["body", "options", "split"]),
    ("/evaluations", {"scenario": "tiny", "policies": ["oracle"], "seeds": [0]},
     ["body", "policies[0]"]),
    ("/evaluations", {"scenario": "tiny", "policies": ["greedy", "ppo"], "seeds": [0]},
     ["body", "policies[1]"]),
    ("/evaluations", {"scenario": "tiny", "policies": ["greedy"], "seeds": list(range(7))},
     ["body", "seeds"]),  # 14 episodes with the bound: over 12
    ("/evaluations", {"scenario": "tiny", "policies": ["greedy"], "seeds": [0, 0]},
     ["body", "seeds"]),
    ("/evaluations", {"scenario": "tiny", "policies": [], "seeds": [0]}, ["body", "policies"]),
    ("/evaluations", {"scenario": "liuzhou-asean", "policies": ["maskable-ppo"],
                      "seeds": [100000]}, ["body", "seeds"]),  # a validation seed of the model
    ("/check/vrp", {"scenario": "liuzhou-milkrun", "solution": {"routes": "1 2 3"}},
     ["body", "solution", "routes"]),
    ("/check/cars", {"scenario": "liuzhou-cars", "plan": {"routes": [{"stops": []}]}},
     ["body", "plan", "routes[0]", "carrier_type"]),
    ("/check/cars", {"scenario": "tiny", "plan": {"routes": []}},
     ["body", "scenario", "vehicle_orders"]),
])
def test_bad_input_is_a_422_naming_the_field(client, path, body, loc):
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == loc


#: QZ-HPH-sea closed for the whole horizon: S1's planned sea leg (h 30 -> 89) is gone.
CLOSED = {"time_h": 10, "events": {"closures": [{"link": "QZ-HPH-sea", "from_h": 0, "to_h": 200}]}}


def test_a_policy_replans_a_live_plan_with_the_mips_response_shape(client, jobs):
    plan_id = jobs["plan"]["id"]
    mip = client.post(f"/plans/{plan_id}/events", json=CLOSED)
    greedy = client.post(f"/plans/{plan_id}/events?policy=greedy", json=CLOSED)
    assert mip.status_code == greedy.status_code == 202
    mip, greedy = (wait(client, r.json()["id"])["result"] for r in (mip, greedy))
    assert set(mip) <= set(greedy) and greedy["policy"] == "greedy"
    assert greedy["check"]["feasible"]
    # S1 no longer sails: both move it by road; nothing sunk before h 10 changed
    for res in (mip, greedy):
        s1 = next(c for c in res["changes"] if c["shipment"] == "S1")
        assert s1["before"]["links"] == ["QZ-HPH-sea"] and "QZ-HPH-sea" not in s1["after"]["links"]
    assert greedy["sunk_objective"] == pytest.approx(mip["sunk_objective"])
    assert greedy["objective_after"] == pytest.approx(
        sum(it["objective_cny"] for it in greedy["plan"]["itineraries"]))


@pytest.mark.parametrize(("policy", "msg"), [
    ("oracle", "unknown policy"), ("hindsight", "sees the future"),
    ("ppo", "no shipped model"),
])
def test_a_policy_that_cannot_run_live_is_a_422_on_the_query(client, jobs, policy, msg):
    r = client.post(f"/plans/{jobs['plan']['id']}/events?policy={policy}", json=CLOSED)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "policy"]
    assert msg in r.json()["detail"][0]["msg"]


@pytest.mark.slow  # ~25 s: a liuzhou-asean plan, torch and the model, an episode;
# fast sibling: the greedy re-plan above
def test_the_shipped_model_replans_a_live_plan(client):
    r = client.post("/plans", json={"scenario": "liuzhou-asean", "time_limit_s": 30})
    plan = wait(client, r.json()["id"], timeout_s=120)
    body = {"time_h": 30, "events": {"closures": [{"link": "QZ-HPH-sea", "from_h": 0, "to_h": 300}]}}
    r = client.post(f"/plans/{plan['id']}/events?policy=maskable-ppo", json=body)
    assert r.status_code == 202, r.text
    res = wait(client, r.json()["id"], timeout_s=180)["result"]
    assert res["model"] == "liuzhou-asean.zip" and res["check"]["feasible"]
    assert any("QZ-HPH-sea" in c["before"]["links"] and "QZ-HPH-sea" not in c["after"]["links"]
               for c in res["changes"])


@pytest.mark.parametrize("path", ["/vrp", "/cars", "/evaluations", "/check/vrp", "/check/cars",
                                  "/plans/{plan}/events?policy=greedy"])
def test_every_hostile_body_is_a_4xx_on_the_new_endpoints(client, jobs, path):
    from mmroute.serve.loadtest import HOSTILE

    url = path.format(plan=jobs["plan"]["id"])
    for body in HOSTILE:
        r = client.post(url, content=body, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500, (url, body[:60], r.status_code)


@pytest.mark.parametrize(("key", "value"), [
    ("roads", {"file": "/etc/passwd"}), ("geometry_file", "/etc/hostname"),
    ("links_files", ["/etc/hostname"]),
])
@pytest.mark.parametrize("path", ["/plans", "/cars", "/check/plan"])
def test_bug_a_scenario_document_cannot_make_the_service_read_its_files(client, key, value, path):
    """A document's roads.file, geometry_file or links_files was read from the service's
    disk (and its parse error quoted the file)."""
    from mmroute.scenarios import load

    doc = load("tiny").to_dict()
    doc[key] = value
    body = {"scenario": doc, **({"plan": {}} if path == "/check/plan" else {})}
    r = client.post(path, json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "scenario", key]
    assert "may not name files" in r.json()["detail"][0]["msg"]

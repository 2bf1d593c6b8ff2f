"""The HTTP API of ``mmroute serve`` (FastAPI): plan, VRP, cars and evaluation jobs, their
status, result and page, and the independent checkers.

=======================  ================================================================
``POST /plans``          ``{"scenario": NAME | DOCUMENT, "time_limit_s", "seed", "options"}``
                         -> 202 ``{"id", "status"}``; 422 naming the field; 429 when
                         ``max_jobs`` are queued or running
``GET /jobs/{id}``       status (queued | running | done | failed | cancelled), progress
                         (the solver's phase, best objective and bound so far, episodes
                         done of the total), objective, bound, the solver's status, the
                         result (plan, summary, check)
``DELETE /jobs/{id}``    stops the job (a running solve within a second) -> its record
``POST /plans/{id}/events``  ``{"time_h", "events": KnownEvents, "time_limit_s", "seed"}``: a
                         re-plan job of a finished plan from the state at ``time_h`` (what
                         is sunk stays sunk); its result lists the itineraries that changed
                         with the cost and CO2 difference; ``?policy=NAME``: a registered
                         policy (an OR baseline, or the shipped model) chooses each
                         consignment's next move from ``time_h`` on instead of the MIP
``POST /vrp``            ``{"scenario" (with a fleet), "time_limit_s", "seed", "options":
                         {"engine", "max_iterations", "exact"}}`` -> 202, a VRP job
``POST /cars``           ``{"scenario" (with vehicle_orders), ..., "options": {"split"}}``
``POST /evaluations``    ``{"scenario", "policies", "seeds", "time_limit_s",
                         "decision_budget_s"}``: rows per episode and the summary; at most
                         ``max_episodes`` episodes (the hindsight bound included)
``GET /jobs/{id}/page``  the interactive page of a finished plan, VRP or cars job; of an
                         evaluation the episode page (time slider) of ``?seed=`` and
                         ``?policy=`` (default: its first of each)
``POST /check/plan``     ``{"scenario", "plan"}`` -> the checker's verdict
``POST /check/vrp``      ``{"scenario", "solution"}``; ``POST /check/cars`` ``{"scenario", "plan"}``
``GET /health``          ``{"status": "ok", "jobs": counts per status}``
``GET /docs``            OpenAPI (``/openapi.json``)
=======================  ================================================================

``scenario`` is a bundled scenario's name (never a path: a client cannot make the service
read its files) or a scenario document (the YAML file's content as JSON), validated as the
loader validates a file. Bodies over ``max_body_bytes`` get 413.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from mmroute.errors import InputError
from mmroute.serve.jobs import JobStore, LimitError
from mmroute.serve.worker import verdict

__all__ = ["ServeParams", "create_app"]


@dataclass(frozen=True, kw_only=True)
class ServeParams:
    """Settings of the service: ``data_dir`` holds the jobs (kept across restarts);
    ``workers`` solves at once (each in its own process); ``max_jobs`` queued or running;
    ``max_time_limit_s`` of one solve; ``max_body_bytes`` of a request body;
    ``max_episodes`` of one evaluation (seeds x policies, the hindsight bound included);
    ``max_page_s`` to draw a job's page (an evaluation's episode runs again)."""

    data_dir: Path
    workers: int = 2
    max_jobs: int = 20
    max_time_limit_s: float = 600.0
    max_body_bytes: int = 4 * 1024 * 1024
    max_episodes: int = 200
    max_page_s: float = 600.0


#: a bundled scenario's name, or a scenario document (the YAML file's content as JSON)
ScenarioRef = str | dict[str, Any]
#: a solver's wall-clock time limit (s)
TimeLimitS = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
#: a solver's random seed
Seed = Annotated[int, Field(ge=0, lt=2**31)]


class _Body(BaseModel):
    """A request body: a field it does not define is refused (422)."""

    model_config = ConfigDict(extra="forbid")


class PlanOptions(_Body):
    """Options of a plan solve (as ``mmroute plan``'s flags)."""

    splittable: bool = False
    co2_price: float | None = Field(default=None, ge=0.0, le=1e9, allow_inf_nan=False)
    solver: Literal["highs", "scip"] = "highs"


class _SolveRequest(_Body):
    """A solve job's body: the scenario, the solver's time limit and seed (each kind's
    subclass adds its ``options`` and its own default time limit)."""

    scenario: ScenarioRef
    time_limit_s: TimeLimitS
    seed: Seed = 0


class PlanRequest(_SolveRequest):
    """A multimodal plan job."""

    scenario: ScenarioRef = Field(
        description="a bundled scenario's name, or a scenario document (JSON)")
    time_limit_s: TimeLimitS = Field(default=60.0, description="solver time limit (s)")
    seed: Seed = Field(default=0, description="solver random seed")
    options: PlanOptions = Field(default_factory=PlanOptions)


class EventsRequest(_Body):
    """What just became known (KnownEvents: closures, delays, slowdowns, node_delays, ...) and
    the current time (h from the scenario's start): re-plan from the state at that time."""

    time_h: float = Field(ge=0.0, le=1e6, allow_inf_nan=False)
    events: dict[str, Any] = Field(default_factory=dict)
    time_limit_s: TimeLimitS = 30.0
    seed: Seed = 0


class VRPOptions(_Body):
    """Options of a VRP solve (as ``mmroute vrp solve``'s flags)."""

    engine: Literal["auto", "ortools", "pyvrp"] = "auto"
    max_iterations: int | None = Field(default=None, ge=1, le=10**8)
    exact: bool = False


class VRPRequest(_SolveRequest):
    """Routes of a scenario's fleet (milk-runs: vehicles, customers, windows)."""

    scenario: ScenarioRef = Field(
        description="a bundled scenario's name, or a scenario document with a fleet section")
    time_limit_s: TimeLimitS = 10.0
    options: VRPOptions = Field(default_factory=VRPOptions)


class CarsOptions(_Body):
    """Options of a cars solve (as ``mmroute cars solve``'s flags)."""

    split: bool = False


class CarsRequest(_SolveRequest):
    """Auto-carrier routes and loads of a scenario's vehicle orders."""

    scenario: ScenarioRef = Field(
        description="a bundled scenario's name, or a scenario document with vehicle_orders")
    time_limit_s: TimeLimitS = 30.0
    options: CarsOptions = Field(default_factory=CarsOptions)


class EvaluationRequest(_Body):
    """Policies on seeded episodes (as ``mmroute evaluate``): the hindsight bound always runs;
    a learned policy (``ppo``, ``maskable-ppo``) uses the scenario's shipped model."""

    scenario: ScenarioRef
    policies: list[str] = Field(min_length=1, max_length=16)
    seeds: list[int] = Field(min_length=1, max_length=1000)
    time_limit_s: TimeLimitS = Field(default=10.0,
                                     description="time limit of each MIP solve in an episode (s)")
    decision_budget_s: float | None = Field(default=None, gt=0.0, le=3600.0, allow_inf_nan=False)


class JobProgress(BaseModel):
    """What a job's worker last reported (``progress.json``, written atomically as it goes)."""

    phase: str = Field(description=(
        "start; a plan's solver: network (the time-expanded network), incumbent (greedy plan "
        "and arc elimination), model (building the MIP), presolve, mip (branch and bound), "
        "extract (reading and checking the itineraries); policy (a policy continues a live "
        "plan); episodes (an evaluation); solve (VRP, cars); check (the independent checker)"))
    elapsed_s: float = Field(description="seconds since the worker started")
    time_limit_s: float | None = Field(default=None, description="the job's time limit (s)")
    objective: float | None = Field(default=None, description=(
        "the best plan's objective so far (CNY for plans: the incumbent's, then HiGHS's best "
        "solution; null before there is one)"))
    bound: float | None = Field(default=None, description=(
        "the best lower bound on the optimum so far (arc elimination's, then HiGHS's best "
        "bound; null before there is one)"))
    done: int | None = Field(default=None, description="episodes finished (evaluations)")
    total: int | None = Field(default=None, description="episodes in all (evaluations)")
    updated: float = Field(description="when it was written (Unix time, s)")


class Job(BaseModel):
    """A job's record: its status and progress, and its result once done."""

    id: str
    kind: Literal["plan", "replan", "vrp", "cars", "evaluation"]
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    scenario: str | None = Field(default=None, description="the scenario's name")
    created: float = Field(description="Unix time (s)")
    started: float | None = None
    finished: float | None = None
    error: str | None = Field(default=None, description="why it failed")
    pid: int | None = Field(default=None, description="its worker process")
    exit_code: int | None = Field(default=None, description=(
        "its worker's exit code (143: stopped by DELETE)"))
    progress: JobProgress | None = Field(default=None, description="null while queued")
    objective: float | None = Field(default=None, description="the result's objective (done jobs)")
    bound: float | None = Field(default=None, description="the result's lower bound (done jobs)")
    solver_status: str | None = Field(default=None, description=(
        "optimal, feasible, timeout ... (done jobs)"))
    result: dict[str, Any] | None = Field(default=None, description=(
        "plan / solution / rows, summary, check"))


class CheckVRPRequest(_Body):
    """A VRP solution (``mmroute vrp solve``'s JSON) to check against a scenario's fleet."""

    scenario: ScenarioRef
    solution: dict[str, Any]


class CheckCarsRequest(_Body):
    """A cars plan (``mmroute cars solve``'s JSON) to check against a scenario."""

    scenario: ScenarioRef
    plan: dict[str, Any]


class CheckPlanRequest(_Body):
    """A plan to check against a scenario."""

    scenario: ScenarioRef
    plan: dict[str, Any]


def create_app(params: ServeParams) -> FastAPI:
    """The service's app; its jobs live under ``params.data_dir``."""
    store = JobStore(params.data_dir, workers=params.workers, max_jobs=params.max_jobs)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        store.close()

    app = FastAPI(title="mmroute", lifespan=lifespan,
                  description="Multimodal freight plans: solve, check, follow, view.")
    app.state.store = store
    app.state.params = params
    app.add_middleware(_BodyLimit, limit=params.max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # the offending input is not echoed: it may be NaN (not JSON) or megabytes long
        return JSONResponse(status_code=422, content={"detail": [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
             "type": str(e.get("type", "value_error"))} for e in exc.errors()[:20]]})

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        return _unprocessable(["body", *(exc.field or "").split(".")], exc.reason)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "jobs": store.counts()}

    def limit(time_limit_s: float) -> None:
        if time_limit_s > params.max_time_limit_s:
            raise InputError(f"at most {params.max_time_limit_s:g} s on this service",
                             field="time_limit_s")

    def submit(kind: str, request: dict[str, Any], scenario: Any) -> dict[str, str]:
        try:
            job_id = store.submit(kind, request, scenario.to_dict())
        except LimitError as exc:
            raise HTTPException(429, str(exc)) from None
        return {"id": job_id, "status": "queued"}

    def submit_solve(kind: str, body: PlanRequest | VRPRequest | CarsRequest,
                     problem: Callable[[Any], Any] | None = None) -> dict[str, str]:
        """A solve job of ``body``; ``problem`` builds the kind's problem of the scenario
        first, so that one it cannot solve is refused now (422)."""
        limit(body.time_limit_s)
        scenario = _scenario(body.scenario, "scenario")
        if problem is not None:
            problem(scenario)
        return submit(kind, {"time_limit_s": body.time_limit_s, "seed": body.seed,
                             "options": body.options.model_dump()}, scenario)

    @app.post("/plans", status_code=202)
    def post_plan(body: PlanRequest) -> dict[str, str]:
        return submit_solve("plan", body)

    @app.post("/vrp", status_code=202)
    def post_vrp(body: VRPRequest) -> dict[str, str]:
        # a scenario without a fleet, or unreachable stops: 422 now
        return submit_solve("vrp", body, _vrp_problem)

    @app.post("/cars", status_code=202)
    def post_cars(body: CarsRequest) -> dict[str, str]:
        return submit_solve("cars", body, _cars_problem)

    @app.post("/evaluations", status_code=202)
    def post_evaluation(body: EvaluationRequest) -> dict[str, str]:
        limit(body.time_limit_s)
        scenario = _scenario(body.scenario, "scenario")
        policies = _evaluation_policies(scenario, body.policies, body.seeds)
        if len(set(body.seeds)) != len(body.seeds):
            raise InputError("a seed is listed twice", field="seeds")
        if any(not 0 <= s < 2**31 for s in body.seeds):
            raise InputError("seeds are in [0, 2**31)", field="seeds")
        episodes = len(body.seeds) * len(policies)
        if episodes > params.max_episodes:
            raise InputError(f"{episodes} episodes (seeds x policies with the hindsight bound); "
                             f"at most {params.max_episodes} on this service", field="seeds")
        return submit("evaluation", {"time_limit_s": body.time_limit_s, "seed": 0,
                                     "policies": body.policies, "seeds": body.seeds,
                                     "decision_budget_s": body.decision_budget_s}, scenario)

    @app.post("/plans/{job_id}/events", status_code=202, response_model=None)
    def post_events(job_id: str, body: EventsRequest,
                    policy: str | None = Query(default=None, max_length=40, description=(
                        "a registered policy (an OR baseline, or ppo / maskable-ppo with the "
                        "scenario's shipped model) that chooses each consignment's next move "
                        "from time_h on; none: the MIP re-plans"))
                    ) -> dict[str, str] | JSONResponse:
        record = store.get(job_id)
        if record is None:
            raise HTTPException(404, f"no job {job_id!r}")
        if record["kind"] not in ("plan", "replan"):
            raise HTTPException(409, f"job {job_id} is a {record['kind']} job, not a plan")
        if record["status"] != "done":
            raise HTTPException(409, f"job {job_id} is {record['status']}: nothing to re-plan")
        if body.time_limit_s > params.max_time_limit_s:
            raise InputError(f"at most {params.max_time_limit_s:g} s on this service",
                             field="time_limit_s")
        plan = record["result"]["plan"]
        if plan.get("splittable"):
            raise InputError("a splittable plan cannot be re-planned", field="plan")
        doc = json.loads((store.job_folder(job_id) / "scenario.json").read_text(encoding="utf-8"))
        _check_events(body.events, doc)
        if body.time_h > doc["horizon_h"]:
            raise InputError(f"after the horizon ({doc['horizon_h']:g} h)", field="time_h")
        if policy is not None:
            try:
                _live_policy(doc, policy)
            except InputError as exc:
                return _unprocessable(["query", "policy"], exc.reason)
        request = {"time_limit_s": body.time_limit_s, "seed": body.seed, "time_h": body.time_h,
                   "events": body.events, "plan": plan, "parent": job_id, "policy": policy}
        try:
            new_id = store.submit("replan", request, doc)
        except LimitError as exc:
            raise HTTPException(429, str(exc)) from None
        return {"id": new_id, "status": "queued"}

    @app.get("/jobs/{job_id}", response_model=Job)
    def get_job(job_id: str) -> dict[str, Any]:
        record = store.get(job_id)
        if record is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return record

    @app.delete("/jobs/{job_id}", response_model=Job)
    def delete_job(job_id: str) -> dict[str, Any]:
        record = store.cancel(job_id)
        if record is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return record

    @app.get("/jobs/{job_id}/page", response_class=HTMLResponse, response_model=None)
    def job_page(job_id: str,
                 seed: int | None = Query(default=None, ge=0, lt=2**31, description=(
                     "an evaluation's seed (one it evaluated; default: its first)")),
                 policy: str | None = Query(default=None, max_length=40, description=(
                     "an evaluation's policy (one it evaluated, the hindsight bound "
                     "included; default: its first)"))) -> HTMLResponse | JSONResponse:
        record = store.get(job_id)
        if record is None:
            raise HTTPException(404, f"no job {job_id!r}")
        if record["status"] != "done":
            raise HTTPException(409, f"job {job_id} is {record['status']}: no page yet")
        folder = store.job_folder(job_id)
        if record["kind"] == "evaluation":
            return _episode_page(store, folder, seed, policy, params.max_page_s)
        for name, value in (("seed", seed), ("policy", policy)):
            if value is not None:
                return _unprocessable(["query", name], "only for an evaluation job's page")
        return _page(store, folder, params.max_page_s)

    @app.post("/check/plan")
    def check_plan_endpoint(body: CheckPlanRequest) -> dict[str, Any]:
        from mmroute.world.check import check_plan
        from mmroute.world.plan import Plan

        scenario = _scenario(body.scenario, "scenario")
        try:
            plan = Plan.from_dict(body.plan)
        except InputError as exc:
            raise InputError(exc.reason, field="plan") from None
        except Exception as exc:  # noqa: BLE001 - any malformed plan is the client's
            raise InputError(f"not a plan ({type(exc).__name__})", field="plan") from None
        return verdict(check_plan(scenario, plan))

    @app.post("/check/vrp")
    def check_vrp_endpoint(body: CheckVRPRequest) -> dict[str, Any]:
        from mmroute.routing.vrp.check import check_vrp
        from mmroute.routing.vrp.solution import VRPSolution

        problem = _vrp_problem(_scenario(body.scenario, "scenario"))
        solution = _parse(VRPSolution.from_dict, body.solution, "solution")
        return verdict(check_vrp(problem, solution))

    @app.post("/check/cars")
    def check_cars_endpoint(body: CheckCarsRequest) -> dict[str, Any]:
        from mmroute.routing.cars import CarsPlan, check_cars_plan

        problem = _cars_problem(_scenario(body.scenario, "scenario"))
        plan = _parse(CarsPlan.from_dict, body.plan, "plan")
        return verdict(check_cars_plan(problem, plan))

    return app


def _parse(reader: Any, data: dict[str, Any], field: str) -> Any:
    """``reader(data)`` (a ``from_dict``), its :class:`InputError` named under ``field``."""
    try:
        return reader(data)
    except InputError as exc:
        raise InputError(exc.reason, field=f"{field}.{exc.field}" if exc.field else field) from None
    except Exception as exc:  # noqa: BLE001 - any malformed document is the client's
        raise InputError(f"not a {field} ({type(exc).__name__})", field=field) from None


def _vrp_problem(scenario: Any) -> Any:
    """The VRP of the scenario's fleet (:class:`InputError` under ``scenario``: 422)."""
    from mmroute.routing.vrp.scenario import from_scenario_fleet

    try:
        return from_scenario_fleet(scenario)
    except InputError as exc:
        raise InputError(exc.reason, field=f"scenario.{exc.field}" if exc.field else "scenario") from None


def _cars_problem(scenario: Any) -> Any:
    """The cars problem of the scenario's vehicle orders (:class:`InputError`: 422)."""
    from mmroute.routing.cars import CarsProblem

    try:
        return CarsProblem.from_scenario(scenario)
    except InputError as exc:
        raise InputError(exc.reason, field=f"scenario.{exc.field}" if exc.field else "scenario") from None


def _evaluation_policies(scenario: Any, policies: list[str], seeds: list[int]) -> list[str]:
    """The policies an evaluation runs (the hindsight bound added), each registered; a learned
    one needs the scenario's shipped model and seeds it was not trained on (422 otherwise)."""
    from mmroute.agents.registry import BOUND, entry

    for k, name in enumerate(policies):
        try:
            e = entry(name)
        except InputError as exc:
            raise InputError(exc.reason, field=f"policies[{k}]") from None
        if e.learned:
            _shipped(scenario, name, f"policies[{k}]", seeds)
    return list(dict.fromkeys([*policies, BOUND]))


def _live_policy(doc: dict[str, Any], name: str) -> None:
    """:class:`InputError` unless ``name`` can choose moves in a live plan: registered, not
    clairvoyant, and a learned one with the scenario's shipped model."""
    from mmroute.agents.registry import entry

    e = entry(name)
    if e.clairvoyant:
        raise InputError(f"{name} sees the future: not a policy for a live plan", field="policy")
    if e.learned:
        from mmroute.scenarios import Scenario

        _shipped(Scenario.from_dict(doc, file="scenario"), name, "policy")


def _shipped(scenario: Any, algo: str, field: str, seeds: list[int] | None = None) -> Path:
    """The scenario's shipped model of ``algo`` (:class:`InputError` naming ``field`` if there
    is none); with ``seeds``, none of them one it was trained or selected on."""
    from mmroute.agents.model_files import check_evaluation, read_card
    from mmroute.agents.shipped import shipped_model

    model = shipped_model(scenario)
    if model is None:
        raise InputError(f"no shipped model for scenario {scenario.name!r}", field=field)
    card = read_card(model)
    if card["algo"] != algo:
        raise InputError(f"the shipped model of {scenario.name!r} is {card['algo']}, not {algo}",
                         field=field)
    if seeds is not None:
        check_evaluation(card, scenario, seeds, model=model)
    return model


#: Scenario keys that name files (:func:`mmroute.scenarios.loader.parse` reads them).
_FILE_KEYS = ("geometry_file", "links_files", "roads")


def _scenario(value: str | dict[str, Any], field: str):
    """A bundled scenario by name, or a document validated as the loader validates a file
    (:class:`InputError` naming the field: 422)."""
    from mmroute.errors import ScenarioError
    from mmroute.scenarios import Scenario, bundled_names

    if isinstance(value, str):
        if value not in bundled_names():
            raise InputError(f"unknown scenario {value!r}, expected a document or one of "
                             f"{', '.join(bundled_names())}", field=field)
        return _bundled(value)
    for key in _FILE_KEYS:  # the loader would read them from the service's disk
        if isinstance(value, dict) and value.get(key) is not None:
            raise InputError("a scenario document may not name files on the service "
                             "(inline the links and their geometry)", field=f"{field}.{key}")
    try:
        return Scenario.from_dict(value, file="scenario")
    except ScenarioError as exc:
        raise InputError(exc.reason, field=f"{field}.{exc.field}" if exc.field else field) from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise InputError(f"not a scenario document ({type(exc).__name__})", field=field) from None


def _check_events(events: dict[str, Any], doc: dict[str, Any]) -> None:
    """The same validation as ``mmroute plan --events``, then against the plan's scenario
    ``doc`` (links, nodes, windows: :meth:`KnownEvents.validate`); :class:`InputError`
    naming the field under ``events``."""
    from mmroute.cli.plan import _check_events as check
    from mmroute.scenarios import Scenario
    from mmroute.world.events import KnownEvents

    try:
        check(events, "events")
        known = KnownEvents.from_dict(events)
    except InputError as exc:
        raise InputError(exc.reason, field=f"events.{exc.field}" if exc.field else "events") from None
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        raise InputError(f"malformed events ({type(exc).__name__})", field="events") from None
    known.validate(Scenario.from_dict(doc, file="scenario"))  # fields named events.<kind>[i]


@functools.lru_cache(maxsize=16)
def _bundled(name: str):
    """A bundled scenario, read once (a Scenario is frozen: requests share it)."""
    from mmroute.scenarios import load

    return load(name)


def _page(store: JobStore, folder: Path, timeout_s: float) -> HTMLResponse:
    """A finished plan, VRP or cars job's page: drawn once in a worker process of its own
    (:func:`mmroute.serve.worker.run_page`: a crash there never takes the service down) and
    kept as ``page.html``."""
    from mmroute.serve.worker import run_page

    return _drawn(store, folder / "page.html", run_page, (str(folder),), timeout_s)


def _drawn(store: JobStore, path: Path, target: Any, args: tuple, timeout_s: float) -> HTMLResponse:
    """The page at ``path``, drawn first by ``target(*args)`` in a worker process if it is
    not there yet (503 past ``timeout_s``; exit code 2: 409, the episode does not repeat;
    3: 500, it did not pass the checker)."""
    if not path.exists():
        code = store.run_aside(target, args, timeout_s=timeout_s)
        if code is None:
            raise HTTPException(503, f"the page took over {timeout_s:g} s to draw")
        if code == 2:
            raise HTTPException(409, "the episode does not repeat (its decision budget ran "
                                     "out): no page")
        if code == 3:
            raise HTTPException(500, "the episode did not pass the independent checker: no page")
        if not path.exists():
            raise HTTPException(500, f"the page's worker ended with exit code {code}")
    return HTMLResponse(path.read_text(encoding="utf-8"))


def _episode_page(store: JobStore, folder: Path, seed: int | None, policy: str | None,
                  timeout_s: float) -> HTMLResponse | JSONResponse:
    """An evaluation job's episode page (``seed`` and ``policy`` among those it evaluated;
    default its first of each): drawn once in a worker process of its own
    (:func:`mmroute.serve.worker.run_episode_page`) and kept in the job's folder."""
    from mmroute.agents.registry import BOUND
    from mmroute.serve.worker import episode_page_name, run_episode_page

    request = json.loads((folder / "request.json").read_text(encoding="utf-8"))
    seeds, policies = request["seeds"], list(dict.fromkeys([*request["policies"], BOUND]))
    seed = seeds[0] if seed is None else seed
    policy = policies[0] if policy is None else policy
    if seed not in seeds:
        return _unprocessable(["query", "seed"], f"not one of the evaluated seeds {seeds}")
    if policy not in policies:
        return _unprocessable(["query", "policy"],
                              f"not one of the evaluated policies {', '.join(policies)}")
    return _drawn(store, folder / episode_page_name(seed, policy), run_episode_page,
                  (str(folder), seed, policy), timeout_s)


def _unprocessable(loc: list[str], msg: str) -> JSONResponse:
    loc = [p for p in loc if p]
    return JSONResponse(status_code=422, content={"detail": [
        {"loc": loc, "msg": msg, "type": "value_error"}]})


class _BodyLimit:
    """ASGI middleware: 413 for a body over ``limit`` bytes (by its Content-Length, or as it
    streams in)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = True
                if too_big:
                    await self._reject(send)
                    return
        # read the body first (at most ``limit`` bytes are held), then replay it to the app
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.limit:
                await self._reject(send)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Any) -> None:
        body = json.dumps({"detail": f"request body over {self.limit} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

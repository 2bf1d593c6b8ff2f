"""The HTTP API of ``mmroute serve`` (FastAPI): plan jobs, their status, result and page, and
the independent plan checker.

=======================  ================================================================
``POST /plans``          ``{"scenario": NAME | DOCUMENT, "time_limit_s", "seed", "options"}``
                         -> 202 ``{"id", "status"}``; 422 naming the field; 429 when
                         ``max_jobs`` are queued or running
``GET /jobs/{id}``       status (queued | running | done | failed | cancelled), objective,
                         bound, the solver's status, the result (plan, summary, check)
``DELETE /jobs/{id}``    stops the job (a running solve within a second) -> its record
``POST /plans/{id}/events``  ``{"time_h", "events": KnownEvents, "time_limit_s", "seed"}``: a
                         re-plan job of a finished plan from the state at ``time_h`` (what
                         is sunk stays sunk); its result lists the itineraries that changed
                         with the cost and CO2 difference
``GET /jobs/{id}/page``  the interactive page of a finished plan (:mod:`mmroute.world.page`)
``POST /check/plan``     ``{"scenario", "plan"}`` -> the checker's verdict
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
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from mmroute.errors import InputError
from mmroute.serve.jobs import JobStore, LimitError

__all__ = ["ServeParams", "create_app"]


@dataclass(frozen=True, kw_only=True)
class ServeParams:
    """Settings of the service: ``data_dir`` holds the jobs (kept across restarts);
    ``workers`` solves at once (each in its own process); ``max_jobs`` queued or running;
    ``max_time_limit_s`` of one solve; ``max_body_bytes`` of a request body."""

    data_dir: Path
    workers: int = 2
    max_jobs: int = 20
    max_time_limit_s: float = 600.0
    max_body_bytes: int = 4 * 1024 * 1024


class PlanOptions(BaseModel):
    """Options of a plan solve (as ``mmroute plan``'s flags)."""

    model_config = ConfigDict(extra="forbid")
    splittable: bool = False
    co2_price: float | None = Field(default=None, ge=0.0, le=1e9, allow_inf_nan=False)
    solver: Literal["highs", "scip"] = "highs"


class PlanRequest(BaseModel):
    """A multimodal plan job."""

    model_config = ConfigDict(extra="forbid")
    scenario: str | dict[str, Any] = Field(
        description="a bundled scenario's name, or a scenario document (JSON)")
    time_limit_s: float = Field(default=60.0, gt=0.0, allow_inf_nan=False,
                                description="solver time limit (s)")
    seed: int = Field(default=0, ge=0, lt=2**31, description="solver random seed")
    options: PlanOptions = Field(default_factory=PlanOptions)


class EventsRequest(BaseModel):
    """What just became known (KnownEvents: closures, delays, slowdowns, node_delays, ...) and
    the current time (h from the scenario's start): re-plan from the state at that time."""

    model_config = ConfigDict(extra="forbid")
    time_h: float = Field(ge=0.0, le=1e6, allow_inf_nan=False)
    events: dict[str, Any] = Field(default_factory=dict)
    time_limit_s: float = Field(default=30.0, gt=0.0, allow_inf_nan=False)
    seed: int = Field(default=0, ge=0, lt=2**31)


class CheckPlanRequest(BaseModel):
    """A plan to check against a scenario."""

    model_config = ConfigDict(extra="forbid")
    scenario: str | dict[str, Any]
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

    @app.post("/plans", status_code=202)
    def post_plan(body: PlanRequest) -> dict[str, str]:
        if body.time_limit_s > params.max_time_limit_s:
            raise InputError(f"at most {params.max_time_limit_s:g} s on this service",
                             field="time_limit_s")
        scenario = _scenario(body.scenario, "scenario")
        request = {"time_limit_s": body.time_limit_s, "seed": body.seed,
                   "options": body.options.model_dump()}
        try:
            job_id = store.submit("plan", request, scenario.to_dict())
        except LimitError as exc:
            raise HTTPException(429, str(exc)) from None
        return {"id": job_id, "status": "queued"}

    @app.post("/plans/{job_id}/events", status_code=202)
    def post_events(job_id: str, body: EventsRequest) -> dict[str, str]:
        record = store.get(job_id)
        if record is None:
            raise HTTPException(404, f"no job {job_id!r}")
        if record["status"] != "done":
            raise HTTPException(409, f"job {job_id} is {record['status']}: nothing to re-plan")
        if body.time_limit_s > params.max_time_limit_s:
            raise InputError(f"at most {params.max_time_limit_s:g} s on this service",
                             field="time_limit_s")
        plan = record["result"]["plan"]
        if plan.get("splittable"):
            raise InputError("a splittable plan cannot be re-planned", field="plan")
        _check_events(body.events)
        doc = json.loads((store.job_folder(job_id) / "scenario.json").read_text(encoding="utf-8"))
        if body.time_h > doc["horizon_h"]:
            raise InputError(f"after the horizon ({doc['horizon_h']:g} h)", field="time_h")
        request = {"time_limit_s": body.time_limit_s, "seed": body.seed, "time_h": body.time_h,
                   "events": body.events, "plan": plan, "parent": job_id}
        try:
            new_id = store.submit("replan", request, doc)
        except LimitError as exc:
            raise HTTPException(429, str(exc)) from None
        return {"id": new_id, "status": "queued"}

    @app.get("/jobs/{job_id}")
    def get_job(job_id: str) -> dict[str, Any]:
        record = store.get(job_id)
        if record is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return record

    @app.delete("/jobs/{job_id}")
    def delete_job(job_id: str) -> dict[str, Any]:
        record = store.cancel(job_id)
        if record is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return record

    @app.get("/jobs/{job_id}/page", response_class=HTMLResponse)
    def job_page(job_id: str) -> HTMLResponse:
        record = store.get(job_id)
        if record is None:
            raise HTTPException(404, f"no job {job_id!r}")
        if record["status"] != "done":
            raise HTTPException(409, f"job {job_id} is {record['status']}: no page yet")
        return HTMLResponse(_page(store.job_folder(job_id), record["result"]))

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
        report = check_plan(scenario, plan)
        return {"feasible": report.feasible, "objective": report.objective,
                "n_violations": report.n_violations,
                "violations": [str(v) for v in report.violations]}

    return app


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
    try:
        return Scenario.from_dict(value, file="scenario")
    except ScenarioError as exc:
        raise InputError(exc.reason, field=f"{field}.{exc.field}" if exc.field else field) from None
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError) as exc:
        raise InputError(f"not a scenario document ({type(exc).__name__})", field=field) from None


def _check_events(events: dict[str, Any]) -> None:
    """The same validation as ``mmroute plan --events`` (:class:`InputError` naming the field
    under ``events``)."""
    from mmroute.cli.plan import _check_events as check
    from mmroute.world.events import KnownEvents

    try:
        check(events, "events")
        KnownEvents.from_dict(events)
    except InputError as exc:
        raise InputError(exc.reason, field=f"events.{exc.field}" if exc.field else "events") from None
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        raise InputError(f"malformed events ({type(exc).__name__})", field="events") from None


@functools.lru_cache(maxsize=16)
def _bundled(name: str):
    """A bundled scenario, read once (a Scenario is frozen: requests share it)."""
    from mmroute.scenarios import load

    return load(name)


def _page(folder: Path, result: dict[str, Any]) -> str:
    """The job's page, rendered once and kept as ``page.html`` (written atomically)."""
    from mmroute.io import write_text_atomic
    from mmroute.scenarios import Scenario
    from mmroute.world.page import plan_page
    from mmroute.world.plan import Plan

    path = folder / "page.html"
    if path.exists():
        return path.read_text(encoding="utf-8")
    scenario = Scenario.from_dict(json.loads((folder / "scenario.json").read_text(encoding="utf-8")),
                                  file="scenario")
    page = plan_page(scenario, Plan.from_dict(result["plan"]))
    write_text_atomic(path, page)
    return str(page)


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

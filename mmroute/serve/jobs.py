"""Jobs of the service: kept on disk, each run in its own worker process.

A job is a folder ``DATA/jobs/<id>/``: ``job.json`` (its record: status, times, error; written
atomically by the service only), ``request.json`` and ``scenario.json`` (written at submit),
``result.json`` or ``error.json`` (written atomically by the worker,
:mod:`mmroute.serve.worker`), ``progress.json`` (the worker's phase, best objective and
bound so far, episodes done: :class:`~mmroute.serve.worker.ProgressFile`) and ``page.html``
once asked for. Status: ``queued`` ->
``running`` -> ``done`` | ``failed`` | ``cancelled``.

At most ``workers`` jobs run at once (the rest wait in submission order); at most
``max_jobs`` are queued or running (:class:`LimitError` beyond). A scheduler thread starts
workers and collects them. ``cancel`` stops a queued job at once and a running one by SIGTERM
(its solver's interrupter), SIGKILL after ``kill_after_s``. A new store on the same folder
(a restarted service) keeps every finished job, queues again the ones that were queued and
fails the ones that were running when the service stopped.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmroute.errors import InputError
from mmroute.io import write_json_atomic
from mmroute.serve.worker import run_job

__all__ = ["JobStore", "LimitError", "STATUSES", "FINAL"]

STATUSES = ("queued", "running", "done", "failed", "cancelled")
FINAL = ("done", "failed", "cancelled")


class LimitError(InputError):
    """Too many jobs queued or running: try again later (HTTP 429)."""


@dataclass
class _Running:
    process: Any  # multiprocessing.Process
    started: float


class JobStore:
    """The jobs under ``folder`` (created if missing); ``workers`` processes at most."""

    def __init__(self, folder: str | Path, *, workers: int = 2, max_jobs: int = 20,
                 kill_after_s: float = 0.5, poll_s: float = 0.02) -> None:
        self.folder = Path(folder) / "jobs"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.workers = workers
        self.max_jobs = max_jobs
        self.kill_after_s = kill_after_s
        self.poll_s = poll_s
        self._lock = threading.RLock()
        self._records: dict[str, dict[str, Any]] = {}
        self._queue: list[str] = []
        self._running: dict[str, _Running] = {}
        self._cancelling: set[str] = set()
        self._results: dict[str, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["mmroute.serve.worker", "mmroute.routing.plan",
                                          "mmroute.scenarios", "mmroute.world"])
        self._recover()
        self._thread = threading.Thread(target=self._loop, name="mmroute-jobs", daemon=True)
        self._thread.start()

    # --- API ------------------------------------------------------------------------------
    def submit(self, kind: str, request: dict[str, Any], scenario_doc: dict[str, Any]) -> str:
        """Queue a job; returns its id (:class:`LimitError` when ``max_jobs`` are pending)."""
        with self._lock:
            pending = len(self._queue) + len(self._running)
            if pending >= self.max_jobs:
                raise LimitError(f"{pending} jobs queued or running, the limit is {self.max_jobs}")
            job_id = uuid.uuid4().hex
            path = self.folder / job_id
            path.mkdir()
            write_json_atomic(path / "request.json", {"kind": kind, **request})
            write_json_atomic(path / "scenario.json", scenario_doc)
            record = {"id": job_id, "kind": kind, "status": "queued", "created": time.time(),
                      "started": None, "finished": None, "error": None, "pid": None,
                      "exit_code": None,
                      "scenario": scenario_doc.get("name")}
            self._save(record)
            self._queue.append(job_id)
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job's record with its progress and result (``None`` if there is no such
        job)."""
        with self._lock:
            record = self._records.get(job_id)
            if record is None:
                return None
            out = dict(record)
        result = self.result(job_id) if out["status"] == "done" else None
        out["result"] = result
        plan = (result or {}).get("plan") or (result or {}).get("solution") or {}
        out["objective"] = plan.get("objective")
        out["bound"] = plan.get("bound")
        out["solver_status"] = plan.get("status")
        out["progress"] = self.progress(job_id) if out["status"] != "queued" else None
        return out

    def progress(self, job_id: str) -> dict[str, Any] | None:
        """What the job's worker last wrote to ``progress.json`` (``None``: nothing yet)."""
        try:
            return json.loads((self.folder / job_id / "progress.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def result(self, job_id: str) -> dict[str, Any] | None:
        """The job's result (kept in memory once read: a result never changes)."""
        with self._lock:
            if job_id in self._results:
                return self._results[job_id]
        path = self.folder / job_id / "result.json"
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        with self._lock:
            if len(self._results) >= 256:
                self._results.pop(next(iter(self._results)))
            self._results[job_id] = result
        return result

    def job_folder(self, job_id: str) -> Path:
        return self.folder / job_id

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        """Stop a job: a queued one at once, a running one within ``kill_after_s`` (+ the
        time the process takes to die). A finished job stays as it is. ``None`` if unknown."""
        with self._lock:
            record = self._records.get(job_id)
            if record is None:
                return None
            if record["status"] == "queued":
                self._queue.remove(job_id)
                self._finish(record, "cancelled", None)
                return self.get(job_id)
            run = self._running.get(job_id)
            if job_id in self._cancelling:  # another cancel is stopping it (and polls it)
                return self.get(job_id)
            if run is not None:
                self._cancelling.add(job_id)
        if run is not None:
            _terminate(run.process, self.kill_after_s)
            with self._lock:
                if job_id in self._running:
                    self._running.pop(job_id)
                    self._cancelling.discard(job_id)
                    done = (self.folder / job_id / "result.json").exists()  # finished first
                    self._finish(self._records[job_id], "done" if done else "cancelled", None,
                                 run.process.exitcode)
        return self.get(job_id)

    def run_aside(self, target: Any, args: tuple, *, timeout_s: float) -> int | None:
        """Run ``target(*args)`` in a worker process of its own (outside the ``workers``
        limit: e.g. drawing a finished job's page), so that a crash there never takes the
        service down, and wait for it: its exit code, ``None`` if it was stopped after
        ``timeout_s``."""
        proc = self._ctx.Process(target=target, args=args, daemon=True)
        proc.start()
        proc.join(timeout_s)
        if proc.is_alive():
            _terminate(proc, self.kill_after_s)
            return None
        return proc.exitcode

    def counts(self) -> dict[str, int]:
        with self._lock:
            out = dict.fromkeys(STATUSES, 0)
            for r in self._records.values():
                out[r["status"]] += 1
            return out

    def close(self) -> None:
        """Stop the scheduler and every running worker (their jobs fail as interrupted)."""
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            running = list(self._running.items())
        for job_id, run in running:
            _terminate(run.process, self.kill_after_s)
            with self._lock:
                if self._running.pop(job_id, None) is not None:
                    self._finish(self._records[job_id], "failed", "the service stopped")

    # --- internals --------------------------------------------------------------------------
    def _save(self, record: dict[str, Any]) -> None:
        self._records[record["id"]] = record
        write_json_atomic(self.folder / record["id"] / "job.json", record)

    def _finish(self, record: dict[str, Any], status: str, error: str | None,
                exit_code: int | None = None) -> None:
        record = dict(record, status=status, finished=time.time(), error=error,
                      exit_code=exit_code)
        self._save(record)

    def _recover(self) -> None:
        """Read the jobs a previous service left (oldest first)."""
        found = []
        for path in self.folder.glob("*/job.json"):
            try:
                found.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue  # a folder without a whole record: its submit never finished
        for record in sorted(found, key=lambda r: r.get("created", 0.0)):
            if record.get("status") == "queued":
                self._records[record["id"]] = record
                self._queue.append(record["id"])
            elif record.get("status") == "running":
                self._records[record["id"]] = record
                self._finish(record, "failed", "interrupted: the service stopped while it ran")
            else:
                self._records[record["id"]] = record

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._collect()
            self._start()
            self._stop.wait(self.poll_s)

    def _start(self) -> None:
        with self._lock:
            while self._queue and len(self._running) < self.workers:
                job_id = self._queue.pop(0)
                proc = self._ctx.Process(target=run_job, args=(str(self.folder / job_id),),
                                         name=f"mmroute-job-{job_id[:8]}", daemon=True)
                proc.start()
                self._running[job_id] = _Running(proc, time.time())
                self._save(dict(self._records[job_id], status="running", started=time.time(),
                                pid=proc.pid))

    def _collect(self) -> None:
        with self._lock:
            # a job being cancelled is left to :meth:`cancel`, the one thread that polls its
            # process: two threads polling one forkserver process race for its exit status,
            # and the loser reads end-of-file, which multiprocessing reports as exit code 255
            ended = [(j, r) for j, r in self._running.items()
                     if j not in self._cancelling and not r.process.is_alive()]
            for job_id, run in ended:
                run.process.join()
                self._running.pop(job_id)
                path = self.folder / job_id
                record = self._records[job_id]
                code = run.process.exitcode
                if (path / "result.json").exists():
                    self._finish(record, "done", None, code)
                elif (path / "error.json").exists():
                    err = json.loads((path / "error.json").read_text(encoding="utf-8"))
                    self._finish(record, "failed", err.get("error", "error"), code)
                else:
                    self._finish(record, "failed",
                                 f"the worker process ended with exit code {code}", code)


def _terminate(process: Any, kill_after_s: float) -> None:
    """SIGTERM (the solver's interrupter stops it), SIGKILL if still alive after
    ``kill_after_s``; returns when the process has ended."""
    if process.is_alive():
        try:
            os.kill(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        process.join(kill_after_s)
        if process.is_alive():
            process.kill()
    process.join()

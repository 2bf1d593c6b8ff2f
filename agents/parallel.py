"""Where independent tasks run: in this process, in local processes, or on a Ray cluster.

Evaluation episodes are pure functions of (scenario, policy, seed), so they can run anywhere;
:func:`run_tasks` returns their results in task order whatever the backend, and the same
tasks give the same results on every backend (decision times aside).

* ``local`` — ``jobs == 1``: in this process; else a pool of ``jobs`` spawned processes.
* ``ray`` — one Ray task per item (retried up to ``max_retries`` times if its worker dies). It
  joins an already initialised Ray, or the cluster that ``RAY_ADDRESS`` names, else starts a
  local instance with ``jobs`` CPUs (and shuts it down afterwards). Ray is an optional
  dependency: ``pip install 'mmroute[ray]'``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any

from mmroute.errors import InputError
from mmroute.interrupt import stoppable
from mmroute.validate import integer

__all__ = ["BACKENDS", "check_backend", "run_tasks", "probe_address"]

BACKENDS = ("local", "ray")


def check_backend(backend: str, jobs: int) -> None:
    """:class:`InputError` naming the field unless ``backend`` is known and ``jobs`` >= 1."""
    if backend not in BACKENDS:
        raise InputError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}",
                         field="backend")
    integer(jobs, "jobs", lo=1)


def probe_address(address: str, *, timeout_s: float = 5.0) -> None:
    """:class:`InputError` unless something accepts a TCP connection at the Ray ``address``
    (``host:port`` or ``ray://host:port``; ``auto`` and ``local`` are left to Ray) within
    ``timeout_s``: Ray itself retries a dead address for minutes and floods the log."""
    import socket

    if not isinstance(address, str) or address in ("auto", "local"):
        return
    rest = address.split("://", 1)[1] if "://" in address else address
    host, sep, port = rest.rstrip("/").rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"a Ray address is host:port or ray://host:port, not {address!r}"[:200],
                         field="address")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except (OSError, UnicodeError) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else \
            (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
        raise InputError(f"no Ray cluster answers at {address} ({reason})", field="address") \
            from None


def run_tasks(fn: Callable[[Any, Any], Any], tasks: Sequence[Any], *, shared: Any = None,
              jobs: int = 1, backend: str = "local",
              progress: Callable[[int, int], None] | None = None, max_retries: int = 2,
              cpus_per_task: int = 1, show_output: bool = False) -> list[Any]:
    """``[fn(shared, t) for t in tasks]`` on ``backend`` (``fn`` must be importable by name,
    ``shared`` and the tasks picklable). ``shared`` is what every task needs (a scenario, a
    model): it is sent once to each worker process, or put once into Ray's object store,
    not with every task. ``progress(done, total)`` is called as results arrive. An exception
    of a task is raised as itself (the first to arrive). On Ray, each task reserves
    ``cpus_per_task`` CPUs, and ``show_output`` streams what tasks print to this terminal."""
    check_backend(backend, jobs)
    if backend == "ray":
        return _on_ray(fn, tasks, shared, jobs, progress, max_retries, cpus_per_task,
                       show_output)
    if jobs == 1:
        out = []
        for i, t in enumerate(tasks):
            out.append(fn(shared, t))
            if progress:
                progress(i + 1, len(tasks))
        return out
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                               initializer=_keep, initargs=(shared,))
    try:  # a signal (from the watcher thread at once) or an error ends the workers too
        with stoppable(lambda: _end_workers(pool, join=False)):
            futures = {pool.submit(_with_kept, fn, t): k for k, t in enumerate(tasks)}
            done: dict[int, Any] = {}
            for i, f in enumerate(as_completed(futures)):
                done[futures[f]] = f.result()
                if progress:
                    progress(i + 1, len(tasks))
    except BaseException:
        _end_workers(pool)
        raise
    pool.shutdown(wait=True)
    return [done[k] for k in range(len(tasks))]


def _end_workers(pool: ProcessPoolExecutor, *, join: bool = True) -> None:
    """Terminate the pool's worker processes (SIGTERM, then SIGKILL after 2 s) and shut it
    down without waiting for its tasks: no worker outlives the run (nor, with them, the
    resource tracker they keep open)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for p in procs:
        try:
            p.terminate()
        except (OSError, ValueError, AttributeError):  # already gone or closed
            pass
    if not join:
        return
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.join(2.0)
            if p.is_alive():
                p.kill()
                p.join(1.0)
        except (OSError, ValueError, AssertionError):
            pass


_KEPT: list[Any] = []  # in a worker process of the local pool: its copy of ``shared``


def _keep(shared: Any) -> None:
    _KEPT[:] = [shared]


def _with_kept(fn, task):
    return fn(_KEPT[0], task)


def _on_ray(fn, tasks, shared, jobs, progress, max_retries, cpus, show) -> list[Any]:
    try:
        import ray
    except ImportError:
        raise InputError("the ray backend needs Ray: pip install 'mmroute[ray]'",
                         field="backend") from None
    started = not ray.is_initialized()
    if started:
        address = os.environ.get("RAY_ADDRESS") or None
        if address:
            probe_address(address)  # nothing listening: one error now, not a hang
        ray.init(address=address, num_cpus=None if address else max(jobs, cpus),
                 include_dashboard=False, log_to_driver=show, logging_level="ERROR")
    try:
        remote = ray.remote(num_cpus=cpus, max_retries=max_retries)(fn)
        ref = ray.put(shared)  # once; Ray hands each task the object itself
        refs = [remote.remote(ref, t) for t in tasks]
        index = {r: k for k, r in enumerate(refs)}
        out: list[Any] = [None] * len(refs)
        pending = list(refs)
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                for r in ready:
                    try:
                        out[index[r]] = ray.get(r)
                    except ray.exceptions.RayTaskError as exc:  # the task's own exception
                        cause = getattr(exc, "cause", None)
                        raise (cause if isinstance(cause, Exception)
                               else exc.as_instanceof_cause()) from None
                if progress:
                    progress(len(refs) - len(pending), len(refs))
        except BaseException:  # an error or Ctrl-C: the other tasks stop too (on a cluster)
            for r in pending:
                ray.cancel(r, force=True)
            raise
        return out
    finally:
        if started:
            ray.shutdown()

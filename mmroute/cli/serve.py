"""``mmroute serve``: the HTTP service (:mod:`mmroute.serve`) under uvicorn."""

from __future__ import annotations

import argparse
from pathlib import Path

from mmroute.cli.types import float_in, int_in

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` command."""
    p = subparsers.add_parser(
        "serve", help="plans over HTTP (FastAPI + uvicorn; OpenAPI at /docs)",
        description="Serve the HTTP API: POST /plans, GET/DELETE /jobs/{id}, "
                    "GET /jobs/{id}/page, POST /check/plan. Jobs run in worker processes and "
                    "are kept under --data (a restart loses no finished job). Needs the "
                    "'serve' extra (pip install 'mmroute[serve]').")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int_in(0, 65535), default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int_in(1, 64), default=2, metavar="N",
                   help="solves run at once, each in its own process (default 2)")
    p.add_argument("--data", default="mmroute-service", metavar="DIR",
                   help="folder of the jobs (default ./mmroute-service)")
    p.add_argument("--max-jobs", type=int_in(1, 10_000), default=20, metavar="N",
                   help="jobs queued or running at most; more get 429 (default 20)")
    p.add_argument("--max-time-limit", type=float_in(0.0, 86_400.0, lo_open=True), default=600.0,
                   metavar="S", help="largest time_limit_s a request may ask (default 600)")
    p.add_argument("--max-body", type=int_in(1024, 1 << 30), default=4 * 1024 * 1024,
                   metavar="BYTES", help="largest request body (default 4 MiB)")
    p.add_argument("--max-episodes", type=int_in(1, 100_000), default=200, metavar="N",
                   help="episodes of one evaluation at most (seeds x policies, the hindsight "
                        "bound included; default 200)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mmroute.errors import InputError
    from mmroute.io import immediate_outputs

    try:
        import uvicorn

        from mmroute.serve import ServeParams, create_app
    except ImportError as exc:
        raise InputError(f"mmroute serve needs the 'serve' extra ({exc.name} is missing): "
                         "pip install 'mmroute[serve]'") from None
    params = ServeParams(data_dir=Path(args.data), workers=args.workers, max_jobs=args.max_jobs,
                         max_time_limit_s=args.max_time_limit, max_body_bytes=args.max_body,
                         max_episodes=args.max_episodes)
    import signal

    # uvicorn handles SIGINT/SIGTERM itself (a graceful shutdown that closes the job store):
    # the CLI's signal watcher (woken through the wakeup fd) would refuse the store's last
    # writes and end the process early, so it sleeps while the service runs; a signal then
    # ends the service gracefully with exit code 0
    wakeup = signal.set_wakeup_fd(-1)
    try:
        with immediate_outputs():  # the service writes its job files as it goes
            app = create_app(params)
            print(f"mmroute serve: http://{args.host}:{args.port} (jobs in {params.data_dir}, "
                  f"{params.workers} workers)", flush=True)
            uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        signal.set_wakeup_fd(wakeup)
    return 0

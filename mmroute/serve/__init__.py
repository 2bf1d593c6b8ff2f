"""``mmroute serve``: plans over HTTP (FastAPI + uvicorn, the ``serve`` extra).

Jobs run in worker processes (:mod:`mmroute.serve.worker`) and are kept on disk
(:mod:`mmroute.serve.jobs`); the routes are in :mod:`mmroute.serve.app`.
"""

from __future__ import annotations

from mmroute.serve.app import ServeParams, create_app
from mmroute.serve.jobs import FINAL, STATUSES, JobStore, LimitError

__all__ = ["ServeParams", "create_app", "JobStore", "LimitError", "STATUSES", "FINAL"]

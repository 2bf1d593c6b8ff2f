"""``mmroute`` commands run by :func:`mmroute.cli.main` in the test process.

A ``python -m mmroute`` subprocess imports torch, pandas, SciPy and the solvers again: 3 to 5 s
of CPU a run. In this process the command's own code runs, with the exit code and both
streams a shell would see. The entry point itself (a real subprocess) is run by the signal,
hardening and import tests.
"""

from __future__ import annotations

import subprocess

import pytest

__all__ = ["run_main"]


def run_main(capfd: pytest.CaptureFixture[str], *argv: str) -> subprocess.CompletedProcess:
    """``mmroute *argv`` in this process: its exit code (argparse's too), stdout and stderr."""
    from mmroute.cli import main

    capfd.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # --help, --version
        code = exc.code
    out, err = capfd.readouterr()
    return subprocess.CompletedProcess(["mmroute", *argv], code, out, err)

"""Loading a scenario or solving a VRP must not import torch or stable-baselines3."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "stable_baselines3", "sb3_contrib")


@pytest.mark.parametrize("module", ["mmroute", "mmroute.scenarios", "mmroute.routing"])
def test_light_imports_do_not_pull_in_torch(module):
    code = (
        f"import sys, {module}\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

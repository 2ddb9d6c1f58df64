"""Running the `callbot` command as an operator does: a subprocess with only the given
CALLBOT_* variables (a developer's own ones never leak in). A plain module, not conftest.py,
so that its name is unique across the test tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def callbot(cwd: Path, *arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run `callbot ARGUMENTS` in ``cwd`` with only the given CALLBOT_* variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CALLBOT_")}
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *arguments],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

"""CI smoke: run every benchmark once with --smoke so that none of them rots.

Figures printed here are not comparable with full runs; they only prove the scripts work.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    scripts = sorted(HERE.glob("bench_*.py"))
    for script in scripts:
        print(f"== {script.name} --smoke", flush=True)
        result = subprocess.run(
            [sys.executable, str(script), "--smoke"], timeout=900, check=False, cwd=HERE.parent
        )
        if result.returncode != 0:
            print(f"!! {script.name} exited {result.returncode}", flush=True)
            failures += 1
    print(f"benchmark smoke: {len(scripts) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

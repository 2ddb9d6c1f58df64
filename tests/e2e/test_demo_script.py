"""`callbot demo --script`: the shipped walk-through runs end to end in a subprocess.

The demo starts the UIS simulator (real clock, automatic answers), the Telegram emulator and
the real bot in one process on a fresh SQLite data directory; the transcript must show every
phase the script walks the call card through, and nothing may crash on the way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_kit import RU, fragments, head

from bot.texts import t

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "sandbox" / "demo_script.txt"
TIMEOUT_SECONDS = 240


def _run_demo(*arguments: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("CALLBOT_")
    }
    environment["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--data-dir", str(tmp_path), *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def test_demo_script_walks_the_card_through_every_phase(tmp_path: Path) -> None:
    result = _run_demo("--script", str(SCRIPT), tmp_path=tmp_path)
    transcript = result.stdout
    assert result.returncode == 0, transcript[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in transcript + result.stderr, result.stderr[-3000:]
    assert "✗" not in transcript
    # The intro hands the user the demo key; the admin step is announced.
    assert "demo-key-manager-0001" in transcript
    assert "одобрен и привязан к сотруднику 101" in transcript
    assert head("login.done_key") in transcript
    # Card phases in the order the script walks them.
    phases = [
        t(RU, f"card.phase.{phase}")
        for phase in ("dialing", "talk", "hold", "dialing_third", "consulting", "transferred")
    ]
    positions = [transcript.find(phase) for phase in phases]
    assert all(position >= 0 for position in positions), dict(zip(phases, positions, strict=True))
    assert positions == sorted(positions), dict(zip(phases, positions, strict=True))
    # Buttons are numbered, toasts are shown.
    assert f"[1] {t(RU, 'btn.hold')}" in transcript
    assert f"(toast) {t(RU, 'done.transfer')}" in transcript
    # The second call: blocked contact, then /limits and /history (audited requests).
    assert f"(toast) {t(RU, 'done.block')}" in transcript
    assert fragments("limits.full")[0] in transcript
    history = transcript[transcript.rindex("you › /history") :]
    assert "block.contact" in history
    assert "transfer.talk" in history
    assert "[демо] бот остановлен" in transcript


def test_demo_script_fails_on_a_missing_button_in_english(tmp_path: Path) -> None:
    script = tmp_path / "broken.txt"
    script.write_text("/start\n!press 99\n/help\n", encoding="utf-8")
    result = _run_demo("--lang", "en", "--script", str(script), tmp_path=tmp_path / "data")
    transcript = result.stdout
    assert result.returncode == 1, transcript[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in transcript + result.stderr, result.stderr[-3000:]
    assert "Sign in to UIS: /login" in transcript
    assert "Hello" in transcript or "Commands" in transcript
    assert "✗ broken.txt:2:" in transcript
    # The script stops at the failing line.
    assert "you › /help" not in transcript
    assert "[demo] bot stopped, audit log flushed" in transcript

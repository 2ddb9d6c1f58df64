"""`callbot demo` as a new user meets it in a terminal (or with lines piped in)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.texts import t
from sandbox.demo import HELP, TEXTS

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_SECONDS = 240


def _demo_with_piped_lines(lines: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("CALLBOT_")
    }
    environment["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--data-dir", str(tmp_path)],
        cwd=REPO,
        env=environment,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def test_a_phone_number_answering_the_bot_is_typed_not_pressed(tmp_path: Path) -> None:
    lines = [
        "/start",
        "/login",
        "!press " + t("ru", "btn.login_key"),
        "demo-key-manager-0001",
        "/call",
        # The bot asks "whom do we call?": these digits are the answer, not button 89037654321.
        "89037654321",
    ]
    result = _demo_with_piped_lines(lines, tmp_path)
    transcript = result.stdout
    assert result.returncode == 0, transcript[-3000:] + result.stderr[-3000:]
    assert "✗" not in transcript, transcript[-3000:]
    assert t("ru", "call.ask_number") in transcript
    after_number = transcript[transcript.index("you › 89037654321") :]
    # The number was taken: the first call asks which virtual number to call from.
    assert t("ru", "settings.ask_virtual_number") in after_number
    # Piped lines are echoed into the transcript, each where it was carried out.
    for line in lines:
        assert f"you › {line}" in transcript


def test_the_demo_starts_with_its_intro_not_a_production_warning(tmp_path: Path) -> None:
    result = _demo_with_piped_lines(["!quit"], tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    first_line = result.stdout.splitlines()[0]
    assert first_line == TEXTS["ru"]["intro"].splitlines()[0]
    assert result.stderr == ""
    assert (tmp_path / "callbot.key").exists()


def test_help_says_when_digits_press_a_button() -> None:
    assert "!press N" in HELP
    assert "sent as a message" in HELP

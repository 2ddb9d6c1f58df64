"""The same steps the Docker image performs, without a Docker engine: build the wheel,
install it into a fresh venv, run `callbot --help`. Plus a lint of the Dockerfile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(wheels), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("uis_callbot-*.whl")
    target = tmp_path / "venv"
    # The image installs dependencies from wheels; here they come from this venv's
    # site-packages, so no network is needed.
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(target)
    python = target / "bin" / "python"
    site_packages = next(Path(sys.prefix).glob("lib/python3*/site-packages"))
    (next(target.glob("lib/python3*/site-packages")) / "deps.pth").write_text(
        str(site_packages) + "\n"
    )
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    result = subprocess.run(
        [str(target / "bin" / "callbot"), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "usage: callbot" in result.stdout
    _sandbox_runs_from_the_installed_wheel(target, tmp_path)
    listing = subprocess.run(
        [str(python), "-m", "zipfile", "-l", str(wheel)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Data files the installed program needs at run time must ship inside the wheel.
    for needed in (
        "db/migrations/env.py",
        "db/migrations/script.py.mako",
        "sandbox/uis/data/demo_catalog.json",
        "sandbox/uis/data/reference.json",
        "sandbox/uis/data/demo_account.json",
        "sandbox/demo_script.txt",
        "bot/texts/locales/ru/card.ftl",
        "bot/texts/locales/en/card.ftl",
        "bot/texts/locales/ru/errors/explanations.ftl",
        "bot/texts/locales/en/errors/explanations.ftl",
    ):
        assert needed in listing, needed
    assert "tests/" not in listing


def _run_installed(target: Path, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("CALLBOT_")
    }
    environment["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [str(target / "bin" / arguments[0]), *arguments[1:]],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )


def _sandbox_runs_from_the_installed_wheel(target: Path, tmp_path: Path) -> None:
    """`callbot simulator`, `callbot demo` and the doubles' `python -m` entry points work from
    the wheel (run outside the checkout, so nothing is imported from the source tree), and each
    `--help` names the program the user actually typed."""
    outside = tmp_path / "outside"
    outside.mkdir()
    for arguments, usage in (
        (("callbot", "simulator", "--help"), "usage: callbot simulator"),
        (("python", "-m", "sandbox.uis", "--help"), "usage: python -m sandbox.uis"),
        (("python", "-m", "sandbox.telegram", "--help"), "usage: python -m sandbox.telegram"),
    ):
        result = _run_installed(target, *arguments, cwd=outside)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(usage), result.stdout
    script = outside / "script.txt"
    script.write_text("/start\n/help\n", encoding="utf-8")
    data_dir = outside / "data"
    demo = _run_installed(
        target, "callbot", "demo", "--lang", "en", "--data-dir", str(data_dir),
        "--script", str(script), cwd=outside,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "Traceback" not in demo.stdout + demo.stderr
    assert "you › /help" in demo.stdout
    assert "[demo] bot stopped, audit log flushed" in demo.stdout


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, "--failure-threshold", "warning", str(REPO / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_with_a_data_volume_and_healthcheck() -> None:
    text = (REPO / "Dockerfile").read_text()
    runtime = text.split("AS runtime", 1)[1]
    assert "USER 10001:10001" in runtime
    assert 'VOLUME ["/data"]' in runtime
    assert '"callbot", "health"' in runtime.split("HEALTHCHECK", 1)[1]
    assert 'CMD ["callbot", "run"]' in runtime
    for secret_variable in ("BOT_TOKEN", "PASSWORD", "ENCRYPTION_KEYS", "WEBHOOK_SECRET"):
        assert secret_variable not in text, "no secret may be baked into the image"

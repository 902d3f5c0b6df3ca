"""The built wheel, installed in a fresh virtualenv, runs from anywhere with what it ships."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from tests.support.cli import ROOT, command_env

TIMEOUT = 120


def _run(
    args: list[str | Path], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _outside_checkout(**settings: str) -> dict[str, str]:
    """No bot setting but these, and nothing that puts the checkout on the import path."""
    env = command_env(settings)
    del env["PYTHONPATH"]
    return env


def test_the_installed_wheel_checks_its_content_and_finds_its_catalogs(
    tmp_path: Path, closed_port: int
) -> None:
    env = _outside_checkout()
    dist, home, elsewhere = tmp_path / "dist", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()

    built = _run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT],
        tmp_path,
        env,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "deprecat" not in (built.stdout + built.stderr).lower(), built.stdout + built.stderr
    (wheel,) = dist.glob("pendamping_umkm-*.whl")

    # A fresh environment: the package from the wheel; its dependencies, so nothing is
    # downloaded, from this one's site-packages as a plain path (whose .pth files, among them
    # the editable install of the checkout, are not run).
    venv.create(home, with_pip=False)
    python = home / "bin" / "python"
    site = Path(
        _run(
            [python, "-c", "import site; print(site.getsitepackages()[0])"], elsewhere, env
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--no-deps",
            "--no-index",
            "--ignore-installed",
            "--quiet",
            wheel,
        ],
        elsewhere,
        env,
    )
    assert installed.returncode == 0, installed.stderr

    where = _run(
        [
            python,
            "-c",
            "import bot.content, bot.i18n; "
            "print(bot.content.DEFAULT_CONTENT_ROOT); print(bot.i18n.LOCALES_DIR)",
        ],
        elsewhere,
        env,
    )
    assert where.returncode == 0, where.stderr
    content, locales = (Path(line) for line in where.stdout.split())
    assert content.is_relative_to(site) and locales.is_relative_to(site)
    assert not str(content).startswith(str(ROOT))

    pendamping = home / "bin" / "pendamping"
    version = _run([pendamping, "--version"], elsewhere, env)
    assert version.returncode == 0
    assert version.stdout.startswith("pendamping ")
    check = _run([pendamping, "content", "check"], elsewhere, env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "content OK" in check.stdout

    # `run` builds the whole bot (content, catalogs, database) before calling Telegram, which
    # here refuses the connection: the one-line start-up error proves all of it was found.
    run = _run(
        [pendamping, "run"],
        elsewhere,
        _outside_checkout(
            TELEGRAM_BOT_TOKEN="1:installed-wheel-test-token",
            TELEGRAM_API_URL=f"http://127.0.0.1:{closed_port}/bot",
        ),
    )
    assert run.returncode == 2, run.stderr
    assert "cannot reach the Bot API" in run.stderr
    assert (elsewhere / "data" / "pendamping.db").is_file()

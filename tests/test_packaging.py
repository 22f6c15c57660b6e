"""The documentation builds strictly, the code is lint-clean, and the wheel works alone."""

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_documentation_builds_without_a_warning(tmp_path):
    """Sphinx in nitpicky mode with warnings as errors: a broken link, reference or docstring
    cross-reference fails the build."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-q",
            "-n",
            "-W",
            "--keep-going",
            "-b",
            "html",
            str(ROOT / "docs"),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_is_clean(command):
    run = subprocess.run([sys.executable, "-m", "ruff", *command, str(ROOT)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_the_wheel_alone_imports_and_runs(tmp_path):
    """`python -m build` makes a wheel and an sdist; the wheel installed into a fresh environment (its
    dependencies seen from this one, the checkout nowhere on the path) imports the three packages from
    itself and runs the command line."""
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheels = list((tmp_path / "dist").glob("*.whl"))
    assert len(wheels) == 1 and list((tmp_path / "dist").glob("*.tar.gz"))
    environment = tmp_path / "env"
    venv.create(environment, system_site_packages=True, with_pip=True)
    python = environment / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheels[0])],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import numeric, proofs, cnn_bounds; print(numeric.__file__, proofs.__file__, cnn_bounds.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
        timeout=300,
    )
    assert where.returncode == 0, where.stderr[-3000:]
    assert all(str(environment) in path for path in where.stdout.split()), where.stdout
    script = environment / "bin" / "cnn-bounds"
    for arguments in (["reproduce", "--help"], ["entropy", "--shape", "3x3", "--region", "cols:1"]):
        run = subprocess.run(
            [str(script), *arguments], capture_output=True, text=True, cwd=tmp_path, env=clean, timeout=300
        )
        assert run.returncode == 0, run.stderr[-3000:]
    assert "cols<1" in run.stdout

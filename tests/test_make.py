"""The Makefile: its header lists every target, clean keeps the set-up, distclean does not."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text("utf-8")


def test_the_header_lists_every_target() -> None:
    phony = set(re.search(r"^\.PHONY:(.*)$", MAKEFILE, re.MULTILINE).group(1).split())  # type: ignore[union-attr]
    header = set(re.findall(r"^#   make (\S+)", MAKEFILE, re.MULTILINE))
    assert phony - {"all"} == header
    defined = set(re.findall(r"^([a-z]+):", MAKEFILE, re.MULTILINE))
    assert phony <= defined


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_clean_removes_build_output_only_and_distclean_the_set_up_too() -> None:
    def dry_run(target: str) -> str:
        done = subprocess.run(["make", "-n", "--no-print-directory", target], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        return done.stdout

    clean = dry_run("clean")
    assert "site" in clean.split() and ".venv" not in clean and "node_modules" not in clean
    distclean = dry_run("distclean")
    assert ".venv" in distclean and "node_modules" in distclean and "site" in distclean.split()


def test_lint_runs_what_make_test_runs() -> None:
    lint = MAKEFILE.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    tests = (ROOT / "tests" / "test_lint.py").read_text("utf-8")
    assert "ruff check generator tests bench" in lint and "ruff" in tests
    assert "mypy" in lint and '"mypy"' in tests

"""The command line end to end, on the frozen demo and on broken copies of it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO

from generator import cli

ROOT = Path(__file__).resolve().parent.parent
CONTENT = DEMO


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
        check=False,
    )


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("check", "build"):
        assert command in result.stdout


def test_check_broken_copy_of_the_demo(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    # an article removed, a quote mistyped, a status misspelt: all three reported at once
    (content / "articles/blitz/taliban-rule-offers-safe-haven.txt").unlink()
    claim = content / "claims/lead-ig-taliban-safe-haven-al-qaeda.yaml"
    claim.write_text(claim.read_text("utf-8").replace("status: unchecked", "status: unchekced"), "utf-8")
    result = run("check", str(content), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert any(
        line.startswith("content/claims/lead-ig-taliban-safe-haven-al-qaeda.yaml:")
        and "status: expected one of" in line
        for line in lines
    )
    missing = [line for line in lines if "no article 'blitz/taliban-rule-offers-safe-haven'" in line]
    assert len(missing) >= 3  # every claim that cites the removed article says so
    assert re.fullmatch(r"\d+ problems( and \d+ warnings)? found; nothing was written\.", lines[-1])


def test_build_failure_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "site.yaml").write_text("title: [unclosed\n", "utf-8")
    out = tmp_path / "site"
    assert cli.main(["build", "--content", str(content), "--out", str(out)]) == 1
    assert not out.exists()
    assert capsys.readouterr().err.startswith("content/site.yaml:2:1: malformed YAML")


def test_timings_name_every_stage_in_order(tmp_path: Path) -> None:
    result = run("build", "--content", str(CONTENT), "--out", str(tmp_path / "site"), "--timings")
    assert result.returncode == 0, result.stderr
    table = result.stderr[result.stderr.index("stage "):].splitlines()
    rows = [line.split()[0] for line in table[1:]]
    assert rows == ["load", "validate", "assemble", "anchor", "compare", "views", "render",
                    "index", "write", "total", "other", "elapsed"]
    seconds = {line.split()[0]: float(line.split()[1]) for line in table[1:]}
    # the rows add up to the command's wall time: the stages, then the time in none of them
    assert seconds["other"] >= 0
    assert round(seconds["total"] + seconds["other"], 3) == pytest.approx(seconds["elapsed"],
                                                                          abs=0.002)
    check = run("check", str(CONTENT), "--timings")
    table = check.stderr[check.stderr.index("stage "):].splitlines()
    assert [line.split()[0] for line in table[1:]] == [
        "load", "validate", "assemble", "anchor", "compare", "total", "other", "elapsed"]
    header = table[0].split()
    assert header == ["stage", "wall", "s", "peak", "RSS", "MiB"]


@pytest.mark.parametrize("port", ["x", "70000", "-1", "8080.0", "٣"])
def test_a_bad_port_is_an_error_with_a_hint(
    port: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["serve", "--content", str(tmp_path), "--port", port]) == 1
    assert capsys.readouterr().err.splitlines() == [
        ("error: --port: expected a port number from 1 to 65535, or 0 for any free port; "
         f"got {port!r}"),
        "    Leave --port out to use 8000 (or a free port when 8000 is taken).",
    ]


@pytest.mark.parametrize("command", [["check"], ["build", "--content"], ["serve", "--content"]])
def test_a_missing_content_folder_is_an_error_with_a_hint(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    missing = str(tmp_path / "nope")
    assert cli.main([*command, missing]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"error: content folder not found: {missing}"
    assert err[1].startswith("    Run this from the project root, or ")
    (tmp_path / "file").write_text("")
    assert cli.main([*command, str(tmp_path / "file")]) == 1
    assert capsys.readouterr().err.startswith("error: content folder is not a folder: ")


def test_serve_refuses_an_out_folder_before_it_listens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    assert cli.main(["serve", "--content", str(content), "--out", str(tmp_path),
                     "--port", "0"]) == 1
    assert capsys.readouterr().err.startswith(f"error: cannot build into {tmp_path}: it holds "
                                              "the content folder ")



@pytest.mark.parametrize("program", [[sys.executable, "-m", "generator"],
                                     [str(Path(sys.executable).parent / "factcheck")]])
def test_the_program_ends_with_the_commands_code_and_all_it_printed(
    program: list[str], tmp_path: Path,
) -> None:
    """The program ends at once after the command (its objects are not freed one by one):
    its exit code and everything it printed, to a pipe, are still the command's."""
    out = tmp_path / "site"
    built = subprocess.run([*program, "build", "--timings", "--content", str(CONTENT), "--out",
                            str(out)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("built ") and built.stdout.endswith("\n")
    assert built.stderr.splitlines()[-1].startswith("elapsed ")  # printed last of all
    assert (out / "index.html").is_file()
    unknown = subprocess.run([*program, "bogus"], capture_output=True, text=True, check=False)
    assert unknown.returncode == 2 and "invalid choice: 'bogus'" in unknown.stderr
    version = subprocess.run([*program, "--version"], capture_output=True, text=True,
                             check=False)
    assert version.returncode == 0 and version.stdout.strip().endswith(cli.__version__)


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_build_with_nothing_changed_reports_the_same_warnings_as_the_build_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fmt: str,
) -> None:
    """The warnings a build with nothing changed prints come from the cache (as columns, not
    a Problem each): the same lines, limits and count as the build that found them."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    for claim in sorted((content / "claims").glob("*.yaml")):  # a long claim without `short:`
        lines = claim.read_text("utf-8").splitlines(keepends=True)
        claim.write_text("".join(line for line in lines if not line.startswith("short:")),
                         "utf-8")
    claim = content / "claims" / "aqis-close-ties-taliban.yaml"
    text = claim.read_text("utf-8")
    finding = next(line for line in text.splitlines() if line.startswith("finding: "))
    claim.write_text(text.replace(finding, finding + " More words." * 3), "utf-8")
    monkeypatch.setattr(cli, "MAX_PRINTED", 7)
    monkeypatch.setattr(cli, "MAX_PRINTED_PER_FILE", 1)
    args = ["build", "--content", str(content), "--out", str(tmp_path / "site"), "--format", fmt]
    assert cli.main(args) == 0
    first = capsys.readouterr()
    assert cli.main(args) == 0
    again = capsys.readouterr()
    assert again.out.splitlines()[-1].startswith("nothing changed")
    assert again.err == first.err
    assert "... and 1 more problem in content/claims/aqis-close-ties-taliban.yaml" in again.err
    assert re.search(r"^\.\.\. and \d+ more$", again.err, re.MULTILINE)
    assert re.search(r"^\d+ warnings \(advice", again.err, re.MULTILINE)
    annotations = [line for line in first.out.splitlines() if line.startswith("::warning ")]
    assert [line for line in again.out.splitlines() if line.startswith("::")] == annotations
    assert len(annotations) == (7 if fmt == "github" else 0)

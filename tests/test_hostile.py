"""Hostile and careless content -> `check` in a child process with its memory, CPU and wall
time limited: a located first line, exit 1 (or 0 with the expected warning), bounded output,
never a traceback. Each case is a module in tests/hostile/ that writes its tree; big files are
written at test time, never committed."""

from __future__ import annotations

import importlib
import os
import resource
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from xml.etree import ElementTree

import pytest

from generator import pipeline

HOSTILE = Path(__file__).resolve().parent / "hostile"
ROOT = HOSTILE.parent.parent
CASES = sorted(p.stem for p in HOSTILE.glob("*.py") if not p.name.startswith("_"))

MEMORY_BYTES = 1536 * 1024 * 1024
"""Address space of the child: a case that needs more fails with a MemoryError."""
CPU_SECONDS = 60
WALL_SECONDS = 180
"""Generous: the machine may be busy; a bounded case takes a second or two."""
OUTPUT_BYTES = 256 * 1024
"""What one run may print at most (200 problems, lines of 500 characters at most)."""


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def case_module(name: str) -> ModuleType:
    return importlib.import_module(f"hostile.{name}")


def run_generator(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONUTF8": "1", "PYTHONHASHSEED": "0"}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=ROOT, env=env, capture_output=True,
        timeout=WALL_SECONDS, preexec_fn=_limit_child, check=False,
    )


@pytest.mark.parametrize("name", CASES)
def test_hostile_case(name: str, tmp_path: Path) -> None:
    case = case_module(name)
    content = case.make_case(tmp_path)
    args = [arg.format(content=content, out=tmp_path / "site")
            for arg in getattr(case, "ARGS", ("check", "{content}"))]
    result = run_generator(args)
    assert len(result.stdout) + len(result.stderr) < OUTPUT_BYTES
    out = result.stdout.decode("utf-8")  # strict: nothing unprintable leaks out
    err = result.stderr.decode("utf-8")
    assert "Traceback" not in err + out
    assert "internal error" not in err + out
    assert result.returncode == getattr(case, "EXIT", 1), err[:2000]
    first = (err or out).splitlines()[0]
    assert first == case.EXPECTED
    if hasattr(case, "ANNOTATION"):
        assert out.splitlines()[0] == case.ANNOTATION
    if hasattr(case, "check_output"):
        case.check_output(out, err)


def test_every_case_says_what_it_is() -> None:
    for name in CASES:
        case = case_module(name)
        assert case.__doc__ and hasattr(case, "EXPECTED") and hasattr(case, "make_case"), name


HOSTILE_TEXT = (
    "Tom & Jerry <b>said</b> ]]> \U0001f600 \u0627\u0644\u0642\u0627\u0639\u062f\u0629 \"q\" 'a'"
)
"""Values the rules allow and XML must escape: markup, a CDATA end, an emoji, Arabic."""


def test_feed_and_sitemap_are_well_formed_xml_with_hostile_values(tmp_path: Path) -> None:
    from hostile._tree import CLAIM, OUTLET, minimal, replace

    content = minimal(tmp_path)
    quoted = HOSTILE_TEXT.replace('"', '\\"')
    replace(content, "site.yaml", "title: Test Desk", f'title: "{quoted}"')
    replace(content, "site.yaml", "base_url: https://example.org/",
            "base_url: https://example.org/a&b/%3C/")
    replace(content, CLAIM, "claim: Neither", f'claim: "{quoted} Neither')
    replace(content, CLAIM, "said.", 'said."')
    replace(content, OUTLET, "name: Daily Example", f'name: "{quoted}"')
    replace(content, CLAIM, "tags: [monitoring]",
            f'tags: [monitoring]\nupdates:\n  - date: 2099-07-01\n    kind: correction\n'
            f'    note: "{quoted}"')
    out = tmp_path / "site"
    pipeline.build(content, out)
    for name in ("feed.xml", "sitemap.xml", "corrections.xml"):
        root = ElementTree.parse(out / name).getroot()
        assert root is not None
    feed = ElementTree.parse(out / "feed.xml").getroot()
    texts = "".join(feed.itertext())
    assert HOSTILE_TEXT in texts
    corrections = "".join(ElementTree.parse(out / "corrections.xml").getroot().itertext())
    assert HOSTILE_TEXT in corrections
    locations = [e.text for e in ElementTree.parse(out / "sitemap.xml").iter() if e.text]
    assert any(str(text).startswith("https://example.org/a&b/%3C/") for text in locations)

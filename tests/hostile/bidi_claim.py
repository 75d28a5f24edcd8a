"""A right-to-left override in a claim (the "Trojan Source" trick): a warning naming the code
point, at its line and column; the run still succeeds."""

from pathlib import Path

from hostile._tree import CLAIM, minimal, replace

EXIT = 0
EXPECTED = (
    "content/claims/capability.yaml:1:22: warning: bidirectional control U+202E (RIGHT-TO-LEFT "
    "OVERRIDE): it can show the text in another order than it is written"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "could mount", "\u202ecould mount\u202c")
    return content


def check_output(out: str, err: str) -> None:
    lines = err.splitlines()
    assert lines[-1] == "2 warnings (advice: `--strict` makes warnings errors)"
    assert "\u202e" not in err  # printed escaped
    assert out.startswith("ok: 1 claims,")

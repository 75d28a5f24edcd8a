"""A billion laughs: nine levels of aliases, each ten times the last (4.9 GB)."""

from pathlib import Path

from hostile._tree import CLAIM, minimal

EXPECTED = "content/claims/capability.yaml:1:4: a YAML anchor (&a) is not allowed in content"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    (content / CLAIM).write_text("\n".join(lines) + "\nclaim: *i\n", "utf-8")
    return content

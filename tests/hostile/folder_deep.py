"""Folders nested below an outlet's folder: reported once, not walked."""

from pathlib import Path

from hostile._tree import minimal

EXPECTED = (
    "content/articles/daily-example/sub/:1:1: an article must sit at "
    "articles/<outlet>/<slug>.txt"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    deep = content / "articles/daily-example/sub"
    for level in range(200):
        deep = deep / f"d{level}"
    deep.mkdir(parents=True)
    (deep / "x.txt").write_text("---\nheadline: x\n---\nx\n", "utf-8")
    return content

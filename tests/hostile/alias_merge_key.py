"""A merge key `<<: *a` pulling keys from an anchored mapping."""

from pathlib import Path

from hostile._tree import OUTLET, minimal

EXPECTED = "content/outlets/daily-example.yaml:1:8: a YAML anchor (&base) is not allowed in content"


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    (content / OUTLET).write_text(
        "extra: &base {name: Daily Example, country: GB}\n<<: *base\n", "utf-8"
    )
    return content

"""A Python object tag (harmless to the safe loader, but never meant for content)."""

from pathlib import Path

from hostile._tree import CLAIM, minimal, replace

EXPECTED = (
    "content/claims/capability.yaml:2:9: a YAML tag (!!python/object/apply:os.system) is not "
    "allowed in content"
)


def make_case(tmp: Path) -> Path:
    content = minimal(tmp)
    replace(content, CLAIM, "status: unchecked",
            'status: !!python/object/apply:os.system ["echo hacked"]')
    return content

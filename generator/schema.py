"""A kind of content file -> its JSON Schema (draft-07), as shipped in generator/schemas/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
"""The schema files, which editors' YAML language servers read too."""

KINDS = ("site", "spellings", "entities", "outlet", "source", "article", "claim")
"""Every kind of content file that has a schema."""


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The schema of `kind` (one of KINDS), read once."""
    text = (SCHEMA_DIR / f"{kind}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


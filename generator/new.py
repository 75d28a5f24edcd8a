"""kind + name (+ article text) -> a commented scaffold file in content/, never overwriting (I/O)."""

from __future__ import annotations

import difflib
import json
import os
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import UserError
from generator.load import ID_RE

KINDS = ("claim", "article", "source", "outlet")
"""What `new` can scaffold."""

FOLDERS = {"claim": "claims", "source": "sources", "outlet": "outlets", "article": "articles"}

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

WIDTH = 92
"""Comment lines are wrapped to this width."""

INTRO = {
    "claim": (
        "A fact-check entry: one claim, its primary source and every article span that "
        "repeats it. Fill in every empty value; a commented-out key is optional (remove the "
        "`# ` to use it). See docs/editing.md."
    ),
    "source": (
        "A primary source: the document that claims go back to, and the passages that "
        "claims cite, each with its provenance. A commented-out key is optional. See "
        "docs/editing.md."
    ),
    "outlet": (
        "A news outlet. A commented-out key is optional. See docs/editing.md."
    ),
    "article": (
        "An article snapshot: this front matter, then the article text exactly as captured "
        "after the second `---` line. A commented-out key is optional. See docs/editing.md."
    ),
}


@dataclass(frozen=True, slots=True)
class Written:
    src_path: Path
    """Where the scaffold was written."""
    rel_path: str
    """The same, relative to the content folder's parent (as `check` prints it)."""
    kind: str
    id: str


def schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text("utf-8"))
    return loaded


def target_path(kind: str, name: str, content_dir: Path) -> Path:
    """Where `new KIND NAME` writes; UserError when NAME is not an id of that kind."""
    if kind not in KINDS:
        raise UserError(f"unknown kind {kind!r}", "Choose one of: " + ", ".join(KINDS) + ".")
    folder = content_dir / FOLDERS[kind]
    if kind == "article":
        parts = name.split("/")
        if len(parts) != 2:
            raise UserError(
                f"{name!r} is not an article id",
                "Write OUTLET/SLUG: the outlet's id, a slash, and a name for the article, "
                "e.g. redstate/thanks-joe.",
            )
        for part in parts:
            _check_id(part, name)
        outlet, slug = parts
        outlets = content_dir / "outlets"
        if not (outlets / f"{outlet}.yaml").is_file():
            known = sorted(p.stem for p in outlets.glob("*.yaml")) if outlets.is_dir() else []
            close = difflib.get_close_matches(outlet, known, n=1, cutoff=0.6)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            raise UserError(
                f"no outlet {outlet!r}: {_shown(outlets / f'{outlet}.yaml', content_dir)} "
                "does not exist",
                hint + f"Create the outlet first: python -m generator new outlet {outlet}",
            )
        return folder / outlet / f"{slug}.txt"
    _check_id(name, name)
    return folder / f"{name}.yaml"


def _check_id(part: str, name: str) -> None:
    if ID_RE.match(part):
        return
    import re

    fixed = re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") or "name"
    raise UserError(
        f"{part!r} is not a valid id" + (f" (in {name!r})" if part != name else ""),
        f"Ids are lower-case letters, digits and single hyphens, e.g. {fixed!r}; "
        "the id becomes the file name.",
    )


def _shown(path: Path, content_dir: Path) -> str:
    try:
        return path.resolve().relative_to(content_dir.resolve().parent).as_posix()
    except ValueError:
        return path.as_posix()


def create(kind: str, name: str, content_dir: Path, text: bytes | None = None) -> Written:
    """Write the scaffold for `kind` `name` into `content_dir`. `text` (articles only) is
    written after the front matter byte for byte. Never overwrites: UserError if the file
    exists."""
    content_dir = Path(content_dir)
    if not content_dir.is_dir():
        raise UserError(
            f"content folder not found: {content_dir}",
            "Run this from the project root, or pass --content DIR.",
        )
    if text is not None and kind != "article":
        raise UserError("--from is only for articles", "Use: python -m generator new article OUTLET/SLUG --from FILE")
    if text is not None:
        try:
            text.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = text[: exc.start].count(b"\n") + 1
            raise UserError(
                f"the article text is not valid UTF-8 (byte 0x{text[exc.start]:02x} on line {line})",
                "Save the text as UTF-8 first, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.txt`.",
            ) from None
    src_path = target_path(kind, name, content_dir)
    rel_path = _shown(src_path, content_dir)
    if src_path.exists():
        raise UserError(
            f"{rel_path} already exists; nothing was written",
            "Edit the existing file, or choose another name.",
        )
    schema_ref = Path(os.path.relpath(SCHEMA_DIR / f"{kind}.schema.json", src_path.parent)).as_posix()
    data = render_scaffold(kind, schema(kind), schema_ref).encode("utf-8")
    if kind == "article":
        data = b"---\n" + data + b"---\n" + (text or b"")
    src_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(src_path, "xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise UserError(
            f"{rel_path} already exists; nothing was written",
            "Edit the existing file, or choose another name.",
        ) from None
    return Written(src_path, rel_path, kind, name)


def render_scaffold(kind: str, root: Mapping[str, Any], schema_ref: str) -> str:
    """The scaffold's YAML: the modeline, then every property of the schema, required ones
    with empty values (which `check` reports until they are filled in), optional ones
    commented out; each under a comment taken from the schema's description."""
    lines = [f"# yaml-language-server: $schema={schema_ref}"]
    lines += _comment(INTRO[kind], "")
    lines.append("")
    required = set(root.get("required", ())) | set(root.get("then", {}).get("required", ()))
    for i, (key, prop) in enumerate(root.get("properties", {}).items()):
        if i:
            lines.append("")
        lines += _property(key, prop, key in required, "", commented=False)
    return "\n".join(lines) + "\n"


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH - len(indent) - 2, initial_indent=f"{indent}# ",
                         subsequent_indent=f"{indent}# ", break_on_hyphens=False)


def _describe(prop: Mapping[str, Any], required: bool) -> str:
    text = str(prop.get("description", "")).strip()
    enum = prop.get("enum")
    if enum and not all(str(value) in text for value in enum):
        text = (text + " " if text else "") + "One of: " + ", ".join(map(str, enum)) + "."
    if text and not text.endswith((".", ")")):
        text += "."
    if "(required" in text:
        return text
    return f"{text} ({'required' if required else 'optional'})".strip()


def _placeholder(prop: Mapping[str, Any], required: bool) -> str:
    """The value written after `key:`: `""` for required text and nothing for a required
    id (so `check` asks for each), an example of the expected form for optional keys."""
    kind = prop.get("type")
    if kind == "boolean":
        return "false" if required else "true"
    if kind == "array":
        return "[]"
    if required:  # an id's pattern starts at the start; text may have `\S` (not blank)
        return "" if str(prop.get("pattern", "")).startswith("^") else '""'
    fmt = prop.get("format")
    if fmt == "partial-date":
        return "YYYY-MM-DD"
    if fmt == "http-url":
        return "https://"
    if prop.get("enum"):
        return str(prop["enum"][0])
    return '""'


def _property(key: str, prop: Mapping[str, Any], required: bool, indent: str,
              commented: bool, item_prefix: str = "") -> list[str]:
    """Lines for one key: its description, then `key: value` (or a nested block).
    `item_prefix` is "- " for the first key of a list item."""
    hide = commented or not required
    mark = "# " if hide else ""
    lead = indent + (mark if not item_prefix else "")
    out = _comment(_describe(prop, required), indent)
    first = f"{lead}{item_prefix}{key}:"
    if item_prefix and hide:
        first = f"{indent}# {item_prefix}{key}:"
    if prop.get("type") == "object" and "properties" in prop:
        out.append(first)
        out += _mapping(prop, indent + "  ", hide)
        return out
    items = prop.get("items", {})
    if prop.get("type") == "array" and items.get("type") == "object":
        out.append(first)
        out += _list_of_mappings(items, indent + "  ", hide)
        return out
    out.append(f"{first} {_placeholder(prop, required)}".rstrip())
    return out


def _mapping(prop: Mapping[str, Any], indent: str, commented: bool,
             item: bool = False) -> list[str]:
    required = set(prop.get("required", ()))
    out: list[str] = []
    for i, (key, sub) in enumerate(prop.get("properties", {}).items()):
        prefix = "- " if item and i == 0 else ""
        sub_indent = indent if not item or i == 0 else indent + "  "
        out += _property(key, sub, key in required, sub_indent, commented, prefix)
    return out


def _list_of_mappings(items: Mapping[str, Any], indent: str, commented: bool) -> list[str]:
    if items.get("maxProperties") == 1:
        out = _comment("Each item names exactly one of these:", indent)
        for key, sub in items.get("properties", {}).items():
            out += _comment(sub.get("description", ""), indent)
            out.append(f"{indent}# - {key}: {_placeholder(sub, True)}")
        return out
    return _mapping(items, indent, commented, item=True)

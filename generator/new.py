"""kind + name (+ article text) -> a commented scaffold file in content/, never overwriting (I/O)."""

from __future__ import annotations

import difflib
import os
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from generator.errors import UserError
from generator.schema import SCHEMA_DIR, load_schema
from generator.text import is_id, suggest_id

KINDS = ("claim", "article", "source", "outlet")
"""What `new` can scaffold."""

FOLDERS = {"claim": "claims", "source": "sources", "outlet": "outlets", "article": "articles"}

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


CAPTURED = (
    "Captured from a saved page: each value below was read from the page, and the `_basis` "
    "beside it says where and what other parts of the page say. Pages can be wrong: check each "
    "value against the article, and where you correct one, rewrite its basis. The text after "
    "the second `---` line is the page's text as extracted, and is never rewritten."
)
"""The comment above the values of an article captured from a saved page."""

CAPTURES = "captures"
"""With `--keep-page`, saved pages are kept in captures/<outlet>/<slug>.html (.mhtml) beside
the content folder: kept for the desk, never read by `check` nor published."""

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".mhtml", ".mht")
"""Names of saved pages, for finding the page in a folder the browser saved."""

@dataclass(frozen=True, slots=True)
class Written:
    src_path: Path
    """Where the scaffold was written."""
    rel_path: str
    """The same, relative to the content folder's parent (as `check` prints it)."""
    kind: str
    id: str
    fields: tuple[str, ...] = ()
    """For an article captured from a saved page: the keys whose values the page gave."""
    kept: str | None = None
    """With keep_page: where the saved page was copied, relative like `rel_path`."""


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
    if is_id(part):
        return
    fixed = suggest_id(part)
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


def create(kind: str, name: str, content_dir: Path, text: bytes | None = None, *,
           source_name: str | None = None, keep_page: bool = False,
           today: date | None = None) -> Written:
    """Write the scaffold for `kind` `name` into `content_dir`. `text` (articles only) is
    written after the front matter byte for byte, unless it is a saved web page (HTML or
    MHTML, told by its content): then the page's extracted text is written, and the front
    matter holds what the page's metadata says, with the basis of each value, the capture's
    date (`today`, else SOURCE_DATE_EPOCH, else the clock) and the page's sha256.
    `source_name` is the saved file's name; `keep_page` copies the page into captures/.
    Never overwrites: UserError if the file exists."""
    content_dir = Path(content_dir)
    if not content_dir.is_dir():
        raise UserError(
            f"content folder not found: {content_dir}",
            "Run this from the project root, or pass --content DIR.",
        )
    if text is not None and kind != "article":
        raise UserError("--from is only for articles", "Use: python -m generator new article OUTLET/SLUG --from FILE")
    src_path = target_path(kind, name, content_dir)
    rel_path = _shown(src_path, content_dir)
    if src_path.exists():
        raise UserError(
            f"{rel_path} already exists; nothing was written",
            "Edit the existing file, or choose another name.",
        )
    values: dict[str, Any] | None = None
    page_suffix: str | None = None
    body = text
    if text is not None:
        body, values, page_suffix = _article_body(text, source_name, today)
    if keep_page and page_suffix is None:
        raise UserError("--keep-page is only for saved web pages (HTML or MHTML)",
                        "Leave out --keep-page: a text file is itself the capture.")
    kept_path = None
    if keep_page and page_suffix is not None:
        kept_path = content_dir.parent / CAPTURES / name.split("/")[0] / (name.split("/")[1] + page_suffix)
        if kept_path.exists() and kept_path.read_bytes() != text:
            raise UserError(
                f"{_shown(kept_path, content_dir)} already exists and holds another page; "
                "nothing was written",
                "Move it away, or choose another name for the article.",
            )
    schema_ref = Path(os.path.relpath(SCHEMA_DIR / f"{kind}.schema.json", src_path.parent)).as_posix()
    data = render_scaffold(kind, load_schema(kind), schema_ref, values).encode("utf-8")
    if kind == "article":
        data = b"---\n" + data + b"---\n" + (body or b"")
    src_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(src_path, "xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise UserError(
            f"{rel_path} already exists; nothing was written",
            "Edit the existing file, or choose another name.",
        ) from None
    kept = None
    if kept_path is not None and text is not None:
        kept_path.parent.mkdir(parents=True, exist_ok=True)
        if not kept_path.exists():
            kept_path.write_bytes(text)
        kept = _shown(kept_path, content_dir)
    fields: tuple[str, ...] = ()
    if values is not None:
        from generator.capture import FIELDS

        fields = tuple(key for key in values if key in FIELDS)
    return Written(src_path, rel_path, kind, name, fields, kept)


def _article_body(
    text: bytes, source_name: str | None, today: date | None
) -> tuple[bytes, dict[str, Any] | None, str | None]:
    """(the text written after the front matter, the captured values or None, the suffix of
    a kept page or None): a saved page is captured, anything else must be UTF-8 text."""
    from generator import capture

    kind = capture.sniff(text)
    if kind is not capture.PageKind.TEXT:
        found = capture.capture_page(text)
        if isinstance(found, capture.Refusal):
            raise UserError(*capture.describe_refusal(found, source_name or "the standard input"))
        values = capture.front_matter(found, captured_date(today).isoformat(), source_name)
        suffix = ".mhtml" if found.kind is capture.PageKind.MHTML else ".html"
        return found.text.encode("utf-8"), values, suffix
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = text[: exc.start].count(b"\n") + 1
        raise UserError(
            f"the article text is not valid UTF-8 (byte 0x{text[exc.start]:02x} on line {line})",
            "Save the text as UTF-8 first, e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.txt`.",
        ) from None
    return text, None, None


def captured_date(today: date | None = None) -> date:
    """The date a capture is made: `today` if given, else SOURCE_DATE_EPOCH's date (UTC) when
    it is set, else the clock's."""
    if today is not None:
        return today
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC).date()
        except (ValueError, OverflowError, OSError):
            raise UserError(
                f"SOURCE_DATE_EPOCH is not a number of seconds: {epoch!r}",
                "Unset it, or set it to a Unix time, e.g. SOURCE_DATE_EPOCH=4078080000.",
            ) from None
    return date.today()


def saved_page_in(folder: Path) -> Path:
    """The page in a folder a browser saved: beside a `<name>_files` folder of resources,
    its `<name>.html`; in a folder that holds one page, that page. UserError otherwise."""
    folder = Path(folder)
    if folder.name.endswith("_files"):
        stem = folder.name.removesuffix("_files")
        for suffix in PAGE_SUFFIXES:
            if (folder.parent / (stem + suffix)).is_file():
                return folder.parent / (stem + suffix)
    pages = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
    with_resources = [p for p in pages if (folder / (p.stem + "_files")).is_dir()]
    if len(pages) == 1:
        return pages[0]
    if len(with_resources) == 1:
        return with_resources[0]
    found = ", ".join(p.name for p in pages) if pages else "no .html, .htm or .mhtml file"
    raise UserError(
        f"{folder} is a folder ({found}); say which page to capture",
        "Pass the saved page's file itself: the .html beside its `_files` folder, or the .mhtml.",
    )


def render_scaffold(kind: str, root: Mapping[str, Any], schema_ref: str,
                    values: Mapping[str, Any] | None = None) -> str:
    """The scaffold's YAML: the modeline, then every property of the schema, required ones
    with empty values (which `check` reports until they are filled in), optional ones
    commented out; each under a comment taken from the schema's description. Keys given in
    `values` (text, or a list of text) are written with their value instead, together and
    without comments."""
    lines = [f"# yaml-language-server: $schema={schema_ref}"]
    lines += _comment(INTRO[kind], "")
    if values is not None:
        from generator import capture

        lines += ["#"] + _comment(CAPTURED, "")
    lines.append("")
    required = set(root.get("required", ())) | _required_by_default(root)
    filled = False
    for i, (key, prop) in enumerate(root.get("properties", {}).items()):
        if values is not None and key in values:
            if i and not filled:
                lines.append("")
            lines += capture.yaml_lines(key, values[key], WIDTH)
            filled = True
            continue
        if i:
            lines.append("")
        lines += _property(key, prop, key in required, "", commented=False)
        filled = False
    return "\n".join(lines) + "\n"


def _required_by_default(root: Mapping[str, Any]) -> set[str]:
    """Keys that an if/then/else of the schema requires of a new entry: those `then` asks for
    when its condition is a `not` (true of the usual value: a status that is not
    unlocated), and those `else` asks for (a claim that is not a draft needs a finding)."""
    found: set[str] = set()
    for part in (root, *root.get("allOf", ())):
        condition = part.get("if", {})
        if any("not" in prop for prop in condition.get("properties", {}).values()):
            found |= set(part.get("then", {}).get("required", ()))
        found |= set(part.get("else", {}).get("required", ()))
    return found


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

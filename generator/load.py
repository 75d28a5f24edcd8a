"""content/ -> raw records with the line and column of every key and value (I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Location, Problem
from generator.text import is_id, suggest_id

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

JsonPath = tuple[str | int, ...]

KINDS = {
    "outlets": "outlet",
    "sources": "source",
    "claims": "claim",
}


@dataclass(frozen=True, slots=True)
class Record:
    """One YAML document from content/, as plain data plus where each part was written."""

    kind: str
    """site, spellings, outlet, source, claim or article."""
    id: str
    rel_path: str
    data: Any
    """Plain data: dicts, lists, str, bool and None (YAML's other implicit types are text)."""
    values: dict[JsonPath, Location] = field(default_factory=dict)
    """Where each value starts, by its path in `data`."""
    keys: dict[JsonPath, Location] = field(default_factory=dict)
    """Where each mapping key is written, by the path of its value."""
    text: str = ""
    """For articles: the text after the front matter, exactly as in the file."""
    body_line: int = 1
    """For articles: the line of the file on which `text` starts."""

    def where(self, path: JsonPath = ()) -> Location:
        """The location of the value at `path`, or of its nearest written ancestor."""
        while True:
            if path in self.values:
                return self.values[path]
            if not path:
                return Location(self.rel_path, 1, 1)
            path = path[:-1]

    def where_key(self, path: JsonPath) -> Location:
        return self.keys.get(path) or self.where(path)


@dataclass(frozen=True, slots=True)
class PageFile:
    id: str
    rel_path: str
    text: str


@dataclass(frozen=True, slots=True)
class Loaded:
    records: tuple[Record, ...]
    pages: tuple[PageFile, ...]
    problems: tuple[Problem, ...]
    unreadable: tuple[tuple[str, str], ...] = ()
    """(kind, id) of files that exist but could not be read or parsed."""


def load_content(content_dir: Path) -> Loaded:
    """Read every file of a content folder; problems are collected, never raised."""
    content_dir = Path(content_dir)
    base = content_dir.resolve().parent
    records: list[Record] = []
    pages: list[PageFile] = []
    problems: list[Problem] = []
    unreadable: list[tuple[str, str]] = []

    def rel(src_path: Path) -> str:
        return src_path.resolve().relative_to(base).as_posix()

    if not content_dir.is_dir():
        problems.append(
            Problem(
                Location(str(content_dir), 1, 1),
                "content folder not found",
                "Pass the folder that holds site.yaml, e.g. `python -m generator check content`.",
            )
        )
        return Loaded((), (), tuple(problems))

    for src_path in sorted(content_dir.rglob("*")):
        if src_path.is_dir() or any(part.startswith(".") for part in src_path.parts[-1:]):
            continue
        rel_path = rel(src_path)
        parts = src_path.relative_to(content_dir).parts
        kind, record_id, problem = _classify(parts, rel_path)
        if problem:
            problems.append(problem)
            continue
        text, problem = _read_text(src_path, rel_path)
        if problem:
            problems.append(problem)
            unreadable.append((kind, record_id))
            continue
        assert text is not None
        if kind == "page":
            pages.append(PageFile(record_id, rel_path, text))
            continue
        if kind == "article":
            record, found = parse_article(text, rel_path, record_id)
        else:
            record, found = parse_yaml(text, rel_path, kind, record_id)
        problems.extend(found)
        if record:
            records.append(record)
        else:
            unreadable.append((kind, record_id))

    if not any(r.kind == "site" for r in records) and not any(
        p.location.rel_path.endswith("site.yaml") for p in problems
    ):
        problems.append(
            Problem(
                Location(rel(content_dir) + "/site.yaml", 1, 1),
                "site.yaml is missing",
                "Every content folder needs a site.yaml with title, base_url, language "
                "and publisher (see docs/format.md).",
            )
        )
    return Loaded(tuple(records), tuple(pages), tuple(problems), tuple(unreadable))


def _read_text(src_path: Path, rel_path: str) -> tuple[str | None, Problem | None]:
    data = src_path.read_bytes()
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Problem(
            Location(rel_path, line, col),
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            "Save the file as UTF-8; if it was pasted from a web page or a PDF, "
            "re-copy the text or convert it with `iconv -f WINDOWS-1252 -t UTF-8`.",
        )


def _classify(parts: tuple[str, ...], rel_path: str) -> tuple[str, str, Problem | None]:
    """(kind, id, problem) for a file, from where it sits in content/."""
    name = parts[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""

    def bad(message: str, hint: str) -> tuple[str, str, Problem]:
        return "", "", Problem(Location(rel_path, 1, 1), message, hint)

    if len(parts) == 1:
        if name == "site.yaml":
            return "site", "site", None
        if name == "spellings.yaml":
            return "spellings", "spellings", None
        return bad(
            f"unexpected file {name!r} at the top of content/",
            "The top of content/ holds only site.yaml and spellings.yaml; "
            "entries go in claims/, sources/, outlets/, articles/ and pages/.",
        )
    folder = parts[0]
    if folder == "pages" and len(parts) == 2:
        expected, kind = "md", "page"
    elif folder in KINDS and len(parts) == 2:
        expected, kind = "yaml", KINDS[folder]
    elif folder == "articles" and len(parts) == 3:
        expected, kind = "txt", "article"
    elif folder == "articles":
        return bad(
            "an article must sit at articles/<outlet>/<slug>.txt",
            "Move it into the folder named after its outlet's id.",
        )
    else:
        return bad(
            f"unexpected file in content/{'/'.join(parts[:-1])}/",
            "Known folders: claims/, sources/, outlets/, articles/<outlet>/, pages/.",
        )
    if ext != expected:
        suggestion = f"{stem}.{expected}"
        return bad(
            f"unexpected file extension {('.' + ext) if ext else '(none)'}; expected .{expected}",
            f"Rename it to {suggestion}.",
        )
    ids = [stem] if kind != "article" else [parts[1], stem]
    for part in ids:
        if not is_id(part):
            return bad(
                f"{part!r} is not a valid identifier",
                f"Use lower-case letters, digits and single hyphens, e.g. {suggest_id(part)!r}.",
            )
    return kind, "/".join(ids), None


FRONT_MATTER_RE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


def parse_article(text: str, rel_path: str, article_id: str) -> tuple[Record | None, list[Problem]]:
    """Split `---` front matter from the article text and parse the front matter."""
    first = FRONT_MATTER_RE.match(text)
    if not first:
        return None, [
            Problem(
                Location(rel_path, 1, 1),
                "missing front matter: the file must start with a line `---`",
                "Start the file with `---`, the front matter (headline, date, ...), then `---`, "
                "then the article text as captured. Did you forget to add `---`?",
            )
        ]
    closing = FRONT_MATTER_RE.search(text, first.end())
    if not closing:
        return None, [
            Problem(
                Location(rel_path, 1, 1),
                "front matter is not closed: no second line `---`",
                "Add a line `---` between the front matter and the article text.",
            )
        ]
    front = text[first.end() + 1 : closing.start()]
    after = closing.end()
    if text.startswith("\r\n", after):
        after += 2
    elif text.startswith("\n", after):
        after += 1
    body_line = text.count("\n", 0, after) + 1
    record, problems = parse_yaml(front, rel_path, "article", article_id, line_offset=1)
    if record is None:
        return None, problems
    record = Record(
        kind=record.kind,
        id=record.id,
        rel_path=rel_path,
        data=record.data if record.data is not None else {},
        values=record.values,
        keys=record.keys,
        text=text[after:],
        body_line=body_line,
    )
    return record, problems


def parse_yaml(
    text: str, rel_path: str, kind: str, record_id: str, line_offset: int = 0
) -> tuple[Record | None, list[Problem]]:
    """Parse one YAML document keeping marks; duplicate keys are problems."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 1
        col = (mark.column + 1) if mark else 1
        what = exc.problem or "malformed YAML"
        if exc.context:
            what = f"{exc.context}: {what}" if "found" in what else f"{what} ({exc.context})"
        return None, [
            Problem(
                Location(rel_path, line, col),
                f"malformed YAML: {what}",
                _yaml_hint(what),
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(Location(rel_path, 1 + line_offset, 1), f"malformed YAML: {exc}")]
    values: dict[JsonPath, Location] = {}
    keys: dict[JsonPath, Location] = {}
    problems: list[Problem] = []

    def loc(mark: Any) -> Location:
        return Location(rel_path, mark.line + 1 + line_offset, mark.column + 1)

    def walk(n: Any, path: JsonPath) -> Any:
        values[path] = loc(n.start_mark)
        if isinstance(n, yaml.MappingNode):
            out: dict[str, Any] = {}
            seen: dict[str, Location] = {}
            for key_node, value_node in n.value:
                key = walk_key(key_node)
                key_loc = loc(key_node.start_mark)
                if key in seen:
                    first = seen[key]
                    problems.append(
                        Problem(
                            key_loc,
                            f"duplicate key {key!r} (first written at line {first.line})",
                            "YAML keeps only the last one: remove one of them or merge them.",
                        )
                    )
                    continue
                seen[key] = key_loc
                keys[path + (key,)] = key_loc
                out[key] = walk(value_node, path + (key,))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [walk(item, path + (i,)) for i, item in enumerate(n.value)]
        return scalar(n)

    def walk_key(n: Any) -> str:
        if isinstance(n, yaml.ScalarNode):
            return str(n.value)
        problems.append(
            Problem(loc(n.start_mark), "a key must be plain text", "Write keys as `name: value`.")
        )
        return f"<complex key at line {n.start_mark.line + 1}>"

    if node is None:
        data: Any = None
    else:
        data = walk(node, ())
    return Record(kind, record_id, rel_path, data, values, keys), problems


_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def scalar(node: Any) -> Any:
    """Plain scalars: only true/false are booleans and only null/~/empty is null; the
    rest is text (`no`, `on`, `1e3`, `2021-08` stay as written). Quoted scalars are text."""
    value = node.value
    if node.style:
        return value
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    return value


def _yaml_hint(what: str) -> str:
    if "mapping values are not allowed" in what:
        return (
            "A value that contains `: ` must be quoted; wrap it in double quotes, "
            "or use `>-` and put the text on the next lines."
        )
    if "found character '\\t'" in what or "tab" in what:
        return "Indent with spaces, not tabs."
    if "could not find expected ':'" in what:
        return "Each line of a mapping needs `key: value`; check the line above for a missing colon."
    if "did not find expected key" in what or "expected <block end>" in what:
        return "Check the indentation: items of one mapping must line up."
    if "found unexpected end of stream" in what or "while scanning a quoted scalar" in what:
        return "A quoted value is not closed: add the closing quote."
    return "Check the YAML syntax near this line (indentation, colons and quotes)."

"""Raw records -> problems: shape (JSON Schema), dates, URLs and references between files."""

from __future__ import annotations

import calendar
import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jsonschema

from generator.errors import Problem
from generator.load import JsonPath, Record
from generator.model import PartialDate

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

SCHEMA_NAMES = ("site", "spellings", "outlet", "source", "article", "claim")

NON_BLANK = "\\S"
"""The schema pattern of text that must hold more than white space (a quote, a prefix)."""


def parse_date(text: str) -> PartialDate:
    """`2021`, `2021-08` or `2021-08-17` -> PartialDate; ValueError says what is wrong."""
    match = DATE_RE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a date: there is no month {month}")
    if day is not None and month is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"{text!r} is not a date: {calendar.month_name[month]} {year} has {last} days")
    return PartialDate(year, month, day)


def check_url(text: str) -> str:
    """An absolute http(s) URL, or ValueError saying what is wrong."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise ValueError(f"{text!r} is not an http(s) URL ({shown})")
    if not parts.netloc or any(c.isspace() for c in text):
        raise ValueError(f"{text!r} is not a complete URL")
    return text


URL_UNSAFE = frozenset('<>"\\^`{|}')
"""Characters that a URL cannot hold as they are."""


def check_base_url(text: str) -> str:
    """The address a site is served from (site.yaml's base_url, `build --base-url`): an
    absolute http(s) URL with a host and nothing that would break the absolute URLs built on
    it (a query, a fragment, credentials, spaces, control characters); or ValueError saying
    what is wrong."""
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise ValueError(f"{text!r} holds a control character")
    check_url(text)
    parts = urlsplit(text)
    unsafe = sorted(set(text) & URL_UNSAFE)
    if unsafe:
        raise ValueError(f"{text!r} holds {unsafe[0]!r}, which a URL cannot hold as it is")
    if "@" in parts.netloc:
        raise ValueError(f"{text!r} holds credentials (user@): a site's address cannot")
    if not parts.hostname:
        raise ValueError(f"{text!r} names no host")
    try:
        _ = parts.port
    except ValueError:
        raise ValueError(f"{text!r} has an invalid port") from None
    if "?" in text:
        raise ValueError(f"{text!r} has a query (?): a site's address cannot")
    if "#" in text:
        raise ValueError(f"{text!r} has a fragment (#): a site's address cannot")
    return text


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("partial-date", raises=ValueError)(lambda v: not isinstance(v, str) or bool(parse_date(v)))
FORMATS.checks("http-url", raises=ValueError)(lambda v: not isinstance(v, str) or bool(check_url(v)))
FORMATS.checks("base-url", raises=ValueError)(
    lambda v: not isinstance(v, str) or bool(check_base_url(v))
)


@cache
def schema(name: str) -> dict[str, Any]:
    text = resources.files("generator").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _whole(pattern: str) -> re.Pattern[str]:
    """A schema pattern as JSON Schema (ECMA 262) reads it: `$` is the end of the text,
    never a place before a final newline, so that an id "x\\n" does not pass."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern)


def _pattern(
    validator: Any, pattern: str, instance: Any, subschema: Any
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not _whole(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_Draft7 = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft7Validator, {"pattern": _pattern}
)


@cache
def _validator(name: str) -> Any:
    return _Draft7(schema(name), format_checker=FORMATS)


def check_shape(record: Record) -> list[Problem]:
    """Every way the record's data departs from its JSON Schema, one problem each."""
    data = record.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return [
            Problem(
                record.where(),
                f"expected a mapping of keys to values; got {_kind(data)}",
                "Write the entry as `key: value` lines (see docs/format.md).",
            )
        ]
    errors = list(_validator(record.kind).iter_errors(data))
    enum_paths = {tuple(e.absolute_path) for e in errors if e.validator == "enum"}
    problems: list[Problem] = []
    for error in errors:
        if error.validator == "type" and tuple(error.absolute_path) in enum_paths:
            continue  # the enum error already says what is expected
        problems.extend(_translate(error, record))
    return problems


def _path_label(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


_TYPE_NAMES = {
    "string": "text",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
    "integer": "a whole number",
}


def _subschema_at(root: Mapping[str, Any], path: JsonPath) -> Mapping[str, Any]:
    node: Mapping[str, Any] = root
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return node


def _translate(error: jsonschema.ValidationError, record: Record) -> list[Problem]:
    path: JsonPath = tuple(error.absolute_path)
    label = _path_label(path)
    prefix = f"{label}: " if label else ""
    where = record.where(path)
    validator = error.validator
    root = schema(record.kind)
    # the error's parts, typed (jsonschema's stubs allow "unset" for each)
    instance: Any = error.instance
    value: Any = error.validator_value
    node: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}

    if validator == "required":
        instance = instance or {}
        known = node.get("properties", {})
        unknown = [k for k in instance if known and k not in known]
        # one error per missing key: its message names it
        named = re.match(r"^'(.+)' is a required property$", error.message)
        candidates = [named.group(1)] if named else list(value)
        missing = [
            k for k in candidates
            if k not in instance and not difflib.get_close_matches(k, unknown, n=1, cutoff=0.6)
        ]  # a misspelt key is reported once, as unknown, with the right name suggested
        out = []
        for key in missing:
            sub = _subschema_at(root, path + (key,))
            description = sub.get("description", "")
            condition = ""
            if error.schema_path and "then" in error.schema_path:
                condition = " here"
            if error.schema_path and "else" in error.schema_path:
                condition = " here"
            out.append(
                Problem(
                    where,
                    f"{prefix}missing required key {key!r}{condition}",
                    f"Add `{key}:`. " + (description or "See docs/format.md."),
                )
            )
        return out
    if validator == "dependencies":
        needed = error.message.split("'")[1] if "'" in error.message else "?"
        trigger = next((k for k, v in value.items() if needed in v), "?")
        return [
            Problem(
                where,
                f"{prefix}{trigger!r} needs {needed!r} beside it",
                f"Add `{needed}:` saying why (see docs/format.md).",
            )
        ]
    if validator == "additionalProperties":
        known = sorted(node.get("properties", {}))
        extras = sorted(k for k in instance if k not in node.get("properties", {}))
        out = []
        for key in extras:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"Did you mean {close[0]!r}? " if close else ""
            hint += "Known keys here: " + ", ".join(known) + "."
            out.append(Problem(record.where_key(path + (key,)), f"{prefix}unknown key {key!r}", hint))
        return out
    if validator == "enum":
        allowed = ", ".join(str(v) for v in value)
        close = difflib.get_close_matches(str(instance), [str(v) for v in value], n=1)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        return [
            Problem(
                where,
                f"{prefix}expected one of {allowed}; got {_kind(instance)}",
                hint + "Pick one of the listed values (quote it if YAML reads it as something else).",
            )
        ]
    if validator == "type":
        wanted = value
        names = [wanted] if isinstance(wanted, str) else list(wanted)
        wanted_text = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        hint = "See docs/format.md for this key."
        if "string" in names and isinstance(instance, (dict, list)):
            hint = "If the text contains `: ` or starts with `[`, `{` or `-`, wrap it in double quotes."
        elif "boolean" in names:
            hint = "Write true or false (YAML words such as yes, no, on, off are read as text here)."
        elif "array" in names:
            hint = "Write a list: `[a, b]` or one `- item` per line."
        return [Problem(where, f"{prefix}expected {wanted_text}; got {_kind(instance)}", hint)]
    if validator == "format":
        cause = error.cause
        message = str(cause) if cause else f"{_kind(instance)} is not valid here"
        hint = {
            "partial-date": "Write the date at the precision known: 2021, 2021-08 or 2021-08-17.",
            "http-url": "Use a full address starting with https:// (or http://).",
            "base-url": "Use the address the site is served from, e.g. https://example.org/ "
            "(no ?query, #fragment or user@).",
        }.get(str(value), "")
        return [Problem(where, f"{prefix}{message}", hint)]
    if validator == "pattern":
        if value == NON_BLANK:
            if instance == "":
                return []  # minLength says it
            return [
                Problem(where, f"{prefix}must not be blank", "Write a value or remove the key.")
            ]
        if value == "^[a-z0-9]+(-[a-z0-9]+)*$":
            fixed = re.sub(r"[^a-z0-9]+", "-", str(instance).lower()).strip("-")
            return [
                Problem(
                    where,
                    f"{prefix}{_kind(instance)} is not a valid id",
                    f"Ids are lower-case letters, digits and single hyphens, e.g. {fixed!r}.",
                )
            ]
        if "/" in str(value):
            return [
                Problem(
                    where,
                    f"{prefix}{_kind(instance)} is not an article id",
                    "Write outlet/slug: the article's path under articles/ without `.txt`.",
                )
            ]
        description = _subschema_at(root, path).get("description", "")
        return [Problem(where, f"{prefix}{_kind(instance)} is not valid", description)]
    if validator == "minLength":
        return [Problem(where, f"{prefix}must not be empty", "Write a value or remove the key.")]
    if validator == "maxLength":
        return [
            Problem(
                where,
                f"{prefix}{len(instance):,} characters; the limit is {value:,}",
                "Shorten it (see the limits in docs/format.md).",
            )
        ]
    if validator == "maxItems":
        return [
            Problem(
                where,
                f"{prefix}{len(instance):,} items; the limit is {value:,}",
                "See the limits in docs/format.md.",
            )
        ]
    if validator == "minItems":
        return [Problem(where, f"{prefix}needs at least {value} items", "")]
    if validator == "uniqueItems":
        return [Problem(where, f"{prefix}lists the same item twice", "Remove the repeated item.")]
    if validator in ("minProperties", "maxProperties"):
        keys = ", ".join(_subschema_at(root, path).get("properties", {})) or "one key"
        return [
            Problem(
                where,
                f"{prefix}write exactly one of {keys}",
                "Each entry names one thing, e.g. `- source: un-s-2022-419`.",
            )
        ]
    return [Problem(where, f"{prefix}{error.message}", "See docs/format.md.")]


def check_references(
    records: Iterable[Record], unreadable: Iterable[tuple[str, str]] = ()
) -> list[Problem]:
    """Every reference between files resolves, and cross-file rules hold. `unreadable`
    names (kind, id) of files that exist but could not be parsed: references to them are
    not reported again."""
    by_kind: dict[str, dict[str, Any]] = {}
    for record in records:
        by_kind.setdefault(record.kind, {})[record.id] = record
    for kind, record_id in unreadable:
        by_kind.setdefault(kind, {}).setdefault(record_id, None)
    outlets = by_kind.get("outlet", {})
    sources = by_kind.get("source", {})
    articles = by_kind.get("article", {})
    problems: list[Problem] = []

    def nearest(word: str, options: Iterable[str]) -> str:
        close = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.75)
        return f"Did you mean {close[0]!r}? " if close else ""

    def dangling(
        record: Record, path: JsonPath, what: str, value: Any, known: Mapping[str, Any], hint: str
    ) -> bool:
        """Report a reference to a `what` that does not exist; True when it was reported."""
        if not isinstance(value, str) or value in known:
            return False
        problems.append(
            Problem(
                record.where(path),
                f"{_path_label(path)}: no {what} {value!r}",
                nearest(value, known) + hint,
            )
        )
        return True

    in_sources = "Use the name of a file in sources/ without .yaml."
    in_articles = "Use outlet/slug: the path under articles/ without .txt."

    passages: dict[str, dict[str, Mapping[str, Any]]] = {}
    for source in sources.values():
        if source is None:
            continue
        seen: dict[str, int] = {}
        for i, passage in enumerate(_list(source.data, "passages")):
            if not isinstance(passage, dict) or not isinstance(passage.get("id"), str):
                continue
            pid = passage["id"]
            if pid in seen:
                problems.append(
                    Problem(
                        source.where(("passages", i, "id")),
                        f"passages[{i}].id: duplicate passage id {pid!r} (also passages[{seen[pid]}])",
                        "Give each passage of a source its own id.",
                    )
                )
                continue
            seen[pid] = i
            passages.setdefault(source.id, {})[pid] = passage
            for j, outlet in enumerate(_list(passage, "rests_on")):
                dangling(source, ("passages", i, "rests_on", j), "outlet", outlet, outlets,
                         "rests_on lists ids of files in outlets/.")

    for article in articles.values():
        if article is None:
            continue
        outlet_id = article.id.split("/")[0]
        if outlet_id not in outlets:
            problems.append(
                Problem(
                    article.where(),
                    f"article folder {outlet_id!r} names no outlet",
                    nearest(outlet_id, outlets)
                    + f"Create outlets/{outlet_id}.yaml or move the article into an existing outlet's folder.",
                )
            )
        for i, cite in enumerate(_list(article.data, "cites")):
            if isinstance(cite, dict):
                dangling(article, ("cites", i, "source"), "source", cite.get("source"), sources,
                         in_sources)
                dangling(article, ("cites", i, "article"), "article", cite.get("article"),
                         articles, in_articles)

    for claim in by_kind.get("claim", {}).values():
        if claim is None:
            continue
        data = claim.data if isinstance(claim.data, dict) else {}
        primary = data.get("primary")
        status = data.get("status")
        if isinstance(primary, dict) and isinstance(primary.get("source"), str):
            source_id = primary["source"]
            missing = dangling(claim, ("primary", "source"), "source", source_id, sources,
                               in_sources)
            if not missing and isinstance(primary.get("passage"), str):
                pid = primary["passage"]
                known = passages.get(source_id, {})
                if sources[source_id] is None:
                    pass  # the source file could not be read; reported there
                elif pid not in known:
                    listed = ", ".join(sorted(known)) or "none"
                    problems.append(
                        Problem(
                            claim.where(("primary", "passage")),
                            f"primary.passage: source {source_id!r} has no passage {pid!r}",
                            nearest(pid, known) + f"Its passages: {listed}.",
                        )
                    )
                elif status == "confirmed" and known[pid].get("checked") is not True:
                    problems.append(
                        Problem(
                            claim.where(("status",)),
                            "status: a claim cannot be confirmed against a passage that was not checked",
                            f"Passage {pid!r} of {source_id!r} has checked: false. Use `unchecked` until "
                            "its words are read in the document, then set checked: true with a locator.",
                        )
                    )
            if status == "confirmed" and "passage" not in primary and source_id in sources:
                problems.append(
                    Problem(
                        claim.where(("status",)),
                        "status: a confirmed claim needs the passage that confirms it",
                        "Add primary.passage naming a checked passage of the source, or use `unchecked`.",
                    )
                )
            if status == "unlocated":
                problems.append(
                    Problem(
                        claim.where(("status",)),
                        "status: unlocated means no primary source was identified, but primary names one",
                        "Remove `primary:` or choose another status (e.g. unchecked).",
                    )
                )
        seen_quotes: dict[tuple[str, str, str, str], int] = {}
        for i, appearance in enumerate(_list(data, "appearances")):
            if not isinstance(appearance, dict):
                continue
            article_id = appearance.get("article")
            dangling(claim, ("appearances", i, "article"), "article", article_id, articles,
                     in_articles)
            key = (str(article_id), str(appearance.get("quote")), str(appearance.get("prefix")),
                   str(appearance.get("suffix")))
            if key in seen_quotes:
                problems.append(
                    Problem(
                        claim.where(("appearances", i)),
                        f"appearances[{i}]: the same span as appearances[{seen_quotes[key]}]",
                        "Remove the repeated appearance.",
                    )
                )
            seen_quotes.setdefault(key, i)
    return problems


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []

"""Raw records -> problems (shape, references, editorial rules, pages, settings) and what passed."""

from __future__ import annotations

import difflib
import itertools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import fastjsonschema
import jsonschema

from generator import archives, editorial
from generator.errors import Location, Problem
from generator.load import JsonPath, Loaded, PageFile, Record
from generator.memo import Made, each, plain
from generator.model import GLOSSARY_RE, VOCABULARIES, PartialDate
from generator.schema import load_schema
from generator.text import ID_PATTERN, normalise, suggest_id

RESERVED_PAGE_IDS = frozenset({"api", "assets", "claims", "outlets", "sources", "search", "admin"})
"""Top-level folders of the built site that a page of content/pages/ cannot take."""


@dataclass(frozen=True, slots=True)
class Validated:
    records: tuple[Record, ...]
    """The records with no problem of their own, ready to assemble."""
    pages: tuple[PageFile, ...]
    """The pages with no problem of their own."""
    problems: tuple[Problem, ...]


def validate(
    loaded: Loaded, base_url: str | None = None, *,
    shape: Callable[[Record], Sequence[Problem]] | None = None, made: Made | None = None,
    production: bool = False, read_text: editorial.ReadText | None = None,
    advised: Made | None = None,
) -> Validated:
    """Every problem of the loaded content (the loader's own included), and what passed.
    `base_url` is the one given on the command line, if any; `shape` is `check_shape`, or
    what stands for it (the build's cache of its results); `production` adds what a site
    needs before it goes public (see production_problems); `read_text` gives the text of a
    content file, to locate a warning inside a long value. `made` and `advised` are what
    earlier runs found (a preview server's: see check_references, editorial.claim_warnings)."""
    problems: list[Problem] = list(loaded.problems)
    broken: set[str] = {p.location.rel_path for p in loaded.problems if p.is_error}
    shape_of = shape or check_shape
    for record in loaded.records:
        found = shape_of(record)
        problems.extend(found)
        if found:
            broken.add(record.rel_path)
    problems.extend(check_references(loaded.records, loaded.unreadable, made))
    for record in loaded.records:
        if record.kind == "article" and isinstance(record.data, dict):
            problems.extend(archives.archived_problems(
                record.data.get("archived"), record.data.get("url"), record.where))
    pages = []
    for page in loaded.pages:
        found_page = check_page(page)
        if found_page is None:
            pages.append(page)
        else:
            problems.append(found_page)
    if base_url is not None:
        try:
            check_base_url(base_url)
        except ValueError as exc:
            problems.append(
                Problem(Location("--base-url", 1, 1), str(exc), "Pass an absolute https:// address.")
            )
    site = next((r for r in loaded.records if r.kind == "site"), None)
    if production:
        problems.extend(production_problems(site))
    voice, lengths = editorial.claim_warnings(
        (r for r in loaded.records if r.rel_path not in broken), read_text or _unread, advised)
    problems.extend(voice)
    problems.extend(editorial.page_claim_warnings(pages, site))
    problems.extend(lengths)
    good = tuple(r for r in loaded.records if r.rel_path not in broken)
    return Validated(good, tuple(pages), tuple(problems))


def _unread(rel_path: str) -> None:
    return None


def production_problems(site: Record | None) -> list[Problem]:
    """What a public site needs that a preview may lack: a way for readers to report an
    error (`publisher.contact`)."""
    if site is None or not isinstance(site.data, dict):
        return []  # the loader reports a missing site.yaml
    publisher = site.data.get("publisher")
    if isinstance(publisher, dict) and publisher.get("contact"):
        return []
    where = site.where(("publisher",)) if isinstance(publisher, dict) else site.where()
    return [Problem(
        where,
        "a production build needs a way for readers to report an error: publisher.contact "
        "is not set",
        "Add `contact:` under `publisher:` in site.yaml: the address of a corrections form "
        "or contact page (https://...) or an e-mail address the desk reads. Without "
        "--production the site builds as a preview and says that no contact is set.",
    )]


def check_url(text: str) -> str:
    """An absolute http(s) URL, or ValueError saying what is wrong."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise ValueError(f"{text!r} is not an http(s) URL ({shown})")
    if not parts.netloc or any(c.isspace() for c in text):
        raise ValueError(f"{text!r} is not a complete URL")
    return text


NON_BLANK = "\\S"
"""The schema pattern of text that must hold more than white space (a quote, a prefix)."""

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


EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def check_contact(text: str) -> str:
    """An https:// address or an e-mail address (written plain or as mailto:), or ValueError."""
    address = text.removeprefix("mailto:")
    if EMAIL_RE.match(address):
        return text
    if text.startswith(("http://", "https://")):
        return check_url(text)
    raise ValueError(f"{text!r} is neither an https:// address nor an e-mail address")


def _is_contact(value: Any) -> bool:
    return not isinstance(value, str) or bool(check_contact(value))


def _is_date(value: Any) -> bool:
    return not isinstance(value, str) or bool(PartialDate.parse(value))


def _is_url(value: Any) -> bool:
    return not isinstance(value, str) or bool(check_url(value))


def _is_base_url(value: Any) -> bool:
    return not isinstance(value, str) or bool(check_base_url(value))


FORMAT_CHECKS: dict[str, Callable[[Any], bool]] = {
    "partial-date": _is_date,
    "http-url": _is_url,
    "contact": _is_contact,
    "base-url": _is_base_url,
}
"""The schemas' own formats: each check is true of a value in the format, and false of (or
raises ValueError for) any other. No other format is checked."""

FORMATS = jsonschema.FormatChecker(formats=())
for _name, _check in FORMAT_CHECKS.items():
    FORMATS.checks(_name, raises=ValueError)(_check)


def _passes(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def passes(value: Any) -> bool:
        try:
            return bool(check(value))
        except ValueError:
            return False

    return passes


@cache
def _whole(pattern: str) -> re.Pattern[str]:
    """A schema pattern as JSON Schema (ECMA 262) reads it: `$` is the end of the text,
    never a place before a final newline, so that an id "x\\n" does not pass."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + "\\Z"
    return re.compile(pattern)


def _pattern_keyword(
    validator: Any, pattern: str, instance: Any, subschema: Any
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not _whole(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_Draft7 = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft7Validator, {"pattern": _pattern_keyword}
)


@cache
def _validator(kind: str) -> Any:
    return _Draft7(load_schema(kind), format_checker=FORMATS)


@cache
def _valid(kind: str) -> Callable[[Any], bool]:
    """Whether data passes the kind's schema, by the schema compiled to Python code
    (fastjsonschema; about five times quicker than jsonschema's walk of it). Most records
    pass and need nothing more; only the others are walked by `_validator`, which finds every
    error with its path. A record this passes is not walked, so the two must agree: this
    reads patterns as `_whole` does (`$` is the end of the text) and runs the same format
    checks, and tests/test_validate.py holds the two to the same verdict."""
    compiled = fastjsonschema.compile(
        load_schema(kind), formats={name: _passes(check) for name, check in FORMAT_CHECKS.items()},
        use_default=False)

    def valid(data: Any) -> bool:
        try:
            compiled(data)
        except Exception:  # noqa: BLE001 - any doubt is settled by the walk
            return False
        return True

    return valid


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
    if _valid(record.kind)(data):
        return []
    errors = list(_validator(record.kind).iter_errors(data))
    enum_paths = {tuple(e.absolute_path) for e in errors if e.validator == "enum"}
    problems: list[Problem] = []
    seen: set[tuple[str, JsonPath, tuple[Any, ...]]] = set()
    for error in errors:
        path: JsonPath = tuple(error.absolute_path)
        if error.validator == "type" and path in enum_paths:
            continue  # the enum error already says what is expected
        once = (str(error.validator), path, tuple(error.schema_path))
        if once in seen:
            continue  # `required` and `dependencies` give one error per missing key
        seen.add(once)
        problems.extend(_translate(error, record))
    return problems


def check_page(page: PageFile) -> Problem | None:
    """A page's id is free and its first line is its title."""
    where = Location(page.rel_path, 1, 1)
    if page.id in RESERVED_PAGE_IDS:
        return Problem(
            where,
            f"page id {page.id!r} is taken by the site's own pages",
            "Rename the file; reserved: " + ", ".join(sorted(RESERVED_PAGE_IDS)) + ".",
        )
    first = page.text.partition("\n")[0]
    if not first.startswith("# ") or not first[2:].strip():
        return Problem(
            where,
            "a page must start with its title as `# Title`",
            "Make the first line a level-one heading, e.g. `# About`.",
        )
    for found in GLOSSARY_RE.finditer(page.text):
        if found.group(1) not in VOCABULARIES:
            line = page.text.count("\n", 0, found.start()) + 1
            return Problem(
                Location(page.rel_path, line, found.start(1) - found.start() + 1),
                f"no vocabulary {found.group(1)!r} to list",
                "Write one of: " + ", ".join(f"{{{{ glossary: {name} }}}}" for name in VOCABULARIES)
                + ".",
            )
    return None


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


@dataclass(frozen=True, slots=True)
class _Error:
    """What a schema error says, typed: the parts each translation reads."""

    record: Record
    path: JsonPath
    where: Location
    prefix: str
    """The key's path and a colon (`appearances[0].quote: `), or nothing at the top."""
    instance: Any
    value: Any
    """The failed keyword's value in the schema (the list of required keys, the enum...)."""
    node: Mapping[str, Any]
    """The schema node holding the keyword."""
    conditional: bool
    """The keyword applies here because of an if/then/else."""


def _translate(error: jsonschema.ValidationError, record: Record) -> list[Problem]:
    """Problems for one schema error, chosen by its keyword and worded from its structured
    parts (never from jsonschema's own messages)."""
    path: JsonPath = tuple(error.absolute_path)
    label = _path_label(path)
    parts = _Error(
        record=record,
        path=path,
        where=record.where(path),
        prefix=f"{label}: " if label else "",
        instance=error.instance,
        value=error.validator_value,
        node=error.schema if isinstance(error.schema, Mapping) else {},
        conditional=any(step in ("then", "else") for step in error.schema_path),
    )
    translate = _TRANSLATIONS.get(str(error.validator))
    if translate is None:
        return [
            Problem(
                parts.where,
                f"{parts.prefix}does not meet the schema's {error.validator!r} rule",
                "See docs/format.md for this key.",
            )
        ]
    return translate(parts)


def _required(e: _Error) -> list[Problem]:
    instance = e.instance if isinstance(e.instance, dict) else {}
    known = e.node.get("properties", {})
    unknown = [k for k in instance if known and k not in known]
    missing = [
        k for k in e.value
        if k not in instance and not difflib.get_close_matches(k, unknown, n=1, cutoff=0.6)
    ]  # a misspelt key is reported once, as unknown, with the right name suggested
    root = load_schema(e.record.kind)
    out = []
    for key in missing:
        description = _subschema_at(root, e.path + (key,)).get("description", "")
        out.append(
            Problem(
                e.where,
                f"{e.prefix}missing required key {key!r}{' here' if e.conditional else ''}",
                f"Add `{key}:`. " + (description or "See docs/format.md."),
            )
        )
    return out


def _dependencies(e: _Error) -> list[Problem]:
    instance = e.instance if isinstance(e.instance, dict) else {}
    out = []
    for trigger, needs in e.value.items():
        if trigger not in instance or not isinstance(needs, list):
            continue
        for needed in needs:
            if needed not in instance:
                description = e.node.get("properties", {}).get(needed, {}).get("description", "")
                out.append(
                    Problem(
                        e.record.where_key(e.path + (trigger,)),
                        f"{e.prefix}{trigger!r} needs {needed!r} beside it",
                        f"Add `{needed}:`. " + (description or "See docs/format.md."),
                    )
                )
    return out


def _additional_properties(e: _Error) -> list[Problem]:
    properties = e.node.get("properties", {})
    known = sorted(properties)
    out = []
    for key in sorted(k for k in e.instance if k not in properties):
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"Did you mean {close[0]!r}? " if close else ""
        hint += "Known keys here: " + ", ".join(known) + "."
        out.append(Problem(e.record.where_key(e.path + (key,)), f"{e.prefix}unknown key {key!r}", hint))
    return out


def _enum(e: _Error) -> list[Problem]:
    allowed = ", ".join(str(v) for v in e.value)
    close = difflib.get_close_matches(str(e.instance), [str(v) for v in e.value], n=1)
    hint = f"Did you mean {close[0]!r}? " if close else ""
    return [
        Problem(
            e.where,
            f"{e.prefix}expected one of {allowed}; got {_kind(e.instance)}",
            hint + "Pick one of the listed values (quote it if YAML reads it as something else).",
        )
    ]


def _type(e: _Error) -> list[Problem]:
    names = [e.value] if isinstance(e.value, str) else list(e.value)
    wanted = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    hint = "See docs/format.md for this key."
    if "string" in names and isinstance(e.instance, (dict, list)):
        hint = "If the text contains `: ` or starts with `[`, `{` or `-`, wrap it in double quotes."
    elif "boolean" in names:
        hint = "Write true or false (YAML words such as yes, no, on, off are read as text here)."
    elif "array" in names:
        hint = "Write a list: `[a, b]` or one `- item` per line."
    elif "object" in names and e.node.get("properties"):
        keys = ", ".join(e.node["properties"])
        hint = f"Write it as a mapping of {keys} (see docs/format.md)."
    return [Problem(e.where, f"{e.prefix}expected {wanted}; got {_kind(e.instance)}", hint)]


_FORMAT_HINTS = {
    "partial-date": "Write the date at the precision known: 2021, 2021-08 or 2021-08-17.",
    "http-url": "Use a full address starting with https:// (or http://).",
    "contact": "Write the address of a form or contact page (https://...) or an e-mail address.",
    "base-url": "Use the address the site is served from, e.g. https://example.org/ "
    "(no ?query, #fragment or user@).",
}


def _format(e: _Error) -> list[Problem]:
    checker = {"partial-date": PartialDate.parse, "http-url": check_url,
               "contact": check_contact, "base-url": check_base_url}.get(str(e.value))
    message = f"{_kind(e.instance)} is not valid here"
    if checker is not None and isinstance(e.instance, str):
        try:
            checker(e.instance)
        except ValueError as exc:
            message = str(exc)
    return [Problem(e.where, f"{e.prefix}{message}", _FORMAT_HINTS.get(str(e.value), ""))]


def _pattern(e: _Error) -> list[Problem]:
    if e.value == NON_BLANK:
        if e.instance == "":
            return []  # minLength says it
        return [Problem(e.where, f"{e.prefix}must not be blank", "Write a value or remove the key.")]
    if e.value == ID_PATTERN:
        return [
            Problem(
                e.where,
                f"{e.prefix}{_kind(e.instance)} is not a valid id",
                "Ids are lower-case letters, digits and single hyphens, "
                f"e.g. {suggest_id(str(e.instance))!r}.",
            )
        ]
    if "/" in str(e.value):
        return [
            Problem(
                e.where,
                f"{e.prefix}{_kind(e.instance)} is not an article id",
                "Write outlet/slug: the article's path under articles/ without `.txt`.",
            )
        ]
    description = e.node.get("description", "")
    return [Problem(e.where, f"{e.prefix}{_kind(e.instance)} is not valid", description)]


def _min_length(e: _Error) -> list[Problem]:
    return [Problem(e.where, f"{e.prefix}must not be empty", "Write a value or remove the key.")]


def _max_length(e: _Error) -> list[Problem]:
    return [Problem(
        e.where,
        f"{e.prefix}{len(str(e.instance)):,} characters; the limit is {e.value:,}",
        "Shorten it (see the limits in docs/format.md).",
    )]


def _max_items(e: _Error) -> list[Problem]:
    return [Problem(
        e.where,
        f"{e.prefix}{len(e.instance):,} items; the limit is {e.value:,}",
        "See the limits in docs/format.md.",
    )]


def _one_of(e: _Error) -> list[Problem]:
    choices = []
    for option in e.value:
        if "enum" in option:
            choices += [str(v) for v in option["enum"]]
        for key in option.get("properties", {}):
            choices.append(f"{key}: ...")
    return [Problem(
        e.where,
        f"{e.prefix}expected one of: {', '.join(choices)}; got {_kind(e.instance)}",
        e.node.get("description", "") or "See docs/format.md.",
    )]


def _const(e: _Error) -> list[Problem]:
    return [Problem(e.where, f"{e.prefix}expected {json.dumps(e.value)}; got {_kind(e.instance)}",
                    e.node.get("description", "") or "See docs/format.md.")]


def _min_items(e: _Error) -> list[Problem]:
    return [Problem(e.where, f"{e.prefix}needs at least {e.value} items", "")]


def _unique_items(e: _Error) -> list[Problem]:
    return [Problem(e.where, f"{e.prefix}lists the same item twice", "Remove the repeated item.")]


def _one_property(e: _Error) -> list[Problem]:
    keys = ", ".join(e.node.get("properties", {})) or "one key"
    return [
        Problem(
            e.where,
            f"{e.prefix}write exactly one of {keys}",
            "Each entry names one thing, e.g. `- source: un-s-2022-419`.",
        )
    ]


_TRANSLATIONS: dict[str, Callable[[_Error], list[Problem]]] = {
    "required": _required,
    "dependencies": _dependencies,
    "additionalProperties": _additional_properties,
    "enum": _enum,
    "type": _type,
    "format": _format,
    "pattern": _pattern,
    "minLength": _min_length,
    "maxLength": _max_length,
    "maxItems": _max_items,
    "oneOf": _one_of,
    "const": _const,
    "minItems": _min_items,
    "uniqueItems": _unique_items,
    "minProperties": _one_property,
    "maxProperties": _one_property,
}
"""jsonschema's keyword -> the problems it means, for every keyword the schemas use."""


def check_references(
    records: Iterable[Record], unreadable: Iterable[tuple[str, str]] = (),
    made: Made | None = None,
) -> list[Problem]:
    """Every reference between files resolves, and cross-file rules hold. `unreadable`
    names (kind, id) of files that exist but could not be parsed: references to them are
    not reported again. `made` is what earlier checks found (in a preview server: a claim's
    references are checked again only when the claim or a record it names changed)."""
    by_kind: dict[str, dict[str, Any]] = {}
    for record in records:
        by_kind.setdefault(record.kind, {})[record.id] = record
    for kind, record_id in unreadable:
        by_kind.setdefault(kind, {}).setdefault(record_id, None)
    outlets = by_kind.get("outlet", {})
    sources = by_kind.get("source", {})
    articles = by_kind.get("article", {})
    problems: list[Problem] = []
    if made is not None:
        made.turn()
    reuse = made.make if made is not None else plain

    passages: dict[str, dict[str, Mapping[str, Any]]] = {}
    for source in sources.values():
        if source is None:
            continue
        found, source_problems = reuse(source, _source_passages, outlets)
        problems.extend(source_problems)
        if found:
            passages[source.id] = found

    for article in articles.values():
        if article is None:
            continue
        problems.extend(reuse(article, _article_references, outlets, sources, articles))

    entities = by_kind.get("entities", {}).get("entities")
    if entities is not None:
        problems.extend(_entity_rules(entities))
    site = by_kind.get("site", {}).get("site")
    editors = reuse(site, _editor_ids) if site is not None else None
    claims = [claim for claim in by_kind.get("claim", {}).values() if claim is not None]
    problems.extend(itertools.chain.from_iterable(each(
        made, claims, _claim_references, sources, passages, articles, outlets, args=(editors,))))
    return problems


IN_SOURCES = "Use the name of a file in sources/ without .yaml."
IN_ARTICLES = "Use outlet/slug: the path under articles/ without .txt."


def _nearest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.75)
    return f"Did you mean {close[0]!r}? " if close else ""


def _dangling(
    problems: list[Problem], record: Record, path: JsonPath, what: str, value: Any,
    known: Mapping[str, Any], hint: str,
) -> bool:
    """Report a reference to a `what` that does not exist; True when it was reported."""
    if not isinstance(value, str) or value in known:
        return False
    problems.append(
        Problem(
            record.where(path),
            f"{_path_label(path)}: no {what} {value!r}",
            _nearest(value, known) + hint,
        )
    )
    return True


def _source_passages(
    source: Record, outlets: Mapping[str, Any]
) -> tuple[dict[str, Mapping[str, Any]], tuple[Problem, ...]]:
    """A source's passages by id, and the problems of their ids and of what they rest on."""
    problems: list[Problem] = []
    found: dict[str, Mapping[str, Any]] = {}
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
        found[pid] = passage
        for j, outlet in enumerate(_list(passage, "rests_on")):
            _dangling(problems, source, ("passages", i, "rests_on", j), "outlet", outlet,
                      outlets, "rests_on lists ids of files in outlets/.")
    return found, tuple(problems)


def _article_references(
    article: Record, outlets: Mapping[str, Any], sources: Mapping[str, Any],
    articles: Mapping[str, Any],
) -> tuple[Problem, ...]:
    problems: list[Problem] = []
    outlet_id = article.id.split("/")[0]
    if outlet_id not in outlets:
        problems.append(
            Problem(
                article.where(),
                f"article folder {outlet_id!r} names no outlet",
                _nearest(outlet_id, outlets)
                + f"Create outlets/{outlet_id}.yaml or move the article into an existing outlet's folder.",
            )
        )
    for i, cite in enumerate(_list(article.data, "cites")):
        if isinstance(cite, dict):
            _dangling(problems, article, ("cites", i, "source"), "source", cite.get("source"),
                      sources, IN_SOURCES)
            _dangling(problems, article, ("cites", i, "article"), "article",
                      cite.get("article"), articles, IN_ARTICLES)
    return tuple(problems)


def _claim_references(
    claim: Record, editors: Mapping[str, Any] | None, sources: Mapping[str, Any],
    passages: Mapping[str, Mapping[str, Mapping[str, Any]]], articles: Mapping[str, Any],
    outlets: Mapping[str, Any],
) -> tuple[Problem, ...]:
    problems: list[Problem] = []

    def dangling(record: Record, path: JsonPath, what: str, value: Any,
                 known: Mapping[str, Any], hint: str) -> bool:
        return _dangling(problems, record, path, what, value, known, hint)

    data = claim.data if isinstance(claim.data, dict) else {}
    primary = data.get("primary")
    cited: Mapping[str, Any] | None = None
    source_id = primary.get("source") if isinstance(primary, dict) else None
    if isinstance(source_id, str):
        missing = dangling(claim, ("primary", "source"), "source", source_id, sources,
                           IN_SOURCES)
        pid = primary.get("passage") if isinstance(primary, dict) else None
        if not missing and isinstance(pid, str) and sources[source_id] is not None:
            known = passages.get(source_id, {})
            if pid not in known:
                listed = ", ".join(sorted(known)) or "none"
                problems.append(
                    Problem(
                        claim.where(("primary", "passage")),
                        f"primary.passage: source {source_id!r} has no passage {pid!r}",
                        _nearest(pid, known) + f"Its passages: {listed}.",
                    )
                )
            else:
                cited = known[pid]
    problems.extend(_status_rules(claim, data, cited, sources))
    superseding = data.get("superseded_by")
    if not dangling(claim, ("superseded_by",), "source", superseding, sources,
                    IN_SOURCES) and isinstance(superseding, str) and superseding == source_id:
        problems.append(Problem(
            claim.where(("superseded_by",)),
            "superseded_by: names the claim's own primary source",
            "Name the later source that supersedes it.",
        ))
    for j, editor in enumerate(_list(data, "reviewed_by")):
        if editors is not None:
            dangling(claim, ("reviewed_by", j), "editor", editor, editors,
                     "List the editor under site.yaml's editors (id and name).")
    problems.extend(_update_rules(claim, data))
    seen_quotes: dict[tuple[str, str, str, str], int] = {}
    for i, appearance in enumerate(_list(data, "appearances")):
        if not isinstance(appearance, dict):
            continue
        article_id = appearance.get("article")
        dangling(claim, ("appearances", i, "article"), "article", article_id, articles,
                 IN_ARTICLES)
        problems.extend(_credit_rules(claim, i, appearance, source_id, dangling, sources,
                                      articles, outlets))
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
    return tuple(problems)


# Editorial rules


@dataclass(frozen=True, slots=True)
class StatusRule:
    """What a claim of one status needs."""

    source: bool | None
    """True: it must name a primary source; False: it must not; None: either."""
    checked_passage: bool
    """It must rest on a passage whose words were read in the document (checked: true)."""
    superseded_by: bool
    """It must name the later source that supersedes its own."""
    meaning: str
    """What the status says, for the problem's hint."""


STATUS_RULES: dict[str, StatusRule] = {
    "confirmed": StatusRule(True, True, False, "checked against the document: it says this"),
    "misrepresented": StatusRule(
        True, True, False, "checked against the document: it says something materially different"
    ),
    "not-in-source": StatusRule(True, True, False, "checked: the cited document does not contain it"),
    "outdated": StatusRule(True, False, True, "a later primary source supersedes it"),
    "unchecked": StatusRule(True, False, False, "the document is identified, not yet checked"),
    "unlocated": StatusRule(False, False, False, "no primary source could be identified"),
}
"""The rules the build enforces for each primary-source status (docs/format.md lists them)."""


def _status_rules(
    claim: Record, data: Mapping[str, Any], passage: Mapping[str, Any] | None,
    sources: Mapping[str, Any],
) -> list[Problem]:
    status = data.get("status")
    if not isinstance(status, str) or status not in STATUS_RULES:
        return []  # the schema reports an unknown status
    rule = STATUS_RULES[status]
    where = claim.where(("status",))
    primary = data.get("primary")
    if not isinstance(primary, dict):
        primary = {}
    named = isinstance(primary.get("source"), str)
    out: list[Problem] = []
    if rule.source is False and named:
        out.append(Problem(
            where,
            f"status: {status} means {rule.meaning}, but primary names one",
            "Remove `primary:` or choose another status (e.g. unchecked).",
        ))
    if rule.checked_passage and named and primary["source"] in sources:
        if not isinstance(primary.get("passage"), str):
            out.append(Problem(
                where,
                f"status: a {status} claim needs the checked passage it rests on",
                f"{status.capitalize()} means {rule.meaning}. Add primary.passage naming a "
                "passage with checked: true, or use `unchecked`.",
            ))
        elif passage is not None and passage.get("checked") is not True:
            out.append(Problem(
                where,
                f"status: a claim cannot be {status} against a passage that was not checked",
                f"{status.capitalize()} means {rule.meaning}. Passage {primary['passage']!r} of "
                f"{primary['source']!r} has checked: false. Use `unchecked` until its words are "
                "read in the document, then set checked: true with a locator.",
            ))
    return out


def _update_rules(claim: Record, data: Mapping[str, Any]) -> list[Problem]:
    """The review date is never older than the newest update."""
    reviewed = data.get("reviewed")
    try:
        review = PartialDate.parse(reviewed) if isinstance(reviewed, str) else None
    except ValueError:
        return []  # the schema reports it
    newest: tuple[int, PartialDate] | None = None
    for i, update in enumerate(_list(data, "updates")):
        date = update.get("date") if isinstance(update, dict) else None
        try:
            parsed = PartialDate.parse(date) if isinstance(date, str) else None
        except ValueError:
            continue
        if parsed is not None and (newest is None or parsed.sort_key() > newest[1].sort_key()):
            newest = (i, parsed)
    if review is None or newest is None or review.sort_key() >= newest[1].sort_key():
        return []
    return [Problem(
        claim.where(("reviewed",)),
        f"reviewed: {review.iso()} is older than the newest update "
        f"(updates[{newest[0]}], {newest[1].iso()})",
        "An update is a review: set `reviewed:` to the date of the newest update, or later.",
    )]


def _credit_rules(
    claim: Record, i: int, appearance: Mapping[str, Any], source_id: str | None,
    dangling: Callable[..., bool], sources: Mapping[str, Any], articles: Mapping[str, Any],
    outlets: Mapping[str, Any],
) -> list[Problem]:
    """What an appearance credits resolves, and agrees with its attribution."""
    credit = appearance.get("credited_to")
    if not isinstance(credit, dict) or len(credit) != 1:
        return []
    ((kind, ref),) = credit.items()
    path: JsonPath = ("appearances", i, "credited_to", kind)
    known = {"source": sources, "article": articles, "outlet": outlets}.get(kind)
    if known is not None and dangling(claim, path, kind, ref, known,
                                      f"credited_to.{kind} names a file in {kind}s/."):
        return []
    attribution = appearance.get("attribution")
    if kind == "source" and source_id is not None and attribution == "correct" and ref != source_id:
        return [Problem(
            claim.where(path),
            f"appearances[{i}]: attribution is correct but credited_to names {ref!r}, not the "
            f"claim's source {source_id!r}",
            "The right words credited to the wrong document are `attribution: wrong`.",
        )]
    if kind == "source" and attribution == "wrong" and ref == source_id:
        return [Problem(
            claim.where(path),
            f"appearances[{i}]: attribution is wrong but credited_to names the claim's own source",
            "Use `attribution: correct`, or name the document the outlet credits instead.",
        )]
    return []


ENTITY_RELATIONS = ("branch_of", "affiliate_of", "part_of")
"""The fields of an entity that name another entity."""


def _entity_rules(record: Record) -> list[Problem]:
    """Ids are unique, relations name entities of the file and never loop, and a name or an
    alias names one entity only."""
    items = [e for e in _list(record.data, "entities") if isinstance(e, dict)]
    problems: list[Problem] = []
    ids: dict[str, int] = {}
    names: dict[str, str] = {}
    for i, entity in enumerate(items):
        entity_id = entity.get("id")
        if not isinstance(entity_id, str):
            continue
        if entity_id in ids:
            problems.append(Problem(record.where(("entities", i, "id")),
                                    f"entities[{i}].id: {entity_id!r} is entities[{ids[entity_id]}] too",
                                    "Give each entity its own id."))
            continue
        ids[entity_id] = i
        spelled = [("name", entity.get("name"))] + [
            (k, alias) for k, alias in enumerate(_list(entity, "aliases"))]
        for key, name in spelled:
            if not isinstance(name, str):
                continue
            folded = " ".join(normalise(name, case=True).text.replace("-", " ").split())
            other = names.setdefault(folded, entity_id)
            if other != entity_id:
                path: JsonPath = ("entities", i, "name") if key == "name" else (
                    "entities", i, "aliases", key)
                problems.append(Problem(record.where(path),
                                        f"{_path_label(path)}: {name!r} already names {other!r}",
                                        "A name or an alias stands for one entity only: a group "
                                        "and its branch are two entities, related by branch_of."))
    for i, entity in enumerate(items):
        for field in ENTITY_RELATIONS:
            target = entity.get(field)
            if isinstance(target, str) and target not in ids:
                close = difflib.get_close_matches(target, sorted(ids), n=1, cutoff=0.75)
                problems.append(Problem(
                    record.where(("entities", i, field)),
                    f"entities[{i}].{field}: no entity {target!r}",
                    (f"Did you mean {close[0]!r}? " if close else "")
                    + "Name the id of another entity of this file."))
    parents = {e["id"]: [e[f] for f in ENTITY_RELATIONS if isinstance(e.get(f), str)]
               for e in items if isinstance(e.get("id"), str)}
    for entity_id, i in ids.items():
        seen, queue = set(), list(parents.get(entity_id, ()))
        while queue:
            up = queue.pop()
            if up == entity_id:
                problems.append(Problem(record.where(("entities", i)),
                                        f"entities[{i}]: its relations lead back to {entity_id!r}",
                                        "An entity cannot be a branch, affiliate or part of "
                                        "itself, even through others."))
                break
            if up not in seen:
                seen.add(up)
                queue.extend(parents.get(up, ()))
    return problems


def _editor_ids(site: Record | None) -> dict[str, Any] | None:
    """The editors site.yaml lists, by id (None when site.yaml could not be read)."""
    if site is None or not isinstance(site.data, dict):
        return None
    return {e["id"]: e for e in _list(site.data, "editors") if isinstance(e, dict)
            and isinstance(e.get("id"), str)}


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []

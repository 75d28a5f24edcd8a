"""admin/config.yml (Decap CMS) against the JSON Schemas: the same keys, the same required
ones, compatible widgets; and the admin page itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import theme
from generator.schema import load_schema

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = {
    "claims": ("claim", "content/claims", "yaml"),
    "articles": ("article", "content/articles", "txt"),
    "sources": ("source", "content/sources", "yaml"),
    "outlets": ("outlet", "content/outlets", "yaml"),
}
EXTRA_FIELDS = {"articles": {"body"}}
"""Fields that are not front matter keys: an article's text after the front matter."""

WIDGETS = {
    "string": {"string", "text", "select", "relation"},
    "boolean": {"boolean"},
    "array": {"list", "relation", "select"},
    "object": {"object"},
}


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "admin/config.yml").read_text("utf-8"))
    return loaded


def collection(config: dict[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in config["collections"] if c["name"] == name]
    assert len(found) == 1, name
    return found[0]


def test_github_backend_and_collections(config: dict[str, Any]) -> None:
    assert config["backend"]["name"] == "github"
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", config["backend"]["repo"])
    assert config["backend"]["branch"] == "main"
    assert config["media_folder"]
    assert sorted(c["name"] for c in config["collections"]) == sorted(COLLECTIONS)
    for name, (_, folder, extension) in COLLECTIONS.items():
        found = collection(config, name)
        assert found["folder"] == folder
        assert found["extension"] == extension


def test_articles_are_front_matter_text_files(config: dict[str, Any]) -> None:
    articles = collection(config, "articles")
    assert articles["format"] == "yaml-frontmatter"
    assert articles["nested"]["depth"] == 2, "articles/<outlet>/<slug>.txt"
    assert articles["create"] is False, "new articles come from `new article --from`"
    body = [f for f in articles["fields"] if f["name"] == "body"]
    assert body and body[0]["widget"] == "text"


def field_problems(fields: list[dict[str, Any]], schema: dict[str, Any], where: str,
                   parent_required: bool = True, extra: frozenset[str] = frozenset()) -> list[str]:
    """Every way `fields` departs from the schema object `schema`."""
    problems: list[str] = []
    props: dict[str, Any] = schema.get("properties", {})
    branches = [schema, *schema.get("allOf", ())]
    required = set(schema.get("required", ()))
    conditional = {
        key for part in branches for branch in ("then", "else")
        for key in part.get(branch, {}).get("required", ())
    } - required
    names = [f["name"] for f in fields]
    if len(names) != len(set(names)):
        problems.append(f"{where}: a field is listed twice")
    for missing in sorted(set(props) - set(names)):
        problems.append(f"{where}.{missing}: in the schema but not a field")
    for unknown in sorted(set(names) - set(props) - extra):
        problems.append(f"{where}.{unknown}: a field the schema does not know (check rejects it)")
    for field in fields:
        name = field["name"]
        prop = props.get(name)
        if prop is None:
            continue
        label = f"{where}.{name}"
        is_required = field.get("required", True) is not False
        if name in conditional:
            if is_required:
                problems.append(f"{label}: required only under a condition, so not required here")
        elif name in required and parent_required and not is_required:
            problems.append(f"{label}: required in the schema but optional here")
        elif name not in required and is_required and field["widget"] != "boolean":
            problems.append(f"{label}: optional in the schema but required here")
        kind = prop.get("type")
        widget = field["widget"]
        if widget not in WIDGETS.get(kind, set()):
            problems.append(f"{label}: widget {widget} for a {kind}")
            continue
        if widget == "select" and kind == "array":
            if not field.get("multiple") or field["options"] != prop.get("items", {}).get("enum"):
                problems.append(f"{label}: a list of choices needs multiple: true and the "
                                "schema's items as options")
        elif widget == "select" and field["options"] != prop.get("enum"):
            problems.append(f"{label}: options {field['options']} are not {prop.get('enum')}")
        if "enum" in prop and widget != "select":
            problems.append(f"{label}: a closed vocabulary needs a select")
        if widget == "relation" and kind == "array" and not field.get("multiple"):
            problems.append(f"{label}: a list of ids needs multiple: true")
        if widget == "relation":
            if field.get("value_field") != "{{slug}}":
                problems.append(f"{label}: a relation stores the file name, {{{{slug}}}}")
        elif kind == "string" and (pattern := _expected_pattern(prop)) is not None:
            given = (field.get("pattern") or [None])[0]
            if given is None or not _same_language(given, pattern):
                problems.append(f"{label}: pattern {given!r} does not match the schema's")
        if kind == "object":
            problems += field_problems(field.get("fields", []), prop, label, is_required)
        if kind == "array" and prop.get("items", {}).get("type") == "object":
            problems += field_problems(field.get("fields", []), prop["items"], label + "[]")
        is_text_list = kind == "array" and prop.get("items", {}).get("type") == "string"
        if is_text_list and widget == "list" and ("fields" in field or "field" in field):
            problems.append(f"{label}: a list of text has no sub-fields")
    return problems


PATTERN_SAMPLES = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": (["un-s-2022-419", "a"], ["Bad", "a--b", "-a", "a_b", ""]),
    "^[a-z0-9]+(-[a-z0-9]+)*/[a-z0-9]+(-[a-z0-9]+)*$": (["redstate/thanks-joe"], ["redstate", "a/B"]),
    "^[A-Z]{2}$": (["GB", "US"], ["gb", "GBR"]),
    "\\S": (["a", " a ", "\u201c"], [" ", "\n\t", ""]),
    "partial-date": (["2021", "2021-08", "2021-08-17"], ["2021-13", "21-08", "2021-8", "Aug 2021"]),
    "http-url": (["https://example.org/a", "http://x.org"], ["ftp://x.org", "example.org", "javascript:x"]),
    "^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$": (["en", "en-GB", "fr-FR", "zh-Hant-TW"], ["EN", "en_GB", "e", "en-"]),
    "^[0-9a-f]{64}$": (["0" * 64, "7ef1321b" * 8], ["0" * 63, "0" * 65, "A" * 64, "g" * 64]),
}


def _expected_pattern(prop: dict[str, Any]) -> str | None:
    if "pattern" in prop:
        return str(prop["pattern"])
    if prop.get("format") in ("partial-date", "http-url"):
        return str(prop["format"])
    return None


def _same_language(given: str, expected: str) -> bool:
    accept, reject = PATTERN_SAMPLES[expected]
    regex = re.compile(given)
    return all(regex.search(s) for s in accept) and not any(regex.search(s) for s in reject)


@pytest.mark.parametrize("name", sorted(COLLECTIONS))
def test_fields_match_the_schema(config: dict[str, Any], name: str) -> None:
    schema = load_schema(COLLECTIONS[name][0])
    fields = collection(config, name)["fields"]
    assert field_problems(fields, schema, name, extra=frozenset(EXTRA_FIELDS.get(name, ()))) == []


def test_the_check_finds_departures() -> None:
    schema = load_schema("outlet")
    fields: list[dict[str, Any]] = [
        {"name": "name", "widget": "string", "required": False},
        {"name": "identified", "widget": "string"},
        {"name": "homepage", "widget": "string", "required": False, "pattern": ["^.*$", "any"]},
        {"name": "website", "widget": "string"},
    ]
    assert field_problems(fields, schema, "outlets") == [
        "outlets.country: in the schema but not a field",
        "outlets.notes: in the schema but not a field",
        "outlets.website: a field the schema does not know (check rejects it)",
        "outlets.name: required in the schema but optional here",
        "outlets.identified: optional in the schema but required here",
        "outlets.identified: widget string for a boolean",
        "outlets.homepage: pattern '^.*$' does not match the schema's",
    ]


def test_admin_page_pins_decap_without_inline_script() -> None:
    page = (REPO / "admin/index.html").read_text("utf-8")
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert len(scripts) == 1
    assert re.search(r'src="https://unpkg\.com/decap-cms@\d+\.\d+\.\d+/dist/decap-cms\.js"', scripts[0])
    assert re.search(r'integrity="sha384-[A-Za-z0-9+/]{64}"', scripts[0])
    assert 'crossorigin="anonymous"' in scripts[0]
    assert len(re.findall(r"<script\b[^>]*>\s*</script>", page)) == 1, "no inline code"
    assert "style=" not in page and "<style" not in page


def test_admin_files_for_the_build(tmp_path: Path) -> None:
    files = theme.load_shipped(REPO).admin
    assert sorted(files) == ["admin/config.yml", "admin/index.html"]
    assert files["admin/config.yml"] == (REPO / "admin/config.yml").read_bytes()
    assert theme.load_shipped(tmp_path).admin == {}

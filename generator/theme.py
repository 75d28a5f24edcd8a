"""A theme folder, node_modules and admin/ -> the Theme, and the files the site ships (I/O).

This is the load stage for everything that is not content: templates, static files and the
labels (every word the theme gives readers), lunr.js, and the browser editor."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator.errors import ContentError, Location, Problem
from generator.urls import content_hash

DEFAULT_THEME = "themes/default"
"""The theme a site uses when site.yaml names none, relative to the project root."""
GENERATOR_ROOT = Path(__file__).resolve().parent.parent
BUILTIN_THEMES = GENERATOR_ROOT / "themes"
"""The themes that come with the generator, for content folders that have none."""

LABELS_FILE = "labels.yaml"
"""The theme's words for the site's vocabularies, in the theme folder."""

LUNR_JS = "node_modules/lunr/lunr.min.js"
"""Where `npm ci` puts the browser build of lunr.js, relative to the project root."""

ADMIN_FILES = ("index.html", "config.yml")
"""The browser editor (Decap CMS): the page that loads it, and its configuration, in admin/."""


@dataclass(frozen=True, slots=True)
class StaticFile:
    name: str
    """Its path under the theme's static/ (POSIX), as templates name it: `style.css`."""
    out_path: str
    """Where the site serves it: `assets/<name>.<hash8>.<ext>`."""
    data: bytes


@dataclass(frozen=True, slots=True)
class Theme:
    root: Path
    """The theme folder."""
    shown_root: Path
    """The folder that template paths in problems are relative to (the project root)."""
    templates: Mapping[str, str]
    """Template name (path under templates/, POSIX) -> its source."""
    static: Mapping[str, StaticFile]
    """Static file name -> the file."""
    labels: Mapping[str, Any]
    """labels.yaml: the theme's words for statuses, attributions, fidelity classes and the like."""

    def template_path(self, name: str) -> str:
        """Where a template is, as problems print it."""
        path = self.root / "templates" / name
        try:
            return path.resolve().relative_to(self.shown_root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


@dataclass(frozen=True, slots=True)
class Shipped:
    """Files the site copies as they are."""

    lunr_path: str
    """`assets/lunr.<hash8>.min.js`."""
    lunr_js: bytes
    admin: Mapping[str, bytes]
    """out path (`admin/index.html`) -> bytes; empty when the project has no admin/ folder."""


def theme_dir_for(content_dir: Path, theme: str | None) -> Path:
    """The theme folder site.yaml's `theme` names (relative to the project root), or the
    default: the project's own themes/default, else the generator's."""
    root = Path(content_dir).resolve().parent
    if theme is not None:
        return root / theme
    local = root / DEFAULT_THEME
    return local if local.is_dir() else BUILTIN_THEMES / "default"


def load_theme(theme_dir: Path, shown_root: Path, named_at: Location) -> Theme:
    """Read a theme; ContentError (at `named_at`, where site.yaml names it, or in the theme's
    own files) when it has no templates/ folder or its labels cannot be read."""
    theme_dir = Path(theme_dir)
    templates_dir = theme_dir / "templates"
    if not templates_dir.is_dir():
        raise ContentError([
            Problem(
                named_at,
                f"theme: no theme at {_shown(theme_dir, shown_root)} (no templates/ folder in it)",
                "Name a folder, relative to the project root, that holds templates/ and static/; "
                "the default is themes/default.",
            )
        ])
    templates = {
        path.relative_to(templates_dir).as_posix(): path.read_text("utf-8")
        for path in sorted(templates_dir.rglob("*"))
        if path.is_file()
    }
    return Theme(
        root=theme_dir,
        shown_root=shown_root,
        templates=templates,
        static=_static_files(theme_dir / "static"),
        labels=_labels(theme_dir / LABELS_FILE, shown_root),
    )


def _labels(path: Path, shown_root: Path) -> Mapping[str, Any]:
    where = Location(_shown(path, shown_root), 1, 1)
    try:
        data = _parsed(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ContentError([
            Problem(where, f"the theme has no {LABELS_FILE}",
                    "A theme holds its words for the site's vocabularies in labels.yaml; "
                    "copy themes/default/labels.yaml and change the words.")
        ]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = Location(where.rel_path, mark.line + 1, mark.column + 1) if mark else where
        raise ContentError([Problem(at, f"malformed YAML in the theme's labels: {exc}")]) from None
    if not isinstance(data, dict):
        raise ContentError([Problem(where, "the theme's labels must be a mapping of keys to values")])
    return data


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> Any:
    """The YAML of a labels file, parsed once for the same text (a preview server reads the
    theme again after every change; the labels are only ever read)."""
    return yaml.safe_load(text)


def _hashed_name(rel: PurePosixPath, digest: str) -> str:
    name = rel.name
    stem, dot, ext = name.rpartition(".")
    hashed = f"{stem}.{digest}.{ext}" if dot and stem else f"{name}.{digest}"
    return str(rel.with_name(hashed))


def _static_files(static: Path) -> dict[str, StaticFile]:
    """Each file under static/, served at `assets/<name>.<hash8>.<ext>`."""
    table: dict[str, StaticFile] = {}
    if not static.is_dir():
        return table
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        rel = PurePosixPath(path.relative_to(static).as_posix())
        data = path.read_bytes()
        out_path = "assets/" + _hashed_name(rel, content_hash(data))
        table[str(rel)] = StaticFile(str(rel), out_path, data)
    return table


def load_shipped(project_root: Path) -> Shipped:
    """lunr.js from the project's npm install (a content folder outside the project, such as a
    scratch tree or a benchmark, uses the generator's own), and the project's admin/ files."""
    project_root = Path(project_root)
    npm_root = project_root if (project_root / "node_modules").is_dir() else GENERATOR_ROOT
    lunr_js = load_lunr_js(npm_root)
    folder = project_root / "admin"
    admin = {
        f"admin/{name}": (folder / name).read_bytes()
        for name in ADMIN_FILES
        if (folder / name).is_file()
    }
    return Shipped(f"assets/lunr.{content_hash(lunr_js)}.min.js", lunr_js, admin)


def load_lunr_js(project_root: Path) -> bytes:
    """The bytes of node_modules/lunr/lunr.min.js; ContentError naming `npm ci` if missing."""
    try:
        return (Path(project_root) / LUNR_JS).read_bytes()
    except FileNotFoundError:
        raise ContentError([
            Problem(Location(LUNR_JS, 1, 1), "lunr.js is not installed",
                    "Run `npm ci` (or `make site`, which runs it).")
        ]) from None


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()

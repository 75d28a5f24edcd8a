"""admin/ at the project root -> the Decap CMS files the build copies to site/admin/ (I/O)."""

from __future__ import annotations

from pathlib import Path

ADMIN_FILES = ("index.html", "config.yml")
"""The browser editor: the page that loads Decap CMS, and its configuration."""


def admin_files(project_root: Path) -> dict[str, bytes]:
    """{out_path: bytes} for site/admin/, or {} when the project has no admin/ folder."""
    folder = Path(project_root) / "admin"
    return {
        f"admin/{name}": (folder / name).read_bytes()
        for name in ADMIN_FILES
        if (folder / name).is_file()
    }

"""{out_path: bytes} -> the output folder, swapped in whole or not at all (I/O)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_site(files: Mapping[str, bytes], out_dir: Path) -> None:
    """Write every file into a temporary folder beside `out_dir`, then swap it in.

    Until the swap, `out_dir` is untouched; if anything fails the temporary folder is
    removed and the previous site stays exactly as it was."""
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        for out_path in sorted(files):
            target = tmp_dir / out_path
            if ".." in Path(out_path).parts or Path(out_path).is_absolute():
                raise ValueError(f"refusing to write outside the site: {out_path}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[out_path])
        os.chmod(tmp_dir, 0o755)
        _swap(tmp_dir, out_dir)
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise


def _swap(new_dir: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        new_dir.rename(out_dir)
        return
    old_dir = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old_dir.rmdir()
    out_dir.rename(old_dir)
    try:
        new_dir.rename(out_dir)
    except BaseException:
        old_dir.rename(out_dir)
        raise
    shutil.rmtree(old_dir, ignore_errors=True)

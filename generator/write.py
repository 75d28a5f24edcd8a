"""Pages (out_path, bytes) -> the output folder, swapped in whole or not at all (I/O).

The output folder is the build's own: a build replaces it as a whole, so it must be a
new folder, an empty one, or one that a build wrote before (it holds the marker file
`.generator-site`). `check_out_dir` refuses anything else (the project, the content, a
theme, a repository, a folder of other files) before a single file is touched.

Beside the output folder `site/` live, in the same parent folder:

    .site.lock    the lock: `flock` on it makes a second build into site/ wait (for up to
                  LOCK_WAIT_SECONDS). It is created once and never deleted: deleting a
                  lock file that another process may have opened would let two builds
                  hold two different locks. The kernel releases the lock when its process
                  ends, however it ends, so a killed build never leaves a stale lock.
    .site.new-N   the staging folder a build writes into; once swapped, the same name
                  holds the previous site while it is removed.
    .site.old-N   the previous site during the fallback swap (below).

Every staging folder carries the marker from its first instant, and a removal deletes the
marker last, so that a build that was killed leaves only folders that the next build
recognises and removes: `.site.new-N` and `.site.old-N` folders that carry the marker, or
are empty. Nothing else beside the output folder is ever deleted.

The swap. On Linux the new site and the old one exchange names in one system call,
`renameat2(RENAME_EXCHANGE)`: at every instant, even under SIGKILL, `site/` is the complete
previous site or the complete new one. The first build (no `site/` yet) is one rename.
Where the exchange is unavailable (not Linux, a C library older than glibc 2.28, a file
system that answers EINVAL or ENOSYS), the fallback is two renames, `site/ -> .site.old-N`
then `.site.new-N -> site/`. A process killed between the two leaves no `site/` but a
complete `.site.old-N`; the recovery rule is that the next build, before anything else,
renames the newest `.site.old-N` back to `site/` when `site/` is missing. With the
fallback, readers may therefore find no `site/` from such a kill until the next build
starts; the folder is never half-written.

fsync: none, of files or folders. The guarantee is against the build process being
killed, not the machine losing power: a write() is visible to every other process as soon
as it returns, so after a kill the page cache holds exactly the files that were written.
Surviving a power loss would take an fsync of every file and folder before the swap, which
costs more than the build itself on a large site, for an output that any build recreates
from the content in git. After a crash of the machine, build again.

Signals. An exception (KeyboardInterrupt, or whatever the caller raises on SIGTERM) while
pages are added removes the staging folder and leaves `site/` exactly as it was. From the
swap on, SIGINT and SIGTERM no longer stop the build: arriving during the swap, they are
noted and the previous site is left for the next build to remove; arriving during its
removal, they end the removal there. Either way the build reports success, because the new
site is in place and stopping never undoes that. A previous site that cannot be removed is
reported as a warning that names its folder.

Files are written with mode 0644 and folders with 0755 whatever the umask, so the same
pages give the same bytes and the same modes."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self

from generator import urls
from generator.errors import Location, Problem, UserError, printable, warning

MARKER = urls.MARKER
"""The file at the root of every folder the writer creates: it marks the folder as a build's
output, which the next build may replace. It is deployed with the site."""
GENERATOR_NAME = "factcheck-generator"
MARKER_FORMAT = 1
MARKER_BYTES = (
    json.dumps({"format": MARKER_FORMAT, "generator": GENERATOR_NAME}, sort_keys=True) + "\n"
).encode("utf-8")
"""The marker's content: the generator's name and the format of its output folder, nothing
private and no date."""

FILE_MODE = 0o644
DIR_MODE = 0o755

LOCK_WAIT_SECONDS = 120.0
"""How long a build waits for another build into the same folder before giving up."""
LOCK_POLL_SECONDS = 0.1

GENERATOR_DIR = Path(__file__).resolve().parent
"""The generator's own code, which no output folder may contain or replace."""

RENAME_EXCHANGE = 2
"""renameat2 flag (linux/fs.h): exchange the two paths atomically."""
AT_FDCWD = -100
UNSUPPORTED_ERRNOS = frozenset({errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP})
"""What renameat2 answers where the exchange is not available: use the fallback."""

INTERRUPTS = (signal.SIGINT, signal.SIGTERM)

REFUSED_ENTRIES = (
    ("content", "a content/ folder"),
    (".git", "a .git repository"),
    ("site.yaml", "a site.yaml"),
)
"""Entries that mark a folder as a project or its content, never as a build's output."""

REFUSAL_HINT = (
    "A build replaces its output folder as a whole. Pass a new or an empty folder, or one\n"
    "that a previous build wrote, e.g. --out site. Nothing was changed."
)

Waiting = Callable[[str], None]
"""Told once, with the output folder as given, when another build holds the lock."""


def check_out_dir(
    out_dir: Path | str,
    content_dir: Path | str | None = None,
    theme_dirs: Iterable[Path | str] = (),
) -> Path:
    """The real folder a build into `out_dir` replaces (a symbolic link that a build may
    follow is followed), or UserError when the build must not replace it. Reads only."""
    out = Path(out_dir)
    shown = printable(os.fspath(out_dir)) or "."

    def refuse(why: str, hint: str = REFUSAL_HINT) -> UserError:
        return UserError(f"cannot build into {shown}: {why}", hint)

    try:
        real = _real_path(out)
        cwd = Path.cwd().resolve()
        protected = [("the content folder", Path(content_dir).resolve())] if content_dir else []
        protected += [("a theme folder", Path(t).resolve()) for t in theme_dirs]
    except (OSError, RuntimeError) as exc:
        raise refuse(f"the path cannot be resolved ({_reason(exc)})") from None
    if real is None:
        target = _shown(out.resolve())
        raise refuse(f"it is a symbolic link (to {target}), not the output of a previous build",
                     "Pass the folder itself, or a new folder. Nothing was changed.")
    if real == cwd:
        raise refuse("it is the current folder")
    if real in cwd.parents:
        raise refuse("it is a parent of the current folder")
    protected.append(("the generator's own code", GENERATOR_DIR))
    for what, folder in protected:
        if real == folder:
            raise refuse(f"it is {what}")
        if folder in real.parents:
            raise refuse(f"it is inside {what} {_shown(folder)}")
        if real in folder.parents:
            raise refuse(f"it holds {what} {_shown(folder)}")
    if not os.path.lexists(real):
        return real
    if not real.is_dir():
        raise refuse("it is a file, not a folder")
    for name, what in REFUSED_ENTRIES:
        if os.path.lexists(real / name):
            raise refuse(f"it holds {what}")
    if is_build_output(real):
        return real
    try:
        names = sorted(os.listdir(real))
    except OSError as exc:
        raise refuse(f"it cannot be read ({_reason(exc)})") from None
    if names:
        listed = ", ".join(printable(n, keep="") for n in names[:3])
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        hint = REFUSAL_HINT
        if "index.html" in names:
            hint += ("\nIf it is a site that an older version of the generator built, remove "
                     "it once;\nfrom then on builds mark their output folder.")
        raise refuse(f"it is not empty ({listed}{more}) and no build wrote it "
                     f"(it has no {MARKER} file)", hint)
    return real


def is_build_output(folder: Path) -> bool:
    """Whether `folder` carries the marker of a build's output."""
    marker = folder / MARKER
    try:
        if not stat.S_ISREG(os.lstat(marker).st_mode):
            return False
        data = json.loads(marker.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("generator") == GENERATOR_NAME


@dataclass(frozen=True, slots=True)
class Kept:
    """A file of the output folder as a build left it: enough to tell, without reading it,
    that it is still there unchanged."""

    key: bytes
    """The key of the job that made it (empty when none was given)."""
    digest: bytes
    """Of its bytes (see `file_digest`)."""
    size: int
    mtime_ns: int
    ino: int


def file_digest(data: bytes) -> bytes:
    """The digest of a file's bytes, as Kept records it."""
    return hashlib.blake2b(data, digest_size=16).digest()


class SiteWriter:
    """Writes a site into a staging folder beside the output folder, then swaps it in.

        with SiteWriter(out_dir, content_dir, theme_dirs) as site:
            site.add("claims/x/index.html", data)

    Entering checks the output folder (`check_out_dir`), takes the lock, restores or
    removes what an interrupted build left, and creates the staging folder. Leaving the
    block normally swaps the new site in; leaving it with an exception removes the staging
    folder and leaves the output folder as it was. `count` is the number of files added;
    `warnings` says what could not be cleaned up once the new site was in place.

    Given `previous` (what the last build wrote there, by out path) and `folder` (the device
    and inode of the folder it put in place), the writer updates instead: files that are
    still as that build left them are `keep`-able, or kept when `add` brings the same bytes
    (in a build's output folder that is not the one it put in place, such as one a CI cache
    restored, a file is still as it was when its bytes are: see `_intact`).
    The staging folder is made only once a file differs; kept files are then hard links to
    the old ones (copies where links cannot be made), and the swap is the same. When every
    file is kept and none is missing, nothing is written at all (`unchanged`). `written`
    describes every file of the new site, as `previous` did the old."""

    def __init__(
        self,
        out_dir: Path | str,
        content_dir: Path | str | None = None,
        theme_dirs: Iterable[Path | str] = (),
        *,
        waiting: Waiting | None = None,
        previous: Mapping[str, Kept] | None = None,
        folder: tuple[int, int] | None = None,
        listing: Listing | None = None,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.content_dir = content_dir
        self.theme_dirs = tuple(theme_dirs)
        self.waiting = waiting
        self.count = 0
        """Files added so far."""
        self.warnings: tuple[Problem, ...] = ()
        """Leftovers that could not be removed, known once the block has been left."""
        self.unchanged = False
        """True once the block has been left with nothing to write: the output folder is
        the previous one, untouched."""
        self.written: dict[str, Kept] = {}
        """Every file of the new site (the marker aside), as `previous` describes the old."""
        self.folder: tuple[int, int] | None = None
        """(device, inode) of the output folder once the block has been left."""
        self._shown = printable(os.fspath(out_dir)) or "."
        self._real: Path | None = None
        self._staging: Path | None = None
        self._lock_fd: int | None = None
        self._files: set[str] = set()
        self._dirs: set[str] = set()
        """The folders of the files added (claimed: no file may take their path)."""
        self._made: set[str] = set()
        """The folders made in the staging folder."""
        self._previous = previous
        self._previous_folder = folder
        self._listing = listing if previous is None else None
        self._listed_intact = False
        self._old: dict[str, Kept] = {}
        """The previous build's files that are still as it left them."""
        self._kept: list[str] = []
        """Files kept while there is no staging folder yet."""
        self._discarded = False
        self._whole = False
        """The previous site was kept whole (keep_all): nothing more may be added."""

    def __enter__(self) -> Self:
        real = check_out_dir(self.out_dir, self.content_dir, self.theme_dirs)
        try:
            real.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create {_shown(real.parent)}: {_reason(exc)}",
                            "Pass an output folder in a place you can write to.") from None
        self._lock_fd = _lock(real, self._shown, self.waiting)
        try:
            try:
                cleanup = _recover(real)
            except OSError as exc:
                raise UserError(
                    f"cannot clean up what a build left beside {self._shown}: {_reason(exc)}",
                    "Check the permissions of the folder that holds it.",
                ) from None
            real = check_out_dir(self.out_dir, self.content_dir, self.theme_dirs)
            self._real = real
            if self._previous is not None:
                self._old = _intact(real, self._previous, self._previous_folder)
            elif self._listing is not None:
                self._listed_intact = _listed_intact(real, self._listing,
                                                     self._previous_folder)
            else:
                self._make_staging()
        except BaseException:
            self._abandon()
            raise
        self.warnings = cleanup
        return self

    def _make_staging(self) -> None:
        assert self._real is not None
        staging = _next_name(self._real, "new")
        # a signal between making the folder and knowing of it would leave the folder
        # behind: it waits until both are done, then stops the build as it would have
        with _Signals() as signals:
            try:
                _make_dir(staging)
                self._staging = staging
                _write_file(staging / MARKER, MARKER_BYTES)
            except OSError as exc:
                raise _write_error(staging, exc) from None
        if signals.caught is not None:
            signal.raise_signal(signals.caught)
        kept, self._kept = self._kept, []
        for out_path in kept:
            self._link(out_path)

    def reusable(self, out_path: str) -> Kept | None:
        """What the previous build wrote at `out_path`, if it is still there as it left it."""
        return self._old.get(out_path)

    def reusable_files(self) -> Mapping[str, Kept]:
        """Every file the previous build wrote that is still there as it left it."""
        return self._old

    def keep_all(self) -> None:
        """Keep every file of the previous build as the new site, as `keep` would one by one,
        when every one of them is still as it left it (`intact()`); nothing may be added
        after it (the folders of the kept files are not claimed one by one). With a
        `listing`, `written` stays empty: the site's files are those the listing names."""
        if self._real is None or not self.intact() or self.written:
            raise ValueError("keep_all() needs an intact previous site and nothing added")
        if self._listing is not None:  # (its files are known by their paths alone)
            self.count = len(self._listing.paths)
            self._whole = True
            return
        self.written = dict(self._old)
        self._files.update(self.written)
        self.count = len(self.written)
        self._whole = True

    def discard(self) -> None:
        """Leave the output folder as it is: nothing is put in place when the block ends."""
        self._discarded = True

    def intact(self) -> bool:
        """Whether the output folder is still exactly what `previous` (or `listing`)
        describes."""
        if self._listing is not None:
            return self._listed_intact
        return self._previous is not None and len(self._old) == len(self._previous)

    def _claim(self, out_path: str) -> list[str]:
        """The folders of `out_path`, once it is known to be a new path inside the site."""
        parts = _parts(out_path)
        if out_path in self._files or out_path in self._dirs or out_path == MARKER:
            raise ValueError(f"two files at one path: {out_path!r}")
        folders = ["/".join(parts[:i]) for i in range(1, len(parts))]
        for folder in folders:
            if folder in self._files:
                raise ValueError(f"{out_path!r} would be inside the file {folder!r}")
        return folders

    def _folders(self, staging: Path, folders: list[str]) -> None:
        for folder in folders:
            if folder not in self._made:
                _made_dir(staging / folder)  # (a worker may have made it: see `shared_staging`)
                self._made.add(folder)

    def shared_staging(self) -> Path | None:
        """The folder the new site is being written into, when the previous build left
        nothing to keep: other processes (the workers) may then write new files into it
        themselves (`write_new`), each then told here (`add_written`). None when there is
        something to keep, as a file's bytes must then be compared with the old one's."""
        if self._real is None or self._whole or self._old:
            return None
        if self._staging is None:
            self._make_staging()
        return self._staging

    def add_written(self, out_path: str, info: Written, key: bytes = b"") -> None:
        """Take the file another process wrote at `out_path` in `shared_staging()` (`info`:
        what `write_new` told it) as one of the new site's, as `add` would have written it.
        ValueError, as for `add`, for a path that collides with a file already added."""
        if self._real is None or self._staging is None:
            raise ValueError("add_written() without a shared staging folder")
        folders = self._claim(out_path)
        self._made.update(folders)
        self._added(out_path, folders, Kept(key, *info))

    def _added(self, out_path: str, folders: list[str], entry: Kept) -> None:
        self._files.add(out_path)
        self._dirs.update(folders)
        self.written[out_path] = entry
        self.count += 1

    def add(self, out_path: str, data: bytes, key: bytes = b"",
            digest: bytes | None = None) -> None:
        """Write one file, `out_path` relative to the site root in POSIX form (`key`: the
        job that made it; `digest`: `file_digest(data)`, if already known). ValueError for a
        path outside the site or one that collides with a file already added."""
        if self._real is None:
            raise ValueError("add() outside the `with SiteWriter(...) as site` block")
        if self._whole:
            raise ValueError("add() after keep_all()")
        folders = self._claim(out_path)
        old = self._old.get(out_path)
        if old is not None:
            digest = digest or file_digest(data)
            if digest == old.digest:
                self._keep(out_path, folders, Kept(key or old.key, *_rest(old)))
                return
        if self._staging is None:
            self._make_staging()
        staging = self._staging
        assert staging is not None
        try:
            self._folders(staging, folders)
            info = _write_file(staging / out_path, data)
        except OSError as exc:
            raise _write_error(staging / out_path, exc) from None
        self._added(out_path, folders, Kept(key, digest or file_digest(data), info.st_size,
                                            info.st_mtime_ns, info.st_ino))

    def keep(self, out_path: str, key: bytes | None = None) -> bool:
        """Keep the previous build's file at `out_path` as the new site's; False (and nothing
        done) when it is not there as that build left it."""
        if self._real is None:
            raise ValueError("keep() outside the `with SiteWriter(...) as site` block")
        old = self._old.get(out_path)
        if old is None:
            return False
        folders = self._claim(out_path)
        self._keep(out_path, folders, old if key is None else Kept(key, *_rest(old)))
        return True

    def _keep(self, out_path: str, folders: list[str], entry: Kept) -> None:
        self._added(out_path, folders, entry)
        if self._staging is None:
            self._kept.append(out_path)
        else:
            self._link(out_path)

    def _link(self, out_path: str) -> None:
        """The old file at `out_path`, in the staging folder: a hard link, or a copy."""
        assert self._real is not None and self._staging is not None
        staging = self._staging
        parts = out_path.split("/")
        target = staging / out_path
        try:
            self._folders(staging, ["/".join(parts[:i]) for i in range(1, len(parts))])
            try:
                os.link(self._real / out_path, target, follow_symlinks=False)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP,
                                     errno.EOPNOTSUPP):
                    raise
                _write_file(target, (self._real / out_path).read_bytes())
        except OSError as exc:
            raise _write_error(target, exc) from None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None and not self._discarded:
                self.warnings += self._commit()
        finally:
            self._abandon()

    def _commit(self) -> tuple[Problem, ...]:
        assert self._real is not None
        if self._staging is None:
            if (self._listing is not None and self._whole) or (
                    self._previous is not None and set(self.written) == set(self._previous)):
                self.unchanged = True
                self.folder = _identity(self._real)
                return ()
            self._make_staging()
        assert self._staging is not None
        real, staging = self._real, self._staging
        with _Signals() as signals:
            try:
                old = _swap(staging, real)
            except OSError as exc:
                raise UserError(
                    f"cannot put the new site in place at {self._shown}: {_reason(exc)}",
                    "The output folder is as it was. If it is a mount point, pass a folder "
                    "inside it instead.",
                ) from None
            self._staging = None
            global commits
            commits += 1
            self.folder = _identity(real)
            if old is None or signals.caught is not None:
                return ()  # the previous site, if any, is a leftover for the next build
            try:
                try:
                    signals.armed = True
                    _remove_tree(old)
                finally:
                    signals.armed = False
            except _Interrupted:  # caught wherever it lands, even in the finally clause
                return ()
            except OSError as exc:
                return (_leftover_warning(old, exc),)
        return ()

    def _abandon(self) -> None:
        """Remove the staging folder, if it was not swapped in, with signals deferred; then
        release the lock."""
        try:
            if self._staging is not None:
                with _Signals():
                    try:
                        _remove_tree(self._staging)
                    except OSError:
                        pass  # it carries the marker: the next build removes it
                self._staging = None
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # releases the flock
                self._lock_fd = None


def _rest(entry: Kept) -> tuple[bytes, int, int, int]:
    return entry.digest, entry.size, entry.mtime_ns, entry.ino


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        info = os.lstat(folder)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _same_folder(real: Path, folder: tuple[int, int] | None) -> bool:
    """Whether `real` is the output folder the previous build put in place (`folder`: its
    device and inode then), still marked as a build's output."""
    return folder is not None and _identity(real) == folder and is_build_output(real)


@dataclass(frozen=True, slots=True)
class Listing:
    """A build's files as their paths and one digest of how they look (`listing_of`): what
    a build with nothing changed needs to know that the output folder is as that build left
    it, without the record of each file (`Kept`) that a build which writes needs."""

    paths: tuple[str, ...]
    """Sorted."""
    digest: bytes


_LOOK = struct.Struct("<QQqQ")
"""A file as a Listing's digest takes it: its path's length, size, mtime_ns and inode."""


def _looks(hasher: Any, path: str, size: int, mtime_ns: int, ino: int) -> None:
    name = path.encode("utf-8", "surrogateescape")
    hasher.update(_LOOK.pack(len(name), size, mtime_ns, ino))
    hasher.update(name)


def listing_of(files: Mapping[str, Kept]) -> Listing:
    """The Listing of the files a build wrote, as `written` holds them (sorted here: in
    linear time when they come sorted)."""
    hasher = hashlib.blake2b(digest_size=16)
    paths = tuple(sorted(files))
    for path in paths:
        entry = files[path]
        _looks(hasher, path, entry.size, entry.mtime_ns, entry.ino)
    return Listing(paths, hasher.digest())


def _listed_intact(real: Path, listing: Listing, folder: tuple[int, int] | None) -> bool:
    """Whether every file of `listing` is still in `real` as it was written (a regular file
    of the same size, time and inode), when `real` is the output folder that build put in
    place: `_intact` for every file at once."""
    if not _same_folder(real, folder):
        return False
    hasher = hashlib.blake2b(digest_size=16)
    root = os.fspath(real) + "/"
    lstat, is_file = os.lstat, stat.S_ISREG
    for out_path in listing.paths:
        try:
            info = lstat(root + out_path)
        except OSError:
            return False
        if not is_file(info.st_mode):
            return False
        _looks(hasher, out_path, info.st_size, info.st_mtime_ns, info.st_ino)
    return hasher.digest() == listing.digest


def _intact(real: Path, previous: Mapping[str, Kept], folder: tuple[int, int] | None
            ) -> dict[str, Kept]:
    """The files of `previous` that are still in `real` as they were written, when `real` is
    a build's output: in the folder the previous build put in place (`folder`), a file that
    shows the same size, time and inode is taken as it is; any other file of the same size
    is read, and taken when its bytes have the digest that build recorded (with what it
    shows now). So an output folder copied away and back (a CI cache restores one with new
    times and inodes) is reused as far as its bytes are the same, and never further."""
    same = _same_folder(real, folder)
    if not same and not is_build_output(real):
        return {}
    intact = {}
    root = os.fspath(real) + "/"
    for out_path, entry in previous.items():
        try:
            info = os.lstat(root + out_path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_size != entry.size:
            continue
        if same and info.st_mtime_ns == entry.mtime_ns and info.st_ino == entry.ino:
            intact[out_path] = entry
        elif stat.S_IMODE(info.st_mode) == FILE_MODE and _digest_of(root + out_path) == entry.digest:
            intact[out_path] = Kept(entry.key, entry.digest, info.st_size, info.st_mtime_ns,
                                    info.st_ino)
    return intact


def _digest_of(path: str) -> bytes | None:
    """`file_digest` of the file at `path` (not followed if it is a link), None when it
    cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    with open(fd, "rb") as file:
        try:
            return file_digest(file.read())
        except OSError:
            return None


commits = 0
"""How many new sites this process has put in place: a signal that lands once the count has
grown found the build finished, however late it lands."""


def write_site(
    files: Mapping[str, bytes],
    out_dir: Path | str,
    content_dir: Path | str | None = None,
    theme_dirs: Iterable[Path | str] = (),
) -> tuple[Problem, ...]:
    """Every file of `files` through one SiteWriter, in sorted order; its warnings."""
    with SiteWriter(out_dir, content_dir, theme_dirs) as site:
        for out_path in sorted(files):
            site.add(out_path, files[out_path])
    return site.warnings


# The swap


def _swap(staging: Path, real: Path) -> Path | None:
    """Put `staging` in place at `real`; where the previous site now is (None if none)."""
    if not os.path.lexists(real):
        os.rename(staging, real)
        return None
    if _exchange(staging, real):
        return staging
    old = _next_name(real, "old")
    os.rename(real, old)
    try:
        os.rename(staging, real)
    except BaseException:
        os.rename(old, real)
        raise
    return old


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two paths in one step; False where the system cannot (use the fallback)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in UNSUPPORTED_ERRNOS:
        return False
    raise OSError(code, os.strerror(code), os.fspath(b))


@functools.cache
def _renameat2() -> Any:
    """glibc's renameat2 (2.28 and later), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


# Leftovers and recovery


def _leftover_pattern(real: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(real.name)}\.(new|old)-([0-9]+)")


def _leftovers(real: Path) -> list[tuple[str, int, Path]]:
    """(kind, number, path) of every folder beside `real` that a build left: named as the
    writer names them, and carrying the marker or empty."""
    pattern = _leftover_pattern(real)
    found = []
    with os.scandir(real.parent) as entries:
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            if match is None or not entry.is_dir(follow_symlinks=False):
                continue
            path = Path(entry.path)
            if is_build_output(path) or _is_empty(path):
                found.append((match.group(1), int(match.group(2)), path))
    return sorted(found)


def _is_empty(folder: Path) -> bool:
    try:
        return not os.listdir(folder)
    except OSError:
        return False


def _next_name(real: Path, kind: str) -> Path:
    """`.<name>.<kind>-N` beside `real`, N above every such name there (under the lock)."""
    pattern = _leftover_pattern(real)
    numbers = [int(m.group(2)) for name in os.listdir(real.parent)
               if (m := pattern.fullmatch(name))]
    return real.parent / f".{real.name}.{kind}-{max(numbers, default=0) + 1}"


def _recover(real: Path) -> tuple[Problem, ...]:
    """Restore the newest previous site when the output folder is missing (a fallback swap
    that was killed between its renames), then remove every other leftover."""
    leftovers = _leftovers(real)
    if not os.path.lexists(real):
        olds = [item for item in leftovers if item[0] == "old"]
        if olds:
            newest = max(olds, key=lambda item: item[1])
            os.rename(newest[2], real)
            leftovers.remove(newest)
    problems = []
    for _, _, path in leftovers:
        try:
            _remove_tree(path)
        except OSError as exc:
            problems.append(_leftover_warning(path, exc))
    return tuple(problems)


def _remove_tree(folder: Path) -> None:
    """Remove a folder the writer made; its marker goes last, so that an interrupted
    removal leaves a folder that is still recognised."""
    with os.scandir(folder) as entries:
        names = sorted(entry.name for entry in entries)
    for name in names:
        if name != MARKER:
            _remove_entry(folder / name)
    (folder / MARKER).unlink(missing_ok=True)
    folder.rmdir()


def _remove_entry(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _leftover_warning(path: Path, exc: OSError) -> Problem:
    return warning(
        Location(_shown(path), 1, 1),
        f"could not remove {_shown(path)}, left by a build: {_reason(exc)}",
        "The site itself is complete. Remove that folder by hand; the next build tries again.",
    )


# The lock


def _lock(real: Path, shown: str, waiting: Waiting | None) -> int:
    """An flock on `.<name>.lock` beside `real`, waiting up to LOCK_WAIT_SECONDS."""
    path = real.parent / f".{real.name}.lock"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    except OSError as exc:
        raise UserError(f"cannot create the lock file {_shown(path)}: {_reason(exc)}",
                        "Pass an output folder in a place you can write to.") from None
    try:
        deadline: float | None = None
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                pass
            except OSError as exc:
                raise UserError(f"cannot lock {_shown(path)}: {_reason(exc)}",
                                "The file system of the output folder may not support "
                                "locks; pass an output folder on a local disk.") from None
            now = time.monotonic()
            if deadline is None:
                deadline = now + LOCK_WAIT_SECONDS
                if waiting is not None:
                    waiting(shown)
            if now >= deadline:
                raise UserError(
                    f"another build into {shown} is still running after "
                    f"{LOCK_WAIT_SECONDS:g} s",
                    "Wait for it to finish (or stop it), then build again. The other build "
                    f"holds the lock on {_shown(path)}; it is released when that build ends.",
                )
            time.sleep(min(LOCK_POLL_SECONDS, deadline - now))
    except BaseException:
        os.close(fd)
        raise


# Signals


class _Interrupted(BaseException):
    """SIGINT or SIGTERM while the previous site is being removed."""


class _Signals:
    """While active, in the main thread (the only one Python delivers signals to), SIGINT
    and SIGTERM are noted in `caught` instead of stopping the program; while `armed`,
    they also raise _Interrupted. The previous handlers come back on leaving."""

    def __init__(self) -> None:
        self.caught: int | None = None
        self.armed = False
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            for signum in INTERRUPTS:
                self._saved[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.caught = signum
        if self.armed:
            raise _Interrupted(signum)

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)


# Files


def _parts(out_path: str) -> list[str]:
    parts = out_path.split("/")
    if not out_path or any(p in ("", ".", "..") or "\0" in p for p in parts):
        raise ValueError(f"refusing to write outside the site or to an unclear path: "
                         f"{out_path!r}")
    return parts


def _make_dir(path: Path) -> None:
    os.mkdir(path, DIR_MODE)
    os.chmod(path, DIR_MODE)


def _made_dir(path: Path) -> None:
    """`path` made, or already a folder (made by another process writing the same site)."""
    try:
        _make_dir(path)
    except FileExistsError:
        if not path.is_dir() or path.is_symlink():
            raise


Written = tuple[bytes, int, int, int]
"""What `write_new` tells of a file it wrote: its digest (`file_digest`), size, mtime_ns and
inode, as `Kept` holds them after its key."""


def write_new(staging: Path, out_path: str, data: bytes, digest: bytes, made: set[str]
              ) -> Written:
    """Write the new file `out_path` (relative to the site root, in POSIX form) into a
    `SiteWriter.shared_staging()` folder, from any process, making its folders as needed
    (`made`: the folders this process has made or found there so far, for this folder).
    OSError when it cannot be written (the build's own `add` then reports why)."""
    parts = _parts(out_path)
    for i in range(1, len(parts)):
        folder = "/".join(parts[:i])
        if folder not in made:
            _made_dir(staging / folder)
            made.add(folder)
    info = _write_file(staging / out_path, data)
    return digest, info.st_size, info.st_mtime_ns, info.st_ino


def _write_file(path: Path, data: bytes) -> os.stat_result:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 FILE_MODE)
    with open(fd, "wb") as file:
        os.fchmod(fd, FILE_MODE)
        file.write(data)
        file.flush()
        return os.fstat(fd)


def _write_error(path: Path, exc: OSError) -> UserError:
    return UserError(f"cannot write {_shown(path)}: {_reason(exc)}",
                     "The output folder is as it was. Free some space or fix the "
                     "permissions, then build again.")


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def _shown(path: Path) -> str:
    """`path` relative to the current folder where it is inside it, else absolute."""
    try:
        shown = path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = path.as_posix()
    return printable(shown, keep="")


def _real_path(out: Path) -> Path | None:
    """`out` with every symbolic link above it resolved; a link at `out` itself is followed
    only to a build's output, else None."""
    if out.name in ("", ".."):
        return out.resolve()
    candidate = out.parent.resolve() / out.name
    if not candidate.is_symlink():
        return candidate
    target = candidate.resolve()
    return target if target.is_dir() and is_build_output(target) else None

"""Content hashes -> reusable stage results, kept in SQLite beside the output (incremental builds) (I/O).

A build into `site/` keeps its cache in `.site.cache/` (never committed, safe to delete):

    entries   stage results by kind and key: what a file parses to, where a quote sits, what
              a comparison finds, ... Every key is a digest of exactly the inputs of its
              result (file bytes, article text, quote, passage, spellings, ...), so a result
              is reused whenever, and only when, its inputs are the same. Values are
              stored in the order they are made and found through an index of their keys:
              keys are digests, which land anywhere in a B-tree, and a large value stored in
              the tree with its key would be moved by every split of its page.
    files     what each input file's bytes hash to, by path, with the file's size, times and
              inode, so that an unchanged file is not read again to learn that it is unchanged.
    state     what the output folder holds (`outputs`: each file's digest and the key of the
              job that made it, with its size, time and inode, so that an unchanged page is
              neither rendered nor written again; one value, read in one go), and the last
              successful build (`finished`: the digest of all its inputs, its problems and
              its summary, so that a build with nothing changed does nothing; and the digest
              of every input file's path, size, times and inode, so that such a build need
              not even look up what each file hashes to).

Nothing in the cache is trusted blindly. The file carries a schema version and the digest of
the generator's code and libraries: another version of either and the cache is emptied. Every
stored value carries a checksum; one that does not match, a file that is not a database or one
that is damaged (truncated, overwritten) reads as empty, and the cache is rebuilt. An input
file whose time is too close to when it was hashed is hashed again (an edit in the same clock
tick could otherwise go unseen), and while one is, no build is taken as unchanged by the
files' times alone. Entries that the last builds did not use are dropped.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import importlib.metadata
import io
import operator
import os
import pickle
import sqlite3
import stat
import struct
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from generator import digest, pool
from generator.write import Kept, Listing, listing_of

SCHEMA_VERSION = 4
"""The layout of the cache file; a file of another version is emptied."""
FILE_NAME = "cache.sqlite"
SWEEP_EVERY = 8
"""Every this many builds, the entries that build did not use are dropped (marking every
entry a build uses costs as much as a small build)."""
RACY_NANOSECONDS = 2_000_000_000
"""A file modified less than this long before it was hashed is hashed again next time: its
time alone cannot show an edit made within the same tick of the file system's clock."""
BATCH = 500
"""Keys looked up in one query."""
FLUSH_BYTES = 16 * 1024 * 1024
"""Stored values are written once this much is waiting (a build's memory stays bounded)."""
CHECKSUM_BYTES = 8
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "lunr", "PyYAML", "jsonschema", "rapidfuzz")
"""The libraries whose versions change what a build makes: part of the generator's digest."""

GENERATOR_ROOT = Path(__file__).resolve().parent


def cache_dir(out_dir: Path) -> Path:
    """`.site.cache/` beside `site/`."""
    out = Path(out_dir).absolute()
    return out.parent / f".{out.name}.cache"


@cache
def generator_digest() -> bytes:
    """The digest of the generator's code, schemas, Python and library versions: results of
    another generator are never reused."""
    parts: list[bytes | str] = [str(SCHEMA_VERSION), sys.version]
    for name in LIBRARIES:
        try:
            parts.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name} missing")
    for path in sorted(GENERATOR_ROOT.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            parts.append(path.relative_to(GENERATOR_ROOT).as_posix())
            parts.append(digest.of_bytes(path.read_bytes()))
    return digest.combine(*parts)


Output = Kept
"""One file of the output folder, as the build that wrote it left it (what the writer
keeps of it)."""


@dataclass(frozen=True, slots=True)
class Inputs:
    """What a build reads, as two digests."""

    digest: bytes
    """Of every input file's path and bytes, the options and the generator."""
    seen: bytes | None
    """Of every input file's path, size, times, inode and mode, the options and the
    generator; None when a file was modified less than RACY_NANOSECONDS before it was seen
    (its times could then stay the same through another edit)."""


@dataclass(frozen=True, slots=True)
class Finished:
    """What the last successful build left to say."""

    inputs: bytes
    """The digest of all its inputs."""
    seen: bytes | None
    """Inputs.seen of its inputs: a build that sees the same needs to read no input file to
    know they are the same."""
    folder: tuple[int, int]
    """(device, inode) of the output folder it put in place."""
    files: int
    problems: Any
    """Its warnings (errors.Problems)."""
    summary: Any
    """Its pipeline.Summary."""


def _stat_key(info: os.stat_result) -> tuple[int, int, int, int, int]:
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode)


class Store:
    """The cache of one output folder. Every method answers from an empty cache rather than
    fail: a damaged file is set aside and a new one begun."""

    def __init__(self, folder: Path, generator: bytes | None = None) -> None:
        self.folder = Path(folder)
        self.path = self.folder / FILE_NAME
        self.generator = generator if generator is not None else generator_digest()
        self.build = 1
        """This build's number: entries it uses are marked with it."""
        self.resets = 0
        """How many times a damaged or stale cache was emptied (for tests and --timings)."""
        self._db: sqlite3.Connection | None = None
        self._used: dict[str, set[bytes]] = {}
        self._files: dict[str, tuple[tuple[int, int, int, int, int], bytes, bool]] | None = None
        self._new_files: dict[str, tuple[tuple[int, int, int, int, int], bytes, bool]] = {}
        self._pending: list[tuple[str, bytes, bytes]] = []
        self._pending_bytes = 0
        self._open()

    # opening, checking, resetting

    def _open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._db = self._connect()
            if not self._current():
                self._reset()
        except (sqlite3.Error, OSError):
            self._reset()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None,
                             check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        return db

    def _current(self) -> bool:
        """Whether the file is a cache of this schema and generator (and readable)."""
        assert self._db is not None
        tables = {row[0] for row in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            return False
        meta = dict(self._db.execute("SELECT name, value FROM meta").fetchall())
        if meta.get("schema") != str(SCHEMA_VERSION).encode() or meta.get(
                "generator") != self.generator:
            return False
        self.build = int(meta.get("build", b"0")) + 1
        # No whole-file check here (it reads the file whole: 2 GB at 100,000 claims): a
        # damaged page fails the query that reads it, and a damaged value its checksum,
        # and either empties the cache (see _guard).
        return True

    def _reset(self) -> None:
        """Set the file aside and begin an empty cache."""
        self.resets += 1
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass
            except OSError:
                break
        self._files = {}
        self._used = {}
        self.build = 1
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            db = self._connect()
            db.executescript(
                """
                CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB);
                CREATE TABLE entries (kind TEXT, key BLOB, value BLOB, used INTEGER);
                CREATE UNIQUE INDEX entry_keys ON entries (kind, key);
                CREATE TABLE files (path TEXT PRIMARY KEY, stat BLOB, digest BLOB,
                                    racy INTEGER);
                CREATE TABLE state (name TEXT PRIMARY KEY, value BLOB);
                """
            )
            db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("schema", str(SCHEMA_VERSION).encode()), ("generator", self.generator),
                ("build", b"0"),
            ])
            self._db = db
        except (sqlite3.Error, OSError):
            self._db = None  # a cache that cannot be written: every lookup misses

    def _guard(self, error: sqlite3.Error) -> None:
        """A query failed: the file is damaged. Start afresh (what is pending is kept)."""
        self._reset()

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    # entries

    def get_many(self, kind: str, keys: Iterable[bytes]) -> dict[bytes, Any]:
        """The stored values of `keys` (those that are there and intact)."""
        return self._found(kind, keys, _unpacked)

    def get_many_pickled(self, kind: str, keys: Iterable[bytes]) -> dict[bytes, bytes]:
        """The stored values of `keys` (those that are there and intact) as `dumps` made
        them: for a process that loads them itself (`loads`)."""
        return self._found(kind, keys, _payload)

    def _found(self, kind: str, keys: Iterable[bytes], take: Callable[[bytes], Any]
               ) -> dict[bytes, Any]:
        wanted = list(dict.fromkeys(keys))
        found: dict[bytes, Any] = {}
        if self._db is None or not wanted:
            return found
        try:
            for start in range(0, len(wanted), BATCH):
                batch = wanted[start:start + BATCH]
                marks = ",".join("?" * len(batch))
                for key, value in self._db.execute(
                    f"SELECT key, value FROM entries WHERE kind = ? AND key IN ({marks})",
                    (kind, *batch),
                ):
                    loaded = take(value)
                    if loaded is not _BROKEN:
                        found[key] = loaded
        except sqlite3.Error as error:
            self._guard(error)
            return {}
        self._used.setdefault(kind, set()).update(found)
        return found

    def used(self, kind: str, keys: Iterable[bytes]) -> None:
        """Keep the entries of `keys` that are stored (as a look-up of them would), without
        reading them: what a build needed to know was there, not what it holds."""
        self._used.setdefault(kind, set()).update(keys)

    def get(self, kind: str, key: bytes) -> Any:
        """The stored value of `key`, or None."""
        return self.get_many(kind, (key,)).get(key)

    def put(self, kind: str, key: bytes, value: Any) -> None:
        """Keep `value` under `key`."""
        self.put_pickled(kind, key, dumps(value))

    def put_pickled(self, kind: str, key: bytes, payload: bytes) -> None:
        """Keep the value that pickled to `payload` (`dumps(value)`) under `key`."""
        self._pending.append((kind, key, _checked(payload)))
        self._pending_bytes += len(payload)
        if self._pending_bytes > FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        """Write the values waiting (each is right whatever the build's outcome: its key is
        its inputs)."""
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        if self._db is None or not pending:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO entries (kind, key, value, used) VALUES (?, ?, ?, ?)",
                ((kind, key, value, self.build) for kind, key, value in pending),
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback()
            self._guard(error)

    # input files

    def _load_files(self) -> dict[str, tuple[tuple[int, int, int, int, int], bytes, bool]]:
        if self._files is None:
            self._files = {}
            if self._db is not None:
                try:
                    for path, key, file_digest, racy in self._db.execute(
                            "SELECT path, stat, digest, racy FROM files"):
                        self._files[path] = (tuple(pickle.loads(key)), file_digest, bool(racy))
                except (sqlite3.Error, pickle.UnpicklingError, TypeError, ValueError) as error:
                    self._files = {}
                    if isinstance(error, sqlite3.Error):
                        self._guard(error)
        return self._files

    def file_digest(self, path: str, info: os.stat_result) -> bytes | None:
        """The digest of the file's bytes when it is known and the file has not changed since
        (same size, times, inode and mode; not hashed within RACY_NANOSECONDS of an edit)."""
        known = self._new_files.get(path) or self._load_files().get(path)
        if known is None or known[2] or known[0] != _stat_key(info):
            return None
        return known[1]

    def hashed(self, path: str, info: os.stat_result, file_digest: bytes) -> None:
        """The file's bytes, read just now while it had `info`, hash to `file_digest`."""
        racy = time.time_ns() - info.st_mtime_ns < RACY_NANOSECONDS
        self._new_files[path] = (_stat_key(info), file_digest, racy)

    # the output folder

    def outputs(self) -> dict[str, Output]:
        """What the last build wrote, by out path."""
        loaded = self._state("outputs")
        return loaded if isinstance(loaded, dict) else {}

    def listing(self) -> Listing | None:
        """What the last build wrote, as its paths and one digest (write.Listing): all a
        build with nothing changed needs to know the output folder is as it was."""
        loaded = self._state("listing")
        return loaded if isinstance(loaded, Listing) else None

    def finished(self) -> Finished | None:
        """What the last successful build left, if it is intact."""
        loaded = self._state("finished")
        return loaded if isinstance(loaded, Finished) else None

    def _state(self, name: str) -> Any:
        """The value of the state row `name`; None when there is none (or it is damaged)."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        except sqlite3.Error as error:
            self._guard(error)
            return None
        loaded = _unpacked(row[0]) if row else None
        return None if loaded is _BROKEN else loaded

    # writing

    def commit(self, outputs: Mapping[str, Output] | None = None,
               finished: Finished | None = None, sweep: bool = True) -> None:
        """Write what this build found (and, after a successful build, what the output folder
        now holds); every SWEEP_EVERY builds, drop the entries the build did not use. Without
        `sweep` (a preview server's run, which takes what it uses from its memory and looks
        up little here), nothing is dropped."""
        self._flush()
        if self._db is None:
            return
        try:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            if sweep and self.build % SWEEP_EVERY == 0:
                for kind, keys in self._used.items():
                    db.executemany("UPDATE entries SET used = ? WHERE kind = ? AND key = ?",
                                   ((self.build, kind, key) for key in keys))
                db.execute("DELETE FROM entries WHERE used < ?", (self.build,))
            db.executemany(
                "INSERT OR REPLACE INTO files (path, stat, digest, racy) VALUES (?, ?, ?, ?)",
                ((path, pickle.dumps(key), file_digest, int(racy))
                 for path, (key, file_digest, racy) in self._new_files.items()),
            )
            if outputs is not None:
                ordered = dict(sorted(outputs.items()))
                db.execute("INSERT OR REPLACE INTO state (name, value) VALUES ('outputs', ?)",
                           (_packed(ordered),))
                db.execute("INSERT OR REPLACE INTO state (name, value) VALUES ('listing', ?)",
                           (_packed(listing_of(ordered)),))
            if finished is not None:
                db.execute("INSERT OR REPLACE INTO state (name, value) VALUES ('finished', ?)",
                           (_packed(finished),))
            elif outputs is not None:
                db.execute("DELETE FROM state WHERE name = 'finished'")
            db.execute("UPDATE meta SET value = ? WHERE name = 'build'",
                       (str(self.build).encode(),))
            db.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback()
            self._guard(error)
            return
        self._used = {}
        if self._files is not None:
            self._files.update(self._new_files)
        self._new_files = {}
        self.build += 1

    def _rollback(self) -> None:
        try:
            if self._db is not None and self._db.in_transaction:
                self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def forget_state(self) -> None:
        """The output folder is no longer what the cache says (a build is about to replace
        it): nothing may be skipped on the strength of the last build's state."""
        if self._db is None:
            return
        try:
            self._db.execute("DELETE FROM state WHERE name = 'finished'")
        except sqlite3.Error as error:
            self._guard(error)


_BROKEN = object()
PROTOCOL = 5
"""The pickle protocol of stored values."""


class _Reducers(dict[type, Any]):
    """pickle's dispatch table with each dataclass written as its class and field values
    (loaded by calling the class: faster than the state a frozen dataclass pickles by)."""

    def __missing__(self, cls: type) -> Any:
        if not dataclasses.is_dataclass(cls) or not all(f.init for f in dataclasses.fields(cls)):
            raise KeyError(cls)
        names = [f.name for f in dataclasses.fields(cls)]
        get = operator.attrgetter(*names) if len(names) > 1 else None

        def reducer(obj: Any) -> tuple[Any, tuple[Any, ...]]:
            return cls, get(obj) if get is not None else tuple(getattr(obj, n) for n in names)

        self[cls] = reducer
        return reducer


_REDUCERS = _Reducers(copyreg.dispatch_table)


def dumps(value: Any) -> bytes:
    """The pickle of a value as the cache stores it."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    return buffer.getvalue()


def _packed(value: Any) -> bytes:
    return _checked(dumps(value))


def _checked(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=CHECKSUM_BYTES).digest() + payload


def _payload(value: bytes) -> Any:
    """The pickle a stored value holds, or _BROKEN when its checksum does not match."""
    if not isinstance(value, bytes) or len(value) < CHECKSUM_BYTES:
        return _BROKEN
    check, payload = value[:CHECKSUM_BYTES], value[CHECKSUM_BYTES:]
    if hashlib.blake2b(payload, digest_size=CHECKSUM_BYTES).digest() != check:
        return _BROKEN
    return payload


def _unpacked(value: bytes) -> Any:
    """The value, or _BROKEN when its checksum does not match or it does not load."""
    payload = _payload(value)
    return _BROKEN if payload is _BROKEN else loads(payload, _BROKEN)


def loads(payload: bytes, broken: Any = None) -> Any:
    """The value `dumps` pickled to `payload`, or `broken` when it does not load."""
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a value that does not load is a value not stored
        return broken


# Inputs: what a build reads, and whether any of it changed


def _walk(root: Path, label: str) -> Iterator[tuple[str, str, os.stat_result]]:
    """(shown path, real path, stat) of every file below `root` (names starting with `.`
    skipped, links followed to their target's stat), in sorted order."""
    try:
        with os.scandir(root) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        shown = f"{label}/{entry.name}"
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISLNK(info.st_mode):
                yield shown + " -> " + os.readlink(entry.path), entry.path, os.stat(entry.path)
                continue
        except OSError:
            yield shown + " (unreadable)", entry.path, os.stat_result((0,) * 10)
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(Path(entry.path), shown)
        else:
            yield shown, entry.path, info


def inputs_digest(store: Store, roots: Iterable[tuple[str, Path]], options: Iterable[str],
                  before: Finished | None = None) -> Inputs | None:
    """The digests of every file below `roots`, the `options` and the generator; None when a
    file cannot be read (the build then reports it). When every file is seen as it was by
    the build that left `before`, its digest is taken without reading any file."""
    options = list(options)
    found: list[tuple[str, str, os.stat_result]] = []
    for label, root in roots:
        root = Path(root)
        if root.is_file():
            found.append((label, str(root), root.stat()))
        else:
            found.extend(_walk(root, label))
    seen = _seen(store, found, options)
    if before is not None and seen is not None and before.seen == seen:
        return Inputs(before.inputs, seen)
    digests = {i: store.file_digest(path, info) for i, (_shown, path, info) in enumerate(found)
               if stat.S_ISREG(info.st_mode)}
    unread = [i for i, known in digests.items() if known is None]
    count = pool.cores() if len(unread) >= PARALLEL_HASHING else 1
    for at, read in pool.each(_hashed_at, [found[i][1] for i in unread], len(unread), count,
                              HASHED_PER_TASK):
        if read is None:
            return None
        _shown, path, info = found[unread[at]]
        store.hashed(path, info, read)
        digests[unread[at]] = read
    parts: list[bytes | str] = [store.generator, *options]
    for i, (shown, _path, info) in enumerate(found):
        parts.append(shown)
        parts.append(str(info.st_mode))
        if i in digests:
            known = digests[i]
            assert known is not None  # (every unknown file was read above)
            parts.append(known)
    return Inputs(digest.combine(*parts), seen)


PARALLEL_HASHING = 1000
"""Files to read for `inputs_digest` from which they are read on every core (a clean build
of a large site reads every content file before loading it)."""
HASHED_PER_TASK = 256


def _hashed_at(paths: Sequence[str], i: int) -> bytes | None:
    """The digest of the bytes of the file at `paths[i]`; None when it cannot be read."""
    try:
        with open(paths[i], "rb") as file:
            return digest.of_bytes(file.read())
    except OSError:
        return None


_SEEN = struct.Struct("<QQQqqQ")
"""A file as `_seen` hashes it: name length, mode, size, mtime, ctime (signed: a time may be
before 1970) and inode."""


def _seen(store: Store, found: Iterable[tuple[str, str, os.stat_result]], options: list[str]
          ) -> bytes | None:
    """Inputs.seen of these files (path shown, real path, stat)."""
    recent = time.time_ns() - RACY_NANOSECONDS
    hasher = hashlib.blake2b(digest_size=digest.DIGEST_BYTES)
    hasher.update(digest.combine(store.generator, *options))
    for shown, _path, info in found:
        if info.st_mtime_ns > recent or info.st_ctime_ns > recent:
            return None
        name = shown.encode("utf-8", "surrogateescape")
        hasher.update(_SEEN.pack(len(name), info.st_mode, info.st_size, info.st_mtime_ns,
                                 info.st_ctime_ns, info.st_ino))
        hasher.update(name)
    return hasher.digest()

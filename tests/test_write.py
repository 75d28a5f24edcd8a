"""The output folder: which folders a build refuses, the streaming writer, the swap under
SIGKILL at any instant (with the exchange and with its fallback), leftovers, the lock and
signals."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from writer_child import version_files

from generator import cli, write

REPO = Path(__file__).resolve().parent.parent
MINIMAL = Path(__file__).parent / "trees" / "minimal" / "content"
CHILD = Path(__file__).parent / "writer_child.py"

Manifest = dict[str, tuple[int, bytes | str | None]]


def manifest(root: Path) -> Manifest:
    """Every path under `root` (itself included) with its mode and its bytes (a link: its
    target; a folder: None). Links are not followed."""
    found: Manifest = {}
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        found[base.relative_to(root).as_posix()] = (stat.S_IMODE(base.lstat().st_mode), None)
        for name in dirs + files:
            path = base / name
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                found[path.relative_to(root).as_posix()] = (0, os.readlink(path))
            elif stat.S_ISREG(mode):
                found[path.relative_to(root).as_posix()] = (stat.S_IMODE(mode), path.read_bytes())
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """tmp/proj: the minimal content, a copy of the default theme, lunr.js linked in."""
    root = tmp_path / "proj"
    shutil.copytree(MINIMAL, root / "content")
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    (root / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    return root


def build(*args: str) -> int:
    return cli.main(["build", *args])


def leftovers(out: Path) -> list[str]:
    """What a build left beside `out`, but for its lock and its cache (which stay)."""
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith(f".{out.name}.")
                  and p.name not in (f".{out.name}.lock", f".{out.name}.cache"))


# --- refused output folders: exit 1, one clear error, nothing touched


def _git_folder(tmp: Path) -> str:
    (tmp / "deploy" / ".git").mkdir(parents=True)
    (tmp / "deploy" / "index.html").write_text("<p>deployed by hand</p>\n")
    return "deploy"


def _other_files(tmp: Path) -> str:
    (tmp / "docs").mkdir()
    for name in ("b.md", "a.md", "c.md", "d.md"):
        (tmp / "docs" / name).write_text(f"# {name}\n")
    return "docs"


def _holds_content(tmp: Path) -> str:
    (tmp / "other" / "content").mkdir(parents=True)
    return "other"


def _holds_site_yaml(tmp: Path) -> str:
    (tmp / "desk").mkdir()
    (tmp / "desk" / "site.yaml").write_text("title: x\n")
    return "desk"


def _a_file(tmp: Path) -> str:
    (tmp / "notes.txt").write_text("mine\n")
    return "notes.txt"


def _a_link(tmp: Path) -> str:
    _other_files(tmp)
    (tmp / "link").symlink_to("docs", target_is_directory=True)
    return "link"


REFUSED: dict[str, tuple[Callable[[Path], str], str]] = {
    "the project root": (lambda tmp: "proj", "it holds the content folder proj/content"),
    "the content folder": (lambda tmp: "proj/content", "it is the content folder"),
    "inside the content": (lambda tmp: "proj/content/site",
                           "it is inside the content folder proj/content"),
    "the theme": (lambda tmp: "proj/themes/default", "it is inside a theme folder proj/themes"),
    "the current folder": (lambda tmp: ".", "it is the current folder"),
    "a parent of the current folder": (lambda tmp: "..",
                                       "it is a parent of the current folder"),
    "a folder with .git": (_git_folder, "it holds a .git repository"),
    "a folder of other files": (_other_files, (
        "it is not empty (a.md, b.md, c.md and 1 more) and no build wrote it (it has no "
        ".generator-site file)")),
    "a folder holding content/": (_holds_content, "it holds a content/ folder"),
    "a folder holding site.yaml": (_holds_site_yaml, "it holds a site.yaml"),
    "a file": (_a_file, "it is a file, not a folder"),
    "a symbolic link": (_a_link, (
        "it is a symbolic link (to docs), not the output of a previous build")),
    "the generator's code": (lambda tmp: str(REPO / "generator" / "site"),
                             f"it is inside the generator's own code {REPO / 'generator'}"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_refused_out_touches_nothing(
    case: str, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup, why = REFUSED[case]
    out = setup(tmp_path)
    cwd = tmp_path / "work" if out == ".." else tmp_path
    cwd.mkdir(exist_ok=True)
    monkeypatch.chdir(cwd)
    content = os.path.relpath(project / "content", cwd)
    before = manifest(tmp_path)
    assert build("--content", content, "--out", out) == 1
    assert manifest(tmp_path) == before
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0] == f"error: cannot build into {out}: {why}"
    assert lines[-1].endswith(" Nothing was changed.")


def test_the_out_check_comes_before_the_content(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (project / "content" / "site.yaml").write_text("title: [unclosed\n")
    monkeypatch.chdir(tmp_path)
    assert build("--content", "proj/content", "--out", "proj") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot build into proj: it holds the content folder")
    assert "malformed YAML" not in err


def test_a_theme_named_in_site_yaml_is_refused_too(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copytree(project / "themes" / "default", project / "house")
    site_yaml = project / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "theme: house\n")
    monkeypatch.chdir(tmp_path)
    before = manifest(tmp_path)
    assert build("--content", "proj/content", "--out", "proj/house/site") == 1
    assert manifest(tmp_path) == before
    err = capsys.readouterr().err
    assert err.startswith("error: cannot build into proj/house/site: it is inside a theme "
                          "folder proj/house\n")


def test_accepted_outs_an_empty_folder_a_previous_build_and_a_link_to_one(
    project: Path, tmp_path: Path,
) -> None:
    content = str(project / "content")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build("--content", content, "--out", str(empty)) == 0
    assert write.is_build_output(empty)
    first = manifest(empty)
    assert build("--content", content, "--out", str(empty)) == 0
    assert manifest(empty) == first  # byte- and mode-identical
    link = tmp_path / "public"
    link.symlink_to(empty, target_is_directory=True)
    assert build("--content", content, "--out", str(link)) == 0
    assert link.is_symlink() and manifest(empty) == first
    assert leftovers(empty) == []


# --- the writer


def test_add_refuses_paths_outside_the_site_and_collisions(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with pytest.raises(ValueError), write.SiteWriter(out) as site:
        site.add("ok.html", b"ok")
        for bad in ("../x", "/etc/x", "a//b", "a/./b", "", "a/", "a/../b", "x\0"):
            with pytest.raises(ValueError):
                site.add(bad, b"")
        site.add("a/b.html", b"")
        for collision in ("ok.html", "a/b.html", "a", "ok.html/c", write.MARKER):
            with pytest.raises(ValueError):
                site.add(collision, b"")
        assert site.count == 2
        raise ValueError("leave the block with an exception")
    assert not out.exists()
    assert leftovers(out) == []


def test_files_other_processes_write_into_a_shared_staging_folder_join_the_site(
        tmp_path: Path) -> None:
    """With nothing of a previous build to keep, a worker process writes its files into the
    staging folder itself (`write_new`) and the writer takes them (`add_written`); the site is
    then the one `add` would have made, modes and all, and collisions are still refused."""
    out = tmp_path / "site"
    files = {"index.html": b"<p>x</p>", "a/b/c.json": b"{}", "a/d.html": b"d", "e/f.txt": b"f"}
    previous = os.umask(0o077)
    try:
        with write.SiteWriter(out) as site:
            staging = site.shared_staging()
            assert staging is not None
            site.add("a/main.html", b"m")  # the writer makes a folder the worker meets
            child = os.fork()
            if child == 0:  # pragma: no cover - the worker
                made: set[str] = set()
                told = {p: write.write_new(staging, p, data, write.file_digest(data), made)
                        for p, data in files.items()}
                (staging.parent / "told.json").write_text(json.dumps(
                    {p: [info[0].hex(), *info[1:]] for p, info in told.items()}))
                os._exit(0)
            assert os.waitpid(child, 0)[1] == 0
            told_file = staging.parent / "told.json"
            told = json.loads(told_file.read_text())
            told_file.unlink()
            site.add("e/g.txt", b"g")  # in a folder the worker made, before it is told
            for out_path, (digest, *rest) in told.items():
                site.add_written(out_path, (bytes.fromhex(digest), *rest), key=b"k")
            for collision in ("index.html", "a/b", "a/d.html/x"):
                with pytest.raises(ValueError):
                    site.add_written(collision, (b"", 0, 0, 0))
            assert site.count == len(files) + 2
    finally:
        os.umask(previous)
    found = manifest(out)
    assert {p: data for p, (_, data) in found.items() if data is not None} == {
        **files, "a/main.html": b"m", "e/g.txt": b"g", write.MARKER: write.MARKER_BYTES}
    assert {mode for mode, _ in found.values()} == {0o755, 0o644}
    assert site.written["a/d.html"].digest == write.file_digest(b"d")
    assert site.written["a/d.html"].key == b"k"
    # with a previous site to keep files of, bytes are compared with the old ones: not shared
    with write.SiteWriter(out, previous=site.written, folder=site.folder) as again:
        assert again.shared_staging() is None
        again.discard()


def _listed_still(out: Path, site: write.SiteWriter) -> bool:
    """Whether a writer given only the Listing of what `site` wrote finds the output folder
    intact; if so it keeps it whole, changing nothing."""
    listing = write.listing_of(site.written)
    with write.SiteWriter(out, listing=listing, folder=site.folder) as again:
        if not again.intact():
            again.discard()
            return False
        again.keep_all()
        assert again.count == len(listing.paths)
        with pytest.raises(ValueError):
            again.add("late.html", b"late")
    assert again.unchanged and again.folder == site.folder
    return True


def test_a_listing_tells_an_output_folder_left_as_it_was_from_one_touched(
        tmp_path: Path) -> None:
    """A build with nothing changed knows the output folder by the paths the last build
    wrote and one digest of their sizes, times and inodes: an edit of the same length, a
    file deleted or replaced by a folder, another folder in its place, each is seen."""
    out = tmp_path / "site"
    files = {"index.html": b"<p>x</p>", "a/b.html": b"bbbb", "a/c/d.json": b"{}"}
    with write.SiteWriter(out) as site:
        for path, data in files.items():
            site.add(path, data)
    before = manifest(out)
    assert _listed_still(out, site) and manifest(out) == before
    page = out / "a" / "b.html"
    page.write_bytes(b"BBBB")  # same size, another time
    assert not _listed_still(out, site)
    os.utime(page, ns=(site.written["a/b.html"].mtime_ns,) * 2)  # its time put back: the
    assert _listed_still(out, site)  # same size, time and inode are taken as the same file
    (out / "a" / "c" / "d.json").unlink()
    assert not _listed_still(out, site)
    (out / "a" / "c" / "d.json").mkdir()
    assert not _listed_still(out, site)
    (out / "a" / "c" / "d.json").rmdir()
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(out, elsewhere, copy_function=os.link)  # the same files, another folder
    shutil.rmtree(out)
    elsewhere.rename(out)
    with write.SiteWriter(out, listing=write.listing_of(
            {p: k for p, k in site.written.items() if p != "a/c/d.json"}), folder=site.folder
            ) as moved:
        assert not moved.intact()
        moved.discard()


def test_modes_are_fixed_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        warnings = write.write_site({"index.html": b"<p>x</p>", "a/b/c.json": b"{}"},
                                    tmp_path / "site")
    finally:
        os.umask(previous)
    assert warnings == ()
    assert manifest(tmp_path / "site") == {
        ".": (0o755, None),
        "a": (0o755, None),
        "a/b": (0o755, None),
        "a/b/c.json": (0o644, b"{}"),
        "index.html": (0o644, b"<p>x</p>"),
        write.MARKER: (0o644, write.MARKER_BYTES),
    }
    assert json.loads(write.MARKER_BYTES) == {"format": 1, "generator": "factcheck-generator"}


def test_an_exception_in_the_block_leaves_the_site_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write.write_site(version_files("a", 30), out)
    before = manifest(out)
    with pytest.raises(KeyboardInterrupt), write.SiteWriter(out) as site:
        site.add("half.html", b"")
        raise KeyboardInterrupt
    assert manifest(out) == before
    assert leftovers(out) == []


def test_leftovers_are_removed_but_nothing_of_the_users(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write.write_site(version_files("a", 5), out)
    for name, files in ((".site.new-3", {"x/y.html": b"half"}), (".site.old-2", {})):
        folder = tmp_path / name
        (folder / "x").mkdir(parents=True)
        (folder / write.MARKER).write_bytes(write.MARKER_BYTES)
        for rel, data in files.items():
            (folder / rel).write_bytes(data)
    (tmp_path / ".site.new-9").mkdir()  # killed between mkdir and the marker
    (tmp_path / ".site.new-5").mkdir()  # the user's: no marker, not empty
    (tmp_path / ".site.new-5" / "mine.txt").write_text("mine\n")
    (tmp_path / ".site.old-x").mkdir()  # not a name the writer gives
    (tmp_path / ".site.old-x" / write.MARKER).write_bytes(write.MARKER_BYTES)
    (tmp_path / ".site.new-4").symlink_to(out, target_is_directory=True)
    kept = {name: manifest(tmp_path / name) for name in (".site.new-5", ".site.old-x")}
    write.write_site(version_files("b", 5), out)
    assert leftovers(out) == [".site.new-4", ".site.new-5", ".site.old-x"]
    assert {name: manifest(tmp_path / name) for name in kept} == kept
    assert (tmp_path / ".site.new-4").is_symlink()


def test_the_exchange_is_atomic_here(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "from-a").write_text("a")
    (tmp_path / "b").mkdir()
    if not write._exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("this file system has no renameat2(RENAME_EXCHANGE)")
    assert (tmp_path / "b" / "from-a").is_file()
    assert not (tmp_path / "a" / "from-a").exists()


def test_the_fallback_swap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []

    def no_exchange(a: Path, b: Path) -> bool:
        calls.append(b)
        return False

    monkeypatch.setattr(write, "_exchange", no_exchange)
    out = tmp_path / "site"
    write.write_site(version_files("a", 20), out)
    write.write_site(version_files("b", 20), out)
    assert calls == [out]
    reference = tmp_path / "ref"
    write.write_site(version_files("b", 20), reference / "site")
    assert manifest(out) == manifest(reference / "site")
    assert leftovers(out) == []


def test_a_fallback_swap_killed_between_its_renames_is_restored(tmp_path: Path) -> None:
    """site/ missing, the previous site at .site.old-N: the next build puts the newest back
    first, even if that build then fails."""
    refs = {}
    for version in ("a", "b", "z"):
        write.write_site(version_files(version, 10), tmp_path / "refs" / version)
        refs[version] = manifest(tmp_path / "refs" / version)
    run = tmp_path / "run"
    run.mkdir()
    shutil.copytree(tmp_path / "refs" / "z", run / ".site.old-1")  # an older leftover
    shutil.copytree(tmp_path / "refs" / "a", run / ".site.old-2")  # the site before the kill
    shutil.copytree(tmp_path / "refs" / "b", run / ".site.new-3")  # the new site, complete
    out = run / "site"
    with pytest.raises(RuntimeError), write.SiteWriter(out):
        raise RuntimeError("a build that fails after its start")
    assert manifest(out) == refs["a"]
    assert leftovers(out) == []


def pin(path: Path) -> None:
    """Make `path` impossible to remove: its folder read-only, or (for root, whom
    permissions do not stop) the file immutable."""
    if os.geteuid() != 0:
        path.parent.chmod(0o555)
    elif shutil.which("chattr") is None or subprocess.run(
        ["chattr", "+i", str(path)], capture_output=True, check=False
    ).returncode != 0:
        pytest.skip("running as root where chattr +i is not available")


def unpin(path: Path) -> None:
    if os.geteuid() != 0:
        path.parent.chmod(0o755)
    else:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)


def test_a_previous_site_that_cannot_be_removed_is_a_warning(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert build("--content", "proj/content", "--out", "site") == 0
    capsys.readouterr()
    page = Path("claims") / "capability" / "index.html"
    pin(tmp_path / "site" / page)
    try:
        assert build("--content", "proj/content", "--out", "site", "--no-cache") == 0
        captured = capsys.readouterr()
        (leftover,) = leftovers(tmp_path / "site")
        assert captured.err.startswith(
            f"warning: could not remove {leftover}, left by a build: "
        )
        assert captured.out.startswith("built ")
        assert (tmp_path / "site" / "index.html").is_file()
    finally:  # the pinned page is now in the previous site, wherever that is
        for folder in ["site", *leftovers(tmp_path / "site")]:
            unpin(tmp_path / folder / page)
    assert build("--content", "proj/content", "--out", "site") == 0
    assert capsys.readouterr().err == ""
    assert leftovers(tmp_path / "site") == []


# --- SIGKILL at any instant


FAULT_FILES = 1000
FAULT_TRIALS = 32
FAULT_SEED = int(os.environ.get("WRITE_FAULT_SEED", "20261121"))


def child_write(out: Path, version: str, fallback: bool) -> subprocess.Popen[bytes]:
    """The writer, once it has started writing (its start-up is no instant to test)."""
    command = [sys.executable, str(CHILD), "write", str(out), version, str(FAULT_FILES)]
    child = subprocess.Popen(command + (["--fallback"] if fallback else []),
                             stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"writing\n"
    return child


@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "fallback"])
def test_sigkill_at_any_instant_leaves_the_old_or_the_new_site(
    tmp_path: Path, fallback: bool,
) -> None:
    if not fallback and not write._exchange(*_two_folders(tmp_path)):
        pytest.skip("this file system has no renameat2(RENAME_EXCHANGE)")
    refs = {}
    for version in ("a", "b"):
        write.write_site(version_files(version, FAULT_FILES), tmp_path / "refs" / version)
        refs[version] = manifest(tmp_path / "refs" / version)
    out = tmp_path / "run" / "site"
    write.write_site(version_files("a", FAULT_FILES), out)
    calibration = child_write(out, "b", fallback)
    started = time.monotonic()
    assert calibration.wait() == 0
    span = (time.monotonic() - started) * 1.2  # how long writing and swapping take here
    current = "b"
    seed = FAULT_SEED + fallback
    rng = random.Random(seed)
    for trial in range(FAULT_TRIALS):
        target = "a" if current == "b" else "b"
        delay = rng.uniform(0, span)
        child = child_write(out, target, fallback)
        time.sleep(delay)
        child.kill()
        child.wait()
        where = f"seed {seed} (WRITE_FAULT_SEED), trial {trial}, SIGKILL after {delay:.3f} s"
        if fallback:
            # the recovery rule: the next writer restores the site first, whatever follows
            with contextlib.suppress(RuntimeError), write.SiteWriter(out):
                raise RuntimeError
        assert out.is_dir(), where
        found = manifest(out)
        assert found in (refs[current], refs[target]), f"{where}: a mixed or partial site"
        current = "a" if found == refs["a"] else "b"
    write.write_site(version_files("a", FAULT_FILES), out)  # a normal build
    assert manifest(out) == refs["a"]
    assert sorted(os.listdir(out.parent)) == [".site.lock", "site"]


def _two_folders(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "probe-a", tmp_path / "probe-b"
    a.mkdir()
    b.mkdir()
    return a, b


# --- the lock


def child_build(*args: str, pause: str | None = None) -> subprocess.Popen[str]:
    hook = [] if pause is None else (
        ["--pause-in-removal"] if pause == "removal" else ["--pause-after-adds", pause]
    )
    return subprocess.Popen(
        [sys.executable, str(CHILD), "build", *hook, *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@contextlib.contextmanager
def watchdog(*processes: subprocess.Popen[str], seconds: float = 60) -> Iterator[None]:
    """Kill the processes if the test still waits for them after `seconds`."""
    timer = threading.Timer(seconds, lambda: [p.kill() for p in processes])
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def wait_paused(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line == "paused\n", line + (process.stderr.read() if process.stderr else "")


def resume(process: subprocess.Popen[str]) -> tuple[str, str]:
    out, err = process.communicate("\n", timeout=60)
    return out, err


def test_a_second_build_waits_then_gives_up(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "site"
    content = str(project / "content")
    holder = child_build("--content", content, "--out", str(out), pause="1")
    with watchdog(holder):
        wait_paused(holder)
        monkeypatch.setattr(write, "LOCK_WAIT_SECONDS", 0.3)
        assert build("--content", content, "--out", str(out)) == 1
        err = capsys.readouterr().err.splitlines()
        assert err[0] == f"waiting for another build into {out}/ ..."
        assert err[1] == f"error: another build into {out} is still running after 0.3 s"
        assert not out.exists()
        _, holder_err = resume(holder)
        assert holder.returncode == 0, holder_err
    assert write.is_build_output(out)
    assert leftovers(out) == []


def test_a_second_build_waits_for_the_first_then_builds(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    content = str(project / "content")
    first = child_build("--content", content, "--out", str(out), pause="1")
    with watchdog(first):
        wait_paused(first)
        second = child_build("--content", content, "--out", str(out),
                             "--base-url", "https://second.example/")
        with watchdog(second):
            assert second.stderr is not None
            assert second.stderr.readline() == f"waiting for another build into {out}/ ...\n"
            _, err = resume(first)
            assert first.returncode == 0, err
            _, err = second.communicate(timeout=60)
            assert second.returncode == 0, err
    assert "https://second.example/" in (out / "sitemap.xml").read_text()
    assert leftovers(out) == []


# --- SIGINT and SIGTERM


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "SIGINT"])
def test_a_signal_while_writing_leaves_the_site_as_it_was(
    project: Path, tmp_path: Path, signum: int, code: int,
) -> None:
    out = tmp_path / "site"
    content = str(project / "content")
    assert build("--content", content, "--out", str(out)) == 0
    before = manifest(out)
    # paused after 10 files: past the first ones, which stay the same and are kept
    child = child_build("--content", content, "--out", str(out),
                        "--base-url", "https://new.example/", pause="10")
    with watchdog(child):
        wait_paused(child)
        assert len(leftovers(out)) == 1  # the staging folder, half written
        child.send_signal(signum)
        stdout, err = child.communicate(timeout=60)
    assert child.returncode == code, err
    assert err == f"interrupted: {out}/ is as it was\n"
    assert stdout == ""
    assert manifest(out) == before
    assert leftovers(out) == []


def test_a_signal_just_after_the_staging_folder_is_made_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SIGTERM the instant the folder exists, before the writer has noted it: the build
    still stops (Terminated, as the command line raises it) and the folder is removed."""
    out = tmp_path / "site"
    make_dir = write._make_dir

    def made_then_signalled(path: Path) -> None:
        make_dir(path)
        signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(write, "_make_dir", made_then_signalled)
    with cli._sigterm_raises(), pytest.raises(cli.Terminated), write.SiteWriter(out) as site:
        site.add("index.html", b"new")
    assert not out.exists()
    assert leftovers(out) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_removing_the_previous_site_is_a_success(
    project: Path, tmp_path: Path, signum: int,
) -> None:
    out = tmp_path / "site"
    content = str(project / "content")
    assert build("--content", content, "--out", str(out)) == 0
    child = child_build("--content", content, "--out", str(out),
                        "--base-url", "https://new.example/", pause="removal")
    with watchdog(child):
        wait_paused(child)
        child.send_signal(signum)
        stdout, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert err == ""
    assert re.match(rf"built \d+ files into {re.escape(str(out))}/: ", stdout)
    assert "https://new.example/" in (out / "sitemap.xml").read_text()
    (leftover,) = leftovers(out)  # the previous site, partly removed
    assert write.is_build_output(out.parent / leftover)
    assert build("--content", content, "--out", str(out)) == 0
    assert leftovers(out) == []


def test_a_signal_at_a_random_instant_of_a_real_build(project: Path, tmp_path: Path) -> None:
    """`python -m generator build` of a generated content tree that takes about a second,
    SIGTERM at a seeded random instant: it either stopped and left the site as it was, or
    had already put the new one in place."""
    generated = tmp_path / "big" / "content"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--claims", "60",
                    "--out", str(generated)], check=True, capture_output=True)
    out = tmp_path / "site"
    assert build("--content", str(generated), "--out", str(out)) == 0
    before = manifest(out)
    rng = random.Random(FAULT_SEED)
    for trial in range(3):
        delay = rng.uniform(0.2, 1.5)
        child = subprocess.Popen(
            [sys.executable, "-m", "generator", "build", "--content", str(generated),
             "--out", str(out), "--base-url", f"https://trial{trial}.example/"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(delay)
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=120)
        where = f"seed {FAULT_SEED}, trial {trial}, SIGTERM after {delay:.2f} s"
        landed = f"https://trial{trial}.example/" in (out / "sitemap.xml").read_text()
        if child.returncode == -signal.SIGTERM and landed:
            # killed by the default handler once main() had returned: the build had finished
            before = manifest(out)
        elif child.returncode in (143, -signal.SIGTERM):  # the latter: before main() started
            assert manifest(out) == before, where
            assert leftovers(out) == [], f"{where}: {err[-3000:]}"
        else:  # the new site was in place: a leftover may remain for the next build
            assert child.returncode == 0, f"{where}: {err}"
            assert f"https://trial{trial}.example/" in (out / "sitemap.xml").read_text(), where
            before = manifest(out)
    assert build("--content", str(generated), "--out", str(out)) == 0
    assert leftovers(out) == []

"""Incremental builds: content and theme edits -> the cache and the kept output -> the same bytes as a clean build."""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import streamed_child
from conftest import DEFAULT_THEME, DEMO, MINIMAL, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import cache, load, memo, pipeline, pool, render, reuse, search, theme, views, write
from generator.errors import ContentError, Location, Problem, Problems, Severity
from generator.reuse import Memory

CLAIM = "claims/capability/index.html"


def project_of(tree: Path, root: Path) -> Path:
    """A scratch project: a copy of `tree` as content/, the default theme as themes/default,
    and the repository's node_modules (lunr.js); returns its content folder."""
    content = root / "content"
    shutil.copytree(tree, content)
    shutil.copytree(DEFAULT_THEME, root / "themes" / "default")
    (root / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return content


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def outcome(content: Path, out: Path, **options: object) -> dict[str, bytes] | tuple[Problem, ...]:
    """The built tree, or the problems of a build that failed."""
    try:
        pipeline.build(content, out, **options)  # type: ignore[arg-type]
    except ContentError as error:
        return error.problems
    return tree(out)


def same_as_clean(content: Path, out: Path, clean: Path) -> None:
    """A build into `out` (which keeps a cache) gives what a build into a new folder without
    any cache gives: the same files with the same bytes, or the same problems."""
    before = tree(out) if out.exists() else {}
    shutil.rmtree(clean, ignore_errors=True)
    incremental = outcome(content, out)
    fresh = outcome(content, clean, cache_results=False)
    if isinstance(fresh, tuple):
        assert incremental == fresh
        assert tree(out) == before if before else not out.exists() or tree(out) == {}
        return
    assert isinstance(incremental, dict), incremental
    assert sorted(incremental) == sorted(fresh)
    changed = [name for name in fresh if incremental[name] != fresh[name]]
    assert not changed, f"differ from a clean build: {changed[:5]}"


# --- edits, each to a file chosen by a number


def _pick(folder: Path, pattern: str, number: int) -> Path | None:
    found = sorted(folder.glob(pattern))
    return found[number % len(found)] if found else None


def _replace(path: Path | None, old: str, new: str) -> None:
    if path is None:
        return
    text = path.read_text("utf-8")
    if old in text:
        path.write_text(text.replace(old, new, 1), "utf-8")


def edit_verdict(root: Path, n: int) -> None:
    _replace(_pick(root / "content" / "claims", "*.yaml", n), "verdict: |\n",
             f"verdict: |\n  An edited opening, number {n}.\n\n")


def edit_article_text(root: Path, n: int) -> None:
    path = _pick(root / "content" / "articles", "*/*.txt", n)
    if path is not None:
        path.write_text(path.read_text("utf-8") + f"\nA closing paragraph, number {n}.\n",
                        "utf-8")


def edit_headline(root: Path, n: int) -> None:
    _replace(_pick(root / "content" / "articles", "*/*.txt", n), 'headline: "',
             f'headline: "Edited {n}: ')


def edit_outlet_name(root: Path, n: int) -> None:
    path = _pick(root / "content" / "outlets", "*.yaml", n)
    if path is not None:
        path.write_text(re.sub(r"^name: (.*)$", rf"name: \1 {n}", path.read_text("utf-8"),
                               count=1, flags=re.MULTILINE), "utf-8")


def edit_site_title(root: Path, n: int) -> None:
    _replace(root / "content" / "site.yaml", "title: ", f"title: Edition {n} of ")


def remove_claim(root: Path, n: int) -> None:
    claims = sorted((root / "content" / "claims").glob("*.yaml"))
    if len(claims) > 1:
        claims[n % len(claims)].unlink()


def copy_claim(root: Path, n: int) -> None:
    path = _pick(root / "content" / "claims", "*.yaml", n)
    if path is not None:
        shutil.copy(path, path.with_name(f"copy-{n}-{path.name}"))


def touch(root: Path, n: int) -> None:
    path = _pick(root / "content", "*/*.yaml", n)
    if path is not None:
        path.write_bytes(path.read_bytes())


def edit_template(root: Path, n: int) -> None:
    _replace(root / "themes" / "default" / "templates" / "base.html", "</footer>",
             f"<!-- edition {n} --></footer>")


def break_or_mend(root: Path, n: int) -> None:
    claims = sorted((root / "content" / "claims").glob("*.yaml"))
    broken = [p for p in claims if "status: bogus" in p.read_text("utf-8")]
    if broken:
        _replace(broken[0], "status: bogus", "status: unchecked")
    else:
        _replace(claims[n % len(claims)], "status: unchecked", "status: bogus")


def delete_output(root: Path, n: int) -> None:
    path = _pick(root / "site", "**/index.html", n)
    if path is not None:
        path.unlink()


def tamper_output(root: Path, n: int) -> None:
    path = _pick(root / "site", "**/*.html", n)
    if path is not None:
        path.write_bytes(b"edited by hand")


EDITS: dict[str, Callable[[Path, int], None]] = {
    fn.__name__: fn for fn in (
        edit_verdict, edit_article_text, edit_headline, edit_outlet_name, edit_site_title,
        remove_claim, copy_claim, touch, edit_template, break_or_mend, delete_output,
        tamper_output,
    )
}


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 99)), min_size=1,
                max_size=4))
def test_after_any_edits_an_incremental_build_is_a_clean_build(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, int]],
) -> None:
    root = tmp_path_factory.mktemp("project")
    content = project_of(DEMO, root)
    out, clean = root / "site", root / "clean" / "site"
    same_as_clean(content, out, clean)
    for name, number in edits:
        EDITS[name](root, number)
        same_as_clean(content, out, clean)


# --- what is reused


def test_a_build_with_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    content = project_of(MINIMAL, tmp_path)
    out = tmp_path / "site"
    first = pipeline.build(content, out)
    assert not first.unchanged and first.checked is not None
    stats = {path: os.lstat(out / path) for path in tree(out)}
    folder = os.lstat(out)
    again = pipeline.build(content, out)
    assert again.unchanged and again.checked is None
    assert again.files == first.files and again.summary == first.summary
    assert again.content_warnings == first.content_warnings
    assert (os.lstat(out).st_ino, os.lstat(out).st_mtime_ns) == (folder.st_ino,
                                                                 folder.st_mtime_ns)
    for path, info in stats.items():
        now = os.lstat(out / path)
        assert (now.st_ino, now.st_mtime_ns) == (info.st_ino, info.st_mtime_ns), path
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == [
        ".site.cache", ".site.lock"]


def _digests_looked_up(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The input files whose digests the cache is asked for from now on, in order."""
    looked_up: list[str] = []
    file_digest = cache.Store.file_digest

    def counted(store: cache.Store, path: str, info: os.stat_result) -> bytes | None:
        looked_up.append(path)
        return file_digest(store, path, info)

    monkeypatch.setattr(cache.Store, "file_digest", counted)
    return looked_up


def test_a_build_that_sees_every_input_as_it_was_looks_up_none_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the input files' times old enough to be trusted, a build with nothing changed
    knows it from their paths, sizes, times and inodes alone; an edit is still seen."""
    monkeypatch.setattr(cache, "RACY_NANOSECONDS", 0)  # every file's time is trusted
    content = project_of(MINIMAL, tmp_path)
    out = tmp_path / "site"
    pipeline.build(content, out)
    looked_up = _digests_looked_up(monkeypatch)
    again = pipeline.build(content, out)
    assert again.unchanged and looked_up == []
    claim = next((content / "claims").glob("*.yaml"))
    text = claim.read_text("utf-8")
    claim.write_text(text.replace("claim: ", "claim: Edited ", 1), "utf-8")
    edited = pipeline.build(content, out)
    assert not edited.unchanged and looked_up
    assert b"Edited " in (out / CLAIM).read_bytes()
    looked_up.clear()
    assert pipeline.build(content, out).unchanged and looked_up == []


def test_a_build_that_had_to_read_its_inputs_lets_the_next_one_see_them_by_their_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Files written just before a build are not trusted by their times (an edit within the
    same tick would not show in them): the next build with nothing changed reads them to know
    they are the same, and keeps that they now look as they did, so that the build after it
    reads none of them."""
    content = project_of(MINIMAL, tmp_path)  # just written: every file's time is too recent
    out = tmp_path / "site"
    pipeline.build(content, out)
    monkeypatch.setattr(cache, "RACY_NANOSECONDS", 0)  # as if the files were older now
    looked_up = _digests_looked_up(monkeypatch)
    assert pipeline.build(content, out).unchanged and looked_up
    looked_up.clear()
    third = pipeline.build(content, out)
    assert third.unchanged and looked_up == []
    claim = next((content / "claims").glob("*.yaml"))
    claim.write_text(claim.read_text("utf-8").replace("claim: ", "claim: Edited ", 1), "utf-8")
    assert not pipeline.build(content, out).unchanged
    assert b"Edited " in (out / CLAIM).read_bytes()


_PROBLEMS = st.lists(st.builds(
    Problem, st.builds(Location, st.sampled_from(["a.yaml", "b/c.yaml", "é\udcff"]),
                       st.integers(1, 2**40), st.integers(1, 300)),
    st.text(max_size=12), st.sampled_from(["", "Fix it.", "Two\nlines."]),
    st.sampled_from(Severity)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(_PROBLEMS)
def test_problems_held_as_columns_are_the_problems_and_survive_the_cache(
    problems: list[Problem],
) -> None:
    held = Problems(problems)
    stored = cache._unpacked(cache._packed(held))
    for found in (held, stored):
        assert isinstance(found, Problems)
        assert found == problems and found == tuple(problems) and list(found) == problems
        assert len(found) == len(problems)
        assert found.rel_paths == tuple(p.location.rel_path for p in problems)
        assert found.errors == sum(p.is_error for p in problems)
        assert found[1:-1] == tuple(problems[1:-1])
    assert held != [*problems, Problem(Location("x"), "more")]


class _Mismatched:
    """Pickles as Problems whose columns differ in length (one message short)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (Problems._of_columns, (("a.yaml",), bytes(8), bytes(8), (), ("",), b"\x01"))


def test_problems_whose_columns_do_not_match_are_a_value_not_stored() -> None:
    assert cache._unpacked(cache._packed(_Mismatched())) is cache._BROKEN
    with pytest.raises(ValueError, match="differ in length"):
        Problems._of_columns(("a.yaml",), bytes(8), bytes(8), (), ("",), b"\x01")


def test_stored_values_come_back_pickled_and_those_marked_used_outlive_a_sweep(
    tmp_path: Path,
) -> None:
    """`get_many_pickled` gives what `dumps` made of each value that is there; an entry only
    marked used (`used`) is kept through a sweep as one looked up is, and one neither is
    dropped."""
    store = cache.Store(tmp_path / "cache")
    try:
        for key, value in ((b"a", {"x": 1}), (b"b", [2]), (b"c", 3)):
            store.put("kind", key, value)
        store.commit()
        found = store.get_many_pickled("kind", [b"a", b"b", b"missing"])
        assert found == {b"a": cache.dumps({"x": 1}), b"b": cache.dumps([2])}
        assert cache.loads(found[b"a"]) == {"x": 1} and cache.loads(b"not a pickle") is None
        for _build in range(cache.SWEEP_EVERY):
            store.used("kind", [b"a"])
            store.get_many("kind", [b"b"])
            store.commit()
        assert sorted(store.get_many("kind", [b"a", b"b", b"c"])) == [b"a", b"b"]
    finally:
        store.close()


def test_a_strict_build_of_unchanged_content_with_warnings_still_fails(tmp_path: Path) -> None:
    content = project_of(DEMO, tmp_path)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    text = claim.read_text(encoding="utf-8")
    finding = next(line for line in text.splitlines() if line.startswith("finding: "))
    # a finding longer than advised is a warning
    claim.write_text(text.replace(finding, finding + " " + "More words. " * 3), "utf-8")
    out = tmp_path / "site"
    built = pipeline.build(content, out)
    assert built.content_warnings
    with pytest.raises(ContentError) as caught:
        pipeline.build(content, out, strict=True)
    assert caught.value.problems == ContentError(built.content_warnings).problems


def test_a_deleted_or_edited_output_file_is_made_again(tmp_path: Path) -> None:
    content = project_of(MINIMAL, tmp_path)
    out = tmp_path / "site"
    pipeline.build(content, out)
    expected = tree(out)
    (out / "index.html").unlink()
    (out / CLAIM).write_text("edited by hand")
    again = pipeline.build(content, out)
    assert not again.unchanged
    assert tree(out) == expected
    assert dict(again.counts)["page made"] == 2


def test_an_edited_finding_rewrites_the_one_page_of_the_claims_list_that_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The list of every claim is paged: an edit that keeps the counts by status changes
    the page that lists the claim, and leaves the others as they are."""
    monkeypatch.setattr(render, "CLAIMS_PAGE_SIZE", 5)
    content = project_of(DEMO, tmp_path)
    out = tmp_path / "site"

    def pages() -> dict[str, tuple[int, bytes]]:
        found = [out / "claims" / "index.html", *(out / "claims" / "page").glob("*/index.html")]
        return {path.relative_to(out).as_posix(): (path.stat().st_ino, path.read_bytes())
                for path in found}

    pipeline.build(content, out, workers=1)
    before = pages()
    assert len(before) == 5  # 23 claims, 5 a page
    claim = content / "claims" / "haqqani-closest-links.yaml"
    claim.write_text(claim.read_text("utf-8").replace(
        "finding: Unchecked;", "finding: Edited. Unchecked;", 1), "utf-8")
    pipeline.build(content, out, workers=1)
    after = pages()
    assert after.keys() == before.keys()
    changed = [path for path in sorted(after) if after[path] != before[path]]
    assert len(changed) == 1, changed
    assert b"Edited. Unchecked;" in after[changed[0]][1]


def node_copy(source: Path, target: Path) -> None:
    """`source` copied to `target` as Netlify's build cache saves and restores a folder:
    Node's `fs.cp`, recursive, which gives every file a new inode and the time of the copy."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = "require('fs').cpSync(process.argv[1], process.argv[2], {recursive: true})"
    subprocess.run([node, "-e", script, str(source), str(target)], check=True)


def test_an_output_folder_copied_away_and_back_is_reused_where_its_bytes_are_the_same(
    tmp_path: Path,
) -> None:
    """A CI build cache (Netlify's keeps site/ and .site.cache/ between deploys) restores
    the output folder with new times and inodes: the files whose bytes are still what the
    cache recorded are kept, without rendering them; one changed behind the build's back
    (same size, other bytes) is made again; the result is a clean build's."""
    content = project_of(DEMO, tmp_path)
    out = tmp_path / "site"
    first = pipeline.build(content, out)
    saved = tmp_path / "netlify-cache"
    for folder in (out, cache.cache_dir(out)):
        node_copy(folder, saved / folder.name)
        shutil.rmtree(folder)
        node_copy(saved / folder.name, folder)
    page = out / "claims" / "aqis-close-ties-taliban" / "index.html"
    data = page.read_bytes()
    at = data.index(b"<title>") + len(b"<title>")
    page.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1:])
    claim = content / "claims" / "haqqani-closest-links.yaml"
    claim.write_text(claim.read_text("utf-8").replace(
        "verdict: |\n", "verdict: |\n  A sentence added to the verdict.\n\n", 1), "utf-8")
    other = out / "claims" / "un-2023-isil-k-fighters" / "index.html"
    restored = os.lstat(other).st_ino
    again = pipeline.build(content, out)
    counts = dict(again.counts)
    assert counts["file reused"] > 20 and counts.get("compare made", 0) == 0, counts
    assert 3 <= counts["page made"] <= 21, counts  # the edited claim's pages, and `page`
    assert counts["page kept"] >= first.files - 31, counts
    assert os.lstat(other).st_ino == restored, "a restored page that is the same is kept"
    assert tree(out) == outcome(content, tmp_path / "clean", cache_results=False)
    again = pipeline.build(content, out)
    assert again.unchanged


@pytest.mark.parametrize(("first_workers", "then_workers"), [(None, None), (1, 2), (2, 1), (2, 2)])
def test_one_claim_edited_renders_only_the_pages_that_show_it(
    tmp_path: Path, first_workers: int | None, then_workers: int | None,
) -> None:
    """Whether each build ran in one process or on workers: a page's key is the same."""
    content = project_of(DEMO, tmp_path)
    out = tmp_path / "site"
    first = pipeline.build(content, out, workers=first_workers)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    claim.write_text(claim.read_text("utf-8").replace(
        "verdict: |\n", "verdict: |\n  A sentence added to the verdict.\n\n", 1), "utf-8")
    other = out / "claims" / "un-2023-isil-k-fighters" / "index.html"
    kept = os.lstat(other).st_ino
    again = pipeline.build(content, out, workers=then_workers)
    counts = dict(again.counts)
    assert counts["file parsed"] == 1 and counts["file reused"] > 20
    assert counts.get("compare made", 0) == 0 and counts.get("span made", 0) == 0
    made = counts["page made"]
    # its page, its outlets', sources' and tags' pages, the lists and feeds that show it
    assert 2 <= made <= 20, counts
    assert counts["page kept"] >= first.files - 30
    assert os.lstat(other).st_ino == kept, "an unrelated page is the same file"
    assert "A sentence added to the verdict." in (
        out / "claims" / "haqqani-closest-links" / "index.html").read_text("utf-8")
    assert tree(out) == outcome(content, tmp_path / "clean", cache_results=False)


def _counting_documents(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the claims whose search documents are made from now on (in this process:
    the demo content is too little for workers, and a preview's index is made here when
    there is one core)."""
    made: list[str] = []
    original = search.claim_document

    def counting(view: Any, *args: Any) -> Any:
        made.append(view.claim.id)
        return original(view, *args)

    monkeypatch.setattr(search, "claim_document", counting)
    monkeypatch.setattr(pool, "cores", lambda: 1)
    return made


def test_a_build_makes_again_only_the_search_documents_of_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One claim edited: its document alone (the others are the cache's), and the search
    files a clean build writes; the theme's status labels edited: every document."""
    made = _counting_documents(monkeypatch)
    content = project_of(DEMO, tmp_path)
    out = tmp_path / "site"
    pipeline.build(content, out)
    claims = sorted(path.stem for path in (content / "claims").glob("*.yaml"))
    assert sorted(made) == claims
    made.clear()
    _replace(content / "claims" / "haqqani-closest-links.yaml", "verdict: |\n",
             "verdict: |\n  A sentence added to the verdict.\n\n")
    pipeline.build(content, out)
    assert made == ["haqqani-closest-links"]
    assert tree(out) == outcome(content, tmp_path / "clean", cache_results=False)
    made.clear()
    _replace(tmp_path / "themes" / "default" / "labels.yaml", "    label: Unchecked",
             "    label: Not yet checked")
    pipeline.build(content, out)
    assert sorted(made) == claims
    assert tree(out) == outcome(content, tmp_path / "clean-again", cache_results=False)


def previewing(tmp_path: Path) -> tuple[Path, Path, Memory]:
    """The demo content built once as a preview server builds it: (content, out, memory)."""
    content = project_of(DEMO, tmp_path)
    out = tmp_path / "site"
    memory = Memory()
    memory.store = cache.Store(cache.cache_dir(out))
    pipeline.build(content, out, memory=memory)
    return content, out, memory


def test_a_preview_servers_first_build_learns_how_long_each_page_takes(tmp_path: Path) -> None:
    """So that the first change after it is shown before the slow files are made again."""
    _content, out, memory = previewing(tmp_path)
    memory.store.close()
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert pages and pages <= set(memory.costs)
    assert all(seconds >= 0 for seconds in memory.costs.values())


def test_a_preview_after_one_claim_edit_makes_that_claim_view_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    content, out, memory = previewing(tmp_path)
    made: list[str] = []
    original = views._claim_view

    def counting(claim: Any, *args: Any) -> Any:
        made.append(claim.id)
        return original(claim, *args)

    counting.__qualname__ = original.__qualname__  # what the memory knows it by
    monkeypatch.setattr(views, "_claim_view", counting)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    claim.write_text(claim.read_text("utf-8").replace(
        "verdict: |\n", "verdict: |\n  A sentence added to the verdict.\n\n", 1), "utf-8")
    memory.modified = frozenset({str(claim.resolve())})
    previewed = pipeline.preview(content, out, memory=memory)
    previewed.site.finish()
    memory.store.close()
    assert made == ["haqqani-closest-links"]


def test_template_edits_keep_the_search_files_and_their_documents_through_a_sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The search files are made of no template: builds after template edits keep them and
    make no document, and the cache keeps the documents through the sweep of such a build,
    so that the claim edit after them makes that claim's alone."""
    made = _counting_documents(monkeypatch)
    content = project_of(DEMO, tmp_path)
    out = tmp_path / "site"
    pipeline.build(content, out)
    made.clear()
    for number in range(cache.SWEEP_EVERY):
        edit_template(tmp_path, number)
        counts = dict(pipeline.build(content, out).counts)
        assert counts.get("index kept") == 1, counts
    assert made == []
    _replace(content / "claims" / "haqqani-closest-links.yaml", "verdict: |\n",
             "verdict: |\n  A sentence added to the verdict.\n\n")
    pipeline.build(content, out)
    assert made == ["haqqani-closest-links"]
    assert tree(out) == outcome(content, tmp_path / "clean", cache_results=False)


def test_a_preview_makes_again_only_the_search_documents_of_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the preview server makes behind after a change: the changed claim's search
    document alone, into the search files a clean build writes."""
    made = _counting_documents(monkeypatch)
    content, out, memory = previewing(tmp_path)
    made.clear()
    claim = content / "claims" / "haqqani-closest-links.yaml"
    _replace(claim, "verdict: |\n", "verdict: |\n  A sentence added to the verdict.\n\n")
    memory.modified = frozenset({str(claim.resolve())})
    try:
        files = pipeline.preview(content, out, memory=memory).site.finish()
    finally:
        memory.store.close()
    assert made == ["haqqani-closest-links"]
    clean = outcome(content, tmp_path / "clean", cache_results=False)
    assert isinstance(clean, dict)
    searched = {path: data for path, data in clean.items()
                if path == search.MANIFEST or path.startswith(search.HASHED + "/")}
    assert {path: data for path, data in files.items() if path in searched} == searched
    assert set(searched) <= set(files)


def test_what_a_preview_server_digested_does_not_grow_with_its_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The digests a preview run hands on are of objects something still holds: those that
    the edits replaced go once the other memories let go of them, and the digests kept stop
    growing however many edits come."""
    monkeypatch.setattr(memo, "SWEEP_AFTER", 4)
    content, out, memory = previewing(tmp_path)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    good = claim.read_text("utf-8")
    sizes = []
    try:
        for number in range(24):
            claim.write_text(good.replace("verdict: |\n", f"verdict: |\n  Edit {number}.\n\n",
                                          1), "utf-8")
            memory.modified = frozenset({str(claim.resolve())})
            pipeline.preview(content, out, memory=memory).site.finish()
            assert memory.digests is not None
            sizes.append(len(memory.digests.memo))
    finally:
        memory.store.close()
    assert max(sizes[12:]) <= max(sizes[:12]), sizes


def test_a_preview_after_an_error_is_fixed_remakes_only_the_fixed_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run that stops at an error uses none of the later stages' memory: the run after
    it still finds there what the last good run made."""
    content, out, memory = previewing(tmp_path)
    placed: list[str] = []
    original = reuse._placements

    def counting(site: Any, *args: Any) -> Any:
        placed.extend(claim.id for claim in site.claims)
        return original(site, *args)

    monkeypatch.setattr(reuse, "_placements", counting)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    good = claim.read_text("utf-8")
    modified = frozenset({str(claim.resolve())})
    outcomes = []
    try:
        for text in (good.replace("status: unchecked", "status: bogus", 1), good):
            claim.write_text(text, "utf-8")
            memory.modified = modified
            try:
                pipeline.preview(content, out, memory=memory).site.finish()
                outcomes.append("built")
            except ContentError:
                outcomes.append("error")
    finally:
        memory.store.close()
    assert outcomes == ["error", "built"]
    assert placed == ["haqqani-closest-links"]


def test_after_a_run_that_stopped_at_an_error_what_is_taken_is_looked_at_again(
    tmp_path: Path,
) -> None:
    """A run that stopped at an error left the later stages' memory older than itself. While
    claim files alone changed since the last run that made every stage (an editor saves a
    claim with an error, then mends it), the claims' results are still taken by place; once
    another file changed in a run that stopped, they are looked at again (what each was
    made from) until a run makes every stage."""
    content, out, memory = previewing(tmp_path)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    outlet = content / "outlets" / "blitz.yaml"
    good = claim.read_text("utf-8")
    edited = good.replace("verdict: |\n", "verdict: |\n  An added sentence.\n\n", 1)
    broken = edited.replace("status: unchecked", "status: bogus", 1)
    trusted = []
    try:
        for text, other in ((edited, False), (broken, False), (edited, False), (broken, True),
                            (edited, False), (good, False)):
            claim.write_text(text, "utf-8")
            modified = {str(claim.resolve())}
            if other:
                _replace(outlet, "name: Blitz", f"name: Blitz {len(trusted)}")
                modified.add(str(outlet.resolve()))
            memory.modified = frozenset(modified)
            try:
                pipeline.preview(content, out, memory=memory).site.finish()
            except ContentError:
                pass
            trusted.append(memory.viewed.trusting)
    finally:
        memory.store.close()
    assert trusted == [True, True, True, False, False, True]


def test_a_preview_servers_edits_keep_the_cache_for_the_next_build(tmp_path: Path) -> None:
    """A preview takes what it uses from its memory, not from the cache: however many edits
    it shows, it drops nothing from the cache, and a build after it still reuses what did not
    change."""
    content, out, memory = previewing(tmp_path)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    good = claim.read_text("utf-8")

    def entries() -> int:
        with sqlite3.connect(_cache_file(out)) as db:
            return int(db.execute("SELECT count(*) FROM entries").fetchone()[0])

    before = entries()
    try:
        for number in range(cache.SWEEP_EVERY + 1):
            claim.write_text(good.replace("verdict: |\n", f"verdict: |\n  Edit {number}.\n\n",
                                          1), "utf-8")
            memory.modified = frozenset({str(claim.resolve())})
            pipeline.preview(content, out, memory=memory)
    finally:
        memory.store.close()
    assert entries() >= before
    counts = dict(pipeline.build(content, out).counts)
    assert counts.get("file parsed", 0) <= 1 and counts.get("compare made", 0) <= 1, counts


def test_a_preview_finds_the_warnings_a_check_finds(tmp_path: Path) -> None:
    """After each edit of a claim, the preview's warnings are `check`'s, in the same order:
    the edited claim's are found again, the others' taken from before."""
    content, out, memory = previewing(tmp_path)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    good = claim.read_text("utf-8")
    finding = next(line for line in good.splitlines() if line.startswith("finding: "))
    modified = frozenset({str(claim.resolve())})
    try:
        for text in (good.replace(finding, finding + " More words." * 3, 1), good):
            claim.write_text(text, "utf-8")
            memory.modified = modified
            previewed = pipeline.preview(content, out, memory=memory)
            assert previewed.checked.warnings == pipeline.check(content).warnings
            assert any("finding is" in w.message for w in previewed.checked.warnings) == (
                text != good)
    finally:
        memory.store.close()


def test_pages_are_reused_across_processes(tmp_path: Path) -> None:
    """Keys are digests of values, not of objects: a new process (with another hash seed)
    finds the same keys and keeps the pages."""
    content = project_of(DEMO, tmp_path)
    out = tmp_path / "site"

    def build(seed: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "build", "--content", str(content), "--out",
             str(out), "--timings"], cwd=ROOT, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        return done.stderr

    build("1")
    claim = content / "claims" / "haqqani-closest-links.yaml"
    claim.write_text(claim.read_text("utf-8").replace("verdict: |\n", "verdict: |\n  New.\n\n",
                                                      1), "utf-8")
    timings = build("2")
    line = next(line for line in timings.splitlines() if line.startswith("reused and made: "))
    counts = dict(part.rsplit(" ", 1) for part in line.removeprefix("reused and made: ").split(", "))
    assert int(counts["page made"]) <= 20 and int(counts["page kept"]) > 40, line


# --- a cache that cannot be trusted is rebuilt


def _cache_file(out: Path) -> Path:
    return cache.cache_dir(out) / cache.FILE_NAME


def _damage_truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _damage_garbage(path: Path) -> None:
    path.write_bytes(b"not a database" * 1000)


def _damage_schema(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE name = 'schema'", (b"0",))


def _damage_values(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET value = substr(value, 1, 8) || x'00' || substr(value, 10)")
        db.execute("UPDATE state SET value = x'00' WHERE name = 'outputs'")


@pytest.mark.parametrize("damage", [_damage_truncated, _damage_garbage, _damage_schema,
                                    _damage_values],
                         ids=["truncated", "garbage", "schema", "values"])
def test_a_damaged_cache_is_detected_and_rebuilt(tmp_path: Path,
                                                 damage: Callable[[Path], None]) -> None:
    content = project_of(DEMO, tmp_path)
    out = tmp_path / "site"
    pipeline.build(content, out)
    claim = content / "claims" / "haqqani-closest-links.yaml"
    claim.write_text(claim.read_text("utf-8").replace("verdict: |\n", "verdict: |\n  New.\n\n",
                                                      1), "utf-8")
    for suffix in ("-wal", "-shm"):
        Path(f"{_cache_file(out)}{suffix}").unlink(missing_ok=True)
    damage(_cache_file(out))
    again = pipeline.build(content, out)
    assert not again.unchanged
    assert tree(out) == outcome(content, tmp_path / "clean", cache_results=False)
    store = cache.Store(cache.cache_dir(out))
    try:
        assert store.finished() is not None, "the rebuilt cache is whole again"
    finally:
        store.close()


def test_a_cache_of_another_generator_is_not_used(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    content = project_of(MINIMAL, tmp_path)
    out = tmp_path / "site"
    pipeline.build(content, out)
    assert pipeline.build(content, out).unchanged
    monkeypatch.setattr(cache, "generator_digest", lambda: b"another generator".ljust(16))
    again = pipeline.build(content, out)
    assert not again.unchanged
    counts = dict(again.counts)
    assert counts["file parsed"] > 0 and "file reused" not in counts
    assert counts["page made"] > 10 and "page kept" not in counts


def test_no_cache_neither_reads_nor_writes_one(tmp_path: Path) -> None:
    content = project_of(MINIMAL, tmp_path)
    out = tmp_path / "site"
    built = pipeline.build(content, out, cache_results=False)
    assert not cache.cache_dir(out).exists() and not built.unchanged
    assert not pipeline.build(content, out, cache_results=False).unchanged


# --- workers


def test_workers_make_what_one_process_makes(tmp_path: Path) -> None:
    content = project_of(DEMO, tmp_path)
    serial = outcome(content, tmp_path / "serial", workers=1, cache_results=False)
    parallel = outcome(content, tmp_path / "parallel", workers=2, cache_results=False)
    cached = outcome(content, tmp_path / "cached", workers=2)
    assert isinstance(serial, dict) and parallel == serial and cached == serial


def test_files_read_on_every_core_load_as_they_load_here(tmp_path: Path) -> None:
    """Records, pages and the problems of files that do not parse or decode, in order."""
    content = project_of(DEMO, tmp_path)
    (content / "claims" / "broken.yaml").write_text("claim: [unclosed\n", "utf-8")
    (content / "outlets" / "garbled.yaml").write_bytes(b"name: caf\xe9\n")
    here = load.load_content(content)
    reusing = reuse.Reuse(None, None, 2, always_parallel=True)
    assert reusing.parallel(len(here.outcomes)) == 2
    there = load.load_content(content, read_all=functools.partial(reuse.read_files, reusing))
    assert (there.records, there.pages, there.problems, there.unreadable, there.outcomes) == (
        here.records, here.pages, here.problems, here.unreadable, here.outcomes)
    assert {p.location.rel_path for p in here.problems if p.is_error} >= {
        "content/claims/broken.yaml", "content/outlets/garbled.yaml"}


def test_inputs_read_on_every_core_give_the_digest_read_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean build reads every input to know, next time, that nothing changed: on every
    core for a large site, with the same digest as read in the building process, and no
    digest when a file cannot be read."""
    content = project_of(DEMO, tmp_path)
    roots = [("content", content), ("themes", tmp_path / "themes")]

    def digest_of(parallel: bool, folder: str) -> cache.Inputs | None:
        monkeypatch.setattr(cache, "PARALLEL_HASHING", 1 if parallel else 10**9)
        store = cache.Store(tmp_path / folder)  # a new cache: every file is read
        try:
            return cache.inputs_digest(store, roots, ["option"])
        finally:
            store.close()

    counts: list[int] = []
    real = pool.each

    def each(function: Callable[..., Any], state: Any, total: int, count: int, most: int
             ) -> Any:
        counts.append(count)
        return real(function, state, total, count, most)

    monkeypatch.setattr(pool, "each", each)
    monkeypatch.setattr(pool, "cores", lambda: 2)
    here = digest_of(False, "here")
    assert here is not None and counts == [1]
    assert digest_of(True, "there") == here and counts == [1, 2]
    edited = content / "claims" / "aqis-close-ties-taliban.yaml"
    edited.write_text("claim: edited\n", "utf-8")
    assert digest_of(True, "edited") not in (None, here)
    edited.chmod(0)
    if os.access(edited, os.R_OK):
        return  # (root reads it all the same)
    assert digest_of(True, "unreadable") is None
    assert digest_of(False, "unreadable-here") is None


def test_a_template_error_in_a_worker_is_the_first_in_page_order(tmp_path: Path) -> None:
    content = project_of(DEMO, tmp_path)
    template = tmp_path / "themes" / "default" / "templates" / "claim.html"
    template.write_text(template.read_text("utf-8").replace("{{ claim.short }}</h1>",
                                                            "{{ claim.shortt }}</h1>", 1))
    serial = outcome(content, tmp_path / "serial", workers=1, cache_results=False)
    parallel = outcome(content, tmp_path / "parallel", workers=2, cache_results=False)
    assert isinstance(serial, tuple) and parallel == serial
    assert "(while rendering /claims/al-qaeda-leadership-eastern-afghanistan/)" in (
        serial[0].message)
    assert not (tmp_path / "parallel").exists()


def test_outputs_made_of_every_claim_go_to_the_workers_first_and_errors_keep_page_order(
        tmp_path: Path) -> None:
    """The home page and the claims index each take as long as many pages: made last, one
    of them would keep one worker busy alone. They are given out first, each on its own; a
    template error is still the first in the jobs' order (a claim page's before the
    feed's, which comes later)."""
    jobs: list[Any] = [render.FileJob(name, b"") for name in (
        "a.html", "feed.xml", "b.html", "c.html", "index.html", "d.html")]
    pieces = reuse._pieces(range(len(jobs)), {"feed.xml", "index.html"}, jobs, 2)
    assert pieces[:2] == [(1,), (4,)]
    assert [i for piece in pieces[2:] for i in piece] == [0, 2, 3, 5]
    content = project_of(DEMO, tmp_path)
    built = pipeline.build(content, tmp_path / "site", workers=2, cache_results=False)
    assert built.files
    renderer = render.Renderer(views.build_views(
        built.checked.site, built.checked.spans, built.checked.comparisons), built.checked.theme,
        theme.load_shipped(tmp_path))  # type: ignore[union-attr]
    list(renderer.jobs())
    assert renderer.whole == {"index.html", "api/claims.json"}
    templates = tmp_path / "themes" / "default" / "templates"
    for name, old, new in (("feed.xml", "<title>{{ site.title }}", "<title>{{ site.nope.nope }}"),
                           ("claim.html", "{{ claim.short }}</h1>", "{{ claim.shortt }}</h1>")):
        template = templates / name
        assert old in template.read_text("utf-8")
        template.write_text(template.read_text("utf-8").replace(old, new, 1), "utf-8")
    serial = outcome(content, tmp_path / "serial", workers=1, cache_results=False)
    parallel = outcome(content, tmp_path / "parallel", workers=2, cache_results=False)
    assert isinstance(serial, tuple) and parallel == serial
    assert "(while rendering /claims/" in serial[0].message


# --- the writer's update mode


def test_the_writer_keeps_unchanged_files_and_swaps_only_when_something_changed(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    with write.SiteWriter(out) as first:
        first.add("a/index.html", b"a")
        first.add("b.txt", b"b")
    previous, folder = first.written, first.folder
    with write.SiteWriter(out, previous=previous, folder=folder) as same:
        assert same.keep("a/index.html")
        same.add("b.txt", b"b")  # the same bytes: kept too
    assert same.unchanged and same.folder == folder
    with write.SiteWriter(out, previous=previous, folder=folder) as changed:
        assert changed.keep("a/index.html")
        changed.add("c.txt", b"c")
    assert not changed.unchanged and changed.folder != folder
    assert tree(out) == {".generator-site": write.MARKER_BYTES, "a/index.html": b"a",
                         "c.txt": b"c"}
    assert os.lstat(out / "a" / "index.html").st_ino == previous["a/index.html"].ino
    (out / "c.txt").write_bytes(b"by hand")
    with write.SiteWriter(out, previous=changed.written, folder=changed.folder) as after:
        assert after.keep("a/index.html")
        assert not after.keep("c.txt"), "a file changed by hand is not kept"
        after.add("c.txt", b"c")
    assert (out / "c.txt").read_bytes() == b"c"


def _square_or_refuse(state: int, item: int) -> int:
    if item < 0:
        raise ContentError([Problem(Location("content/x.yaml", 1, 1), f"refused {item}")])
    return state + item * item


@pytest.mark.parametrize("count", [1, 2])
def test_work_submitted_to_the_workers_returns_its_result_or_its_problems(count: int) -> None:
    with pool.Workers(10, count) as workers:
        started = workers.submit(_square_or_refuse, 3)
        failing = workers.submit(_square_or_refuse, -1)
        assert sorted(workers.map(_square_or_refuse, [1, 2])) == [11, 14]
        assert started.get() == 19
        with pytest.raises(ContentError) as raised:
            failing.get()
    assert [p.message for p in raised.value.problems] == ["refused -1"]


def _in_which_process(square: int) -> tuple[int, int, list[int]]:
    """This process's id, the square, and the file descriptors open here."""
    return os.getpid(), square * square, sorted(int(fd) for fd in os.listdir("/proc/self/fd"))


def test_work_apart_runs_in_a_forked_process_while_another_thread_holds_a_lock(
        monkeypatch: pytest.MonkeyPatch) -> None:
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc")
    monkeypatch.setattr(pool, "cores", lambda: 2)
    held, release = threading.Lock(), threading.Event()

    def hold() -> None:
        with held:
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    left, right = socket.socketpair()
    found: list[tuple[int, int, list[int]]] = []
    try:  # from a thread of its own, as a preview server's behind thread calls it
        caller = threading.Thread(target=lambda: found.append(pool.apart(_in_which_process, 7)))
        caller.start()
        caller.join(60)
        pid, square, open_fds = found[0]
    finally:
        release.set()
        holder.join()
        left.close()
        right.close()
    assert pid != os.getpid() and square == 49
    assert left.fileno() not in open_fds and right.fileno() not in open_fds, (
        "the forked process closes what it inherited: a connection this process closes "
        "is closed")


def _refuse_or_die(parent: int) -> str:
    if os.getpid() == parent:
        raise ContentError([Problem(Location("content/x.yaml", 1, 1), "refused here too")])
    raise ContentError([Problem(Location("content/x.yaml", 1, 1), "refused apart")])


def _killed_apart(parent: int) -> str:
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return "made here"


def test_work_apart_that_fails_is_made_here_and_one_stopped_by_a_signal_is_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "cores", lambda: 2)
    with pytest.raises(ContentError) as raised:
        pool.apart(_refuse_or_die, os.getpid())
    assert [p.message for p in raised.value.problems] == ["refused here too"]
    with pytest.raises(ChildProcessError, match="signal 9"):
        pool.apart(_killed_apart, os.getpid())
    monkeypatch.setattr(pool, "cores", lambda: 1)
    assert pool.apart(_killed_apart, os.getpid()) == "made here", "one core: made here"


def _marked() -> tuple[int, int, Any]:
    """This process's id, its parent's, and what the pool's state is here."""
    return os.getpid(), os.getppid(), pool._STATE


def test_work_made_fresh_runs_in_a_new_process_that_holds_nothing_of_this_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))  # where _marked is
    monkeypatch.setattr(pool, "_STATE", "set in this process")
    pid, parent, state = pool.fresh(_marked)
    assert pid != os.getpid() and parent == os.getpid()
    assert state is None, "a new interpreter, not a fork: nothing set here is there"
    assert pool.fresh(sorted, [3, 1, 2]) == [1, 2, 3]


def test_work_made_fresh_that_fails_is_made_here_and_one_stopped_by_a_signal_is_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    with pytest.raises(ContentError) as raised:
        pool.fresh(_refuse_or_die, os.getpid())
    assert [p.message for p in raised.value.problems] == ["refused here too"]
    with pytest.raises(ChildProcessError, match="signal 9"):
        pool.fresh(_killed_apart, os.getpid())
    monkeypatch.setattr(sys, "executable", "")  # no Python to start: made here
    assert pool.fresh(_killed_apart, os.getpid()) == "made here"


def _state_of(pid: int) -> str | None:
    """A process's state letter (Z for a zombie), None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


@pytest.mark.parametrize("start", [
    "pool.fresh(time.sleep, 120)",
    "import streamed_child; pool.Streamed(streamed_child.sleeping); time.sleep(120)",
])
def test_work_made_fresh_stops_when_the_process_that_started_it_is_gone(start: str) -> None:
    """A build killed (or a worker stopped) while its index or its cards are made in a new
    process leaves no process behind."""
    if not Path(f"/proc/self/task/{os.getpid()}/children").is_file():
        pytest.skip("needs /proc and its list of a process's children")
    starter = subprocess.Popen(
        [sys.executable, "-c", f"import time; from generator import pool; {start}"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)})
    deadline = time.monotonic() + 60
    children: list[str] = []
    try:
        while not children and time.monotonic() < deadline:
            time.sleep(0.05)
            children = Path(f"/proc/{starter.pid}/task/{starter.pid}/children").read_text().split()
        assert children, "the new process did not start"
    finally:
        starter.kill()
        starter.wait()
    fresh = int(children[0])
    while _state_of(fresh) not in (None, "Z") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _state_of(fresh) in (None, "Z"), "the new process outlived the one that started it"


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_work_streamed_gives_back_what_the_new_process_finished_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))  # where streamed_child is
    marker = tmp_path / "done"
    streamed = pool.Streamed(streamed_child.counted, 500, str(marker))
    _wait_for(marker.exists, "the new process did not make its results")
    started = time.monotonic()
    assert streamed.take() == list(range(500))
    assert time.monotonic() - started < 30, "take() stops the process; it does not wait for it"
    assert streamed.take() == list(range(500)), "the same results when asked again"
    assert pool.Streamed(streamed_child.failing, 3).take() in ([], [0], [0, 1], [0, 1, 2])
    failed = pool.Streamed(streamed_child.failing, 3)
    _wait_for(lambda: failed._child is not None and failed._child.poll() is not None,
              "the new process did not fail")
    assert failed.take() == [0, 1, 2], "what it made before its error"
    monkeypatch.setattr(sys, "executable", "")  # no Python to start: nothing made there
    assert pool.Streamed(streamed_child.counted, 3, str(marker)).take() == []


def _take_once(monkeypatch: pytest.MonkeyPatch, ready: Callable[[reuse.EarlyCards], bool]
               ) -> list[dict[str, Any]]:
    """EarlyCards.take waits, the first time, until `ready` says the new process has made what
    the test wants; what each take found, by out path."""
    real = reuse.EarlyCards.take
    found: list[dict[str, Any]] = []

    def take(self: reuse.EarlyCards) -> dict[str, Any]:
        if not found:
            _wait_for(lambda: ready(self), "the cards were not made")
            found.append(real(self))
        return real(self)

    monkeypatch.setattr(reuse.EarlyCards, "take", take)
    return found


def test_share_cards_made_early_in_a_new_process_are_the_cards_made_with_the_pages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clean build makes its cards in a new process while the views are made: the same
    files as cards made with the pages, whether the new process made every card or was
    stopped while it wrote one (that partial file is not published)."""
    content = project_of(DEMO, tmp_path)
    here = outcome(content, tmp_path / "here", workers=1, cache_results=False)
    assert isinstance(here, dict)
    cards = [name for name in here if name.startswith("assets/cards/")]
    assert len(cards) >= 2
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    monkeypatch.setattr(reuse, "EARLY_CARDS", 1)
    found = _take_once(monkeypatch, lambda early: early._streamed._child is not None
                       and early._streamed._child.poll() is not None)  # every card made
    out = tmp_path / "site"
    built = pipeline.build(content, out, workers=2)
    assert tree(out) == here
    assert ("card made early", len(cards)) in built.counts
    assert sorted(found[0]) == sorted(cards)

    monkeypatch.setattr(reuse, "_write_cards", streamed_child.cut_cards)
    found = _take_once(monkeypatch, lambda early: (early.staging / list(early.cards)[1]).exists())
    cut = pipeline.build(content, tmp_path / "cut", workers=2, cache_results=False)
    assert tree(tmp_path / "cut") == here, "the partial card was made again with the pages"
    assert ("card made early", 1) in cut.counts
    assert len(found[0]) == 1
    edit_verdict(tmp_path, 1)
    same_as_clean(content, out, tmp_path / "clean")


def test_a_search_index_made_in_a_new_process_is_the_one_made_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Written into a clean build's staging folder by the new process, or sent back as bytes
    (an incremental build): the same files as the index made in the building process."""
    content = project_of(DEMO, tmp_path)
    here = outcome(content, tmp_path / "here", workers=1, cache_results=False)
    assert isinstance(here, dict) and any(name.startswith(search.HASHED) for name in here)
    monkeypatch.setattr(reuse, "FRESH_INDEX", 1)
    made_fresh: list[str] = []
    real = pool.fresh

    def counted(function: Callable[..., Any], *args: Any) -> Any:
        made_fresh.append(function.__name__)
        return real(function, *args)

    monkeypatch.setattr(pool, "fresh", counted)
    assert outcome(content, tmp_path / "fresh", workers=1, cache_results=False) == here
    assert made_fresh == ["_index_files"]
    out = tmp_path / "site"
    assert outcome(content, out, workers=2) == here
    edit_verdict(tmp_path, 3)
    same_as_clean(content, out, tmp_path / "clean")


def _sleep_then(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def test_work_apart_is_stopped_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "cores", lambda: 2)
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(pool.Stopped):
        pool.apart(_sleep_then, 60.0, stop=stop)
    assert pool.apart(_sleep_then, 0.0, stop=lambda: False) == "slept"
    monkeypatch.setattr(pool, "cores", lambda: 1)
    with pytest.raises(pool.Stopped):
        pool.apart(_sleep_then, 60.0, stop=lambda: True)

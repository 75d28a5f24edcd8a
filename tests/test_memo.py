"""generator.memo: what a preview server's runs take from the run before."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from generator import memo
from generator.memo import Made


@dataclass(frozen=True)
class Thing:
    name: str


def _parts(thing: Thing, table: Mapping[str, int]) -> dict[str, int]:
    return {thing.name: table.get(thing.name, 0), thing.name + "!": 1}


def _whole(thing: Thing, table: Mapping[str, int]) -> dict[str, int]:
    return {thing.name: len(table)}


def run(made: Made, things: list[Thing], table: Mapping[str, int], trusting: bool,
        make: Any = _parts) -> tuple[list[dict[str, int]], dict[str, int], list[str]]:
    """One run: the results, their union, and the names made (not taken from before)."""
    made.turn()
    made.trusting = trusting
    calls: list[str] = []

    def counted(thing: Thing, table: Mapping[str, int]) -> dict[str, int]:
        calls.append(thing.name)
        return make(thing, table)  # type: ignore[no-any-return]

    counted.__qualname__ = make.__qualname__
    results = made.each(things, counted, table)
    return results, made.union("parts", results, lambda r: r), calls


def test_a_trusting_run_makes_only_the_objects_that_are_other_objects() -> None:
    made = Made()
    things = [Thing(name) for name in "abcde"]
    table = {"a": 1, "c": 3}
    first, union, calls = run(made, things, table, trusting=False)
    assert calls == list("abcde")
    assert union == {k: v for r in first for k, v in r.items()}

    edited = [*things[:2], Thing("c"), *things[3:]]  # the same name, another object
    table = {"a": 1, "c": 4}
    results, union, calls = run(made, edited, table, trusting=True)
    assert calls == ["c"]
    assert results[2] == {"c": 4, "c!": 1}
    assert all(results[i] is first[i] for i in (0, 1, 3, 4))
    assert union == {k: v for r in results for k, v in r.items()}
    assert made.changed is not None and made.changed.positions == (2,)

    # what the trusting run took without looking it up is still there for a run that
    # looks at every object (the edited object's old result is not)
    results, union, calls = run(made, edited, table, trusting=False)
    assert calls == []
    assert all(results[i] is first[i] for i in (0, 1, 3, 4))
    assert union == {k: v for r in results for k, v in r.items()}
    results, _union, calls = run(made, things, table, trusting=False)
    assert calls == ["c"]


def test_what_a_replaced_object_left_is_dropped_once_enough_have_gathered() -> None:
    """A trusting run keeps what the run before remembered without copying it; what the
    objects it replaced left goes once SWEEP_AFTER of them have gathered."""
    made = Made()
    things = [Thing(name) for name in "abc"]
    run(made, things, {}, trusting=False)
    first_replaced = weakref.ref(things[1])
    for n in range(memo.SWEEP_AFTER):
        things = [things[0], Thing("b"), things[2]]
        results, _union, calls = run(made, things, {"b": n}, trusting=True)
        assert calls == ["b"]
        assert results[1] == {"b": n, "b!": 1}
    gc.collect()
    assert first_replaced() is None
    assert len(made._now) == 3  # one entry for each object there is
    _results, _union, calls = run(made, things, {"b": memo.SWEEP_AFTER - 1}, trusting=False)
    assert calls == []


def test_a_run_with_another_count_makes_each_one_it_does_not_know() -> None:
    """Not trusting, another count: every object is looked up, and nothing says where the
    results differ."""
    made = Made()
    things = [Thing(name) for name in "abc"]
    run(made, things, {}, trusting=False)
    more = [*things, Thing("d")]
    _results, union, calls = run(made, more, {"d": 4}, trusting=False)
    assert calls == ["d"]  # taken by look-up: the count changed
    assert made.changed is None
    assert union == {"a": 0, "a!": 1, "b": 0, "b!": 1, "c": 0, "c!": 1, "d": 4, "d!": 1}


def test_a_trusting_run_with_an_object_more_or_less_makes_only_what_is_new() -> None:
    """A claim saved with an error drops out of the site, and comes back once mended: the
    trusting runs of both make that claim alone, and patch what is derived."""
    made = Made()
    things = [Thing(name) for name in "abcde"]
    first, _union, _calls = run(made, things, {}, trusting=False)
    fewer = [*things[:2], *things[3:]]
    results, union, calls = run(made, fewer, {}, trusting=True)
    assert calls == []
    assert results == [first[0], first[1], first[3], first[4]]
    assert all(results[i] is first[j] for i, j in ((0, 0), (1, 1), (2, 3), (3, 4)))
    assert made.changed == memo.Changed((), (first[2],))
    assert union == {k: v for r in results for k, v in r.items()}
    back = [*things[:2], Thing("c"), *things[3:]]
    results, union, calls = run(made, back, {"c": 7}, trusting=True)
    assert calls == ["c"]
    assert made.changed == memo.Changed((2,), ())
    assert union == {k: v for r in results for k, v in r.items()} and union["c"] == 7


Change = tuple[str, int]
"""What a run finds changed: an object put in, taken out, replaced, or replaced by one whose
result is made of a whole mapping (and so is not remembered); and where."""


def _changed(things: list[Thing], changes: list[Change], fresh: list[int],
             whole_of: set[str]) -> list[Thing]:
    for change, at in changes:
        fresh[0] += 1
        new = Thing(f"n{fresh[0]}")
        if change == "insert" or not things:
            at %= len(things) + 1
            things = [*things[:at], new, *things[at:]]
            continue
        at %= len(things)
        if change == "delete":
            things = [*things[:at], *things[at + 1:]]
            continue
        things = [*things[:at], new, *things[at + 1:]]
        if change == "unremembered":
            whole_of.add(new.name)
    return things


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["insert", "delete", "replace",
                                                    "unremembered"]),
                                   st.integers(0, 20)), min_size=1, max_size=3),
                max_size=8))
def test_trusting_runs_after_any_series_of_changes_give_what_making_everything_gives(
        runs: list[list[Change]]) -> None:
    """Objects put in, taken out or replaced anywhere, a few at a time, some results made of a
    whole mapping: each trusting run gives the results, the union and a derived value that
    making everything anew gives, and makes again no object it remembers."""
    made = Made()
    things = [Thing(f"t{n}") for n in range(6)]
    whole_of: set[str] = set()

    def make(thing: Thing, table: Mapping[str, int]) -> dict[str, int]:
        return _whole(thing, table) if thing.name in whole_of else _parts(thing, table)

    make.__qualname__ = "make"
    table = {"t1": 3}
    run(made, things, table, trusting=False, make=make)
    fresh = [0]
    for changes in runs:
        remembered = {thing.name for thing in things if thing.name not in whole_of}
        things = _changed(things, changes, fresh, whole_of)
        results, union, calls = run(made, things, table, trusting=True, make=make)
        expected = [make(thing, table) for thing in things]
        assert results == expected
        assert union == {k: v for r in expected for k, v in r.items()}
        assert made.derived("count", results, len,
                            lambda n, gone, new: n - len(gone) + len(new)) == len(things)
        assert not remembered & set(calls)


def test_a_result_made_of_a_whole_mapping_is_made_again_every_run() -> None:
    made = Made()
    things = [Thing(name) for name in "ab"]
    run(made, things, {"x": 1}, trusting=False, make=_whole)
    results, _union, calls = run(made, things, {"x": 1, "y": 2}, trusting=True, make=_whole)
    assert calls == ["a", "b"]
    assert results == [{"a": 2}, {"b": 2}]


def test_what_is_derived_from_every_result_is_patched_where_the_results_differ() -> None:
    """Trusting or not, a run with as many results as the last patches a derived value with
    the results that differ (and gives what making it whole gives); a run with another count
    makes it whole."""
    made = Made()
    patched: list[tuple[list[Any], list[Any]]] = []

    def total(results: Any) -> int:
        return sum(sum(r.values()) for r in results)

    def patch(before: int, gone: Any, new: Any) -> int:
        patched.append((list(gone), list(new)))
        return before - total(gone) + total(new)

    things = [Thing(name) for name in "abcd"]
    for trusting, table, objects in (
        (False, {"a": 1}, things),
        (False, {"a": 1, "b": 5}, things),  # b's entry changed: only b is made again
        (True, {"a": 1, "b": 5}, [*things[:3], Thing("d")]),
        (False, {"a": 1, "b": 5}, things[:3]),
    ):
        results, _union, _calls = run(made, objects, table, trusting)
        assert made.derived("total", results, total, patch) == total(results)
    assert [(len(gone), len(new)) for gone, new in patched] == [(1, 1), (1, 1)]
    assert patched[0][1] == [{"b": 5, "b!": 1}]

"""Earlier results and what they were made from -> the same results, while what they were made from is the same objects.

A preview server builds the site again after every change. Where a stage's part (an article,
a claim, a claim's view) is made by a pure function of a few objects and of entries of a few
mappings, `Made.make` gives back what it made the last time when those objects and entries
are the very same objects as then: nothing they hold can have changed (they are frozen).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
V = TypeVar("V")
_ABSENT = object()
SWEEP_AFTER = 64
"""Objects replaced in trusting runs before what was remembered of them is dropped (see
`Made._keep`)."""


class _Reads(Mapping[Any, Any]):
    """A mapping that notes which of its keys were read (and what they held)."""

    def __init__(self, mapping: Mapping[Any, Any]) -> None:
        self.mapping = mapping
        self.read: dict[Any, Any] = {}
        self.whole = False

    def __getitem__(self, key: Any) -> Any:
        value = self.mapping.get(key, _ABSENT)
        self.read[key] = value
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, Hashable):
            return False
        value = self.mapping.get(key, _ABSENT)
        self.read[key] = value
        return value is not _ABSENT

    def __iter__(self) -> Iterator[Any]:
        self.whole = True
        return iter(self.mapping)

    def __len__(self) -> int:
        self.whole = True
        return len(self.mapping)


Entry = tuple[Any, tuple[Any, ...], tuple[tuple[int, "_Read"], ...], Any]
"""(the object, the other arguments, what was read of each mapping (by its position), the
result)."""


class Made:
    """Results of `make(obj, *args, *mappings)` by `obj` and the name of `make`, remembered
    for one run after the one that used them last."""

    def __init__(self) -> None:
        self._now: dict[tuple[int, str], Entry] = {}
        self._before: dict[tuple[int, str], Entry] = {}
        self.trusting = False
        """Whether the caller knows that no entry of the mappings read changed (only what
        the objects themselves are could have): the entries are then not looked at."""
        self._forgotten = 0
        """Calls of `make` that were not remembered (see `each`)."""
        self._each: tuple[tuple[Any, ...], list[Any], tuple[int, ...]] | None = None
        """The last `each`: its objects, their results, and the positions not remembered."""
        self.changed: Changed | None = None
        """Where the last `each`'s results may differ from the `each`'s before (see `each`)."""
        self._derived: dict[str, Any] = {}
        """The values made of the last `each`'s results, by name (see `derived`)."""
        self._last_derived: dict[str, Any] = {}
        self._gone: list[Any] = []
        """Objects replaced since what they left was last swept (see `_keep`)."""

    def turn(self) -> None:
        """Begin a run: forget what the run before the last did not use. A run that made
        nothing (one that stopped at an error before this memory's stage) forgets nothing."""
        if self._now:
            self._before, self._now = self._now, {}

    def make(self, obj: Any, make: Callable[..., T], *mappings: Mapping[Any, Any],
             args: tuple[Any, ...] = ()) -> T:
        """`make(obj, *args, *mappings)`, or what it gave before for this very `obj` and
        `args` (the same objects, or tuples of the same objects) when every entry of the
        mappings that it read then holds the same object now. A call that iterates over a
        mapping is not remembered."""
        slot = (id(obj), getattr(make, "__qualname__", ""))
        found = self._now.get(slot) or self._before.get(slot)
        if found is not None and found[0] is obj and alike(found[1], args) and (
                self.trusting or all(read.holds(mappings[i]) for i, read in found[2])):
            self._now[slot] = found
            return found[3]  # type: ignore[no-any-return]
        reads = [_Reads(m) for m in mappings]
        result = make(obj, *args, *reads)
        if not any(r.whole for r in reads):
            used = tuple((i, _Read(r.read)) for i, r in enumerate(reads) if r.read)
            self._now[slot] = (obj, args, used, result)
        else:
            self._forgotten += 1
        return result

    def each(self, objects: Sequence[Any], make: Callable[..., T], *mappings: Mapping[Any, Any],
             args: tuple[Any, ...] = ()) -> list[T]:
        """`[self.make(obj, make, *mappings, args=args) for obj in objects]`. In a trusting
        run, the objects that are the very same objects as the last `each`'s, at the same
        places or (when there are more or fewer of them now) before and after the stretch
        that differs, give what they gave then without a look-up: a preview server's run
        after one claim file changed costs that claim, not the site, also when the change
        added the claim or took it out (a claim saved with an error, and then mended).
        `changed` says which results differ from the last `each`'s (for `union` and
        `derived`): always in a trusting run, else when the last `each` had as many; None
        when it cannot say."""
        last = self._each
        self._last_derived, self._derived = self._derived, {}
        if self.trusting and last is not None:
            aligned = _aligned(objects, last[0], last[2])
            positions, gone_at = aligned.positions, aligned.gone_at
            results = aligned.results(last[1])
            forgotten = []
            for i in positions:
                before = self._forgotten
                results[i] = self.make(objects[i], make, *mappings, args=args)
                if self._forgotten != before:
                    forgotten.append(i)
            staying = {id(objects[i]) for i in positions}
            self._keep([last[0][j] for j in gone_at if id(last[0][j]) not in staying])
            self.changed = Changed(tuple(positions), tuple(last[1][j] for j in gone_at))
        else:
            results = []
            forgotten = []
            for i, obj in enumerate(objects):
                before = self._forgotten
                results.append(self.make(obj, make, *mappings, args=args))
                if self._forgotten != before:
                    forgotten.append(i)
            self.changed = None
            if last is not None and len(last[1]) == len(results):
                # what is made of all the results can be patched where they differ
                differ = tuple(other_at(results, last[1]))
                self.changed = Changed(differ, tuple(last[1][i] for i in differ))
        self._each = (tuple(objects), results, tuple(forgotten))
        return results

    def union(self, name: str, results: Sequence[Any], part: Callable[[Any], Mapping[Any, Any]]
              ) -> dict[Any, Any]:
        """The entries of `part(result)` of every result of the last `each`, in one mapping:
        the last union of this name with the entries of the results made again replaced
        (the parts of different objects must have different keys)."""

        def whole(results: Sequence[Any]) -> dict[Any, Any]:
            out: dict[Any, Any] = {}
            for result in results:
                out.update(part(result))
            return out

        def patch(before: dict[Any, Any], gone: Sequence[Any], new: Sequence[Any]
                  ) -> dict[Any, Any]:
            out = dict(before)
            for result in gone:
                for key in part(result):
                    del out[key]
            for result in new:
                out.update(part(result))
            return out

        return self.derived(name, results, whole, patch)

    def derived(self, name: str, results: Sequence[Any], make: Callable[[Sequence[Any]], V],
                patch: Callable[[V, Sequence[Any], Sequence[Any]], V]) -> V:
        """A value made of every result of the last `each`: `make(results)`; or, when that
        `each` says where its results differ from the `each`'s before (`changed`) and the last
        value of this name was made of those, `patch(value, gone, new)`, which must give what
        `make` would: `gone` are the results there before, `new` what they are now. `patch`
        must leave `value` as it is."""
        changed = self.changed
        before = self._last_derived.get(name)
        if changed is None or before is None:
            value = make(results)
        else:
            value = patch(before, changed.before, [results[i] for i in changed.positions])
        self._derived[name] = value
        return value

    def _keep(self, replaced: Iterable[Any]) -> None:
        """Keep what the run before remembered (this run took it without looking it up), but
        for the objects `replaced`, which are gone. The smaller of the two mappings is merged
        into the larger, so that a run that made one object again costs that object; what
        the gone objects left is swept once SWEEP_AFTER of them have gathered (they are held
        until then, so that no new object can take one of their ids)."""
        before, now = self._before, self._now
        if len(before) >= len(now):
            before.update(now)
            kept = before
        else:
            kept = now
            for slot, entry in before.items():
                kept.setdefault(slot, entry)
        self._now, self._before = kept, {}
        self._gone.extend(replaced)
        if len(self._gone) >= SWEEP_AFTER:
            gone = {id(obj) for obj in self._gone}
            for slot in [slot for slot in kept if slot[0] in gone]:
                del kept[slot]
            self._gone.clear()


@dataclass(frozen=True, slots=True)
class Changed:
    """Where an `each`'s results may differ from the last: the positions now, and the results
    they replace (as many as there were of them before, which may be more or fewer)."""

    positions: tuple[int, ...]
    before: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Alignment:
    """Where a list of objects differs from the last: what to make again, what it replaces."""

    head: int
    """How many objects at the start are the last list's own."""
    tail: int
    """How many at the end are (after the head)."""
    size: int
    """How many objects there are now."""
    positions: list[int]
    """The positions now to make again, in order."""
    gone_at: list[int]
    """The positions before whose results they replace, in order."""

    def results(self, before: Sequence[Any]) -> list[Any]:
        """The last results, where they hold, at their places now (None where made again)."""
        if len(before) == self.size:
            return list(before)
        return [*before[:self.head], *[None] * (self.size - self.head - self.tail),
                *before[len(before) - self.tail:]]


def _aligned(now: Sequence[Any], before: Sequence[Any], forgotten: Sequence[int]) -> _Alignment:
    """`now` against `before`, both in the same order: with as many objects, the places that
    hold other objects; else the stretch between the longest head and tail they share. The
    places of `forgotten` (not remembered then: made again) are among those made again."""
    if len(now) == len(before):
        positions = sorted({*other_at(now, before), *forgotten})
        return _Alignment(len(now), 0, len(now), positions, positions)
    shortest = min(len(now), len(before))
    head = _first_other(now, before, shortest)
    tail = min(_first_other(now[::-1], before[::-1], shortest), shortest - head)
    shift = len(now) - len(before)
    kept = [j for j in forgotten if j < head or j >= len(before) - tail]
    positions = sorted({*range(head, len(now) - tail),
                        *(j if j < head else j + shift for j in kept)})
    gone_at = sorted({*range(head, len(before) - tail), *kept})
    return _Alignment(head, tail, len(now), positions, gone_at)


def _first_other(now: Sequence[Any], before: Sequence[Any], shortest: int) -> int:
    """The first place where the two lists hold other objects (`shortest` if none)."""
    return next(itertools.compress(itertools.count(), map(operator.is_not, now, before)),
                shortest)


class _Read:
    """What was read of one mapping: the keys that held a value, with those values, and the
    keys that were absent."""

    __slots__ = ("absent", "get", "values")

    def __init__(self, read: Mapping[Any, Any]) -> None:
        present = tuple(key for key, value in read.items() if value is not _ABSENT)
        self.values = tuple(read[key] for key in present)
        self.absent = tuple(key for key, value in read.items() if value is _ABSENT)
        getter = operator.itemgetter(*present) if present else None
        self.get: Callable[[Any], tuple[Any, ...]] | None = (
            (lambda mapping: (getter(mapping),)) if len(present) == 1 and getter
            else getter)

    def holds(self, mapping: Mapping[Any, Any]) -> bool:
        """Whether the mapping still holds the very same objects (and not the absent keys)."""
        if self.get is not None:
            try:
                now = self.get(mapping)
            except KeyError:
                return False
            if not all(map(operator.is_, now, self.values)):
                return False
        return not any(key in mapping for key in self.absent)


def alike(a: Any, b: Any) -> bool:
    """The same object, equal numbers or strings, or tuples of alike objects."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is int or kind is str:
        return bool(a == b)
    return (kind is tuple and len(a) == len(b)
            and (all(map(operator.is_, a, b))
                 or all(alike(x, y) for x, y in zip(a, b, strict=True))))


def other_at(now: Sequence[Any], before: Sequence[Any]) -> list[int]:
    """The positions where two lists of the same length hold other objects (a scan at C
    speed: a run after one change finds its few changed places among thousands)."""
    return list(itertools.compress(range(len(now)), map(operator.is_not, now, before)))


def plain(obj: Any, make: Callable[..., T], *mappings: Mapping[Any, Any],
          args: tuple[Any, ...] = ()) -> T:
    """`Made.make` without a memory: `make(obj, *args, *mappings)`."""
    return make(obj, *args, *mappings)


def each(made: Made | None, objects: Sequence[Any], make: Callable[..., T],
         *mappings: Mapping[Any, Any], args: tuple[Any, ...] = ()) -> list[T]:
    """`made.each(...)`, or without a memory `make(obj, *args, *mappings)` of each object."""
    if made is None:
        return [make(obj, *args, *mappings) for obj in objects]
    return made.each(objects, make, *mappings, args=args)

"""Earlier results and what they were made from -> the same results, while what they were made from is the same objects.

A preview server builds the site again after every change. Where a stage's part (an article,
a claim, a claim's view) is made by a pure function of a few objects and of entries of a few
mappings, `Made.make` gives back what it made the last time when those objects and entries
are the very same objects as then: nothing they hold can have changed (they are frozen).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
_ABSENT = object()


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
        return result


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


def plain(obj: Any, make: Callable[..., T], *mappings: Mapping[Any, Any],
          args: tuple[Any, ...] = ()) -> T:
    """`Made.make` without a memory: `make(obj, *args, *mappings)`."""
    return make(obj, *args, *mappings)

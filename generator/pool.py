"""A function and work items -> their results, computed on every core by forked workers.

The workers are forked from the building process once what they work on is in memory (the
views, the jobs), so that nothing big is sent to them: a task is a function and a small item
(a range of indices), and only results come back. Results arrive as they are done, not in
order: the caller puts them in place. With one worker, or little work, everything runs in
this process, in order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from generator.errors import ContentError, Problem

State = TypeVar("State")
Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 2
"""Fewer work items than this run in this process: a worker would only add its start-up."""

_STATE: Any = None
"""What the workers work on: set in the building process before the workers are forked, so
that each worker has it (copied on write, never pickled)."""


def cores() -> int:
    """How many workers to start: one per core."""
    return os.cpu_count() or 1


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the building process stops the workers
    gc.freeze()  # what was inherited is never collected here: its pages stay shared


class _Failed:
    """A worker's ContentError, sent back as its problems."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems


def _call(task: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    function, item = task
    try:
        return function(_STATE, item)
    except ContentError as error:
        return _Failed(error.problems)


class Workers(Generic[State]):
    """`with Workers(state, count) as workers: workers.map(function, items)`: `function(state,
    item)` for each item, in `count` forked processes (in this one when `count` is 1)."""

    def __init__(self, state: State, count: int) -> None:
        self.state = state
        self.count = max(1, count)
        self._pool: Any = None

    def __enter__(self) -> Self:
        global _STATE
        if self.count > 1:
            _STATE = self.state
            try:
                context = multiprocessing.get_context("fork")
                self._pool = context.Pool(self.count, initializer=_start_worker)
            finally:
                _STATE = None
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            if exc_type is None:
                self._pool.close()
            else:
                self._pool.terminate()
            self._pool.join()
            self._pool = None

    def submit(self, function: Callable[[State, Item], Result], item: Item) -> Pending[Result]:
        """`function(state, item)` started now on a worker (in this process, when there are
        no workers, once its result is asked for), while this process goes on."""
        if self._pool is None:
            return Pending(lambda: function(self.state, item))
        started = self._pool.apply_async(_call, ((function, item),))
        return Pending(started.get)

    def map(
        self, function: Callable[[State, Item], Result], items: Sequence[Item]
    ) -> Iterator[Result]:
        """The results of `function` (a module-level function) for each item, as they are
        done; a ContentError in a worker is raised here with its problems."""
        if self._pool is None or len(items) < MIN_ITEMS:
            for item in items:
                yield function(self.state, item)
            return
        for result in self._pool.imap_unordered(_call, [(function, item) for item in items]):
            if isinstance(result, _Failed):
                raise ContentError(result.problems)
            yield result


class Pending(Generic[Result]):
    """A result being made: `get()` waits for it (a ContentError in the worker is raised
    here with its problems)."""

    def __init__(self, wait: Callable[[], Any]) -> None:
        self._wait = wait

    def get(self) -> Result:
        result = self._wait()
        if isinstance(result, _Failed):
            raise ContentError(result.problems)
        return result  # type: ignore[no-any-return]


def chunks(count: int, size: int) -> list[tuple[int, int]]:
    """`range(count)` cut into (start, stop) pieces of `size` (the last may be shorter)."""
    size = max(1, size)
    return [(start, min(count, start + size)) for start in range(0, count, size)]


def chunk_size(count: int, workers: int, most: int, pieces_per_worker: int = 8) -> int:
    """A chunk size that gives each worker several pieces (so that none waits long for the
    last one) and no piece more than `most` items."""
    return max(1, min(most, -(-count // max(1, workers * pieces_per_worker))))


def flatten(groups: Iterable[Iterable[Item]]) -> list[Item]:
    return [item for group in groups for item in group]

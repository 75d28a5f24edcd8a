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
import pickle
import select
import signal
import subprocess
import sys
import threading
import time
import warnings
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


class Stopped(Exception):
    """`apart`'s work was stopped by its `stop()` before it was done."""


def apart(function: Callable[..., Result], *args: Any,
          stop: Callable[[], bool] | None = None) -> Result:
    """`function(*args)` (a pure function of values) computed in a process forked for it, so
    that the threads of this one keep running while it works (a preview server's index, made
    while the server shows the next change); in this process when there is one core, when no
    process can be forked, or when the forked one fails (its error is then raised here, as
    this process makes the result again). ChildProcessError when a signal stopped it (Ctrl-C
    reaches it as it reaches this process). With `stop`, asked every STOP_POLL_SECONDS: once
    it says so, the forked process is killed and Stopped raised."""
    if cores() < 2 or not hasattr(os, "fork"):
        if stop is not None and stop():
            raise Stopped
        return function(*args)
    read_end, write_end = os.pipe()
    try:
        with warnings.catch_warnings():  # the child runs no thread and takes no lock
            warnings.simplefilter("ignore", DeprecationWarning)
            child = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return function(*args)
    if child == 0:  # pragma: no cover - the forked process (its result is tested)
        _work_apart(read_end, write_end, function, args)
    os.close(write_end)
    parts: list[bytes] = []
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            if stop is not None:
                ready, _w, _x = select.select([pipe], [], [], STOP_POLL_SECONDS)
                if not ready:
                    if stop():
                        os.kill(child, signal.SIGKILL)
                        os.waitpid(child, 0)
                        raise Stopped
                    continue
            part = pipe.read(1 << 20)
            if not part:
                break
            parts.append(part)
    data = b"".join(parts)
    _pid, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        raise ChildProcessError(f"the process forked for {function.__name__} was stopped by "
                                f"signal {os.WTERMSIG(status)}")
    if status != 0 or not data:
        return function(*args)
    return pickle.loads(data)  # type: ignore[no-any-return]


STOP_POLL_SECONDS = 0.05
"""How often `apart` asks whether to stop."""


def _work_apart(read_end: int, write_end: int, function: Callable[..., Any],
                args: tuple[Any, ...]) -> None:  # pragma: no cover - runs in the forked child
    """The forked process of `apart`: its result, pickled, down the pipe; then it exits at
    once (nothing of the parent's is flushed, closed or cleaned up here). Every other file
    descriptor is closed first, so that a connection the parent closes is closed."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        gc.disable()
        os.close(read_end)
        os.closerange(3, write_end)
        os.closerange(write_end + 1, os.sysconf("SC_OPEN_MAX"))
        data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)


PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""The folder that holds the generator package (what a fresh process imports it from)."""

_FRESH_MAIN = "import sys; from generator import pool; pool._work_fresh(int(sys.argv[1]))"


def fresh(function: Callable[..., Result], *args: Any) -> Result:
    """`function(*args)` (a pure function of values, defined at a module's top level)
    computed in a new Python process, which holds nothing of this one's: for work that needs
    much memory of its own and little of what this process holds, which in a forked process
    would come on top of all it shares with this one (the arguments and the result travel
    pickled). In this process when no process can be started or when the new one fails (its
    error is then raised here, as this process computes the result again);
    ChildProcessError when a signal stopped it. The new process stops when this one does."""
    child = _start_fresh(_FRESH_MAIN)
    if child is None:
        return function(*args)
    payload = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        data, _err = child.communicate(payload)
    except BaseException:
        child.kill()
        child.wait()
        raise
    if child.returncode < 0:
        raise ChildProcessError(f"the process started for {function.__name__} was stopped "
                                f"by signal {-child.returncode}")
    if child.returncode != 0 or not data:
        return function(*args)
    return pickle.loads(data)  # type: ignore[no-any-return]


FRESH_WATCH_SECONDS = 0.2
"""How often a fresh process looks whether the process that started it is still there."""


def _start_fresh(main: str) -> subprocess.Popen[bytes] | None:
    """A new Python process running `main` (given this process's id), its stdin and stdout
    piped; None when no process can be started (or there is no Python executable to start,
    as in an embedded interpreter)."""
    if not sys.executable:
        return None
    paths = [PACKAGE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]
    try:
        return subprocess.Popen(
            [sys.executable, "-c", main, str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        )
    except OSError:
        return None


def _watch_starter(parent: int) -> None:  # pragma: no cover - runs in the new process
    """Exit this (new) process as soon as the process that started it is gone (killed, or
    stopped by the building process), whatever it is doing."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(FRESH_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _work_fresh(parent: int) -> None:  # pragma: no cover - runs in the new process
    """The new process of `fresh`: the function and its arguments, pickled, from stdin; its
    result, pickled, to stdout. It exits as soon as the process that started it is gone."""
    _watch_starter(parent)
    gc.disable()  # what it makes lives until it exits, in moments
    function, args = pickle.loads(sys.stdin.buffer.read())
    data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    os._exit(0)


_STREAMED_MAIN = "import sys; from generator import pool; pool._work_streamed(int(sys.argv[1]))"


class Streamed(Generic[Result]):
    """The results of `function(*args)` (a module-level generator function of values), made
    one by one in a new Python process (as in `fresh`) while this one goes on, in the time
    the cores would otherwise be idle: the new process runs at the lowest priority, so that
    it slows nothing else. For work this process can take back unfinished: `take()` stops
    the new process and returns the results it made so far, in order. The caller makes the
    rest itself, so that the work is done whatever became of the new process (it could not
    start, it failed, it was stopped): a result is only ever one the new process finished.
    The new process stops when this one does."""

    def __init__(self, function: Callable[..., Iterator[Result]], *args: Any) -> None:
        self._results: list[Result] = []
        self._child = _start_fresh(_STREAMED_MAIN)
        self._reader: threading.Thread | None = None
        if self._child is not None:
            payload = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
            self._reader = threading.Thread(target=self._read, args=(self._child, payload),
                                            daemon=True)
            self._reader.start()

    def _read(self, child: subprocess.Popen[bytes], payload: bytes) -> None:
        assert child.stdin is not None and child.stdout is not None
        try:
            child.stdin.write(payload)
            child.stdin.close()
        except OSError:  # it is gone already: no results
            return
        results = self._results
        while True:
            try:
                results.append(pickle.load(child.stdout))
            except (EOFError, pickle.UnpicklingError, OSError):  # its end, or it was stopped
                return

    def take(self) -> list[Result]:
        """Stop the new process (if it is still working) and return the results it finished,
        in the order it made them; the same list when asked again."""
        child, self._child = self._child, None
        if child is not None:
            child.kill()
            child.wait()
            assert self._reader is not None
            self._reader.join()  # (no result is added after this)
            for pipe in (child.stdin, child.stdout):
                if pipe is not None:
                    pipe.close()
        return self._results


def _work_streamed(parent: int) -> None:  # pragma: no cover - runs in the new process
    """The new process of `Streamed`, at the lowest priority: the function and its arguments,
    pickled, from stdin; each result, pickled on its own, to stdout as soon as it is made
    (one write each, so that a stopped process leaves whole results behind it). It exits
    when the function is done, or as soon as the process that started it is gone."""
    _watch_starter(parent)
    try:
        os.nice(19)  # the lowest priority: only what the other processes leave
    except OSError:
        pass
    function, args = pickle.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer
    for result in function(*args):
        out.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        out.flush()
    os._exit(0)


def _chunk_task(state: Any, task: tuple[Callable[[Any, int], Any], int, int]
                ) -> list[tuple[int, Any]]:
    function, start, stop = task
    return [(i, function(state, i)) for i in range(start, stop)]


def each(function: Callable[[State, int], Result], state: State, total: int, count: int,
         most: int) -> Iterator[tuple[int, Result]]:
    """`(i, function(state, i))` for each i in `range(total)`, as they are done (not in
    order), on `count` workers (in this process when it is 1), in chunks of at most `most`
    indices; `function` is a module-level function."""
    with Workers(state, count) as workers:
        size = chunk_size(total, workers.count, most)
        tasks = [(function, start, stop) for start, stop in chunks(total, size)]
        for results in workers.map(_chunk_task, tasks):
            yield from results


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

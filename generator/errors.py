"""Content problems -> `file:line:col: message` lines with a hint; one error type for the rest."""

from __future__ import annotations

import operator
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, overload


@dataclass(frozen=True, slots=True, order=True)
class Location:
    rel_path: str
    """POSIX path relative to the project root (or the content folder's parent)."""
    line: int = 1
    """1-based line."""
    col: int = 1
    """1-based column."""

    def __str__(self) -> str:
        return f"{printable(self.rel_path, keep='')}:{self.line}:{self.col}"


class Severity(Enum):
    ERROR = "error"
    """Fails the run: nothing is written."""
    WARNING = "warning"
    """Advice the editor may overrule; `--strict` makes it an error."""


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    location: Location
    message: str
    """What is wrong, in one line."""
    hint: str = ""
    """How to fix it; may span several lines."""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        label = "" if self.is_error else "warning: "
        text = f"{self.location}: {label}{printable(self.message, keep='')}"
        if self.hint:
            text += "\n" + "\n".join("    " + line for line in printable(self.hint).splitlines())
        return text


def warning(location: Location, message: str, hint: str = "") -> Problem:
    return Problem(location, message, hint, Severity.WARNING)


class Problems(Sequence[Problem]):
    """Problems in order, held as columns of plain values: a long list of them (a large
    site's warnings, which the build's cache keeps from one build to the next) is stored,
    loaded, counted and grouped by file without an object for each problem; a Problem is
    made when one is asked for. Equal to any sequence of the same problems."""

    __slots__ = ("_cols", "_errors", "_hints", "_lines", "_messages", "rel_paths")

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        shared: dict[str, str] = {}  # each file's path and each hint held once
        paths: list[str] = []
        messages: list[str] = []
        hints: list[str] = []
        lines, cols, errors = array("q"), array("q"), bytearray()
        for problem in problems:
            location = problem.location
            paths.append(shared.setdefault(location.rel_path, location.rel_path))
            lines.append(location.line)
            cols.append(location.col)
            messages.append(problem.message)
            hints.append(shared.setdefault(problem.hint, problem.hint))
            errors.append(problem.is_error)
        self.rel_paths: tuple[str, ...] = tuple(paths)
        """Each problem's file (`location.rel_path`)."""
        self._lines, self._cols, self._errors = lines, cols, bytes(errors)
        self._messages, self._hints = tuple(messages), tuple(hints)

    @classmethod
    def _of_columns(cls, rel_paths: tuple[str, ...], lines: bytes, cols: bytes,
                    messages: tuple[str, ...], hints: tuple[str, ...], errors: bytes) -> Problems:
        made = cls.__new__(cls)
        made.rel_paths, made._messages, made._hints, made._errors = (rel_paths, messages, hints,
                                                                     errors)
        made._lines, made._cols = array("q"), array("q")
        made._lines.frombytes(lines)
        made._cols.frombytes(cols)
        if not (len(rel_paths) == len(made._lines) == len(made._cols) == len(messages)
                == len(hints) == len(errors)):
            raise ValueError("the columns of Problems differ in length")
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (Problems._of_columns, (self.rel_paths, self._lines.tobytes(),
                                       self._cols.tobytes(), self._messages, self._hints,
                                       self._errors))

    def __len__(self) -> int:
        return len(self.rel_paths)

    @overload
    def __getitem__(self, index: int) -> Problem: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Problem, ...]: ...

    def __getitem__(self, index: int | slice) -> Problem | tuple[Problem, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        return Problem(Location(self.rel_paths[index], self._lines[index], self._cols[index]),
                       self._messages[index], self._hints[index],
                       Severity.ERROR if self._errors[index] else Severity.WARNING)

    def __iter__(self) -> Iterator[Problem]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(map(operator.eq, self, other))

    __hash__ = None  # type: ignore[assignment]  # (equal to lists and tuples)

    def __repr__(self) -> str:
        return f"Problems({list(self)!r})"

    @property
    def errors(self) -> int:
        """How many of them are errors."""
        return self._errors.count(1)


BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder the text around them (the "Trojan Source" trick)."""


def printable(text: str, keep: str = "\n") -> str:
    """`text` with control characters, line and paragraph separators, lone surrogates (from
    file names that are not UTF-8) and bidirectional controls written as `\\xNN` or
    `\\uNNNN`, except those in `keep`: a file name or a value from content cannot move the
    cursor, start a line of its own, reorder what the terminal shows or fail to print."""
    if text.isprintable():
        return text
    return "".join(
        _escaped(char) if char not in keep and _unsafe(char) else char for char in text
    )


def _escaped(char: str) -> str:
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in BIDI_CONTROLS


_ORDER = operator.attrgetter("location.rel_path", "location.line", "location.col", "message",
                             "hint")


class ContentError(Exception):
    """Raised with every problem of a run, never with just the first. `problems` holds the
    errors, then the warnings, each sorted by location."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        errors: list[Problem] = []
        warnings: list[Problem] = []
        for problem in problems:
            (errors if problem.severity is Severity.ERROR else warnings).append(problem)
        # by location, message and hint, as Problem orders (a key of strings and numbers
        # compares without calling back into Python: a run may have tens of thousands)
        self.problems = (*sorted(errors, key=_ORDER), *sorted(warnings, key=_ORDER))
        super().__init__(f"{len(errors)} problem(s) in the content")

    def __str__(self) -> str:
        return "\n".join(p.format() for p in self.problems)


class UserError(Exception):
    """A command that cannot do what was asked (a bad argument, a file that exists, a port in
    use): what is wrong, and how to fix it. Printed as `error: message` and the hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

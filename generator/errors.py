"""Content problems -> `file:line:col: message` lines with a hint; one error type for the rest."""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


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

"""Content problems -> `file:line:col: message` lines with a hint."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Location:
    rel_path: str
    """POSIX path relative to the project root (or the content folder's parent)."""
    line: int = 1
    """1-based line."""
    col: int = 1
    """1-based column."""

    def __str__(self) -> str:
        return f"{self.rel_path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    location: Location
    message: str
    """What is wrong, in one line."""
    hint: str = ""
    """How to fix it; may span several lines."""

    def format(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.hint:
            text += "\n" + "\n".join("    " + line for line in self.hint.splitlines())
        return text


class ContentError(Exception):
    """Raised with every problem of a run, never with just the first."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the content")

    def __str__(self) -> str:
        return "\n".join(p.format() for p in self.problems)

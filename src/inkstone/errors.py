"""Problems found while building, with the position that caused them and the fix.

Every stage reports through a :class:`BuildReport`; nothing is printed from deep inside
the build, so the CLI, the dev server and the tests all see the same structured events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """How bad a problem is."""

    WARNING = "warning"
    """The page was built, but something in it is probably not what the author meant."""
    ERROR = "error"
    """The page (or the whole site, for config errors) could not be built."""


@dataclass(frozen=True)
class Problem:
    """One error or warning, tied to a place in a source file when there is one."""

    severity: Severity
    message: str
    """What went wrong, in one sentence."""
    path: Path | None = None
    """The file that caused it, relative to the site folder when possible."""
    line: int | None = None
    """1-based line in ``path``."""
    col: int | None = None
    """1-based column in ``path``."""
    hint: str | None = None
    """How to fix it."""

    @property
    def location(self) -> str:
        """``path:line:col`` (as much of it as is known), or an empty string."""
        if self.path is None:
            return ""
        loc = self.path.as_posix()
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return loc

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class SourceError(Exception):
    """Raised inside a stage when one source cannot be processed; becomes an error Problem."""

    def __init__(
        self,
        message: str,
        path: Path | None = None,
        line: int | None = None,
        col: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = Problem(Severity.ERROR, message, path, line, col, hint)

    def __str__(self) -> str:
        return str(self.problem)


class BuildCancelled(Exception):
    """The build was told to stop (the sources changed again while it ran)."""


class ConfigError(Exception):
    """Raised when ``site.toml`` has errors; carries all of them at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class BuildReport:
    """Everything a build noticed, in the order it noticed it, plus its counters."""

    problems: list[Problem] = field(default_factory=list)
    pages_written: int = 0
    """Pages (HTML files) made from templates, redirects apart."""
    redirects_written: int = 0
    """Redirect pages (a document's old addresses) made."""
    files_unchanged: int = 0
    """Output files kept as they were, because their bytes did not change."""
    documents_cached: int = 0
    """Documents whose rendered body came from the persistent cache."""
    formulas_rendered: int = 0
    """Formulas in the built pages (each distinct one is typeset once)."""
    formulas_typeset: int = 0
    """Distinct formulas KaTeX actually ran on (the rest came from the render cache)."""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage of the build spine."""
    written: list[str] = field(default_factory=list)
    """Output files (paths in the output folder) this build wrote anew or changed."""
    preview: bool = False
    """A preview: only the pages of edited sources were written (the dev server's first
    answer to an edit, before the full rebuild)."""
    search_refresh: bool = False
    """Only the search index was brought up to date (the dev server's step after a full
    rebuild, see :func:`~inkstone.build.refresh_search`)."""
    cancelled: bool = False
    """The build stopped because the sources changed again; it wrote nothing."""

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.problems.append(problem)

    def error(
        self,
        message: str,
        path: Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        """Record an error."""
        self.add(Problem(Severity.ERROR, message, path, line, None, hint))

    @property
    def errors(self) -> list[Problem]:
        """The errors, in order."""
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The warnings, in order."""
        return [p for p in self.problems if p.severity is Severity.WARNING]


def toml_error(message: str, text: str) -> tuple[str, int | None, int | None]:
    """A :class:`tomllib.TOMLDecodeError`'s message split into its reason, line and column;
    an error "at end of document" is placed on the last line of ``text``."""
    reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    match = re.search(r"at line (\d+), column (\d+)", message)
    if match:
        return reason, int(match.group(1)), int(match.group(2))
    if "end of document" in message:
        return reason, text.rstrip("\n").count("\n") + 1, None
    return reason, None, None

"""What an importer hands to the writer, and what the writer reports back."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from inkstone.errors import Problem, Severity


@dataclass(frozen=True)
class Formula:
    """One formula, as found in a source or in written Markdown."""

    tex: str
    display: bool
    line: int | None = None
    """1-based line in the file it was found in, when known."""


@dataclass
class ImportedFile:
    """A file to copy beside a post (an image of its page bundle)."""

    source: Path
    """Where it is now."""
    name: str
    """Its file name inside the bundle folder."""


@dataclass
class ImportedPost:
    """One post, converted and ready to be written as ``content/posts/<folder>/index.md``."""

    folder: str
    """The bundle folder's name under ``content/posts/`` (the post's slug unless it sets one)."""
    front: dict[str, Any]
    """Front matter in inkstone's keys; written in a fixed key order."""
    body: str
    """The Markdown body inkstone reads."""
    source: Path
    """The file it came from, for problems (shown relative to the SOURCE folder)."""
    files: list[ImportedFile] = field(default_factory=list)
    found: list[Formula] = field(default_factory=list)
    """Formulas found in the source, in the platform's notation, in order."""


@dataclass
class ImportBatch:
    """Everything one importer read from SOURCE."""

    root: Path
    """The SOURCE folder (or the folder a zip was unpacked into); problems name files below it."""
    posts: list[ImportedPost] = field(default_factory=list)
    site: dict[str, str] = field(default_factory=dict)
    """Settings for a new ``site.toml`` (``title``, ``author``, ``base_url``, ``language``)."""
    problems: list[Problem] = field(default_factory=list)
    label: str = ""
    """Shown before file names in problems (the zip's name, when SOURCE was a zip)."""
    temporary: list[tempfile.TemporaryDirectory[str]] = field(default_factory=list)
    """Folders SOURCE was unpacked into; removed by :meth:`close` once the posts are written."""

    def close(self) -> None:
        """Remove the temporary folders (called after writing)."""
        for folder in self.temporary:
            folder.cleanup()
        self.temporary.clear()

    def problem(
        self, message: str, path: Path | None, line: int | None = None, hint: str | None = None
    ) -> None:
        """Record something that could not be converted, at ``path:line`` (``path`` absolute)."""
        shown = path
        if path is not None:
            try:
                shown = path.relative_to(self.root)
            except ValueError:
                shown = Path(path.name)
            if self.label:
                shown = Path(self.label) / shown
        self.problems.append(Problem(Severity.WARNING, message, shown, line, hint=hint))


@dataclass
class ImportReport:
    """What ``inkstone import`` did: printed by the CLI and asserted by the tests."""

    written: list[PurePosixPath] = field(default_factory=list)
    """Posts written (new or replaced with ``--force``), relative to the site folder."""
    unchanged: list[PurePosixPath] = field(default_factory=list)
    """Posts whose file already held exactly these bytes."""
    kept: list[PurePosixPath] = field(default_factory=list)
    """Posts not written because a different file was there (no ``--force``)."""
    formulas_found: int = 0
    """Formulas in the sources, in each platform's notation."""
    formulas_written: int = 0
    """Formulas in the Markdown written (or that would have been written)."""
    images: int = 0
    """Images copied (new or changed); unchanged ones are not counted."""
    site_toml: bool = False
    """True when a minimal ``site.toml`` was created."""
    problems: list[Problem] = field(default_factory=list)

    @property
    def posts(self) -> int:
        """Posts imported: written plus unchanged."""
        return len(self.written) + len(self.unchanged)

    def summary(self) -> str:
        """The report's closing line."""
        parts = [
            f"{self.posts} posts imported ({len(self.written)} written, "
            f"{len(self.unchanged)} unchanged, {len(self.kept)} kept)",
            f"{self.formulas_found} formulas found, {self.formulas_written} written",
            f"{self.images} images copied",
            f"{len(self.problems)} problems",
        ]
        return ", ".join(parts)

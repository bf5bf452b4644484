"""What the Markdown importers share: reading a source with its front matter, mapping the
usual front-matter keys to inkstone's, naming bundle folders."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from inkstone.content.frontmatter import split_front_matter
from inkstone.content.slug import slugify
from inkstone.errors import SourceError
from inkstone.importers.model import ImportBatch


def read_markdown(batch: ImportBatch, path: Path) -> tuple[dict[str, Any], str, int] | None:
    """``(front matter, body, first body line)`` of a Markdown source, or None after
    recording why it cannot be read."""
    try:
        text = path.read_bytes().decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        batch.problem(
            f"not valid UTF-8 (byte {exc.start}); skipped", path, hint="re-save it as UTF-8"
        )
        return None
    except OSError as exc:
        batch.problem(f"cannot read it: {exc.strerror or exc}; skipped", path)
        return None
    try:
        front = split_front_matter(text, path)
    except SourceError as exc:
        batch.problem(f"{exc.problem.message}; skipped", path, exc.problem.line, exc.problem.hint)
        return None
    return front.data, front.body, front.body_line


def string_list(value: object, *, spaces: bool = False) -> list[str]:
    """Tags or categories as a flat list without repeats: a list (nested lists flattened, as
    Hexo writes hierarchies), or a string split on commas (and on spaces when ``spaces``,
    as Jekyll does)."""
    out: list[str] = []
    if value is None:
        return out
    if isinstance(value, list | tuple):
        for item in value:
            out.extend(string_list(item, spaces=spaces))
    else:
        text = str(value)
        parts = text.split() if spaces and "," not in text else text.split(",")
        out.extend(part.strip() for part in parts if part.strip())
    return list(dict.fromkeys(out))


_DATE_TEXT = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def clean_date(value: object) -> object:
    """A date string YAML left as text (``2022-05-08 21:00:00 +0800``) as a datetime; any
    other value as it is."""
    if not isinstance(value, str):
        return value
    match = _DATE_TEXT.match(value.strip())
    if match is None:
        return value
    zone = (match[3] or "").replace("Z", "+00:00")
    if zone and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        return dt.datetime.fromisoformat(f"{match[1]}T{match[2]}{zone}")
    except ValueError:
        return value


def mtime_date(path: Path) -> dt.date:
    """The day a file was last modified: the date of a post that gives none."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()


def unique_folder(name: str, taken: set[str]) -> str:
    """A bundle folder name from ``name`` (a file stem or title), not yet in ``taken``;
    adds it to ``taken``."""
    base = slugify(name)
    folder, counter = base, 2
    while folder in taken:
        folder = f"{base}-{counter}"
        counter += 1
    taken.add(folder)
    return folder


def quote_lines(text: str, first: str) -> str:
    """``text`` as a blockquote whose first line is ``first`` (``[!NOTE] title``…)."""
    lines = [f"> {first}".rstrip()]
    lines += [f"> {line}".rstrip() for line in text.strip("\n").split("\n")]
    return "\n".join(lines)

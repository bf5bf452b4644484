"""Front matter: YAML between ``---`` lines or TOML between ``+++`` lines.

Errors carry the line in the *file* (the front matter's own line plus its offset), so the
author is sent to the right place.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from inkstone.errors import SourceError

_FENCES = {"---": "yaml", "+++": "toml"}
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it (about ten times faster), else PyYAML's."""


@dataclass
class FrontMatter:
    """The metadata block at the top of a source and where the body starts."""

    data: dict[str, Any]
    body: str
    """The text after the closing fence."""
    body_line: int
    """1-based line of the file on which ``body`` starts."""


def split_front_matter(text: str, path: Path) -> FrontMatter:
    """Separate and parse the front matter of ``text`` (read from ``path``).

    Called once per source while loading. A file without front matter has empty data.
    """
    text = text.removeprefix("\ufeff")
    first_line, _, rest = text.partition("\n")
    fence = first_line.rstrip()
    kind = _FENCES.get(fence)
    if kind is None:
        return FrontMatter({}, text, 1)
    match = re.search(rf"^{re.escape(fence)}[ \t]*\r?$", rest, re.MULTILINE)
    if match is None:
        raise SourceError(
            f"front matter opened with `{fence}` on line 1 is never closed",
            path,
            1,
            hint=f"add a line with `{fence}` after the last metadata line",
        )
    raw = rest[: match.start()]
    body = rest[match.end() :].removeprefix("\n")
    body_line = 2 + raw.count("\n") + 1
    data = _parse_yaml(raw, path) if kind == "yaml" else _parse_toml(raw, path)
    return FrontMatter(data, body, body_line)


def _parse_yaml(raw: str, path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(raw, Loader=_SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 2 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        reason = exc.problem or str(exc)
        context = exc.context_mark
        if exc.context and context is not None and context.line != getattr(mark, "line", None):
            reason += f" ({exc.context} on line {context.line + 2})"
        raise _front_matter_error(f"invalid YAML front matter: {reason}", path, line, col) from exc
    except yaml.YAMLError as exc:
        raise _front_matter_error(f"invalid YAML front matter: {exc}", path, 2, None) from exc
    return _as_mapping(data, path)


def _parse_toml(raw: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"at line (\d+), column (\d+)", message)
        line = int(match.group(1)) + 1 if match else 2
        col = int(match.group(2)) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise _front_matter_error(f"invalid TOML front matter: {reason}", path, line, col) from exc


def _as_mapping(data: object, path: Path) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourceError(
            "front matter must be a mapping of `key: value` lines",
            path,
            2,
            hint="write e.g. `title: My post`",
        )
    return {str(k): v for k, v in data.items()}


def _front_matter_error(message: str, path: Path, line: int | None, col: int | None) -> SourceError:
    return SourceError(
        message,
        path,
        line,
        col,
        hint="quote values that contain `:` or start with `[`, `{`, `*` or `&`",
    )

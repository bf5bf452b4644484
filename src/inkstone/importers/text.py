"""Small text helpers every importer uses: edit Markdown outside code, tidy blank lines."""

from __future__ import annotations

import re
from collections.abc import Callable

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def segments(body: str) -> list[tuple[bool, str, int]]:
    """``body`` cut into ``(is_code, text, first_line)`` stretches (fenced code or not);
    ``first_line`` is 0-based. Joining the texts with newlines gives ``body`` back."""
    out: list[tuple[bool, list[str], int]] = []
    fence: str | None = None
    for index, line in enumerate(body.split("\n")):
        match = _FENCE.match(line)
        if fence is None:
            if match and not (match[1][0] == "`" and "`" in match[2]):
                fence = match[1]
                out.append((True, [line], index))
                continue
            if not out or out[-1][0]:
                out.append((False, [], index))
            out[-1][1].append(line)
            continue
        out[-1][1].append(line)
        if (
            match
            and match[1][0] == fence[0]
            and len(match[1]) >= len(fence)
            and not match[2].strip()
        ):
            fence = None
            out.append((False, [], index + 1))
    return [(code, "\n".join(lines), start) for code, lines, start in out if lines]


def map_outside_code(body: str, edit: Callable[[str, int], str]) -> str:
    """Apply ``edit(text, first_line)`` to each stretch of ``body`` outside fenced code."""
    pieces = [text if code else edit(text, start) for code, text, start in segments(body)]
    return "\n".join(pieces)


def tidy(body: str) -> str:
    """Blank lines made empty, at most one in a row outside code, one final newline."""

    def squeeze(text: str, _start: int) -> str:
        text = re.sub(r"(?m)^[ \t]+$", "", text)
        return re.sub(r"\n{3,}", "\n\n", text)

    return map_outside_code(body, squeeze).strip("\n") + "\n"

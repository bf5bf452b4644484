"""GFM tables that leave formulas alone.

The stock table rule splits a row at every ``|`` and turns ``\\|`` into ``|`` before any
inline rule runs, so ``| $|x|$ |`` loses its cells and ``$\\|x\\|$`` (a norm) becomes an
absolute value. This module runs the same rule with a row splitter that skips ``$…$`` and
``\\(…\\)`` spans and leaves them byte for byte as written.
"""

from __future__ import annotations

import importlib
import types

from markdown_it import MarkdownIt

# the module, not the function of the same name that markdown_it.rules_block exports
stock = importlib.import_module("markdown_it.rules_block.table")


def tables_plugin(md: MarkdownIt) -> None:
    """Replace the ``table`` block rule with the math-aware one."""
    rule = types.FunctionType(
        stock.table.__code__,
        {**stock.table.__globals__, "escapedSplit": split_row},
        "table",
        stock.table.__defaults__,
        stock.table.__closure__,
    )
    md.block.ruler.at("table", rule, {"alt": ["paragraph", "reference"]})


def split_row(row: str) -> list[str]:
    """Split a table row at unescaped pipes outside formulas; ``\\|`` outside formulas is ``|``."""
    cells: list[str] = []
    current: list[str] = []
    i, n = 0, len(row)
    while i < n:
        ch = row[i]
        if ch == "\\" and i + 1 < n:
            if row[i + 1] == "(":
                close = row.find("\\)", i + 2)
                if close != -1:
                    current.append(row[i : close + 2])
                    i = close + 2
                    continue
            current.append("|" if row[i + 1] == "|" else row[i : i + 2])
            i += 2
            continue
        if ch == "$":
            close = _closing_dollar(row, i)
            if close != -1:
                current.append(row[i : close + 1])
                i = close + 1
                continue
        if ch == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    cells.append("".join(current))
    return cells


def _closing_dollar(row: str, start: int) -> int:
    """The ``$`` closing a formula opened at ``start`` (``$$`` spans too), or -1."""
    marker = "$$" if row.startswith("$$", start) else "$"
    i = start + len(marker)
    if marker == "$" and (i >= len(row) or row[i].isspace() or row[i].isdigit()):
        return -1
    while i < len(row):
        if row[i] == "\\":
            i += 2
            continue
        if row.startswith(marker, i):
            return i + len(marker) - 1
        i += 1
    return -1

"""Finding the formulas in Markdown, the way inkstone reads them, to count and compare them.

Counted: ``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]`` and fenced ``math`` blocks, outside
code. An inline ``$`` follows inkstone's money rules: ``$5 and $10`` is no formula.
"""

from __future__ import annotations

import re

from inkstone.importers.model import Formula

_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_MATH = re.compile(
    r"(?<!\\)\$\$(?P<dd>.+?)(?<!\\)\$\$"
    r"|(?<!\\)\\\[(?P<bd>.+?)\\\]"
    r"|(?<!\\)\\\((?P<bp>.+?)\\\)"
    r"|(?<![\\\d$])\$(?P<tight>[^\s$](?:[^$\n]*?[^\s\\$])?)\$(?![\d$])"
    r"|(?<![\\\d$])\$ (?P<padded>[^$\n]+?) \$(?![\w$])",
    re.DOTALL,
)
_WHITESPACE = re.compile(r"\s+")
_QUOTE_MARKS = re.compile(r"(?m)(?<=\n)[ \t]*(?:>[ \t]?)+")
"""Blockquote markers at the start of a formula's later lines (a formula inside a quote)."""


def normalise(tex: str) -> str:
    """TeX with every run of whitespace made one space, for comparing formulas."""
    return _WHITESPACE.sub(" ", tex).strip()


def find_formulas(markdown: str, first_line: int = 1) -> list[Formula]:
    """Every formula of ``markdown`` in order, with the line it starts on.

    ``first_line`` is the file line the text starts on (after front matter).
    """
    found: list[tuple[int, Formula]] = []
    masked_lines: list[str] = []
    fence: str | None = None
    math_start = 0
    math_lines: list[str] = []
    for index, line in enumerate(markdown.split("\n")):
        match = _FENCE.match(line)
        if fence is None and match and not ("`" in match[3] and match[2][0] == "`"):
            fence = match[2]
            if match[3].strip().lower() == "math":
                math_start, math_lines = index, []
            else:
                math_start = -1
            masked_lines.append("")
            continue
        if fence is not None:
            if match and match[2].startswith(fence) and not match[3].strip():
                if math_start >= 0:
                    tex = "\n".join(math_lines)
                    found.append((math_start, Formula(tex, True, first_line + math_start)))
                fence = None
            elif math_start >= 0:
                math_lines.append(line)
            masked_lines.append("")
            continue
        masked_lines.append(line)
    text = "\n".join(masked_lines)
    text = _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)
    for match in _MATH.finditer(text):
        row = text.count("\n", 0, match.start())
        display = match["dd"] is not None or match["bd"] is not None
        tex = _QUOTE_MARKS.sub("", next(g for g in match.groups() if g is not None))
        found.append((row, Formula(tex.strip(), display, first_line + row)))
    found.sort(key=lambda item: item[0])
    return [formula for _, formula in found]


def first_missing(found: list[Formula], written: list[Formula]) -> Formula | None:
    """The first formula of ``found`` that ``written`` lacks (compared after normalising)."""
    remaining: dict[str, int] = {}
    for formula in written:
        key = normalise(formula.tex)
        remaining[key] = remaining.get(key, 0) + 1
    for formula in found:
        key = normalise(formula.tex)
        if remaining.get(key, 0) > 0:
            remaining[key] -= 1
        else:
            return formula
    return None

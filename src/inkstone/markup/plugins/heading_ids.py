"""Stable heading ids that keep Chinese and the text of formulas: ``## 1. 符号约定`` →
``1-符号约定``, ``## 损失 $L(\\theta)$`` → ``损失-ltheta``. Repeated ids get ``-1``, ``-2``…

The slug rule is the one of ``mdit_py_plugins.anchors`` (lower-cased, spaces to dashes,
anything but word characters and dashes dropped), so ids match other markdown-it sites; it
differs only in reading formulas too, so a heading made of math still gets an id.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_DROPPED = re.compile(r"[^\w\u4e00-\u9fff\- ]", re.UNICODE)


def heading_ids_plugin(md: MarkdownIt) -> None:
    """Give every heading an ``id``; an id the author set (``{#x}``) is kept."""
    md.core.ruler.push("heading_ids", _heading_ids)


def heading_slug(text: str) -> str:
    """The id of a heading whose plain text is ``text``."""
    return _DROPPED.sub("", text.strip().lower().replace(" ", "-"))


def heading_text(inline: Token) -> str:
    """A heading's text, formulas included as their TeX."""
    return "".join(
        child.content
        for child in inline.children or []
        if child.type in ("text", "code_inline", "math_inline")
    )


def _heading_ids(state: StateCore) -> None:
    taken: set[str] = set()
    for i, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        if token.attrGet("id"):
            taken.add(str(token.attrGet("id")))
            continue
        base = heading_slug(heading_text(state.tokens[i + 1])) or "section"
        slug, n = base, 0
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        token.attrSet("id", slug)

"""Table-of-contents markers other editors and generators write, dropped.

Posts ask for a table of contents in the place they are written: Typora's and many Hexo
plugins' ``[TOC]``, markdown-it-toc's ``[[toc]]``, CSDN's ``@[TOC](这里写目录标题)`` (in its
new-post template, so in most posts moved from CSDN), ``${toc}``, and kramdown's
(Jekyll's) ``* TOC`` list followed by ``{:toc}``. Read as Markdown they would show as
text, a broken link or a missing wiki link, on the page and at the start of its excerpt.

Every inkstone theme draws the post's table of contents itself, so a paragraph (or
kramdown list) that is nothing but such a marker is dropped, before its text is parsed.
The same words inside a sentence are text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

MARKER = re.compile(
    r"\[toc\]|\[\[toc\]\]|@\[toc\](?:\([^()\n]*\))?|\$\{toc\}|"
    r"(?:toc|目录|table of contents)\s*\n\s*\{:\s*toc\s*\}",
    re.IGNORECASE,
)
"""The whole text of a paragraph that asks for a table of contents."""


def toc_markers_plugin(md: MarkdownIt) -> None:
    """Drop paragraphs, and one-item lists, that are a table-of-contents marker."""
    md.core.ruler.after("block", "toc_markers", _drop_markers)


def _drop_markers(state: StateCore) -> None:
    if "TOC" in state.env.get("references", {}):
        return  # `[toc]: https://…` makes `[toc]` a link
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        span = _marker_span(tokens, index)
        if span:
            del tokens[index : index + span]
        else:
            index += 1


def _marker_span(tokens: list[Token], index: int) -> int:
    """How many tokens from ``index`` make a marker: 3 for a paragraph, 7 for a kramdown
    list of one item; 0 when they are none."""
    token = tokens[index]
    if token.type == "paragraph_open" and _is_marker(tokens, index + 1):
        return 3
    if (
        token.type == "bullet_list_open"
        and [t.type for t in tokens[index + 1 : index + 7]]
        == [
            "list_item_open",
            "paragraph_open",
            "inline",
            "paragraph_close",
            "list_item_close",
            "bullet_list_close",
        ]
        and "{:" in tokens[index + 3].content
        and _is_marker(tokens, index + 3)
    ):
        return 7
    return 0


def _is_marker(tokens: list[Token], index: int) -> bool:
    token = tokens[index] if index < len(tokens) else None
    if token is None or token.type != "inline":
        return False
    text = token.content.strip()
    return len(text) < 60 and MARKER.fullmatch(text) is not None

"""Helpers shared by the container block rules: admonitions, content tabs and toggles.

A container is a block whose body is itself Markdown: the body is tokenized by the block
parser again, with the block indent and the last line set so that nothing outside the
container (a lazy paragraph continuation, say) can leak in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

RenderRule = Callable[[RendererHTML, Sequence[Token], int, OptionsDict, EnvType], str]
"""A markdown-it render rule: ``(renderer, tokens, idx, options, env) -> html``."""

_FENCE = re.compile(r"(`{3,}|~{3,})")

BODY_INDENT = 4
"""Columns by which the body of an admonition or a tab is indented under its marker line."""


def line_text(state: StateBlock, line: int) -> str:
    """The text of ``line`` without its indentation."""
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def is_blank(state: StateBlock, line: int) -> bool:
    return state.bMarks[line] + state.tShift[line] >= state.eMarks[line]


def indented_body_end(state: StateBlock, first: int, end: int, indent: int) -> int:
    """The line after a body that starts at ``first`` and whose lines are indented by at
    least ``indent`` columns (blank lines inside are part of it, trailing ones are not)."""
    body_end = first
    line = first
    while line < end:
        if is_blank(state, line):
            line += 1
            continue
        if state.sCount[line] < indent:
            break
        line += 1
        body_end = line
    return body_end


def fence_after(fence: str, text: str) -> str:
    """The marker of the fenced code block open after line ``text`` (without its
    indentation), ``fence`` being the one open before it (``""``: none). Containers that
    look for their closing line skip what is inside fenced code."""
    text = text.rstrip()
    if fence:
        closes = len(text) >= len(fence) and text == fence[0] * len(text)
        return "" if closes else fence
    marker = _FENCE.match(text)
    return marker.group(1) if marker is not None else ""


def tokenize_body(state: StateBlock, first: int, end: int, indent: int) -> None:
    """Tokenize lines ``first`` to ``end`` (exclusive) as a body indented by ``indent``."""
    old_indent, old_max, old_parent = state.blkIndent, state.lineMax, state.parentType
    old_list_indent = state.listIndent
    state.blkIndent, state.lineMax, state.parentType = indent, end, "container"
    state.listIndent = -1
    try:
        state.md.block.tokenize(state, first, end)
    finally:
        state.blkIndent, state.lineMax, state.parentType = old_indent, old_max, old_parent
        state.listIndent = old_list_indent


def close_body(state: StateBlock, opening: str, closing: str, tag: str) -> None:
    """Close the body just tokenized; an empty one (only its ``opening`` token) is dropped,
    so that no empty wrapper is written."""
    if state.tokens and state.tokens[-1].type == opening:
        state.tokens.pop()
        state.level -= 1
    else:
        state.push(closing, tag, -1)


def line_break_before(tokens: Sequence[Token], idx: int) -> str:
    """A line break when the container at ``idx`` follows a paragraph hidden in a tight
    list item (as markdown-it's own renderer puts one before any block there)."""
    return "\n" if idx > 0 and tokens[idx - 1].hidden else ""


def warn(env: EnvType, line: int | None, message: str, hint: str | None) -> None:
    """Report a problem at 0-based body ``line`` of the document being parsed (None: the
    file, no line).

    The document's ``RenderContext`` (``env["ctx"]``) records it
    (:meth:`~inkstone.markup.markdown.RenderContext.warn`); without one (a parse outside a
    site build) there is no one to tell and nothing is reported, nor while the excerpt is
    rendered again (``quiet``).
    """
    ctx = env.get("ctx")
    if ctx is not None and not env.get("quiet"):
        ctx.warn(line, message, hint)


def fixed_html(markup: str) -> RenderRule:
    """A render rule writing ``markup`` whatever the token (a container's plain tags)."""

    def render(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return markup

    return render


def is_zh(env: EnvType) -> bool:
    """Whether the page being rendered is in Chinese (labels are written in Chinese)."""
    return bool(getattr(env.get("ctx"), "zh", False))

"""Toggles written as raw HTML: ``<details><summary>…</summary> … </details>``, with the
Markdown and the formulas inside rendered.

CommonMark reads ``<details>`` as the start of an HTML block that runs to the next blank
line, so whatever follows ``<summary>…</summary>`` without a blank line would be printed as
raw text, ``$x$`` and ``**bold**`` included. This block rule takes the element apart
instead, wherever the author broke the lines::

    <details><summary>点击展开</summary>          <details>
    Markdown, $x^2$ …                           <summary>点击展开</summary>
    </details>                                  Markdown … </details>

The summary is inline Markdown; without one the toggle is labelled "Details" (详情). The
body runs to the matching ``</details>`` (nested toggles are counted, fenced code is
skipped) and is parsed as Markdown, text on the summary's line or before ``</details>``
included. Of the element's attributes only ``open`` is kept. A ``<details>`` that is never
closed ends with its container (or the document), with a warning. Output::

    <details class="toggle"><summary class="toggle-title">…</summary>
    <div class="toggle-body">…</div></details>

A ``<details>`` that opens and closes on one line is left to the HTML block rule.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from inkstone.markup.plugins.containers import (
    close_body,
    fence_after,
    fixed_html,
    is_blank,
    is_zh,
    line_break_before,
    line_text,
    tokenize_body,
    warn,
)

_OPEN = re.compile(r"<details(\s[^>]*)?>", re.IGNORECASE)
_OPEN_ATTR = re.compile(r"(?:^|\s)open(?:\s|=|$)", re.IGNORECASE)
_CLOSE = re.compile(r"</details\s*>\s*$", re.IGNORECASE)
_SUMMARY_OPEN = re.compile(r"<summary(\s[^>]*)?>", re.IGNORECASE)
_SUMMARY_CLOSE = re.compile(r"</summary\s*>", re.IGNORECASE)
DEFAULT_LABEL = {"en": "Details", "zh": "详情"}
"""The label of a toggle written without ``<summary>``."""


@dataclass
class _Cursor:
    """A place in the source: a line and the text of it that is still to be read."""

    line: int
    rest: str


def details_plugin(md: MarkdownIt) -> None:
    """Register the block rule (before ``html_block``) and the ``details_*`` render rules."""
    md.block.ruler.before(
        "html_block",
        "details",
        _details,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.add_render_rule("details_open", _render_open)
    md.add_render_rule("details_summary_open", fixed_html('<summary class="toggle-title">'))
    md.add_render_rule("details_label", _render_label)
    md.add_render_rule("details_summary_close", fixed_html("</summary>\n"))
    md.add_render_rule("details_body_open", fixed_html('<div class="toggle-body">\n'))
    md.add_render_rule("details_body_close", fixed_html("</div>\n"))
    md.add_render_rule("details_close", fixed_html("</details>\n"))


def _details(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.is_code_block(start):
        return False
    text = line_text(state, start)
    opening = _OPEN.match(text)
    if opening is None:
        return False
    rest = text[opening.end() :]
    if _CLOSE.search(rest):
        return False  # `<details>…</details>` on one line: a plain HTML block
    if silent:
        return True

    close_line, stop = _closing_line(state, start, end)
    if close_line is None:
        warn(
            state.env,
            start,
            "`<details>` is never closed: it ends with its container",
            "add `</details>` on a line of its own where the toggle ends",
        )
    body_limit = close_line if close_line is not None else stop

    details = state.push("details_open", "details", 1)
    details.map = [start, (close_line + 1) if close_line is not None else stop]
    details.markup = text[: opening.end()]
    if _OPEN_ATTR.search(opening.group(1) or ""):
        details.attrSet("open", "")
    cursor = _summary(state, _Cursor(start, rest.lstrip()), body_limit)

    state.push("details_body_open", "div", 1)
    _tokenize_between(state, cursor, close_line, body_limit)
    close_body(state, "details_body_open", "details_body_close", "div")
    state.push("details_close", "details", -1)
    state.line = details.map[1]
    return True


def _closing_line(state: StateBlock, start: int, end: int) -> tuple[int | None, int]:
    """The line holding the ``</details>`` that closes the one opened on ``start`` (or
    None), and the line where the search stopped: the end of the container."""
    depth, fence = 1, ""
    line = start + 1
    while line < end:
        if not is_blank(state, line) and state.sCount[line] < state.blkIndent:
            break
        text = line_text(state, line)
        was, fence = fence, fence_after(fence, text)
        if not was and not fence:
            if _OPEN.match(text):
                depth += 1
            if _CLOSE.search(text):
                depth -= 1
                if depth == 0:
                    return line, line
        line += 1
    return None, line


def _summary(state: StateBlock, cursor: _Cursor, limit: int) -> _Cursor:
    """Push the summary (read at ``cursor`` or on the next non-blank line); returns where
    the body starts."""
    found = cursor
    if not found.rest.strip():
        line = cursor.line + 1
        while line < limit and is_blank(state, line):
            line += 1
        found = _Cursor(line, line_text(state, line) if line < limit else "")
    opening = _SUMMARY_OPEN.match(found.rest)
    summary_open = state.push("details_summary_open", "summary", 1)
    summary_open.map = [found.line, found.line + 1]
    if opening is None:
        state.push("details_label", "", 0)
        state.push("details_summary_close", "summary", -1)
        return cursor if cursor.rest.strip() else _Cursor(cursor.line + 1, "")
    parts, text, line = [], found.rest[opening.end() :], found.line
    while (closing := _SUMMARY_CLOSE.search(text)) is None and line + 1 < limit:
        parts.append(text)
        line += 1
        text = line_text(state, line)
    if closing is None:  # no `</summary>`: the summary is its first line
        closing_end, label = len(found.rest), found.rest[opening.end() :]
        line = found.line
    else:
        parts.append(text[: closing.start()])
        closing_end, label = closing.end(), "\n".join(parts)
    inline = state.push("inline", "", 0)
    inline.content, inline.map, inline.children = label.strip(), [found.line, line + 1], []
    state.push("details_summary_close", "summary", -1)
    after = (text if closing is not None else found.rest)[closing_end:].lstrip()
    return _Cursor(line, after) if after.strip() else _Cursor(line + 1, "")


def _tokenize_between(
    state: StateBlock, cursor: _Cursor, close_line: int | None, limit: int
) -> None:
    """Tokenize the body: from ``cursor`` (possibly mid-line) to ``limit``, plus the text
    before ``</details>`` on the closing line."""
    first, last = cursor.line, limit
    saved = (
        (state.bMarks[first], state.tShift[first], state.sCount[first]) if first < limit else None
    )
    saved_end = state.eMarks[close_line] if close_line is not None else None
    if cursor.rest.strip() and saved is not None:
        state.bMarks[first] = state.eMarks[first] - len(cursor.rest)
        state.tShift[first], state.sCount[first] = 0, state.blkIndent
    if close_line is not None:
        closing = _CLOSE.search(line_text(state, close_line))
        assert closing is not None
        state.eMarks[close_line] = (
            state.bMarks[close_line] + state.tShift[close_line] + closing.start()
        )
        if not is_blank(state, close_line):
            last = close_line + 1
    try:
        if first < last:
            tokenize_body(state, first, last, state.blkIndent)
    finally:
        if saved is not None:
            state.bMarks[first], state.tShift[first], state.sCount[first] = saved
        if close_line is not None and saved_end is not None:
            state.eMarks[close_line] = saved_end


def _render_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    opened = " open" if tokens[idx].attrGet("open") is not None else ""
    return f'{line_break_before(tokens, idx)}<details class="toggle"{opened}>\n'


def _render_label(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return html.escape(DEFAULT_LABEL["zh" if is_zh(env) else "en"])

"""Highlights, superscripts, subscripts and definition lists.

- ``==重点==`` → ``<mark>重点</mark>``; the inside is Markdown (emphasis, formulas…). The
  opening ``==`` must be followed, and the closing one preceded, by something other than a
  space, and neither may touch a Latin letter or digit outside, so ``a==b and c==d`` and
  ``x == y`` stay as written.
- ``x^2^`` → ``x<sup>2</sup>`` and ``H~2~O`` → ``H<sub>2</sub>O``; the inside is plain
  text without spaces or brackets, with at least one letter or digit and no CJK character,
  so ``^_^``, ``2^10 and 2^20``, ``[^a][^b]`` (footnote marks, defined or not) and a range
  such as ``3~5天，6~8天`` stay text. A subscript must also hang on a letter or digit and
  not sit between two digits, so ``~approx~`` after a space and ``3~5,6~8`` stay text.
  ``~~strike~~`` is still strikethrough (its rule runs first), and formulas are tokens of
  their own before these rules see the text, so ``$x^2$`` and ``$a_i$`` stay math.
- Definition lists (``mdit_py_plugins.deflist``): a term line, then ``: definition``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.deflist import deflist_plugin

from inkstone.markup.cjk import CJK

InlineRule = Callable[[StateInline, bool], bool]

MARK = "=="
ASCII_WORD = re.compile(r"[A-Za-z0-9]")
FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff00-\uffef]")
ESCAPED = re.compile(r"\\([ \\!\"#$%&'()*+,./:;<=>?@\[\]^_`{|}~-])")


def inline_extras_plugin(md: MarkdownIt) -> None:
    """Register ``==mark==``, ``^sup^`` and ``~sub~`` after ``emphasis`` (so after
    ``strikethrough`` too) and the definition-list block rule."""
    md.inline.ruler.after("emphasis", "mark", _mark)
    md.inline.ruler.after("mark", "sup", _script("^", "sup"))
    md.inline.ruler.after("sup", "sub", _script("~", "sub"))
    md.use(deflist_plugin)


def _mark(state: StateInline, silent: bool) -> bool:
    start, src = state.pos, state.src
    if not src.startswith(MARK, start) or start + 2 >= state.posMax:
        return False
    after_open = src[start + 2]
    if after_open.isspace() or after_open == "=":
        return False
    if start > 0 and (ASCII_WORD.match(src[start - 1]) or src[start - 1] == "="):
        return False
    close = _find_close(state, start + 2, MARK)
    if close is None or src[close - 1].isspace():
        return False
    end = close + len(MARK)
    if end < len(src) and ASCII_WORD.match(src[end]):
        return False
    if not silent:
        limit = state.posMax
        state.pos, state.posMax = start + 2, close
        opening = state.push("mark_open", "mark", 1)
        opening.markup = MARK
        state.md.inline.tokenize(state)
        closing = state.push("mark_close", "mark", -1)
        closing.markup = MARK
        state.posMax = limit
    state.pos = end
    return True


def _script(marker: str, tag: str) -> InlineRule:
    """The rule of ``^sup^`` or ``~sub~``: plain text between two single markers."""

    def rule(state: StateInline, silent: bool) -> bool:
        start, src = state.pos, state.src
        if silent or src[start] != marker or start + 2 >= state.posMax:
            return False
        if start > 0 and src[start - 1] == "[":
            return False  # ``[^note]``: a footnote mark, even an undefined one
        close = _find_close(state, start + 1, marker)
        if close is None or close == start + 1:
            return False
        content = src[start + 1 : close]
        if not _fits_script(content):
            return False
        if tag == "sub" and not _attached_subscript(src, start, close):
            return False
        opening = state.push(f"{tag}_open", tag, 1)
        opening.markup = marker
        text = state.push("text", "", 0)
        text.content = ESCAPED.sub(r"\1", content)
        closing = state.push(f"{tag}_close", tag, -1)
        closing.markup = marker
        state.pos = close + 1
        return True

    return rule


def _find_close(state: StateInline, pos: int, marker: str) -> int | None:
    """Where ``marker`` next occurs in the inline source from ``pos``, skipping over whole
    tokens (code, formulas, links); None when it does not."""
    start = state.pos
    state.pos = pos
    found = None
    while state.pos < state.posMax:
        if state.src.startswith(marker, state.pos):
            found = state.pos
            break
        state.md.inline.skipToken(state)
    state.pos = start
    return found


def _fits_script(content: str) -> bool:
    return (
        not any(ch.isspace() or ch in "[]" for ch in content)
        and any(ch.isalnum() for ch in content)
        and CJK.search(content) is None
        and FULL_WIDTH.search(content) is None
    )


def _attached_subscript(src: str, start: int, close: int) -> bool:
    """A subscript hangs on a letter or digit (``H~2~O``, ``x~i~``), and is not a range
    between two digits (``3~5,6~8``)."""
    before = src[start - 1] if start > 0 else ""
    after = src[close + 1] if close + 1 < len(src) else ""
    return before.isalnum() and not (before.isdigit() and after.isdigit())

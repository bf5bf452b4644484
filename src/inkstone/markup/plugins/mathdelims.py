"""Every math delimiter that migrated posts use, beyond what ``dollarmath`` reads.

- ``$$`` display blocks may start on the line right after text (``dollarmath``'s block rule
  is given the right to interrupt a paragraph);
- ``\\(…\\)`` inline and ``\\[…\\]`` display, both inside a paragraph and as blocks;
- a bare ``\\begin{aligned}…\\end{aligned}`` (or equation, align, gather …) block;
- ``\\eqref{x}`` and ``\\ref{x}`` written in text, outside any formula;
- ``$…$`` inline, by rules that keep money as text: the opening ``$`` is not preceded by a
  digit, the closing one is not followed by a digit, and the formula is either tight
  (``$x$``) or padded on both sides (``$ x $``, then not followed by a letter); a ``$`` whose
  first possible closing ``$`` fails these tests is a plain dollar sign.

Tokens produced: ``math_inline`` (inline), ``math_inline_double`` (display inside a
paragraph) and ``math_block`` (display block), the same types ``dollarmath`` makes, so
one renderer serves all.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

BARE_ENVS = (
    "aligned",
    "alignedat",
    "gathered",
    "equation",
    "equation*",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "flalign",
    "flalign*",
    "split",
    "eqnarray",
    "eqnarray*",
)
_BEGIN = re.compile(r"\\begin\{(" + "|".join(re.escape(e) for e in BARE_ENVS) + r")\}")
_INTERRUPTS = ["paragraph", "reference", "blockquote", "list", "footnote_def"]
_TEXT_REF = re.compile(r"\\(eqref|ref)\{([^{}\n]+)\}")


def mathdelims_plugin(md: MarkdownIt) -> None:
    """Register the rules; call after ``dollarmath_plugin``."""
    rules = md.block.ruler.__rules__
    dollar_block = next(rule.fn for rule in rules if rule.name == "math_block")

    def dollar_block_that_interrupts(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        # dollarmath's rule pushes tokens even when only asked whether it would match
        if not silent:
            tokens, line = len(state.tokens), state.line
            if not dollar_block(state, start, end, False):
                return False
            if "$$" in state.tokens[-1].content:  # `$$a$$ and $$b$$`: two formulas in a line
                del state.tokens[tokens:]
                state.line = line
                return False
            return True
        tokens, line = len(state.tokens), state.line
        matched = (
            bool(dollar_block(state, start, end, False)) and "$$" not in state.tokens[-1].content
        )
        del state.tokens[tokens:]
        state.line = line
        return matched

    md.block.ruler.at("math_block", dollar_block_that_interrupts, {"alt": _INTERRUPTS})
    md.inline.ruler.at("math_inline", _dollar_inline)
    md.block.ruler.before("math_block", "math_block_bracket", _bracket_block, {"alt": _INTERRUPTS})
    md.block.ruler.before("math_block", "math_block_env", _env_block, {"alt": _INTERRUPTS})
    md.inline.ruler.before("escape", "math_bracket", _bracket_inline)
    md.inline.ruler.before("escape", "text_eqref", _text_ref)


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _bracket_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """``\\[`` at the start of a line, closed by ``\\]`` at the end of a line."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    first = _line(state, start)
    if not first.startswith("\\["):
        return False
    rest = first[2:]
    if rest.rstrip().endswith("\\]") and len(rest.rstrip()) >= 2:
        content, last = rest.rstrip()[:-2], start
        if "\\]" in content:  # `\[ a \] and \[ b \]`: two formulas in a paragraph
            return False
    elif "\\]" in rest:
        return False
    else:
        lines = [rest]
        last = start + 1
        while last < end:
            text = _line(state, last)
            if state.sCount[last] < state.blkIndent and text.strip():
                return False
            if text.rstrip().endswith("\\]"):
                lines.append(text.rstrip()[:-2])
                break
            lines.append(text)
            last += 1
        else:
            return False
        content = "\n".join(lines)
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = content.strip("\n")
    token.markup = "\\["
    token.map = [start, last + 1]
    state.line = last + 1
    return True


def _env_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A line starting ``\\begin{env}`` up to the line holding its ``\\end{env}``."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    first = _line(state, start)
    match = _BEGIN.match(first)
    if match is None:
        return False
    closing = f"\\end{{{match.group(1)}}}"
    last = start
    while last < end:
        text = _line(state, last)
        if last > start and not text.strip():
            return False
        if closing in text:
            if text.rstrip().endswith(closing):
                break
            return False
        last += 1
    else:
        return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = "\n".join(_line(state, n) for n in range(start, last + 1))
    token.markup = "\\begin"
    token.map = [start, last + 1]
    state.line = last + 1
    return True


def _bracket_inline(state: StateInline, silent: bool) -> bool:
    """``\\(…\\)`` as inline math and ``\\[…\\]`` as display math inside a paragraph."""
    src, pos = state.src, state.pos
    if src[pos] != "\\" or pos + 1 >= state.posMax or src[pos + 1] not in "([":
        return False
    closing = "\\)" if src[pos + 1] == "(" else "\\]"
    search = pos + 2
    while True:
        found = src.find(closing, search, state.posMax)
        if found == -1:
            return False
        backslashes = 0
        back = found - 1
        while back >= pos + 2 and src[back] == "\\":
            backslashes += 1
            back -= 1
        if backslashes % 2 == 0:
            break
        search = found + 1
    content = src[pos + 2 : found]
    if not content.strip():
        return False
    if not silent:
        display = closing == "\\]"
        token = state.push("math_inline_double" if display else "math_inline", "math", 0)
        token.content = content
        token.markup = src[pos : pos + 2]
    state.pos = found + 2
    return True


def _text_ref(state: StateInline, silent: bool) -> bool:
    """``\\eqref{label}`` written in running text."""
    if state.src[state.pos] != "\\":
        return False
    match = _TEXT_REF.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = match.group(0)
        token.markup = "ref"
    state.pos = match.end()
    return True


def _dollar_inline(state: StateInline, silent: bool) -> bool:
    """``$…$`` inline math and ``$$…$$`` display math inside a paragraph."""
    src, pos, end = state.src, state.pos, state.posMax
    if src[pos] != "$":
        return False
    if src.startswith("$$", pos):
        close = _find_unescaped(src, "$$", pos + 2, end)
        if close == -1 or not src[pos + 2 : close].strip():
            if not silent:
                state.push("text", "", 0).content = "$$"
            state.pos = pos + 2
            return True
        if not silent:
            token = state.push("math_inline_double", "math", 0)
            token.content = src[pos + 2 : close]
            token.markup = "$$"
        state.pos = close + 2
        return True
    if pos > 0 and src[pos - 1].isdigit():
        return False
    close = _find_unescaped(src, "$", pos + 1, end)
    if close == -1:
        return False
    content = src[pos + 1 : close]
    after = src[close + 1] if close + 1 < end else ""
    if not content.strip() or after.isdigit():
        return False
    tight = not content[0].isspace() and not content[-1].isspace()
    padded = content[0].isspace() and content[-1].isspace() and not after.isalnum()
    if not (tight or padded):
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = content.strip() if padded else content
        token.markup = "$"
    state.pos = close + 1
    return True


def _find_unescaped(src: str, marker: str, start: int, end: int) -> int:
    """Position of the next ``marker`` not preceded by an odd number of backslashes, or -1."""
    while True:
        found = src.find(marker, start, end)
        if found == -1:
            return -1
        backslashes = 0
        while found - backslashes - 1 >= 0 and src[found - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return found
        start = found + 1

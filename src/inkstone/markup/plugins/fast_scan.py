"""Four of markdown-it-py's costs, done with string methods or looked up instead: the same
tokens, about a third less time to parse a post.

- The ``text`` inline rule takes the run of characters up to the next one another inline
  rule may start at (``_TerminatorChars``: ``*``, ``$``, ``[``, a line break…). markdown-it-py
  walks it one character at a time; a paragraph of Chinese prose is a few long runs. Here one
  regular expression, made from the very set the original rule uses, finds the run.
- The block parser's state starts by finding where each line begins and ends and how it is
  indented, again one character at a time. :class:`LinesState` finds them line by line for
  the document itself (blocks nested in containers keep markdown-it-py's own state).
- linkify's core rule first asks linkify-it whether each paragraph may hold a bare link, by
  a search for one very large regular expression (every top-level domain, any case): some
  50 µs a paragraph, a third of the time the whole inline parse takes; then, for each text
  of a paragraph that may, whether it does, by several more. Any link either can find holds
  a scheme (``http:``, ``https:``, ``ftp:``, ``mailto:``, ``//``), ``localhost``, ``www.``,
  a ``.`` before an IP address's digits or a top-level domain's two letters, or an ``@``
  (an e-mail); a text with none of them is answered at once (:class:`QuickLinkCheck`).
- The block parser tries its rules in turn on each block's first line until one matches:
  some twenty for a line of prose, most of which look only at its first character (after
  the indentation) to say no. :class:`BlockDispatch` tries only the rules that may start with
  that character (:data:`FIRST_CHARACTERS`), in the same order.
"""

from __future__ import annotations

import re
from typing import Protocol

from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock, RuleFuncBlockType
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.block import block
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.text import _TerminatorChars
from markdown_it.token import Token
from markdown_it.utils import EnvType

_RUN = re.compile("[^" + re.escape("".join(sorted(_TerminatorChars))) + "]+")
"""Characters no other inline rule starts at."""


_LINK_CHARACTER = re.compile(r"[.:/@]|localhost", re.IGNORECASE)
"""What every link holds: one search for it answers most paragraphs of prose at once."""

_MAY_LINK = re.compile(
    r"(?:https?|ftp|mailto):|//|@|localhost|www\.|\.(?:\d{1,3}\.|[a-z]{2}|рф)", re.I
)
"""What each link linkify-it's ``pretest`` and ``test`` may find holds: a scheme of theirs,
``localhost``, ``www.``, an ``@``, or a ``.`` before 1–3 digits and a ``.`` (an IP address)
or before a top-level domain (each of theirs starts with two letters, or is ``рф``).
Matched with their flag, ``IGNORECASE``, so with the same case folding (see
:class:`QuickLinkCheck`). Slower to search for than :data:`_LINK_CHARACTER`, so searched
for only where that is found."""


def fast_scan_plugin(md: MarkdownIt) -> None:
    """Replace the ``text`` inline rule and the ``block`` core rule in place, and put
    :class:`QuickLinkCheck` in front of linkify-it's ``pretest`` and ``test``."""
    md.inline.ruler.at("text", _text)
    md.core.ruler.at("block", _block)
    if md.linkify is not None:
        md.linkify.pretest = QuickLinkCheck(md.linkify.pretest)
        md.linkify.test = QuickLinkCheck(md.linkify.test)
    md.block.tokenize = BlockDispatch(md.block)  # type: ignore[method-assign]


FIRST_CHARACTERS: dict[str, str] = {
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "reference": "[",
    "footnote_def": "[",
    "html_block": "<",
    "details": "<",
    "heading": "#",
    "math_block": "$",
    "math_block_bracket": "\\",
    "math_block_env": "\\",
    "admonition": "!?",
    "tabs": "=",
    "generator_tag": "{",
}
"""Block rule → the characters a line it matches may start with (after its indentation):
on any other line the rule says no at once, whether asked to match or only whether it
would. A rule not named here (a table, indented code, a setext heading, a definition
list and a paragraph may start with anything) is tried on every line."""


class BlockDispatch:
    """markdown-it-py's ``ParserBlock.tokenize``, trying on each block's first line only the
    rules that may start with its first character (:data:`FIRST_CHARACTERS`)."""

    def __init__(self, block: ParserBlock) -> None:
        self.block = block
        self._compiled: list[RuleFuncBlockType] | None = None
        self._anything: list[RuleFuncBlockType] = []
        self._by_character: dict[str, list[RuleFuncBlockType]] = {}

    def rules(self, character: str) -> list[RuleFuncBlockType]:
        """The enabled rules that may match a line starting with ``character``, in order."""
        compiled = self.block.ruler.getRules("")
        if compiled is not self._compiled:  # the first time, or the rules changed
            named = [(rule.name, rule.fn) for rule in self.block.ruler.__rules__ if rule.enabled]
            starts = "".join(FIRST_CHARACTERS.get(name, "") for name, _ in named)
            self._anything = [fn for name, fn in named if name not in FIRST_CHARACTERS]
            self._by_character = {
                c: [fn for name, fn in named if c in FIRST_CHARACTERS.get(name, c)]
                for c in set(starts)
            }
            self._compiled = compiled
        return self._by_character.get(character, self._anything)

    def __call__(self, state: StateBlock, startLine: int, endLine: int) -> None:
        """Tokenize lines ``startLine`` to ``endLine`` (markdown-it-py's loop, rule for rule)."""
        line = startLine
        max_nesting = state.md.options.maxNesting
        has_empty_lines = False
        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine:
                break
            if state.sCount[line] < state.blkIndent:
                break  # the end of a nested block (a quote's, a list item's)
            if state.level >= max_nesting:
                state.line = endLine
                break
            first = state.src[state.bMarks[line] + state.tShift[line]]  # not an empty line
            for rule in self.rules(first):
                if rule(state, line, endLine, False):
                    if state.line <= line:
                        raise RuntimeError(f"block rule {rule.__name__} did not advance")
                    break
            state.tight = not has_empty_lines  # only an empty line before this block counts
            line = state.line
            if (line - 1) < endLine and state.isEmpty(line - 1):
                has_empty_lines = True  # a paragraph may take the empty line after it
            if line < endLine and state.isEmpty(line):
                has_empty_lines = True
                line += 1
                state.line = line


class LinkCheck(Protocol):
    """linkify-it's ``pretest`` or ``test``: whether ``text`` may hold a link, or does."""

    def __call__(self, text: str) -> bool: ...


class QuickLinkCheck:
    """linkify-it's ``pretest`` or ``test``, skipped for text that holds nothing a link needs.

    ``pretest``'s expression is ``(SCHEME_TEST)|(HOST_FUZZY_TEST)|@``, and ``test`` finds a
    link only where one of those three matches: a scheme of linkify-it's (``http:``,
    ``https:``, ``ftp:``, ``mailto:``, ``//``); or ``localhost``, ``www.``, digits between
    dots or a ``.`` and a top-level domain; or an ``@``. Text in which :data:`_MAY_LINK`
    finds none of them gets the same answer, False, from one or two cheap searches."""

    def __init__(self, check: LinkCheck) -> None:
        self.check = check

    def __call__(self, text: str) -> bool:
        return (
            _LINK_CHARACTER.search(text) is not None
            and _MAY_LINK.search(text) is not None
            and self.check(text)
        )


def _text(state: StateInline, silent: bool) -> bool:
    run = _RUN.match(state.src, state.pos, state.posMax)
    if run is None:
        return False
    if not silent:
        state.pending += run.group()
    state.pos = run.end()
    return True


def _block(state: StateCore) -> None:
    """markdown-it-py's ``block`` core rule, parsing the document with a :class:`LinesState`."""
    if state.inlineMode:
        block(state)  # markdown-it-py's own: one inline token, no lines to find
    elif state.src:
        lines = LinesState(state.src, state.md, state.env, state.tokens)
        state.md.block.tokenize(lines, lines.line, lines.lineMax)


class LinesState(StateBlock):
    """A :class:`StateBlock` whose line marks are found a line, not a character, at a time."""

    def __init__(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> None:
        super().__init__("", md, env, tokens)  # every field, for no lines
        self.src = src
        begins: list[int] = []
        ends: list[int] = []
        shifts: list[int] = []
        counts: list[int] = []
        start = 0
        pieces = src.split("\n")
        last = len(pieces) - 1
        for number, line in enumerate(pieces):
            content = line.lstrip(" \t")
            indent = len(line) - len(content)
            end = start + len(line)
            # markdown-it-py ends the last line at the end of the text only when it holds
            # something after its indentation; a text ending with "\n" has no last line
            if number < last or content:
                begins.append(start)
                ends.append(end)
                shifts.append(indent)
                counts.append(_columns(line, indent) if "\t" in line[:indent] else indent)
            start = end + 1
        length = len(src)
        self.bMarks = [*begins, length]
        self.eMarks = [*ends, length]
        self.tShift = [*shifts, 0]
        self.sCount = [*counts, 0]
        self.bsCount = [0] * (len(begins) + 1)
        self.lineMax = len(begins)


def _columns(line: str, indent: int) -> int:
    """The width of ``line[:indent]`` (spaces and tabs), tabs stopping every 4 columns."""
    offset = 0
    for character in line[:indent]:
        offset += 4 - offset % 4 if character == "\t" else 1
    return offset

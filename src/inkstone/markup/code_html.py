"""The HTML of a highlighted code block, written without Pygments' ``HtmlFormatter``.

:func:`code_html` writes what ``pygments.highlight(code, lexer, HtmlFormatter(cssclass=...,
linenos="inline" or False, hl_lines=[...], wrapcode=True))`` writes, byte for byte, three
to four times faster (a 17-line Python block: about 0.05 ms instead of 0.2):
``HtmlFormatter`` passes every line through a chain of generators (``_format_lines``,
``_wrap_inlinelinenos``, ``_highlight_lines``, ``_wrap_code``, ``_wrap_pre``,
``_wrap_div``) into a ``StringIO``; here one loop over the tokens fills one list, with
the escaped text of repeated tokens and each token type's span kept from block to block.
Lexing stays Pygments' own (:func:`lex`).

Why the output is the same (Pygments 2.20, ``pygments/formatters/html.py``):

* the class of a token type is ``_get_ttype_class``'s and a span's classes are
  ``_get_css_classes``' (no ``classprefix``); escaping is ``_escape_html_table``'s
  (:data:`_ESCAPE`: Pygments 2.21 and later leave a token's quotes as they are; inkstone
  does not follow, so that upgrading Pygments does not rewrite every quote of every
  block);
* the loop in :func:`code_html` is ``_format_lines`` with its state kept differently: a
  span opens where the class changes on a line, text of the same class on a line shares
  a span, every line ends with its closing tag and ``\\n`` (the last line too), empty
  tokens write nothing and an empty line is just ``\\n``;
* inline numbers are ``'%*d'`` of the line number padded to the width of the last one in
  ``<span class="linenos">``, put before the line and then, as in ``format_unencoded``,
  inside the ``<span class="hll">`` of a marked line, which holds the line's ``\\n`` too
  (numbers that are no line of the block mark nothing);
* the wrappers are ``<div class="...">``, ``<pre><span></span>`` and ``<code>``, and the
  ``cssclass`` is escaped with ``html.escape`` as ``HtmlFormatter.__init__`` does.

None of the options that would change this is used (``noclasses``, ``classprefix``,
``lineanchors``, ``linespans``, ``anchorlinenos``, ``linenostart``/``step``/``special``,
``tagsfile``, ``filename``, ``full``, ``nowrap``, ``debug_token_types``, another
``lineseparator``). ``tests/test_code_html.py`` compares the two on every option inkstone
uses, for lexers of every kind.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Iterable, Iterator

from pygments.lexer import Lexer
from pygments.token import STANDARD_TYPES, _TokenType

Tokens = Iterable[tuple[int, _TokenType, str]]
"""``(offset, type, text)``, as ``Lexer.get_tokens_unprocessed`` gives them; the offset is
not used."""

_ESCAPE = {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("'"): "&#39;",
}
"""``HtmlFormatter``'s escaping up to Pygments 2.20 (``pygments.formatters.html.
_escape_html_table``), quotes included; kept on later versions, which leave quotes alone."""

_ESCAPED_LIMIT = 20_000
"""How many token texts :data:`_ESCAPED` keeps before it starts again."""

_ESCAPED_LONGEST = 200
"""Longer token texts are escaped every time rather than kept."""


_ESCAPED: dict[str, str | None] = {}
"""Token texts and their escaped HTML, or None for a text that is empty or holds a line
end (those take the slow path). A block repeats most of its tokens (keywords, spaces,
brackets, names), and a look-up costs a fraction of ``str.translate``. A plain ``dict``
(not one with ``__missing__``): its look-ups are the interpreter's fastest."""

_OPENERS: dict[_TokenType, str] = {}
"""Token types and the tag that opens their span, ``""`` for those without a class."""


def _escape(value: str) -> str | None:
    """The entry of :data:`_ESCAPED` for ``value``, kept there unless it is long."""
    text = value.translate(_ESCAPE) if value and "\n" not in value else None
    if len(value) <= _ESCAPED_LONGEST:
        if len(_ESCAPED) >= _ESCAPED_LIMIT:
            _ESCAPED.clear()
        _ESCAPED[value] = text
    return text


_LINE_START = "\0"
"""Stands for "nothing written yet on this line" where an opener is expected: no opener
equals it."""


def _parent(ttype: _TokenType) -> _TokenType:
    parent = ttype.parent
    if parent is None:  # only ``Token`` has none, and it is a standard type
        raise ValueError(f"token type {ttype!r} is outside pygments.token.Token")
    return parent


def _type_class(ttype: _TokenType) -> str:
    """The class of a token type: its standard short name, or its nearest standard
    ancestor's followed by ``-Name`` for each level below it (``_get_ttype_class``)."""
    name = STANDARD_TYPES.get(ttype)
    if name:
        return name
    suffix = ""
    while name is None:
        suffix = "-" + ttype[-1] + suffix
        ttype = _parent(ttype)
        name = STANDARD_TYPES.get(ttype)
    return name + suffix


def _opener(ttype: _TokenType) -> str:
    """``<span class="...">`` for a token type (``""`` when it has no class): a type that
    is not standard also gets the classes of its ancestors up to the first standard one
    (``_get_css_classes``)."""
    classes = _type_class(ttype)
    while ttype not in STANDARD_TYPES:
        ttype = _parent(ttype)
        classes = _type_class(ttype) + " " + classes
    return f'<span class="{classes}">' if classes else ""


def lex(lexer: Lexer, code: str) -> Tokens:
    """The tokens of ``code``: those ``lexer.get_tokens(code)`` gives, with an offset.

    ``Lexer.get_tokens`` (Pygments 2.20) runs ``_preprocess_lexer_input`` on the text, then
    ``get_tokens_unprocessed`` on the result, drops the offsets and applies the lexer's
    filters. For a ``str`` that preprocessing drops one leading byte-order mark, turns
    ``\\r\\n`` and then ``\\r`` into ``\\n``, and then does only what the options ask:
    ``stripall``, ``stripnl``, ``tabsize``, ``ensurenl`` (``encoding`` matters only for
    ``bytes``). So when the lexer's class keeps ``get_tokens`` and
    ``_preprocess_lexer_input`` as ``Lexer`` has them, it has no filters and none of those
    four options is on (inkstone's lexers: ``stripnl=False, ensurenl=False``), doing the
    first two steps here and calling ``get_tokens_unprocessed`` gives the same tokens
    without a generator step per token. Any other lexer goes through ``get_tokens``."""
    kind = type(lexer)
    plain = (
        kind.get_tokens is Lexer.get_tokens
        and getattr(kind, "_preprocess_lexer_input", None)
        is getattr(Lexer, "_preprocess_lexer_input", None)
        and "get_tokens" not in vars(lexer)
        and "_preprocess_lexer_input" not in vars(lexer)
        and not lexer.filters
        and not (lexer.stripall or lexer.stripnl or lexer.ensurenl or lexer.tabsize > 0)
        and type(code) is str
    )
    if plain:
        text = code.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        return lexer.get_tokens_unprocessed(text)
    return _with_offsets(lexer.get_tokens(code))


def _with_offsets(
    tokens: Iterable[tuple[_TokenType, str]],
) -> Iterator[tuple[int, _TokenType, str]]:
    for ttype, value in tokens:
        yield 0, ttype, value


def code_html(
    tokens: Tokens,
    css_class: str,
    line_numbers: bool = False,
    highlight_lines: Collection[int] = (),
) -> str:
    """The ``<div class="CSS_CLASS"><pre><span></span><code>…</code></pre></div>\\n`` that
    ``HtmlFormatter(cssclass=css_class, wrapcode=True)`` writes for ``tokens``, with
    inline line numbers when ``line_numbers`` (``linenos="inline"``) and the lines in
    ``highlight_lines`` (counted from 1) in ``<span class="hll">`` (``hl_lines``)."""
    openers = _OPENERS
    escaped = _ESCAPED
    out: list[str] = []
    append = out.append
    # the opener of the span open at the end of `out`, and the tag that closes it
    open_, close = _LINE_START, ""
    for _, ttype, value in tokens:
        try:
            opener = openers[ttype]
        except KeyError:
            opener = openers[ttype] = _opener(ttype)
        try:
            text = escaped[value]
        except KeyError:
            text = _escape(value)
        if text is None:  # empty, or holds a line end
            if value == "\n":  # the commonest: a line's end on its own
                append(close)
                append("\n")
                open_, close = _LINE_START, ""
                continue
            if not value:
                continue
            parts = value.translate(_ESCAPE).split("\n")
            for part in parts[:-1]:
                if part:
                    if opener != open_:
                        append(close)
                        append(opener)
                        open_, close = opener, opener and "</span>"
                    append(part)
                append(close)
                append("\n")
                open_, close = _LINE_START, ""
            text = parts[-1]
            if not text:
                continue
        if opener != open_:
            append(close)
            append(opener)
            open_, close = opener, opener and "</span>"
        append(text)
    if open_ is not _LINE_START:
        append(close)
        append("\n")
    body = "".join(out)
    if line_numbers or highlight_lines:
        body = _number_and_mark(body, line_numbers, highlight_lines)
    div = f'<div class="{html.escape(css_class)}">' if css_class else "<div>"
    return f"{div}<pre><span></span><code>{body}</code></pre></div>\n"


def _number_and_mark(body: str, line_numbers: bool, highlight_lines: Collection[int]) -> str:
    """``body`` (lines of HTML, each ending ``\\n``) with inline line numbers and marked
    lines as ``HtmlFormatter`` writes them: ``<span class="linenos"> 9</span>`` before each
    line, then ``<span class="hll">…</span>`` around each marked line, its ``\\n`` included."""
    lines = body.split("\n")
    lines.pop()  # what follows the last line end: nothing
    if line_numbers:
        width = len(str(len(lines)))
        lines = [
            f'<span class="linenos">{n:>{width}}</span>{text}\n' for n, text in enumerate(lines, 1)
        ]
    else:
        lines = [text + "\n" for text in lines]
    for n in set(highlight_lines):
        if 0 < n <= len(lines):
            lines[n - 1] = f'<span class="hll">{lines[n - 1]}</span>'
    return "".join(lines)

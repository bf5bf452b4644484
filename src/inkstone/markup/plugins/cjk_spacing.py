"""A thin gap between CJK characters and Latin letters or digits (``[markdown] cjk_spacing``).

``用Python写`` is drawn as ``用 Python 写``: an empty ``<span class="cjk-gap"></span>``
goes where a CJK character meets a Latin letter or digit, and the theme's CSS gives it a
quarter-em margin. The text is not changed, so copying, search and feeds see what the author
wrote (a real U+2009 would end up in every copied sentence and break searching ``用Python``).

The gap is made by the render rule of ``text`` tokens, so nothing inside code, formulas,
raw HTML or attributes is touched: those are other tokens. The text of a bare URL
(``https://zh.wikipedia.org/wiki/汉字A``, linked or not) gets no gap inside.
Across emphasis and links the rule looks back past the opening and closing tokens, so
``中文**bold**`` gets its gap too (at the start of the bold text). A line break, a
formula, code, an image, a footnote mark, a superscript or a subscript ends the run: no gap
across them. Spaces and full-width punctuation are left as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from inkstone.markup.cjk import CJK

LATIN = re.compile(r"[A-Za-z0-9\u00c0-\u024f]")
GAP = '<span class="cjk-gap"></span>'
URL_LINKS = ("linkify", "autolink")
"""``link_open.markup`` of links whose text is the URL itself."""
RUN_ENDS = ("sup_open", "sup_close", "sub_open", "sub_close")
"""Opening and closing tokens that end a run of text instead of passing through."""
_CHANGES = re.compile(
    f"(?<={CJK.pattern})(?={LATIN.pattern})|(?<={LATIN.pattern})(?={CJK.pattern})"
)
"""The places in a text where a CJK character meets a Latin letter or digit."""
URL = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*://|www\.)[^\s，。、；：！？（）【】「」『』《》〈〉“”‘’]*"
)
"""A URL written as text (linkify leaves ``网址https://…`` alone): it ends at a space or
full-width punctuation, and gets no gap inside."""


def cjk_spacing_plugin(md: MarkdownIt) -> None:
    """Render ``text`` tokens with gaps when the document's ``RenderContext`` asks for them
    (``cjk_spacing``); otherwise exactly as markdown-it does."""
    md.add_render_rule("text", _render_text)


def spaced(text: str) -> str:
    """``text`` as HTML, with a gap wherever CJK meets Latin outside a URL."""
    out: list[str] = []
    pos = 0
    for url in URL.finditer(text):
        start = url.start()
        gap = GAP if start > 0 and _meet(text[start - 1], text[start]) else ""
        out += [_spaced_prose(text[pos:start]), gap, escapeHtml(url.group(0))]
        pos = url.end()
    out.append(_spaced_prose(text[pos:]))
    return "".join(out)


def _spaced_prose(text: str) -> str:
    return GAP.join(escapeHtml(part) for part in _CHANGES.split(text))


def _enabled(env: EnvType) -> bool:
    return getattr(env.get("ctx"), "cjk_spacing", False) is True


def _render_text(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if not _enabled(env) or _is_url_text(tokens, idx):
        return escapeHtml(token.content)
    before = _char_before(tokens, idx)
    gap = GAP if before and token.content and _meet(before, token.content[0]) else ""
    return gap + spaced(token.content)


def _kind(char: str) -> str | None:
    if CJK.match(char):
        return "cjk"
    if LATIN.match(char):
        return "latin"
    return None


def _meet(left: str, right: str) -> bool:
    kinds = {_kind(left), _kind(right)}
    return kinds == {"cjk", "latin"}


def _is_url_text(tokens: Sequence[Token], idx: int) -> bool:
    return idx > 0 and tokens[idx - 1].type == "link_open" and tokens[idx - 1].markup in URL_LINKS


def _char_before(tokens: Sequence[Token], idx: int) -> str:
    """The last character of the text this one continues, across emphasis and links;
    empty when something else (a break, code, a formula, a URL) comes first."""
    for j in range(idx - 1, -1, -1):
        token = tokens[j]
        if token.type == "text":
            return "" if _is_url_text(tokens, j) else token.content[-1:]
        if token.nesting == 0 or token.type in RUN_ENDS or token.markup in URL_LINKS:
            return ""
    return ""

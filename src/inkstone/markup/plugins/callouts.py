"""Callouts: a blockquote that starts with a marker becomes a titled, coloured box.

Three ways of writing one, from GitHub, Obsidian and Notion::

    > [!NOTE]                  GitHub alert: NOTE, TIP, IMPORTANT, WARNING, CAUTION
    > body

    > [!tip] 标题               Obsidian callout, any kind (info, todo, bug, quote …),
    > [!tip]- 点击展开           a title of its own, folded (``-``) or open (``+``)

    > 💡 body                   Notion habit: 💡 ⚠️ ❗ 📌 ℹ️ ✅ ❌ 🔥 open a callout

A core rule runs after the block parser and before inline parsing: it rewrites the
``blockquote_open … blockquote_close`` range of each such blockquote into ``callout_*``
tokens, removing the marker (and the title, which gets an inline token of its own) from the
first paragraph and keeping everything else, so formulas, lists and nested callouts in the
body are parsed as anywhere else. A blockquote without a marker on its first line stays a
blockquote.

Every kind is drawn with one of a few looks (``callout-note``, ``-tip``, ``-important``,
``-success``, ``-question``, ``-warning``, ``-caution``, ``-quote``)::

    <aside class="callout callout-tip">
    <p class="callout-title"><svg class="callout-icon" aria-hidden="true" …/><span …>提示</span></p>
    <div class="callout-body">…</div>
    </aside>

A folding callout is a ``<details>`` with a ``<summary class="callout-title">``. Without a
title of its own, a callout is titled with its kind's label, in Chinese on a Chinese page.
Admonitions (:mod:`.admonitions`) produce the same tokens and so look the same.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from inkstone.markup.plugins.containers import fixed_html, is_zh, line_break_before, warn


@dataclass(frozen=True)
class Kind:
    """A callout kind: how it looks and what it is called."""

    name: str
    look: str
    """The look it is drawn with (``callout-LOOK``), shared by aliases and related kinds."""
    en: str
    """Its label in English: the title of a callout that has none of its own."""
    zh: str
    """Its label in Chinese."""

    def label(self, zh: bool) -> str:
        return self.zh if zh else self.en


def _kinds(*rows: tuple[str, str, str, str]) -> dict[str, Kind]:
    return {name: Kind(name, look, en, zh) for name, look, en, zh in rows}


KINDS = _kinds(
    ("note", "note", "Note", "注意"),
    ("info", "note", "Info", "信息"),
    ("todo", "note", "Todo", "待办"),
    ("abstract", "note", "Abstract", "摘要"),
    ("summary", "note", "Summary", "摘要"),
    ("tldr", "note", "TL;DR", "摘要"),
    ("example", "note", "Example", "示例"),
    ("seealso", "note", "See also", "另见"),
    ("tip", "tip", "Tip", "提示"),
    ("hint", "tip", "Hint", "提示"),
    ("important", "important", "Important", "重要"),
    ("success", "success", "Success", "成功"),
    ("check", "success", "Check", "成功"),
    ("done", "success", "Done", "完成"),
    ("question", "question", "Question", "问题"),
    ("help", "question", "Help", "帮助"),
    ("faq", "question", "FAQ", "常见问题"),
    ("warning", "warning", "Warning", "警告"),
    ("attention", "warning", "Attention", "留意"),
    ("caution", "caution", "Caution", "危险"),
    ("danger", "caution", "Danger", "危险"),
    ("error", "caution", "Error", "错误"),
    ("failure", "caution", "Failure", "失败"),
    ("fail", "caution", "Fail", "失败"),
    ("missing", "caution", "Missing", "缺失"),
    ("bug", "caution", "Bug", "缺陷"),
    ("quote", "quote", "Quote", "引用"),
    ("cite", "quote", "Cite", "引用"),
)
"""Every kind by name: GitHub's five, Obsidian's and MkDocs' kinds and their aliases."""

KNOWN_HINT = ("note", "tip", "important", "warning", "caution", "info", "question", "quote", "bug")
"""The kinds a warning about an unknown kind suggests."""

EMOJI_KINDS = {
    "💡": "tip",
    "⚠️": "warning",
    "⚠": "warning",
    "❗": "important",
    "📌": "note",
    "ℹ️": "info",
    "ℹ": "info",
    "✅": "success",
    "❌": "failure",
    "🔥": "important",
    # the same emoji written as shortcodes (read before shortcodes become emoji)
    ":bulb:": "tip",
    ":warning:": "warning",
    ":exclamation:": "important",
    ":pushpin:": "note",
    ":information_source:": "info",
    ":white_check_mark:": "success",
    ":x:": "failure",
    ":fire:": "important",
}
"""The emoji (or their shortcodes) that, first in a blockquote, make it a callout (Notion's
habit)."""

_SVG = (
    '<svg class="callout-icon" viewBox="0 0 24 24" width="18" height="18" fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
    'aria-hidden="true" focusable="false">{}</svg>'
)
ICONS = {
    "note": '<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.5v.01"/>',
    "tip": '<path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-3.6 10.8c.7.5 1.1 1.3 1.1 2.2h5c0-.9.4-1.7'
    ' 1.1-2.2A6 6 0 0 0 12 3z"/>',
    "important": '<path d="M4 4h16v12H10l-5 4v-4H4z"/><path d="M12 7.5v4M12 14v.01"/>',
    "success": '<circle cx="12" cy="12" r="9"/><path d="M8 12.5l2.8 2.8 5.2-6"/>',
    "question": '<circle cx="12" cy="12" r="9"/><path d="M9.6 9.5a2.5 2.5 0 1 1 3.4 2.3c-.6.3'
    '-1 .9-1 1.6v.4M12 17v.01"/>',
    "warning": '<path d="M12 3.5 2.5 20h19z"/><path d="M12 10v4.5M12 17.2v.01"/>',
    "caution": '<path d="M8.2 3h7.6L21 8.2v7.6L15.8 21H8.2L3 15.8V8.2z"/><path d="M12 7.5v5.5M12'
    ' 16.5v.01"/>',
    "quote": '<path d="M5 17c2.5-1 3.5-3 3.5-6V7H4v5h4.5M15 17c2.5-1 3.5-3 3.5-6V7H14v5h4.5"/>',
}
"""One stroked 24×24 icon per look, drawn in the title's colour."""

_ALERT = re.compile(r"\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*?)[ \t]*", re.ASCII)
_EMOJI = re.compile(
    "(" + "|".join(sorted(map(re.escape, EMOJI_KINDS), key=len, reverse=True)) + r")(?:\s+|$)"
)

FOLDS = {"": None, "-": "closed", "+": "open"}
"""A fold marker and what it means: not folding, folded, or folding but open."""


def callouts_plugin(md: MarkdownIt) -> None:
    """Register the core rule and the render rules of the ``callout_*`` tokens."""
    md.core.ruler.after("block", "callouts", _callouts)
    add_callout_render_rules(md)


def add_callout_render_rules(md: MarkdownIt) -> None:
    """Render ``callout_*`` tokens (also made by :mod:`.admonitions`)."""
    md.add_render_rule("callout_open", _render_open)
    md.add_render_rule("callout_title_open", _render_title_open)
    md.add_render_rule("callout_label", _render_label)
    md.add_render_rule("callout_title_close", _render_title_close)
    md.add_render_rule("callout_body_open", fixed_html('<div class="callout-body">\n'))
    md.add_render_rule("callout_body_close", fixed_html("</div>\n"))
    md.add_render_rule("callout_close", _render_close)


def kind_named(name: str, env: EnvType, line: int) -> Kind:
    """The kind called ``name`` (any case); an unknown name is a note, with a warning."""
    kind = KINDS.get(name.lower())
    if kind is not None:
        return kind
    close = difflib.get_close_matches(name.lower(), KINDS, n=1)
    hint = f"did you mean `{close[0]}`?" if close else "use one of " + ", ".join(KNOWN_HINT)
    warn(env, line, f"unknown callout kind `{name}`, shown as a note", hint)
    return KINDS["note"]


def callout_meta(kind: Kind, fold: str | None) -> dict[str, object]:
    """What the render rules of a callout's tokens need to know."""
    return {"kind": kind, "fold": fold}


def _callouts(state: StateCore) -> None:
    tokens = state.tokens
    out: list[Token] = []
    converted: list[Token | None] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "blockquote_open":
            made = _open_callout(tokens, i, state.env)
            converted.append(made[0] if made else None)
            if made:
                _, added, skip = made
                out += added
                i += skip
                continue
        elif token.type == "blockquote_close" and converted:
            opening = converted.pop()
            if opening is not None:
                if out[-1].type == "callout_body_open":
                    out.pop()  # an empty body: no wrapper
                else:
                    body_close = Token("callout_body_close", "div", -1)
                    body_close.block = True
                    out.append(body_close)
                close = Token("callout_close", opening.tag, -1)
                close.block = True
                close.meta = opening.meta
                out.append(close)
                i += 1
                continue
        out.append(token)
        i += 1
    state.tokens = out


def _open_callout(
    tokens: Sequence[Token], i: int, env: EnvType
) -> tuple[Token, list[Token], int] | None:
    """If the blockquote opening at ``i`` is a callout: its opening token, the tokens that
    replace the blockquote's opening and first paragraph, and how many tokens they replace."""
    if i + 2 >= len(tokens):
        return None
    opening, para, inline = tokens[i], tokens[i + 1], tokens[i + 2]
    if para.type != "paragraph_open" or inline.type != "inline":
        return None
    first, newline, rest = inline.content.partition("\n")
    line = opening.map[0] if opening.map else 0
    title: str | None = None
    alert = _ALERT.fullmatch(first)
    if alert is not None:
        kind = kind_named(alert.group(1), env, line)
        fold = FOLDS[alert.group(2)]
        title = alert.group(3) or None
        body_text, body_first_line = rest, 1
        markup = alert.group(0)
    else:
        emoji = _EMOJI.match(first)
        if emoji is None:
            return None
        kind, fold = KINDS[EMOJI_KINDS[emoji.group(1)]], None
        after = first[emoji.end() :]
        body_text = after + newline + rest if after else rest
        body_first_line = 0 if after else 1
        markup = emoji.group(1)

    callout = Token("callout_open", "details" if fold else "aside", 1)
    callout.block, callout.map, callout.level = True, opening.map, opening.level
    callout.markup = markup
    callout.meta = callout_meta(kind, fold)
    made = [callout, *title_tokens(callout, title, line, opening.level)]
    body = Token("callout_body_open", "div", 1)
    body.block = True
    made.append(body)
    if body_text.strip():
        inline.content = body_text
        if inline.map is not None:
            inline.map = [inline.map[0] + body_first_line, inline.map[1]]
        made += [para, inline]
        return callout, made, 3
    return callout, made, 4  # the first paragraph was only the marker: drop it


def title_tokens(callout: Token, title: str | None, line: int, level: int) -> list[Token]:
    """The title row of ``callout``: ``title`` as inline Markdown, or the kind's label."""
    title_open = Token("callout_title_open", "summary" if callout.tag == "details" else "p", 1)
    title_open.block, title_open.map, title_open.meta = True, [line, line + 1], callout.meta
    if title is not None:
        text = Token("inline", "", 0)
        text.content, text.map, text.children, text.level = title, [line, line + 1], [], level + 2
    else:
        text = Token("callout_label", "", 0)
        text.meta = callout.meta
    title_close = Token("callout_title_close", title_open.tag, -1)
    title_close.block = True
    return [title_open, text, title_close]


def _kind(token: Token) -> Kind:
    kind = token.meta["kind"]
    assert isinstance(kind, Kind)
    return kind


def _render_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    classes = f"callout callout-{_kind(token).look}"
    if token.tag == "details":
        opened = " open" if token.meta.get("fold") == "open" else ""
        return f'{line_break_before(tokens, idx)}<details class="{classes}"{opened}>\n'
    return f'{line_break_before(tokens, idx)}<aside class="{classes}">\n'


def _render_title_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    icon = _SVG.format(ICONS[_kind(token).look])
    return f'<{token.tag} class="callout-title">{icon}<span class="callout-title-text">'


def _render_label(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return html.escape(_kind(tokens[idx]).label(is_zh(env)))


def _render_title_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"</span></{tokens[idx].tag}>\n"


def _render_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"</{tokens[idx].tag}>\n"

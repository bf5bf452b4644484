"""MkDocs (Python-Markdown / Material) admonitions, drawn as callouts::

    !!! note "标题"              a titled callout
        body, indented by 4 spaces: paragraphs, lists, code, math, nested admonitions

    !!! warning                 no title: the kind's label (警告 on a Chinese page)
    !!! note ""                 no title row at all
    ??? tip "点击展开"           folded: a <details> toggle, closed
    ???+ tip "已展开"            a <details> toggle, open

The marker line is ``!!!``, ``???`` or ``???+``, a kind, optionally more class words
(``inline end``, ignored) and a title in double quotes. The body is every following line
indented by 4 more columns than the marker (blank lines included), up to the first line
that is not; it is parsed as Markdown. The tokens are :mod:`.callouts`' ``callout_*``, so
an admonition and an Obsidian callout of the same kind look the same.

``mdit_py_plugins.admon`` reads the same syntax, but it titles an untitled admonition with
the English kind name at parse time (the label must follow the page's language), ends the
body at two blank lines, and draws a ``<div>`` with classes the theme would have to
translate; this rule is small enough to keep ours.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from inkstone.markup.plugins.callouts import (
    FOLDS,
    add_callout_render_rules,
    callout_meta,
    kind_named,
    title_tokens,
)
from inkstone.markup.plugins.containers import (
    BODY_INDENT,
    close_body,
    indented_body_end,
    line_text,
    tokenize_body,
    warn,
)

_MARKER = re.compile(
    r'(!!!|\?\?\?\+?)[ \t]*([A-Za-z][\w-]*)(?:[ \t]+[A-Za-z][\w-]*)*(?:[ \t]+"(.*)")?[ \t]*',
    re.ASCII,
)
_UNQUOTED_TITLE = re.compile(r"(!!!|\?\?\?\+?)[ \t]*[A-Za-z][\w-]*[ \t]+[^\"]*", re.ASCII)
_FOLD_MARKERS = {"!!!": "", "???": "-", "???+": "+"}


def admonitions_plugin(md: MarkdownIt) -> None:
    """Register the block rule (before fenced code) and the callout render rules."""
    md.block.ruler.before(
        "fence",
        "admonition",
        _admonition,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    add_callout_render_rules(md)


def _admonition(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.is_code_block(start):
        return False
    text = line_text(state, start)
    if not text.startswith(("!!!", "???")):
        return False
    marker = _MARKER.fullmatch(text)
    if marker is None:
        if not silent and _UNQUOTED_TITLE.fullmatch(text):
            warn(
                state.env,
                start,
                f"`{text}` is not an admonition: its title is not in double quotes",
                'write `!!! KIND "TITLE"`',
            )
        return False
    if silent:
        return True

    kind = kind_named(marker.group(2), state.env, start)
    fold = FOLDS[_FOLD_MARKERS[marker.group(1)]]
    title = marker.group(3)
    indent = state.sCount[start] + BODY_INDENT
    body_end = indented_body_end(state, start + 1, end, indent)

    callout = state.push("callout_open", "details" if fold else "aside", 1)
    callout.markup, callout.info, callout.map = marker.group(1), text, [start, body_end]
    callout.meta = callout_meta(kind, fold)
    if title != "" or fold:  # `!!! note ""`: no title row (a <details> needs its summary)
        state.tokens += title_tokens(callout, title or None, start, state.level)
    state.push("callout_body_open", "div", 1)
    tokenize_body(state, start + 1, body_end, indent)
    close_body(state, "callout_body_open", "callout_body_close", "div")
    closing = state.push("callout_close", callout.tag, -1)
    closing.meta = callout.meta
    state.line = body_end
    return True

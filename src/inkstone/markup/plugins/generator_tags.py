"""Hexo tag plugins, Hugo shortcodes and Jekyll's Liquid tags, read where they are written.

A blog moved from Hexo, Hugo or Jekyll keeps them in its posts: a Hexo ``source/_posts``
folder or a Jekyll site built as it is, or posts copied into a site, render as they did
there instead of showing ``{% note info %}`` and ``{{< figure >}}`` as text (on the page and
in every excerpt).

Block tags, each tag alone on its line; the body is Markdown unless said otherwise:

- ``{% note info 标题 %}`` … ``{% endnote %}``: a callout (NexT, Butterfly; words after the
  class are NexT's summary, under which the note folds);
- ``{% codeblock a.py lang:python mark:2,4-5 %}`` … ``{% endcodeblock %}`` (or ``code``):
  highlighted code, its body as written; Jekyll's ``{% highlight python linenos %}`` …
  ``{% endhighlight %}`` too;
- ``{% blockquote 作者, 出处 https://… 链接文字 %}`` … ``{% endblockquote %}``: a quote with
  who said it;
- ``{% folding 点击展开 %}`` … ``{% endfolding %}`` (or ``fold``, ``spoiler``, ``details``,
  Butterfly's ``hideToggle``): a toggle;
- ``{% tabs 名字, 2 %}`` with ``<!-- tab 标签 -->`` … ``<!-- endtab -->`` inside (NexT,
  Butterfly; the number picks the tab shown first), ``{{< tabs >}}`` with ``{{< tab "标签" >}}``
  … ``{{< /tab >}}`` inside (or Hextra's ``items="A,B"``): content tabs;
- ``{% math %}`` … ``{% endmath %}``: a display formula; ``{% raw %}`` … ``{% endraw %}``:
  its body;
- ``{{< highlight go "linenos=table,hl_lines=2" >}}`` … ``{{< /highlight >}}``: code;
- ``{{< notice tip "标题" >}}`` … ``{{< /notice >}}`` (or ``admonition``, ``hint``,
  ``callout``, ``alert``): a callout;
- ``{{< details summary="点击展开" >}}`` … ``{{< /details >}}`` (or ``expand``): a toggle;
- ``{{< katex >}}`` … ``{{< /katex >}}`` (or ``math``): a display formula.

Inline tags:

- ``{% asset_img [class] a.png [width [height]] [title [alt]] %}``: an image of the post's
  asset folder (``rope.md`` keeps its files in ``rope/``); alone in its paragraph with a
  title, a figure. ``{% img %}`` names its image as it is.
- ``{% asset_link a.pdf [text] %}``, ``{% asset_path a.pdf %}``: a link to, or the address
  of, a file of the asset folder.
- ``{% post_link 文件名 [text] %}``: a link to that post, showing its title unless text is
  given; ``{% link text https://… %}``: a link.
- ``{% youtube id %}``, ``{{< youtube id >}}``, ``{{< gist user id >}}``: a link to the
  video or gist (a bookmark card when alone in its paragraph).
- ``{{< figure src="a.png" caption="…" alt="…" >}}``: an image (a figure, with a caption).
- ``{{< katex >}}x{{< /katex >}}``: an inline formula.
- ``[text]({{< ref "x.md" >}})`` or ``relref``, Jekyll's ``[text]({% post_url 2023-04-09-vit
  %})`` or ``{% link about.md %}``: a link to that post, found by its file name as a wiki
  link is; ``[text]({% asset_path a.pdf %})``: a link to the file.
- ``![alt]({{ site.baseurl }}/a.png)``, ``[text]({{ "/a.pdf" | relative_url }})``: an image
  or link to that path of the site (inkstone adds its own base path).
- ``{% include figure.liquid path="assets/a.png" title="…" %}`` (al-folio): an image of
  the site's root, a figure with its title.

Both ``{{< … >}}`` and ``{{% … %}}`` shortcodes are read. A tag inkstone does not know, or a
block tag that is never closed, stays as written, with a warning at its line. Tags are not
read inside code or formulas.
"""

from __future__ import annotations

import html
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from inkstone.markup.plugins.callouts import (
    KINDS,
    add_callout_render_rules,
    callout_meta,
    title_tokens,
)
from inkstone.markup.plugins.containers import (
    close_body,
    fence_after,
    is_blank,
    line_text,
    tokenize_body,
    warn,
)
from inkstone.markup.plugins.wikilinks import IMAGE_SUFFIXES, WikiLink
from inkstone.markup.titles import title_pieces

_HEXO = re.compile(r"\{%-?\s*(?P<name>[A-Za-z_]\w*)(?P<args>.*?)\s*-?%\}", re.DOTALL)
_HUGO = re.compile(
    r"\{\{(?P<open>[<%])\s*(?P<close>/)?\s*(?P<name>[A-Za-z_][\w/.-]*)(?P<args>.*?)\s*[>%]\}\}",
    re.DOTALL,
)
_NAMED = re.compile(r"(\w+)=(\"[^\"]*\"|'[^']*'|\S+)")
_SIZE = re.compile(r"\d+(?:px|%)?")
_URL = re.compile(r"(?:https?:)?//\S+|mailto:\S+")
_PATH_TAG = (
    r"\{%-?\s*asset_path\s+(?P<asset>[^\s%]+)\s*-?%\}"
    r"|(?:\{\{-?\s*site\.(?:url|baseurl)\s*-?\}\}){1,2}(?P<rooted>/[^\s)\"']*)"
    r"|\{\{-?\s*(?P<q>[\"'])(?P<quoted>[^\"']*)(?P=q)\s*\|\s*(?:relative|absolute)_url\s*-?\}\}"
)
"""A tag standing for a path: Hexo's ``asset_path``, a path after ``{{ site.baseurl }}``,
or a quoted path piped to ``relative_url``."""
_DESTINATION = re.compile(
    r"\(\s*(?:"
    + _PATH_TAG
    + r"|\{\{[<%]\s*(?P<shortcode>(?:rel)?ref)\s+(?P<ref>\"[^\"]*\"|'[^']*'|[^\s>%]+)\s*[>%]\}\}"
    r"|\{%-?\s*(?P<liquid>post_url|link)\s+(?P<post>[^\s%]+)\s*-?%\})"
    r"(?P<title>\s+\"[^\"\n]*\")?\s*\)"
)
"""A tag as a link's or image's destination: one standing for a path (:data:`_PATH_TAG`),
Hugo's ``ref`` and ``relref``, Jekyll's ``post_url`` and ``link``."""
_PATH_VALUE = re.compile(r"\s*(?:" + _PATH_TAG + r")\s*")


# ---------------------------------------------------------------- what a tag says


@dataclass(frozen=True)
class Tag:
    """One tag as written: ``{% name args %}`` (Hexo) or ``{{< name args >}}`` (Hugo)."""

    hugo: bool
    name: str
    args: str
    closing: bool = False
    """``{{< /name >}}`` (a Hexo closing tag is named ``endname``)."""

    @property
    def written(self) -> str:
        """The tag as a message names it (long arguments cut)."""
        args = self.args if len(self.args) <= 40 else self.args[:39] + "…"
        inside = ("/" if self.closing else "") + " ".join(filter(None, (self.name, args)))
        return "{{< " + inside + " >}}" if self.hugo else "{% " + inside + " %}"

    def words(self) -> list[str]:
        """The arguments split on spaces, quotes respected (``a "b c"`` → ``a``, ``b c``)."""
        return split_args(self.args)

    def named(self) -> tuple[dict[str, str], list[str]]:
        """Hugo's arguments: ``key=value`` ones by key, and the others in order."""
        return named_args(self.args)


def split_args(text: str) -> list[str]:
    """Tag arguments split on spaces, quotes respected (``a "b c"`` → ``a``, ``b c``)."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def named_args(text: str) -> tuple[dict[str, str], list[str]]:
    """``key=value`` arguments by key (quotes removed), and the rest in order."""
    named = {key: value.strip("\"'") for key, value in _NAMED.findall(text)}
    return named, split_args(_NAMED.sub("", text))


def read_tag(text: str, pos: int = 0, end: int | None = None) -> tuple[Tag, int] | None:
    """The tag starting at ``pos`` of ``text`` (read no further than ``end``) and where
    it ends; a tag's arguments never span lines."""
    stop = len(text) if end is None else end
    for pattern, hugo in ((_HEXO, False), (_HUGO, True)):
        match = pattern.match(text, pos, stop)
        if match is None or "\n" in match["args"]:
            continue
        closing = bool(match.groupdict().get("close"))
        return Tag(hugo, match["name"], match["args"].strip(), closing), match.end()
    return None


def _line_tag(text: str) -> Tag | None:
    """The tag that is all of ``text`` (a line without its indentation), if any."""
    if not text.startswith("{"):
        return None
    read = read_tag(text)
    return read[0] if read is not None and read[1] == len(text) else None


# ---------------------------------------------------------------- the plugin


def generator_tags_plugin(md: MarkdownIt) -> None:
    """Register the block rule (before fenced code), the inline rules (before links: one
    reads a tag written as a link's destination) and the render rules."""
    md.block.ruler.before(
        "fence",
        "generator_tag",
        _block_tag,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.inline.ruler.before("link", "generator_tag_destination", _tag_destination)
    md.inline.ruler.before("link", "generator_tag", _inline_tag)
    add_callout_render_rules(md)
    md.add_render_rule("quote_source", _render_quote_source)
    md.add_render_rule("generator_tag", _render_unknown)


_CALLOUTS = {"note", "notice", "admonition", "hint", "callout", "alert", "tip"}
_CODE = {"codeblock", "code", "highlight"}
_QUOTES = {"blockquote", "quote"}
_TOGGLES = {"folding", "fold", "spoiler", "details", "hidetoggle", "expand"}
_MATH = {"math", "katex"}
_BLOCK_NAMES = _CALLOUTS | _CODE | _QUOTES | _TOGGLES | _MATH | {"raw", "tabs"}
_RAW_BODY = _CODE | _MATH


def _is_block(tag: Tag) -> bool:
    return not tag.closing and tag.name.lower() in _BLOCK_NAMES


def _closes(tag: Tag, opening: Tag) -> bool:
    if tag.hugo != opening.hugo:
        return False
    if tag.hugo:
        return tag.closing and tag.name.lower() == opening.name.lower()
    return tag.name.lower() == "end" + opening.name.lower()


def _block_tag(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.is_code_block(start):
        return False
    opening = _line_tag(line_text(state, start).rstrip())
    if opening is None or not _is_block(opening):
        return False
    close_line = _closing_line(state, start, end, opening)
    if close_line is None:
        warned: set[int] = state.env.setdefault("generator_tags_unclosed", set())
        if not silent and start not in warned:
            warned.add(start)
            name = opening.name
            end_tag = "{{< /" + name + " >}}" if opening.hugo else "{% end" + name + " %}"
            warn(
                state.env,
                start,
                f"`{opening.written}` is never closed; shown as written",
                f"add `{end_tag}` on a line of its own where it ends",
            )
        return False
    if silent:
        return True
    kind = opening.name.lower()
    if kind in _CODE:
        _code(state, opening, start, close_line)
    elif kind in _MATH:
        token = state.push("math_block", "math", 0)
        token.block, token.markup, token.map = True, "$$", [start, close_line + 1]
        token.content = "\n" + _raw_lines(state, start + 1, close_line) + "\n"
    else:
        _container(state, opening, start, close_line)
    state.line = close_line + 1
    return True


def _closing_line(state: StateBlock, start: int, end: int, opening: Tag) -> int | None:
    """The line holding the tag that closes ``opening`` (same-named tags inside are
    counted, and fenced code is skipped unless the body is code), or None."""
    raw = opening.name.lower() in _RAW_BODY
    depth, fence = 1, ""
    for line in range(start + 1, end):
        if not is_blank(state, line) and state.sCount[line] < state.blkIndent:
            return None
        text = line_text(state, line).rstrip()
        was, fence = fence, "" if raw else fence_after(fence, text)
        tag = None if was or fence else _line_tag(text)
        if tag is None:
            continue
        if _closes(tag, opening):
            depth -= 1
            if depth == 0:
                return line
        elif not raw and tag.hugo == opening.hugo and tag.name == opening.name:
            depth += not tag.closing
    return None


def _raw_lines(state: StateBlock, first: int, end: int) -> str:
    """Lines ``first`` to ``end`` as written, less the block's indentation."""
    return state.getLines(first, end, state.blkIndent, False).rstrip("\n")


# ---------------------------------------------------------------- block tags


def _code(state: StateBlock, tag: Tag, start: int, close_line: int) -> None:
    """``{% codeblock %}`` / ``{{< highlight >}}`` as a fenced block with its info string."""
    token = state.push("fence", "code", 0)
    token.block, token.markup, token.map = True, "```", [start, close_line + 1]
    if tag.hugo:
        token.info = _hugo_code_info(tag)
    elif tag.name.lower() == "highlight":
        token.info = _liquid_code_info(tag)
    else:
        token.info = _hexo_code_info(tag)
    body = _raw_lines(state, start + 1, close_line)
    token.content = body + "\n" if body else ""


def _hexo_code_info(tag: Tag) -> str:
    """``[title] [lang:x] [url [link text]] [mark:1,3-4] [line_number:true]``."""
    lang, title, options = "", [], []
    for word in tag.words():
        key, colon, value = word.partition(":")
        if _URL.fullmatch(word):
            break  # a link to the code's source, then its text: not shown
        if colon and key == "lang":
            lang = value
        elif colon and key == "mark":
            options.append(f'hl_lines="{value.replace(",", " ")}"')
        elif colon and key == "line_number" and value == "true":
            options.append("linenos")
        elif not colon:
            title.append(word)
    if title:
        options.insert(0, 'title="{}"'.format(" ".join(title).replace('"', "'")))
    return " ".join([lang or "text", *options]) if options else lang


def _liquid_code_info(tag: Tag) -> str:
    """Jekyll's ``{% highlight python linenos %}``: the language, and line numbers."""
    words = tag.words()
    lang = words[0] if words else ""
    return f"{lang or 'text'} linenos" if "linenos" in words[1:] else lang


def _hugo_code_info(tag: Tag) -> str:
    """``go "linenos=table,hl_lines=8 15-17"``: the language and its options."""
    words = tag.words()
    lang = words.pop(0) if words and "=" not in words[0] else ""
    options: dict[str, str] = {}
    for word in words:
        for pair in word.split(","):
            key, _, value = pair.partition("=")
            options[key.strip()] = value.strip().strip("\"'")
    info = []
    if options.get("linenos", "false").lower() not in ("false", ""):
        info.append("linenos")
    if options.get("hl_lines"):
        info.append(f'hl_lines="{options["hl_lines"]}"')
    return " ".join([lang or "text", *info]) if info else lang


_NOTE_CLASSES = {
    "default": "note",
    "primary": "note",
    "blue": "info",
    "green": "success",
    "red": "danger",
    "orange": "warning",
    "yellow": "warning",
    "purple": "note",
    "pink": "note",
    "circle-info": "info",
}
"""Hexo NexT's and Butterfly's note classes and colours (and Blowfish's alert icon) that
name no callout kind of their own."""
_NOTE_STYLES = {"no-icon", "simple", "modern", "flat", "disabled", "open"}


def _container(state: StateBlock, tag: Tag, start: int, close_line: int) -> None:
    name = tag.name.lower()
    if name == "raw":
        tokenize_body(state, start + 1, close_line, state.blkIndent)
        return
    if name in _QUOTES:
        _quote(state, tag, start, close_line)
        return
    if name in _TOGGLES:
        _toggle(state, tag, start, close_line)
        return
    if name == "tabs":
        _tabs(state, tag, start, close_line)
        return
    kind_name, title, fold = _callout_words(tag)
    meta = callout_meta(KINDS[kind_name], fold)
    callout = state.push("callout_open", "details" if meta["fold"] else "aside", 1)
    callout.markup, callout.info, callout.map = "{%", tag.written, [start, close_line + 1]
    callout.meta = meta
    if title or meta["fold"]:
        state.tokens += title_tokens(callout, title or None, start, state.level)
    state.push("callout_body_open", "div", 1)
    tokenize_body(state, start + 1, close_line, state.blkIndent)
    close_body(state, "callout_body_open", "callout_body_close", "div")
    closing = state.push("callout_close", callout.tag, -1)
    closing.meta = callout.meta


def _callout_words(tag: Tag) -> tuple[str, str, str | None]:
    """The kind, title and fold of a callout tag; with no class given, the kind the tag's
    own name is (``{{< tip >}}``), else a note."""
    default = _kind(tag.name) or "note"
    if tag.hugo:
        named, positional = tag.named()
        kind = named.get("type") or (positional.pop(0) if positional else default)
        title = named.get("title") or " ".join(positional)
        closed = named.get("open", "").lower() == "false"
        return _kind(kind) or default, title, "closed" if closed else None
    words = [w for w in tag.words() if w.lower() not in _NOTE_STYLES and "fa-" not in w]
    kind = words.pop(0) if words and _kind(words[0]) else default
    # NexT: words after the class are a summary, and the note folds under it.
    title = " ".join(words)
    return _kind(kind) or default, title, "closed" if title else None


def _kind(name: str) -> str:
    """The callout kind a tag's class names, or ``""`` when it names none."""
    lowered = name.lower()
    if lowered in KINDS:
        return lowered
    return _NOTE_CLASSES.get(lowered, "")


def _toggle(state: StateBlock, tag: Tag, start: int, close_line: int) -> None:
    """A toggle, drawn as a ``<details>`` written in HTML is (see :mod:`.details`)."""
    title, opened = _toggle_title(tag)
    details = state.push("details_open", "details", 1)
    details.markup, details.map = "{%", [start, close_line + 1]
    if opened:
        details.attrSet("open", "")
    state.push("details_summary_open", "summary", 1).map = [start, start + 1]
    if title:
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = title, [start, start + 1], []
    else:
        state.push("details_label", "", 0)
    state.push("details_summary_close", "summary", -1)
    state.push("details_body_open", "div", 1)
    tokenize_body(state, start + 1, close_line, state.blkIndent)
    close_body(state, "details_body_open", "details_body_close", "div")
    state.push("details_close", "details", -1)


_HEXO_TAB = re.compile(r"<!--\s*tab(?:\s+(?P<label>.*?))?\s*-->")
_HEXO_TAB_END = re.compile(r"<!--\s*endtab\s*-->")


@dataclass
class _Tab:
    """One tab of a ``tabs`` tag: its label, and the lines of its body."""

    label: str
    line: int
    first: int
    end: int = -1
    text: str | None = None
    """The body, for a tab opened and closed on one line (``{{< tab >}}甲{{< /tab >}}``)."""


def _tabs(state: StateBlock, tag: Tag, start: int, close_line: int) -> None:
    """NexT's and Butterfly's ``{% tabs name, 2 %}`` with ``<!-- tab 标签 -->`` …
    ``<!-- endtab -->`` inside; Hugo's ``{{< tabs >}}`` with ``{{< tab "标签" >}}`` …
    ``{{< /tab >}}`` (or Hextra's ``items="A,B"``): content tabs (see :mod:`.tabs`)."""
    tabs = _tab_bodies(state, tag, start, close_line)
    selected = 1
    named, _ = tag.named()
    items = [item.strip() for item in named.get("items", "").split(",") if item.strip()]
    if not tag.hugo and "," in tag.args:
        index = tag.args.rsplit(",", 1)[1].strip()
        selected = int(index) if index.lstrip("-").isdigit() else 1
    features = state.env.get("features")
    if isinstance(features, set):
        features.add("tabs")
    tab_set = state.push("tabs_open", "div", 1)
    tab_set.map = [start, close_line + 1]
    for number, tab in enumerate(tabs, 1):
        label = tab.label or (items[number - 1] if number <= len(items) else f"{number}")
        panel = state.push("tab_open", "div", 1)
        panel.map, panel.meta = [tab.line, tab.end], {"selected": number == selected}
        state.push("tab_label_open", "p", 1)
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = label, [tab.line, tab.line + 1], []
        state.push("tab_label_close", "p", -1)
        if tab.text is not None:
            state.push("paragraph_open", "p", 1).map = [tab.line, tab.line + 1]
            body = state.push("inline", "", 0)
            body.content, body.map, body.children = tab.text, [tab.line, tab.line + 1], []
            state.push("paragraph_close", "p", -1)
        else:
            tokenize_body(state, tab.first, tab.end, state.blkIndent)
        state.push("tab_close", "div", -1)
    state.push("tabs_close", "div", -1)


def _tab_bodies(state: StateBlock, tag: Tag, start: int, close_line: int) -> list[_Tab]:
    """The tabs between ``start`` and ``close_line``: each from its marker line to its end
    marker (or the next tab, or the end)."""
    tabs: list[_Tab] = []
    fence = ""
    for line in range(start + 1, close_line):
        text = line_text(state, line).rstrip()
        was, fence = fence, fence_after(fence, text)
        if was or fence:
            continue
        label = _tab_label(tag, text)
        one_line = _one_line_tab(text) if tag.hugo and label is None else None
        opened = tabs and tabs[-1].end < 0
        if label is not None or one_line is not None:
            if opened:
                tabs[-1].end = line
            if one_line is not None:
                tabs.append(_Tab(one_line[0], line, line + 1, line + 1, one_line[1]))
            else:
                tabs.append(_Tab(label or "", line, line + 1))
        elif opened and _is_tab_end(tag, text):
            tabs[-1].end = line
    if tabs and tabs[-1].end < 0:
        tabs[-1].end = close_line
    return tabs


def _tab_label(tag: Tag, text: str) -> str | None:
    """The label of a tab opened on a line (``""`` for a tab without one), or None."""
    if not tag.hugo:
        marker = _HEXO_TAB.fullmatch(text)
        return None if marker is None else re.sub(r"\s*@\S+$", "", marker["label"] or "")
    inner = _line_tag(text)
    if inner is None or not inner.hugo or inner.closing or inner.name.lower() != "tab":
        return None
    return _tab_name(inner)


def _one_line_tab(text: str) -> tuple[str, str] | None:
    """``{{< tab "标签" >}}正文{{< /tab >}}``: the label and the text."""
    read = read_tag(text) if text.startswith("{{") else None
    if read is None or read[0].closing or read[0].name.lower() != "tab":
        return None
    closing = re.search(r"\{\{[<%]\s*/tab\s*[>%]\}\}$", text)
    if closing is None or closing.start() < read[1]:
        return None
    return _tab_name(read[0]), text[read[1] : closing.start()].strip()


def _tab_name(tab: Tag) -> str:
    """The label a Hugo ``tab`` shortcode gives (``""`` when none)."""
    named, positional = tab.named()
    return named.get("name") or named.get("title") or " ".join(positional)


def _is_tab_end(tag: Tag, text: str) -> bool:
    if not tag.hugo:
        return _HEXO_TAB_END.fullmatch(text) is not None
    inner = _line_tag(text)
    return inner is not None and inner.closing and inner.name.lower() == "tab"


def _toggle_title(tag: Tag) -> tuple[str, bool]:
    """A toggle's summary, and whether it starts open."""
    if tag.hugo:
        named, positional = tag.named()
        opened = named.get("open", "").lower() == "true" or "open" in positional
        words = [w for w in positional if w != "open"]
        return named.get("summary") or named.get("title") or " ".join(words), opened
    if tag.name.lower() == "hidetoggle":  # Butterfly: title,background,colour
        return tag.args.split(",")[0].strip(), False
    words = tag.words()
    opened = "open" in words or "open:true" in words
    words = [w for w in words if w != "open" and ":" not in w]
    if len(words) > 1 and words[0].lower() in _COLOURS:
        words = words[1:]
    return " ".join(words), opened


_COLOURS = {"blue", "cyan", "green", "yellow", "red", "orange", "purple", "pink", "gray", "grey"}


def _quote(state: StateBlock, tag: Tag, start: int, close_line: int) -> None:
    """``{% blockquote author[, source] [link] [link title] %}``: the quote, then who said it."""
    quote = state.push("blockquote_open", "blockquote", 1)
    quote.markup, quote.map = ">", [start, close_line + 1]
    tokenize_body(state, start + 1, close_line, state.blkIndent)
    source = _quote_source(tag.words())
    if source:
        token = state.push("quote_source", "", 0)
        token.block, token.map = True, [start, start + 1]
        token.meta["source"] = source
    state.push("blockquote_close", "blockquote", -1)


def _quote_source(words: list[str]) -> tuple[str, str, str, str] | None:
    """(author, work, link, link text) from Hexo's ``blockquote`` arguments."""
    link_at = next((i for i, w in enumerate(words) if _URL.fullmatch(w)), None)
    link = words[link_at] if link_at is not None else ""
    link_text = " ".join(words[link_at + 1 :]) if link_at is not None else ""
    who = " ".join(words[:link_at] if link_at is not None else words)
    author, _, work = who.partition(",")
    if not (author.strip() or work.strip() or link):
        return None
    return author.strip(), work.strip(), link, link_text


def _render_quote_source(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    author, work, link, link_text = tokens[idx].meta["source"]
    parts = [f"<strong>{html.escape(author)}</strong>"] if author else []
    if link:
        shown = link_text or re.sub(r"^(?:https?:)?//", "", link)
        cite = f'<a href="{html.escape(link)}">{html.escape(work or shown)}</a>'
        parts.append(f"<cite>{cite}</cite>")
    elif work:
        parts.append(f"<cite>{html.escape(work)}</cite>")
    return f'<footer class="quote-source">— {", ".join(parts)}</footer>\n'


# ---------------------------------------------------------------- inline tags


def _inline_tag(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "{" or not src.startswith(("{%", "{{<", "{{%"), pos):
        return False
    read = read_tag(src, pos, state.posMax)
    if read is None:
        return False
    tag, after = read
    name = tag.name.lower()
    raw = name == "raw" and not tag.hugo
    if (raw or name in {"katex", "math"}) and not tag.closing:  # a pair on one line
        end = _inline_end(src, after, tag, state.posMax)
        if end is None:
            return False
        if not silent and raw:
            state.push("text", "", 0).content = src[after : end[0]]
        elif not silent:
            token = state.push("math_inline", "math", 0)
            token.content, token.markup = src[after : end[0]].strip(), "$"
        state.pos = end[1]
        return True
    if not silent and not _inline(state, tag, name):
        _unknown(state, tag, name, src[pos:after])
    state.pos = after
    return True


def _inline_end(src: str, after: int, tag: Tag, limit: int) -> tuple[int, int] | None:
    """Where the closing tag of an inline ``tag`` starts and ends, if on the same line."""
    pattern = (
        re.compile(r"\{\{[<%]\s*/" + re.escape(tag.name) + r"\s*[>%]\}\}")
        if tag.hugo
        else re.compile(r"\{%-?\s*end" + re.escape(tag.name) + r"\s*-?%\}")
    )
    match = pattern.search(src, after, limit)
    if match is None or "\n" in src[after : match.start()]:
        return None
    return match.start(), match.end()


def _inline(state: StateInline, tag: Tag, name: str) -> bool:
    """Push the tokens of an inline tag; False, pushing nothing, for one not known."""
    if tag.hugo:
        named, positional = tag.named()
        if name == "figure":
            src = named.get("src") or (positional[0] if positional else "")
            caption = named.get("caption") or named.get("title") or ""
            return bool(src) and _image(state, src, named.get("alt") or caption, caption)
        if name in {"youtube", "gist", "bilibili"}:
            return _video(state, name, named.get("id") or " ".join(positional))
        if name in {"ref", "relref"} and positional:
            return _post_link(state, positional[0], "", via_tag=False)
    else:
        words = tag.words()
        if name in {"asset_img", "img"}:
            return _hexo_image(state, name, words)
        if name in {"asset_link", "asset_path"} and words:
            href = _asset(state, words[0])
            if name == "asset_path":
                state.push("text", "", 0).content = href
                return True
            return _link(state, href, " ".join(words[1:]) or words[0])
        if name == "post_link" and words:
            shown = " ".join(w for w in words[1:] if w.lower() not in ("true", "false"))
            return _post_link(state, words[0], shown)
        if name == "link" and len(words) >= 2:
            at = next((i for i, w in enumerate(words) if _URL.fullmatch(w)), None)
            if at:
                return _link(state, words[at], " ".join(words[:at]))
        if name in {"youtube", "vimeo", "bilibili"} and words:
            return _video(state, name, words[0])
        if name == "include" and words and words[0].startswith("figure"):
            named, _ = tag.named()
            src = next((named[k] for k in ("path", "src", "url", "image") if k in named), "")
            caption = named.get("caption") or named.get("title") or ""
            if src:
                src = src if _URL.fullmatch(src) else "/" + src.lstrip("/")
                return _image(state, src, named.get("alt") or caption, caption)
    return False


def _unknown(state: StateInline, tag: Tag, name: str, written: str) -> None:
    """Keep a tag inkstone cannot read as its text; it is reported when rendered (where
    its line is known)."""
    token = state.push("generator_tag", "", 0)
    token.content = written
    what = "Hugo shortcode" if tag.hugo else "tag"
    if tag.closing or name.startswith("end") or name in _BLOCK_NAMES:
        token.meta["problem"] = (
            f"`{tag.written}` is not on a line of its own; shown as written",
            "put each opening and closing tag of a block on a line of its own",
        )
    else:
        token.meta["problem"] = (
            f"{what} `{tag.written}` has no inkstone equivalent; shown as written",
            "rewrite it as Markdown or HTML",
        )


def _render_unknown(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    line = token.meta.get("line")
    if isinstance(line, int) and line not in env.get("generator_tags_unclosed", ()):
        message, hint = token.meta["problem"]
        warn(env, line, message, hint)
    return html.escape(token.content, quote=False)


def _hexo_image(state: StateInline, name: str, words: list[str]) -> bool:
    """``{% asset_img [class] a.png [w [h]] [title [alt]] %}``."""
    at = next(
        (
            i
            for i, w in enumerate(words)
            if w.lower().split("?")[0].endswith(IMAGE_SUFFIXES) or _URL.fullmatch(w)
        ),
        None,
    )
    if at is None:
        return False
    rest = [w for w in words[at + 1 :] if not _SIZE.fullmatch(w)]
    if len(rest) == 1 and '"' in rest[0]:  # '"title text" "alt text"' (one quoted argument)
        rest = split_args(rest[0])
    title, alt = (rest[0], rest[1]) if len(rest) == 2 else (" ".join(rest), "")
    src = _asset(state, words[at]) if name == "asset_img" else words[at]
    return _image(state, src, alt or title, title)


def _asset(state: StateInline, name: str) -> str:
    """A file of the post's asset folder (Hexo's ``post_asset_folder``: ``rope.md`` keeps
    its files in ``rope/``), as a link relative to the post."""
    return _asset_of(getattr(state.env.get("ctx"), "path", None), name)


def _asset_of(path: object, name: str) -> str:
    """A file of the asset folder of the post at ``path``."""
    if _URL.fullmatch(name) or name.startswith("/"):
        return name
    if not isinstance(path, PurePath) or path.stem == "index":
        return name
    return f"{path.stem}/{name}"


def _image(state: StateInline, src: str, alt: str, title: str) -> bool:
    token = state.push("image", "img", 0)
    token.attrs = {"src": src, "alt": ""}
    if title:
        token.attrs["title"] = title
    token.children = []
    token.content = alt
    state.md.inline.parse(alt, state.md, state.env, token.children)
    return True


def _link(state: StateInline, href: str, text: str) -> bool:
    state.push("link_open", "a", 1).attrs = {"href": href}
    state.push("text", "", 0).content = text or href
    state.push("link_close", "a", -1)
    return True


_VIDEO_URLS = {
    "youtube": "https://www.youtube.com/watch?v={}",
    "vimeo": "https://vimeo.com/{}",
    "bilibili": "https://www.bilibili.com/video/{}",
    "gist": "https://gist.github.com/{}",
}


def _video(state: StateInline, name: str, ident: str) -> bool:
    """A video or gist as a link to its page (a bookmark card when alone in a paragraph)."""
    ident = "/".join(ident.split()) if name == "gist" else ident.split(" ")[0]
    if not ident:
        return False
    url = _VIDEO_URLS[name].format(ident)
    return _link(state, url, url)


def _post_link(state: StateInline, target: str, text: str, via_tag: bool = True) -> bool:
    """A link to another post, found by its file name as a wiki link is; without ``text``
    it shows the post's title (its formulas typeset)."""
    written = "{% post_link " + target + " %}" if via_tag else "{{< ref " + target + " >}}"
    link = _wiki_link(target, text or None, written)
    if not link.name:
        return False
    state.push("wikilink_open", "a", 1).meta["link"] = link
    if text:
        state.md.inline.parse(text, state.md, state.env, state.tokens)
    else:
        _title(state, link)
    state.push("wikilink_close", "a", -1)
    return True


def _wiki_link(target: str, text: str | None, written: str) -> WikiLink:
    """A link to the page a tag names by file (``rope.md#节``), found as a wiki link is."""
    path, _, heading = target.strip("\"'").partition("#")
    name = re.sub(r"\.(md|markdown)$", "", path.lstrip("/"), flags=re.IGNORECASE)
    return WikiLink(name, heading or None, False, text, written)


def _title(state: StateInline, link: WikiLink) -> None:
    """The title of the page ``link`` finds, as text and formulas; its name if none."""
    resolve = getattr(state.env.get("ctx"), "resolve_wiki", None)
    found = resolve(link.target, False) if resolve is not None else None
    if found is None or not found.title:
        state.push("text", "", 0).content = link.display
        return
    for piece in title_pieces(found.title):
        if isinstance(piece, str):
            state.push("text", "", 0).content = piece
        else:
            token = state.push("math_inline", "math", 0)
            token.content, token.markup = piece[0], "$"


# ---------------------------------------------------------------- tags as destinations


def _tag_destination(state: StateInline, silent: bool) -> bool:
    """``[text]({{< ref "x.md" >}})``: a link to the post ``x``, found by its file name as
    a wiki link is (also Jekyll's ``{% post_url %}`` and ``{% link %}``);
    ``[text]({% asset_path a.pdf %})``, ``![alt]({{ site.baseurl }}/a.png)``: a link or image
    (see :data:`_DESTINATION`). markdown-it's link rule cannot read a tag as a destination
    (it holds spaces and quotes)."""
    src, pos = state.src, state.pos
    image = src.startswith("![", pos)
    label_at = pos + 1 if image else pos
    if src[label_at] != "[" or state.linkLevel > 0 or src.find("]({", pos, state.posMax) == -1:
        return False
    label_end = state.md.helpers.parseLinkLabel(state, label_at, not image)
    if label_end < 0:
        return False
    match = _DESTINATION.match(src, label_end + 1, state.posMax)
    if match is None:
        return False
    label = src[label_at + 1 : label_end]
    href = _destination_href(state, match)
    if href is None and image:
        return False
    if not silent:
        title = match["title"].strip()[1:-1] if match["title"] else ""
        if image:
            _image(state, href or "", label, title)
        else:
            _destination_link(state, match, href, label, title, label_at, label_end)
    state.pos = match.end()
    return True


def _destination_href(state: StateInline, match: re.Match[str]) -> str | None:
    """Where a destination tag points, or None for a page found by name."""
    return _path_of(getattr(state.env.get("ctx"), "path", None), match)


def _path_of(path: object, match: re.Match[str]) -> str | None:
    """The path a tag of :data:`_PATH_TAG` stands for, in the post at ``path``."""
    if match["asset"]:
        return _asset_of(path, match["asset"])
    if match["rooted"] is not None:
        return match["rooted"]
    if match["quoted"] is not None:
        return "/" + match["quoted"].lstrip("/")
    return None


def path_in_attribute(value: str, path: object) -> str | None:
    """The path an HTML attribute's whole value stands for when it is a tag
    (``<img src="{% asset_path a.png %}">``, ``src="{{ site.baseurl }}/a.png"``) in the post
    at ``path``; None for any other value."""
    if "{" not in value:
        return None
    match = _PATH_VALUE.fullmatch(value)
    return _path_of(path, match) if match is not None else None


def _destination_link(
    state: StateInline,
    match: re.Match[str],
    href: str | None,
    label: str,
    title: str,
    label_at: int,
    label_end: int,
) -> None:
    if href is not None:
        opening = state.push("link_open", "a", 1)
        opening.attrs = {"href": href}
        if title:
            opening.attrs["title"] = title
        closing = "link_close"
    else:
        if match["ref"]:
            target = match["ref"]
            written = "{{< " + match["shortcode"] + " " + target + " >}}"
        else:
            target = match["post"]
            written = "{% " + match["liquid"] + " " + target + " %}"
        link = _wiki_link(target, label, written)
        state.push("wikilink_open", "a", 1).meta["link"] = link
        closing = "wikilink_close"
    old_max = state.posMax
    state.pos, state.posMax = label_at + 1, label_end
    state.linkLevel += 1
    state.md.inline.tokenize(state)
    state.linkLevel -= 1
    state.posMax = old_max
    state.push(closing, "a", -1)

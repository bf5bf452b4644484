"""The Markdown stage: one document's body in, its HTML, table of contents and excerpt out.

The parser is markdown-it-py with GFM tables, strikethrough and autolinks, task lists,
footnotes, heading anchors and every math delimiter (see :mod:`.plugins.mathdelims`).
Formulas are typeset by KaTeX while rendering; their text is never seen by the Markdown
inline rules, so ``$a_i * b_j$`` stays a formula.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_cjk_friendly import cjk_friendly
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import render_footnote_anchor
from mdit_py_plugins.tasklists import tasklists_plugin

from inkstone.config import ImagesConfig
from inkstone.content.model import Rendered, TocEntry
from inkstone.errors import Problem, Severity
from inkstone.markup.cjk import TextCount
from inkstone.markup.equations import EquationNumbers, has_refs, only_ref, strip_labels
from inkstone.markup.excerpt import make_excerpt
from inkstone.markup.formula_text import formula_line
from inkstone.markup.highlight import highlight_code, parse_info
from inkstone.markup.math import MathResult, engine
from inkstone.markup.plugins.admonitions import admonitions_plugin
from inkstone.markup.plugins.bookmarks import bookmarks_plugin
from inkstone.markup.plugins.callouts import callouts_plugin
from inkstone.markup.plugins.cjk_spacing import cjk_spacing_plugin
from inkstone.markup.plugins.details import details_plugin
from inkstone.markup.plugins.emoji import emoji_plugin
from inkstone.markup.plugins.fast_scan import fast_scan_plugin
from inkstone.markup.plugins.figures import figures_plugin, image_html
from inkstone.markup.plugins.generator_tags import generator_tags_plugin
from inkstone.markup.plugins.heading_ids import heading_ids_plugin
from inkstone.markup.plugins.html_links import html_links_plugin
from inkstone.markup.plugins.inline_extras import inline_extras_plugin
from inkstone.markup.plugins.linkify_cjk import linkify_cjk_plugin
from inkstone.markup.plugins.mathdelims import mathdelims_plugin
from inkstone.markup.plugins.tables import tables_plugin
from inkstone.markup.plugins.tabs import tabs_plugin
from inkstone.markup.plugins.toc_markers import toc_markers_plugin
from inkstone.markup.plugins.wikilinks import WikiResolver, wikilinks_plugin

DISPLAY_TYPES = {"math_block", "math_block_label", "math_inline_double"}
ANCHORED = ("h2", "h3", "h4")
UNHIGHLIGHTED = ("math", "mermaid")
"""Fence languages that are not code blocks: formulas and diagrams."""


@dataclass
class LinkTarget:
    """Where a link or image in the source should point in the built site."""

    href: str
    problem: str | None = None
    """A warning to report (a missing page or image), if any."""
    hint: str | None = None
    file: str | None = None
    """For an image in the content folder: its path relative to the content root."""
    width: int | None = None
    """An image's pixel width as displayed (after EXIF orientation), when known."""
    height: int | None = None
    stamp: str | None = None
    """An image file's modification time and size: a cached page showing the image is
    reused only while they are unchanged."""


LinkResolver = Callable[[str, bool], LinkTarget]
"""``(href, is_image) -> LinkTarget``: supplied by the site, which knows every page's URL."""


@dataclass
class RenderContext:
    """What the Markdown stage needs to know about the document it renders."""

    path: Path
    """The source, as named in messages."""
    body_line: int = 1
    """File line of the body's first line (after front matter)."""
    macros_json: str = "{}"
    """Site and post macros, merged (see :func:`inkstone.markup.math.macros_key`)."""
    number_equations: str = "ams"
    line_numbers: bool = False
    zh: bool = False
    """The page is in Chinese (labels of heading links)."""
    excerpt_length: int = 160
    """Excerpt length in units (a CJK character is one, a Latin word two)."""
    resolve_link: LinkResolver | None = None
    resolve_wiki: WikiResolver | None = None
    """Finds the page or file a wiki link names (``[[note#标题]]``); supplied by the site."""
    content_root: Path | None = None
    """The content folder, where images named by :attr:`LinkTarget.file` are read."""
    images: ImagesConfig = field(default_factory=ImagesConfig)
    """Column width and ``srcset`` widths for images."""
    problems: list[Problem] = field(default_factory=list)
    formulas: int = 0
    typeset: list[MathResult] = field(default_factory=list)
    """Each formula typeset into the body, in order (the excerpt's are not)."""
    cjk_spacing: bool = False
    """Draw a gap where CJK meets Latin (see :mod:`.plugins.cjk_spacing`)."""
    bookmark_titles: dict[str, str] = field(default_factory=dict)
    """Titles of bookmark cards by URL, from front matter ``bookmarks``."""

    def warn(self, line: int | None, message: str, hint: str | None = None) -> None:
        """Report a problem at 0-based body ``line`` of this document (None: the file, no
        line)."""
        file_line = self.body_line + line if line is not None else None
        self.problems.append(Problem(Severity.WARNING, message, self.path, file_line, None, hint))


_parser: MarkdownIt | None = None


def parser() -> MarkdownIt:
    """This process's configured parser (made once)."""
    global _parser
    if _parser is None:
        md = MarkdownIt("gfm-like", {"typographer": False})
        md.use(fast_scan_plugin)
        md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
        md.use(mathdelims_plugin)
        md.use(footnote_plugin)
        md.use(tasklists_plugin, label=True)
        md.use(heading_ids_plugin)
        md.use(linkify_cjk_plugin)
        md.use(tables_plugin)
        md.use(callouts_plugin)
        md.use(admonitions_plugin)
        md.use(details_plugin)
        md.use(tabs_plugin)
        md.use(generator_tags_plugin)
        md.use(figures_plugin)
        md.use(html_links_plugin)
        md.use(wikilinks_plugin, prepare=_prepare_embedded)
        md.use(emoji_plugin)
        md.use(bookmarks_plugin)
        md.use(toc_markers_plugin)
        md.use(inline_extras_plugin)
        md.use(cjk_spacing_plugin)
        md.use(cjk_friendly)
        for name, rule in _RULES.items():
            md.add_render_rule(name, rule)
        _parser = md
    return _parser


def render_markdown(body: str, ctx: RenderContext) -> Rendered:
    """Render one document body. Problems (KaTeX errors, missing images…) go to ``ctx.problems``."""
    parsed = parse_markdown(body, ctx)
    engine().prefetch([(parsed.formulas(), ctx.macros_json)])
    return render_parsed(parsed)


@dataclass
class ParsedBody:
    """A document body parsed, its equations numbered: what :func:`render_parsed` renders.
    Rendering several documents parses them all first, so that KaTeX typesets all their
    formulas in one call (:meth:`~inkstone.markup.math.KatexEngine.prefetch`)."""

    tokens: list[Token]
    env: dict[str, Any]
    ctx: RenderContext

    def formulas(self) -> list[tuple[str, bool]]:
        """The TeX and display mode of each formula the render rules will typeset."""
        return list(_formulas(self.tokens, self.env["numbers"]))


def parse_markdown(body: str, ctx: RenderContext) -> ParsedBody:
    """Parse one document body and number its equations (a label defined twice is a
    warning in ``ctx.problems``)."""
    md = parser()
    env: dict[str, Any] = {"ctx": ctx, "features": set(), "image_variants": {}}
    tokens = md.parse(body, env)
    _annotate_lines(tokens)
    numbers = EquationNumbers(mode=ctx.number_equations)
    _number_equations(tokens, numbers)
    for label, line in numbers.duplicates:
        ctx.warn(
            line,
            f"equation label `{label}` is defined twice",
            "labels must be unique on a page",
        )
    env["numbers"] = numbers
    return ParsedBody(tokens, env, ctx)


def render_parsed(parsed: ParsedBody) -> Rendered:
    """The HTML, table of contents, excerpt and counts of a parsed body."""
    md, tokens, env, ctx = parser(), parsed.tokens, parsed.env, parsed.ctx
    content = md.renderer.render(tokens, md.options, env)
    counted = ctx.formulas
    quiet_env = {**env, "quiet": True}
    toc = _toc(tokens, quiet_env)
    excerpt = make_excerpt(tokens, ctx.excerpt_length, lambda token: _inline_math(token, quiet_env))
    ctx.formulas = counted
    count = _count_prose(tokens)
    return Rendered(
        html=content,
        toc=toc,
        formulas=ctx.formulas,
        excerpt_html=excerpt.html,
        excerpt_cut=excerpt.cut,
        excerpt_text=excerpt.text,
        cjk_chars=count.cjk_chars,
        latin_words=count.latin_words,
        code_blocks=sum(
            t.type == "code_block"
            or (t.type == "fence" and _fence_language(t) not in UNHIGHLIGHTED)
            for t in tokens
        ),
        features=sorted(env["features"]),
        image_variants=list(env["image_variants"]),
    )


def _formulas(tokens: Sequence[Token], numbers: EquationNumbers) -> Iterator[tuple[str, bool]]:
    """The TeX and display mode of each formula the render rules will typeset, for
    :meth:`~inkstone.markup.math.KatexEngine.prefetch` (one the rules typeset otherwise,
    or that no rule here knows of, is merely typeset on its own)."""
    for block in tokens:
        for token in (block.children or []) if block.type == "inline" else [block]:
            if token.type == "math_inline":
                if only_ref(token.content) is not None:
                    continue
                tex, display = token.content, False
            elif token.type in _DISPLAY_MATH or (token.type == "fence" and _is_math_fence(token)):
                tex, display = _display_tex(token), True
            else:
                continue
            yield (numbers.resolve_refs(tex)[0] if has_refs(tex) else tex), display


_DISPLAY_MATH = frozenset({"math_inline_double", "math_block", "math_block_label"})


def _display_tex(token: Token) -> str:
    """The TeX a display formula is typeset from: numbered equations' rewritten TeX."""
    numbered = token.meta.get("numbered")
    return str(numbered.tex) if numbered is not None else token.content


def _count_prose(tokens: Sequence[Token]) -> TextCount:
    """Words of prose: text in paragraphs, headings, lists, tables (not code or formulas)."""
    count = TextCount()
    for token in tokens:
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    count.add(child.content)
    return count


def _annotate_lines(tokens: Sequence[Token]) -> None:
    """Give inline children a 0-based body line.

    A formula is found in its block's source text (markdown-it keeps it verbatim), which
    places it exactly; other children take the line of the last break or formula before them.
    """
    for token in tokens:
        if token.type != "inline" or token.map is None or not token.children:
            continue
        raw, cursor, line = token.content, 0, token.map[0]
        for child in token.children:
            if child.type.startswith("math") and child.content:
                found = raw.find(child.content, cursor)
                if found != -1:
                    line = token.map[0] + raw.count("\n", 0, found)
                    cursor = found + len(child.content)
            child.meta["line"] = line
            if child.type in ("softbreak", "hardbreak"):
                line += 1
                cursor = _line_start(raw, line - token.map[0], cursor)


def _line_start(raw: str, n: int, cursor: int) -> int:
    """Offset where line ``n`` (0-based) of ``raw`` starts, never before ``cursor``."""
    offset = 0
    for _ in range(n):
        offset = raw.find("\n", offset) + 1
        if offset == 0:
            return cursor
    return max(offset, cursor)


def _number_equations(tokens: Sequence[Token], numbers: EquationNumbers) -> None:
    for token in tokens:
        if token.type in DISPLAY_TYPES or (token.type == "fence" and _is_math_fence(token)):
            token.meta["numbered"] = numbers.number(token.content, _token_line(token))
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "math_inline_double":
                    child.meta["numbered"] = numbers.number(child.content, _token_line(child))


def _prepare_embedded(tokens: Sequence[Token], env: EnvType) -> None:
    """Number the equations of text embedded from another page, as on that page."""
    numbers = EquationNumbers(mode=_ctx(env).number_equations)
    _number_equations(tokens, numbers)
    env["numbers"] = numbers


def _is_math_fence(token: Token) -> bool:
    return _fence_language(token) == "math"


def _fence_language(token: Token) -> str:
    return token.info.strip().split(" ")[0].lower()


def _toc(tokens: Sequence[Token], env: EnvType) -> list[TocEntry]:
    """The h2–h4 headings, with their formulas typeset again from the render cache (quietly:
    the body reported their errors)."""
    entries = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3", "h4"):
            anchor = str(token.attrs.get("id", ""))
            text, markup = _heading_content(tokens[i + 1], env)
            if anchor and text:
                entries.append(TocEntry(int(token.tag[1]), anchor, text, markup))
    return entries


def _heading_content(inline: Token, env: EnvType) -> tuple[str, str]:
    """A heading's text and its HTML for the table of contents (see :class:`TocEntry`)."""
    text: list[str] = []
    markup: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "softbreak"):
            content = child.content or " "
            text.append(content)
            markup.append(html.escape(content, quote=False))
        elif child.type == "code_inline":
            text.append(child.content)
            markup.append(f"<code>{html.escape(child.content, quote=False)}</code>")
        elif child.type in ("math_inline", "math_inline_double"):
            typeset = _inline_math(child, env)
            if typeset.startswith('<span class="katex">'):
                text.append(formula_line(typeset))
                markup.append(typeset)
            else:  # a reference (a link of its own) or an error: the TeX as written
                text.append(child.content)
                markup.append(html.escape(child.content, quote=False))
    return " ".join("".join(text).split()), "".join(markup).strip()


def _ctx(env: EnvType) -> RenderContext:
    ctx = env["ctx"]
    assert isinstance(ctx, RenderContext)
    return ctx


def _token_line(token: Token) -> int | None:
    if token.map is not None:
        return token.map[0]
    line = token.meta.get("line")
    return line if isinstance(line, int) else None


def _typeset(
    tex: str, display: bool, token: Token, env: EnvType, written: str | None = None
) -> str:
    """Typeset ``tex``. On a KaTeX error, show ``written`` (the author's TeX, when ``tex`` is
    a numbered rewrite of it) and report the error KaTeX finds in what the author wrote."""
    ctx = _ctx(env)
    quiet = env.get("quiet", False)
    numbers: EquationNumbers = env["numbers"]
    if has_refs(tex):
        tex, missing = numbers.resolve_refs(tex)
        for label in missing if not quiet else []:
            ctx.warn(
                _token_line(token),
                f"\\eqref to unknown label `{label}`",
                "add \\label{...} to the equation",
            )
    result = engine().render(tex, display, ctx.macros_json)
    ctx.formulas += 1
    if result.error is None:
        if not quiet:
            ctx.typeset.append(result)
        return result.html
    error = result.error
    if written is not None and written.strip() != tex.strip():
        error = engine().render(strip_labels(written), display, ctx.macros_json).error or error
        tex = written
    if not quiet:
        ctx.warn(_token_line(token), f"KaTeX error: {error}", "the formula is shown as TeX source")
    delim = ("$$", "$$") if display else ("$", "$")
    source = html.escape(delim[0] + tex + delim[1])
    return f'<code class="math-error" title="{html.escape(error)}">{source}</code>'


def _render_inline_math(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return _inline_math(tokens[idx], env)


def _inline_math(token: Token, env: EnvType) -> str:
    """An inline formula, or the link of a formula that is only ``\\eqref{…}``."""
    ref = only_ref(token.content)
    if ref is not None:
        link, known = env["numbers"].ref_html(*ref)
        if not known and not env.get("quiet"):
            _ctx(env).warn(
                _token_line(token),
                f"\\{ref[0]} to unknown label `{ref[1]}`",
                "add \\label{...} to the equation",
            )
        return str(link)
    return _typeset(token.content, False, token, env)


def _render_display_math(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    numbered = token.meta.get("numbered")
    tex = _display_tex(token)
    anchors: list[str] = list(numbered.anchors) if numbered is not None else []
    if token.type == "math_block_label" and token.info:
        anchors.insert(0, "eq-" + token.info)
    body = _typeset(tex, True, token, env, written=token.content)
    extra = "".join(f'<span id="{html.escape(a)}" class="eq-anchor"></span>' for a in anchors[1:])
    ident = f' id="{html.escape(anchors[0])}"' if anchors else ""
    if token.type == "math_inline_double":
        return f'<span class="math-display"{ident}>{extra}{body}</span>'
    return f'<div class="math-display"{ident}>{extra}{body}</div>\n'


def _render_fence(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if _is_math_fence(token):
        return _render_display_math(self, tokens, idx, options, env)
    if _fence_language(token) == "mermaid":
        # drawn in the browser by Mermaid; without JavaScript it reads as code
        env["features"].add("mermaid")
        source = html.escape(token.content, quote=False)
        return f'<pre class="mermaid" tabindex="0">{source}</pre>\n'
    return highlight_code(token.content, parse_info(token.info), _ctx(env).line_numbers)


def _resolve(token: Token, attr: str, is_image: bool, env: EnvType) -> LinkTarget | None:
    ctx = _ctx(env)
    value = token.attrGet(attr)
    if ctx.resolve_link is None or not isinstance(value, str):
        return None
    target = ctx.resolve_link(value, is_image)
    token.attrSet(attr, target.href)
    if target.problem and not env.get("quiet"):
        ctx.warn(_token_line(token), target.problem, target.hint)
    return target


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    _resolve(tokens[idx], "href", False, env)
    return self.renderToken(tokens, idx, options, env)


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    target = _resolve(token, "src", True, env)
    alt = "".join(
        _formula_text(c, env) if c.type == "math_inline" else c.content
        for c in token.children or []
        if c.type in ("text", "math_inline", "code_inline")
    )
    title = token.attrGet("title")
    src = str(token.attrGet("src") or "")
    return image_html(src, alt, str(title) if title else None, target, env, _token_line(token))


def _formula_text(token: Token, env: EnvType) -> str:
    """An inline formula as one line of text (``√dₖ``), for an image's ``alt``; its TeX
    when KaTeX rejects it (the formula is not on the page, so no error is reported)."""
    result = engine().render(token.content, False, _ctx(env).macros_json)
    return token.content if result.error is not None else formula_line(result.html)


def _render_code_block(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return highlight_code(tokens[idx].content, parse_info(""), _ctx(env).line_numbers)


def _render_heading_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Headings h2–h4 end with a link to themselves (styled to show on hover and focus)."""
    opening = tokens[idx - 2] if idx >= 2 else None
    anchor = ""
    if opening is not None and opening.type == "heading_open" and opening.tag in ANCHORED:
        ident = html.escape(str(opening.attrGet("id") or ""))
        if ident:
            label = "链接到本节" if _ctx(env).zh else "Link to this section"
            anchor = f' <a class="heading-anchor" href="#{ident}" aria-label="{label}">#</a>'
    return anchor + self.renderToken(tokens, idx, options, env)


def _render_footnote_backref(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """The footnote plugin's ``↩︎`` link back to where the note is cited, with a name a
    screen reader can say."""
    link = render_footnote_anchor(self, tokens, idx, options, env)
    number = tokens[idx].meta["id"] + 1
    label = f"回到引用处 {number}" if _ctx(env).zh else f"Back to reference {number}"
    named = f' class="footnote-backref" aria-label="{label}"'
    return link.replace(' class="footnote-backref"', named, 1)


def _render_footnote_block_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """The footnotes' section, under a heading that only screen readers show (as GitHub
    does): a screen reader user can jump to the notes by their heading, and a section has a
    name. The search index leaves the heading out."""
    label = "脚注" if _ctx(env).zh else "Footnotes"
    return (
        '<hr class="footnotes-sep" />\n<section class="footnotes">\n'
        f'<h2 class="visually-hidden" data-pagefind-ignore>{label}</h2>\n'
        '<ol class="footnotes-list">\n'
    )


def _render_header_cell(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A header cell; an empty one (the corner above a column of row names) is a ``<td>``,
    so that a screen reader announces no nameless column header."""
    cell = self.renderToken(tokens, idx, options, env)
    content = tokens[idx + tokens[idx].nesting]  # the inline token between open and close
    return cell if content.content.strip() else cell.replace("th", "td", 1)


def _render_table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<div class="table-wrap">' + self.renderToken(tokens, idx, options, env)


def _render_table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


_RULES: dict[str, Callable[..., str]] = {
    "math_inline": _render_inline_math,
    "math_inline_double": _render_display_math,
    "math_block": _render_display_math,
    "math_block_label": _render_display_math,
    "fence": _render_fence,
    "link_open": _render_link_open,
    "image": _render_image,
    "code_block": _render_code_block,
    "heading_close": _render_heading_close,
    "footnote_anchor": _render_footnote_backref,
    "footnote_block_open": _render_footnote_block_open,
    "th_open": _render_header_cell,
    "th_close": _render_header_cell,
    "table_open": _render_table_open,
    "table_close": _render_table_close,
}

"""Wiki links and embeds, as Obsidian and Foam vaults write them.

- ``[[note]]``, ``[[note|text]]``, ``[[folder/note]]``, ``[[note#标题]]``, ``[[#标题]]``: a link
  to a page found by its file name anywhere in the site (or to a heading of it);
- ``[[file.pdf]]``: a link to a file found by its name;
- ``![[image.png]]``, ``![[image.png|300]]``, ``![[image.png|300x200]]``: an image (the number
  is its width, or width and height);
- ``![[note]]``, ``![[note#标题]]`` on a line of its own: the note (or that heading's section)
  rendered in place, in a ``<div class="embed">`` titled with a link to its page.

In a table cell the alias is written ``[[note\\|text]]`` (as Obsidian does); the escaped
pipe is also read outside tables. Wiki links are not read inside code, formulas or the
text of another link. Names are resolved by the site (:data:`WikiResolver`); an unresolved
link renders as its text in a ``<span class="wikilink-missing">`` and is reported at its
``file:line``. Text shown in an embed is reported on its own page, not again here; embeds
nested more than :data:`MAX_EMBED_DEPTH` deep, or embedding themselves, are reported and
shown as links.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from inkstone.markup.plugins.heading_ids import heading_slug, heading_text
from inkstone.markup.titles import title_formulas, typeset_title

if TYPE_CHECKING:
    from inkstone.markup.markdown import LinkTarget, RenderContext

MAX_EMBED_DEPTH = 4
"""Embeds inside embedded text, at most this deep."""
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp")
_SIZE = re.compile(r"^\s*(\d+)(?:\s*x\s*(\d+))?\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


@dataclass
class WikiTarget:
    """Where a wiki link points, as the site resolves it."""

    href: str = ""
    """The link (base path and ``#anchor`` included); empty when nothing was found."""
    problem: str | None = None
    """A warning to report (no such page or heading, an ambiguous name), if any."""
    hint: str | None = None
    image: bool = False
    """The target is an image file (an embed shows it)."""
    title: str = ""
    """The target page's title (with the heading, for a section), for an embed's title."""
    source: str = ""
    """The target page's source, as named in messages (identifies it in embed cycles)."""
    rebase: str = ""
    """The target page's folder relative to the linking page's folder, e.g. ``../notes``:
    relative links in embedded text are rewritten by it."""
    digest: str = ""
    """A hash of the embedded text (so a page is rendered again when that text changes)."""
    text: str | None = field(default=None, compare=False, repr=False)
    """The Markdown to embed (embeds of pages only); not recorded with the resolution."""


WikiResolver = Callable[[str, bool], WikiTarget]
"""``(target, embed) -> WikiTarget`` with ``target`` as written: ``note``, ``folder/note``,
``note#标题`` or ``image.png``; ``embed`` asks for the text to embed too."""

Prepare = Callable[[Sequence[Token], EnvType], None]
"""Readies the tokens of embedded text for rendering (numbers its equations)."""


@dataclass(frozen=True)
class WikiLink:
    """What a wiki link says."""

    name: str
    """The page or file name as written (``folder/note``); empty for ``[[#标题]]``."""
    heading: str | None
    """The text after ``#``, if any."""
    embed: bool
    alias: str | None = None
    """The text after ``|``, as written."""
    written: str | None = None
    """How the link was written when not as a wiki link (a Hexo ``{% post_link %}``):
    warnings name it so."""

    @property
    def target(self) -> str:
        """What the resolver gets: ``name`` and ``#heading``."""
        return self.name if self.heading is None else f"{self.name}#{self.heading}"

    @property
    def display(self) -> str:
        """The text shown when there is no alias: ``note``, ``note > 标题`` or ``标题``."""
        if self.heading is None:
            return self.name
        return f"{self.name} > {self.heading}" if self.name else self.heading

    @property
    def is_image(self) -> bool:
        """The name is an image file's."""
        return self.name.lower().endswith(IMAGE_SUFFIXES)


def split_link(inner: str) -> tuple[str, str | None, str | None]:
    """``note#标题|text`` → ``("note", "标题", "text")``; ``\\|`` separates the alias too."""
    bar = inner.find("|")
    alias = None
    if bar != -1:
        alias = inner[bar + 1 :]
        inner = inner[: bar - 1] if bar > 0 and inner[bar - 1] == "\\" else inner[:bar]
    name, hash_mark, heading = inner.partition("#")
    return name.strip(), (heading.strip() or None) if hash_mark else None, alias


def wikilinks_plugin(md: MarkdownIt, prepare: Prepare | None = None) -> None:
    """Register the inline rule, the core rule that lets an embed stand as a block, and
    the render rules. Use after ``heading_ids_plugin`` (the core rule reads heading ids)."""
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.core.ruler.push("wikilink_blocks", _wikilink_blocks)

    def render_embed(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return _render_embed(md, prepare, self, tokens[idx], options, env)

    md.add_render_rule("wikilink_open", _render_open)
    md.add_render_rule("wikilink_close", _render_close)
    md.add_render_rule("wikilink_embed", render_embed)


# ---------------------------------------------------------------- parsing


def _wikilink(state: StateInline, silent: bool) -> bool:
    src, pos, end = state.src, state.pos, state.posMax
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    # Asked silently only while a link's label is measured, and inside a link's text (link
    # level above 0): a link cannot hold another, so ``[[…]]`` there stays as written.
    if silent or state.linkLevel > 0:
        return False
    start = pos + (3 if embed else 2)
    close = src.find("]]", start, end)
    if close == -1:
        return False
    inner = src[start:close]
    if not inner.strip() or any(c in inner for c in "[]\n"):
        return False
    name, heading, alias = split_link(inner)
    if not name and not heading:
        return False
    link = WikiLink(name, heading, embed, alias)
    if embed:
        token = state.push("wikilink_embed", "", 0)
        token.meta["link"] = link
        token.content = inner
    else:
        token = state.push("wikilink_open", "a", 1)
        token.meta["link"] = link
        if alias is not None and alias.strip():
            old_max = state.posMax
            state.pos, state.posMax = close - len(alias), close
            state.linkLevel += 1
            state.md.inline.tokenize(state)
            state.linkLevel -= 1
            state.posMax = old_max
        elif link.heading is None:
            state.push("text", "", 0).content = link.display
        else:  # a heading is Markdown, as on its page: its formulas are typeset
            if link.name:
                state.push("text", "", 0).content = f"{link.name} > "
            state.md.inline.parse(link.heading, state.md, state.env, state.tokens)
        state.push("wikilink_close", "a", -1)
    state.pos = close + 2
    return True


def _wikilink_blocks(state: StateCore) -> None:
    """A paragraph made only of embeds of notes becomes their blocks (no ``<p>`` around);
    the page's heading ids are kept for ``[[#标题]]``."""
    headings: list[tuple[str, str]] = []
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            headings.append((heading_text(tokens[i + 1]).strip(), str(token.attrGet("id") or "")))
        if token.type != "inline" or not token.children or i == 0:
            continue
        if tokens[i - 1].type != "paragraph_open":
            continue
        embeds = [c for c in token.children if c.type == "wikilink_embed"]
        others = [
            c
            for c in token.children
            if c.type not in ("wikilink_embed", "softbreak")
            and not (c.type == "text" and not c.content.strip())
        ]
        if embeds and not others and not any(c.meta["link"].is_image for c in embeds):
            tokens[i - 1].hidden = tokens[i + 1].hidden = True
            for embed in embeds:
                embed.meta["block"] = True
    state.env["wikilink_headings"] = headings


# ---------------------------------------------------------------- resolving


def _ctx(env: EnvType) -> RenderContext:
    ctx: RenderContext = env["ctx"]
    return ctx


def _line(token: Token, env: EnvType) -> int | None:
    line = env.get("wikilink_line", token.meta.get("line"))
    return line if isinstance(line, int) else None


def _warn(env: EnvType, token: Token, message: str, hint: str | None, always: bool = False) -> None:
    if env.get("quiet") and not always:
        return
    _ctx(env).warn(_line(token, env), message, hint)


def _resolve(link: WikiLink, env: EnvType) -> WikiTarget:
    if not link.name:
        return _same_page(link, env)
    resolve = _ctx(env).resolve_wiki
    if resolve is None:
        written = f"![[{link.target}]]" if link.embed else f"[[{link.target}]]"
        return WikiTarget(
            problem=f"wiki link `{written}` finds no page",
            hint="links by name are resolved across a whole site",
        )
    return resolve(link.target, link.embed)


def _same_page(link: WikiLink, env: EnvType) -> WikiTarget:
    """``[[#标题]]``: a heading of the page being rendered (of the embedded page, in an embed)."""
    wanted = heading_slug(link.heading or "")
    headings: list[tuple[str, str]] = env.get("wikilink_headings", [])
    for text, ident in headings:
        if ident and (heading_slug(text) == wanted or ident == link.heading):
            return WikiTarget(href=env.get("wikilink_page", "") + "#" + ident)
    return WikiTarget(
        problem=f"wiki link `[[#{link.heading}]]`: this page has no heading `{link.heading}`",
        hint="write the heading's text as it appears",
    )


# ---------------------------------------------------------------- rendering


def _render_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    link: WikiLink = token.meta["link"]
    target = _resolve(link, env)
    close = next(t for t in tokens[idx + 1 :] if t.type == "wikilink_close")
    if target.problem:
        problem = target.problem
        if link.written is not None:
            problem = problem.replace(f"wiki link `[[{link.target}]]`", f"`{link.written}`")
        _warn(env, token, problem, target.hint)
    if not target.href:
        close.meta["tag"] = "span"
        return '<span class="wikilink-missing">'
    close.meta["tag"] = "a"
    return f'<a class="wikilink" href="{html.escape(target.href)}">'


def _render_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"</{tokens[idx].meta.get('tag', 'span')}>"


def _render_embed(
    md: MarkdownIt,
    prepare: Prepare | None,
    renderer: RendererHTML,
    token: Token,
    options: OptionsDict,
    env: EnvType,
) -> str:
    link: WikiLink = token.meta["link"]
    target = _resolve(link, env)
    text = html.escape(link.alias if link.alias and not link.is_image else link.display)
    if target.problem:
        _warn(env, token, target.problem, target.hint)
    if not target.href:
        return f'<span class="wikilink-missing">{text}</span>'
    href = html.escape(target.href)
    if target.image:
        return _image(href, link)
    as_link = f'<a class="wikilink" href="{href}">{text}</a>'
    if target.text is None:  # a file other than an image
        return as_link
    if not token.meta.get("block"):
        _warn(
            env,
            token,
            f"embed `![[{link.target}]]` shares its paragraph with other text; shown as a link",
            "put the embed on a line of its own, with blank lines around it",
        )
        return as_link
    stack: tuple[str, ...] = env.get("wikilink_stack", (_ctx(env).path.as_posix() + "#",))
    key = f"{target.source}#{link.heading or ''}"
    if key in stack or len(stack) > MAX_EMBED_DEPTH:
        why = "embeds itself" if key in stack else f"nests more than {MAX_EMBED_DEPTH} deep"
        _warn(
            env,
            token,
            f"embed `![[{link.target}]]` {why}; shown as a link",
            "an embed cannot contain itself: link to the note instead",
            always=True,
        )
        return as_link
    body = _embedded_html(md, prepare, renderer, target, options, env, (*stack, key), token)
    typeset = typeset_title(target.title, _ctx(env).macros_json)
    title = typeset.html if typeset is not None else html.escape(target.title)
    if typeset is not None:
        _ctx(env).formulas += len(title_formulas(target.title))
    return (
        f'<div class="embed">\n<p class="embed-title"><a href="{href}">{title}</a></p>\n'
        f'<div class="embed-body">\n{body}</div>\n</div>\n'
    )


def _image(src: str, link: WikiLink) -> str:
    """``![[image.png|alt|300x200]]``: the last part, when it is a size, is the size."""
    parts = link.alias.split("|") if link.alias is not None else []
    size = _SIZE.match(parts[-1]) if parts else None
    if size is not None:
        parts.pop()
    alt = "|".join(parts).strip() or posixpath.basename(link.name)
    attrs = f' width="{size.group(1)}"' if size is not None else ""
    if size is not None and size.group(2):
        attrs += f' height="{size.group(2)}"'
    return f'<img src="{src}" alt="{html.escape(alt)}"{attrs} loading="lazy" />'


def _embedded_html(
    md: MarkdownIt,
    prepare: Prepare | None,
    renderer: RendererHTML,
    target: WikiTarget,
    options: OptionsDict,
    env: EnvType,
    stack: tuple[str, ...],
    token: Token,
) -> str:
    """The embedded Markdown rendered with this page's parser and settings. Its problems
    are reported on its own page; its heading ids and equation anchors are dropped (they
    belong to that page), its footnotes get ids of their own."""
    ctx = _ctx(env)
    counter: list[int] = env.setdefault("wikilink_embeds", [0])
    counter[0] += 1
    resolve_link = ctx.resolve_link
    if resolve_link is not None and target.rebase:

        def rebased(href: str, is_image: bool) -> LinkTarget:
            return resolve_link(_rebased(href, target.rebase), is_image)

        inner_ctx = replace(ctx, resolve_link=rebased, formulas=0)
    else:
        inner_ctx = replace(ctx, formulas=0)
    inner_env: dict[str, Any] = {
        "ctx": inner_ctx,
        "features": env["features"],
        "quiet": True,
        "docId": f"embed{counter[0]}",
        "wikilink_embeds": counter,
        "wikilink_stack": stack,
        "wikilink_line": _line(token, env),
        "wikilink_page": target.href.partition("#")[0],
    }
    tokens = md.parse(target.text or "", inner_env)
    if prepare is not None:
        prepare(tokens, inner_env)
    _drop_anchors(tokens)
    body = renderer.render(tokens, options, inner_env)
    ctx.formulas += inner_ctx.formulas
    return body


def _drop_anchors(tokens: Sequence[Token]) -> None:
    for token in tokens:
        if token.type == "heading_open":
            token.attrs.pop("id", None)
        numbered = token.meta.get("numbered")
        if numbered is not None:
            numbered.anchors = []
        for child in token.children or []:
            if child.meta.get("numbered") is not None:
                child.meta["numbered"].anchors = []


def _rebased(href: str, folder: str) -> str:
    """A relative link of embedded text, made relative to the embedding page's folder."""
    if not href or href.startswith(("#", "/")) or _SCHEME.match(href):
        return href
    return posixpath.normpath(posixpath.join(folder, href))

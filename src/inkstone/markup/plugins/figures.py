"""Figures and the ``<img>`` tag every image gets.

An image alone in its paragraph with a title becomes a figure, its title the caption::

    ![注意力热图](images/attention.png "图 1：第 3 层的注意力，$h=8$")

    <figure class="figure"><img src="…" alt="注意力热图" …><figcaption>图 1：第 3 层的注意力，
    <katex/></figcaption></figure>

The caption is parsed as inline Markdown, so it may hold emphasis, code, links and math.
An image without a title stays an image in a paragraph (a caption comes only from the title,
as in Hugo and Hexo); so does an image sharing its paragraph with text.

Every ``<img>`` (:func:`image_html`) is lazy (``loading="lazy" decoding="async"``) and, when
the link resolver measured the file, has its ``width`` and ``height``, so the page does not
jump as images arrive. An image wider than the column also gets ``srcset`` and ``sizes``
naming smaller copies (see :mod:`inkstone.output.images`), which the page records in
``env["image_variants"]`` for the asset stage to write; ``src`` stays the original.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from PIL import Image

from inkstone.output.images import image_error, plan_variants, probe

if TYPE_CHECKING:
    from inkstone.content.model import ImageVariant
    from inkstone.markup.markdown import LinkTarget, RenderContext

FIGURE_OPEN = '<figure class="figure">'


def figures_plugin(md: MarkdownIt) -> None:
    """Turn paragraphs holding only a titled image into figures (after inline parsing)."""
    md.core.ruler.push("figures", _figures)
    md.add_render_rule("figure_open", _render_figure_open)
    md.add_render_rule("figure_close", _render_figure_close)


def _figures(state: StateCore) -> None:
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        opening, inline, closing = tokens[i : i + 3]
        if (
            opening.type != "paragraph_open"
            or opening.hidden  # a tight list item's paragraph has no tag to replace
            or inline.type != "inline"
            or closing.type != "paragraph_close"
        ):
            continue
        image = _sole_image(inline.children or [])
        title = image.attrs.get("title") if image is not None else None
        if image is None or not isinstance(title, str) or not title.strip():
            continue
        del image.attrs["title"]
        opening.type, opening.tag = "figure_open", "figure"
        closing.type, closing.tag = "figure_close", "figure"
        closing.meta["caption"] = _parse_caption(state, title.strip(), opening.map)


def _sole_image(children: Sequence[Token]) -> Token | None:
    """The image that is all of a paragraph's content (possibly inside a link), or None."""
    kinds = [c.type for c in children if not (c.type == "text" and not c.content.strip())]
    images = [c for c in children if c.type == "image"]
    if kinds in (["image"], ["link_open", "image", "link_close"]):
        return images[0]
    return None


def _parse_caption(state: StateCore, title: str, where: list[int] | None) -> list[Token]:
    """The caption's inline tokens, placed on the figure's line for messages."""
    caption: list[Token] = []
    state.md.inline.parse(title, state.md, state.env, caption)
    line = where[0] if where else None
    for token in caption:
        if token.type == "text_special":  # what the core rule text_join would do
            token.type = "text"
        token.meta["line"] = line
    return caption


def _render_figure_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return FIGURE_OPEN


def _render_figure_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    caption = self.renderInline(tokens[idx].meta.get("caption", []), options, env)
    return f"<figcaption>{caption}</figcaption></figure>\n"


def figure_html(image: str, caption_html: str) -> str:
    """A figure around ``image`` (from :func:`image_html`) with a caption (HTML), marked up
    as Markdown figures are."""
    return f"{FIGURE_OPEN}{image}<figcaption>{caption_html}</figcaption></figure>\n"


def image_html(
    src: str,
    alt: str,
    title: str | None,
    target: LinkTarget | None,
    env: EnvType,
    line: int | None = None,
) -> str:
    """The ``<img>`` tag for an image at ``src`` (already resolved: ``target`` is what the
    link resolver made of it, None without a resolver). ``line`` (0-based, in the body)
    places a warning. Called by the image render rule and by anything else that shows an
    image of the content folder."""
    attrs = [("src", src), ("alt", alt)]
    if title:
        attrs.append(("title", title))
    if target is not None and target.width and target.height:
        attrs += [("width", str(target.width)), ("height", str(target.height))]
        variants = _variants(target, env, line)
        if variants:
            ctx = _ctx(env)
            original = f"{_srcset_url(src)} {target.width}w"
            srcset = [f"{_variant_url(src, v)} {v.width}w" for v in variants] + [original]
            column = ctx.images.column_width
            attrs += [
                ("srcset", ", ".join(srcset)),
                ("sizes", f"(max-width: {column}px) 100vw, {column}px"),
            ]
    attrs += [("loading", "lazy"), ("decoding", "async")]
    return "<img " + " ".join(f'{name}="{escapeHtml(value)}"' for name, value in attrs) + " />"


def _ctx(env: EnvType) -> RenderContext:
    ctx: RenderContext = env["ctx"]
    return ctx


def _variants(target: LinkTarget, env: EnvType, line: int | None) -> tuple[ImageVariant, ...]:
    """The smaller copies of a content image wider than the column, recorded for the page."""
    ctx = _ctx(env)
    if (
        target.file is None
        or ctx.content_root is None
        or target.width is None
        or target.width <= ctx.images.column_width
    ):
        return ()
    path = ctx.content_root / target.file
    try:
        facts = probe(path)
        variants = plan_variants(path, target.file, facts, ctx.images.widths, ctx.images.webp)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        if not env.get("quiet"):
            message = f"could not resize image `{target.file}`: {image_error(exc)}"
            ctx.warn(line, message, "the page shows the original only")
        return ()
    recorded: dict[ImageVariant, None] = env.setdefault("image_variants", {})
    recorded.update(dict.fromkeys(variants))
    return variants


def _variant_url(src: str, variant: ImageVariant) -> str:
    """The URL of a copy: the original's, with the copy's file name."""
    path = src.split("#", 1)[0].split("?", 1)[0]
    folder = path.rpartition("/")[0]
    name = quote(variant.name)
    return _srcset_url(f"{folder}/{name}" if "/" in path else name)


def _srcset_url(url: str) -> str:
    """``url`` made safe inside ``srcset``, where spaces and commas separate candidates."""
    return url.replace(" ", "%20").replace(",", "%2C")

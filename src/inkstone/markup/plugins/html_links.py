"""Links and images written as HTML in Markdown point where Markdown's would.

Typora writes a resized image as ``<img src="assets/a.png" style="zoom:50%;" />``, and posts
moved from Hexo, CSDN or Zhihu are full of ``<img src="…" width="60%">``, ``<a href="…">``
and ``<video src="…">``. The browser reads such a path relative to the page's address
(``/posts/rope/``), not to the Markdown file, so it would miss the copied file. Each
``src``, ``href`` and ``poster`` of ``<img>``, ``<a>``, ``<video>``, ``<audio>`` and
``<source>`` is given to the site's link resolver, as a Markdown link or image is:

- a relative path becomes the copied file's site path (a Markdown file's, its page);
- a root-relative path gets the base path;
- a missing file is a warning at its line, and the value is kept as written;
- an ``<img>`` with neither ``width`` nor ``height`` gets its measured size, so the page
  does not jump as it loads;
- a tag standing for a path (``src="{% asset_path a.png %}"``,
  ``src="{{ site.baseurl }}/a.png"``) is read as that path.

Nothing else of the HTML is touched: its other attributes, its case and its quotes stay
as written, and a full URL, ``#fragment`` or ``mailto:`` is left alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from inkstone.markup.plugins.containers import warn
from inkstone.markup.plugins.generator_tags import path_in_attribute

if TYPE_CHECKING:
    from inkstone.markup.markdown import RenderContext

_TAG = re.compile(
    r"<(?P<name>img|a|video|audio|source)(?=[\s/>])(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.IGNORECASE,
)
_ATTR = re.compile(
    r"(?P<key>[^\s\"'>/=]+)(?:(?P<eq>\s*=\s*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?"
)
"""One attribute, read in order so that a quoted value is never read for attributes."""
_URL_KEYS = frozenset({"src", "href", "poster"})
_CLUE = re.compile(r"(?:src|href|poster)\s*=", re.IGNORECASE)


def html_links_plugin(md: MarkdownIt) -> None:
    """Resolve the links of ``html_inline`` and ``html_block`` tokens when rendered."""
    for name in ("html_inline", "html_block"):
        md.add_render_rule(name, _render_html)


def _render_html(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    content = token.content
    ctx: RenderContext | None = env.get("ctx")
    if ctx is None or ctx.resolve_link is None or not _CLUE.search(content):
        return content
    resolve = ctx.resolve_link
    line = token.map[0] if token.map is not None else token.meta.get("line")

    def tag(match: re.Match[str]) -> str:
        is_img = match["name"].lower() == "img"
        at = line + content.count("\n", 0, match.start()) if isinstance(line, int) else None
        sizes: list[tuple[int, int]] = []
        keys: set[str] = set()

        def attribute(found: re.Match[str]) -> str:
            key, raw = found["key"].lower(), found["value"]
            keys.add(key)
            if key not in _URL_KEYS or not raw:
                return found.group(0)
            written = html.unescape(raw[1:-1] if raw[0] in "\"'" else raw)
            as_image = is_img and key == "src"
            target = resolve(path_in_attribute(written, ctx.path) or written, as_image)
            if target.problem:
                warn(env, at, target.problem, target.hint)
            if as_image and target.width and target.height:
                sizes.append((target.width, target.height))
            if target.href == written:
                return found.group(0)
            return f'{found["key"]}{found["eq"]}"{html.escape(target.href, quote=True)}"'

        attrs = _ATTR.sub(attribute, match["attrs"])
        if sizes and not keys & {"width", "height"}:
            width, height = sizes[0]
            body = attrs.rstrip()
            closing = body.endswith("/")
            body = body[:-1].rstrip() if closing else body
            attrs = f'{body} width="{width}" height="{height}"' + (" /" if closing else "")
        return f"<{match['name']}{attrs}>"

    return _TAG.sub(tag, content)

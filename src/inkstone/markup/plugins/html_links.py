"""Links and images written as HTML in Markdown point where Markdown's would.

Typora writes a resized image as ``<img src="assets/a.png" style="zoom:50%;" />``, and posts
moved from Hexo, CSDN or Zhihu are full of ``<img src="…" width="60%">``, ``<a href="…">``
and ``<video src="…">``. The browser reads such a path relative to the page's address
(``/posts/rope/``), not to the Markdown file, so it would miss the copied file. Each
``src``, ``href`` and ``poster`` of ``<img>``, ``<a>``, ``<video>``, ``<audio>``,
``<source>`` and ``<iframe>``, and each image of a ``srcset`` (``a.png 1x, a@2x.png 2x``), is
given to the site's link resolver, as a Markdown link or image is:

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
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from inkstone.markup.plugins.containers import warn
from inkstone.markup.plugins.generator_tags import path_in_attribute

if TYPE_CHECKING:
    from inkstone.markup.markdown import LinkTarget, RenderContext

_TAG = re.compile(
    r"<(?P<name>img|a|video|audio|source|iframe)(?=[\s/>])(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.IGNORECASE,
)
_ATTR = re.compile(
    r"(?P<key>[^\s\"'>/=]+)(?:(?P<eq>\s*=\s*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?"
)
"""One attribute, read in order so that a quoted value is never read for attributes."""
_URL_KEYS = frozenset({"src", "href", "poster", "srcset"})
_CLUE = re.compile(r"(?:src|href|poster|srcset)\s*=", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,]*")
_NON_SPACE = re.compile(r"\S*")


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

        def link(written: str, as_image: bool) -> LinkTarget:
            target = resolve(path_in_attribute(written, ctx.path) or written, as_image)
            if target.problem:
                warn(env, at, target.problem, target.hint)
            return target

        def attribute(found: re.Match[str]) -> str:
            key, raw = found["key"].lower(), found["value"]
            keys.add(key)
            if key not in _URL_KEYS or not raw:
                return found.group(0)
            written = html.unescape(raw[1:-1] if raw[0] in "\"'" else raw)
            if key == "srcset":
                href = _srcset(written, lambda url: link(url, True).href)
            else:
                as_image = is_img and key == "src"
                target = link(written, as_image)
                if as_image and target.width and target.height:
                    sizes.append((target.width, target.height))
                href = target.href
            if href == written:
                return found.group(0)
            return f'{found["key"]}{found["eq"]}"{html.escape(href, quote=True)}"'

        attrs = _ATTR.sub(attribute, match["attrs"])
        if sizes and not keys & {"width", "height"}:
            width, height = sizes[0]
            body = attrs.rstrip()
            closing = body.endswith("/")
            body = body[:-1].rstrip() if closing else body
            attrs = f'{body} width="{width}" height="{height}"' + (" /" if closing else "")
        return f"<{match['name']}{attrs}>"

    return _TAG.sub(tag, content)


def _srcset(written: str, link: Callable[[str], str]) -> str:
    """A ``srcset`` with each image's URL given to ``link``; the rest (descriptors such as
    ``2x`` or ``640w``, commas, spaces) as written. Read as browsers read it: a URL runs to
    the next space, commas ending it end its candidate, else its descriptors run to the
    next comma."""
    out: list[str] = []
    pos, end = 0, len(written)
    while pos < end:
        start = _end_of(_SEPARATORS, written, pos)
        out.append(written[pos:start])
        if start == end:
            break
        pos = _end_of(_NON_SPACE, written, start)
        url = written[start:pos]
        bare = url.rstrip(",")
        out.append(link(bare) + url[len(bare) :])
        if bare == url:  # its descriptors, to the comma after them
            comma = written.find(",", pos)
            after = end if comma < 0 else comma + 1
            out.append(written[pos:after])
            pos = after
    return "".join(out)


def _end_of(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where ``pattern``, which matches the empty string too, ends when matched at ``pos``."""
    match = pattern.match(text, pos)
    assert match is not None
    return match.end()

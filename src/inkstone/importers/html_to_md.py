"""HTML → Markdown for saved article pages (Zhihu, CSDN, any blog), built on markdownify.

Math is taken out first (:mod:`inkstone.importers.math_recovery`) and put back after, so no
converter ever escapes a formula. What markdownify does not know is added here: lazy images
(``data-original``), ``<figure>`` captions as image titles, code languages from
``language-xxx`` classes, Zhihu's redirect links, ``<details>`` kept as HTML with Markdown
inside, page chrome (copy buttons, line-number gutters) dropped.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

from inkstone.importers.math_recovery import MathRecovery

CHROME = (
    "script:not([type^='math/tex'])",
    "style",
    "noscript",
    "button",
    ".pre-numbering",
    ".hljs-button",
    ".code-toolbar .toolbar",
    ".line-numbers-rows",
    ".headerlink",
    ".anchor",
)
"""Selectors of page furniture that is never part of the writing."""
_LANGUAGE = re.compile(r"^(?:language|lang|highlight-source|brush:?)-?(.+)$")


def html_to_markdown(root: Tag, math: MathRecovery) -> str:
    """The Markdown of the article under ``root``; its formulas are taken into ``math``
    (and put back as ``$…$``/``$$…$$``)."""
    math.take(root)
    for link in root.find_all("a", href=True):
        link["href"] = unwrap_redirect(str(link["href"]))
    for selector in CHROME:
        for element in root.select(selector):
            element.decompose()
    markdown = _Converter().convert_soup(root)
    return math.restore(markdown)


def parse(html: str) -> BeautifulSoup:
    """A page parsed with the standard library's parser (line numbers kept)."""
    return BeautifulSoup(html, "html.parser")


def _code_language(pre: Tag) -> str | None:
    candidates = [pre, *pre.find_all("code", limit=1)]
    parent = pre.parent
    if isinstance(parent, Tag):
        candidates.append(parent)
    for element in candidates:
        if element.get("lang"):
            return str(element.get("lang"))
        if element.get("data-lang"):
            return str(element.get("data-lang"))
        classes: list[str] = list(element.get("class") or [])
        for name in classes:
            match = _LANGUAGE.match(str(name))
            if match and match[1] not in {"none", "plaintext", "text"}:
                return match[1]
    return None


def unwrap_redirect(href: str) -> str:
    """A link through Zhihu's (or CSDN's) redirect page, pointed at its real target."""
    parts = urlsplit(href)
    if parts.netloc in {"link.zhihu.com", "link.csdn.net"}:
        target = parse_qs(parts.query).get("target")
        if target:
            return unquote(target[0])
    return href


class _Converter(MarkdownConverter):
    """markdownify with the additions this module's docstring lists."""

    def __init__(self) -> None:
        super().__init__(
            heading_style="ATX",
            bullets="-",
            code_language_callback=_code_language,
            escape_misc=False,
            newline_style="BACKSLASH",
        )

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        src = _image_source(el)
        if not src:
            return ""
        alt = str(el.get("alt") or "")
        title = str(el.get("title") or "")
        title_part = ' "{}"'.format(title.replace('"', r"\"")) if title else ""
        return f"![{alt}]({src}{title_part})"

    def convert_figure(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        images = el.find_all("img")
        caption = el.find("figcaption")
        if len(images) != 1 or caption is None:
            return f"\n\n{text.strip()}\n\n"
        src = _image_source(images[0])
        title = caption.get_text(" ", strip=True).replace('"', r"\"")
        alt = str(images[0].get("alt") or "") or title
        return f'\n\n![{alt}]({src} "{title}")\n\n'

    def convert_figcaption(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return f"\n\n{text.strip()}\n\n"

    def convert_details(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        summary = el.find("summary")
        title = summary.get_text(" ", strip=True) if summary is not None else "Details"
        return f"\n\n<details><summary>{title}</summary>\n\n{text.strip()}\n\n</details>\n\n"

    def convert_summary(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return ""

    def convert_span(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return text

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        code = el.get_text()
        language = _code_language(el) or ""
        fence = "````" if "```" in code else "```"
        return f"\n\n{fence}{language}\n{code.strip(chr(10))}\n{fence}\n\n"


def _image_source(img: Tag) -> str:
    for key in ("data-original", "data-actualsrc", "data-src", "src"):
        value = str(img.get(key) or "")
        if value and not value.startswith("data:"):
            return value
    return ""

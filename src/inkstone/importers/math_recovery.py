"""Taking the TeX back out of rendered math in HTML, before the page becomes Markdown.

Recognised (each counted as one formula):

- Zhihu formula images: ``<img eeimg="1" alt="TeX">`` or ``src=".../equation?tex=…"``; one
  standing alone in its paragraph (or whose TeX ends in Zhihu's display mark ``\\\\``) is a
  display formula;
- KaTeX output: ``<annotation encoding="application/x-tex">`` (display inside
  ``.katex-display``), and any MathML carrying that annotation;
- MathJax 2 sources: ``<script type="math/tex">`` and ``math/tex; mode=display`` (the rendered
  copies beside them are dropped).

Each formula is swapped for a placeholder that no Markdown converter touches; :meth:`restore`
puts ``$…$`` or a ``$$`` block in its place afterwards.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from inkstone.importers.model import Formula

_TOKEN = re.compile("\ue000(\\d+)\ue001")
_MATHJAX_RENDERED = (
    "MathJax_Preview",
    "MathJax",
    "MathJax_Display",
    "MathJax_SVG",
    "MathJax_SVG_Display",
    "MathJax_CHTML",
    "MathJax_MathML",
)


def zhihu_tex(img: Tag) -> str | None:
    """The TeX of a Zhihu formula image, or None when ``img`` is no formula."""
    src = str(img.get("src") or img.get("data-original") or "")
    if img.get("eeimg") is None and "/equation?" not in src:
        return None
    alt = str(img.get("alt") or "").strip()
    if alt and alt != "[公式]":
        return alt
    values = parse_qs(urlsplit(src).query).get("tex")
    return values[0].strip() if values else None


class MathRecovery:
    """The formulas taken out of one page, in document order."""

    def __init__(self) -> None:
        self.formulas: list[Formula] = []
        self.lost: list[int | None] = []
        """Source lines of rendered math that kept no TeX (MathJax 3 output)."""

    def take(self, soup: BeautifulSoup | Tag) -> None:
        """Replace every recognised formula under ``soup`` with its placeholder."""
        for img in soup.find_all("img"):
            tex = zhihu_tex(img)
            if tex is None:
                continue
            display = tex.endswith("\\\\") or _alone_in_paragraph(img)
            if display and tex.endswith("\\\\"):
                tex = tex[:-2].rstrip()
            self._swap(img, tex, display)
        for wrapper in soup.select(".katex-display"):
            annotation = wrapper.find("annotation", attrs={"encoding": "application/x-tex"})
            if annotation is not None:
                self._swap(wrapper, annotation.get_text(), True)
        for katex in soup.select(".katex"):
            annotation = katex.find("annotation", attrs={"encoding": "application/x-tex"})
            if annotation is not None:
                self._swap(katex, annotation.get_text(), False)
        for math in soup.find_all("math"):
            annotation = math.find("annotation", attrs={"encoding": "application/x-tex"})
            if annotation is not None:
                self._swap(math, annotation.get_text(), math.get("display") == "block")
        for container in soup.find_all("mjx-container"):
            self.lost.append(container.sourceline)
            container.replace_with(NavigableString("[公式]"))
        scripts = soup.find_all("script", attrs={"type": re.compile(r"^math/tex")})
        if scripts:
            for name in _MATHJAX_RENDERED:
                for rendered in soup.find_all(class_=name):
                    rendered.decompose()
        for script in scripts:
            self._swap(script, script.get_text(), "mode=display" in str(script.get("type")))

    def _swap(self, element: Tag, tex: str, display: bool) -> None:
        index = len(self.formulas)
        self.formulas.append(Formula(tex.strip(), display, element.sourceline))
        element.replace_with(NavigableString(f"\ue000{index}\ue001"))

    def restore(self, markdown: str) -> str:
        """Put each formula back into Markdown made from the page: ``$tex$`` inline, a
        ``$$`` block on lines of its own (keeping a list's or quote's indent) for display."""
        out: list[str] = []
        for line in markdown.split("\n"):
            if not _TOKEN.search(line):
                out.append(line)
                continue
            out.extend(self._restore_line(line))
        return "\n".join(out)

    def _restore_line(self, line: str) -> list[str]:
        prefix = re.match(r"^(?:[ \t]*(?:>[ \t]?)*(?:[-*+][ \t]|\d+\.[ \t])?)", line)
        lead = prefix[0] if prefix else ""
        indent = re.sub(r"[^\s>]", " ", lead)
        pieces: list[str] = []
        current = ""
        last = 0
        after_display = False
        for match in _TOKEN.finditer(line):
            formula = self.formulas[int(match[1])]
            current += line[last : match.start()]
            last = match.end()
            if not formula.display:
                current += f"${formula.tex}$"
                after_display = False
                continue
            if current.strip() and current.strip() != lead.strip():
                pieces.append(current.rstrip())
                current = indent
            pieces.append(f"{current}$$")
            pieces.extend(f"{indent}{tex_line}".rstrip() for tex_line in formula.tex.split("\n"))
            pieces.append(f"{indent}$$")
            current, after_display = indent, True
        rest = line[last:]
        current += rest.lstrip() if after_display else rest
        if current.strip():
            pieces.append(current.rstrip())
        return pieces


def _alone_in_paragraph(img: Tag) -> bool:
    """True when ``img`` is the only thing (besides spaces and ``<br>``) of its block."""
    parent = img.parent
    while parent is not None and parent.name in {"span", "a", "strong", "b", "em", "i"}:
        parent = parent.parent
    if parent is None or parent.name not in {"p", "div", "li", "figure", "center", "[document]"}:
        return False
    for child in parent.descendants:
        if child is img:
            continue
        if isinstance(child, NavigableString) and child.strip():
            return False
        if isinstance(child, Tag) and child.name == "img":
            return False
    return True

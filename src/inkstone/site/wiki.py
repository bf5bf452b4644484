"""Wiki links resolved by name, as in an Obsidian or Foam vault.

``[[note]]`` names a page by its file name (without ``.md``), wherever it is in the site;
case and Unicode normalisation do not matter. ``[[folder/note]]`` adds as much of the path
as it takes to tell two notes apart. A page bundle (``x/index.md``) is also known by its
folder's name. Files (``[[paper.pdf]]``, ``![[plot.png]]``) are found by their file name the
same way. A note's other names, Obsidian's front matter ``aliases`` that are names and not
old addresses (``aliases: [Lagrange, 拉格朗日]``), find it too, where no page has that file
name: Obsidian's own order.

When several pages share a name, Obsidian's rule picks one: a page in the linking page's
own folder first, else the one with the shortest path (then the first by path). The link
is then reported as ambiguous, unless a page in the same folder settled it.

``[[note#标题]]`` points at the heading's id on the target page, computed from the target's
Markdown with the parser that renders it, so the two always agree. An embed gets the text to
show: the whole body, or the heading's section (up to the next heading of the same or a
higher level), read from the source file when asked, so no body is kept in memory.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from inkstone.content.aliases import is_address
from inkstone.content.frontmatter import split_front_matter
from inkstone.content.model import Document
from inkstone.errors import SourceError
from inkstone.markup.markdown import parser
from inkstone.markup.plugins.heading_ids import heading_slug, heading_text
from inkstone.markup.plugins.wikilinks import IMAGE_SUFFIXES, WikiTarget

PAGE_SUFFIXES = (".md", ".markdown", ".ipynb")
INDEX_STEMS = {"index", "_index", "readme"}
TEXT_CACHE = 256
"""Target pages whose headings and text are kept, per process."""
_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")


def other_names(aliases: object) -> list[str]:
    """The names among a front matter ``aliases`` value (a string or a list): those that
    are not old addresses (:func:`~inkstone.content.aliases.is_address`)."""
    values = aliases if isinstance(aliases, list | tuple) else [aliases]
    names = [str(value).strip() for value in values if isinstance(value, str | int | float)]
    return [name for name in names if name and not is_address(name)]


def name_key(name: str) -> str:
    """How names are compared: NFC-normalised and case-folded."""
    return unicodedata.normalize("NFC", name).casefold()


@dataclass(frozen=True)
class NamedPage:
    """A page as wiki links see it."""

    rel: PurePosixPath
    """Content-relative source path."""
    url: str
    """Site-relative URL."""
    title: str
    path: Path
    """The source file, read when a heading or an embed needs its text."""
    display: str
    """The source as named in messages."""
    title_in_body: bool
    """The title was not set in front matter, so a leading ``#`` heading is the title and
    not part of the body (see :func:`inkstone.content.load.load_document`)."""

    @property
    def key(self) -> str:
        """The path without its suffix, as compared with ``[[folder/note]]``."""
        return name_key(self.rel.with_suffix("").as_posix())


@dataclass
class Lookup:
    """What a name found."""

    chosen: Any
    """The page (:class:`NamedPage`) or file (``PurePosixPath``) linked to, or None."""
    others: list[str]
    """Other candidates' paths, when the name is ambiguous."""


@dataclass
class Heading:
    """A heading of a target page."""

    text: str
    id: str
    level: int
    start: int
    """0-based body line where its section starts (the heading itself)."""
    end: int
    """0-based body line where its section ends (exclusive)."""


@dataclass
class PageText:
    """A target page's body and headings."""

    body: str
    headings: list[Heading]


class WikiNames:
    """Every page and file by name, and the resolution of one wiki link."""

    def __init__(
        self, base_path: str, documents: list[Document], assets: Iterable[PurePosixPath]
    ) -> None:
        self.base_path = base_path
        self.pages: dict[str, list[NamedPage]] = {}
        """Name key (file stem, and a bundle's folder name) → pages of that name."""
        self.files: dict[str, list[PurePosixPath]] = {}
        """Name key (file name with suffix) → content files of that name."""
        self.other_names: dict[str, list[NamedPage]] = {}
        """Name key of an alias (:func:`other_names`) → pages it names."""
        self.bundles = {
            d.source.bundle_dir: d.url for d in documents if d.source.bundle_dir is not None
        }
        for doc in documents:
            page = NamedPage(
                doc.source.rel,
                doc.url,
                doc.title,
                doc.source.path,
                doc.source.display.as_posix(),
                not doc.meta.get("title"),
            )
            names = {doc.source.rel.stem}
            if doc.source.rel.stem.lower() in INDEX_STEMS and len(doc.source.rel.parts) > 1:
                names.add(doc.source.rel.parent.name)
            for name in names:
                self.pages.setdefault(name_key(name), []).append(page)
            for name in other_names(doc.meta.get("aliases")):
                self.other_names.setdefault(name_key(name), []).append(page)
        for rel in assets:
            self.files.setdefault(name_key(rel.name), []).append(rel)
        self._texts: OrderedDict[tuple[Path, int, int], PageText | None] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        """Sent to worker processes without the texts read so far."""
        return {**self.__dict__, "_texts": OrderedDict()}

    def url(self, site_path: str) -> str:
        """A site path with the base path added."""
        return self.base_path + site_path.lstrip("/")

    # ------------------------------------------------------------ lookups

    def page(self, name: str, folder: PurePosixPath) -> Lookup:
        """The page ``name`` (``note`` or ``folder/note``) names, seen from ``folder``."""
        name = _clean(name)
        if name.lower().endswith(PAGE_SUFFIXES):
            name = name[: name.rfind(".")]
        key = name_key(name)
        if "/" not in key:
            return _choose(self.pages.get(key) or self.other_names.get(key, []), _rel, folder)
        last = key.rsplit("/", 1)[-1]
        candidates = [p for p in self.pages.get(last, []) if _ends(p.key, key)]
        return _choose(candidates, _rel, folder)

    def file(self, name: str, folder: PurePosixPath) -> Lookup:
        """The content file ``name`` (``plot.png`` or ``figs/plot.png``) names."""
        key = name_key(_clean(name))
        last = key.rsplit("/", 1)[-1]
        candidates = [
            r for r in self.files.get(last, []) if "/" not in key or _ends(name_key(str(r)), key)
        ]
        return _choose(candidates, lambda r: r, folder)

    def file_url(self, rel: PurePosixPath) -> str:
        """Where a content file is copied: beside its bundle's page, else at its own path."""
        for bundle, url in self.bundles.items():
            if rel.parts[: len(bundle.parts)] == bundle.parts:
                inner = PurePosixPath(*rel.parts[len(bundle.parts) :])
                return self.url(url + quote(inner.as_posix()))
        return self.url(quote(rel.as_posix()))

    # ------------------------------------------------------------ resolution

    def resolve(self, doc: Document, target: str, embed: bool) -> WikiTarget:
        """Where ``[[target]]`` written in ``doc`` points (``embed``: and what it shows)."""
        name, hash_mark, heading_part = target.partition("#")
        heading = heading_part.strip() if hash_mark else None
        folder = doc.source.rel.parent
        written = f"![[{target}]]" if embed else f"[[{target}]]"
        found = self.page(name, folder)
        if found.chosen is None and PurePosixPath(_clean(name)).suffix:
            file = self.file(name, folder)
            if file.chosen is not None:
                rel: PurePosixPath = file.chosen
                result = WikiTarget(
                    href=self.file_url(rel), image=rel.suffix.lower() in IMAGE_SUFFIXES
                )
                return _with_ambiguity(result, written, rel.as_posix(), file.others)
        if found.chosen is None:
            return WikiTarget(
                problem=f"wiki link `{written}` finds no page or file named `{name.strip()}`",
                hint="check the name (drafts and future posts are not built)",
            )
        page: NamedPage = found.chosen
        result = self._page_target(page, heading, embed, folder, written)
        return _with_ambiguity(result, written, page.rel.as_posix(), found.others)

    def _page_target(
        self,
        page: NamedPage,
        heading: str | None,
        embed: bool,
        folder: PurePosixPath,
        written: str,
    ) -> WikiTarget:
        href = self.url(page.url)
        result = WikiTarget(href=href, title=page.title, source=page.display)
        result.rebase = posixpath.relpath(
            page.rel.parent.as_posix() or ".", folder.as_posix() or "."
        )
        if result.rebase == ".":
            result.rebase = ""
        if page.rel.suffix.lower() not in (".md", ".markdown"):  # a notebook: no text to read
            if heading is not None:
                result.href += "#" + heading_slug(heading)
            return result
        text = self.text(page)
        if text is None:
            result.problem = f"wiki link `{written}`: cannot read `{page.display}`"
            return result
        body = text.body
        if heading is not None:
            found = _find_heading(text.headings, heading)
            if found is None:
                result.problem = (
                    f"wiki link `{written}`: `{page.display}` has no heading `{heading}`"
                )
                result.hint = "headings there: " + ", ".join(h.text for h in text.headings[:8])
                if not text.headings:
                    result.hint = "that page has no headings"
                return result
            result.href += "#" + found.id
            result.title = f"{page.title} › {found.text}"
            body = "\n".join(text.body.split("\n")[found.start : found.end])
        if embed:
            result.text = body
            result.digest = hashlib.sha256(body.encode()).hexdigest()[:16]
        return result

    def text(self, page: NamedPage) -> PageText | None:
        """The body and headings of ``page``'s source as it is now (None if unreadable)."""
        try:
            stat = page.path.stat()
        except OSError:
            return None
        key = (page.path, stat.st_mtime_ns, stat.st_size)
        if key in self._texts:
            self._texts.move_to_end(key)
            return self._texts[key]
        text = _read_text(page)
        self._texts[key] = text
        if len(self._texts) > TEXT_CACHE:
            self._texts.popitem(last=False)
        return text


def _rel(page: NamedPage) -> PurePosixPath:
    return page.rel


def _clean(name: str) -> str:
    name = name.strip().replace("\\", "/")
    while name.startswith(("./", "/")):
        name = name[1:] if name.startswith("/") else name[2:]
    return name


def _ends(path_key: str, key: str) -> bool:
    return path_key == key or path_key.endswith("/" + key)


def _choose(candidates: list[Any], rel_of: Any, folder: PurePosixPath) -> Lookup:
    """Obsidian's rule: the linking page's folder first, then the shortest path."""
    if len(candidates) < 2:
        return Lookup(candidates[0] if candidates else None, [])
    ranked = sorted(
        candidates,
        key=lambda c: (rel_of(c).parent != folder, len(rel_of(c).parts), str(rel_of(c))),
    )
    chosen = ranked[0]
    settled = len(ranked) == 1 or (
        rel_of(chosen).parent == folder and rel_of(ranked[1]).parent != folder
    )
    others = [] if settled else [str(rel_of(c)) for c in ranked[1:]]
    return Lookup(chosen, others)


def _with_ambiguity(result: WikiTarget, written: str, chosen: str, others: list[str]) -> WikiTarget:
    if others and result.problem is None:
        result.problem = (
            f"wiki link `{written}` is ambiguous: {chosen}, {', '.join(others)}; "
            f"it links to {chosen}"
        )
        result.hint = "add the folder to the name, e.g. `[[" + chosen.rsplit(".", 1)[0] + "]]`"
    return result


def _find_heading(headings: list[Heading], wanted: str) -> Heading | None:
    slug = heading_slug(wanted)
    for heading in headings:
        if heading_slug(heading.text) == slug:
            return heading
    return next((h for h in headings if h.id == wanted), None)


def _read_text(page: NamedPage) -> PageText | None:
    try:
        raw = page.path.read_text(encoding="utf-8").replace("\r\n", "\n")
        body = split_front_matter(raw, Path(page.display)).body
    except (OSError, UnicodeDecodeError, SourceError):
        return None
    if page.title_in_body:
        body = _without_title(body)
    tokens = parser().parse(body, {})
    lines = body.count("\n") + 1
    headings: list[Heading] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            level = int(token.tag[1])
            for open_heading in headings:
                if open_heading.end == lines and open_heading.level >= level:
                    open_heading.end = token.map[0]
            text = heading_text(tokens[i + 1]).strip()
            headings.append(
                Heading(text, str(token.attrGet("id") or ""), level, token.map[0], lines)
            )
    return PageText(body, headings)


def _without_title(body: str) -> str:
    """The body without the leading ``#`` heading that became the title (as when loading)."""
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return body
    if _H1.match(lines[first]):
        lines[first] = ""
    elif first + 1 < len(lines) and _SETEXT_H1.match(lines[first + 1]):
        lines[first] = lines[first + 1] = ""
    return "\n".join(lines)

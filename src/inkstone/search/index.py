"""The search step of the build: a Pagefind index of the site's pages, and the search page.

:func:`write_search` runs once per build, after every page is written and before the output
is committed. Pages are written as soon as they are rendered and unchanged pages are kept
without being rendered at all, so the index is fed from the output, not from memory: each
post's and standalone page's HTML as this build leaves it (:meth:`SiteWriter.read_bytes`:
the staged file, or the previous output's). Pagefind reads only the part marked
``data-pagefind-body`` (the article, not the navigation or the footer) and skips
``data-pagefind-ignore`` and the selectors in :data:`EXCLUDED` (KaTeX's markup: a formula's
surrounding text is what a reader searches for, not ``mord mathnormal`` or its MathML twin).
It is given each page cut down to those parts, without the math (:func:`slim_page`): the
index is the same, and Pagefind, which spent much of its time parsing markup it then
skipped, uses about a third less CPU (1,000 math-heavy posts: 100 MB of HTML become 22 MB,
cut in about 1.5 s).

Chinese is segmented by Pagefind (its extended build); where its words and the query's
disagree it finds too much (注意事项 for 注意力, any page with 量 for 量子纠缠), and the
search UI (``search.js``) drops every candidate whose text does not contain the query.

The index has one signature: the signatures of the pages it covers, plus the versions of
everything that shapes it. When it is the one the previous output's index was made with,
Pagefind is not started and the files under ``/pagefind/`` are kept as they are.
"""

from __future__ import annotations

import asyncio
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path, PurePosixPath

import jinja2

from inkstone.cache import fingerprint
from inkstone.config import SiteConfig
from inkstone.content.model import Document
from inkstone.errors import BuildReport, Problem, Severity, SourceError
from inkstone.output.writer import SiteWriter
from inkstone.render.site_pages import PageWriter
from inkstone.search.slim import slim_page
from inkstone.version import code_version

INDEX_DIR = PurePosixPath("pagefind")
"""Where the index and Pagefind's search library go in the output."""

SEARCH_PAGE = "/search/"
SEARCH_SCRIPT = PurePosixPath("assets/search.js")
"""The search UI (a theme may ship its own ``static/search.js`` instead)."""

EXCLUDED = (".katex", ".linenos", ".heading-anchor", ".toc")
"""Never indexed: typeset math (its MathML and HTML twins), code line numbers, the ``#``
of heading links, a table of contents repeating the headings."""

_LIBRARY_SUFFIXES = (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind")
_LIBRARY_FILES = frozenset({"pagefind.js", "pagefind-worker.js", "pagefind-entry.json"})
"""What ``pagefind.js`` loads. Pagefind also writes its ready-made UIs, which inkstone's
own search UI does not use: they are left out of the output."""


@dataclass
class SearchIndex:
    """What the search step did, for the report and the tests."""

    pages: int = 0
    """Pages in the index."""
    files: int = 0
    """Files under ``/pagefind/``."""
    bytes: int = 0
    """Their total size."""
    rebuilt: bool = False
    """False when the previous index was kept (no searchable page changed)."""


def write_search(
    config: SiteConfig,
    documents: list[Document],
    pages: PageWriter,
    writer: SiteWriter,
    report: BuildReport,
    keep_stale: bool = False,
) -> SearchIndex | None:
    """Index ``documents`` (the ones whose pages this build has) and write the search
    page and script; nothing at all when the site has ``search = false``.

    ``keep_stale``: keep the previous index even if pages changed (the dev server's
    rebuilds: indexing 1,000 posts takes Pagefind 15–40 s; the index is made afresh on
    the server's first build and by ``inkstone build``)."""
    if not config.search:
        return None
    _write_search_page(pages, report)
    _write_script(writer)
    paths = sorted({_page_path(doc.url) for doc in documents})
    indexed = [rel for rel in paths if rel.as_posix() in writer.signatures]
    signature = fingerprint(
        "search",
        code_version(),
        version("pagefind"),
        config.language,
        sorted((rel.as_posix(), writer.signatures[rel.as_posix()]) for rel in indexed),
    )
    kept = _keep_previous(writer, signature, keep_stale)
    if kept is not None:
        return SearchIndex(len(indexed), *kept, rebuilt=False)
    try:
        with ThreadPoolExecutor(1) as thread:  # a thread of its own: the caller may run a loop
            language = config.language.split("-")[0].lower() or "en"
            job = _pagefind(list(indexed), config.base_path, language, writer)
            built = thread.submit(asyncio.run, job).result()
    except Exception as exc:  # the binary is missing or died: the site is still good
        report.add(
            Problem(
                Severity.WARNING,
                f"the search index was not written: Pagefind failed: {exc}",
                hint="reinstall inkstone (it needs `pagefind[extended]`), or set "
                "`search = false` in site.toml",
            )
        )
        return None
    size = 0
    for rel, data in sorted(built.items()):
        writer.write_bytes(INDEX_DIR / rel, data, "search index")
        writer.signatures[(INDEX_DIR / rel).as_posix()] = signature
        size += len(data)
    return SearchIndex(len(indexed), len(built), size, rebuilt=True)


def _page_path(url: str) -> PurePosixPath:
    """The output file of the page at site URL ``url`` (as :meth:`PageWriter.page` names it)."""
    return (
        PurePosixPath(url.strip("/")) / "index.html"
        if url.endswith("/")
        else PurePosixPath(url.lstrip("/"))
    )


def _keep_previous(writer: SiteWriter, signature: str, stale: bool) -> tuple[int, int] | None:
    """Keep the previous index when it was made from the same pages (or ``stale`` allows
    any previous index): (files, bytes)."""
    previous = [
        rel for rel, sig in writer.previous.items() if rel.startswith(INDEX_DIR.as_posix() + "/")
    ]
    if not previous or not (stale or all(writer.previous[r] == signature for r in previous)):
        return None
    if not all((writer.out_dir / rel).is_file() for rel in previous):
        return None
    size = 0
    for rel in previous:
        writer.keep(rel, "search index", writer.previous[rel])
        size += (writer.out_dir / rel).stat().st_size
    return len(previous), size


async def _pagefind(
    pages: list[PurePosixPath], base_path: str, language: str, writer: SiteWriter
) -> dict[str, bytes]:
    """Run Pagefind over ``pages`` (output paths) as one index in ``language`` (the site's:
    a post in English on a Chinese site is found with the same query box); its files by
    path in the index folder.

    The pages are copied, slimmed, to a temporary folder (under ``base_path``, so their
    URLs carry it) and given to Pagefind as one folder: the Python API answers one request per
    tenth of a second, which would cost 100 s at 1,000 pages fed one by one. The index is
    written to that folder and read back rather than taken with ``get_files()``, whose one
    reply holding every file can outgrow the pipe's buffer.
    """
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    config = IndexConfig(exclude_selectors=list(EXCLUDED), force_language=language)
    with tempfile.TemporaryDirectory(prefix="inkstone-pagefind-") as tmp:
        site = Path(tmp, "site")
        root = site.joinpath(*PurePosixPath(base_path).parts[1:])
        for rel in pages:
            data = writer.read_bytes(rel)
            if data is not None:
                path = root.joinpath(*rel.parts)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(slim_page(data))
        async with PagefindService() as service:
            index = await service.create_index(config)
            await index.add_directory(str(site))
            await index.write_files(output_path=str(Path(tmp, "index")))
            await index.delete_index()
        return {
            path.relative_to(Path(tmp, "index")).as_posix(): path.read_bytes()
            for path in sorted(Path(tmp, "index").rglob("*"))
            if path.is_file() and _is_library_file(path.name)
        }


def _is_library_file(name: str) -> bool:
    return name in _LIBRARY_FILES or name.endswith(_LIBRARY_SUFFIXES)


def _write_search_page(pages: PageWriter, report: BuildReport) -> None:
    """``/search/``, if the theme has a ``search.html`` template."""
    try:
        pages.templates.env.get_template("search.html")
    except jinja2.TemplateNotFound:
        return
    title = "搜索" if pages.config.is_zh else "Search"
    try:
        pages.page("search.html", SEARCH_PAGE, "search page", (), page_title=title)
    except SourceError as exc:  # a content page claims /search/
        report.add(
            Problem(
                Severity.WARNING,
                f"no search page: {exc.problem.message}",
                exc.problem.path,
                hint="give that page another slug; search still works from the dialog",
            )
        )


def _write_script(writer: SiteWriter) -> None:
    """The search UI, unless the theme ships its own."""
    if SEARCH_SCRIPT in writer.written:
        return
    script = files("inkstone.search").joinpath("search.js").read_bytes()
    writer.write_bytes(SEARCH_SCRIPT, script, "search")

"""The search step of the build: a Pagefind index of the site's pages, and the search page.

:func:`start_search` runs once per build, once every post's and page's page is written:
Pagefind indexes them, in a process of its own, while the build writes the lists, feeds and
archives, which it never indexes; :meth:`SearchJob.finish` waits for it and writes the
index before the output is committed. The index is made from each post's and standalone
page's HTML as this build leaves it. A page the build writes is handed over as it is
written (:class:`PreparedPages`), while the other pages still render; any other page is
read back, from this build's staging folder or, kept without being rendered, from the
previous output (:meth:`SiteWriter.read_bytes`). Pagefind reads only the part marked
``data-pagefind-body`` (the article, not the navigation or the footer) and skips
``data-pagefind-ignore`` and the selectors in :data:`EXCLUDED` (KaTeX's markup: a formula's
surrounding text is what a reader searches for, not ``mord mathnormal`` or its MathML
twin). It is given each page cut down to those parts, each formula made its one line of
text (:func:`slim_page`): the index holds what a reader reads, formulas included, and
Pagefind, which spent much of its time parsing markup it then skipped, uses about a third
less CPU (1,000 math-heavy posts: 100 MB of HTML become 19 MB).

Each slimmed page's CJK characters are spaced apart, and names in code cut at their dots
and brackets (:func:`~inkstone.search.words.spaced_for_index`): Pagefind indexes Chinese a
character at a time, with no segmenter of its own (:func:`index_language`), and the search
UI (``search.js``) looks up each CJK run of a query as an exact phrase of its characters,
which finds every page holding the run and no other. It still drops every candidate whose
text does not contain the whole query.

A big site's index is split into shards, separate Pagefind indexes that the browser merges
(Pagefind's "multisite" search, ``mergeIndex``, which its maintainers recommend for large
sites). Pagefind holds a whole index in memory while it builds it, and more than in
proportion to the pages (one index of 10,000 posts peaks at 5.5 GB, more than a whole Hugo
build), and with one index any edit made it index every page again. Its work is also
superlinear and mostly on one core: two shards of 500 math-heavy posts, indexed at once,
take half the time of one index of 1,000 and a tenth less CPU. A site with at most
:data:`SHARD_PAGES` searchable pages has one shard, the plain index it always had; a
bigger one has :func:`shard_count` shards, the smallest power of two that keeps them at
about :data:`SHARD_PAGES` pages or fewer. A page's shard is a stable hash of its output
path (:func:`shard_of`), so it stays in its shard from build to build. Shard 0 is
``/pagefind/``, with Pagefind's library (``pagefind.js``, its worker and WebAssembly);
shard *N* is ``/pagefind/shard-N/``, its index only (a merged index is loaded by the first
one's script and searched with its WebAssembly). ``/pagefind/shards.json``
(:data:`SHARD_MANIFEST`, an empty list when there is one shard) lists the other shards'
folders, and ``search.js`` merges them all before the first query; a query then gets one
list of the matches of every shard, by score. Each shard is indexed by a run of Pagefind's
program, as many at once as the build has workers (:func:`shards_at_once`), so Pagefind
needs the memory of that many shards (one shard of 500 math-heavy posts: about 0.2 GB; one
index of 3,000: 1.2 GB).

Each shard has a signature in two halves. The first is made of the signatures of the pages
it covers, plus the versions of everything that shapes it: when it is the previous output
shard's, the shard is kept as it is, files and modification times, without reading a page.
When it is not, the shard's pages are read and the second half is a digest of what the
index is made from (:func:`page_digest`): pages whose only change is in parts Pagefind
ignores, such as the related posts and the links to the previous and next post, which
adding a post changes on dozens of pages, leave it as it was, and the shard is kept all
the same. Only the other shards are indexed again: an edit to one post re-indexes the one
shard holding it, as does a new post.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path, PurePosixPath

import jinja2

from inkstone.cache import fingerprint
from inkstone.cancel import checkpoint
from inkstone.config import SiteConfig
from inkstone.content.language import DEFAULT_LANGUAGE, primary
from inkstone.content.model import Document
from inkstone.errors import BuildCancelled, BuildReport, Problem, Severity, SourceError
from inkstone.output.writer import SiteWriter
from inkstone.render.site_pages import PageWriter, page_path
from inkstone.search.slim import page_digest, slim_and_digest
from inkstone.search.words import spaced_for_index
from inkstone.version import code_version

INDEX_DIR = PurePosixPath("pagefind")
"""Where the index and Pagefind's search library go in the output: shard 0's folder."""

SHARD_PAGES = 500
"""The most searchable pages a site may have and still get one index; a bigger site's
shards hold about this many pages or fewer. Pagefind's memory and time grow faster than
the pages it indexes: 0.19 GB for 500 math-heavy posts, 0.43 GB for 1,000, 1.2 GB for
3,000, 5.5 GB for 10,000."""

SHARD_MANIFEST = INDEX_DIR / "shards.json"
"""``{"shards": ["shard-1/", …]}``: the folders, relative to ``/pagefind/``, of the shards
``search.js`` merges into shard 0's index; an empty list when there is one shard."""

_SHARD_FOLDER = re.compile(r"shard-(\d+)")

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

_FIRST_SHARD_ONLY = frozenset({"pagefind.js", "pagefind-worker.js"})
"""Files of Pagefind's library that only shard 0 needs (and its ``wasm.*.pagefind``): a
merged index is loaded by shard 0's script and searched with its WebAssembly."""


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
    """False when the whole previous index was kept (no searchable page changed)."""
    shards: int = 1
    """Shards the index is split into (1: one plain index, its manifest an empty list)."""
    shards_rebuilt: int = 0
    """Shards Pagefind indexed in this build; the others were kept from the previous one."""


def shard_count(pages: int) -> int:
    """How many shards an index of ``pages`` searchable pages has: 1 up to
    :data:`SHARD_PAGES`, else the smallest power of two at least ``pages / SHARD_PAGES``.
    A power of two, so that when a site outgrows its count each shard splits in two."""
    if pages <= SHARD_PAGES:
        return 1
    needed = -(-pages // SHARD_PAGES)
    return 1 << (needed - 1).bit_length()


def shard_of(page: PurePosixPath, shards: int) -> int:
    """The shard holding ``page`` (an output path): the first 8 hex digits of its path's
    SHA-1, modulo ``shards``; the same in every build and on every machine."""
    digest = hashlib.sha1(page.as_posix().encode("utf-8"), usedforsecurity=False)
    return int(digest.hexdigest()[:8], 16) % shards


def split_into_shards(pages: list[PurePosixPath]) -> list[list[PurePosixPath]]:
    """``pages`` by shard (each list in the order given). The count is halved while a shard
    would be empty, which a site never sees (its shards average 500 pages or more) and
    which would leave shard 0, the one holding Pagefind's library, without an index."""
    shards = shard_count(len(pages))
    while True:
        split: list[list[PurePosixPath]] = [[] for _ in range(shards)]
        for page in pages:
            split[shard_of(page, shards)].append(page)
        if shards == 1 or all(split):
            return split
        shards //= 2


def shards_at_once(jobs: int | None) -> int:
    """How many shards Pagefind indexes at once in a build run with ``-j jobs``: that many,
    else one per core (each run of Pagefind keeps about one core busy)."""
    return jobs if jobs is not None and jobs > 0 else os.cpu_count() or 1


SEGMENTED = frozenset({"zh", "ja"})
"""Languages Pagefind's extended build cuts into words with a segmenter of its own, where
inkstone has already spaced their characters apart (see the module)."""


def index_language(site_language: str) -> str:
    """The language Pagefind is told the pages are in (``--force-language``): the site's,
    without its region (``zh-CN`` → ``zh``); ``en`` for an empty one and for Chinese and
    Japanese, whose characters inkstone already spaced apart, so that Pagefind's own
    segmenter, which would double its time on them (1,000 math-heavy posts: 9.6 s of CPU
    against 4.9), is not run. Its English stemmer then serves the Latin words of their
    pages, as it does on an English site."""
    language = primary(site_language) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE if language in SEGMENTED else language


def shard_folder(shard: int) -> PurePosixPath:
    """Shard ``shard``'s folder in the output: ``pagefind/`` or ``pagefind/shard-N/``."""
    return INDEX_DIR if shard == 0 else INDEX_DIR / f"shard-{shard}"


def start_search(
    config: SiteConfig,
    documents: list[Document],
    pages: PageWriter,
    writer: SiteWriter,
    report: BuildReport,
    keep_stale: bool = False,
    prepared: PreparedPages | None = None,
    parallel: int = 1,
) -> SearchJob:
    """Begin the search step for ``documents`` (the ones whose pages this build has): the
    search page and script are written now, and the index is begun (:func:`start_indexing`).
    Nothing at all when the site has ``search = false``."""
    if not config.search:
        if prepared is not None:
            prepared.discard()
        return SearchJob(None)
    _write_search_page(pages, report)
    _write_script(writer)
    paths = searchable_paths(documents)
    return start_indexing(config, paths, writer, report, keep_stale, prepared, parallel)


def searchable_paths(documents: list[Document]) -> list[PurePosixPath]:
    """The output paths of the pages the index is made from: those of ``documents``, less
    the unlisted ones, in order."""
    return sorted({page_path(doc.url) for doc in documents if not doc.unlisted})


def start_indexing(
    config: SiteConfig,
    paths: list[PurePosixPath],
    writer: SiteWriter,
    report: BuildReport,
    keep_stale: bool = False,
    prepared: PreparedPages | None = None,
    parallel: int = 1,
) -> SearchJob:
    """Begin indexing the pages at output ``paths`` that ``writer`` has: the shards that
    must be made again start being indexed in a thread of their own, so that Pagefind (a
    process of its own) works while the caller writes the lists, which it never indexes.
    :meth:`SearchJob.finish` waits for it and writes the index.

    ``keep_stale``: keep every shard of the previous index even if pages changed (the dev
    server's full rebuilds, which should reload the open pages as soon as they can; its
    next step, :func:`~inkstone.build.refresh_search`, indexes the changed shards again).

    ``prepared``: the pages already made ready for Pagefind as they were written; the job
    owns them from now on (and removes them when it is done).

    ``parallel``: how many shards Pagefind may index at once (:func:`shards_at_once`)."""
    indexed = [rel for rel in paths if rel.as_posix() in writer.signatures]
    if keep_stale:
        everything = _keep_all_previous(writer)
        if everything is not None:
            everything.pages = len(indexed)
            if prepared is not None:
                prepared.discard()
            return SearchJob(everything)
    prepared = prepared or PreparedPages(writer, len(indexed), config.base_path, parallel=0)
    try:
        plan = _plan(config, indexed, writer, prepared)
    except BaseException:
        prepared.discard()
        raise
    return SearchJob(SearchIndex(len(indexed)), plan, writer, report, prepared, parallel)


class PreparedPages:
    """Pages made ready for Pagefind as the build writes them: each slimmed
    (:func:`slim_page`) into a temporary folder, and its digest entry (:func:`_digest_entry`)
    taken. The pages are at hand then, so Pagefind can start on the first shards the moment
    the last page is written rather than after reading every page back (1,000 posts: about
    3 s in which it had nothing to do), and no page is read back.

    A page the render workers rendered in this build comes with its body less the formulas
    (:attr:`~inkstone.content.model.Rendered.search_html`), and is slimmed from it in a
    fifth of the time (about 0.2 ms of CPU against 0.9 for a math-heavy post): every such
    page is prepared. A page taken from the cache comes without it; those of the first
    ``parallel`` shards, which Pagefind starts on at once, are prepared all the same, and
    the other shards' pages are read back and slimmed while Pagefind indexes the shards
    before theirs, when a core is free, rather than while every core renders.

    The shards are those of the shard count that ``pages`` searchable pages give. Each page
    goes straight to the folder Pagefind indexes its shard from, ``site-N/`` (under the base
    path). When pages failing to render leave fewer shards, :meth:`settle` moves the few
    whose shard changed: shard counts are powers of two, so a page of shard N is in shard
    N modulo the new count. The folder becomes the search job's."""

    def __init__(self, writer: SiteWriter, pages: int, base_path: str = "/", parallel: int = 1):
        self.binary: Path | None = None
        """Pagefind's program, found now when pages are prepared as they are written (a
        cold build: the workers are rendering the first pages), rather than by the search
        step's thread, which would wait for the interpreter while Pagefind should already
        be running (importing ``pagefind``'s module takes 40 ms). None otherwise, or if it
        is missing (the search step says so): a build that may keep every shard does not
        look for it before it knows it needs it."""
        if parallel:
            with contextlib.suppress(FileNotFoundError):
                self.binary = _pagefind_binary()
        self.folder = writer.scratch("inkstone-pagefind-")
        self.shards = shard_count(pages)
        self.parallel = parallel
        """Shards whose pages are prepared: 0 to ``parallel - 1``."""
        self.base_path = base_path
        self.entries: dict[PurePosixPath, bytes] = {}
        """Output path → the page's digest entry."""
        self.placed: dict[PurePosixPath, int] = {}
        """Output path → the shard whose folder the slimmed page is in."""

    @staticmethod
    def wanted(writer: SiteWriter) -> bool:
        """Whether a build writing with ``writer`` should prepare its pages: when the
        previous output has no index, every shard is made, from every page. Otherwise most
        shards are usually kept, and a page is read back only if its shard's is not."""
        prefix = INDEX_DIR.as_posix() + "/"
        return not any(rel.startswith(prefix) for rel in writer.previous)

    def add(
        self,
        rel: PurePosixPath,
        page: bytes,
        body: bytes | None = None,
        search_body: bytes | None = None,
    ) -> None:
        """Take the page written at output path ``rel``: always when it comes with its body
        and that body with its formulas as text (``search_body``, see :func:`slim_and_digest`), for
        it is then slimmed in a fifth of the time; else if it is in one of the first shards."""
        shard = shard_of(rel, self.shards)
        if shard >= self.parallel and search_body is None:
            return
        slimmed, digest = slim_and_digest(page, body, search_body)
        _place(self.site(shard).joinpath(*rel.parts), slimmed)
        self.entries[rel] = _digest_entry(rel, digest)
        self.placed[rel] = shard

    def root(self, shard: int) -> Path:
        """The folder Pagefind indexes shard ``shard`` from."""
        return self.folder / f"site-{shard}"

    def site(self, shard: int) -> Path:
        """Where shard ``shard``'s pages go: under the base path in its :meth:`root`, so
        that their URLs carry it."""
        return self.root(shard).joinpath(*PurePosixPath(self.base_path).parts[1:])

    def settle(self, shards: list[list[PurePosixPath]]) -> None:
        """Make the prepared pages those of the index's ``shards`` (output paths by shard):
        a page in none is dropped, a page whose shard changed is moved to its folder."""
        shard_by_page = {rel: number for number, pages in enumerate(shards) for rel in pages}
        for rel, placed in list(self.placed.items()):
            path = self.site(placed).joinpath(*rel.parts)
            shard = shard_by_page.get(rel)
            if shard is None:
                path.unlink(missing_ok=True)
                del self.entries[rel], self.placed[rel]
            elif shard != placed:
                moved = self.site(shard).joinpath(*rel.parts)
                moved.parent.mkdir(parents=True, exist_ok=True)
                path.replace(moved)
                self.placed[rel] = shard

    def discard(self) -> None:
        """Remove the folder and everything in it."""
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class ShardPlan:
    """One shard of the index this build gives the site, and whether it is kept."""

    number: int
    pages: list[PurePosixPath]
    by_pages: str
    """The first half of its signature (its pages' signatures and what shapes the index)."""
    signature: str | None
    """Its whole signature; None until its pages are read (a shard the previous output
    does not have: its content digest is taken from the pages read to index them)."""
    kept: str | None = None
    """The signature its files in the previous output have, when they are kept."""
    previous_files: tuple[str, ...] = ()


@dataclass
class IndexPlan:
    """Every shard of the index, and what is needed to make the stale ones."""

    shards: list[ShardPlan]
    shaped_by: tuple[object, ...]
    base_path: str
    language: str

    @property
    def stale(self) -> list[ShardPlan]:
        """The shards Pagefind must index."""
        return [shard for shard in self.shards if shard.kept is None]

    def content_signature(self, shard: ShardPlan, digest: str) -> str:
        """The whole signature of ``shard`` whose pages' content digest is ``digest``."""
        return f"{shard.by_pages}:{fingerprint(*self.shaped_by, shard.number, digest)}"


def _plan(
    config: SiteConfig,
    indexed: list[PurePosixPath],
    writer: SiteWriter,
    prepared: PreparedPages,
) -> IndexPlan:
    """Which shards the index has, and which of the previous output's can be kept: those
    made from the same pages, or from pages whose indexed text is the same."""
    split = split_into_shards(indexed)
    prepared.settle(split)
    shaped_by = (
        "search",
        code_version(),
        version("pagefind"),
        config.language,
        config.base_path,
        len(split),
    )
    plan = IndexPlan([], shaped_by, config.base_path, index_language(config.language))
    previous_files = _previous_shards(writer)
    for number, pages in enumerate(split):
        by_pages = fingerprint(
            *shaped_by,
            number,
            sorted((rel.as_posix(), writer.signatures[rel.as_posix()]) for rel in pages),
        )
        files = tuple(previous_files.get(number, []))
        shard = ShardPlan(number, pages, by_pages, None, previous_files=files)
        plan.shards.append(shard)
        previous = _previous_signature(writer, list(files))
        if previous is None:
            continue  # a new shard: indexed, and its digest taken while its pages are read
        if previous.split(":")[0] == by_pages:
            shard.signature = shard.kept = previous
            continue
        shard.signature = plan.content_signature(shard, _digest(pages, writer, prepared))
        if previous.split(":")[-1] == shard.signature.split(":")[-1]:
            shard.kept = previous
    return plan


class SearchJob:
    """The search step under way (see :func:`start_search`)."""

    def __init__(
        self,
        result: SearchIndex | None,
        plan: IndexPlan | None = None,
        writer: SiteWriter | None = None,
        report: BuildReport | None = None,
        prepared: PreparedPages | None = None,
        parallel: int = 1,
    ) -> None:
        self.result = result
        self.plan = plan
        self.writer = writer
        self.report = report
        self._stop = threading.Event()
        self._prepared = prepared
        self._thread: ThreadPoolExecutor | None = None
        self._indexing: Future[dict[int, str]] | None = None
        self._removals: ThreadPoolExecutor | None = None
        if plan is not None and writer is not None and prepared is not None and plan.stale:
            # the first shard's pages are put in place before the caller goes on (those not
            # prepared are slimmed now), so that Pagefind starts at once rather than when
            # that work, slowed by the caller's in the same process, is done
            first = plan.stale[0]
            copied = _copy_slimmed(first.pages, writer, prepared, first.number)
            # its own thread, waiting on Pagefind: the caller goes on writing the lists
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="inkstone-search")
            # and one that removes each shard's pages after its run: the last ones go while
            # the index is moved into the output, rather than before
            self._removals = ThreadPoolExecutor(1, thread_name_prefix="inkstone-search-removal")
            self._indexing = self._thread.submit(
                _pagefind, plan, writer, prepared, self._stop, copied, self._remove, parallel
            )

    def finish(self) -> SearchIndex | None:
        """Wait for Pagefind and write the index to the output; None when there is no
        search, or Pagefind failed (a warning says so: the site is still good)."""
        if self.plan is None or self.writer is None or self.report is None:
            return self.result
        try:
            digests = self._wait() if self._indexing is not None else {}
        except BuildCancelled:
            self._stop.set()  # Pagefind is stopped before its thread is waited for
            raise
        except Exception as exc:  # the binary is missing or died
            self.report.add(
                Problem(
                    Severity.WARNING,
                    f"the search index was not written: Pagefind failed: {exc}",
                    hint="reinstall inkstone (it needs `pagefind[extended]`), or set "
                    "`search = false` in site.toml",
                )
            )
            self._cleanup()
            return None
        finally:
            self._close()
        try:
            return self._write(digests)
        finally:
            self._cleanup()

    def _wait(self) -> dict[int, str]:
        """Pagefind's runs' result, once they are done; a :func:`checkpoint` every 20 ms
        meanwhile, so that a dev server's build stops as soon as the sources change again
        (the caller must then :meth:`abandon` the job, which stops Pagefind)."""
        assert self._indexing is not None
        while not wait([self._indexing], timeout=0.02).done:
            checkpoint()
        return self._indexing.result()

    def abandon(self) -> None:
        """Stop indexing (after the shard under way) and forget it: the build failed."""
        self._stop.set()
        self._close()
        self._cleanup()

    def _close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None

    def _remove(self, folder: Path) -> None:
        """Remove ``folder`` in the background (:meth:`_cleanup` waits for it)."""
        assert self._removals is not None
        self._removals.submit(shutil.rmtree, folder, True)

    def _cleanup(self) -> None:
        if self._removals is not None:
            self._removals.shutdown(wait=True)
            self._removals = None
        if self._prepared is not None:
            self._prepared.discard()
            self._prepared = None

    def _write(self, digests: dict[int, str]) -> SearchIndex:
        assert self.plan is not None and self.writer is not None and self.result is not None
        writer, result = self.writer, self.result
        result.shards = len(self.plan.shards)
        for shard in self.plan.shards:
            signature = shard.signature or self.plan.content_signature(shard, digests[shard.number])
            if shard.kept is not None:
                for rel in shard.previous_files:
                    writer.keep(rel, "search index", shard.kept)
                    writer.signatures[rel] = signature
                    result.files += 1
                    result.bytes += (writer.out_dir / rel).stat().st_size
                continue
            assert self._prepared is not None
            files, size = writer.move_folder(
                self._prepared.folder / "index" / str(shard.number),
                shard_folder(shard.number),
                "search index",
                signature,
                functools.partial(_belongs_in_shard, shard=shard.number),
            )
            result.files += files
            result.bytes += size
        # written for one shard too (an empty list): the search script asks for it, and a
        # missing file would put a 404 in the console of every small site
        folders = [f"{shard_folder(n).name}/" for n in range(1, len(self.plan.shards))]
        manifest = (json.dumps({"shards": folders}) + "\n").encode("utf-8")
        writer.write_bytes(
            SHARD_MANIFEST, manifest, "search index", fingerprint("search shards", manifest)
        )
        result.files += 1
        result.bytes += len(manifest)
        result.shards_rebuilt = len(self.plan.stale)
        result.rebuilt = bool(self.plan.stale)
        return result


def _previous_shards(writer: SiteWriter) -> dict[int, list[str]]:
    """The previous output's index files (those it recorded a signature for) by shard,
    told by their folder; the manifest belongs to none."""
    shards: dict[int, list[str]] = {}
    prefix = INDEX_DIR.as_posix() + "/"
    for rel in writer.previous:
        if rel.startswith(prefix) and rel != SHARD_MANIFEST.as_posix():
            folder, _, rest = rel[len(prefix) :].partition("/")
            found = _SHARD_FOLDER.fullmatch(folder) if rest else None
            shards.setdefault(int(found.group(1)) if found else 0, []).append(rel)
    return shards


def _previous_signature(writer: SiteWriter, files: list[str]) -> str | None:
    """The signature a shard of the previous output, its ``files``, was made with: the one
    they all have; None when there are none, some are missing or they disagree."""
    signatures = {writer.previous[rel] for rel in files}
    if len(signatures) != 1 or not all((writer.out_dir / rel).is_file() for rel in files):
        return None
    return signatures.pop()


def _digest(pages: list[PurePosixPath], writer: SiteWriter, prepared: PreparedPages) -> str:
    """A digest of what the index entries of ``pages`` (output paths) are made from
    (:func:`page_digest`): it changes when their index would. Prepared pages are not read."""
    digest = hashlib.sha256()
    for rel in pages:
        checkpoint()
        entry = prepared.entries.get(rel)
        if entry is None and (data := writer.read_bytes(rel)) is not None:
            entry = _digest_entry(rel, page_digest(data))
        if entry is not None:
            digest.update(entry)
    return digest.hexdigest()


def _digest_entry(rel: PurePosixPath, digest: bytes) -> bytes:
    """What the digest of a shard takes from its page ``rel``, whose :func:`page_digest`
    is ``digest``."""
    return rel.as_posix().encode("utf-8") + b"\0" + digest


def _keep_all_previous(writer: SiteWriter) -> SearchIndex | None:
    """Keep every file of the previous index, whatever pages it was made from (the dev
    server's rebuilds); None when there is no complete previous index."""
    previous = [rel for rel in writer.previous if rel.startswith(INDEX_DIR.as_posix() + "/")]
    if not previous or not all((writer.out_dir / rel).is_file() for rel in previous):
        return None
    kept = SearchIndex(shards=len(_previous_shards(writer)))
    for rel in previous:
        writer.keep(rel, "search index", writer.previous[rel])
        kept.files += 1
        kept.bytes += (writer.out_dir / rel).stat().st_size
    return kept


def _belongs_in_shard(name: str, shard: int) -> bool:
    """Whether Pagefind's output file ``name`` goes into shard ``shard``'s folder."""
    if not _is_library_file(name):
        return False
    return shard == 0 or not (name in _FIRST_SHARD_ONLY or name.startswith("wasm."))


PAGEFIND_TIMEOUT = 1800
"""Seconds one shard may take (Pagefind needs about 5 s per 1,000 math-heavy posts)."""


def _pagefind(
    plan: IndexPlan,
    writer: SiteWriter,
    prepared: PreparedPages,
    stop: threading.Event,
    first_digest: str,
    remove: Callable[[Path], object],
    parallel: int = 1,
) -> dict[int, str]:
    """Run Pagefind over each stale shard's pages, ``parallel`` shards at once, as an index
    in the site's language (a post in English on a Chinese site is found with the same query
    box); shard N's files go to ``index/N/`` in ``prepared``'s folder. Returns each shard's
    content digest (:func:`page_digest` of its pages). The first shard's pages are already
    in place, in ``site-N/``, and their digest is ``first_digest``. ``remove`` is given
    each shard's folder of pages once Pagefind has read them, and removes it in the
    background.

    Each shard is indexed by a run of Pagefind's command-line program over a folder of its
    pages, slimmed (under the base path, so their URLs carry it), so Pagefind holds one
    shard's index per run. The pages of the shards next in line are put in place, one shard
    after the other, while Pagefind indexes others. The program, not Pagefind's Python API:
    the API's service makes the same index in about twice the time and CPU (1,000 posts:
    6.2 s and 9 s of CPU against 3.2 s and 5 s), and answers one request per tenth of a
    second. A stopped build stops Pagefind at once; a failed run stops any more from
    starting, and its error is raised once the runs under way are done.
    """
    binary = prepared.binary or _pagefind_binary()
    stale = plan.stale
    digests: dict[int, str] = {}
    tmp = prepared.folder
    free = threading.Semaphore(parallel)
    failed = threading.Event()

    def index(shard: ShardPlan) -> None:
        site = prepared.root(shard.number)
        try:
            _run_pagefind(binary, site, tmp / "index" / str(shard.number), plan.language, stop)
        except BaseException:
            failed.set()
            raise
        finally:
            free.release()
        remove(site)

    with (
        ThreadPoolExecutor(1, thread_name_prefix="inkstone-search-pages") as copier,
        ThreadPoolExecutor(parallel, thread_name_prefix="inkstone-pagefind") as runners,
    ):

        def put_in_place(position: int) -> Future[str]:
            shard = stale[position]
            return copier.submit(_copy_slimmed, shard.pages, writer, prepared, shard.number)

        first: Future[str] = Future()
        first.set_result(first_digest)
        copying = [first, *map(put_in_place, range(1, min(parallel, len(stale))))]
        runs: list[Future[None]] = []
        try:
            for position, shard in enumerate(stale):
                digests[shard.number] = copying[position].result()
                if not _take(free, unless=(stop, failed)):
                    copier.shutdown(cancel_futures=True)
                    break
                if position + parallel < len(stale):
                    copying.append(put_in_place(position + parallel))
                runs.append(runners.submit(index, shard))
            for run in runs:
                run.result()
        except BuildCancelled:  # the build stopped while pages were put in place
            stop.set()  # the runs under way end now, not when Pagefind is done
            raise
    return digests


def _take(free: threading.Semaphore, unless: tuple[threading.Event, ...]) -> bool:
    """Acquire ``free`` unless one of the events is set first (then False)."""
    while not free.acquire(timeout=0.05):
        if any(event.is_set() for event in unless):
            return False
    if any(event.is_set() for event in unless):
        free.release()
        return False
    return True


def _pagefind_binary() -> Path:
    """The Pagefind program that ``pagefind[extended]`` installs."""
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise FileNotFoundError("no Pagefind program is installed")
    return Path(found)


def _run_pagefind(
    binary: Path, site: Path, output: Path, language: str, stop: threading.Event
) -> None:
    """Index the pages under ``site`` into ``output``; raises when Pagefind fails. It runs
    in the temporary folder, with no ``PAGEFIND_`` setting of the environment, so that no
    ``pagefind.yml`` or variable of the user's changes the index."""
    command = [str(binary), "--site", str(site), "--output-path", str(output)]
    command += ["--force-language", language, "--quiet"]
    for selector in EXCLUDED:
        command += ["--exclude-selectors", selector]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    with tempfile.TemporaryFile() as said:  # not a pipe, which a long message could fill
        process = subprocess.Popen(
            command,
            cwd=site.parent,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=said,
            stderr=subprocess.STDOUT,
        )
        started = time.monotonic()
        while process.poll() is None:
            if stop.is_set() or time.monotonic() - started > PAGEFIND_TIMEOUT:
                process.kill()
                process.wait()
                if stop.is_set():
                    return
                raise TimeoutError(f"Pagefind took more than {PAGEFIND_TIMEOUT} s")
            stop.wait(0.05)
        if process.returncode != 0:
            said.seek(0)
            detail = " ".join(said.read().decode("utf-8", "replace").split()[-40:])
            raise RuntimeError(f"Pagefind exited with {process.returncode}: {detail}")


def _copy_slimmed(
    pages: list[PurePosixPath], writer: SiteWriter, prepared: PreparedPages, shard: int
) -> str:
    """Put ``pages`` slimmed (:func:`slim_page`) in shard ``shard``'s folder
    (:meth:`PreparedPages.site`): a prepared page is there already; any other is read from
    the output and slimmed. Returns the digest :func:`_digest` would make of them."""
    root = prepared.site(shard)
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    for rel in pages:
        entry = prepared.entries.get(rel)
        if entry is None:  # not prepared: read from the output
            checkpoint()
            data = writer.read_bytes(rel)
            if data is None:
                continue
            slimmed, page_digested = slim_and_digest(data)
            entry = _digest_entry(rel, page_digested)
            _place(root.joinpath(*rel.parts), slimmed)
        digest.update(entry)
    return digest.hexdigest()


def _place(path: Path, slimmed: bytes) -> None:
    """Write a slimmed page where Pagefind reads it, its words spaced for the index
    (:func:`~inkstone.search.words.spaced_for_index`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(spaced_for_index(slimmed))


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

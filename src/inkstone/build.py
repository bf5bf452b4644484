"""The build spine: load → render → collect → write → index, each step timed.

:func:`build` is the one entry point the CLI, the dev server and the tests call. It never
raises for bad content: every problem lands in the returned :class:`BuildReport`, and the
previous output stays in place unless the new site was written completely.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from inkstone.cache import CACHE_DIR, Cache, fingerprint, open_cache
from inkstone.cancel import cancellable, checkpoint
from inkstone.config import CONFIG_FILE, SiteConfig, load_config
from inkstone.content.aliases import add_old_addresses
from inkstone.content.discover import Discovery, discover
from inkstone.content.language import site_language
from inkstone.content.load import is_published, load_document
from inkstone.content.model import Document, Source
from inkstone.errors import (
    BuildCancelled,
    BuildReport,
    ConfigError,
    Problem,
    Severity,
    SourceError,
)
from inkstone.host_site import host_old_addresses
from inkstone.markup.math import KatexNotFound, find_katex_dist
from inkstone.output.assets import copy_assets
from inkstone.output.writer import SiteWriter, UnsafeOutput, is_built_site
from inkstone.render.feeds import FeedEntries
from inkstone.render.site_pages import PageWriter, menu_problems
from inkstone.render.templates import Templates, theme_dir
from inkstone.rendering import Loaded, Rendering, RenderOutcome, RenderWorkers, typeset_titles
from inkstone.search import (
    INDEX_DIR,
    PreparedPages,
    SearchJob,
    searchable_paths,
    shards_at_once,
    start_indexing,
    start_search,
)
from inkstone.site.collect import SiteIndex, collect
from inkstone.site.links import SiteLinks
from inkstone.site.related import remember_terms

Progress = Callable[[str, int, int], None]
"""``(stage, done, total)``: called as pages are rendered and written."""


@dataclass
class BuildOptions:
    """What the command line can change about one build."""

    out_dir: Path | None = None
    """Defaults to ``SITE/public``."""
    drafts: bool = False
    """Build drafts and posts dated in the future too."""
    base_url: str | None = None
    """Overrides ``base_url`` from site.toml."""
    strict: bool = False
    """Any warning fails the build (and the previous output is kept)."""
    jobs: int | None = None
    """Worker processes for rendering; None: one per core when the site is big enough."""
    cache_dir: Path | None = None
    """The persistent cache; default ``SITE/.inkstone-cache``."""
    no_cache: bool = False
    """Neither read nor write the persistent cache."""
    progress: Progress | None = None
    cancelled: Callable[[], bool] | None = None
    """Asked at every checkpoint (:mod:`inkstone.cancel`): True (the sources changed again)
    stops the build, which then writes nothing (the dev server starts over)."""


@dataclass
class BuiltSite:
    """The last complete build's view of the site, for previews of edits."""

    links: SiteLinks
    pages: PageWriter
    searchable: list[PurePosixPath] = field(default_factory=list)
    """The output paths of the pages the search index is made from."""


@dataclass
class BuildMemory:
    """What one process keeps from a build for the next build of the same site, so that
    the dev server's rebuilds read, parse and render only the files that changed."""

    config: str = ""
    """The settings the memory was made with; other settings start it afresh."""
    loaded: dict[Path, tuple[tuple[int, int], Document | None, list[Problem]]] = field(
        default_factory=dict
    )
    """Source path → (modification time and size, what loading it gave)."""
    last_good: dict[Path, Document] = field(default_factory=dict)
    """The last version of each source that loaded, kept while an edit breaks it."""
    pages: dict[str, RenderOutcome] = field(default_factory=dict)
    """Rendered bodies by render key."""
    signatures: dict[str, str] | None = None
    """The signatures of the output's files after the last build."""
    templates: Templates | None = None
    """The compiled templates, kept while no template file changes."""
    feed_entries: FeedEntries = field(default_factory=FeedEntries)
    """Feed entries of the posts, by their signature."""
    site: BuiltSite | None = None
    """The last complete build's site (None until one completed)."""
    files: set[str] = field(default_factory=set)
    """Every file of the output after the last build: the next one finds the stale files
    without walking the output folder."""
    language: str = ""
    """The site's language in the last build (see :meth:`settle_language`)."""

    def settle_language(self, language: str, documents: list[Document]) -> None:
        """Note the site's language; when it changed without its settings changing (none
        is set, and most pages are now in another language), forget the rendered bodies:
        those of pages without prose were rendered with the labels of the old one."""
        if self.language and language != self.language:
            self.pages = {}
            for doc in documents:
                doc.render_key = doc.content_key = doc.signature = ""
        self.language = language

    def forget_if_changed(self, config: SiteConfig, options: BuildOptions) -> None:
        """Forget everything when the settings changed since the memory was made."""
        key = repr((config, options.drafts, options.base_url))
        if key != self.config:
            self.config, self.loaded, self.last_good, self.pages = key, {}, {}, {}
            self.signatures, self.templates, self.feed_entries = None, None, FeedEntries()
            self.site, self.files = None, set()


def build(
    site_dir: Path, options: BuildOptions | None = None, memory: BuildMemory | None = None
) -> BuildReport:
    """Build the site in ``site_dir``; see :class:`BuildOptions`. ``memory`` carries state
    from one build to the next in a long-running process (the dev server)."""
    options = options or BuildOptions()
    site_dir = site_dir.resolve()
    report = BuildReport()
    started = time.perf_counter()
    try:
        config = _configure(site_dir, options, report)
        if config is not None:
            if memory is not None:
                memory.forget_if_changed(config, options)
            with cancellable(options.cancelled), SHORT_TURNS.held():
                _build(site_dir, config, options, report, memory)
    except BuildCancelled:
        report.cancelled = True
    finally:
        report.seconds = time.perf_counter() - started
    return report


GIL_TURN = 0.001
"""Seconds a thread of a build may keep the interpreter while another waits for it
(:func:`sys.setswitchinterval`; Python's default is 0.005). The search step's threads
(which put each shard's pages in place, run Pagefind and remove its input) make a system
call every fraction of a millisecond, and after each one wait for the thread writing the
lists to hand the interpreter back: with the default, Pagefind sat idle for seconds at a
time while its next shard's pages were put in place (10,000 posts: about 7 s of 157)."""


class ShortTurns:
    """Python's switch interval at :data:`GIL_TURN` while at least one build runs in this
    process (the dev server's builds may overlap with a test's), and as it was after."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._before = sys.getswitchinterval()

    @contextmanager
    def held(self) -> Iterator[None]:
        """Short turns until the block ends (and no other build holds them)."""
        with self._lock:
            if self._running == 0:
                self._before = sys.getswitchinterval()
                sys.setswitchinterval(min(self._before, GIL_TURN))
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    sys.setswitchinterval(self._before)


SHORT_TURNS = ShortTurns()


def preview(
    site_dir: Path, options: BuildOptions, memory: BuildMemory, changed: list[Path]
) -> BuildReport | None:
    """Write only the pages of the edited sources ``changed``, with the rest of the site as
    the last complete build left it: the dev server's first answer to an edit, so the open
    page shows it at once; the full rebuild follows and brings lists, feeds and every
    other page up to date. None when the edit is not one a preview can show (a source that
    is new, gone or broken, one whose address or kind changed, anything but content, or
    no complete build yet): the full rebuild alone answers those."""
    site = memory.site
    if site is None or memory.signatures is None or not changed:
        return None
    report = BuildReport(preview=True)
    started = time.perf_counter()
    config = site.pages.config
    now = dt.datetime.now(dt.UTC)
    documents = []
    for path in dict.fromkeys(changed):
        known = memory.loaded.get(path)
        old = known[1] if known is not None else None
        if old is None:
            return None
        try:
            doc, problems = _load_one(old.source, config, memory)
        except SourceError:
            return None
        if (
            doc is None
            or any(p.severity is Severity.ERROR for p in problems)
            or (doc.url, doc.kind) != (old.url, old.kind)
            or not (options.drafts or is_published(doc, now))
        ):
            return None
        report.problems.extend(problems)
        documents.append(doc)
    out_dir = (options.out_dir or site_dir / "public").resolve()
    cache = open_cache(None if options.no_cache else options.cache_dir or site_dir / CACHE_DIR)
    writer: SiteWriter | None = None
    try:
        writer = SiteWriter(out_dir, site_dir, memory.signatures)
        report.problems.extend(typeset_titles(documents, config, cache))
        pages = site.pages.for_preview(writer, report)
        for doc, outcome in Rendering(documents, config, site.links, 1, cache, None, memory.pages):
            if outcome.rendered is None or any(
                p.severity is Severity.ERROR for p in outcome.problems
            ):
                writer.discard()  # the full rebuild reports it
                return None
            _take_rendered(doc, outcome, report)
            pages.views.forget_view(doc.url)
            pages.document(doc)
        writer.commit(partial=True)
    except (SourceError, UnsafeOutput, OSError):
        if writer is not None:
            writer.discard()
        return None
    finally:
        if cache is not None:
            cache.close()
    memory.signatures.update(writer.signatures)
    report.written = [rel.as_posix() for rel in writer.staged]
    report.seconds = time.perf_counter() - started
    return report


def refresh_search(
    site_dir: Path, options: BuildOptions, memory: BuildMemory
) -> BuildReport | None:
    """Index again the search shards whose pages changed since they were indexed: the dev
    server's last step after a full rebuild, which keeps the index as it was so that the
    open pages reload at once. Only the index is written, and only its changed shards
    (:func:`~inkstone.search.start_indexing`); the files of the shards made again replace
    theirs. A newer change stops it (``options.cancelled``): it then writes nothing, and
    the next full rebuild's refresh starts over. None when the site has no search or no
    complete build yet, and when every shard is current."""
    site = memory.site
    if site is None or memory.signatures is None or not site.pages.config.search:
        return None
    report = BuildReport(search_refresh=True)
    started = time.perf_counter()
    out_dir = (options.out_dir or site_dir / "public").resolve()
    writer = SiteWriter(out_dir, site_dir, memory.signatures)
    job: SearchJob | None = None
    result = None
    try:
        with cancellable(options.cancelled), SHORT_TURNS.held():
            for rel in site.searchable:
                writer.keep(rel, "page", memory.signatures.get(rel.as_posix(), ""))
            at_once = shards_at_once(options.jobs)
            job = start_indexing(
                site.pages.config, site.searchable, writer, report, False, None, at_once
            )
            result = job.finish()
            checkpoint()
    except BuildCancelled:
        report.cancelled = True
    except BaseException:
        _throw_away(job, writer)
        raise
    finally:
        report.seconds = time.perf_counter() - started
    if report.cancelled:  # the edit's preview need not wait for the files to be removed
        threading.Thread(target=_throw_away, args=(job, writer), daemon=True).start()
        return report
    if result is None or not result.rebuilt:
        _throw_away(job, writer)
        return report if report.problems else None
    old_index = {rel for rel in memory.files if rel.startswith(f"{INDEX_DIR.as_posix()}/")}
    writer.commit(partial=True, removed=old_index)
    report.written = [rel.as_posix() for rel in writer.staged]
    gone = old_index - writer.files()
    memory.files = (memory.files - gone) | writer.files()
    signatures = {rel: sig for rel, sig in memory.signatures.items() if rel not in gone}
    memory.signatures = signatures | writer.signatures
    cache = open_cache(None if options.no_cache else options.cache_dir or site_dir / CACHE_DIR)
    if cache is not None:
        try:
            _remember_output_signatures(cache, out_dir, memory.signatures)
        finally:
            cache.close()
    report.seconds = time.perf_counter() - started
    return report


def _throw_away(job: SearchJob | None, writer: SiteWriter) -> None:
    """Stop ``job`` and remove what it and ``writer`` staged."""
    if job is not None:
        job.abandon()
    writer.discard()


def _configure(site_dir: Path, options: BuildOptions, report: BuildReport) -> SiteConfig | None:
    if not site_dir.is_dir():
        report.error(f"site folder {site_dir} does not exist")
        return None
    try:
        config, warnings = load_config(site_dir)
    except ConfigError as exc:
        for problem in exc.problems:
            report.add(problem)
        return None
    for problem in warnings:
        report.add(problem)
    if options.base_url:
        config = dataclasses.replace(config, base_url=options.base_url)
    return config


def _build(
    site_dir: Path,
    config: SiteConfig,
    options: BuildOptions,
    report: BuildReport,
    memory: BuildMemory | None,
) -> None:
    out_dir = (options.out_dir or site_dir / "public").resolve()
    cache_dir = options.cache_dir or site_dir / CACHE_DIR
    zero_config = not (site_dir / CONFIG_FILE).is_file()
    content_dir = None if zero_config else site_dir / "content"
    if content_dir is not None and not content_dir.is_dir():
        report.error(
            "no content/ folder", Path(CONFIG_FILE), hint="put your Markdown in content/posts/"
        )
        return
    cache = open_cache(None if options.no_cache else cache_dir)
    try:
        templates = _templates(site_dir, config, memory)
        previous = memory.signatures if memory and memory.signatures is not None else None
        if previous is None:
            previous = _output_signatures(cache, out_dir)
        known = memory.files if memory is not None and memory.signatures is not None else None
        writer = SiteWriter(out_dir, site_dir, previous, known)
    except SourceError as exc:
        report.add(exc.problem)
        return
    except (UnsafeOutput, OSError) as exc:
        report.error(str(exc))
        return
    search: SearchJob | None = None
    prepared: PreparedPages | None = None
    workers: RenderWorkers | None = None
    rendering: Rendering | None = None
    rebuild = memory is not None and memory.signatures is not None
    try:
        with _timed(report, "load"):
            found = discover(site_dir, content_dir, [out_dir, cache_dir], options.drafts)
            report.problems.extend(found.problems)
            if _renders_everything(memory, writer, cache) and _katex_found():
                # its workers start while the site loads
                workers = RenderWorkers.ahead(options.jobs, len(found.sources))
            documents = _load(found, config, options, report, memory, workers)
            if zero_config and (old_address := host_old_addresses(site_dir)) is not None:
                add_old_addresses(documents, old_address)
            config = _settle_language(config, documents, templates, memory)
            remember_terms(documents, cache, workers.extract_terms if workers else None)
        checkpoint()
        with _timed(report, "render"):
            assets = set(found.assets)
            links = SiteLinks(config.base_path, found.root, documents, assets, found.host_files)
            # the workers render while this process makes the lists' index
            rendering = _start_rendering(
                documents, config, links, options, cache, memory, report, workers
            )
            if rendering is not None:  # else KaTeX is missing, which the build reports
                report.problems.extend(typeset_titles(documents, config, cache))
            index = collect(documents, links)
            report.problems.extend(index.redirect_problems)
            pages = PageWriter(config, index, templates, writer, report, memory is not None)
            if memory is not None:
                pages.feed_entries = memory.feed_entries
            at_once = shards_at_once(options.jobs)  # shards Pagefind indexes at once
            if config.search and not rebuild and PreparedPages.wanted(writer):
                listed = sum(not doc.unlisted for doc in documents)
                prepared = PreparedPages(writer, listed, config.base_path, at_once)
                pages.searchable = prepared.add
            rendered = _write_rendered(rendering, report, pages, memory)
        checkpoint()
        with _timed(report, "write"):
            if len(rendered) < len(documents):  # a page failed: list only the others
                pages.reindex(_without_failed(index, rendered))
            # the index reads the pages of posts as written: Pagefind indexes them while
            # the lists, which it does not index, are written
            search = start_search(
                config, rendered, pages, writer, report, rebuild, prepared, at_once
            )
            prepared = None  # the search job's now
            pages.lists()
            copy_assets(site_dir, found, rendered, config, writer, report)
        checkpoint()
        with _timed(report, "index"):  # what is left of it once the lists are written
            search.finish()
        if config.menu:
            config_text = (site_dir / CONFIG_FILE).read_text(encoding="utf-8")
            report.problems.extend(menu_problems(config, writer.files(), config_text))
        report.files_unchanged = writer.unchanged
        if options.strict and has_failed(report, strict=True):
            writer.discard()
        else:
            checkpoint()
            report.written = [rel.as_posix() for rel in writer.staged]
            writer.commit()
            if memory is not None:
                memory.signatures, memory.files = writer.signatures, writer.files()
                memory.site = BuiltSite(links, pages, searchable_paths(rendered))
            if cache is not None:
                _remember_output_signatures(cache, out_dir, writer.signatures)
    except BaseException as exc:
        if search is not None:
            search.abandon()
        if prepared is not None:
            prepared.discard()
        writer.discard()
        if not isinstance(exc, SourceError):
            raise
        report.add(exc.problem)  # the site's i18n/ file of the language found is broken
    finally:
        if rendering is not None:
            rendering.close()
        if workers is not None:
            workers.close()
        if cache is not None:
            cache.close()


def _templates(site_dir: Path, config: SiteConfig, memory: BuildMemory | None) -> Templates:
    """The site's templates, compiled again only when a template file changed."""
    if memory is not None and memory.templates is not None and memory.templates.is_current():
        return memory.templates
    templates = Templates(site_dir, theme_dir(site_dir, config.theme), config.language)
    if memory is not None:
        memory.templates = templates
    return templates


def _settle_language(
    config: SiteConfig,
    documents: list[Document],
    templates: Templates,
    memory: BuildMemory | None,
) -> SiteConfig:
    """``config`` with a language: its own, else the one most of ``documents`` are written
    in (:func:`~inkstone.content.language.site_language`); the templates' labels in it.
    Raises :class:`SourceError` when the site's label file of that language is broken."""
    if not config.language:
        found = site_language(doc.text_language for doc in documents)
        config = dataclasses.replace(config, language=found)
    templates.use_language(config.language)
    if memory is not None:
        memory.settle_language(config.language, documents)
    return config


def _output_signatures(cache: Cache | None, out_dir: Path) -> dict[str, str]:
    """The signatures of the files of the last build into ``out_dir``, if it is still there."""
    raw = cache.get("output", str(out_dir)) if cache is not None else None
    if raw is None or not is_built_site(out_dir):
        return {}
    signatures: dict[str, str] = json.loads(raw)
    return signatures


def _remember_output_signatures(cache: Cache, out_dir: Path, signatures: dict[str, str]) -> None:
    """Keep the signatures of the files now in ``out_dir`` for the next build
    (:func:`_output_signatures`)."""
    cache.put("output", [(str(out_dir), json.dumps(signatures).encode())])


@contextmanager
def _timed(report: BuildReport, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        report.timings[stage] = time.perf_counter() - start


def _load(
    found: Discovery,
    config: SiteConfig,
    options: BuildOptions,
    report: BuildReport,
    memory: BuildMemory | None,
    workers: RenderWorkers | None = None,
) -> list[Document]:
    """The documents of the sources found, published ones only unless drafts are asked for;
    loaded by ``workers`` too when there are any (a cold one-off build)."""
    now = dt.datetime.now(dt.UTC)
    documents: list[Document] = []
    for source, loaded in _load_each(found.sources, config, memory, workers):
        checkpoint()
        if isinstance(loaded, Problem):
            report.add(loaded)
            kept = memory.last_good.get(source.path) if memory is not None else None
            if kept is not None:  # the dev server keeps serving the last good version
                documents.append(kept)
            continue
        doc, problems = loaded
        report.problems.extend(problems)
        if doc is not None and (options.drafts or is_published(doc, now)):
            documents.append(doc)
    return _drop_collisions(documents, report)


def _load_each(
    sources: list[Source],
    config: SiteConfig,
    memory: BuildMemory | None,
    workers: RenderWorkers | None,
) -> Iterator[tuple[Source, Loaded]]:
    """Each source with what loading it gave, in order."""
    if workers is not None and memory is None:
        yield from zip(sources, workers.load(sources, config), strict=True)
        return
    for source in sources:
        try:
            yield source, _load_one(source, config, memory)
        except SourceError as exc:
            yield source, exc.problem


def _load_one(
    source: Source, config: SiteConfig, memory: BuildMemory | None
) -> tuple[Document | None, list[Problem]]:
    """Load a source, or take it from memory when the file did not change since."""
    if memory is None:
        return load_document(source, config)
    try:
        stat = source.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        return load_document(source, config)
    known = memory.loaded.get(source.path)
    if known is not None and known[0] == stamp:
        return known[1], known[2]
    doc, problems = load_document(source, config)
    memory.loaded[source.path] = (stamp, doc, problems)
    if doc is not None:
        memory.last_good[source.path] = doc
    return doc, problems


def _drop_collisions(documents: list[Document], report: BuildReport) -> list[Document]:
    """Two sources claiming one URL is an error naming both; neither is built."""
    by_url: dict[str, list[Document]] = {}
    for doc in documents:
        by_url.setdefault(doc.url, []).append(doc)
    kept = []
    for url, claimants in by_url.items():
        if len(claimants) == 1:
            kept.append(claimants[0])
            continue
        names = " and ".join(c.source.display.as_posix() for c in claimants)
        for doc in claimants:
            report.error(
                f"URL {url} is claimed by {names}",
                doc.source.display,
                hint="give one of them a different `slug` in its front matter",
            )
    return kept


def _start_rendering(
    documents: list[Document],
    config: SiteConfig,
    links: SiteLinks,
    options: BuildOptions,
    cache: Cache | None,
    memory: BuildMemory | None,
    report: BuildReport,
    workers: RenderWorkers | None,
) -> Rendering | None:
    """Start rendering every document (:class:`Rendering`); None, with the error reported,
    when KaTeX is missing."""
    try:
        find_katex_dist()
    except KatexNotFound as exc:
        report.error(str(exc))
        return None

    def progress(done: int) -> None:
        if options.progress:
            options.progress("render", done, len(documents))

    remembered = memory.pages if memory is not None else None
    return Rendering(documents, config, links, options.jobs, cache, progress, remembered, workers)


def _write_rendered(
    rendering: Rendering | None, report: BuildReport, pages: PageWriter, memory: BuildMemory | None
) -> list[Document]:
    """Write each document's page as soon as it is rendered; the documents rendered."""
    rendered: list[Document] = []
    if rendering is None:
        return rendered
    for doc, outcome in rendering:
        if _take_rendered(doc, outcome, report):
            pages.document(doc)
            rendered.append(doc)
        if memory is None:  # a one-off build reads the source no more (the dev server will)
            doc.body = ""
        checkpoint()
    return rendered


def _renders_everything(
    memory: BuildMemory | None, writer: SiteWriter, cache: Cache | None
) -> bool:
    """Whether a build is cold: a one-off build with neither a previous output nor a
    rendered page in its cache."""
    return memory is None and not writer.previous and (cache is None or not cache.holds("page"))


def _katex_found() -> bool:
    try:
        find_katex_dist()
    except KatexNotFound:
        return False  # the render step says so
    return True


def _without_failed(index: SiteIndex, rendered: list[Document]) -> SiteIndex:
    """The site's lists without the documents that failed to render. Their backlinks are
    the ones found before rendering, less those from the failed documents: the sources
    read then are not kept."""
    kept = collect(rendered)
    present = set(map(id, rendered))
    for url, sources in index.backlinks.items():
        if linking := [doc for doc in sources if id(doc) in present]:
            kept.backlinks[url] = linking
    return kept


def _take_rendered(doc: Document, outcome: RenderOutcome, report: BuildReport) -> bool:
    """Give ``doc`` its rendered body and count what rendering it found; False when it
    failed to render."""
    report.problems.extend(outcome.problems)
    report.formulas_rendered += outcome.formulas
    report.formulas_typeset += outcome.typeset
    report.documents_cached += outcome.from_cache
    if outcome.rendered is None:
        return False
    doc.rendered = outcome.rendered
    links_went = [(call.href, call.target) for call in outcome.links]
    content_key = fingerprint(doc.render_key, links_went)
    if content_key != doc.content_key:
        doc.content_key, doc.signature = content_key, ""
    return True


def clean(site_dir: Path, out_dir: Path | None = None, cache_dir: Path | None = None) -> list[Path]:
    """Remove the cache folder and the output folder (only if inkstone made it)."""
    removed = []
    cache = cache_dir or site_dir / CACHE_DIR
    if cache.is_dir():
        shutil.rmtree(cache)
        removed.append(cache)
    out = out_dir or site_dir / "public"
    if is_built_site(out):
        shutil.rmtree(out)
        removed.append(out)
    return removed


def counted(number: int, noun: str) -> str:
    """``1 page``, ``2 pages``: a count and its noun, in the plural unless it is one."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def summary_line(report: BuildReport) -> str:
    """The one-line summary printed after a build."""
    problems = counted(len(report.warnings), "warning")
    if report.search_refresh:
        return (
            f"{counted(len(report.written), 'file')} of the search index written, "
            f"{problems} in {report.seconds:.2f} s"
        )
    redirects = (
        f", {counted(report.redirects_written, 'redirect')}" if report.redirects_written else ""
    )
    return (
        f"{counted(report.pages_written, 'page')}{redirects} "
        f"({counted(report.files_unchanged, 'file')} unchanged), "
        f"{counted(report.formulas_rendered, 'formula')} ({report.formulas_typeset} typeset), "
        f"{problems}, {counted(len(report.errors), 'error')} in {report.seconds:.2f} s"
    )


def has_failed(report: BuildReport, strict: bool) -> bool:
    """Exit code 1: any error, or any warning under ``--strict``."""
    return bool(report.errors) or (strict and bool(report.warnings))


__all__ = [
    "BuildCancelled",
    "BuildOptions",
    "Problem",
    "Severity",
    "build",
    "has_failed",
    "preview",
    "summary_line",
]

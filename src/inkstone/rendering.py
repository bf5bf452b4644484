"""Rendering every document's Markdown: from the cache, in this process, or across workers.

A document whose page entry is in the persistent cache (same text, same settings, same
renderer versions, and every link it made still resolving the same way) is not rendered
at all. The others are rendered here, or spread over worker processes when the site is
big enough. Every worker builds its own KaTeX engine on first use: a V8 context inherited
across ``fork`` hangs. A worker is a ``fork`` of this process when nothing makes that
unsafe (see :func:`start_method`), else a fresh process (``spawn``). Documents go out
in order and come back in order, so the output is the same byte for byte whatever the
number of workers; only the main process writes to the cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import multiprocessing
import os
import pickle
import shutil
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar

from inkstone.cache import Cache, PendingEntries, fingerprint, fragments, open_cache, use_cache
from inkstone.cancel import checkpoint
from inkstone.config import SiteConfig
from inkstone.content.load import load_document, source_line
from inkstone.content.model import Document, ImageVariant, Rendered, Source, TocEntry
from inkstone.errors import Problem, Severity, SourceError
from inkstone.markup.markdown import (
    LinkTarget,
    ParsedBody,
    RenderContext,
    parse_markdown,
    render_markdown,
    render_parsed,
)
from inkstone.markup.math import engine, katex_loaded, macros_key
from inkstone.markup.plugins.bookmarks import titles_from_front_matter
from inkstone.markup.plugins.wikilinks import WikiTarget
from inkstone.markup.titles import formulas_of, may_hold_formula, typeset_title
from inkstone.search.slim import with_formulas_as_text
from inkstone.site.links import SiteLinks
from inkstone.site.related import extract_terms
from inkstone.version import code_version

In = TypeVar("In")
Out = TypeVar("Out")

MIN_DOCUMENTS_PER_WORKER = 32
"""Below this many documents per worker, starting workers costs more than it saves."""
BATCH = 16
TERMS_BATCH = 64
"""Posts whose terms a worker extracts in one task."""
LOAD_BATCH = 64
"""Sources a worker loads in one task."""
IN_FLIGHT = 3
"""Batches per worker submitted ahead of the one being written."""


@dataclass
class LinkCall:
    """One link a document resolved while rendering, and what it resolved to."""

    href: str
    is_image: bool
    target: LinkTarget | WikiTarget
    wiki: bool = False
    """A wiki link: ``href`` is its target as written (``note#标题``), ``is_image`` says it
    is an embed, and ``target`` is a :class:`WikiTarget` (without the embedded text)."""


@dataclass
class RenderOutcome:
    """What rendering one document produced."""

    rendered: Rendered | None
    problems: list[Problem] = field(default_factory=list)
    formulas: int = 0
    """Formulas on the page."""
    typeset: int = 0
    """Of those, how many KaTeX ran on (the others came from the render cache)."""
    links: list[LinkCall] = field(default_factory=list)
    fresh: dict[str, dict[str, str]] = field(default_factory=dict)
    """Fragments made while rendering, for the cache."""
    from_cache: bool = False
    entry: bytes | None = None
    """The outcome as the cache stores it (:func:`_encode_page`), when a render worker sent
    it so: the main process then stores it as it came rather than encoding it again."""


def render_document(doc: Document, config: SiteConfig, links: SiteLinks) -> RenderOutcome:
    """Render one document's body; never raises (a failure is an error Problem)."""
    return render_documents([doc], config, links)[0]


def render_documents(
    documents: Sequence[Document], config: SiteConfig, links: SiteLinks
) -> list[RenderOutcome]:
    """Render documents' bodies, in order; never raises (a failure is an error Problem).
    Every body is parsed first, then KaTeX typesets the formulas of them all in one call
    (:meth:`~inkstone.markup.math.KatexEngine.prefetch`), then each is rendered."""
    started = [_parse(doc, config, links) for doc in documents]
    asked = [(p.parsed.formulas(), p.ctx.macros_json) for p in started if p.parsed is not None]
    try:
        typeset = iter(engine().prefetch(asked))
    except Exception:  # each formula is typeset on its own, where its error is reported
        typeset = iter([0] * len(asked))
    finished = [_finish(p, next(typeset) if p.parsed is not None else 0) for p in started]
    if config.search:
        for outcome, job in zip(finished, started, strict=True):
            if outcome.rendered is not None:
                outcome.rendered.search_html = with_formulas_as_text(
                    outcome.rendered.html, job.ctx.typeset
                )
    return finished


@dataclass
class _Started:
    """A document being rendered: parsed (or not, and why), with the links it resolved."""

    doc: Document
    ctx: RenderContext
    calls: list[LinkCall]
    parsed: ParsedBody | None = None
    failure: Exception | None = None


def _parse(doc: Document, config: SiteConfig, links: SiteLinks) -> _Started:
    calls: list[LinkCall] = []
    resolve = links.resolver(doc)

    def recording_resolver(href: str, is_image: bool) -> LinkTarget:
        target = resolve(href, is_image)
        calls.append(LinkCall(href, is_image, target))
        return target

    resolve_wiki = links.wiki_resolver(doc)

    def recording_wiki_resolver(target: str, embed: bool) -> WikiTarget:
        found = resolve_wiki(target, embed)
        calls.append(LinkCall(target, embed, dataclasses.replace(found, text=None), wiki=True))
        return found

    ctx = _context(doc, config)
    ctx.resolve_link = recording_resolver
    ctx.resolve_wiki = recording_wiki_resolver
    ctx.content_root = links.content_root
    started = _Started(doc, ctx, calls)
    try:
        started.parsed = parse_markdown(doc.body, ctx)
    except Exception as exc:  # a bug of ours must not take the other pages down
        started.failure = exc
    return started


def _finish(started: _Started, typeset: int) -> RenderOutcome:
    """Render a parsed document; ``typeset``: how many of its formulas were typeset ahead."""
    ctx, before = started.ctx, engine().typeset_count
    try:
        if started.parsed is None:
            raise started.failure or RuntimeError("not parsed")
        rendered = render_parsed(started.parsed)
    except Exception as exc:  # a bug of ours must not take the other pages down
        problem = Problem(
            Severity.ERROR,
            f"could not render: {type(exc).__name__}: {exc}",
            started.doc.source.display,
        )
        return RenderOutcome(None, [problem])
    typeset += engine().typeset_count - before
    return RenderOutcome(rendered, ctx.problems, ctx.formulas, typeset, started.calls)


def typeset_titles(
    documents: Sequence[Document], config: SiteConfig, cache: Cache | None
) -> list[Problem]:
    """Typeset the formulas in the documents' titles and summaries
    (:mod:`inkstone.markup.titles`), here and before any page is written: a page shows the
    titles of others (its previous and next posts, the lists), which may not be rendered
    yet. A formula a build before typeset comes from the cache, and what KaTeX makes is
    stored there, so a site without a formula in a title, or whose title formulas are
    cached, starts no KaTeX here. A formula KaTeX rejects is a warning at its line."""
    lines: list[tuple[Document, Literal["title", "summary"], str, str]] = []
    for doc in documents:  # each title and summary holding a formula, with its macros
        doc.title_typeset = doc.summary_typeset = None
        macros = ""
        parts: tuple[tuple[Literal["title", "summary"], str], ...] = (
            ("title", doc.title),
            ("summary", doc.summary or ""),
        )
        for part, text in parts:
            if may_hold_formula(text):
                macros = macros or macros_key(config.math.macros, doc.macros)
                lines.append((doc, part, text, macros))
    if not lines:
        return []
    problems: list[Problem] = []
    use_cache(cache)
    try:
        # on failure, each formula is typeset on its own, where its error is reported
        with contextlib.suppress(Exception):
            engine().prefetch([(formulas_of([text]), macros) for _, _, text, macros in lines])
        for doc, part, text, macros in lines:
            typeset = typeset_title(text, macros)
            if part == "title":
                doc.title_typeset = typeset
            else:
                doc.summary_typeset = typeset
            if typeset is not None and typeset.errors:
                line = source_line(doc, part)
                problems += [
                    Problem(
                        Severity.WARNING,
                        f"KaTeX error in the {part}: {error}",
                        doc.source.display,
                        line,
                        None,
                        "the formula is shown as TeX source",
                    )
                    for error in typeset.errors
                ]
        if cache is not None:
            pending = PendingEntries(cache)
            pending.add(fragments().take_fresh(), None)
            pending.flush()
    finally:
        use_cache(None)
    return problems


def _context(doc: Document, config: SiteConfig) -> RenderContext:
    titles, complaint = titles_from_front_matter(doc.meta.get("bookmarks"))
    ctx = RenderContext(
        path=doc.source.display,
        body_line=doc.body_line,
        macros_json=macros_key(config.math.macros, doc.macros),
        number_equations=config.math.number_equations,
        line_numbers=config.code.line_numbers,
        excerpt_length=config.excerpt_length,
        zh=doc.page_language(config.language).lower().startswith("zh"),
        images=config.images,
        cjk_spacing=config.markdown.cjk_spacing,
        bookmark_titles=titles,
    )
    if complaint is not None:
        hint = 'write it as `bookmarks: {"https://…": "title"}`'
        ctx.problems.append(Problem(Severity.WARNING, complaint, doc.source.display, 1, None, hint))
    return ctx


_WARM_UP = """# Warm-up

Text with $x_i^2$, **bold**, `code` and a [link](https://example.org).

$$
\\sum_{i=1}^{n} a_i
$$

| a | b |
|---|---|
| 1 | 2 |

```python
def f(x: int) -> int:
    return x + 1
```
"""


def warm_up() -> None:
    """Load the Markdown parser, KaTeX and Pygments' common lexers in this process by
    rendering a small sample (the dev server does this before the first edit, whose
    preview should not wait for them). Touches no cache."""
    engine().warm_up()
    render_markdown(_WARM_UP, RenderContext(path=Path("warm-up.md")))


def start_method() -> str:
    """How to start render workers: ``fork`` when this process runs no other thread (a lock
    one holds would stay locked in the copy) and has not started KaTeX (an inherited V8
    hangs), as in a command-line build on Linux; else ``spawn``, as in the dev server and on
    macOS, where system libraries are not safe to fork.

    A forked worker starts with what this process has imported and compiled: two workers
    are ready in about half the time, for about a third of the CPU (1,000 posts: 0.5 s
    rather than 1.0 s, 0.5 s of CPU rather than 1.5 s). It never uses the cache connection
    it inherits (SQLite's rule for ``fork``): this process reads the cache through
    :func:`fragments` only while it takes rendered documents (:meth:`Rendering.__iter__`),
    after its workers have started, and a worker opens its own (:func:`_render_batch`).
    Nor does it close the copy: the build that forked it still holds it, and a worker ends
    without running exit handlers."""
    if not sys.platform.startswith("linux"):
        return "spawn"
    if threading.active_count() > 1 or katex_loaded():
        return "spawn"
    return "fork"


def worker_count(requested: int | None, documents: int) -> int:
    """How many processes to use: ``requested`` (at most one per document), else one per
    core as long as each gets enough documents to be worth starting."""
    if requested is not None and requested > 0:
        return max(1, min(requested, documents))
    cores = os.cpu_count() or 1
    return max(1, min(cores, documents // MIN_DOCUMENTS_PER_WORKER))


class Rendering:
    """Every document of a build being rendered: iterate for each with its outcome, in
    order. ``memory`` holds outcomes by render key across builds in one process (the dev
    server); ``workers``, started ahead, render them if there are enough (see
    :func:`worker_count`), else workers are started here.

    With workers, rendering starts when this is made: the first batches are theirs, so the
    caller can go on with what needs no rendered page (the site's lists, 1,000 posts: about
    half a second) while they work. Iterating to the end or :meth:`close` stops them.

    When neither the cache nor ``memory`` holds any rendered page (a cold build), every
    document is rendered, so the first batches go out before any document's page key is
    worked out; each key is made as its outcome is taken (10,000 posts: about 2 s of this
    process's CPU that the workers would otherwise wait for)."""

    def __init__(
        self,
        documents: list[Document],
        config: SiteConfig,
        links: SiteLinks,
        jobs: int | None,
        cache: Cache | None,
        progress: Callable[[int], None] | None = None,
        memory: dict[str, RenderOutcome] | None = None,
        workers: RenderWorkers | None = None,
    ) -> None:
        self.documents = documents
        self.config = config
        self.cache = cache
        self.progress = progress
        self.memory = memory
        self.cached = [False] * len(documents)
        if memory or (cache is not None and cache.holds("page")):
            # which bodies the cache holds, checked on their small part only: the bodies
            # themselves are read one by one below, so they are never all in memory at once
            for number, doc in enumerate(documents):
                checkpoint()
                key = self._key(doc)
                self.cached[number] = _is_cached(cache, memory, key, doc, links)
        missing = [doc for doc, hit in zip(documents, self.cached, strict=True) if not hit]
        count = worker_count(jobs, len(missing))
        self.fresh: _Renders
        if count == 1 or not missing:
            if workers is not None:
                workers.close()  # too few documents to render for them to help
            self.fresh = _RenderedHere(missing, config, links)
        else:
            cache_dir = cache.path.parent if cache is not None else None
            self.fresh = _RenderedByWorkers(
                workers or RenderWorkers(count), missing, (config, links, cache_dir)
            )

    def __iter__(self) -> Iterator[tuple[Document, RenderOutcome]]:
        cache, memory = self.cache, self.memory
        use_cache(cache)
        try:
            pending = PendingEntries(cache) if cache is not None else None
            rows = zip(self.documents, self.cached, strict=True)
            for done, (doc, hit) in enumerate(rows, start=1):
                key = self._key(doc)
                outcome = _cached_outcome(cache, memory, key) if hit else self.fresh.next()
                if memory is not None and outcome.rendered is not None:
                    memory[key] = outcome
                if not outcome.from_cache and pending is not None:
                    entry = outcome.entry
                    if entry is None and outcome.rendered is not None:
                        entry = _encode_page(outcome)
                    pending.add(outcome.fresh, (key, entry) if entry is not None else None)
                outcome.entry = None
                if self.progress:
                    self.progress(done)
                yield doc, outcome
            if pending is not None:
                pending.flush()
                # copied into the cache file while the lists and the search index are made
                pending.cache.checkpoint_soon()
        finally:
            use_cache(None)
            self.close()

    def _key(self, doc: Document) -> str:
        """The render key of ``doc`` (:func:`_page_key`), made once."""
        doc.render_key = doc.render_key or _page_key(doc, self.config)
        return doc.render_key

    def close(self) -> None:
        """Stop rendering (the workers, at once: their memory is not needed while the index
        is made); again is harmless."""
        self.fresh.close()


class _Renders:
    """The outcomes of the documents no cache holds, in order."""

    def next(self) -> RenderOutcome:
        """The next document's outcome."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop rendering."""


class _RenderedHere(_Renders):
    """Rendered in this process as they are asked for."""

    def __init__(self, documents: list[Document], config: SiteConfig, links: SiteLinks):
        self.todo = iter(documents)
        self.config, self.links = config, links

    def next(self) -> RenderOutcome:
        outcome = render_document(next(self.todo), self.config, self.links)
        outcome.fresh = fragments().take_fresh()
        return outcome


class _RenderedByWorkers(_Renders):
    """Rendered by worker processes, in batches: a bounded window of batches in flight,
    so that outcomes do not pile up in memory while this process writes pages more slowly
    than the workers render them. The first are submitted at once."""

    def __init__(
        self,
        workers: RenderWorkers,
        documents: list[Document],
        setup: tuple[SiteConfig, SiteLinks, Path | None],
    ) -> None:
        self.workers = workers
        try:
            self.setup = workers.set_up(*setup)
            batches = [documents[i : i + BATCH] for i in range(0, len(documents), BATCH)]
            self.batches = iter(batches)
            self.window: deque[tuple[int, Future[list[RenderOutcome | _Shipped]]]] = deque()
            self.outcomes: Iterator[RenderOutcome | _Shipped] = iter(())
            self._submit()
        except BaseException:
            workers.close()
            raise

    def _submit(self) -> None:
        while len(self.window) < IN_FLIGHT * self.workers.count:
            batch = next(self.batches, None)
            if batch is None:
                return
            future = self.workers.pool.submit(_render_batch, self.setup, batch)
            self.window.append((len(batch), future))

    def next(self) -> RenderOutcome:
        outcome = next(self.outcomes, None)
        if outcome is None:
            self._submit()
            size, future = self.window.popleft()
            outcomes = future.result()
            if len(outcomes) != size:
                raise RuntimeError(f"a worker rendered {len(outcomes)} of a batch of {size}")
            self.outcomes = iter(outcomes)
            outcome = next(self.outcomes)
        return outcome.outcome() if isinstance(outcome, _Shipped) else outcome

    def close(self) -> None:
        self.workers.close()


class RenderWorkers:
    """Render worker processes (forked or spawned, see :func:`start_method`; each with its
    own KaTeX), each ready once it has rendered a sample page (spawned, once it has also
    imported inkstone). A cold build starts them as soon as it knows how many documents it
    has, so that this overlaps loading the site instead of following it.

    What a worker renders with (the site's configuration and links, the cache folder) is
    known only once the site is loaded: :meth:`set_up` writes it to a file, read once by
    each worker, which every batch names."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.pool = ProcessPoolExecutor(
            count, mp_context=multiprocessing.get_context(start_method()), initializer=warm_up
        )
        for _ in range(count):  # spawn: a process per task while none is idle; fork: all
            self.pool.submit(os.getpid)
        self._folder: Path | None = None

    @classmethod
    def ahead(cls, jobs: int | None, documents: int) -> RenderWorkers | None:
        """Workers for a build that will render ``documents`` documents, or None when it
        renders them in this process."""
        count = worker_count(jobs, documents)
        return cls(count) if count > 1 else None

    def extract_terms(self, posts: list[tuple[str, str]]) -> list[tuple[tuple[str, int], ...]]:
        """The terms of each (title, body), for related posts, extracted by the workers and
        by this process (:meth:`_shared`)."""
        return self._shared(_extract_terms, posts, TERMS_BATCH)

    def load(self, sources: list[Source], config: SiteConfig) -> list[Loaded]:
        """Each source loaded (:func:`~inkstone.content.load.load_document`) by the workers
        and by this process (:meth:`_shared`), in order: a 10,000-post site's front matter
        took this process 5 s while the workers, started, had nothing to do."""
        return self._shared(partial(_load_sources, config), sources, LOAD_BATCH)

    def _shared(
        self, work: Callable[[list[In]], list[Out]], items: list[In], size: int
    ) -> list[Out]:
        """``work`` done on ``items``, in chunks of ``size``, by the workers and by this
        process, which would otherwise wait for them: it takes the chunks from the last one
        back, each one no worker has taken yet. The results in the order of ``items``."""
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        asked = [self.pool.submit(work, chunk) for chunk in chunks]
        done: list[list[Out] | None] = [None] * len(chunks)
        for number in reversed(range(len(chunks))):
            if not asked[number].cancel():
                break  # a worker has it, and every chunk before it
            done[number] = work(chunks[number])
        results = []
        for chunk, future in zip(done, asked, strict=True):
            results.extend(chunk if chunk is not None else future.result())
        return results

    def set_up(self, config: SiteConfig, links: SiteLinks, cache_dir: Path | None) -> Path:
        """Hand the workers what they render with; returns the file later batches name."""
        self._folder = Path(tempfile.mkdtemp(prefix="inkstone-render-"))
        setup = self._folder / "setup.pickle"
        setup.write_bytes(pickle.dumps((config, links, cache_dir), pickle.HIGHEST_PROTOCOL))
        return setup

    def close(self) -> None:
        """Stop the workers (what they have not started is dropped) and remove the file;
        once rendering is done, or when the build stops before it (again is harmless)."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


_worker: tuple[Path, SiteConfig, SiteLinks] | None = None


def _extract_terms(posts: list[tuple[str, str]]) -> list[tuple[tuple[str, int], ...]]:
    return [extract_terms(title, body) for title, body in posts]


Loaded = tuple[Document | None, list[Problem]] | Problem
"""What loading a source gave: the document (None for an empty file) and the problems found,
or the problem that stopped it (a :class:`SourceError`'s)."""


def _load_sources(config: SiteConfig, sources: list[Source]) -> list[Loaded]:
    loaded: list[Loaded] = []
    for source in sources:
        try:
            loaded.append(load_document(source, config))
        except SourceError as exc:
            loaded.append(exc.problem)
    return loaded


def _render_batch(setup: Path, batch: list[Document]) -> list[RenderOutcome | _Shipped]:
    global _worker
    if _worker is None or _worker[0] != setup:
        config, links, cache_dir = pickle.loads(setup.read_bytes())
        _worker = (setup, config, links)
        use_cache(open_cache(cache_dir))
    _, config, links = _worker
    outcomes = render_documents(batch, config, links)
    outcomes[0].fresh = fragments().take_fresh()  # what the whole batch made
    return [_shipped(outcome) for outcome in outcomes]


@dataclass
class _Shipped:
    """A rendered outcome as a worker sends it: in the cache's encoding, which the main
    process decodes once and stores as it is. Pickling the outcome instead would encode its
    HTML to UTF-8 here, decode it there, and encode it again for the cache (1,000 posts:
    90 MB of HTML, about 0.25 s of the main process's CPU)."""

    entry: bytes
    typeset: int
    fresh: dict[str, dict[str, str]]
    search_html: bytes | None = None
    """:attr:`Rendered.search_html`, which the cache does not keep."""

    def outcome(self) -> RenderOutcome:
        """The outcome the worker rendered."""
        outcome = _decode_page(self.entry)
        outcome.typeset, outcome.fresh, outcome.from_cache = self.typeset, self.fresh, False
        outcome.entry = self.entry
        assert outcome.rendered is not None
        outcome.rendered.search_html = self.search_html
        return outcome


def _shipped(outcome: RenderOutcome) -> RenderOutcome | _Shipped:
    """``outcome`` as a worker sends it (a failed render as it is)."""
    if outcome.rendered is None:
        return outcome
    search_html = outcome.rendered.search_html
    return _Shipped(_encode_page(outcome), outcome.typeset, outcome.fresh, search_html)


def _page_key(doc: Document, config: SiteConfig) -> str:
    ctx = _context(doc, config)
    return fingerprint(
        "page",
        code_version(),
        engine().package_version,
        _renderer_versions(),
        doc.body,
        doc.body_line,
        doc.source.display.as_posix(),
        str(doc.source.rel),
        str(doc.source.bundle_dir),
        ctx.macros_json,
        ctx.number_equations,
        ctx.line_numbers,
        ctx.excerpt_length,
        ctx.zh,
        ctx.images,
        ctx.cjk_spacing,
        sorted(ctx.bookmark_titles.items()),
    )


@cache
def _renderer_versions() -> tuple[str, ...]:
    from importlib.metadata import version

    names = (
        "markdown-it-py",
        "mdit-py-plugins",
        "mdit-py-cjk-friendly",
        "Pygments",
        "linkify-it-py",
        "emoji",
    )
    return tuple(f"{name}={version(name)}" for name in names)


def _is_cached(
    cache: Cache | None,
    memory: dict[str, RenderOutcome] | None,
    key: str,
    doc: Document,
    links: SiteLinks,
) -> bool:
    """Whether a rendered body for ``key`` is cached and every link it made still resolves
    the same way."""
    outcome = memory.get(key) if memory is not None else None
    if outcome is not None:
        calls = outcome.links
    else:
        raw = cache.get("page", key) if cache is not None else None
        if raw is None:
            return False
        calls = _decode_links(json.loads(raw.split(b"\0", 1)[0]))
    resolve, resolve_wiki = links.resolver(doc), links.wiki_resolver(doc)
    return all(
        (resolve_wiki if call.wiki else resolve)(call.href, call.is_image) == call.target
        for call in calls
    )


def _cached_outcome(
    cache: Cache | None, memory: dict[str, RenderOutcome] | None, key: str
) -> RenderOutcome:
    """The cached outcome for ``key`` (which :func:`_is_cached` found)."""
    outcome = memory.get(key) if memory is not None else None
    if outcome is not None:
        return dataclasses.replace(outcome, typeset=0, fresh={}, from_cache=True)
    assert cache is not None
    raw = cache.get("page", key)
    assert raw is not None
    return _decode_page(raw)


def _decode_links(meta: dict[str, Any]) -> list[LinkCall]:
    return [
        LinkCall(href, image, WikiTarget(**target), True)
        if wiki
        else LinkCall(href, image, LinkTarget(**target))
        for href, image, target, *wiki in meta["links"]
    ]


def _encode_page(outcome: RenderOutcome) -> bytes:
    """JSON for the small fields, then the page and excerpt HTML as raw UTF-8 (no escaping:
    HTML made by markdown-it never holds a NUL, which separates the parts)."""
    assert outcome.rendered is not None
    rendered = dataclasses.asdict(outcome.rendered)
    html, excerpt = rendered.pop("html"), rendered.pop("excerpt_html")
    del rendered["search_html"]  # made for this build's search step only
    del rendered["html_utf8"]  # the html, which follows
    meta = {
        "rendered": rendered,
        "problems": [
            {**dataclasses.asdict(p), "severity": p.severity.value, "path": _path(p.path)}
            for p in outcome.problems
        ],
        "formulas": outcome.formulas,
        "links": [
            [c.href, c.is_image, dataclasses.asdict(c.target), *([True] if c.wiki else [])]
            for c in outcome.links
        ],
    }
    return b"\0".join(
        (json.dumps(meta, ensure_ascii=False).encode(), html.encode(), excerpt.encode())
    )


def _decode_page(raw: bytes) -> RenderOutcome:
    meta_part, html, excerpt = raw.split(b"\0", 2)
    data = json.loads(meta_part)
    rendered = data["rendered"]
    rendered["toc"] = [TocEntry(**entry) for entry in rendered["toc"]]
    rendered["image_variants"] = [ImageVariant(**v) for v in rendered["image_variants"]]
    rendered["html"], rendered["excerpt_html"] = html.decode(), excerpt.decode()
    rendered["html_utf8"] = html
    problems = [
        Problem(
            Severity(p["severity"]),
            p["message"],
            Path(p["path"]) if p["path"] is not None else None,
            p["line"],
            p["col"],
            p["hint"],
        )
        for p in data["problems"]
    ]
    return RenderOutcome(
        Rendered(**rendered), problems, data["formulas"], 0, _decode_links(data), {}, True
    )


def _path(path: Path | PurePosixPath | None) -> str | None:
    return None if path is None else path.as_posix()

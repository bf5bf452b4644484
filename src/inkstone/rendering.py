"""Rendering every document's Markdown: in this process, or spread over worker processes.

Each worker is a fresh process (``spawn``): a V8 context inherited across ``fork`` hangs, so
every worker builds its own KaTeX engine on first use. Documents go out in order and come
back in order, so the output is the same byte for byte whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from inkstone.config import SiteConfig
from inkstone.content.model import Document, Rendered
from inkstone.errors import Problem, Severity
from inkstone.markup.markdown import RenderContext, render_markdown
from inkstone.markup.math import engine, macros_key
from inkstone.site.links import SiteLinks

MIN_DOCUMENTS_PER_WORKER = 32
"""Below this many documents per worker, starting workers costs more than it saves."""
BATCH = 16


@dataclass
class RenderOutcome:
    """What rendering one document produced."""

    rendered: Rendered | None
    problems: list[Problem] = field(default_factory=list)
    formulas: int = 0
    """Formulas on the page."""
    typeset: int = 0
    """Of those, how many KaTeX ran on (the others came from the render cache)."""


def render_document(doc: Document, config: SiteConfig, links: SiteLinks) -> RenderOutcome:
    """Render one document's body; never raises (a failure is an error Problem)."""
    ctx = RenderContext(
        path=doc.source.display,
        body_line=doc.body_line,
        macros_json=macros_key(config.math.macros, doc.macros),
        number_equations=config.math.number_equations,
        line_numbers=config.code.line_numbers,
        excerpt_length=config.excerpt_length,
        zh=(doc.language or config.language).lower().startswith("zh"),
        resolve_link=links.resolver(doc),
    )
    before = engine().typeset_count
    try:
        rendered = render_markdown(doc.body, ctx)
    except Exception as exc:  # a bug of ours must not take the other pages down
        problem = Problem(
            Severity.ERROR, f"could not render: {type(exc).__name__}: {exc}", doc.source.display
        )
        return RenderOutcome(None, [problem])
    return RenderOutcome(rendered, ctx.problems, ctx.formulas, engine().typeset_count - before)


def worker_count(requested: int | None, documents: int) -> int:
    """How many processes to use: ``requested`` (at most one per document), else one per
    core as long as each gets enough documents to be worth starting."""
    if requested is not None and requested > 0:
        return max(1, min(requested, documents))
    cores = os.cpu_count() or 1
    return max(1, min(cores, documents // MIN_DOCUMENTS_PER_WORKER))


def render_all(
    documents: list[Document],
    config: SiteConfig,
    links: SiteLinks,
    jobs: int | None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[Document, RenderOutcome]]:
    """Render every document, yielding them in order with their outcome."""
    workers = worker_count(jobs, len(documents))
    if workers == 1:
        yield from _render_here(documents, config, links, progress)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(config, links)
    ) as pool:
        batches = [documents[i : i + BATCH] for i in range(0, len(documents), BATCH)]
        done = 0
        for batch, outcomes in zip(batches, pool.map(_render_batch, batches), strict=True):
            for doc, outcome in zip(batch, outcomes, strict=True):
                done += 1
                if progress:
                    progress(done)
                yield doc, outcome


def _render_here(
    documents: list[Document],
    config: SiteConfig,
    links: SiteLinks,
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[Document, RenderOutcome]]:
    for done, doc in enumerate(documents, start=1):
        outcome = render_document(doc, config, links)
        if progress:
            progress(done)
        yield doc, outcome


_worker: tuple[SiteConfig, SiteLinks] | None = None


def _start_worker(config: SiteConfig, links: SiteLinks) -> None:
    global _worker
    _worker = (config, links)


def _render_batch(batch: list[Document]) -> list[RenderOutcome]:
    assert _worker is not None, "worker not started"
    config, links = _worker
    return [render_document(doc, config, links) for doc in batch]

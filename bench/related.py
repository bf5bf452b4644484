"""Timing of related posts on a generated corpus: term extraction, then ranking.

Run from the repository root::

    python ../shared/bench/gen_corpus.py /tmp/related-corpus 10000
    python bench/related.py /tmp/related-corpus [--jieba N]

Loads every post as a build does, then times, separately, term extraction for all posts
(the per-post work a dev server remembers between builds) and the ranking step (IDF,
vectors, top 5 through the inverted index), which runs on every build. ``--jieba N``
also times jieba segmentation of the first N posts' CJK text, for comparison with the
character bigrams inkstone uses (jieba is not a dependency: ``pip install jieba``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path, PurePosixPath

from inkstone.config import SiteConfig
from inkstone.content.load import load_document
from inkstone.content.model import Document, Kind, Source
from inkstone.site import related


def load(folder: Path) -> list[Document]:
    """Every ``*.md`` of ``folder`` as a post."""
    config = SiteConfig()
    docs = []
    for path in sorted(folder.glob("*.md")):
        rel = PurePosixPath("posts", path.name)
        doc, _ = load_document(Source(path, rel, Path(path.name), Kind.POST), config)
        if doc is not None:
            docs.append(doc)
    return docs


def time_jieba(docs: list[Document]) -> None:
    """Seconds jieba takes to load its dictionary and segment the CJK runs of ``docs``."""
    import re

    import jieba  # type: ignore[import-not-found, import-untyped, unused-ignore]

    start = time.perf_counter()
    jieba.initialize()
    loaded = time.perf_counter() - start
    runs = [re.findall(r"[\u4e00-\u9fff]+", d.body) for d in docs]
    size = sum(len("".join(r).encode()) for r in runs)
    start = time.perf_counter()
    for doc_runs in runs:
        for run in doc_runs:
            jieba.lcut(run)
    seconds = time.perf_counter() - start
    print(
        f"jieba: dictionary {loaded:.2f} s; {len(docs)} posts' CJK text "
        f"({size / 1e6:.1f} MB) in {seconds:.2f} s = {size / 1e3 / seconds:.0f} KB/s"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jieba", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    docs = load(args.corpus)
    size = sum(len(d.body.encode()) for d in docs)
    print(f"{len(docs)} posts, {size / 1e6:.1f} MB of Markdown")
    start, start_cpu = time.perf_counter(), time.process_time()
    for doc in docs:
        related.terms_of(doc)
    extraction = time.perf_counter() - start
    extraction_cpu = time.process_time() - start_cpu
    print(
        f"term extraction (bigrams): {extraction:.2f} s wall, {extraction_cpu:.2f} s CPU, "
        f"{size / 1e6 / extraction:.1f} MB/s"
    )
    times, cpu = [], []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = related.related_posts(docs)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(
        f"ranking: median {statistics.median(times):.3f} s wall, "
        f"{statistics.median(cpu):.3f} s CPU, of {args.runs} runs"
    )
    listed = sum(len(v) for v in result.values())
    print(f"{listed} related links, {listed / len(docs):.2f} per post")
    if args.jieba:
        time_jieba(docs[: args.jieba])


if __name__ == "__main__":
    main(sys.argv[1:])

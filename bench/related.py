"""Timing of related posts on a generated corpus: term extraction, then ranking.

Run from the repository root::

    python ../shared/bench/gen_corpus.py CORPUS 10000
    python bench/related.py CORPUS [--runs 3] [--check 300] [--jieba N]

Loads every post as a build does, then times, separately, term extraction for all posts
(the per-post work a dev server remembers between builds) and the ranking step (IDF,
vectors, top 5 among candidates), which runs on every build; CPU times are medians of
``--runs``. ``--check N`` compares the lists of N random posts with those of scoring every
pair (:func:`related.exact_related`). ``--jieba N`` also times jieba segmentation of the first
N posts' CJK text, for comparison with the character bigrams inkstone uses (jieba is not a
dependency: ``pip install jieba``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path, PurePosixPath

import numpy as np

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


def check(docs: list[Document], result: dict[str, list[Document]], count: int) -> None:
    """How close the lists of ``count`` random posts are to those of scoring every pair."""
    order = sorted(docs, key=related._recency)
    features = related.post_features(order)
    rows = np.array(sorted(random.Random(0).sample(range(len(order)), min(count, len(order)))))
    exact = related.exact_related(features, rows)
    index = {doc.url: i for i, doc in enumerate(order)}
    matrix = features.matrix()
    same = identical = 0
    got_total = best_total = 0.0
    for row, best in zip(rows.tolist(), exact.tolist(), strict=True):
        best = [j for j in best if j >= 0]
        got = [index[doc.url] for doc in result[order[row].url]]
        same += len(set(best) & set(got))
        identical += best == got
        best_total += float(matrix[[row]].dot(matrix[best].T).sum()) if best else 0.0
        got_total += float(matrix[[row]].dot(matrix[got].T).sum()) if got else 0.0
    wanted = int((exact >= 0).sum())
    print(
        f"against scoring every pair, on {len(rows)} posts: {same / max(wanted, 1):.1%} of the "
        f"related posts the same, {identical / len(rows):.1%} of the lists identical, "
        f"summed score {got_total / best_total if best_total else 1:.4f} of the best"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check", type=int, default=300, metavar="N")
    parser.add_argument("--jieba", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    docs = load(args.corpus)
    size = sum(len(d.body.encode()) for d in docs)
    print(f"{len(docs)} posts, {size / 1e6:.1f} MB of Markdown")
    walls, cpus = [], []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        for doc in docs:
            doc.terms = None
            related.terms_of(doc)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    extraction = statistics.median(walls)
    print(
        f"term extraction (bigrams): median {extraction:.2f} s wall, "
        f"{statistics.median(cpus):.2f} s CPU, {size / 1e6 / extraction:.1f} MB/s"
    )
    times, cpu = [], []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = related.related_posts(docs)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(
        f"ranking: median {statistics.median(times):.3f} s wall, "
        f"{statistics.median(cpu):.3f} s CPU, of {args.runs} runs "
        f"({', '.join(f'{c:.3f}' for c in cpu)} s CPU)"
    )
    listed = sum(len(v) for v in result.values())
    print(f"{listed} related links, {listed / len(docs):.2f} per post")
    if args.check:
        check(docs, result, args.check)
    if args.jieba:
        time_jieba(docs[: args.jieba])


if __name__ == "__main__":
    main(sys.argv[1:])

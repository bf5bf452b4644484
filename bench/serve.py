#!/usr/bin/env python3
"""How long `inkstone serve` takes from saving a post to the browser showing the edit.

Usage: python bench/serve.py [--size 1000] [--edits 20] [--pause 200,3000] [--work DIR]

Generates a corpus with ../shared/bench/gen_corpus.py, starts the dev server on it (in this
process, on 127.0.0.1), opens one post in headless Chromium, then edits that post EDITS
times, PAUSE milliseconds after the previous edit showed. Each edit is timed from the write
of the file to the moment the browser, told by the server, requests the page again (it
reloads), and to the moment the reloaded page shows the new text (which adds the browser's
own work: fetching, parsing and laying out a math-heavy page). Prints the median, min and
max, and the median time of the preview (the edited page alone), of the full rebuilds that
ran to the end (a newer edit stops one still running) and of the refreshes of the search
index that followed them."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from inkstone.build import BuildOptions
from inkstone.errors import BuildReport
from inkstone.serve import DevServer, LiveSite

REPO = Path(__file__).resolve().parents[1]
GEN_CORPUS = REPO.parent / "shared" / "bench" / "gen_corpus.py"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> int:
    """Run the benchmark and print one Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument(
        "--pause",
        default=[200],
        type=lambda s: [int(x) for x in s.split(",") if x.strip()],
        help="milliseconds between one edit shown and the next; several (200,3000) give a row each",
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="inkstone-serve-bench-"))
    corpus = work / f"corpus-{args.size}"
    if not corpus.is_dir():
        subprocess.run([sys.executable, str(GEN_CORPUS), str(corpus), str(args.size)], check=True)
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(corpus, site)
    post = sorted(site.glob("p00001-*.md"))[0]
    slug = next(
        line.split(":", 1)[1].strip()
        for line in post.read_text().splitlines()
        if line.startswith("slug:")
    )

    live = LiveSite(site, BuildOptions(out_dir=work / "public", base_url="/", drafts=True))
    server = DevServer(live, "127.0.0.1", 0)
    live.options.base_url = f"http://127.0.0.1:{server.port}/"
    started = time.perf_counter()
    first = live.rebuild()
    print(f"first build: {time.perf_counter() - started:.1f} s, {first.pages_written} pages")
    previews: list[float] = []
    rebuilds: list[float] = []
    searches: list[float] = []

    def on_rebuild(report: BuildReport) -> None:
        if report.search_refresh:
            searches.append(report.seconds)
        else:
            (previews if report.preview else rebuilds).append(report.seconds)

    server.start(on_rebuild)
    rows: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
            )
            page = browser.new_page()
            page_url = f"http://127.0.0.1:{server.port}/{slug}/"
            page.goto(page_url)
            page.wait_for_timeout(500)
            asked: list[float] = []
            page.on(
                "request",
                lambda r: asked.append(time.perf_counter()) if r.url == page_url else None,
            )
            text = post.read_text(encoding="utf-8")
            for pause in args.pause:
                previews.clear()
                rebuilds.clear()
                searches.clear()
                reloads: list[float] = []
                starts: list[float] = []
                for n in range(args.edits):
                    marker = f"EDIT-MARKER-{pause}-{n}-{time.time_ns()}"
                    asked.clear()
                    begin = time.perf_counter()
                    post.write_text(text + f"\n\n{marker}\n", encoding="utf-8")
                    page.wait_for_function(
                        f"() => document.body && document.body.innerText.includes('{marker}')",
                        timeout=60_000,
                        polling="raf",
                    )
                    reloads.append(time.perf_counter() - begin)
                    starts.append(asked[0] - begin if asked else float("nan"))
                    page.wait_for_timeout(pause)
                ms = [1000 * r for r in reloads]
                rows.append(
                    f"| {args.size:,} | {len(ms)} | {pause} | {_median_ms(starts)} "
                    f"| {statistics.median(ms):.0f} | {min(ms):.0f} / {max(ms):.0f} "
                    f"| {_median_ms(previews)} | {len(rebuilds)} | {_median_ms(rebuilds)} "
                    f"| {len(searches)} | {_median_ms(searches)} |"
                )
            browser.close()
    finally:
        server.stop()
    print()
    print(
        "| corpus (posts) | edits | pause (ms) | edit → browser reloads, median (ms) "
        "| edit → page shows it, median (ms) | min / max (ms) | preview, median (ms) "
        "| full rebuilds completed | full rebuild, median (ms) "
        "| search index refreshes completed | refresh, median (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


def _median_ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f}" if seconds else "—"


if __name__ == "__main__":
    raise SystemExit(main())

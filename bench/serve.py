#!/usr/bin/env python3
"""How long `inkstone serve` takes from saving a post to the browser showing the edit.

Usage: python bench/serve.py [--size 1000] [--edits 20] [--work DIR]

Generates a corpus with ../shared/bench/gen_corpus.py, starts the dev server on it (in this
process, on 127.0.0.1), opens one post in headless Chromium, then edits that post EDITS
times. Each edit is timed from the write of the file to the moment the page, reloaded by
the server's event, shows the new text. Prints the median, min and max, and the median
time of the rebuild itself.
"""

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
    rebuilds: list[float] = []

    def on_rebuild(report: BuildReport) -> None:
        rebuilds.append(report.seconds)

    server.start(on_rebuild)
    reloads: list[float] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.port}/{slug}/")
            page.wait_for_timeout(500)
            text = post.read_text(encoding="utf-8")
            for n in range(args.edits):
                marker = f"EDIT-MARKER-{n}-{time.time_ns()}"
                begin = time.perf_counter()
                post.write_text(text + f"\n\n{marker}\n", encoding="utf-8")
                page.wait_for_function(
                    f"() => document.body && document.body.innerText.includes('{marker}')",
                    timeout=60_000,
                    polling="raf",
                )
                reloads.append(time.perf_counter() - begin)
                page.wait_for_timeout(200)
            browser.close()
    finally:
        server.stop()
    ms = [1000 * r for r in reloads]
    print()
    print(
        "| corpus (posts) | edits | edit → page shows it, median (ms) | min / max (ms) "
        "| rebuild alone, median (ms) |"
    )
    print("|---|---|---|---|---|")
    rebuild_ms = statistics.median(1000 * r for r in rebuilds) if rebuilds else float("nan")
    print(
        f"| {args.size:,} | {len(ms)} | {statistics.median(ms):.0f} | "
        f"{min(ms):.0f} / {max(ms):.0f} | {rebuild_ms:.0f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

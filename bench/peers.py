"""Side-by-side cold-build benchmark: inkstone beside Hugo, Hexo, Pelican and MkDocs Material.

Run from the repository root::

    python bench/peers.py --sizes 1000 --runs 3 [--tools inkstone,hugo,...] [--work DIR]
        [--modes math,plain] [--inkstone-jobs all,1] [--warm N]

Every tool builds the same generated corpus (``../shared/bench/gen_corpus.py``, relative to
the repository root) into equivalent pages (one page per post, a home page paginated by 10,
tag and category pages where the tool has them, a 404 page), once with plain Markdown and
once with math, typeset at build time where the tool can do that. Each timed run is cold:
the output and every build cache of the tool are moved out of the way first (and deleted
when the benchmark ends), and the cases take turns: run 1 of each, then run 2, and so on.
For each tool and mode the script records the median wall time, the peak RSS of the whole
process tree, the HTML pages written and, for the math modes, how many of the corpus's
formulas did not come out typeset (see ``bench/README.md``, "Peers"). With ``--warm N``
each case is built N times more after its last cold run, with its caches (and output) kept
and nothing changed, in a second table. Peers are
installed into the work folder (npm and pip, pinned below); a peer that cannot be installed
is reported and skipped. The table goes to stdout, progress to stderr."""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml
from build import (
    REPO,
    Hugo,
    corpus,
    html_pages,
    hugo_site,
    inkstone_command,
    install_hugo,
    log,
    remove,
)

TOOLS = ("inkstone", "hugo", "hexo", "pelican", "mkdocs")
"""Every tool this script knows, in table order."""

HEXO_PACKAGES = {
    "hexo": "8.1.2",
    "hexo-renderer-ejs": "2.0.0",
    "hexo-renderer-marked": "7.0.1",
    "hexo-renderer-markdown-it": "7.1.1",
    "@renbaoshuo/markdown-it-katex": "2.0.2",
    "katex": "0.19.1",
    "hexo-generator-index": "4.0.0",
    "hexo-generator-tag": "2.0.0",
    "hexo-generator-category": "2.0.0",
}
"""npm packages for Hexo, pinned; installed into ``WORK/hexo/node_modules``. KaTeX is the
version inkstone ships (see the repository's ``package.json``)."""

PELICAN_PACKAGES = [
    "pelican==4.12.0",
    "Markdown==3.11.3",
    "pelican-katex==1.8.9",
    "pelican-render-math==1.0.5",
]
"""pip packages for Pelican, pinned; installed into ``WORK/pelican-venv``."""

MKDOCS_PACKAGES = ["mkdocs==1.6.1", "mkdocs-material==9.8.1", "pymdown-extensions==13.1"]
"""pip packages for MkDocs Material, pinned; installed into ``WORK/mkdocs-venv``."""

SAMPLE_SECONDS = 0.1
"""How often the process tree's RSS is sampled from ``/proc``."""

PAGE_SIZE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


# --------------------------------------------------------------------------- measuring


def tree_rss_kib(root: int) -> int:
    """Sum of the resident set sizes of ``root`` and all its descendants, from ``/proc``.

    A child that still shares its parent's memory is left out: one started with
    ``vfork`` (as Python's ``subprocess`` starts programs) runs in its parent's
    address space until it calls ``exec``, and ``/proc`` gives it its parent's size and
    resident set. Counted, a sample taken in that moment (under a millisecond) doubles the
    parent: a 600 MiB process starting 300 programs showed such a child at 614 MiB.
    inkstone's tree, whose main process (about 600 MiB by then) starts Pagefind 32 times
    at 10,000 posts, peaked at 1,195 and 1,319 MiB in two runs of seven, about that main
    process counted twice, and at 886–918 MiB in the other five."""
    parents: dict[int, int] = {}
    memory: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])  # field 4, ppid
        # field 23, virtual size in bytes; field 24, rss in pages
        memory[pid] = (int(fields[20]), int(fields[21]) * PAGE_SIZE_KIB)
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid == root or memory.get(pid) != memory.get(parents[pid]):
            total += memory.get(pid, (0, 0))[1]
        todo.extend(children.get(pid, ()))
    return total


@dataclass
class Run:
    """One timed, cold build."""

    seconds: float
    rss_kib: int
    """Peak RSS of the process tree: the largest ``/proc`` sample of the summed tree, and
    never less than the direct child's own ``ru_maxrss`` from :func:`os.wait4`."""
    wait4_kib: int
    """``ru_maxrss`` of the direct child from :func:`os.wait4` (its own peak, or that of
    its largest reaped descendant, whichever is larger: a lower bound for a tree)."""
    cpu_seconds: float
    """User plus system CPU time of the child and the descendants it reaped
    (:func:`os.wait4`): less sensitive than wall time to other work on the machine."""
    returncode: int
    output: str


def run_measured(
    cmd: Sequence[str | os.PathLike[str]],
    log_file: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """Run ``cmd`` to completion: wall time, peak RSS of its process tree, exit code, output."""
    full_env = {**os.environ, "COLUMNS": "300", "NO_COLOR": "1", **(env or {})}
    peak = 0
    done = threading.Event()
    with log_file.open("wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [os.fspath(c) for c in cmd],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=full_env,
            start_new_session=True,
        )

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss_kib(proc.pid))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
        except BaseException:
            os.killpg(proc.pid, signal.SIGTERM)  # the child and any workers it started
            proc.wait()
            raise
        finally:
            done.set()
            sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen quiet
    output = log_file.read_text(encoding="utf-8", errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, max(peak, usage.ru_maxrss), usage.ru_maxrss, cpu, proc.returncode, output)


# --------------------------------------------------------------------------- corpus


@dataclass
class Post:
    """One corpus post: its front matter, body, and the formulas in it."""

    name: str
    """File name stem (the slug)."""
    meta: dict[str, Any]
    body: str
    formulas: list[str]
    """TeX source of each formula, whitespace-normalised, in order."""

    @property
    def date(self) -> datetime:
        """Publication date, time-zone aware."""
        value: datetime = self.meta["date"]
        return value if value.tzinfo else value.replace(tzinfo=UTC)


DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE = re.compile(r"\$([^$\n]+?)\$")


def squash(text: str) -> str:
    """Whitespace runs to one space, ends stripped: the form formulas are compared in."""
    return " ".join(text.split())


def formulas_of(body: str) -> list[str]:
    """Every ``$$…$$`` and ``$…$`` formula in a corpus body (it has no other delimiters)."""
    found = [squash(m[1]) for m in DISPLAY.finditer(body)]
    rest = DISPLAY.sub(" ", body)
    found += [squash(m[1]) for m in INLINE.finditer(rest)]
    return found


def read_posts(source: Path) -> list[Post]:
    """Every post of a generated corpus."""
    posts = []
    for md in sorted(source.glob("*.md")):
        text = md.read_text(encoding="utf-8")
        _, head, body = text.split("---\n", 2)
        meta = yaml.safe_load(head)
        posts.append(Post(md.stem, meta, body, formulas_of(body)))
    return posts


def derived_corpus(work: Path, name: str, write: Callable[[Path], None]) -> Path:
    """A folder ``WORK/name`` made once by ``write`` and reused (a ``.done`` file beside it)."""
    target = work / name
    done = work / f"{name}.done"
    if not (done.exists() and target.is_dir()):
        remove(target)
        target.mkdir(parents=True)
        write(target)
        done.touch()
    return target


def no_math_corpus(work: Path, size: int, source: Path) -> Path:
    """The corpus with every formula delimiter escaped, for inkstone's plain build.

    inkstone has no switch to turn math off, so its plain build reads a copy in which ``$``
    is written ``\\$`` and ``\\begin{`` is written ``\\\\begin{``: the formulas stay in the
    text as Markdown, as they do in the peers' plain builds.
    """

    def write(target: Path) -> None:
        for md in sorted(source.glob("*.md")):
            _, head, body = md.read_text(encoding="utf-8").split("---\n", 2)
            body = body.replace("$", "\\$").replace("\\begin{", "\\\\begin{")
            (target / md.name).write_text(f"---\n{head}---\n{body}", encoding="utf-8")

    return derived_corpus(work, f"corpus-{size}-nomath", write)


def no_search_corpus(work: Path, source: Path) -> Path:
    """``source`` as a site whose ``site.toml`` says ``search = false``: inkstone building
    the pages and no search index, the work Hugo + ToMath does. The zero-config build's
    other settings are kept: the posts in ``content/posts/``, at ``/<slug>/``. They are hard
    links (copies where the file system has none), so the corpus is not stored twice."""

    def write(target: Path) -> None:
        posts = target / "content" / "posts"
        posts.mkdir(parents=True)
        for md in sorted(source.glob("*.md")):
            try:
                os.link(md, posts / md.name)
            except OSError:
                shutil.copy2(md, posts / md.name)
        settings = 'search = false\npermalink = "/{slug}/"\n'
        (target / "site.toml").write_text(settings, encoding="utf-8")

    return derived_corpus(work, f"{source.name}-nosearch", write)


# --------------------------------------------------------------------------- formulas


ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
MATHML = re.compile(r"<math\b.*?</math>", re.S)
TAG = re.compile(r"<[^>]+>")
ERROR_MARK = re.compile(r'class="[^"]*\b(?:katex-error|math-error)\b')


@dataclass
class Damage:
    """How the formulas of the post pages came out."""

    checked: int = 0
    """Formulas in the posts whose page was written."""
    not_typeset: int = 0
    """Formulas with no KaTeX rendering of exactly their source on their page."""
    mangled: int = 0
    """Of those, formulas whose source is not in the page's visible text verbatim either."""
    errors: int = 0
    """``katex-error`` / ``math-error`` markers in the post pages."""
    missing_pages: int = 0


def check_formulas(posts: list[Post], page_of: Callable[[Post], Path]) -> Damage:
    """Compare each published post's formulas with what its built page holds.

    A formula counts as typeset when the page has a KaTeX ``<annotation
    encoding="application/x-tex">`` whose text is the formula's source (whitespace
    normalised): KaTeX writes the source it was given there, so an annotation that differs
    means Markdown changed the formula before KaTeX saw it. Every other formula is not
    typeset; it is mangled when its source is not in the page's visible text either (tags
    stripped, entities decoded, KaTeX's MathML and annotations removed), so that no
    client-side script could typeset it as written.
    """
    damage = Damage()
    now = datetime.now(UTC)
    for post in posts:
        if post.date > now:
            continue
        page = page_of(post)
        if not page.is_file():
            damage.missing_pages += 1
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        damage.errors += len(ERROR_MARK.findall(text))
        typeset = Counter(squash(html.unescape(a)) for a in ANNOTATION.findall(text))
        visible = None
        for source, wanted in Counter(post.formulas).items():
            damage.checked += wanted
            missing = max(0, wanted - typeset.get(source, 0))
            if not missing:
                continue
            damage.not_typeset += missing
            if visible is None:
                stripped = MATHML.sub(" ", SCRIPT_STYLE.sub(" ", text))
                visible = squash(html.unescape(TAG.sub("", stripped)))
            damage.mangled += max(0, missing - visible.count(source))
    return damage


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    """One tool in one mode: how to build it cold and where its post pages land."""

    tool: str
    mode: str
    """``plain`` or ``math``."""
    label: str
    math: str
    """How math is handled, for the table."""
    cmd: list[str | os.PathLike[str]]
    out: Path
    page_of: Callable[[Path, Post], Path]
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    clean: list[Path] = field(default_factory=list)
    """Caches deleted before every run, besides ``out``."""
    pages: int | None = None
    damage: Damage | None = None
    runs: list[Run] = field(default_factory=list)
    warm_runs: list[Run] = field(default_factory=list)
    """Runs right after the cold ones, with the tool's caches (and output) left in place."""
    notes: list[str] = field(default_factory=list)
    ok: Callable[[Run], str | None] = lambda run: None
    """Extra check of a finished run: a problem to note, or ``None``."""
    search: bool = False
    """Whether the build makes a full-text search index (inkstone's default, Hugo +
    Pagefind): the "same work" ratio compares builds that agree on it."""

    @property
    def times(self) -> list[float]:
        """Wall times of the successful runs."""
        return [r.seconds for r in self.runs if r.returncode == 0]

    @property
    def median(self) -> float | None:
        """Median wall time, or ``None`` when no run succeeded."""
        return statistics.median(self.times) if self.times else None

    @property
    def cpu_median(self) -> float | None:
        """Median CPU time (user + system) of the successful runs."""
        cpu = [r.cpu_seconds for r in self.runs if r.returncode == 0]
        return statistics.median(cpu) if cpu else None

    @property
    def warm_median(self) -> float | None:
        """Median wall time of the successful warm runs."""
        times = [r.seconds for r in self.warm_runs if r.returncode == 0]
        return statistics.median(times) if times else None

    @property
    def peak_rss_mib(self) -> float | None:
        """Largest peak tree RSS over the successful runs, in MiB."""
        rss = [r.rss_kib for r in self.runs if r.returncode == 0]
        return max(rss) / 1024 if rss else None


def slug_page(out: Path, post: Post) -> Path:
    """``OUT/<slug>/index.html``: where every tool here writes a post."""
    return out / post.name / "index.html"


@dataclass
class Inkstone:
    """The inkstone that is measured."""

    cmd: list[str]
    description: str
    """``working tree at <commit>`` (with ``+ uncommitted changes`` if dirty), or ``<commit>``."""
    env: dict[str, str] = field(default_factory=dict)


def interpreter() -> str:
    """The Python that runs inkstone here (this script's, which also makes the venv of
    ``--inkstone-ref``): version and compiler, as how it was built changes inkstone's speed."""
    return f"Python {platform.python_version()} ({platform.python_compiler()})"


def git(*args: str) -> str:
    """Output of a git command in the repository, stripped."""
    return subprocess.run(
        ["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def setup_inkstone(work: Path, ref: str | None) -> Inkstone | None:
    """The installed ``inkstone`` (``ref`` is ``None``), or ``ref`` exported with ``git archive``
    and installed into ``WORK/inkstone-<commit>/venv``, so that edits made to the work tree
    while the benchmark runs cannot change what is measured."""
    if ref is None:
        try:
            head = git("rev-parse", "--short", "HEAD")
            dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", "src"))
        except (OSError, subprocess.CalledProcessError):
            return Inkstone(inkstone_command(), "installed inkstone")
        suffix = " + uncommitted changes in src/" if dirty else ""
        return Inkstone(inkstone_command(), f"working tree at {head}{suffix}")
    try:
        sha = git("rev-parse", "--short", f"{ref}^{{commit}}")
    except subprocess.CalledProcessError as exc:
        log(f"inkstone: unknown ref {ref!r}: {exc.stderr.strip()}")
        return None
    root = work / f"inkstone-{sha}"
    tree, venv = root / "tree", root / "venv"
    script = venv / "bin" / "inkstone"
    katex = tree / "node_modules" / "katex" / "dist"
    done = root / "installed"
    try:
        if not done.exists():
            remove(root)
            tree.mkdir(parents=True)
            log(f"exporting inkstone {sha} and installing it into {venv} …")
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", sha], check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True)
            subprocess.run(
                [venv / "bin" / "python", "-m", "pip", "install", "--quiet", tree],
                check=True,
                capture_output=True,
                text=True,
            )
            if (tree / "package-lock.json").is_file():
                subprocess.run(
                    ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                    cwd=tree,
                    check=True,
                    capture_output=True,
                    text=True,
                )
            done.touch()
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        log(f"inkstone {sha}: could not be installed: {exc} {detail[-2000:]}")
        return None
    env = {"INKSTONE_KATEX_DIR": str(katex)} if (katex / "katex.min.js").is_file() else {}
    return Inkstone([str(script)], sha, env)


def inkstone_cases(ink: Inkstone, work: Path, size: int, source: Path) -> list[Case]:
    """inkstone, math and plain, with the default ``-j`` (one worker per core) and ``-j 1``,
    and with the default ``-j`` and no search index (:func:`no_search_corpus`)."""
    plain_source = no_math_corpus(work, size, source)
    cases = []
    for mode, corpus_of_mode in (("math", source), ("plain", plain_source)):
        for jobs, search in ((None, True), (1, True), (None, False)):
            src = corpus_of_mode if search else no_search_corpus(work, corpus_of_mode)
            out = work / f"out-inkstone-{size}-{mode}-j{jobs or 'all'}{'' if search else '-ns'}"
            cmd: list[str | os.PathLike[str]] = [*ink.cmd, "build", src, "-o", out]
            if jobs:
                cmd += ["-j", str(jobs)]
            j = f"-j {jobs}" if jobs else f"-j {os.cpu_count()}"
            cases.append(
                Case(
                    "inkstone",
                    mode,
                    f"inkstone {j}" + ("" if search else ", no search"),
                    "KaTeX at build time (built in)" if mode == "math" else "none (`$` escaped)",
                    cmd,
                    out,
                    slug_page,
                    env=ink.env,
                    clean=[src / ".inkstone-cache"],
                    search=search,
                )
            )
    return cases


def hugo_cases(hugo: Hugo, work: Path, size: int, source: Path) -> list[Case]:
    """Hugo as in ``bench/build.py``: plain, and with ``transform.ToMath`` (passthrough)."""
    site = hugo_site(work, source, size)
    cases = []
    for mode in ("plain", "math"):
        out = work / f"out-hugo-{size}-{mode}"
        cache = work / "hugo-cache"
        config = "hugo.toml,math.toml" if mode == "math" else "hugo.toml"
        cmd: list[str | os.PathLike[str]] = [
            hugo.binary, "--source", site, "--config", config, "--destination", out,
            "--cleanDestinationDir", "--cacheDir", cache,
        ]  # fmt: skip
        case = Case(
            "hugo",
            mode,
            "Hugo",
            "`transform.ToMath` (KaTeX) via passthrough" if mode == "math" else "none",
            cmd,
            out,
            slug_page,
            clean=[cache, site / "resources", site / ".hugo_build.lock"],
        )
        if mode == "math" and not hugo.supports_to_math:
            case.notes.append(f"{hugo.version}: no transform.ToMath (needs ≥ 0.141)")
            case.cmd = []
        cases.append(case)
    cases.append(hugo_with_search(cases[-1], work, size))
    return cases


def hugo_with_search(math: Case, work: Path, size: int) -> Case:
    """Hugo + ToMath followed by Pagefind on its output, as a Hugo site gets the search
    inkstone builds in (``hugo && pagefind --site public``): the same Pagefind (inkstone's
    ``pagefind[extended]``, which segments Chinese), the post pages only (their article is
    ``data-pagefind-body``) and KaTeX's markup left out of the index, as inkstone does."""
    out = work / f"out-hugo-{size}-math-search"
    case = Case(
        "hugo",
        "math",
        "Hugo + Pagefind",
        "`transform.ToMath` (KaTeX), then Pagefind over the posts",
        [],
        out,
        slug_page,
        clean=math.clean,
        notes=list(math.notes),
        search=True,
    )
    try:
        from pagefind.service import get_executable

        pagefind = get_executable()
    except ImportError:
        pagefind = None
    if pagefind is None:
        case.notes.append("no Pagefind program (`pip install 'pagefind[extended]'`)")
    elif math.cmd:
        hugo = [str(part) for part in math.cmd]
        hugo[hugo.index("--destination") + 1] = str(out)
        index = [str(pagefind), "--site", str(out), "--exclude-selectors", ".katex", "--quiet"]
        case.cmd = ["sh", "-c", f"{shlex.join(hugo)} && {shlex.join(index)}"]
    return case


# --------------------------------------------------------------------------- installs


def pip_venv(work: Path, name: str, packages: list[str], probe: str) -> Path | None:
    """A venv ``WORK/name`` holding ``packages``; its ``bin`` folder, or ``None`` (says why)."""
    venv = work / name
    bin_dir = venv / "bin"
    stamp = venv / "bench-packages.txt"
    wanted = "\n".join(packages)
    if stamp.is_file() and stamp.read_text() == wanted and (bin_dir / probe).exists():
        return bin_dir
    try:
        if not (bin_dir / "python").exists():
            log(f"creating {name} …")
            subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True)
        log(f"pip install {' '.join(packages)} …")
        subprocess.run(
            [bin_dir / "python", "-m", "pip", "install", "--quiet", *packages],
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or exc.stdout or "").strip()
        log(f"{name}: {' '.join(map(str, exc.cmd))} failed ({exc.returncode}): {detail[-2000:]}")
        return None
    except OSError as exc:
        log(f"{name}: could not be set up: {exc}")
        return None
    stamp.write_text(wanted)
    return bin_dir


def pip_version(bin_dir: Path, dist: str) -> str:
    """The installed version of ``dist`` in a venv."""
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    return subprocess.run(
        [bin_dir / "python", "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


HEXO_RUN_JS = """\
// Build the Hexo site in argv[2] with the hexo package's API (no hexo-cli).
'use strict';
const Hexo = require('hexo');
const hexo = new Hexo(process.argv[2], { silent: false });
hexo.init()
  .then(() => hexo.call('generate', {}))
  .then(() => hexo.exit())
  .catch(err => hexo.exit(err).then(() => { process.exitCode = 1; }));
"""


def install_hexo(work: Path) -> Path | None:
    """``npm install`` the pinned Hexo packages into ``WORK/hexo``; that folder, or ``None``."""
    root = work / "hexo"
    manifest = {"name": "inkstone-bench-hexo", "private": True, "dependencies": HEXO_PACKAGES}
    text = json.dumps(manifest, indent=2) + "\n"
    stamp = root / "node_modules" / ".bench-installed"
    root.mkdir(parents=True, exist_ok=True)
    (root / "run.js").write_text(HEXO_RUN_JS, encoding="utf-8")
    if stamp.is_file() and stamp.read_text() == text:
        return root
    if not shutil.which("npm") or not shutil.which("node"):
        log("Hexo: node/npm not found; skipping Hexo")
        return None
    (root / "package.json").write_text(text, encoding="utf-8")
    log("npm install (Hexo) …")
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not (root / "node_modules" / "hexo").is_dir():
        log(f"Hexo: npm install failed ({proc.returncode}): {(proc.stderr or proc.stdout)[-2000:]}")
        return None
    stamp.write_text(text)
    return root


# --------------------------------------------------------------------------- Hexo

HEXO_CONFIG = """\
title: bench
url: https://example.org
root: /
permalink: :title/
language: zh-CN
source_dir: source
public_dir: public
tag_dir: tags
category_dir: categories
pagination_dir: page
new_post_name: :title.md
theme: bench
future: false
render_drafts: false
per_page: 10
index_generator:
  path: ''
  per_page: 10
  order_by: -date
tag_generator:
  per_page: 10
category_generator:
  per_page: 10
syntax_highlighter: highlight.js
highlight:
  line_number: false
  auto_detect: false
"""

HEXO_MATH_CONFIG = """\
markdown:
  preset: default
  render:
    html: true
    breaks: false
    linkify: true
    typographer: false
  plugins:
    - name: '@renbaoshuo/markdown-it-katex'
      options:
        output: htmlAndMathml
        throwOnError: false
        strict: ignore
"""

HEXO_ENTRIES = """\
<h1><%= page.tag || page.category || config.title %></h1>
<ol>
<% page.posts.each(function (post) { %>
<li>
<h2><a href="<%- url_for(post.path) %>"><%= post.title %></a></h2>
<p><time><%= date(post.date, 'YYYY-MM-DD') %></time>
<% post.tags.each(function (t) { %><a href="<%- url_for(t.path) %>"><%= t.name %></a> <% }) %></p>
<div><%= truncate(strip_html(post.content), {length: 160}) %></div>
</li>
<% }) %>
</ol>
<%- paginator() %>
"""

HEXO_LAYOUTS = {
    "layout.ejs": """\
<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8">
<title><%= page.title ? page.title + ' · ' : '' %><%= config.title %></title></head>
<body>
<header><a href="<%- url_for('/') %>"><%= config.title %></a></header>
<main><%- body %></main>
</body>
</html>
""",
    "post.ejs": """\
<article>
<h1><%= page.title %></h1>
<p><time datetime="<%= page.date.toISOString() %>"><%= date(page.date, 'YYYY-MM-DD') %></time>
<% page.tags.each(function (t) { %><a href="<%- url_for(t.path) %>"><%= t.name %></a> <% }) %>
<% page.categories.each(function (c) { %><a href="<%- url_for(c.path) %>"><%= c.name %></a> <% }) %>
</p>
<%- page.content %>
</article>
""",
    "index.ejs": HEXO_ENTRIES,
    "tag.ejs": HEXO_ENTRIES,
    "category.ejs": HEXO_ENTRIES,
    "tags.ejs": """\
<h1>Tags</h1>
<ul><% site.tags.sort('name').each(function (t) { %>
<li><a href="<%- url_for(t.path) %>"><%= t.name %></a> (<%= t.length %>)</li>
<% }) %></ul>
""",
    "categories.ejs": """\
<h1>Categories</h1>
<ul><% site.categories.sort('name').each(function (c) { %>
<li><a href="<%- url_for(c.path) %>"><%= c.name %></a> (<%= c.length %>)</li>
<% }) %></ul>
""",
    "404.ejs": "<h1>404</h1><p>Not found.</p>\n",
}

HEXO_SCRIPT = """\
/* global hexo */
// Term index pages and a 404 page, as the other tools write them.
'use strict';
hexo.extend.generator.register('bench_pages', function () {
  return [
    { path: 'tags/index.html', layout: ['tags'], data: { title: 'Tags' } },
    { path: 'categories/index.html', layout: ['categories'], data: { title: 'Categories' } },
    { path: '404.html', layout: ['404'], data: { title: '404' } },
  ];
});
"""


def hexo_cases(hexo_root: Path, work: Path, size: int, source: Path) -> list[Case]:
    """Hexo with ``hexo-renderer-marked`` (plain) and with ``hexo-renderer-markdown-it`` plus
    ``@renbaoshuo/markdown-it-katex`` (math): two sites over one copy of the corpus."""
    cases = []
    node = shutil.which("node") or "node"
    for mode in ("plain", "math"):
        site = work / f"hexo-site-{size}-{mode}"
        posts_dir = site / "source" / "_posts"
        done = work / f"hexo-site-{size}-{mode}.done"
        if not (done.exists() and posts_dir.is_dir()):
            remove(site)
            posts_dir.mkdir(parents=True)
            for md in sorted(source.glob("*.md")):
                shutil.copyfile(md, posts_dir / md.name)
            done.touch()
        renderer = "hexo-renderer-markdown-it" if mode == "math" else "hexo-renderer-marked"
        deps = ["hexo", "hexo-renderer-ejs", renderer]
        deps += ["hexo-generator-index", "hexo-generator-tag", "hexo-generator-category"]
        manifest = {
            "name": "bench-site",
            "private": True,
            "hexo": {"version": HEXO_PACKAGES["hexo"]},
            "dependencies": {name: HEXO_PACKAGES[name] for name in deps},
        }
        (site / "package.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        link = site / "node_modules"
        if not link.is_symlink():
            remove(link)
            link.symlink_to(hexo_root / "node_modules")
        config = HEXO_CONFIG + (HEXO_MATH_CONFIG if mode == "math" else "")
        (site / "_config.yml").write_text(config, encoding="utf-8")
        for rel, text in HEXO_LAYOUTS.items():
            path = site / "themes" / "bench" / "layout" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (site / "scripts").mkdir(exist_ok=True)
        (site / "scripts" / "bench.js").write_text(HEXO_SCRIPT, encoding="utf-8")
        out = site / "public"
        math = "`@renbaoshuo/markdown-it-katex` (KaTeX at build time)"
        cases.append(
            Case(
                "hexo",
                mode,
                "Hexo",
                math if mode == "math" else "none (`hexo-renderer-marked`)",
                [node, hexo_root / "run.js", site],
                out,
                slug_page,
                cwd=site,
                clean=[site / "db.json", site / ".hexo-cache"],
                ok=hexo_ok,
            )
        )
    return cases


def hexo_ok(run: Run) -> str | None:
    """Hexo exits 0 even when a plugin failed to load or a page failed to render."""
    bad = [line for line in run.output.splitlines() if re.search(r"\b(ERROR|FATAL)\b", line)]
    return f"{len(bad)} errors in log" if bad else None


# --------------------------------------------------------------------------- Pelican

PELICAN_CONFIG = """\
SITENAME = "bench"
SITEURL = ""
PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = []
STATIC_PATHS = []
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
THEME = "theme"
WITH_FUTURE_DATES = False
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
CATEGORY_URL = "categories/{slug}/"
CATEGORY_SAVE_AS = "categories/{slug}/index.html"
CATEGORIES_SAVE_AS = "categories/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "categories"]
TEMPLATE_PAGES = {"extra/404.html": "404.html"}
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TAG_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
DELETE_OUTPUT_DIRECTORY = True
"""

PELICAN_MODES = {
    "plain": "PLUGINS = []\n",
    "math": (
        'PLUGINS = ["pelican_katex"]\n'
        'KATEX = {"output": "htmlAndMathml", "throwOnError": False, "strict": "ignore"}\n'
        "KATEX_RENDER_TIMEOUT = 60.0\n"
        "KATEX_STARTUP_TIMEOUT = 30.0\n"
    ),
    "client": 'PLUGINS = ["pelican.plugins.render_math"]\n',
}

PELICAN_LIST = """\
{% extends "base.html" %}
{% block content %}
<h1>{{ tag or category or SITENAME }}</h1>
<ol>
{% for article in articles_page.object_list %}
<li>
<h2><a href="{{ SITEURL }}/{{ article.url }}">{{ article.title }}</a></h2>
<p><time>{{ article.date.strftime("%Y-%m-%d") }}</time>
{% for t in article.tags %}<a href="{{ SITEURL }}/{{ t.url }}">{{ t }}</a> {% endfor %}</p>
<div>{{ article.summary }}</div>
</li>
{% endfor %}
</ol>
{% if articles_page.has_other_pages() %}<nav>
{% if articles_page.has_previous() %}
<a rel="prev" href="{{ SITEURL }}/{{ articles_previous_page.url }}">← Newer</a>{% endif %}
{{ articles_page.number }} / {{ articles_paginator.num_pages }}
{% if articles_page.has_next() %}
<a rel="next" href="{{ SITEURL }}/{{ articles_next_page.url }}">Older →</a>{% endif %}
</nav>{% endif %}
{% endblock %}
"""

PELICAN_TEMPLATES = {
    "base.html": """\
<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title></head>
<body>
<header><a href="{{ SITEURL }}/">{{ SITENAME }}</a></header>
<main>{% block content %}{% endblock %}</main>
</body>
</html>
""",
    "article.html": """\
{% extends "base.html" %}
{% block title %}{{ article.title|striptags }} · {{ SITENAME }}{% endblock %}
{% block content %}
<article>
<h1>{{ article.title }}</h1>
<p><time datetime="{{ article.date.isoformat() }}">{{ article.date.strftime("%Y-%m-%d") }}</time>
{% for t in article.tags %}<a href="{{ SITEURL }}/{{ t.url }}">{{ t }}</a> {% endfor %}
<a href="{{ SITEURL }}/{{ article.category.url }}">{{ article.category }}</a></p>
{{ article.content }}
</article>
{% endblock %}
""",
    "index.html": PELICAN_LIST,
    "tag.html": PELICAN_LIST,
    "category.html": PELICAN_LIST,
    "tags.html": """\
{% extends "base.html" %}
{% block content %}<h1>Tags</h1><ul>
{% for tag, articles in tags|sort %}
<li><a href="{{ SITEURL }}/{{ tag.url }}">{{ tag }}</a> ({{ articles|count }})</li>
{% endfor %}</ul>{% endblock %}
""",
    "categories.html": """\
{% extends "base.html" %}
{% block content %}<h1>Categories</h1><ul>
{% for category, articles in categories %}
<li><a href="{{ SITEURL }}/{{ category.url }}">{{ category }}</a> ({{ articles|count }})</li>
{% endfor %}</ul>{% endblock %}
""",
}

PELICAN_404 = '{% extends "base.html" %}{% block content %}<h1>404</h1>{% endblock %}\n'


def pelican_post(post: Post) -> str:
    """A corpus post in Pelican's Markdown metadata format (Pelican reads no YAML)."""
    meta = post.meta
    lines = [
        f"Title: {meta['title']}",
        f"Date: {post.date.isoformat()}",
        f"Modified: {meta['updated'].isoformat()}",
        f"Tags: {', '.join(meta['tags'])}",
        f"Category: {meta['categories'][0]}",
        f"Slug: {meta['slug']}",
    ]
    return "\n".join(lines) + "\n\n" + post.body


def pelican_cases(bin_dir: Path, work: Path, size: int, posts: list[Post]) -> list[Case]:
    """Pelican plain; with ``pelican-katex`` (KaTeX at build time, through a Node server it
    starts); and with ``pelican-render-math`` (MathJax in the browser): one site, three
    settings files."""
    site = work / f"pelican-site-{size}"
    posts_dir = site / "content" / "posts"
    done = work / f"pelican-site-{size}.done"
    if not (done.exists() and posts_dir.is_dir()):
        remove(site)
        posts_dir.mkdir(parents=True)
        for post in posts:
            (posts_dir / f"{post.name}.md").write_text(pelican_post(post), encoding="utf-8")
        done.touch()
    extra = site / "content" / "extra"
    extra.mkdir(exist_ok=True)
    (extra / "404.html").write_text(PELICAN_404, encoding="utf-8")
    for rel, text in PELICAN_TEMPLATES.items():
        path = site / "theme" / "templates" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    how = {
        "plain": "none",
        "math": "`pelican-katex` (KaTeX at build time, Node server)",
        "client": "`pelican-render-math` (MathJax in the browser; none at build time)",
    }
    cases = []
    for variant, settings in PELICAN_MODES.items():
        conf = site / f"pelicanconf-{variant}.py"
        conf.write_text(PELICAN_CONFIG + settings, encoding="utf-8")
        out = work / f"out-pelican-{size}-{variant}"
        cases.append(
            Case(
                "pelican",
                "plain" if variant == "plain" else "math",
                "Pelican" if variant != "client" else "Pelican (client-side)",
                how[variant],
                [bin_dir / "pelican", site / "content", "-s", conf, "-o", out],
                out,
                slug_page,
                cwd=site,
                clean=[site / "cache", site / "__pycache__"],
                ok=python_tool_ok,
            )
        )
    return cases


def python_tool_ok(run: Run) -> str | None:
    """Pelican and MkDocs log problems as ``ERROR``/``CRITICAL`` lines."""
    bad = [line for line in run.output.splitlines() if re.search(r"\b(ERROR|CRITICAL)\b", line)]
    return f"{len(bad)} errors in log" if bad else None


# --------------------------------------------------------------------------- MkDocs

MKDOCS_CONFIG = """\
site_name: bench
site_url: https://example.org/
use_directory_urls: true
theme:
  name: material
  language: zh
  font: false
plugins:
  - blog:
      blog_dir: .
      post_url_format: "{slug}"
      post_readtime: false
      draft_if_future_date: true
      archive: false
      authors: false
      categories: true
      categories_url_format: "categories/{slug}"
      categories_slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
      pagination_per_page: 10
  - tags
markdown_extensions:
  - tables
  - fenced_code
  - codehilite
"""

MKDOCS_MATH = """\
  - pymdownx.arithmatex:
      generic: true
extra_javascript:
  - https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js
"""


def mkdocs_post(post: Post) -> str:
    """A corpus post for Material's blog: the same front matter and body, with the excerpt
    separator ``<!-- more -->`` after the first block (without one, Material's blog lists
    every post in full on the index pages)."""
    head = yaml.safe_dump(post.meta, allow_unicode=True, sort_keys=False)
    first, _, rest = post.body.partition("\n\n")
    return f"---\n{head}---\n{first}\n\n<!-- more -->\n\n{rest}"


def mkdocs_cases(bin_dir: Path, work: Path, size: int, posts: list[Post]) -> list[Case]:
    """MkDocs with Material's blog and tags plugins; math with ``pymdownx.arithmatex``
    (generic mode: formulas kept for MathJax in the browser; none at build time)."""
    cases = []
    for mode in ("plain", "math"):
        site = work / f"mkdocs-site-{size}"
        posts_dir = site / "docs" / "posts"
        done = work / f"mkdocs-site-{size}.done"
        if not (done.exists() and posts_dir.is_dir()):
            remove(site)
            posts_dir.mkdir(parents=True)
            for post in posts:
                (posts_dir / f"{post.name}.md").write_text(mkdocs_post(post), encoding="utf-8")
            (site / "docs" / "index.md").write_text("# bench\n", encoding="utf-8")
            (site / "docs" / "tags.md").write_text(
                "# Tags\n\n<!-- material/tags -->\n", encoding="utf-8"
            )
            done.touch()
        conf = site / f"mkdocs-{mode}.yml"
        conf.write_text(MKDOCS_CONFIG + (MKDOCS_MATH if mode == "math" else ""), encoding="utf-8")
        out = work / f"out-mkdocs-{size}-{mode}"
        cases.append(
            Case(
                "mkdocs",
                mode,
                "MkDocs Material",
                "`pymdownx.arithmatex` (MathJax in the browser; none at build time)"
                if mode == "math"
                else "none",
                [bin_dir / "mkdocs", "build", "-q", "-f", conf, "-d", out],
                out,
                slug_page,
                cwd=site,
                clean=[site / ".cache"],
                ok=python_tool_ok,
            )
        )
    return cases


# --------------------------------------------------------------------------- running


class SetAside:
    """What a cold run must not find (the tool's output and caches from the run before),
    moved out of its way by renaming it into ``WORK/set-aside/``, and deleted only when the
    benchmark is over (:meth:`empty`). Deleting it right before the run, as ``rm -rf``
    would, slowed the run down: on ext4, a file made in the minutes after thousands were
    deleted costs more, as the file system passes over the freed inodes (a 1,000-post build
    writes some 4,000 files, a 10,000-post one 35,000). Whichever tool ran after the
    deletion paid for it, and each run of a tool more than the one before."""

    def __init__(self, work: Path) -> None:
        self.folder = work / "set-aside"

    def __call__(self, path: Path) -> None:
        """Move ``path`` out of the way, if it exists."""
        if not (path.exists() or path.is_symlink()):
            return
        self.folder.mkdir(exist_ok=True)
        place = Path(tempfile.mkdtemp(dir=self.folder))
        try:
            path.rename(place / path.name)
        except OSError:  # another file system: deleted after all
            remove(path)

    def empty(self) -> None:
        """Delete everything set aside."""
        remove(self.folder)


def bench_cases(
    cases: list[Case],
    work: Path,
    runs: int,
    posts: list[Post],
    size: int,
    set_aside: SetAside,
    warm: int = 0,
) -> None:
    """Build each case cold ``runs`` times, the cases taking turns (run 1 of every case,
    then run 2 …), so that a machine slowing down or speeding up during the benchmark
    weighs on every tool alike. Right after its last cold run, a case is built ``warm``
    times more with its caches kept (cases may share a cache folder, which the next case's
    cold run clears), and its pages are counted and its formulas checked."""
    ready = []
    for case in cases:
        if case.cmd:
            ready.append(case)
        else:
            log(f"{case.label} ({case.mode}): skipped: {'; '.join(case.notes)}")
    for n in range(1, runs + 1):
        for case in ready:
            cold_run(case, work, n, runs, size, set_aside)
            if n == runs:
                finish_case(case, work, posts, size, set_aside, warm)


def finish_case(
    case: Case, work: Path, posts: list[Post], size: int, set_aside: SetAside, warm: int
) -> None:
    """Right after the last cold run of ``case``: its ``warm`` runs, with its caches kept;
    then its pages counted and its formulas checked."""
    for n in range(1, warm + 1 if case.times else 1):
        run = run_measured(case.cmd, log_file(work, case, size, f"warm {n}"), case.cwd, case.env)
        case.warm_runs.append(run)
        log(
            f"{case.label} ({case.mode}, {size}): warm run {n}/{warm}: {run.seconds:.2f} s, "
            f"{run.cpu_seconds:.2f} s CPU, {run.rss_kib / 1024:.0f} MiB tree"
        )
    if case.times and case.out.is_dir():
        case.pages = len(html_pages(case.out))
        case.damage = check_formulas(posts, lambda post: case.page_of(case.out, post))
    for path in case.clean:
        set_aside(path)


def log_file(work: Path, case: Case, size: int, run: str) -> Path:
    """Where the output of ``run`` (``run 2``, ``warm 1``) of ``case`` goes:
    ``WORK/logs/<label>-<mode>-<size>-<run>.log``."""
    name = re.sub(r"[^a-z0-9]+", "-", f"{case.label} {case.mode} {size} {run}".lower())
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    return logs / f"{name.strip('-')}.log"


def cold_run(case: Case, work: Path, n: int, runs: int, size: int, set_aside: SetAside) -> None:
    """Run ``n`` of ``case``, cold: its output and caches set aside first."""
    set_aside(case.out)
    for path in case.clean:
        set_aside(path)
    os.sync()  # the runs before write nothing back to the disk during this one
    logged = log_file(work, case, size, f"run {n}")
    run = run_measured(case.cmd, logged, case.cwd, case.env)
    case.runs.append(run)
    if run.returncode != 0:
        tail = "\n".join(run.output.splitlines()[-10:])
        case.notes.append(f"run {n} exited {run.returncode}")
        log(f"{case.label} ({case.mode}) run {n} failed (exit {run.returncode}):\n{tail}")
        return
    problem = case.ok(run)
    if problem:
        case.notes.append(f"run {n}: {problem}")
        log(f"{case.label} ({case.mode}) run {n}: {problem}; see {logged}")
    log(
        f"{case.label} ({case.mode}, {size}): run {n}/{runs}: {run.seconds:.2f} s, "
        f"{run.cpu_seconds:.2f} s CPU, {run.rss_kib / 1024:.0f} MiB tree "
        f"({run.wait4_kib / 1024:.0f} MiB wait4)"
    )


def versions(
    hugo: Hugo | None, hexo: Path | None, pelican: Path | None, mkdocs: Path | None
) -> str:
    """One line per peer: the versions that ran."""
    lines = []
    if hugo:
        lines.append(hugo.version)
        with contextlib.suppress(PackageNotFoundError):
            lines.append(f"Pagefind {version('pagefind')} (after Hugo, in Hugo + Pagefind)")
    if hexo:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
        lines.append(
            f"Hexo {HEXO_PACKAGES['hexo']} on Node {node.strip()} (hexo-renderer-marked "
            f"{HEXO_PACKAGES['hexo-renderer-marked']}, hexo-renderer-markdown-it "
            f"{HEXO_PACKAGES['hexo-renderer-markdown-it']}, @renbaoshuo/markdown-it-katex "
            f"{HEXO_PACKAGES['@renbaoshuo/markdown-it-katex']}, KaTeX {HEXO_PACKAGES['katex']})"
        )
    if pelican:
        names = ["pelican", "Markdown", "pelican-katex", "pelican-render-math"]
        lines.append(", ".join(f"{n} {pip_version(pelican, n)}" for n in names))
    if mkdocs:
        names = ["mkdocs", "mkdocs-material", "pymdown-extensions", "Markdown"]
        lines.append(", ".join(f"{n} {pip_version(mkdocs, n)}" for n in names))
    return "\n".join(lines)


# --------------------------------------------------------------------------- report


def ratio(mine: float | None, theirs: float | None) -> str:
    """``mine / theirs`` as ``1.2×``, or ``—``."""
    if mine is None or not theirs:
        return "—"
    return f"{mine / theirs:.2f}×"


def damage_cell(case: Case) -> tuple[str, str]:
    """The "formulas damaged" and "mangled" cells."""
    d = case.damage
    if d is None:
        return "—", "—"
    mangled = f"{d.mangled:,}"
    if d.missing_pages:
        mangled += f" ({d.missing_pages} post pages missing)"
    if case.mode == "plain":
        return "— (plain)", mangled
    cell = f"{d.not_typeset:,} / {d.checked:,}"
    if d.errors:
        cell += f" ({d.errors:,} error marks)"
    return cell, mangled


def warm_table(cases: list[Case], size: int) -> str:
    """The warm runs of one corpus size: each tool again with its caches from the cold runs."""
    head = [
        "tool", "mode", "warm wall median (s)", "min / max (s)", "CPU median (s)",
        "peak RSS (MiB)", "inkstone -j N / tool", "same work / tool",
    ]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ours = {
        (c.mode, c.search): c.warm_median
        for c in cases
        if c.tool == "inkstone" and "-j 1" not in c.label
    }
    for c in cases:
        ok = [r for r in c.warm_runs if r.returncode == 0]
        if not ok:
            continue
        times = [r.seconds for r in ok]
        cpu = statistics.median(r.cpu_seconds for r in ok)
        cells = [
            c.label,
            c.mode,
            f"{statistics.median(times):.2f}",
            f"{min(times):.2f} / {max(times):.2f}",
            f"{cpu:.1f}",
            f"{max(r.rss_kib for r in ok) / 1024:.0f}",
            "—" if c.tool == "inkstone" else ratio(ours.get((c.mode, True)), c.warm_median),
            "—" if c.tool == "inkstone" else ratio(ours.get((c.mode, c.search)), c.warm_median),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return f"{size:,} posts, warm (caches kept, nothing changed):\n\n" + "\n".join(lines)


def table(cases: list[Case], size: int) -> str:
    """One Markdown table for one corpus size."""
    head = [
        "tool", "mode", "math", "wall median (s)", "min / max (s)", "CPU median (s)",
        "peak RSS (MiB)", "pages",
        "formulas damaged", "mangled", "inkstone -j N / tool", "inkstone -j 1 / tool",
        "same work / tool",
    ]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ours = {(c.mode, "-j 1" in c.label, c.search): c.median for c in cases if c.tool == "inkstone"}
    for c in cases:
        times = c.times
        damaged, mangled = damage_cell(c)
        if c.tool == "inkstone":
            ratios = ["—", "—", "—"]
        else:
            ratios = [ratio(ours.get((c.mode, jobs_1, True)), c.median) for jobs_1 in (False, True)]
            ratios.append(ratio(ours.get((c.mode, False, c.search)), c.median))
        cells = [
            c.label + (f" ({'; '.join(c.notes)})" if c.notes else ""),
            c.mode,
            c.math,
            f"{c.median:.2f}" if c.median is not None else "—",
            f"{min(times):.2f} / {max(times):.2f}" if times else "—",
            f"{c.cpu_median:.1f}" if c.cpu_median is not None else "—",
            f"{c.peak_rss_mib:.0f}" if c.peak_rss_mib is not None else "—",
            f"{c.pages:,}" if c.pages is not None else "—",
            damaged,
            mangled,
            *ratios,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return f"{size:,} posts:\n\n" + "\n".join(lines)


def round_ratios(cases: list[Case]) -> str:
    """inkstone's wall time over each peer's, round by round (the runs of one round follow
    each other, so a machine that slows down or speeds up weighs on both alike): how far
    the median ratio is from the noise. Empty with fewer than two rounds. A round in which
    either build failed is left out."""
    ours = {c.mode: c for c in cases if c.tool == "inkstone" and c.search and "-j 1" not in c.label}
    lines = []
    for c in cases:
        mine = ours.get(c.mode)
        if c.tool == "inkstone" or mine is None or len(c.runs) < 2:
            continue
        ratios = [
            f"{a.seconds / b.seconds:.2f}"
            for a, b in zip(mine.runs, c.runs, strict=False)
            if a.returncode == 0 and b.returncode == 0 and b.seconds > 0
        ]
        if ratios:
            lines.append(f"- {c.label} ({c.mode}): {', '.join(ratios)}")
    if not lines:
        return ""
    head = next(iter(ours.values())).label
    return f"{head} / tool, round by round:\n\n" + "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000",
        type=lambda s: [int(x) for x in s.split(",") if x.strip()],
        help="comma-separated corpus sizes in posts (default: 1000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="cold runs per case; median is shown")
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        type=lambda s: [x.strip().lower() for x in s.split(",") if x.strip()],
        help=f"comma-separated tools (default: {','.join(TOOLS)})",
    )
    parser.add_argument(
        "--inkstone-ref",
        metavar="REF",
        help="measure this commit (exported and installed into the work folder) instead of "
        "the installed inkstone",
    )
    parser.add_argument(
        "--modes",
        default="math,plain",
        type=lambda s: [x.strip().lower() for x in s.split(",") if x.strip()],
        help="comma-separated modes: math, plain (default: both)",
    )
    parser.add_argument(
        "--inkstone-jobs",
        default="all,1",
        type=lambda s: [x.strip().lower() for x in s.split(",") if x.strip()],
        help="inkstone's -j cases: all (one worker per core) and/or 1 (default: all,1)",
    )
    parser.add_argument(
        "--warm",
        type=int,
        default=0,
        metavar="N",
        help="after the cold runs, build each case N times more with its caches kept",
    )
    parser.add_argument("--work", type=Path, help="work folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep a temporary work folder")
    args = parser.parse_args(argv)
    if args.runs < 1 or not args.sizes or min(args.sizes) < 1:
        parser.error("--runs and every --sizes entry must be at least 1")
    unknown = sorted(set(args.tools) - set(TOOLS))
    if unknown:
        parser.error(f"unknown tools {unknown}; choose from {', '.join(TOOLS)}")
    return args


def _jobs_wanted(case: Case, args: argparse.Namespace) -> bool:
    """Whether ``--inkstone-jobs`` keeps this case (cases of other tools are always kept)."""
    if case.tool != "inkstone":
        return True
    return ("1" if "-j 1" in case.label else "all") in args.inkstone_jobs


def main(argv: Sequence[str] | None = None) -> int:
    """Install the peers, run every case, print the tables."""
    args = parse_args(argv)
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="inkstone-peers-")) if temporary else args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    log(f"work folder: {work}")
    load_at_start = os.getloadavg()
    tables: list[str] = []
    all_cases: list[Case] = []
    hugo = hexo = pelican = mkdocs = None
    ink = None
    set_aside = SetAside(work)
    try:
        if "inkstone" in args.tools:
            ink = setup_inkstone(work, args.inkstone_ref)
            if ink:
                log(f"inkstone: {ink.description}")
        if "hugo" in args.tools:
            hugo = install_hugo(work)
            if hugo is None:
                log("Hugo could not be installed; going on without it")
        if "hexo" in args.tools:
            hexo = install_hexo(work)
        if "pelican" in args.tools:
            pelican = pip_venv(work, "pelican-venv", PELICAN_PACKAGES, "pelican")
        if "mkdocs" in args.tools:
            mkdocs = pip_venv(work, "mkdocs-venv", MKDOCS_PACKAGES, "mkdocs")
        for size in args.sizes:
            source = corpus(work, size)
            posts = read_posts(source)
            cases: list[Case] = []
            if ink:
                cases += inkstone_cases(ink, work, size, source)
            if hugo:
                cases += hugo_cases(hugo, work, size, source)
            if hexo:
                cases += hexo_cases(hexo, work, size, source)
            if pelican:
                cases += pelican_cases(pelican, work, size, posts)
            if mkdocs:
                cases += mkdocs_cases(mkdocs, work, size, posts)
            cases = [c for c in cases if c.mode in args.modes and _jobs_wanted(c, args)]
            bench_cases(cases, work, args.runs, posts, size, set_aside, args.warm)
            cases.sort(key=lambda c: (TOOLS.index(c.tool), c.mode != "math"))
            tables.append(table(cases, size))
            if by_round := round_ratios(cases):
                tables.append(by_round)
            if args.warm:
                tables.append(warm_table(cases, size))
            all_cases += cases
        peer_versions = versions(hugo, hexo, pelican, mkdocs)
    finally:
        set_aside.empty()
        if temporary and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif temporary:
            log(f"kept {work}")
    print("\n\n".join(tables))
    end = os.getloadavg()
    print(
        f"\n{os.cpu_count()} CPUs; load average (1, 5, 15 min) at start "
        f"{', '.join(f'{x:.2f}' for x in load_at_start)}, at end "
        f"{', '.join(f'{x:.2f}' for x in end)}"
    )
    if ink:
        print(f"inkstone: {ink.description}, on {interpreter()}")
    if peer_versions:
        print(peer_versions)
    return 0 if all(c.times for c in all_cases if c.cmd) else 1


if __name__ == "__main__":
    sys.exit(main())

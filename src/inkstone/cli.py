"""The command line: arguments in, one call out."""

from __future__ import annotations

import gc
import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import click
from rich.console import Console
from rich.markup import escape

from inkstone import __version__
from inkstone.build import BuildOptions, build, clean, has_failed, summary_line
from inkstone.errors import BuildReport, Severity
from inkstone.scaffold import new_page, new_post, new_site

err = Console(stderr=True, highlight=False)


class _Commands(click.Group):
    """The program's commands, ``deploy`` and ``import`` imported only when asked for: a
    build does not load the deploy targets and the importers."""

    elsewhere: ClassVar[dict[str, tuple[str, str]]] = {
        "deploy": ("inkstone.deploy.cli", "deploy_command"),
        "import": ("inkstone.importers.cli", "import_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.elsewhere])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.elsewhere:
            module, name = self.elsewhere[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="inkstone")
def main() -> None:
    """inkstone: a static site generator for technical blogs full of math."""


@main.group()
def new() -> None:
    """Start a site, a post or a page."""


@new.command("site")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def new_site_command(directory: Path) -> None:
    """Scaffold a site in DIRECTORY (site.toml, a first post, an about page, static/)."""
    try:
        created = new_site(directory)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in created:
        click.echo(f"created {path}")
    click.echo(f"next: inkstone serve {directory}")


_SITE_OPTION = click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
)


def _report_created(make: Callable[[Path, str], Path], site_dir: Path, title: str) -> None:
    """Write a new source with ``make`` and say where; an existing file is an error."""
    try:
        path = make(site_dir, title)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {path}")


@new.command("post")
@click.argument("title")
@_SITE_OPTION
def new_post_command(title: str, site_dir: Path) -> None:
    """Write content/posts/<date>-<slug>.md with front matter filled in."""
    _report_created(new_post, site_dir, title)


@new.command("page")
@click.argument("title")
@_SITE_OPTION
def new_page_command(title: str, site_dir: Path) -> None:
    """Write content/<slug>.md, a standalone page such as an about page."""
    _report_created(new_page, site_dir, title)


def _build_options(func: click.decorators.FC) -> click.decorators.FC:
    """The options every building command takes; they arrive as BuildOptions fields."""
    path = click.Path(file_okay=False, path_type=Path)
    for option in reversed(
        [
            click.option(
                "-o", "--output", "out_dir", type=path, help="Output folder [DIR/public]."
            ),
            click.option("--drafts", is_flag=True, help="Include drafts and future posts."),
            click.option("--base-url", help="Override base_url from site.toml."),
            click.option("--strict", is_flag=True, help="Fail (exit 1) on any warning."),
            click.option(
                "-j",
                "--jobs",
                type=int,
                help="Processes at once: render workers, Pagefind runs [one per core].",
            ),
            click.option("--cache-dir", type=path, help="Cache folder [DIR/.inkstone-cache]."),
            click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        ]
    ):
        func = option(func)
    return func


@main.command("build")
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@_build_options
def build_command(site_dir: Path, **options: Any) -> None:
    """Build the site in SITE_DIR (default: the current folder)."""
    report = _run_build(site_dir, BuildOptions(**options))
    code = 1 if has_failed(report, options["strict"]) else 0
    if _program_exits_at_once:
        # the build's files are written and closed and its cache too: freeing its objects
        # one by one at interpreter exit would only add time (0.3 s for 1,000 posts)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


@main.command("serve")
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@_build_options
def serve_command(site_dir: Path, host: str, port: int, **options: Any) -> None:
    """Build SITE_DIR (drafts included), serve it at http://HOST:PORT/, rebuild on changes
    and reload open pages."""
    from inkstone.serve import serve

    build_options = BuildOptions(**options)
    build_options.base_url = build_options.base_url or f"http://{host}:{port}/"
    build_options.out_dir = build_options.out_dir or site_dir / "public"
    build_options.drafts = True
    serve(site_dir, build_options, host, port)


@main.command("clean")
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path))
def clean_command(site_dir: Path, out_dir: Path | None, cache_dir: Path | None) -> None:
    """Remove the persistent cache and the built site (only a folder inkstone made)."""
    for removed in clean(site_dir, out_dir, cache_dir):
        click.echo(f"removed {removed}")


_program_exits_at_once = False
"""Set by :func:`run`: the process is the ``inkstone`` program, not a caller of :func:`main`
(the tests) that goes on after the command."""


GC_THRESHOLDS = (10_000, 10, 10)
"""Python's cycle collector runs after this many new objects (default 700, 10, 10). A
build makes many objects that live to its end and few cycles: 1,000 posts, 0.34 s of CPU in
collections across the program and its workers instead of 0.87 s, the same peak memory."""


def run() -> None:
    """The ``inkstone`` program (and ``python -m inkstone``)."""
    global _program_exits_at_once
    _program_exits_at_once = True
    gc.set_threshold(*GC_THRESHOLDS)  # its render workers are forks of it: theirs too
    main()


REDRAW_SECONDS = 0.1
"""The progress bar is redrawn at most this often (and at the end of each stage)."""


def _run_build(site_dir: Path, options: BuildOptions) -> BuildReport:
    interactive = err.is_terminal
    if interactive:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        # redrawn by the build's progress, not by a thread of its own: with no other thread
        # running, the render workers can be forks of this process (see start_method)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err,
            transient=True,
            auto_refresh=False,
        ) as bar:
            tasks: dict[str, object] = {}
            drawn = 0.0

            def progress(stage: str, done: int, total: int) -> None:
                nonlocal drawn
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done)  # type: ignore[arg-type]
                now = time.monotonic()
                if done == total or now - drawn >= REDRAW_SECONDS:
                    drawn = now
                    bar.refresh()

            options.progress = progress
            report = build(site_dir, options)
    else:
        report = build(site_dir, options)
    _print_problems(report)
    style = "red" if report.errors else "green"
    err.print(f"[{style}]{summary_line(report)}[/]", soft_wrap=True)
    return report


def _print_problems(report: BuildReport) -> None:
    for problem in report.problems:
        color = "red" if problem.severity is Severity.ERROR else "yellow"
        err.print(f"[{color}]{problem.severity.value}[/]: {escape(str(problem))}", soft_wrap=True)

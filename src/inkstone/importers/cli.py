"""The ``inkstone import`` command, registered on the main group with
``main.add_command(import_command)``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from inkstone.importers import IMPORTERS, run_import

_err = Console(stderr=True, highlight=False)


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(IMPORTERS)))
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--into",
    "site_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The inkstone site to write into (a minimal site.toml is made if it has none).",
)
@click.option("--force", is_flag=True, help="Overwrite posts and images that already exist.")
def import_command(fmt: str, source: Path, site_dir: Path, force: bool) -> None:
    """Import posts from FORMAT (hexo, hugo, jekyll, zhihu, notion, obsidian, csdn/html,
    docsify, mkdocs) found in SOURCE into SITE/content/posts/ as page bundles.

    Exits 1 when anything could not be converted (each such place is listed as file:line);
    everything else is imported all the same.
    """
    report = run_import(fmt, source, site_dir, force=force)
    if report.site_toml:
        _err.print(f"created {escape((site_dir / 'site.toml').as_posix())}")
    for rel in report.written:
        _err.print(f"wrote {escape(rel.as_posix())}")
    for problem in report.problems:
        _err.print(f"[yellow]warning[/]: {escape(str(problem))}", soft_wrap=True)
    style = "yellow" if report.problems else "green"
    _err.print(f"[{style}]{escape(report.summary())}[/]", soft_wrap=True)
    sys.exit(1 if report.problems else 0)

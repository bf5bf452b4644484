"""``inkstone import``: moving posts in from other platforms without losing a formula.

Each importer reads SOURCE into an :class:`~inkstone.importers.model.ImportBatch`; the writer
turns the batch into page bundles and an :class:`~inkstone.importers.model.ImportReport`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import cast

from inkstone.importers.model import ImportBatch, ImportReport
from inkstone.importers.writer import write_batch

Importer = Callable[[Path], ImportBatch]
IMPORTERS: dict[str, str] = {
    "hexo": "hexo:import_hexo",
    "hugo": "hugo:import_hugo",
    "jekyll": "hugo:import_jekyll",
    "zhihu": "zhihu:import_zhihu",
    "notion": "notion:import_notion",
    "obsidian": "obsidian:import_obsidian",
    "csdn": "html_article:import_html",
    "html": "html_article:import_html",
    "docsify": "docs_nav:import_docsify",
    "mkdocs": "docs_nav:import_mkdocs",
}
"""FORMAT (as typed after ``inkstone import``) → ``module:function`` of the importer that
reads SOURCE, imported only when that format is used (the HTML parsers are slow to load, and
every ``inkstone`` command would pay for them)."""


def importer(fmt: str) -> Importer:
    """The importer of format ``fmt`` (a key of :data:`IMPORTERS`)."""
    module, function = IMPORTERS[fmt].split(":")
    return cast(Importer, getattr(importlib.import_module(f"{__name__}.{module}"), function))


def run_import(fmt: str, source: Path, site_dir: Path, *, force: bool = False) -> ImportReport:
    """Import SOURCE in format ``fmt`` into ``site_dir``; the one call the CLI makes."""
    batch = importer(fmt)(source)
    try:
        return write_batch(batch, site_dir, force=force)
    finally:
        batch.close()


__all__ = ["IMPORTERS", "ImportReport", "importer", "run_import"]

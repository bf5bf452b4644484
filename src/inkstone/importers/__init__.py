"""``inkstone import``: moving posts in from other platforms without losing a formula.

Each importer reads SOURCE into an :class:`~inkstone.importers.model.ImportBatch`; the writer
turns the batch into page bundles and an :class:`~inkstone.importers.model.ImportReport`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from inkstone.importers.docs_nav import import_docsify, import_mkdocs
from inkstone.importers.hexo import import_hexo
from inkstone.importers.html_article import import_html
from inkstone.importers.hugo import import_hugo, import_jekyll
from inkstone.importers.model import ImportBatch, ImportReport
from inkstone.importers.notion import import_notion
from inkstone.importers.obsidian import import_obsidian
from inkstone.importers.writer import write_batch
from inkstone.importers.zhihu import import_zhihu

Importer = Callable[[Path], ImportBatch]
IMPORTERS: dict[str, Importer] = {
    "hexo": import_hexo,
    "hugo": import_hugo,
    "jekyll": import_jekyll,
    "zhihu": import_zhihu,
    "notion": import_notion,
    "obsidian": import_obsidian,
    "csdn": import_html,
    "html": import_html,
    "docsify": import_docsify,
    "mkdocs": import_mkdocs,
}
"""FORMAT (as typed after ``inkstone import``) → the importer that reads SOURCE."""


def run_import(fmt: str, source: Path, site_dir: Path, *, force: bool = False) -> ImportReport:
    """Import SOURCE in format ``fmt`` into ``site_dir``; the one call the CLI makes."""
    batch = IMPORTERS[fmt](source)
    try:
        return write_batch(batch, site_dir, force=force)
    finally:
        batch.close()


__all__ = ["IMPORTERS", "ImportReport", "run_import"]

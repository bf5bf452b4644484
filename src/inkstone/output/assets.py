"""Files the pages need besides HTML: the theme's static files, KaTeX's CSS and fonts,
Mermaid's script, the Pygments stylesheet, the site's ``static/`` folder and the content's
own files."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from inkstone.config import SiteConfig
from inkstone.content.discover import Discovery
from inkstone.content.model import Document
from inkstone.errors import BuildReport, Problem, Severity, SourceError
from inkstone.markup.highlight import stylesheet
from inkstone.markup.math import find_katex_dist
from inkstone.npm_packages import find_dist
from inkstone.output.images import write_image_variants
from inkstone.output.writer import SiteWriter
from inkstone.render.templates import theme_dir

ASSETS = PurePosixPath("assets")
MERMAID_SCRIPT = "mermaid.min.js"
"""Mermaid's single-file browser build, in the npm package's ``dist/``."""
MERMAID_DIR_ENV = "INKSTONE_MERMAID_DIR"


def copy_assets(
    site_dir: Path,
    found: Discovery,
    documents: list[Document],
    config: SiteConfig,
    writer: SiteWriter,
    report: BuildReport,
) -> None:
    """Copy every non-page file into the output; called once, after the pages."""
    try:
        _copy_tree(theme_dir(site_dir, config.theme) / "static", ASSETS, writer, "theme")
        writer.write_text(
            ASSETS / "highlight.css",
            stylesheet(config.code.light_style, config.code.dark_style),
            "theme",
        )
        if any(d.title_typeset or (d.rendered and d.rendered.has_math) for d in documents):
            dist = find_katex_dist()
            writer.copy_file(dist / "katex.min.css", ASSETS / "katex" / "katex.min.css", "katex")
            for font in sorted((dist / "fonts").iterdir()):
                if font.suffix == ".woff2":
                    writer.copy_file(font, ASSETS / "katex" / "fonts" / font.name, "katex")
        if any(d.rendered is not None and "mermaid" in d.rendered.features for d in documents):
            _copy_mermaid(writer, report)
        _copy_tree(site_dir / "static", PurePosixPath(), writer, "static/")
        placed = _copy_content_files(found, documents, writer)
        _copy_host_files(site_dir, found, writer)
        write_image_variants(site_dir, found.root, placed, documents, writer, report)
    except SourceError as exc:
        report.add(exc.problem)


def _copy_mermaid(writer: SiteWriter, report: BuildReport) -> None:
    """Mermaid's script, for pages with a diagram (``assets/mermaid/mermaid.min.js``)."""
    dist = find_dist("mermaid", MERMAID_SCRIPT, MERMAID_DIR_ENV)
    if dist is None:
        report.add(
            Problem(
                Severity.WARNING,
                "Mermaid is not installed: diagrams are shown as their source",
                hint=f"run `npm ci` in the inkstone checkout (or set {MERMAID_DIR_ENV} "
                "to a mermaid/dist folder)",
            )
        )
        return
    writer.copy_file(dist / MERMAID_SCRIPT, ASSETS / "mermaid" / MERMAID_SCRIPT, "mermaid")


def _copy_tree(folder: Path, prefix: PurePosixPath, writer: SiteWriter, owner: str) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            rel = PurePosixPath(path.relative_to(folder).as_posix())
            writer.copy_file(path, prefix / rel, owner + rel.as_posix())


def _copy_host_files(site_dir: Path, found: Discovery, writer: SiteWriter) -> None:
    """A zero-config folder's blog's own static files (:attr:`Discovery.host_files`), at
    the site's root; a path the site already has (a page, ``robots.txt``, a content file)
    keeps what it has."""
    for rel, path in found.host_files.items():
        if rel not in writer.written:
            writer.copy_file(path, rel, os.path.relpath(path, site_dir))


def _copy_content_files(
    found: Discovery, documents: list[Document], writer: SiteWriter
) -> dict[PurePosixPath, PurePosixPath]:
    """A bundle's files go beside its page; other files keep their content-relative path.
    Returns where each copied file went, by its content-relative path."""
    placed: dict[PurePosixPath, PurePosixPath] = {}
    built = {d.source.bundle_dir: d for d in documents if d.source.bundle_dir is not None}
    all_bundles = [s.bundle_dir for s in found.sources if s.bundle_dir is not None]
    for rel in found.assets:
        folder = next((b for b in all_bundles if rel.parts[: len(b.parts)] == b.parts), None)
        if folder is None:
            target = rel
        elif folder in built:
            inner = PurePosixPath(*rel.parts[len(folder.parts) :])
            target = PurePosixPath(built[folder].url.strip("/")) / inner
        else:
            continue  # the bundle of a draft: its files stay unpublished too
        writer.copy_file(found.root.joinpath(*rel.parts), target, rel.as_posix())
        placed[rel] = target
    return placed

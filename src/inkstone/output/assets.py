"""Files the pages need besides HTML: the theme's static files, KaTeX's CSS and fonts,
the Pygments stylesheet, the site's ``static/`` folder and the content's own files."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from inkstone.config import SiteConfig
from inkstone.content.discover import Discovery
from inkstone.content.model import Document
from inkstone.errors import BuildReport, SourceError
from inkstone.markup.highlight import stylesheet
from inkstone.markup.math import find_katex_dist
from inkstone.output.writer import SiteWriter
from inkstone.render.templates import theme_dir

ASSETS = PurePosixPath("assets")


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
        if any(d.rendered is not None and d.rendered.has_math for d in documents):
            dist = find_katex_dist()
            writer.copy_file(dist / "katex.min.css", ASSETS / "katex" / "katex.min.css", "katex")
            for font in sorted((dist / "fonts").iterdir()):
                if font.suffix == ".woff2":
                    writer.copy_file(font, ASSETS / "katex" / "fonts" / font.name, "katex")
        _copy_tree(site_dir / "static", PurePosixPath(), writer, "static/")
        _copy_content_files(found, documents, writer)
    except SourceError as exc:
        report.add(exc.problem)


def _copy_tree(folder: Path, prefix: PurePosixPath, writer: SiteWriter, owner: str) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            rel = PurePosixPath(path.relative_to(folder).as_posix())
            writer.copy_file(path, prefix / rel, owner + rel.as_posix())


def _copy_content_files(found: Discovery, documents: list[Document], writer: SiteWriter) -> None:
    """A bundle's files go beside its page; other files keep their content-relative path."""
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

"""Finding sources: which files under the site become which kind of page.

A site with ``site.toml`` keeps its writing in ``content/``: posts under
``content/posts/``, standalone pages elsewhere. A folder without ``site.toml`` is a
zero-config site: every Markdown file below it is a source. Jupyter notebooks (``.ipynb``)
are sources like Markdown files (``.ipynb_checkpoints/`` is hidden, so skipped).
A folder inkstone built a site into (:func:`~inkstone.output.writer.is_built_site`) is
never read: a zero-config folder built once into its own ``public/`` and then with
``-o`` elsewhere would otherwise copy the old site into the new one. Nor are a Jekyll
site's ``_site`` (its output), templates and data (:data:`JEKYLL_DIRS`).

In a zero-config folder, a ``_drafts`` folder holds drafts, as Jekyll's and Hexo's do
(``source/_drafts`` when Hexo's ``source/`` is built): left out, files and all, unless
drafts are asked for (``--drafts``, the dev server); then each Markdown file in it is a
draft post (:attr:`Source.draft`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from inkstone.cancel import checkpoint
from inkstone.content.model import Kind, Source
from inkstone.errors import Problem, Severity
from inkstone.host_site import host_static_files
from inkstone.output.writer import is_built_site

MARKDOWN_SUFFIXES = (".md", ".markdown")
NOTEBOOK_SUFFIX = ".ipynb"
SOURCE_SUFFIXES = (*MARKDOWN_SUFFIXES, NOTEBOOK_SUFFIX)
SKIPPED_DIRS = {"node_modules", "__pycache__"}
PARTIAL_FILES = {"_sidebar.md", "_navbar.md", "_coverpage.md", "_footer.md"}
"""docsify's navigation partials: pieces of the chrome, not pages."""
BUNDLE_INDEX = ("index.md", "index.markdown", "index.ipynb")
JEKYLL_DIRS = {"_site", "_layouts", "_includes", "_sass", "_data", "_plugins"}
"""What a Jekyll site keeps beside its writing: its output (``_site``), templates and data.
Not read at the root of a zero-config folder holding ``_config.yml``."""
DRAFTS_DIR = "_drafts"
"""A zero-config folder's drafts (Jekyll's, Hexo's): read only when drafts are built."""


@dataclass
class Discovery:
    """Everything found under the content root."""

    root: Path
    """The content root: ``SITE/content`` or, zero-config, the site folder itself."""
    sources: list[Source] = field(default_factory=list)
    assets: list[PurePosixPath] = field(default_factory=list)
    """Other files under the root (images…), content-relative, copied to the output."""
    host_files: dict[PurePosixPath, Path] = field(default_factory=dict)
    """Zero-config: the static files of the blog the folder is part of (Hexo's
    ``source/``, Hugo's ``static/``; see :func:`host_static_files`), by their path at the
    site's root, where they are published."""
    problems: list[Problem] = field(default_factory=list)


def discover(
    site_dir: Path, content_dir: Path | None, excluded: list[Path], drafts: bool = False
) -> Discovery:
    """Walk the content root once and sort what is there into sources and assets.

    ``content_dir`` is None for a zero-config site. ``excluded`` holds folders never to
    read (the output and cache folders); nor is any other folder inkstone built a site
    into. Symlinked folders are followed once; a loop is reported and skipped. A
    zero-config site's ``_drafts`` folders are read only with ``drafts``.
    """
    zero_config = content_dir is None
    root = site_dir if content_dir is None else content_dir
    found = Discovery(root)
    excluded_real = {os.path.realpath(p) for p in excluded}
    seen_dirs: set[str] = set()
    jekyll = zero_config and (root / "_config.yml").is_file()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        checkpoint()
        real = os.path.realpath(dirpath)
        here = Path(dirpath)
        if real in seen_dirs or (dirpath != str(root) and real == os.path.realpath(root)):
            found.problems.append(
                Problem(
                    Severity.WARNING,
                    "symlink loop: this folder was already read, skipped",
                    _display(here, site_dir),
                    hint="remove the link or point it elsewhere",
                )
            )
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and d not in SKIPPED_DIRS
            and os.path.realpath(here / d) not in excluded_real
            and not is_built_site(here / d)
            and not (jekyll and d in JEKYLL_DIRS and dirpath == str(root))
            and not (zero_config and d == DRAFTS_DIR and not drafts)
        )
        bundle = _bundle_folder(here, root, filenames, zero_config)
        for name in sorted(filenames):
            checkpoint()
            if name.startswith("."):
                continue
            path = here / name
            rel = PurePosixPath(path.relative_to(root).as_posix())
            if name.lower().endswith(SOURCE_SUFFIXES):
                if name in PARTIAL_FILES:
                    continue
                kind = None if zero_config else _kind_of(rel)
                found.sources.append(
                    Source(
                        path,
                        rel,
                        _display(path, site_dir),
                        kind,
                        bundle if name in BUNDLE_INDEX else None,
                        draft=zero_config and DRAFTS_DIR in rel.parts[:-1],
                    )
                )
            elif not zero_config or not _is_site_file(rel):
                found.assets.append(rel)
    if zero_config:
        found.host_files = {rel: path for path, rel in host_static_files(site_dir)}
    return found


def _kind_of(rel: PurePosixPath) -> Kind:
    return Kind.POST if rel.parts[0] == "posts" and len(rel.parts) > 1 else Kind.PAGE


def _bundle_folder(
    here: Path, root: Path, filenames: list[str], zero_config: bool
) -> PurePosixPath | None:
    """A folder is a page bundle when it holds ``index.md`` and is a post's own folder."""
    if not any(n in BUNDLE_INDEX for n in filenames) or here == root:
        return None
    rel = PurePosixPath(here.relative_to(root).as_posix())
    if not zero_config and not (rel.parts[0] == "posts" and len(rel.parts) >= 2):
        return None
    return rel


SITE_FILES = {
    "site.toml",
    "package.json",
    "package-lock.json",
    "_config.yml",
    "Gemfile",
    "Gemfile.lock",
    "hugo.toml",
    "config.toml",
    "mkdocs.yml",
}
"""Settings of a site, at the root of a zero-config folder: never published (a blog's
``_config.yml`` may hold a deploy token)."""


def _is_site_file(rel: PurePosixPath) -> bool:
    return len(rel.parts) == 1 and rel.name in SITE_FILES


def _display(path: Path, site_dir: Path) -> Path:
    try:
        return path.relative_to(site_dir)
    except ValueError:
        return path

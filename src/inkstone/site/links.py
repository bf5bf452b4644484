"""Where links and images written in a source point in the built site.

Relative links to other Markdown files become links to their pages (fragment kept);
relative images and files become site paths of the copied files (a page bundle's own files
stay relative, since they are copied beside the page); root-relative links get the base
path, so a site served from a sub-path works everywhere. Images are measured (their pixel
size written on the page) when they are content files or, root-relative, the static files
of the blog a zero-config folder is part of.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

from inkstone.content.model import Document
from inkstone.markup.markdown import LinkResolver, LinkTarget
from inkstone.markup.plugins.wikilinks import WikiResolver, WikiTarget
from inkstone.output.images import is_sized, probe
from inkstone.site.wiki import WikiNames

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
PAGE_SUFFIXES = (".md", ".markdown", ".ipynb")


class SiteLinks:
    """Resolves the links of every document; made once all documents are loaded."""

    def __init__(
        self,
        base_path: str,
        content_root: Path,
        documents: list[Document],
        assets: set[PurePosixPath],
        host_files: dict[PurePosixPath, Path] | None = None,
    ) -> None:
        self.base_path = base_path
        self.content_root = content_root
        self.host_files = host_files or {}
        """The blog's own static files, by their path at the site's root (see
        :attr:`inkstone.content.discover.Discovery.host_files`): root-relative images
        there are measured too."""
        self.urls = {doc.source.rel: doc.url for doc in documents}
        """Content-relative source path → site URL of its page."""
        self.assets = assets
        self.wiki = WikiNames(base_path, documents, assets)
        """Pages and files by name, for wiki links."""

    def url(self, site_path: str) -> str:
        """The link to a site-relative path such as ``/posts/x/`` (base path added)."""
        return self.base_path + site_path.lstrip("/")

    def resolver(self, doc: Document) -> LinkResolver:
        """The link resolver for one document's body."""

        def resolve(href: str, is_image: bool) -> LinkTarget:
            return self._resolve(doc, href, is_image)

        return resolve

    def wiki_resolver(self, doc: Document) -> WikiResolver:
        """The wiki link resolver for one document's body."""

        def resolve(target: str, embed: bool) -> WikiTarget:
            return self.wiki.resolve(doc, target, embed)

        return resolve

    def _resolve(self, doc: Document, href: str, is_image: bool) -> LinkTarget:
        if not href or href.startswith("#") or href.startswith("//") or _SCHEME.match(href):
            return LinkTarget(href)
        if href.startswith("/"):
            if is_image:  # measured when the content folder has it at that path
                rooted = posixpath.normpath(unquote(href.partition("#")[0].partition("?")[0]))
                return self._image(self.url(href), PurePosixPath(rooted.lstrip("/")), href)
            return LinkTarget(self.url(href))
        path_part, hash_mark, fragment = href.partition("#")
        path_part, query_mark, query = path_part.partition("?")
        suffix = (query_mark + query) + (hash_mark + fragment)
        raw = unquote(path_part)
        joined = posixpath.normpath(posixpath.join(doc.source.rel.parent.as_posix(), raw))
        if joined.startswith("../") or joined == "..":
            return LinkTarget(href, f"link `{raw}` points outside the content folder")
        target = PurePosixPath(joined)
        if target.suffix.lower() in PAGE_SUFFIXES:
            linked = self.urls.get(target)
            if linked is None:
                return LinkTarget(
                    href,
                    f"link to `{raw}` finds no page",
                    "check the file name (drafts and future posts are not built)",
                )
            return LinkTarget(self.url(linked) + suffix)
        if target in self.urls:
            return LinkTarget(self.url(self.urls[target]) + suffix)
        exists = self._exists(target)
        if not exists and doc.source.bundle_dir is None:
            # Hexo's asset folder: `rope.md` keeps its files in `rope/` (`postAsset`).
            beside = doc.source.rel.parent / doc.source.rel.stem / raw
            asset = PurePosixPath(posixpath.normpath(beside.as_posix()))
            if not raw.startswith("../") and self._exists(asset):
                target, joined, exists = asset, asset.as_posix(), True
        problem = None
        if not exists:
            kind = "image" if is_image else "file"
            problem = f"missing {kind} `{raw}`"
            hint = "the path is relative to the Markdown file"
            return LinkTarget(href, problem, hint)
        bundle = doc.source.bundle_dir
        went = href if bundle is not None and _inside(target, bundle) else None
        went = went or self.url(quote(joined)) + suffix
        return self._image(went, target, raw) if is_image else LinkTarget(went)

    def _exists(self, path: PurePosixPath) -> bool:
        """Whether the content folder has a file at ``path`` (content-relative)."""
        return path in self.assets or self.content_root.joinpath(*path.parts).is_file()

    def _image(self, href: str, file: PurePosixPath, raw: str) -> LinkTarget:
        """An image's target with its pixel size, when it is a content file inkstone
        measures (PNG, JPEG, WebP, GIF, SVG), or one of the blog's static files (which
        get no smaller copies); a file that is no such image is reported."""
        if not is_sized(file) or ".." in file.parts:
            return LinkTarget(href)
        path = self.content_root.joinpath(*file.parts)
        content = path.is_file()
        if not content:
            published = self.host_files.get(file)
            if published is None:
                return LinkTarget(href)
            path = published
        try:
            facts = probe(path)
        except OSError:
            return LinkTarget(href)
        problem, hint = None, None
        if facts.error is not None:
            problem = f"cannot read image `{raw}`: {facts.error}"
            hint = "it should be a whole PNG, JPEG, WebP or GIF image, named with its suffix"
        shown = file.as_posix() if content else None
        return LinkTarget(href, problem, hint, shown, facts.width, facts.height, facts.stamp)


def _inside(path: PurePosixPath, folder: PurePosixPath) -> bool:
    return path.parts[: len(folder.parts)] == folder.parts

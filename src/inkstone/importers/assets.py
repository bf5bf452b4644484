"""Gathering a post's images into its page bundle and pointing its Markdown at them."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from inkstone.importers.model import ImportBatch, ImportedFile
from inkstone.importers.text import map_outside_code

MD_IMAGE = re.compile(
    r"!\[(?P<alt>[^\]\n]*)\]\((?P<url><[^>\n]+>|[^)\s]+)(?P<title>\s+\"[^\"\n]*\")?\)"
)
_HTML_IMG = re.compile(r"(<img\b[^>]*?\bsrc=)([\"'])(?P<url>[^\"'\n]+)\2", re.IGNORECASE)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)


def is_remote(url: str) -> bool:
    """True for ``https://…``, ``//host/…``, ``data:…`` and fragments: nothing to copy."""
    return bool(_REMOTE.match(url))


class Bundle:
    """The images of one post: found on disk, named uniquely, listed for copying."""

    def __init__(
        self,
        batch: ImportBatch,
        source: Path,
        roots: list[Path],
        by_name: dict[str, Path] | None = None,
    ) -> None:
        self.batch = batch
        self.source = source
        """The post's source file; relative image paths start from its folder."""
        self.roots = roots
        """Folders where a path starting with ``/`` (or not found beside the post) is looked up."""
        self.by_name = by_name or {}
        """Files by name, for vaults that find an attachment wherever it is."""
        self.files: list[ImportedFile] = []
        self._names: dict[Path, str] = {}

    def add(self, url: str, line: int | None) -> str | None:
        """The bundle name for the image at ``url``, or None when it is remote or missing
        (missing: reported at ``line`` of the source)."""
        if is_remote(url):
            return None
        path = unquote(url.strip("<>").split("#")[0].split("?")[0])
        if any(file.name == path for file in self.files):
            return path
        found = self._find(path)
        if found is None:
            self.batch.problem(
                f"image not found: {path}",
                self.source,
                line,
                hint="copy the image beside the imported post and fix the link",
            )
            return None
        if found in self._names:
            return self._names[found]
        name = found.name
        taken = {f.name for f in self.files}
        counter = 2
        while name in taken or name.lower() in {"index.md", "index.markdown"}:
            name = f"{found.stem}-{counter}{found.suffix}"
            counter += 1
        self._names[found] = name
        self.files.append(ImportedFile(found, name))
        return name

    def _find(self, path: str) -> Path | None:
        if not path:
            return None
        candidates = [] if path.startswith("/") else [self.source.parent / path]
        candidates += [root / path.lstrip("/") for root in self.roots]
        for candidate in candidates:
            if candidate.is_file():
                return candidate.resolve()
        return self.by_name.get(Path(path).name)

    def rewrite(self, body: str, first_line: int) -> str:
        """Point every local ``![](…)`` and ``<img src>`` of ``body`` at its bundle copy.

        ``first_line`` is the source line ``body`` starts on, for problems.
        """

        def edit(text: str, start: int) -> str:
            def image(match: re.Match[str]) -> str:
                line = first_line + start + text.count("\n", 0, match.start())
                name = self.add(match["url"], line)
                if name is None:
                    return match[0]
                return f"![{match['alt']}]({_link(name)}{match['title'] or ''})"

            def html(match: re.Match[str]) -> str:
                line = first_line + start + text.count("\n", 0, match.start())
                name = self.add(match["url"], line)
                if name is None:
                    return match[0]
                return f"{match[1]}{match[2]}{name}{match[2]}"

            return _HTML_IMG.sub(html, MD_IMAGE.sub(image, text))

        return map_outside_code(body, edit)


def _link(name: str) -> str:
    """A file name as a Markdown link target (``<…>`` around names with spaces)."""
    return f"<{name}>" if re.search(r"[\s()]", name) else name

"""The base of the converters that turn a platform's tags (Hexo tag plugins, Hugo shortcodes,
Liquid tags) into inkstone Markdown, one post at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from inkstone.importers.assets import Bundle
from inkstone.importers.model import ImportBatch


class TagConverter:
    """Converts the tags of one post; subclasses say how in :meth:`convert`."""

    def __init__(
        self, batch: ImportBatch, path: Path, bundle: Bundle, posts: dict[str, str]
    ) -> None:
        self.batch = batch
        """Where problems are reported."""
        self.path = path
        """The post's source file."""
        self.bundle = bundle
        """The post's bundle, which copies the files its tags name."""
        self.posts = posts
        """How other posts are named in links (file name, stem…) → their bundle folder."""

    def at(self, body_line: int) -> Callable[[str, int], str]:
        """An editor for :func:`~inkstone.importers.text.map_outside_code` of a body starting
        on ``body_line``."""
        return lambda text, start: self.convert(text, body_line + start)

    def convert(self, text: str, first_line: int) -> str:
        """Every tag of ``text`` (which starts on source line ``first_line``) converted."""
        raise NotImplementedError

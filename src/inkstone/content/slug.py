"""Slugs: the URL-safe name of a page.

A slug made from a file name keeps the author's characters (as Hugo does), only lower-cased
with spaces turned into dashes. A slug made from a *title* (``inkstone new post``) is
readable ASCII: Chinese becomes pinyin, or a short stable hash when configured.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

_UNSAFE = re.compile(r"[^\w\-.~]+", re.UNICODE)
_DASHES = re.compile(r"-{2,}")


def slugify(text: str) -> str:
    """A path-safe slug keeping letters of any script: ``Attention 笔记`` → ``attention-笔记``."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = _UNSAFE.sub("-", text.replace("_", "-"))
    return _DASHES.sub("-", text).strip("-.") or "untitled"


def path_slug(names: Sequence[str]) -> str:
    """The slug of a nested term: its names' slugs joined by ``/`` (``机器学习 › 论文笔记`` →
    ``机器学习/论文笔记``), so a subcategory's pages sit in its parent's folder."""
    return "/".join(map(slugify, names))


def ascii_slug(title: str, style: str = "pinyin") -> str:
    """A readable ASCII slug: ``注意力机制的复杂度`` → ``zhu-yi-li-ji-zhi-de-fu-za-du``.

    With ``style="hash"`` the CJK part becomes an 8-character hash of the title instead.
    """
    has_cjk = any(_is_cjk(ch) for ch in title)
    if has_cjk and style == "hash":
        latin = "-".join(re.findall(r"[A-Za-z0-9]+", title)).lower()
        digest = hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]
        return f"{latin}-{digest}" if latin else digest
    if has_cjk:
        from pypinyin import Style, lazy_pinyin  # a third of a second to load: only if needed

        text = " ".join(lazy_pinyin(title, style=Style.NORMAL, errors="default"))
    else:
        text = title
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return _DASHES.sub("-", text) or hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"

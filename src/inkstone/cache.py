"""The persistent build cache: what was rendered once is not rendered again.

One SQLite file, ``SITE/.inkstone-cache/cache.sqlite`` (or ``--cache-dir``), holds five
kinds of entries, each keyed by a hash of everything its output depends on:

- ``formula``: a KaTeX rendering, keyed by TeX, display mode, macros, KaTeX's version and
  the options inkstone gives it;
- ``code``: a Pygments rendering, keyed by code, fence options and the versions of Pygments
  and of inkstone (whose code writes the block around it);
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

The file is in write-ahead-log mode: a transaction is appended to ``cache.sqlite-wal``,
and a checkpoint copies the log into the file itself and syncs both to disk. SQLite
checkpoints in the connection that commits, once the log passes 1,000 pages (64 MB), and
again when the last connection closes. That was the build's main thread, which waited
each time (1,000 posts: 0.2–0.3 s per checkpoint, one of them after the last page, and
0.14 s more at the end). The connection that writes does not checkpoint: a thread of its
own does (:class:`_Checkpoints`), on a connection of its own, while the build goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
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
CHECKPOINT_BYTES = 32 * 2**20
"""Bytes of entries stored since the last checkpoint was asked for past which a commit asks
for another (see the module's docstring)."""
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
        self.db.execute("PRAGMA wal_autocheckpoint=0")  # :class:`_Checkpoints` does them
        for kind in KINDS:
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {kind} (key TEXT PRIMARY KEY, value BLOB)")
        self._checkpoints: _Checkpoints | None = None
        self._unsaved = 0
        """Bytes of entries stored since a checkpoint was last asked for."""

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
        self._unsaved += sum(len(value) for kind_rows in rows.values() for _, value in kind_rows)
        if self._unsaved > CHECKPOINT_BYTES:
            self.checkpoint_soon()

    def checkpoint_soon(self) -> None:
        """Have the log copied into the file by :class:`_Checkpoints`, without waiting: a
        build asks once it has stored its last rendered page, so that :meth:`close` finds
        little left to do. Nothing when nothing was stored since the last time."""
        if self._unsaved == 0:
            return
        if self._checkpoints is None:
            self._checkpoints = _Checkpoints(self.path)
        self._checkpoints.request()
        self._unsaved = 0

    def holds(self, kind: str) -> bool:
        """Whether there is any entry of ``kind``."""
        return self.db.execute(f"SELECT 1 FROM {kind} LIMIT 1").fetchone() is not None

    def close(self) -> None:
        """Close the connection, once a checkpoint under way is done. The last connection
        to the file to close checkpoints what is left of the log."""
        if self._checkpoints is not None:
            self._checkpoints.close()
            self._checkpoints = None
        self.db.close()


class _Checkpoints:
    """A thread that checkpoints a cache file's write-ahead log when asked
    (:meth:`Cache.checkpoint_soon`), on its own connection. SQLite lets the writer go on
    committing meanwhile (a ``PASSIVE`` checkpoint copies what no reader still needs and
    takes no lock a writer waits for), and Python lets the other threads run while SQLite
    works."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._wanted = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="inkstone-cache", daemon=True)
        self._thread.start()

    def request(self) -> None:
        """Checkpoint as soon as the one under way, if any, is done."""
        self._wanted.set()

    def close(self) -> None:
        """Let a checkpoint under way finish, and end the thread. One only asked for is
        left to the closing connection."""
        self._closing = True
        self._wanted.set()
        self._thread.join()

    def _run(self) -> None:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            while True:
                self._wanted.wait()
                self._wanted.clear()
                if self._closing:
                    return
                # busy or failing: the next checkpoint, or the last close, does it
                with contextlib.suppress(sqlite3.Error):
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            db.close()


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

"""The fragment cache a process keeps in memory, and KaTeX typesetting a page in one call."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inkstone import cache as cache_module
from inkstone.cache import (
    CACHE_FILE,
    PAGE_SIZE,
    Fragments,
    PendingEntries,
    fingerprint,
    open_cache,
    use_cache,
)
from inkstone.markup import math
from inkstone.markup.markdown import RenderContext, parse_markdown, render_markdown, render_parsed

PAGE = r"""# Notes

Inline $a_i*b_j$, again $a_i*b_j$, and $\frac{1}{2}$; a reference \eqref{eq:e}.

$$
E = mc^2 \label{eq:e}
$$

- a list with $\sum_{k=1}^n k$
- and a broken one $\frac{1}{$

| col |
|-----|
| $x^2$ |
"""


def test_keys_tell_apart_parts_that_would_read_alike() -> None:
    """Each part goes in after its kind and length: no two different lists of parts that
    join to the same text share a key, and a body with a lone surrogate still has one."""
    alike = [
        ("a\x1fb",),
        ("a", "b"),
        (("a", "b"),),
        (("a",), "b"),
        ("ab",),
        (b"ab",),
        ("1",),
        (1,),
        ("None",),
        (None,),
        ("",),
        (),
        ("\ud800",),
    ]
    keys = [fingerprint(*parts) for parts in alike]
    assert len(set(keys)) == len(alike)
    assert keys == [fingerprint(*parts) for parts in alike], "the same parts, the same key"


def test_pending_entries_are_stored_a_batch_of_pages_per_transaction(tmp_path: Path) -> None:
    cache = open_cache(tmp_path)
    assert cache is not None
    statements: list[str] = []
    cache.db.set_trace_callback(statements.append)
    pending = PendingEntries(cache)
    pages = PendingEntries.BATCH * 2 + 2
    for n in range(pages):
        failed = n % 10 == 3  # a page that failed to render still made its fragments
        page = None if failed else (f"page{n}", b"<p>body</p>")
        pending.add({"formula": {f"f{n}": f"<math>{n}</math>"}, "code": {}}, page)
    assert sum(s.startswith("BEGIN") for s in statements) == 2, "two full batches so far"
    pending.flush()
    assert sum(s.startswith("BEGIN") for s in statements) == 3
    pending.flush()  # nothing left: no empty transaction
    assert sum(s.startswith("BEGIN") for s in statements) == 3
    assert all(cache.get("formula", f"f{n}") == f"<math>{n}</math>".encode() for n in range(pages))
    assert cache.get("page", "page3") is None and cache.get("page", "page4") == b"<p>body</p>"


def test_memory_keeps_the_most_recently_used_fragments_within_its_budget(
    tmp_path: Path,
) -> None:
    cache = open_cache(tmp_path)
    assert cache is not None
    made: list[str] = []

    def maker(value: str) -> Any:
        def make() -> str:
            made.append(value)
            return value

        return make

    fragments = Fragments(cache, memory_chars=10)
    for key in "abc":
        assert fragments.get_or_make("code", key, maker(key * 4)) == key * 4
    # 12 characters made, 10 kept: the oldest went first
    assert list(fragments.memory) == [("code", "b"), ("code", "c")]
    assert fragments._held == 8
    stored = PendingEntries(cache)
    stored.add(fragments.take_fresh(), None)
    stored.flush()
    # what memory dropped comes back from the cache file, without being made again
    assert fragments.get_or_make("code", "a", maker("new")) == "aaaa"
    assert made == ["aaaa", "bbbb", "cccc"]
    assert list(fragments.memory) == [("code", "c"), ("code", "a")]
    # a use makes a fragment the most recent: "b" goes next, not "c"
    fragments.get_or_make("code", "c", maker("new"))
    fragments.get_or_make("code", "d", maker("dd"))
    assert [key for _, key in fragments.memory] == ["a", "c", "d"]
    # without a cache file, a dropped fragment is made again
    bare = Fragments(None, memory_chars=4)
    bare.get_or_make("code", "x", maker("xxxx"))
    bare.get_or_make("code", "y", maker("yyyy"))
    assert bare.get_or_make("code", "x", maker("XXXX")) == "XXXX"
    cache.close()


class CountingCalls:
    """Counts the calls made into V8 through the engine's two entry points."""

    def __init__(self, engine: math.KatexEngine, monkeypatch: pytest.MonkeyPatch) -> None:
        engine.warm_up()
        self.single = self.batches = 0
        self.batched: list[int] = []
        single, batch = engine._render_fn, engine._render_all_fn

        def one(*args: Any) -> Any:
            self.single += 1
            return single(*args)

        def many(formulas: str, macros: str) -> Any:
            self.batches += 1
            return batch(formulas, macros)

        monkeypatch.setattr(engine, "_render_fn", one)
        monkeypatch.setattr(engine, "_render_all_fn", many)


def test_a_page_is_typeset_in_one_call_with_the_same_html(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = math.engine()
    use_cache(None)  # nothing typeset before
    calls = CountingCalls(engine, monkeypatch)
    ctx = RenderContext(path=Path("post.md"))
    before = engine.typeset_count
    batched = render_markdown(PAGE, ctx)
    # six distinct formulas (the repeated one once), the broken one too: one call
    assert calls.batches == 1
    assert calls.single == 0
    assert engine.typeset_count - before == 6
    assert [p.message.split(":")[0] for p in ctx.problems] == ["KaTeX error"]

    use_cache(None)
    monkeypatch.setattr(engine, "prefetch", lambda *args, **kwargs: None)
    alone_ctx = RenderContext(path=Path("post.md"))
    alone = render_markdown(PAGE, alone_ctx)
    assert calls.single == 6
    assert alone.html == batched.html
    assert alone.excerpt_html == batched.excerpt_html
    assert [str(p) for p in alone_ctx.problems] == [str(p) for p in ctx.problems]
    assert 'class="katex"' in batched.html and "math-error" in batched.html

    # rendered again: every formula comes from memory, no call at all
    calls.single = calls.batches = 0
    monkeypatch.undo()
    calls = CountingCalls(engine, monkeypatch)
    assert render_markdown(PAGE, RenderContext(path=Path("post.md"))).html == batched.html
    assert (calls.single, calls.batches) == (0, 0)


def test_a_batch_of_pages_is_typeset_in_one_call_per_table_of_macros(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The render workers parse a batch of pages, then typeset the formulas of them all at
    once: one call per table of macros, each formula once, counted on the first page that
    has it, and the pages come out as each would alone."""
    engine = math.engine()
    use_cache(None)  # nothing typeset before
    calls = CountingCalls(engine, monkeypatch)
    real = math.macros_key({"\\RR": "\\mathbb{R}"})
    pages = [
        ("$a+b$ and $c$", "{}"),
        ("$c$ again, and $d^2$", "{}"),
        ("$\\RR^n$ and $a+b$", real),  # a+b with other macros is another rendering
    ]
    contexts = [
        RenderContext(path=Path(f"p{i}.md"), macros_json=m) for i, (_, m) in enumerate(pages)
    ]
    parsed = [parse_markdown(body, ctx) for (body, _), ctx in zip(pages, contexts, strict=True)]
    before = engine.typeset_count
    counts = engine.prefetch([(page.formulas(), page.ctx.macros_json) for page in parsed])
    assert counts == [2, 1, 2]
    assert engine.typeset_count - before == 5
    assert (calls.batches, calls.single) == (2, 0)
    batched = [render_parsed(page).html for page in parsed]
    assert (calls.batches, calls.single) == (2, 0)  # every formula was ready
    assert "mathbb" in batched[2]

    use_cache(None)
    alone = [
        render_markdown(body, RenderContext(path=Path("x.md"), macros_json=m)).html
        for body, m in pages
    ]
    assert alone == batched


def test_katex_runs_in_v8_with_the_flags_inkstone_sets() -> None:
    """V8 starts once per process, with :data:`math.V8_FLAGS` (no optimizing compiler)."""
    script = (
        "import py_mini_racer\nfrom inkstone.markup.math import engine\n"
        "given = []\nstart = py_mini_racer.init_mini_racer\n"
        "def spy(**options):\n    given.append(options['flags'])\n    return start(**options)\n"
        "py_mini_racer.init_mini_racer = spy\n"
        "html = engine().render('x^2', False).html\n"
        "print(given, 'katex-mathml' in html)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split("\n")[0] == f"[{math.V8_FLAGS!r}] True", done.stderr


def test_katex_started_under_a_running_event_loop_answers_other_threads() -> None:
    """KaTeX first used where an asyncio loop runs (a notebook cell, an async program) and
    then kept busy (the cell goes on to run the dev server): the dev server's watcher thread
    still gets its formulas typeset, rather than waiting on that loop forever."""
    engine = math.KatexEngine()
    use_cache(None)  # nothing typeset before
    answers: list[math.MathResult] = []

    def other_thread() -> None:
        answers.append(engine.render(r"\sum_{k} \text{from the watcher}", False))

    async def notebook_cell() -> None:
        engine.warm_up()
        watcher = threading.Thread(target=other_thread, daemon=True)
        watcher.start()
        watcher.join(timeout=30)  # the loop is blocked meanwhile, as under a running server

    # on a thread of its own: this one may have a loop running already (Playwright's, when
    # the browser tests ran before in this process)
    cell = threading.Thread(target=asyncio.run, args=(notebook_cell(),))
    try:
        cell.start()
        cell.join(timeout=60)
        assert engine.typeset_count == 1
        assert len(answers) == 1 and 'class="katex"' in answers[0].html
    finally:
        engine.close()


def test_a_new_cache_file_has_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """Page entries (about 90 KB) fit in a few 64 KB pages; a file made with SQLite's
    default 4 KB pages is used as it is."""
    new = open_cache(tmp_path / "new")
    assert new is not None
    assert new.db.execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,) == (65536,)
    old_folder = tmp_path / "old"
    old_folder.mkdir()
    made = sqlite3.connect(old_folder / CACHE_FILE)
    made.execute("CREATE TABLE formula (key TEXT PRIMARY KEY, value BLOB)")
    made.execute("INSERT INTO formula VALUES ('k', x'31')")
    made.commit()
    made.close()
    old = open_cache(old_folder)
    assert old is not None
    assert old.db.execute("PRAGMA page_size").fetchone() == (4096,)
    assert old.get("formula", "k") == b"1"
    old.put("page", [("p", b"x" * 200_000)])
    assert old.get("page", "p") == b"x" * 200_000


def _file_bytes(folder: Path) -> int:
    """The size of the cache file itself, not counting its write-ahead log."""
    return (folder / CACHE_FILE).stat().st_size


def _until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_log_is_checkpointed_by_a_thread_not_by_the_writing_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit never copies the write-ahead log into the file (the build's main thread
    would wait for it): once enough is stored, a thread of the cache's does, while the
    writer goes on; and what was stored is all there after :meth:`Cache.close`."""
    monkeypatch.setattr(cache_module, "CHECKPOINT_BYTES", 300_000)
    cache = open_cache(tmp_path)
    assert cache is not None
    assert cache.db.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)
    empty = _file_bytes(tmp_path)
    blob = bytes(range(256)) * 800  # 200 KB, three 64 KB pages and a bit
    cache.put("page", [("p0", blob)])
    cache.checkpoint_soon()  # not yet enough for the cache to ask: a caller may
    assert _until(lambda: _file_bytes(tmp_path) > empty + len(blob)), "no checkpoint"
    copied = _file_bytes(tmp_path)
    cache.put("page", [("p1", blob)])  # 200 KB since the last request: below the mark
    time.sleep(0.3)
    assert _file_bytes(tmp_path) == copied, "checkpointed without being asked"
    cache.put("page", [("p2", blob)])  # 400 KB: the commit asks for one
    assert _until(lambda: _file_bytes(tmp_path) > copied + len(blob)), "no checkpoint"
    cache.put("page", [("p3", blob)])
    cache.close()
    assert not (tmp_path / f"{CACHE_FILE}-wal").exists(), "the last close leaves no log"
    again = open_cache(tmp_path)
    assert again is not None
    assert all(again.get("page", f"p{n}") == blob for n in range(4))
    again.close()


def test_nothing_stored_asks_for_no_checkpoint(tmp_path: Path) -> None:
    cache = open_cache(tmp_path)
    assert cache is not None
    cache.checkpoint_soon()
    assert cache._checkpoints is None, "a thread started for nothing"
    cache.close()


def test_a_code_block_is_highlighted_again_by_another_inkstone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """inkstone writes the block around Pygments' tokens (its header, ``tabindex``), so a
    cached block is used only by the inkstone that made it."""
    from inkstone.markup import highlight

    made: list[str] = []
    real = highlight._highlight

    def counted(*args: Any) -> str:
        made.append(args[0])
        return real(*args)

    monkeypatch.setattr(highlight, "_highlight", counted)
    use_cache(None)
    info = highlight.parse_info("python")
    first = highlight.highlight_code("x = 1\n", info)
    assert highlight.highlight_code("x = 1\n", info) == first and len(made) == 1
    monkeypatch.setattr(highlight, "code_version", lambda: "another inkstone")
    assert highlight.highlight_code("x = 1\n", info) == first and len(made) == 2


def test_a_formula_is_typeset_again_when_inkstone_gives_katex_other_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = math.formula_key("0.16.0", "x^2", False, "{}")
    monkeypatch.setattr(math, "_GLUE_KEY", cache_module.fingerprint(math._JS_GLUE + "// output"))
    math.formula_key.cache_clear()
    assert math.formula_key("0.16.0", "x^2", False, "{}") != key
    monkeypatch.undo()
    math.formula_key.cache_clear()
    assert math.formula_key("0.16.0", "x^2", False, "{}") == key

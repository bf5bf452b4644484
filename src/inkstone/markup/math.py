"""Typesetting formulas with KaTeX at build time.

KaTeX's own ``katex.min.js`` (from the npm ``katex`` package, at the version pinned in
``package.json``) runs inside an embedded V8 through ``mini-racer``. The V8 context is made
lazily in the process that uses it: a context inherited across ``fork`` hangs, so each
worker process builds its own. A render cache makes each distinct formula cost once.

KaTeX's MathML (the part screen readers read) is repaired where KaTeX 0.19 writes invalid
markup (the glue's ``inkstoneRepairMathml``): the tree KaTeX builds is fixed before it is
written out, and the HTML a reader sees is left as KaTeX made it.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from inkstone.cache import fingerprint, fragments
from inkstone.npm_packages import find_dist

KATEX_DIR_ENV = "INKSTONE_KATEX_DIR"

V8_FLAGS = ("--single-threaded", "--no-opt")
"""mini-racer's default (V8 on the calling thread) and no optimizing compiler: a build's
KaTeX runs a few thousand formulas per process, too few for TurboFan's compiling to pay.
Typesetting the distinct formulas of 500 posts (about 3,000) takes 0.23 ms of CPU each
instead of 0.28, of 5,000 posts (about 9,000) 0.21–0.24 instead of 0.26; the HTML is the
same."""

_JS_GLUE = r"""
var INKSTONE_SCRIPTED = {msub: 1, msup: 1, msubsup: 1, munder: 1, mover: 1, munderover: 1,
                         mfrac: 1, mroot: 1, mmultiscripts: 1};
var INKSTONE_TOKENS = {mi: 1, mn: 1, mo: 1, mtext: 1, ms: 1};
var INKSTONE_TOKEN_ATTRIBUTES = ["mathvariant", "stretchy", "lspace", "rspace", "fence",
  "separator", "form", "largeop", "movablelimits", "accent", "symmetric", "maxsize", "minsize"];

// Makes KaTeX's MathML (what screen readers read) valid where KaTeX 0.19 writes it wrong:
// a group of several nodes as one argument of a script or fraction (x_{\max} gives <msub>
// three children), elements inside a token (\underset, \overset, \vcenter give <mi><munder>,
// which an HTML parser reads as unknown HTML elements), and a tagged formula's <mtd width>.
function inkstoneRepairMathml(node) {
  var children = node.children || [];
  for (var i = 0; i < children.length; i++) {
    var child = children[i];
    if (child.type === undefined && child.children && INKSTONE_SCRIPTED[node.type]) {
      children[i] = child = new node.constructor("mrow", child.children);
    }
    inkstoneRepairMathml(child);
  }
  if (INKSTONE_TOKENS[node.type] && children.some(function (c) { return c.text === undefined; })) {
    node.type = "mrow";
    INKSTONE_TOKEN_ATTRIBUTES.forEach(function (name) { delete node.attributes[name]; });
  }
  if (node.type === "mtd") delete node.attributes.width;
}

function inkstoneFindMath(node) {
  if (node.type !== "math") return (node.children || []).some(inkstoneFindMath);
  inkstoneRepairMathml(node);
  return true;
}

function inkstoneRender(tex, display, macrosJson) {
  try {
    var tree = katex.__renderToDomTree(tex, {
      displayMode: display,
      output: "htmlAndMathml",
      throwOnError: true,
      strict: "ignore",
      trust: function (ctx) { return ctx.command === "\\href" && ctx.url.charAt(0) === "#"; },
      macros: JSON.parse(macrosJson)
    });
    inkstoneFindMath(tree);
    return "1" + tree.toMarkup();
  } catch (e) {
    return "0" + (e && e.message ? e.message : String(e));
  }
}

function inkstoneRenderAll(formulasJson, macrosJson) {
  return JSON.stringify(JSON.parse(formulasJson).map(function (formula) {
    return inkstoneRender(formula[0], formula[1], macrosJson);
  }));
}
"""

_GLUE_KEY = fingerprint(_JS_GLUE)
"""The glue's part in a formula's key: its KaTeX options and its MathML repair shape every
formula's HTML."""


class KatexNotFound(RuntimeError):
    """KaTeX's files are not installed where inkstone looks for them."""


def find_katex_dist() -> Path:
    """The ``katex/dist`` folder: ``$INKSTONE_KATEX_DIR``, else ``node_modules/katex/dist``
    in inkstone's checkout (found by walking up from the package) or the current folder."""
    dist = find_dist("katex", "katex.min.js", KATEX_DIR_ENV)
    if dist is not None:
        return dist
    raise KatexNotFound(
        "KaTeX is not installed: run `npm ci` in the inkstone checkout "
        f"(or set {KATEX_DIR_ENV} to a katex/dist folder)"
    )


@dataclass(frozen=True)
class MathResult:
    """A typeset formula, or KaTeX's complaint about it."""

    html: str
    key: str
    """The render cache's key of the formula (its TeX, display mode, macros and KaTeX's
    version): the same formula has the same key wherever it is."""
    error: str | None = None


class KatexEngine:
    """Renders TeX to HTML+MathML with KaTeX; one per process, made on first use."""

    def __init__(self, dist: Path | None = None) -> None:
        self.dist = dist or find_katex_dist()
        self._ctx: Any = None
        self._pid = -1
        self._lock = threading.Lock()
        self._package_version = ""
        self.version = ""
        self.typeset_count = 0
        """Formulas KaTeX actually ran on (cache misses)."""
        # V8 is freed before the interpreter's teardown, which would free it when the thread
        # running its event loop can no longer run: the process would never end
        atexit.register(self.close)

    def _context(self) -> Any:
        if self._ctx is None or self._pid != os.getpid():
            ctx = _new_racer()
            ctx.eval((self.dist / "katex.min.js").read_text(encoding="utf-8"))
            ctx.eval(_JS_GLUE)
            self.version = str(ctx.eval("katex.version"))
            self._render_fn: Callable[[str, bool, str], object] = _js_call(ctx, "inkstoneRender")
            self._render_all_fn: Callable[[str, str], object] = _js_call(ctx, "inkstoneRenderAll")
            self._ctx, self._pid = ctx, os.getpid()
        return self._ctx

    def warm_up(self) -> None:
        """Load KaTeX now rather than on the first formula (the dev server does this before
        the first edit, whose page should not wait for it)."""
        with self._lock:
            self._context()

    def render(self, tex: str, display: bool, macros_json: str = "{}") -> MathResult:
        """Typeset ``tex``; ``macros_json`` is a JSON object of macros (keep it canonical,
        it is part of the cache key). Each distinct formula is typeset once: later calls,
        and later builds, take it from the render cache."""
        key = formula_key(self.package_version, tex, display, macros_json)
        out = fragments().get_or_make(
            "formula", key, lambda: self._typeset(tex, display, macros_json)
        )
        if out[:1] == "1":
            return MathResult(out[1:], key)
        return MathResult("", key, error=out[1:])

    def prefetch(self, pages: Sequence[tuple[Iterable[tuple[str, bool]], str]]) -> list[int]:
        """Typeset, in one call into KaTeX per table of macros, the formulas of ``pages``
        (each page's formulas, TeX and display mode, and its macros as JSON) that no cache
        has, so that :meth:`render` finds them. Returns how many of each page's formulas
        were typeset (a formula on several pages counts for the first).

        A call into V8 costs about 0.7 ms of CPU of its own, more than KaTeX takes for a
        typical formula: the render workers typeset the formulas of a batch of pages in
        one call, not one call per page or per formula."""
        todo: dict[str, dict[str, tuple[str, bool]]] = {}
        counts = []
        for formulas, macros_json in pages:
            count = 0
            asked = todo.setdefault(macros_json, {})
            for tex, display in formulas:
                key = formula_key(self.package_version, tex, display, macros_json)
                if key not in asked and fragments().find("formula", key) is None:
                    asked[key] = (tex, display)
                    count += 1
            counts.append(count)
        if sum(map(len, todo.values())) < 2:  # rendering it is the one call
            return [0] * len(counts)
        for macros_json, asked in todo.items():
            if not asked:
                continue
            with self._lock:
                self._context()
                made = json.loads(
                    str(self._render_all_fn(json.dumps(list(asked.values())), macros_json))
                )
                self.typeset_count += len(made)
            for key, out in zip(asked, made, strict=True):
                fragments().add("formula", key, out)
        return counts

    def _typeset(self, tex: str, display: bool, macros_json: str) -> str:
        with self._lock:
            self._context()
            self.typeset_count += 1
            return str(self._render_fn(tex, display, macros_json))

    @property
    def package_version(self) -> str:
        """The version of the KaTeX package in use, read from its package.json."""
        if not self._package_version:
            meta = json.loads((self.dist.parent / "package.json").read_text(encoding="utf-8"))
            self._package_version = str(meta["version"])
        return self._package_version

    def close(self) -> None:
        """Free the V8 context (a new one is made if rendering goes on)."""
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None


@lru_cache(maxsize=8192)
def formula_key(katex_version: str, tex: str, display: bool, macros_json: str) -> str:
    """A formula's key in the render cache. Remembered: a worker asks for each formula's key
    twice (once to typeset a batch's formulas ahead, once to render it), and short formulas
    (``$x$``, ``$\\theta$``) many times over."""
    return fingerprint("formula", katex_version, _GLUE_KEY, tex, display, macros_json)


def _new_racer() -> Any:
    """A new V8 context whose answers come through an event loop of its own.

    mini-racer takes the calling thread's running asyncio loop when there is one (a
    notebook's, an async program's) and delivers every answer to another thread through it.
    Should that loop stop turning (a notebook cell running the dev server) or close, the dev
    server's watcher thread would wait for KaTeX forever. Made on a thread without a loop,
    the context runs one of its own, as it does in a command-line build."""
    import asyncio  # loaded with mini-racer anyway
    from concurrent.futures import ThreadPoolExecutor

    from py_mini_racer import MiniRacer, init_mini_racer

    init_mini_racer(flags=V8_FLAGS, ignore_duplicate_init=True)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return MiniRacer()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(MiniRacer).result()


def _js_call(ctx: Any, function: str) -> Callable[..., object]:
    """A Python function calling the JavaScript function ``function`` of ``ctx`` with JSON
    arguments. The call is one evaluation of ``function(…)`` with the arguments written as
    literals: calling a mini-racer function object passes each argument in a round trip of
    its own to V8's thread (about 0.9 ms of CPU per call, against 0.5)."""

    def call(*args: object) -> object:
        return ctx.eval(f"{function}({','.join(map(json.dumps, args))})")

    return call


def macros_key(*layers: dict[str, str]) -> str:
    """Merge macro tables (later wins) into the canonical JSON the engine takes."""
    merged: dict[str, str] = {}
    for layer in layers:
        merged.update(layer)
    return json.dumps(merged, sort_keys=True, ensure_ascii=False)


_engine: KatexEngine | None = None


def engine() -> KatexEngine:
    """This process's engine."""
    global _engine
    if _engine is None:
        _engine = KatexEngine()
    return _engine


def katex_loaded() -> bool:
    """Whether this process has started V8 for KaTeX (a ``fork`` of it would hang)."""
    return _engine is not None and _engine._ctx is not None

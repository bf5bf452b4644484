"""Old addresses of a page (front matter ``aliases``, as in Hugo, or ``redirect_from``, as
Jekyll's plugin names it), each made a small page that sends the reader on to the new one.

A blog moved from Hexo or Jekyll keeps its readers' bookmarks and the links other sites
made to it: ``/2023/04/08/rope/`` goes on working when the post now lives at
``/posts/rope/``. Each old address becomes a page of its own (``2023/04/08/rope/index.html``)
with a ``refresh`` to the new one, a canonical link (so search engines move their entry)
and ``noindex``, as Hugo writes them. An address ending in ``.html`` is written as that
file (``/2019/rope.html``); any other gets a folder and its ``index.html``.

An alias is a path on this site, from its root (``/2023/04/08/rope/``) or, without the
leading ``/``, from the folder of the page's own address (``rope-v1/`` on
``/posts/rope/`` is ``/posts/rope-v1/``). One with no ``/`` that does not end in
``.html`` is a name, as Obsidian's ``aliases`` are (``Lagrange``), and makes no page.
Percent-encoded addresses are read as the characters they stand for
(``/2023/%E6%97%8B/`` is ``/2023/旋/``), as a web server reads a request. An alias that
cannot be such a path (a full URL, a path leaving the site), or that is another page's
address or another page's alias, is a warning naming the file and line, and makes no
page; the page itself is built all the same.

A zero-config build of a Hexo, Hugo or Jekyll blog's posts adds, for each post, the address that
blog gave it (:func:`add_old_addresses`), unless some page or alias has it already.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from inkstone.content.model import Document
from inkstone.errors import Problem, Severity

ALIAS_KEYS = ("aliases", "redirect_from")
"""Front matter keys read, the first present wins."""
HTML_SUFFIXES = (".html", ".htm")


def read_aliases(
    value: object, page_url: str, path: Path, line_of: Callable[[str], int | None]
) -> tuple[dict[str, int | None], list[Problem]]:
    """The site URLs (``/2023/04/08/rope/``, ``/2019/rope.html``) of the aliases in a front
    matter ``value`` (a string or a list of them) of the page at ``page_url``, each with
    the line naming it (``line_of(alias)``), and a warning for each one that cannot be used
    (in file ``path``)."""
    values = value if isinstance(value, list | tuple) else [value]
    urls: dict[str, int | None] = {}
    problems: list[Problem] = []
    for item in values:
        text = "" if item is None else str(item).strip()
        if not is_address(text):
            continue
        url, complaint = alias_url(text, page_url)
        if url is None:
            hint = "write the old address as a path of this site, e.g. `/2023/04/08/rope/`"
            where = (path, line_of(text))
            problems.append(Problem(Severity.WARNING, complaint, *where, hint=hint))
        elif url != page_url and url not in urls:
            urls[url] = line_of(text)
    return urls, problems


def is_address(alias: str) -> bool:
    """Whether ``alias`` is an address: it holds a ``/`` or ends in ``.html``. Obsidian's
    ``aliases`` are other names of a note (``Lagrange``), not addresses, and are left to it."""
    return "/" in alias or alias.lower().endswith(HTML_SUFFIXES)


def alias_url(alias: str, page_url: str) -> tuple[str | None, str]:
    """The site URL of ``alias`` on the page at ``page_url``; None and why when it is none."""
    if "://" in alias or alias.startswith("//"):
        return None, f"alias `{alias}` is a full URL; an alias is an old address of this site"
    path = unquote(alias.split("#", 1)[0].split("?", 1)[0])
    folder = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"
    base = "/" if path.startswith("/") else posixpath.dirname(folder.rstrip("/")) + "/"
    parts: list[str] = []
    for part in posixpath.join(base, path).split("/"):
        if part == "..":
            if not parts:
                return None, f"alias `{alias}` leaves the site"
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    if not parts:
        return None, f"alias `{alias}` is the home page's address"
    if any(part.startswith(".") or "\\" in part for part in parts):
        return None, f"alias `{alias}` names a hidden or unusable file"
    url = "/" + "/".join(parts)
    return (url if url.lower().endswith(HTML_SUFFIXES) else url + "/"), ""


def add_old_addresses(
    documents: list[Document],
    old_address: Callable[[dict[str, Any], object, PurePosixPath], str | None],
) -> None:
    """Give each dated document the address ``old_address`` finds for it (the address the
    blog it was written for gave it) as one more alias, quietly: none that is a page's
    address or an alias already, or that two documents would share."""
    taken = {doc.url for doc in documents}
    taken.update(url for doc in documents for url in doc.aliases)
    wanted: dict[str, list[Document]] = {}
    for doc in documents:
        if doc.date is None:
            continue
        address = old_address(doc.meta, doc.date, doc.source.rel)
        url = alias_url(address, doc.url)[0] if address else None
        if url is not None and url not in taken:
            wanted.setdefault(url, []).append(doc)
    for url, claimants in wanted.items():
        if len(claimants) == 1:
            claimants[0].aliases[url] = None


def redirects(documents: list[Document]) -> tuple[dict[str, Document], list[Problem]]:
    """Each alias of ``documents`` → the document it leads to, by URL; an error for each
    alias that is also the address of a page, or an alias of two documents (left out)."""
    pages = {doc.url: doc for doc in documents}
    claimed: dict[str, list[Document]] = {}
    for doc in documents:
        for url in doc.aliases:
            claimed.setdefault(url, []).append(doc)
    found: dict[str, Document] = {}
    problems: list[Problem] = []
    for url, claimants in sorted(claimed.items()):
        owner = pages.get(url)
        if owner is None and len(claimants) == 1:
            found[url] = claimants[0]
            continue
        if owner is not None:
            why = f"is the address of {owner.source.display.as_posix()}"
            hint = "remove the alias, or give that page another `slug`"
        else:
            others = " and ".join(d.source.display.as_posix() for d in claimants)
            why = f"is an alias of both {others}"
            hint = "keep the alias on the page the old address was"
        for doc in claimants:
            message = f"alias `{url}` {why}; no redirect is made"
            where = (doc.source.display, doc.aliases[url])
            problems.append(Problem(Severity.WARNING, message, *where, hint=hint))
    return found, problems

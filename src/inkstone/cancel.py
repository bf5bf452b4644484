"""Stopping a running build when its sources change again (the dev server).

The dev server runs a build inside :func:`cancellable` with a question ("has anything
changed since this build began?"); the build's long loops call :func:`checkpoint`, which
raises :class:`~inkstone.errors.BuildCancelled` as soon as the answer is yes. Nothing is
committed after a checkpoint raised, so a stopped build leaves the output as it was. Outside
:func:`cancellable` (``inkstone build``) a checkpoint does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from inkstone.errors import BuildCancelled

_asked: Callable[[], bool] | None = None


@contextmanager
def cancellable(cancelled: Callable[[], bool] | None) -> Iterator[None]:
    """Let :func:`checkpoint` stop the build run inside this block when ``cancelled()``."""
    global _asked
    before, _asked = _asked, cancelled
    try:
        yield
    finally:
        _asked = before


def checkpoint() -> None:
    """Stop the build (raise :class:`BuildCancelled`) if it was told to."""
    if _asked is not None and _asked():
        raise BuildCancelled

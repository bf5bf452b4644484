"""What identifies this inkstone, for caches: any change to its code invalidates them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import inkstone
from inkstone.cache import fingerprint


@cache
def code_version() -> str:
    """A hash of inkstone's own Python source and version."""
    package = Path(inkstone.__file__).parent
    sources = sorted(package.rglob("*.py"))
    return fingerprint(
        inkstone.__version__,
        *((p.relative_to(package).as_posix(), p.read_bytes()) for p in sources),
    )

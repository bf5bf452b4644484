"""Finding the npm packages inkstone ships to readers or runs at build time.

``package.json`` pins them and ``npm ci`` installs them into ``node_modules/`` of inkstone's
checkout. KaTeX typesets formulas at build time; Mermaid's browser bundle is copied into
sites whose pages hold a diagram.
"""

from __future__ import annotations

import os
from pathlib import Path

import inkstone


def find_dist(package: str, marker: str, env_var: str) -> Path | None:
    """The folder holding ``package``'s file ``marker``: ``$env_var`` when it is set, else
    ``node_modules/<package>/dist`` in inkstone's checkout (found by walking up from the
    package) or in the current folder. None when the package is not installed."""
    candidates: list[Path] = []
    if os.environ.get(env_var):
        candidates.append(Path(os.environ[env_var]))
    here = Path(inkstone.__file__).resolve().parent
    for folder in [here, *here.parents, Path.cwd()]:
        candidates.append(folder / "node_modules" / package / "dist")
    return next((c for c in candidates if (c / marker).is_file()), None)

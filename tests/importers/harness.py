"""Running an importer on a fixture: ``fixtures/<format>/input`` is imported into a fresh
site whose files must equal ``fixtures/<format>/expected`` byte for byte.

Refresh the expected files after an intended change with
``INKSTONE_REFRESH_IMPORT_FIXTURES=1 python -m pytest tests/test_import.py``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from inkstone.importers import ImportReport, run_import

FIXTURES = Path(__file__).parent / "fixtures"
FIXED_MTIME = 1_714_521_600
"""2024-05-01 00:00 UTC: the modification time given to every fixture file, so posts that
take their date from it import the same everywhere."""
REFRESH = os.environ.get("INKSTONE_REFRESH_IMPORT_FIXTURES") == "1"


def copy_input(fixture: str, into: Path) -> Path:
    """A copy of ``fixtures/<fixture>/input`` under ``into`` with fixed modification times."""
    target = into / "source"
    shutil.copytree(FIXTURES / fixture / "input", target)
    for path in [target, *target.rglob("*")]:
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    return target


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative POSIX path → bytes)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def digest(root: Path) -> str:
    """One hash of every file name, byte and modification time under ``root``."""
    sha = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        sha.update(path.relative_to(root).as_posix().encode())
        if path.is_file():
            sha.update(path.read_bytes())
            sha.update(str(path.stat().st_mtime_ns).encode())
    return sha.hexdigest()


def import_fixture(
    fmt: str, fixture: str, tmp: Path, *, force: bool = False
) -> tuple[ImportReport, Path]:
    """Import a copy of the fixture's input into ``tmp/site``; returns the report and site."""
    source = copy_input(fixture, tmp)
    site = tmp / "site"
    return run_import(fmt, source, site, force=force), site


def assert_matches_expected(fixture: str, site: Path) -> None:
    """The site's files equal ``fixtures/<fixture>/expected`` (rewritten first when refreshing)."""
    expected_dir = FIXTURES / fixture / "expected"
    if REFRESH:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(site, expected_dir)
    actual, expected = tree(site), tree(expected_dir)
    assert sorted(actual) == sorted(expected)
    for name, data in expected.items():
        if name.endswith((".md", ".toml")):
            assert actual[name].decode() == data.decode(), name
        assert actual[name] == data, name

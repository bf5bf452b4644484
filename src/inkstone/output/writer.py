"""The output folder, written safely.

Every file goes to a staging folder beside the output folder; :meth:`SiteWriter.commit`
swaps it into place only at the end, so a failed or interrupted build leaves the previous
site as it was. No path may leave the staging folder, and an output folder that inkstone
did not make is never replaced.

A file whose bytes are the same as in the previous output is not written again: the old
file is hard-linked into the staging folder, so it keeps its modification time and rsync,
deploys and browsers see only the files that really changed.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from inkstone.errors import SourceError

MARKER = ".inkstone-output"
"""A file in every output folder inkstone writes, so it knows the folder is its own."""


class UnsafeOutput(Exception):
    """The output folder is one inkstone must not replace."""


class SiteWriter:
    """Collects the files of one build in a staging folder, then swaps them into place."""

    def __init__(
        self, out_dir: Path, site_dir: Path, previous: dict[str, str] | None = None
    ) -> None:
        self.out_dir = out_dir.resolve()
        check_output_folder(self.out_dir, site_dir.resolve())
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(
            tempfile.mkdtemp(prefix=f".{self.out_dir.name}.inkstone-", dir=self.out_dir.parent)
        )
        os.chmod(self.staging, 0o777 & ~_umask())  # mkdtemp's 0700 would hide the site
        self.written: dict[PurePosixPath, str] = {}
        """Output path → what wrote it, to catch two sources claiming one file."""
        self.unchanged = 0
        """Files kept from the previous output because their bytes did not change."""
        self.previous = previous or {}
        """Signatures of the previous output's files (see :meth:`keep`)."""
        self.signatures: dict[str, str] = {}
        """Signatures of this output's files, for the next build."""

    def target(self, rel: PurePosixPath | str, owner: str) -> Path:
        """The staging path for ``rel``; refuses paths that leave the output folder or are taken."""
        rel = PurePosixPath(rel)
        if rel in self.written and self.written[rel] == owner:
            return self.staging.joinpath(*rel.parts)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise SourceError(f"output path `{rel}` would leave the output folder", Path(owner))
        if rel in self.written and self.written[rel] != owner:
            raise SourceError(
                f"`{rel}` is claimed by both {self.written[rel]} and {owner}",
                Path(owner),
                hint="give one of them another slug",
            )
        self.written[rel] = owner
        path = self.staging.joinpath(*rel.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def keep(self, rel: PurePosixPath | str, owner: str, signature: str) -> bool:
        """Keep the previous output's file ``rel`` if it was made from the same inputs
        (same ``signature``); False when it must be made again."""
        path = self.target(rel, owner)
        key = PurePosixPath(rel).as_posix()
        if self.previous.get(key) != signature:
            return False
        old = self.out_dir / key
        try:
            os.link(old, path)
        except OSError:
            return False
        self.unchanged += 1
        self.signatures[key] = signature
        return True

    def write_text(
        self, rel: PurePosixPath | str, text: str, owner: str, signature: str | None = None
    ) -> None:
        """Write one text file (UTF-8); ``signature`` identifies its inputs for :meth:`keep`."""
        self.write_bytes(rel, text.encode("utf-8"), owner)
        if signature is not None:
            self.signatures[PurePosixPath(rel).as_posix()] = signature

    def write_bytes(self, rel: PurePosixPath | str, data: bytes, owner: str) -> None:
        """Write one file, or keep the previous output's copy when it has these bytes."""
        path = self.target(rel, owner)
        if not self._keep_previous(path, len(data), lambda old: old.read_bytes() == data):
            path.write_bytes(data)

    def copy_file(self, source: Path, rel: PurePosixPath | str, owner: str) -> None:
        """Copy one file into the output. Sources are copied, never linked: the output
        must not share an inode with a file the user edits."""
        path = self.target(rel, owner)
        size = source.stat().st_size
        if not self._keep_previous(path, size, lambda old: filecmp.cmp(source, old, shallow=False)):
            shutil.copyfile(source, path)

    def _keep_previous(self, path: Path, size: int, same: Callable[[Path], bool]) -> bool:
        """Hard-link the previous output's file to ``path`` if it is identical."""
        old = self.out_dir / path.relative_to(self.staging)
        try:
            if not old.is_file() or old.is_symlink() or old.stat().st_size != size or not same(old):
                return False
            os.link(old, path)
        except OSError:
            return False
        self.unchanged += 1
        return True

    def commit(self) -> None:
        """Swap the staging folder into place as the output folder."""
        self.write_bytes(MARKER, b"built by inkstone\n", "inkstone")
        old: Path | None = None
        if self.out_dir.exists():
            old = self.out_dir.with_name(f".{self.out_dir.name}.inkstone-old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            os.replace(self.out_dir, old)
        os.replace(self.staging, self.out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        """Throw the staging folder away (the previous output stays)."""
        shutil.rmtree(self.staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_output_folder(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder whose replacement would lose the user's files."""
    if out_dir == site_dir or out_dir in site_dir.parents:
        raise UnsafeOutput(f"output folder {out_dir} contains the site itself")
    if (site_dir / "content").exists() and (
        out_dir == site_dir / "content" or site_dir / "content" in out_dir.parents
    ):
        raise UnsafeOutput(f"output folder {out_dir} is inside the content folder")
    if out_dir.exists() and not out_dir.is_dir():
        raise UnsafeOutput(f"output path {out_dir} is a file")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise UnsafeOutput(
            f"output folder {out_dir} is not empty and was not made by inkstone; "
            "choose another folder with -o or empty it"
        )

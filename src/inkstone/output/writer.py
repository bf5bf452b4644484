"""The output folder, written safely.

A build writes nothing into the output folder until it has succeeded: every new or changed
file goes to a staging folder beside it, and :meth:`SiteWriter.commit` moves them into place
at the end (each file atomically) and removes the files the site no longer has. A failed
or interrupted build leaves the previous site as it was. No path may leave the output
folder, and an output folder that inkstone did not make is never written to.

Only what changed is written: a file whose bytes equal the previous output's, or a page
whose inputs are the same (:meth:`SiteWriter.keep`), is left untouched, keeping its
modification time, so rsync, deploys and browsers see only the files that really changed.
"""

from __future__ import annotations

import filecmp
import functools
import glob
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path, PurePosixPath

from inkstone.errors import SourceError

MARKER = ".inkstone-output"
"""A file in every output folder inkstone writes, so it knows the folder is its own."""


def is_built_site(folder: Path) -> bool:
    """Whether inkstone built a site into ``folder`` (it holds :data:`MARKER`)."""
    return (folder / MARKER).is_file()


class UnsafeOutput(Exception):
    """The output folder is one inkstone must not replace."""


class SiteWriter:
    """Collects the new and changed files of one build, then moves them into place."""

    def __init__(
        self,
        out_dir: Path,
        site_dir: Path,
        previous: dict[str, str] | None = None,
        known_files: set[str] | None = None,
    ) -> None:
        self.out_dir = out_dir.resolve()
        check_output_folder(self.out_dir, site_dir.resolve())
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned_staging(self.out_dir)
        self.staging = Path(
            tempfile.mkdtemp(prefix=staging_prefix(self.out_dir), dir=self.out_dir.parent)
        )
        os.chmod(self.staging, 0o777 & ~_umask())  # mkdtemp's 0700 would hide the site
        self.written: dict[PurePosixPath, str] = {}
        """Output path → what wrote it, to catch two sources claiming one file."""
        self.staged: list[PurePosixPath] = []
        """Files written to the staging folder (new or changed)."""
        self.unchanged = 0
        """Files kept from the previous output because they did not change."""
        self.previous = previous or {}
        """Signatures of the previous output's files (see :meth:`keep`)."""
        self.signatures: dict[str, str] = {}
        """Signatures of this output's files, for the next build."""
        self.known_files = known_files
        """Every file of the previous output, when the caller knows them (the dev server
        remembers them): stale files are then found without walking the output folder."""

    def claim(self, rel: PurePosixPath | str, owner: str) -> PurePosixPath:
        """Reserve output path ``rel`` for ``owner``; refuses paths that leave the output
        folder or that another source has claimed."""
        rel = PurePosixPath(rel)
        if self.written.get(rel) == owner:
            return rel
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise SourceError(f"output path `{rel}` would leave the output folder", Path(owner))
        if rel in self.written:
            raise SourceError(
                f"`{rel}` is claimed by both {self.written[rel]} and {owner}",
                Path(owner),
                hint="give one of them another slug",
            )
        self.written[rel] = owner
        return rel

    def keep(self, rel: PurePosixPath | str, owner: str, signature: str) -> bool:
        """Keep the previous output's file ``rel`` as it is if it was made from the same
        inputs (the same ``signature``); False when it must be made again."""
        rel = self.claim(rel, owner)
        key = rel.as_posix()
        if self.previous.get(key) != signature or not (self.out_dir / key).is_file():
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

    def write_bytes(
        self, rel: PurePosixPath | str, data: bytes, owner: str, signature: str | None = None
    ) -> None:
        """Write one file, unless the previous output has these very bytes; ``signature``
        identifies its inputs for :meth:`keep`."""
        rel = self.claim(rel, owner)
        if not self._same_as_before(rel, len(data), lambda old: old.read_bytes() == data):
            self._staged_path(rel).write_bytes(data)
        if signature is not None:
            self.signatures[rel.as_posix()] = signature

    def copy_file(self, source: Path, rel: PurePosixPath | str, owner: str) -> None:
        """Copy one file into the output. Sources are copied, never linked: the output
        must not share an inode with a file the user edits."""
        rel = self.claim(rel, owner)
        same = functools.partial(filecmp.cmp, source, shallow=False)
        if not self._same_as_before(rel, source.stat().st_size, same):
            shutil.copyfile(source, self._staged_path(rel))

    def move_folder(
        self,
        source: Path,
        rel: PurePosixPath | str,
        owner: str,
        signature: str | None = None,
        wanted: Callable[[str], bool] = lambda name: True,
    ) -> tuple[int, int]:
        """Move every file under ``source`` (a folder of :meth:`scratch`, made for the output
        by another program) whose name ``wanted`` accepts to the same place under output
        folder ``rel``, unless the previous output has these very bytes (as
        :meth:`copy_file`, without copying). The checks are made a folder at a time: a file
        is compared with the previous output's only when that has its folder (a search
        index of 10,000 posts has about 10,000 files; one at a time took 0.1 ms each).
        Returns how many files and bytes were moved or kept."""
        base = PurePosixPath(rel)
        found: list[tuple[PurePosixPath, str, int]] = []
        for here, _, names in os.walk(source):
            inside = base / Path(here).relative_to(source).as_posix()
            for name in names:
                if wanted(name):
                    path = os.path.join(here, name)
                    found.append((inside / name, path, os.stat(path).st_size))
        found.sort()
        had_folder: dict[PurePosixPath, bool] = {}
        made: set[PurePosixPath] = set()
        size = 0
        for target, path, file_size in found:
            self.claim(target, owner)
            size += file_size
            folder = target.parent
            if folder not in had_folder:
                had_folder[folder] = self.out_dir.joinpath(*folder.parts).is_dir()
            same = had_folder[folder] and self._same_as_before(
                target, file_size, functools.partial(filecmp.cmp, path, shallow=False)
            )
            if not same:
                if folder not in made:
                    self.staging.joinpath(*folder.parts).mkdir(parents=True, exist_ok=True)
                    made.add(folder)
                os.replace(path, self.staging.joinpath(*target.parts))
                self.staged.append(target)
            if signature is not None:
                self.signatures[target.as_posix()] = signature
        return len(found), size

    def scratch(self, prefix: str) -> Path:
        """A new folder for work files on the output's file system, so that files made there
        are moved into the output without being copied (:meth:`move_folder`). It is inside
        the staging folder: the caller removes it before :meth:`commit`; :meth:`discard`
        removes it with the rest."""
        return Path(tempfile.mkdtemp(prefix=f".{prefix}", dir=self.staging))

    def read_bytes(self, rel: PurePosixPath | str) -> bytes | None:
        """The bytes this build gives ``rel`` so far: the staged file if it was written anew,
        else the previous output's file it kept; None when this build has no such file."""
        rel = PurePosixPath(rel)
        if rel not in self.written:
            return None
        for path in (self.staging.joinpath(*rel.parts), self.out_dir.joinpath(*rel.parts)):
            if path.is_file():
                return path.read_bytes()
        return None

    def _same_as_before(self, rel: PurePosixPath, size: int, same: Callable[[Path], bool]) -> bool:
        old = self.out_dir.joinpath(*rel.parts)
        try:
            unchanged = old.is_file() and not old.is_symlink() and old.stat().st_size == size
            unchanged = unchanged and same(old)
        except OSError:
            unchanged = False
        self.unchanged += unchanged
        return unchanged

    def _staged_path(self, rel: PurePosixPath) -> Path:
        path = self.staging.joinpath(*rel.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.staged.append(rel)
        return path

    def commit(self, partial: bool = False, removed: Collection[str] = ()) -> None:
        """Move the staged files into the output folder and remove the files it no longer
        has. Each file is replaced atomically; the first build moves the whole folder.

        ``partial``: this writer wrote only some of the site's files (the dev server's
        preview of an edit, before the full rebuild, and its search index brought up to
        date after it): nothing else is removed but the files ``removed`` names."""
        self.write_bytes(MARKER, b"built by inkstone\n", "inkstone")
        if not self.out_dir.exists():
            os.replace(self.staging, self.out_dir)
            return
        for rel in self.staged:
            target = self.out_dir.joinpath(*rel.parts)
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)  # a folder in the old site is a file now
            for parent in reversed(rel.parents[:-1]):
                folder = self.out_dir.joinpath(*parent.parts)
                if folder.is_file() or folder.is_symlink():
                    folder.unlink()  # a file in the old site is a folder now
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging.joinpath(*rel.parts), target)
        if not partial:
            self._remove_stale()
        elif removed:
            self._remove_known_stale(set(removed) - self.files())
        shutil.rmtree(self.staging, ignore_errors=True)

    def files(self) -> set[str]:
        """Every file of this build's output (after :meth:`commit`)."""
        return {rel.as_posix() for rel in self.written}

    def _remove_stale(self) -> None:
        keep = self.files()
        if self.known_files is not None:
            self._remove_known_stale(self.known_files - keep)
            return
        for folder, dirnames, filenames in os.walk(self.out_dir, topdown=False):
            here = Path(folder)
            for name in filenames:
                path = here / name
                if path.relative_to(self.out_dir).as_posix() not in keep:
                    path.unlink()
            for name in dirnames:
                path = here / name
                if path.is_symlink():
                    path.unlink()
                elif not any(path.iterdir()):
                    path.rmdir()

    def _remove_known_stale(self, stale: set[str]) -> None:
        """Remove ``stale`` files, then the folders they leave empty."""
        folders: set[Path] = set()
        for rel in stale:
            path = self.out_dir.joinpath(*PurePosixPath(rel).parts)
            if path.is_file() or path.is_symlink():
                path.unlink()
            folders.update(p for p in path.parents if self.out_dir in p.parents)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    def discard(self) -> None:
        """Throw the staged files away (the previous output stays as it was)."""
        shutil.rmtree(self.staging, ignore_errors=True)


def staging_names(out_dir: Path) -> str:
    """What the names of the staging folders of builds into ``out_dir`` (beside it) start
    with: ``.public.inkstone-``."""
    return f".{out_dir.name}.inkstone-"


def staging_prefix(out_dir: Path, pid: int | None = None) -> str:
    """The start of the name of a staging folder of the process ``pid`` (this one by
    default): ``.public.inkstone-PID-``."""
    return f"{staging_names(out_dir)}{os.getpid() if pid is None else pid}-"


def remove_abandoned_staging(out_dir: Path) -> list[Path]:
    """Remove the staging folders beside ``out_dir`` left by builds that were killed: those
    whose process is gone. A build running at the same time keeps its own. Returns them."""
    removed = []
    names = staging_names(out_dir)
    pattern = re.compile(re.escape(names) + r"(\d+)-")
    for path in out_dir.parent.glob(f"{glob.escape(names)}*"):
        found = pattern.match(path.name)
        if found is None or not path.is_dir() or path.is_symlink():
            continue
        if not _process_exists(int(found.group(1))):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _process_exists(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OverflowError, OSError):
        pass  # someone else's process, or one we cannot ask about: not ours to judge
    return True


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

"""The ``git`` target: the output folder as one new commit on a branch (GitHub Pages).

Everything happens in a bare repository in a temporary folder: the branch's last commit is
fetched into it (``--depth=1``), the output folder is read into a private index with
``--work-tree`` (nothing is written there), ``.nojekyll`` and ``CNAME`` are added as blobs,
and ``commit-tree`` makes one commit on top of the fetched one (or an orphan commit the first
time). The user's repository, working tree and current branch are never touched. When the
tree equals the branch's last tree, no commit is made. The branch always mirrors the output
folder: files that left the output leave the branch (``--delete`` is implied).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from inkstone.deploy.targets import DeployError, DeployResult, GitSettings, local_path
from inkstone.output.writer import MARKER

FALLBACK_NAME = "inkstone deploy"
"""Author and committer name when neither the environment nor git config gives one."""
FALLBACK_EMAIL = "deploy@inkstone.invalid"
"""Author and committer email when neither the environment nor git config gives one."""

# No conversion of any kind: the branch gets the output's exact bytes, whatever the
# .gitattributes files in the output or the user's core.autocrlf say.
_ATTRIBUTES = "* -text -filter -ident -working-tree-encoding\n"


def deploy_git(
    out_dir: Path, settings: GitSettings, site_dir: Path, *, dry_run: bool = False
) -> DeployResult:
    """Commit ``out_dir`` to ``settings.branch`` of ``settings.remote`` and push it."""
    git = Git.find()
    remote = settings.remote or git.origin_url(site_dir)
    if not remote:
        raise DeployError(
            "no git remote to deploy to",
            "set `remote` in [deploy.git] of site.toml or pass --remote",
        )
    branch = settings.branch
    if not branch or git.run("check-ref-format", "--branch", branch, check=False).returncode:
        raise DeployError(f"`{branch}` is not a valid branch name", "pass another --branch")
    identity = commit_identity(git, site_dir)
    source = git.run("-C", str(site_dir), "rev-parse", "--verify", "-q", "HEAD", check=False)
    message = settings.message.strip() or "Deploy with inkstone"
    if source.returncode == 0 and source.stdout.strip():
        message += f"\n\nBuilt from {source.stdout.strip()}."
    destination = f"branch {branch} of {remote}"

    with tempfile.TemporaryDirectory(prefix="inkstone-deploy-") as tmp:
        repo = git.at(Path(tmp) / "repo.git", Path(tmp) / "index")
        repo.run("init", "--bare", "-q", str(repo.git_dir))
        (repo.git_dir / "info").mkdir(exist_ok=True)
        (repo.git_dir / "info" / "attributes").write_text(_ATTRIBUTES, encoding="utf-8")

        parent = _fetch_branch(repo, remote, branch)
        repo.run("read-tree", "--empty")
        repo.run(
            "-C",
            str(out_dir.resolve()),
            "--work-tree=.",
            "add",
            "--all",
            "--force",
            "--",
            ".",
            f":(top,exclude){MARKER}",
        )
        _add_blob(repo, ".nojekyll", b"")
        if settings.domain:
            _add_blob(repo, "CNAME", settings.domain.strip().encode("utf-8") + b"\n")
        tree = repo.run("write-tree").stdout.strip()
        total = len(repo.run("ls-files", "-z").stdout.split("\0")) - 1

        if (
            parent is not None
            and repo.run("rev-parse", f"{parent}^{{tree}}").stdout.strip() == tree
        ):
            return DeployResult(
                destination,
                unchanged=total,
                dry_run=dry_run,
                note="no changes, so no commit was made",
            )
        changes = _changes(repo, parent, tree)
        sent = sum(1 for action, _ in changes if action == "send")
        deleted = len(changes) - sent
        result = DeployResult(
            destination, sent, total - sent, deleted, dry_run=dry_run, changes=changes
        )
        if dry_run:
            result.note = "a new commit would be made" + ("" if parent else " (a new branch)")
            return result
        args = ["commit-tree", tree, "-m", message]
        if parent is not None:
            args += ["-p", parent]
        commit = repo.run(*args, env=identity).stdout.strip()
        _push(repo, remote, commit, branch)
        result.note = f"commit {commit[:12]}" + ("" if parent else " (new branch)")
        return result


def commit_identity(git: Git, site_dir: Path) -> dict[str, str]:
    """``GIT_AUTHOR_*``/``GIT_COMMITTER_*`` for the deploy commit.

    Each comes from the environment when set there, else from git config as read in the
    site's folder (``author.*``/``committer.*``, then ``user.*``), else from the fallback
    identity, so that a deploy from a CI machine with no git config still commits.
    """
    identity: dict[str, str] = {}
    for role in ("author", "committer"):
        for part, fallback in (("name", FALLBACK_NAME), ("email", FALLBACK_EMAIL)):
            variable = f"GIT_{role.upper()}_{part.upper()}"
            value = os.environ.get(variable, "").strip()
            for key in (f"{role}.{part}", f"user.{part}"):
                if value:
                    break
                found = git.run("-C", str(site_dir), "config", "--get", key, check=False)
                value = found.stdout.strip() if found.returncode == 0 else ""
            identity[variable] = value or fallback
    return identity


def _fetch_branch(repo: Git, remote: str, branch: str) -> str | None:
    """Fetch the branch's last commit; its id, or None when the branch does not exist yet."""
    heads = repo.run("ls-remote", "--heads", "--", remote, f"refs/heads/{branch}", check=False)
    if heads.returncode != 0:
        raise DeployError(
            f"cannot read the git remote {remote}: {_last_line(heads.stderr)}",
            "check the URL or path and your access to it (try: git ls-remote URL)",
        )
    if not heads.stdout.strip():
        return None
    fetched = repo.run(
        "fetch",
        "-q",
        "--depth=1",
        "--no-tags",
        "--",
        remote,
        f"+refs/heads/{branch}:refs/inkstone/parent",
        check=False,
    )
    if fetched.returncode != 0:
        raise DeployError(
            f"cannot fetch branch {branch} from {remote}: {_last_line(fetched.stderr)}",
            "check your access to the remote",
        )
    return repo.run("rev-parse", "refs/inkstone/parent").stdout.strip()


def _add_blob(repo: Git, name: str, data: bytes) -> None:
    blob = repo.run("hash-object", "-w", "--stdin", input=data).stdout.strip()
    repo.run("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}")


def _changes(repo: Git, parent: str | None, tree: str) -> list[tuple[str, str]]:
    if parent is None:
        names = repo.run("ls-tree", "-r", "-z", "--name-only", tree).stdout.split("\0")
        return [("send", name) for name in names if name]
    fields = repo.run(
        "diff-tree", "-r", "-z", "--no-renames", "--name-status", parent, tree
    ).stdout.split("\0")
    changes: list[tuple[str, str]] = []
    for status, name in zip(fields[0::2], fields[1::2], strict=False):
        changes.append(("delete" if status == "D" else "send", name))
    return changes


def _push(repo: Git, remote: str, commit: str, branch: str) -> None:
    # No hooks: this is a machine-made commit in a temporary repository.
    no_hooks = f"core.hooksPath={repo.git_dir / 'no-hooks'}"
    pushed = repo.run(
        "-c", no_hooks, "push", "-q", "--", remote, f"{commit}:refs/heads/{branch}", check=False
    )
    if pushed.returncode == 0:
        return
    if "non-fast-forward" in pushed.stderr or "fetch first" in pushed.stderr:
        raise DeployError(
            f"branch {branch} of {remote} changed while deploying", "run the deploy again"
        )
    raise DeployError(
        f"git push to {remote} failed: {_last_line(pushed.stderr)}",
        "check that you may push to it (and that the branch is not checked out there)",
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1].removeprefix("fatal: ").removeprefix("error: ") if lines else "unknown error"


class Git:
    """Runs git with a clean environment: no repository is found from the current folder or
    from ``GIT_DIR`` and its kin (as set when inkstone runs inside a git hook)."""

    def __init__(self, exe: str, git_dir: Path | None = None, index: Path | None = None) -> None:
        self.exe = exe
        self.git_dir = git_dir or Path()
        self.index = index
        env = dict(os.environ)
        for name in _LOCAL_ENV_VARS:
            env.pop(name, None)
        env["GIT_TERMINAL_PROMPT"] = env.get("GIT_TERMINAL_PROMPT", "0")
        if git_dir is not None:
            env["GIT_DIR"] = str(git_dir)
        if index is not None:
            env["GIT_INDEX_FILE"] = str(index)
        self.env = env

    @classmethod
    def find(cls) -> Git:
        """The git on PATH; a clear error when there is none."""
        exe = shutil.which("git")
        if exe is None:
            raise DeployError(
                "git is not installed", "install it (Debian: apt-get install git) and retry"
            )
        return cls(exe)

    def at(self, git_dir: Path, index: Path) -> Git:
        """The same git, working on the repository ``git_dir`` with the index file ``index``."""
        return Git(self.exe, git_dir, index)

    def origin_url(self, site_dir: Path) -> str | None:
        """The URL of ``origin`` of the repository holding ``site_dir``, if any."""
        found = self.run("-C", str(site_dir), "remote", "get-url", "origin", check=False)
        url = found.stdout.strip()
        if found.returncode != 0 or not url:
            return None
        return local_path(url, site_dir)

    def run(
        self,
        *args: str,
        check: bool = True,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``git ARGS``; raise :class:`DeployError` on failure unless ``check`` is False."""
        full_env = {**self.env, **(env or {})}
        if args and args[0] == "init":
            full_env.pop("GIT_DIR", None)
        completed = subprocess.run(
            [self.exe, *args],
            input=input,
            capture_output=True,
            env=full_env,
            cwd=self.git_dir.parent if self.index is not None else None,
            check=False,
        )
        result = subprocess.CompletedProcess(
            completed.args,
            completed.returncode,
            completed.stdout.decode("utf-8", "surrogateescape"),
            completed.stderr.decode("utf-8", "replace"),
        )
        if check and result.returncode != 0:
            raise DeployError(
                f"`git {_show(args)}` failed: {_last_line(result.stderr)}",
                "this is a bug or a broken git setup; please report it with the message",
            )
        return result


def _show(args: Sequence[str]) -> str:
    """The subcommand of a git command line, e.g. ``add`` for ``-C dir --work-tree=. add``."""
    skip = False
    for arg in args:
        if skip or arg.startswith("-"):
            skip = arg == "-C"
            continue
        return arg
    return ""


_LOCAL_ENV_VARS = (
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_CONFIG",
    "GIT_DIR",
    "GIT_GRAFT_FILE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_NAMESPACE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_OBJECT_DIRECTORY",
    "GIT_PREFIX",
    "GIT_REPLACE_REF_BASE",
    "GIT_SHALLOW_FILE",
    "GIT_WORK_TREE",
)

"""``inkstone deploy``: git (a local bare repository), rsync (a local folder) and s3 (a moto
server on 127.0.0.1), run through the command line; and the refusals."""

from __future__ import annotations

import stat
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from inkstone.deploy.cli import deploy_command
from inkstone.deploy.git import FALLBACK_EMAIL, FALLBACK_NAME
from inkstone.deploy.s3 import content_type
from inkstone.output.writer import MARKER

from .sites import build_site, write_site

SITE = """
-- site.toml --
title = "Deploy test"
-- content/posts/2024-01-02-hello.md --
---
title: Hello
date: 2024-01-02
---
Hello, world.
-- content/about.md --
# About
"""


def run(*args: str) -> tuple[int, str]:
    """Run ``inkstone deploy ARGS``; its exit code and everything it printed."""
    result = CliRunner().invoke(deploy_command, list(args))
    return result.exit_code, result.output


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def make_output(root: Path, files: dict[str, str]) -> Path:
    """An output folder as ``inkstone build`` leaves it: the files plus the marker."""
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("built by inkstone\n", encoding="utf-8")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (``/``-separated relative path → bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def git_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git reads no configuration but the tests' own; no identity in the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        for part in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{role}_{part}", raising=False)
    (home / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")


# --- git ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("git_home")
def test_git_deploy_commits_only_changes_and_leaves_the_users_repo_alone(tmp_path: Path) -> None:
    remote = tmp_path / "pages.git"
    git(tmp_path, "init", "--bare", "-q", str(remote))
    # The user's repository: the site's sources, its origin is the bare repository, and an
    # uncommitted edit in the working tree.
    blog = tmp_path / "blog"
    write_site(blog, SITE + "-- .gitignore --\npublic/\n-- notes.txt --\ndraft\n")
    with (blog / "site.toml").open("a", encoding="utf-8") as f:
        f.write('\n[deploy.git]\ndomain = "blog.example.com"\n')
    git(blog, "init", "-q")
    git(blog, "config", "user.name", "Site Owner")
    git(blog, "config", "user.email", "owner@example.com")
    git(blog, "remote", "add", "origin", str(remote))
    git(blog, "add", "-A")
    git(blog, "commit", "-q", "-m", "sources")
    (blog / "notes.txt").write_text("work in progress\n", encoding="utf-8")
    report, out = build_site(blog)
    assert not report.errors
    before = (
        git(blog, "status", "--porcelain"),
        git(blog, "rev-parse", "HEAD"),
        git(blog, "branch", "--list", "--all"),
        git(blog, "stash", "list"),
    )

    # First deploy: an orphan gh-pages with the output, .nojekyll and CNAME, no marker.
    code, output = run(str(blog))
    assert code == 0, output
    assert "branch gh-pages of" in output and "(new branch)" in output
    files = sorted(git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    built = {rel: data for rel, data in tree(out).items() if rel != MARKER}
    assert files == sorted([*built, ".nojekyll", "CNAME"])
    assert MARKER not in files and "index.html" in files
    assert git(remote, "show", "gh-pages:CNAME") == "blog.example.com"
    assert git(remote, "show", "gh-pages:.nojekyll") == ""
    assert git(remote, "show", "gh-pages:index.html") == built["index.html"].decode().strip()
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"
    first = git(remote, "rev-parse", "gh-pages")
    # Author and committer from the site repository's git config; message names the source.
    assert git(remote, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "gh-pages") == (
        "Site Owner <owner@example.com>|Site Owner <owner@example.com>"
    )
    assert before[1] in git(remote, "log", "-1", "--format=%B", "gh-pages")

    # One file changed: a dry run reports it and pushes nothing.
    with (out / "robots.txt").open("a", encoding="utf-8") as f:
        f.write("# changed\n")
    code, output = run(str(blog), "--dry-run")
    assert code == 0, output
    assert "send  robots.txt" in output and "1 to send" in output
    assert git(remote, "rev-parse", "gh-pages") == first

    # The real deploy: exactly one new commit, on top of the first, whose diff is that file.
    code, output = run(str(blog))
    assert code == 0, output
    assert "1 sent" in output and "0 deleted" in output
    assert git(remote, "rev-list", "--count", "gh-pages") == "2"
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert git(remote, "diff", "--name-only", first, "gh-pages") == "robots.txt"
    second = git(remote, "rev-parse", "gh-pages")

    # Nothing changed: no commit.
    code, output = run(str(blog))
    assert code == 0, output
    assert "no changes, so no commit was made" in output and "0 sent" in output
    assert git(remote, "rev-parse", "gh-pages") == second

    # A file gone from the output is gone from the branch (the branch mirrors the output).
    (out / "robots.txt").unlink()
    code, output = run(str(blog))
    assert code == 0, output
    assert "1 deleted" in output
    assert git(remote, "diff", "--name-status", second, "gh-pages") == "D\trobots.txt"

    # The user's repository: same status, same HEAD and branches, no stash, edit intact.
    after = (
        git(blog, "status", "--porcelain"),
        git(blog, "rev-parse", "HEAD"),
        git(blog, "branch", "--list", "--all"),
        git(blog, "stash", "list"),
    )
    assert after == before
    assert git(blog, "symbolic-ref", "--short", "HEAD") == "main"
    assert (blog / "notes.txt").read_text(encoding="utf-8") == "work in progress\n"


@pytest.mark.usefixtures("git_home")
def test_git_identity_falls_back_without_config_and_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = tmp_path / "pages.git"
    git(tmp_path, "init", "--bare", "-q", str(remote))
    site = tmp_path / "site"
    out = make_output(site / "public", {"index.html": "<p>one</p>\n"})

    code, output = run(str(site), "--remote", str(remote), "--branch", "pages")
    assert code == 0, output
    assert git(remote, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "pages") == (
        f"{FALLBACK_NAME} <{FALLBACK_EMAIL}>|{FALLBACK_NAME} <{FALLBACK_EMAIL}>"
    )
    assert sorted(git(remote, "ls-tree", "--name-only", "pages").splitlines()) == [
        ".nojekyll",
        "index.html",
    ]

    monkeypatch.setenv("GIT_AUTHOR_NAME", "CI Bot")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ci@example.com")
    (out / "index.html").write_text("<p>two</p>\n", encoding="utf-8")
    code, output = run(str(site), "--remote", str(remote), "--branch", "pages")
    assert code == 0, output
    assert git(remote, "log", "-1", "--format=%an <%ae>|%cn", "pages") == (
        f"CI Bot <ci@example.com>|{FALLBACK_NAME}"
    )


@pytest.mark.usefixtures("git_home")
def test_git_deploy_to_an_unreachable_remote_is_one_clear_line(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_output(site / "public", {"index.html": "x"})
    code, output = run(str(site), "--remote", str(tmp_path / "missing.git"))
    assert code == 1
    assert "cannot read the git remote" in output and "git ls-remote" in output


# --- rsync -------------------------------------------------------------------------------


def test_rsync_copies_to_a_folder_and_deletes_stale_files_only_with_delete(
    tmp_path: Path,
) -> None:
    blog = tmp_path / "blog"
    write_site(blog, SITE)
    with (blog / "site.toml").open("a", encoding="utf-8") as f:
        f.write('\n[deploy.rsync]\ndest = "../www"\n')
    report, out = build_site(blog)
    assert not report.errors
    out.chmod(0o700)  # a private build folder must not make a private web root
    www = tmp_path / "www"
    www.mkdir()
    (www / "stale.html").write_text("old", encoding="utf-8")
    built = {rel: data for rel, data in tree(out).items() if rel != MARKER}

    code, output = run(str(blog))  # the only target configured: rsync, dest relative to blog
    assert code == 0, output
    assert f"{len(built)} sent, 0 unchanged, 0 deleted" in output
    assert "1 stale file(s) left in place" in output
    assert tree(www) == {**built, "stale.html": b"old"}
    assert not (www / MARKER).exists()
    # The web server must be able to read what was copied.
    assert stat.S_IMODE(www.stat().st_mode) == 0o755
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o444 == 0o444 for p in www.rglob("*"))

    with (out / "robots.txt").open("a", encoding="utf-8") as f:
        f.write("# changed\n")
    code, output = run(str(blog), "--verbose")
    assert code == 0, output
    assert f"1 sent, {len(built) - 1} unchanged, 0 deleted" in output
    assert "send  robots.txt" in output
    assert (www / "robots.txt").read_bytes() == (out / "robots.txt").read_bytes()
    assert (www / "stale.html").exists()

    code, output = run(str(blog), "--delete", "--dry-run")
    assert code == 0, output
    assert "1 to delete" in output and (www / "stale.html").exists()

    code, output = run(str(blog), "--delete")
    assert code == 0, output
    assert f"0 sent, {len(built)} unchanged, 1 deleted" in output
    assert not (www / "stale.html").exists()
    assert tree(www) == {rel: data for rel, data in tree(out).items() if rel != MARKER}


def test_rsync_refuses_a_destination_inside_the_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    out = make_output(site / "public", {"index.html": "x"})
    code, output = run(str(site), "--dest", str(out / "copy"))
    assert code == 1 and "overlaps the output folder" in output


# --- s3 ----------------------------------------------------------------------------------


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any]]:
    """A moto S3 server on 127.0.0.1 at a free port, dummy credentials; (endpoint, client)."""
    import boto3
    from moto.server import ThreadedMotoServer

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        yield endpoint, boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    finally:
        server.stop()


def test_s3_uploads_with_headers_skips_unchanged_and_deletes_only_with_delete(
    tmp_path: Path, s3: tuple[str, Any]
) -> None:
    endpoint, client = s3
    bucket = f"site-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="blog/stale.html", Body=b"old")
    client.put_object(Bucket=bucket, Key="other/keep.txt", Body=b"not ours")
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.toml").write_text(
        f'[deploy.s3]\nbucket = "{bucket}"\nprefix = "/blog/"\nendpoint_url = "{endpoint}"\n',
        encoding="utf-8",
    )
    files = {
        "index.html": "<h1>home</h1>\n",
        "posts/hello/index.html": "<p>你好</p>\n",
        "atom.xml": "<feed/>\n",
        "sitemap.xml": "<urlset/>\n",
        "feed.json": "{}\n",
        "assets/style.css": "body {}\n",
        "assets/katex/fonts/KaTeX_Main-Regular.woff2": "wOF2",
        "posts/hello/figure.png": "PNG",
    }
    out = make_output(site / "public", files)

    code, output = run(str(site))
    assert code == 0, output
    assert f"s3://{bucket}/blog/" in output
    assert "8 sent, 0 unchanged, 0 deleted; 1 stale file(s) left in place" in output

    def objects() -> dict[str, Any]:
        listing = client.list_objects_v2(Bucket=bucket)
        return {item["Key"]: item for item in listing.get("Contents", [])}

    expected = {f"blog/{rel}" for rel in files} | {"blog/stale.html", "other/keep.txt"}
    assert set(objects()) == expected  # no marker
    headers = {
        "index.html": ("text/html; charset=utf-8", "public, max-age=0, must-revalidate"),
        "posts/hello/index.html": (
            "text/html; charset=utf-8",
            "public, max-age=0, must-revalidate",
        ),
        "atom.xml": ("application/xml", "public, max-age=0, must-revalidate"),
        "sitemap.xml": ("application/xml", "public, max-age=0, must-revalidate"),
        "feed.json": ("application/json", "public, max-age=0, must-revalidate"),
        "assets/style.css": ("text/css; charset=utf-8", "public, max-age=86400"),
        "assets/katex/fonts/KaTeX_Main-Regular.woff2": ("font/woff2", "public, max-age=86400"),
        "posts/hello/figure.png": ("image/png", "public, max-age=3600"),
    }
    for rel, (ctype, cache) in headers.items():
        head = client.head_object(Bucket=bucket, Key=f"blog/{rel}")
        assert (head["ContentType"], head["CacheControl"]) == (ctype, cache), rel
    body = client.get_object(Bucket=bucket, Key="blog/posts/hello/index.html")["Body"].read()
    assert body == (out / "posts/hello/index.html").read_bytes()

    # Change one file: only it is uploaded (every other object keeps its upload time).
    stamps = {key: item["LastModified"] for key, item in objects().items()}
    time.sleep(1.1)
    (out / "assets/style.css").write_text("body { color: red }\n", encoding="utf-8")
    code, output = run(str(site), "--verbose")
    assert code == 0, output
    assert "1 sent, 7 unchanged, 0 deleted" in output
    assert [line.split()[-1] for line in output.splitlines() if " send " in f" {line}"] == [
        "assets/style.css"
    ]
    changed = {key for key, item in objects().items() if item["LastModified"] != stamps[key]}
    assert changed == {"blog/assets/style.css"}
    body = client.get_object(Bucket=bucket, Key="blog/assets/style.css")["Body"].read()
    assert body == b"body { color: red }\n"

    # --delete removes the stale object under the prefix, never one outside it.
    code, output = run(str(site), "--delete", "--dry-run")
    assert code == 0, output
    assert "1 to delete" in output and "blog/stale.html" in objects()
    code, output = run(str(site), "--delete")
    assert code == 0, output
    assert "0 sent, 8 unchanged, 1 deleted" in output
    assert set(objects()) == expected - {"blog/stale.html"}


def test_s3_missing_bucket_and_credentials_in_site_toml_are_refused(
    tmp_path: Path, s3: tuple[str, Any]
) -> None:
    endpoint, _ = s3
    site = tmp_path / "site"
    make_output(site / "public", {"index.html": "x"})
    code, output = run(str(site), "--bucket", "no-such-bucket", "--endpoint-url", endpoint)
    assert code == 1 and "bucket no-such-bucket does not exist" in output

    (site / "site.toml").write_text(
        '[deploy.s3]\nbucket = "b"\naws_secret_access_key = "x"\n', encoding="utf-8"
    )
    code, output = run(str(site))
    assert code == 1 and "credentials do not belong in site.toml" in output


def test_content_types_of_common_files() -> None:
    assert content_type("a/b.HTML") == "text/html; charset=utf-8"
    assert content_type("rss.xml") == "application/xml"
    assert content_type("x.svg") == "image/svg+xml"
    assert content_type("font.woff") == "font/woff"
    assert content_type("no-suffix") == "application/octet-stream"


# --- refusals ----------------------------------------------------------------------------


def test_deploy_refuses_a_missing_folder_and_a_folder_inkstone_did_not_make(
    tmp_path: Path,
) -> None:
    dest = tmp_path / "www"
    site = tmp_path / "site"
    site.mkdir()
    code, output = run(str(site), "--dest", str(dest))
    assert code == 1
    assert "public does not exist" in output and "inkstone build" in output

    (site / "public").mkdir()
    (site / "public" / "index.html").write_text("mine", encoding="utf-8")
    code, output = run(str(site), "--dest", str(dest))
    assert code == 1
    assert f"is not an inkstone output folder (it has no {MARKER} file)" in output

    code, output = run(
        str(site), "--target", "git", "--dest", str(dest), "--output", str(tmp_path / "nowhere")
    )
    assert code == 1 and "nowhere does not exist" in output
    assert "the rsync options are ignored by a git deploy" in output
    assert not dest.exists()


def test_deploy_without_a_target_or_with_a_bad_setting_says_how_to_fix_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_output(site / "public", {"index.html": "x"})
    code, output = run(str(site))
    assert code == 1 and "no deploy target chosen" in output and "--target" in output

    (site / "site.toml").write_text(
        '[deploy]\ntarget = "ftp"\n[deploy.rsync]\ndset = "x"\n', encoding="utf-8"
    )
    code, output = run(str(site))
    assert code == 1 and "`deploy.target` must be one of git, rsync, s3" in output

    (site / "site.toml").write_text('[deploy.rsync]\ndset = "x"\n', encoding="utf-8")
    code, output = run(str(site))
    assert code == 1
    assert "unknown setting `deploy.rsync.dset` (did you mean `deploy.rsync.dest`?)" in output
    assert "no rsync destination" in output

"""``inkstone import``: every format's fixture imported byte for byte, the reports, running
twice, ``--force``, formulas surviving the platforms' own export formats, and an imported
site building with every formula typeset."""

from __future__ import annotations

import html
import zipfile
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from click.testing import CliRunner

from inkstone.cli import main
from inkstone.importers import IMPORTERS, importer, run_import
from inkstone.importers.formulas import find_formulas, normalise
from inkstone.importers.model import Formula, ImportBatch, ImportedPost
from inkstone.importers.writer import write_batch
from tests.importers.harness import (
    FIXTURES,
    assert_matches_expected,
    copy_input,
    digest,
    import_fixture,
    tree,
)
from tests.sites import build_site

CASES = {
    "hexo": (
        "2 posts imported (2 written, 0 unchanged, 0 kept), 8 formulas found, 8 written, "
        "2 images copied, 1 problems",
        [
            "source/_posts/2024-03-14-svm.md:40: Hexo tag {% jsfiddle %} has no inkstone "
            "equivalent; left as it is (rewrite it as Markdown or HTML)"
        ],
    ),
    "zhihu": (
        "2 posts imported (2 written, 0 unchanged, 0 kept), 10 formulas found, 10 written, "
        "0 images copied, 2 problems",
        [
            "梯度下降为什么有效.html:17: `[公式]` stands where a formula was; its TeX is gone "
            "(write the formula as $…$ in the imported post)",
            "牛顿法.md:9: `[公式]` stands where a formula was; its TeX is gone "
            "(write the formula as $…$ in the imported post)",
        ],
    ),
    "csdn": (
        "2 posts imported (2 written, 0 unchanged, 0 kept), 9 formulas found, 9 written, "
        "1 images copied, 1 problems",
        [
            "poisson.html:9: MathJax 3 output keeps no TeX; this formula is lost "
            "(copy its TeX from the original post)"
        ],
    ),
    "notion": (
        "2 posts imported (2 written, 0 unchanged, 0 kept), 6 formulas found, 6 written, "
        "1 images copied, 0 problems",
        [],
    ),
    "hugo": (
        "2 posts imported (2 written, 0 unchanged, 0 kept), 4 formulas found, 4 written, "
        "2 images copied, 1 problems",
        [
            'content/posts/pca/index.md:27: shortcode {{< tweet user="someone" id="12345" >}} '
            "has no inkstone equivalent; left as it is (rewrite it as Markdown or HTML)"
        ],
    ),
    "jekyll": (
        "3 posts imported (3 written, 0 unchanged, 0 kept), 5 formulas found, 5 written, "
        "1 images copied, 1 problems",
        [
            "_posts/2022-05-08-kl.md:12: Liquid tag {% seo %} has no inkstone equivalent; "
            "left as it is (rewrite it as Markdown or HTML)"
        ],
    ),
    "obsidian": (
        "2 posts imported (2 written, 0 unchanged, 0 kept), 4 formulas found, 4 written, "
        "1 images copied, 1 problems",
        [
            "优化索引.md:5: image not found: 缺失的图.png (copy the image beside the imported "
            "post and fix the link)"
        ],
    ),
    "docsify": (
        "3 posts imported (3 written, 0 unchanged, 0 kept), 3 formulas found, 3 written, "
        "1 images copied, 1 problems",
        [
            "_sidebar.md:5: the navigation lists basics/variance.md, which is missing "
            "(remove it from the navigation, or add the page)"
        ],
    ),
    "mkdocs": (
        "4 posts imported (4 written, 0 unchanged, 0 kept), 7 formulas found, 7 written, "
        "0 images copied, 1 problems",
        [
            "mkdocs.yml:15: the navigation lists roots/secant.md, which is missing "
            "(remove it from the navigation, or add the page)"
        ],
    ),
}

FORMULAS = [
    (r"\mathcal{L}(\theta) = -\sum_{i=1}^{n} y_i \log \hat{y}_i", False),
    (r"a_i * b_j", False),
    (r"\{x \mid x^2 < 2\}", False),
    (r"\text{总损失} = L_1 + \lambda \|w\|_2^2", True),
    (r"P(A \cap B) = P(A)\,P(B \mid A)", False),
    (r"\begin{aligned} f(x) &= x^2 + 2x + 1 \\ &= (x+1)^2 \end{aligned}", True),
    (r"e^{i\pi} + 1 = 0", True),
    (r"\frac{\partial L}{\partial w} = X^\top (Xw - y) \quad \& \quad 50\%", False),
]
"""The round-trip corpus: underscores, braces, ``<``, ``&``, ``%``, Chinese, ``\\\\``."""


def _texts(markdown: str) -> list[tuple[str, bool]]:
    return [(normalise(f.tex), f.display) for f in find_formulas(markdown)]


def _expected() -> list[tuple[str, bool]]:
    return [(normalise(tex), display) for tex, display in FORMULAS]


def _only_post(site: Path) -> str:
    [post] = sorted((site / "content" / "posts").glob("*/index.md"))
    return post.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_fixture_imports_to_the_expected_files_and_report(fmt: str, tmp_path: Path) -> None:
    report, site = import_fixture(fmt, fmt, tmp_path)
    assert_matches_expected(fmt, site)
    summary, problems = CASES[fmt]
    assert report.summary() == summary
    assert [str(p) for p in report.problems] == problems
    assert report.formulas_found == report.formulas_written


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_second_import_writes_nothing_new(fmt: str, tmp_path: Path) -> None:
    first, site = import_fixture(fmt, fmt, tmp_path)
    before = tree(site)
    second = run_import(fmt, tmp_path / "source", site)
    assert tree(site) == before
    assert second.written == []
    assert second.unchanged == first.written
    assert second.images == 0
    assert second.posts == first.posts
    assert not second.site_toml


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_import_never_changes_the_source(fmt: str, tmp_path: Path) -> None:
    source = copy_input(fmt, tmp_path / "copy")
    before = digest(source)
    run_import(fmt, source, tmp_path / "site")
    assert digest(source) == before


def test_existing_different_post_is_kept_without_force(tmp_path: Path) -> None:
    _, site = import_fixture("hexo", "hexo", tmp_path)
    post = site / "content/posts/注意力机制/index.md"
    post.write_text("---\ntitle: 我改过的版本\n---\n\n手写的内容。\n", encoding="utf-8")
    report = run_import("hexo", tmp_path / "source", site)
    assert post.read_text(encoding="utf-8") == "---\ntitle: 我改过的版本\n---\n\n手写的内容。\n"
    assert [p.as_posix() for p in report.kept] == ["content/posts/注意力机制/index.md"]
    assert (
        "source/_posts/注意力机制.md: content/posts/注意力机制/index.md already exists with "
        "other content; kept it (pass --force to overwrite it)"
    ) in [str(p) for p in report.problems]
    forced = run_import("hexo", tmp_path / "source", site, force=True)
    assert [p.as_posix() for p in forced.written] == ["content/posts/注意力机制/index.md"]
    assert forced.kept == []
    assert_matches_expected("hexo", site)


def test_existing_site_toml_is_left_alone(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.toml").write_text('title = "我的站"\n', encoding="utf-8")
    report = run_import("hexo", copy_input("hexo", tmp_path), site)
    assert not report.site_toml
    assert (site / "site.toml").read_text(encoding="utf-8") == 'title = "我的站"\n'


def test_a_placeholder_address_is_not_written_as_base_url(tmp_path: Path) -> None:
    """``hexo init`` writes ``url: http://example.com``; the imported site keeps its links
    under the blog's sub-path (``root``) but names no such host."""
    blog = tmp_path / "blog"
    (blog / "source" / "_posts").mkdir(parents=True)
    (blog / "source" / "_posts" / "a.md").write_text("---\ntitle: A\n---\n\nText.\n", "utf-8")
    for url, root, expected in [
        ("http://example.com", "/", 'title = "Blog"\n'),
        ("http://example.com", "/notes/", 'title = "Blog"\nbase_url = "/notes/"\n'),
        ("https://me.github.io/notes", "/notes/", 'base_url = "https://me.github.io/notes/"'),
    ]:
        settings = f"title: Blog\nurl: {url}\nroot: {root}\n"
        (blog / "_config.yml").write_text(settings, encoding="utf-8")
        site = tmp_path / f"site-{len(root)}-{len(url)}"
        run_import("hexo", blog, site)
        assert expected in (site / "site.toml").read_text(encoding="utf-8"), url
        assert "example.com" not in (site / "site.toml").read_text(encoding="utf-8")


def test_notion_zip_imports_like_the_folder(tmp_path: Path) -> None:
    source = copy_input("notion", tmp_path / "folder")
    archive = tmp_path / "Export-2024.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(source).as_posix())
    report = run_import("notion", archive, tmp_path / "site")
    assert report.summary() == CASES["notion"][0]
    assert_matches_expected("notion", tmp_path / "site")


def test_bad_sources_are_reported_and_the_rest_imported(tmp_path: Path) -> None:
    posts = tmp_path / "blog" / "source" / "_posts"
    posts.mkdir(parents=True)
    (posts / "good.md").write_text("---\ntitle: 好\ndate: 2024-01-01\n---\n\n$x$\n", "utf-8")
    (posts / "broken.md").write_text("---\ntitle: 坏\ntags: [a\n---\n\n正文\n", "utf-8")
    (posts / "latin1.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    report = run_import("hexo", tmp_path / "blog", tmp_path / "site")
    assert report.posts == 1
    messages = [str(p) for p in report.problems]
    assert messages[0].startswith("source/_posts/broken.md:4:")
    assert "invalid YAML front matter" in messages[0]
    assert messages[1].startswith("source/_posts/latin1.md: not valid UTF-8")
    assert len(messages) == 2


def test_a_formula_lost_on_the_way_is_reported_with_its_line(tmp_path: Path) -> None:
    batch = ImportBatch(root=tmp_path)
    post = ImportedPost(
        "p",
        {"title": "p", "date": "2024-01-01"},
        "只剩一个：$a$\n",
        tmp_path / "p.html",
        found=[Formula("a", False, 3), Formula(r"b^2", True, 7)],
    )
    batch.posts.append(post)
    report = write_batch(batch, tmp_path / "site")
    assert (report.formulas_found, report.formulas_written) == (2, 1)
    assert [str(p) for p in report.problems] == [
        "p.html:7: 2 formulas found but 1 written; `b^2` did not come through "
        "(check this formula in the imported post by hand)"
    ]


def test_cli_prints_the_report_and_exits_1_on_problems(tmp_path: Path) -> None:
    runner = CliRunner()
    source = copy_input("hexo", tmp_path)
    result = runner.invoke(main, ["import", "hexo", str(source), "--into", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "8 formulas found, 8 written" in result.output
    assert "{% jsfiddle %}" in result.output
    clean = copy_input("notion", tmp_path / "n")
    result = runner.invoke(main, ["import", "notion", str(clean), "--into", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    assert "2 posts imported (2 written" in result.output


def test_cli_refuses_an_unknown_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", "wordpress", str(tmp_path)])
    assert result.exit_code == 2
    assert "wordpress" in result.output


# Round trips: a post with the corpus' formulas, exported the way each platform does,
# imported back with the same formulas in the same order.


def _sentence(tex: str, display: bool, render: str) -> str:
    return f"<p>{render}</p>" if display else f"<p>由此可得 {render}，证毕。</p>"


def test_round_trip_zhihu_formula_images(tmp_path: Path) -> None:
    parts = []
    for tex, display in FORMULAS:
        alt = tex + "\\\\" if display else tex
        src = "https://www.zhihu.com/equation?tex=" + quote_plus(alt)
        image = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}" eeimg="1"/>'
        parts.append(_sentence(tex, display, image))
    page = tmp_path / "往返.html"
    page.write_text(
        "<html><head><title>往返 - 知乎</title></head><body><div class='RichText'>"
        + "\n".join(parts)
        + "</div></body></html>",
        encoding="utf-8",
    )
    report = run_import("zhihu", page, tmp_path / "site")
    assert _texts(_only_post(tmp_path / "site")) == _expected()
    assert (report.formulas_found, report.formulas_written, report.problems) == (8, 8, [])


def test_round_trip_zhihu_markdown_equation_links(tmp_path: Path) -> None:
    lines = []
    for tex, display in FORMULAS:
        image = f"![[公式]](https://www.zhihu.com/equation?tex={quote_plus(tex)})"
        lines.append(image if display else f"由此可得 {image} ，证毕。")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "往返.md").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    report = run_import("zhihu", tmp_path / "src", tmp_path / "site")
    assert _texts(_only_post(tmp_path / "site")) == _expected()
    assert report.problems == []


def test_round_trip_katex_annotations(tmp_path: Path) -> None:
    parts = []
    for tex, display in FORMULAS:
        katex = (
            '<span class="katex"><span class="katex-mathml"><math><semantics><mrow></mrow>'
            f'<annotation encoding="application/x-tex">{html.escape(tex)}</annotation>'
            '</semantics></math></span><span class="katex-html">x</span></span>'
        )
        parts.append(
            f'<span class="katex-display">{katex}</span>'
            if display
            else _sentence(tex, display, katex)
        )
    page = tmp_path / "katex.html"
    page.write_text("<article>" + "\n".join(parts) + "</article>", encoding="utf-8")
    report = run_import("csdn", page, tmp_path / "site")
    assert _texts(_only_post(tmp_path / "site")) == _expected()
    assert report.problems == []


def test_round_trip_mathjax_scripts(tmp_path: Path) -> None:
    parts = []
    for tex, display in FORMULAS:
        kind = "math/tex; mode=display" if display else "math/tex"
        script = (
            '<span class="MathJax_Preview">x</span><span class="MathJax">rendered</span>'
            f'<script type="{kind}">{tex}</script>'
        )
        parts.append(_sentence(tex, display, script))
    page = tmp_path / "mathjax.html"
    page.write_text("<div id='content_views'>" + "\n".join(parts) + "</div>", encoding="utf-8")
    run_import("html", page, tmp_path / "site")
    assert _texts(_only_post(tmp_path / "site")) == _expected()


def test_round_trip_notion_export(tmp_path: Path) -> None:
    body = []
    for tex, display in FORMULAS:
        body.append(f"$$\n{tex}\n$$" if display else f"由此可得 ${tex}$，证毕。")
    export = tmp_path / "export"
    export.mkdir()
    page = export / "往返 00112233445566778899aabbccddeeff.md"
    page.write_text(
        "# 往返\n\nCreated: May 1, 2024 9:00 AM\n\n" + "\n\n".join(body) + "\n", encoding="utf-8"
    )
    run_import("notion", export, tmp_path / "site")
    assert _texts(_only_post(tmp_path / "site")) == _expected()
    assert "往返/index.md" in {
        p.relative_to(tmp_path / "site/content/posts").as_posix()
        for p in (tmp_path / "site/content/posts").rglob("index.md")
    }


def test_round_trip_hugo_backtick_math(tmp_path: Path) -> None:
    body = []
    for tex, display in FORMULAS:
        body.append(f"`$${tex}$$`" if display else f"由此可得 `${tex}$`，证毕。")
    posts = tmp_path / "blog" / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "round.md").write_text(
        "---\ntitle: 往返\ndate: 2024-05-01\n---\n\n" + "\n\n".join(body) + "\n", "utf-8"
    )
    report = run_import("hugo", tmp_path / "blog", tmp_path / "site")
    assert _texts(_only_post(tmp_path / "site")) == _expected()
    assert (report.formulas_found, report.formulas_written) == (8, 8)


def test_round_trip_hexo_formulas_inside_tags(tmp_path: Path) -> None:
    body = []
    for tex, display in FORMULAS:
        text = f"$$\n{tex}\n$$" if display else f"由此可得 ${tex}$，证毕。"
        body.append(f"{{% note info %}}\n{text}\n{{% endnote %}}")
    posts = tmp_path / "blog" / "source" / "_posts"
    posts.mkdir(parents=True)
    (posts / "round.md").write_text(
        "---\ntitle: 往返\ndate: 2024-05-01\n---\n\n" + "\n\n".join(body) + "\n", "utf-8"
    )
    run_import("hexo", tmp_path / "blog", tmp_path / "site")
    assert _texts(_only_post(tmp_path / "site")) == _expected()


def test_imported_sites_build_with_every_formula_typeset(tmp_path: Path) -> None:
    site = tmp_path / "site"
    written = 0
    for fmt in sorted(CASES):
        source = copy_input(fmt, tmp_path / fmt)
        written += run_import(fmt, source, site).formulas_written
    report, out = build_site(site, drafts=True)
    math_problems = [
        str(p) for p in report.problems if "katex" in str(p).lower() or "formula" in str(p).lower()
    ]
    assert math_problems == []
    assert report.errors == []
    # the vault's index embeds the note `拉格朗日乘子` whole, so its 3 formulas render twice
    assert report.formulas_rendered == written + 3
    page = (out / "posts" / "svm-dual" / "index.html").read_text(encoding="utf-8")
    assert 'class="katex' in page
    assert "margin.png" in page


def test_fixture_folders_hold_input_and_expected_side_by_side() -> None:
    for fmt in CASES:
        assert (FIXTURES / fmt / "input").is_dir()
        assert (FIXTURES / fmt / "expected" / "site.toml").is_file()


def test_every_format_names_an_importer() -> None:
    for fmt in IMPORTERS:
        assert callable(importer(fmt)), fmt

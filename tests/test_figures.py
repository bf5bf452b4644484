"""Figures and images in whole sites: sizes read from the files, captions, resized copies
named in ``srcset``, and what a second build does with them.

Images are drawn with Pillow in each test. Most sites set a narrow column (200 px, copies
at 200 and 400 px) so that small images exercise the resizing quickly.
"""

from __future__ import annotations

import html
import re
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image

from inkstone.output import images
from inkstone.output.images import encode_variant
from tests.sites import build_site, messages, read, write_site

NARROW = """-- site.toml --
title = "Figures"
theme = "minimal"
[images]
column_width = 200
widths = [200, 400]
"""
POST = """---
title: A
date: 2024-01-01
---
"""
"""Front matter of a post: its body starts on line 5."""


def photo(path: Path, size: tuple[int, int], fmt: str | None = None, **save: object) -> Path:
    """A photo-like image (a radial gradient under noise) that compresses like a photo."""
    path.parent.mkdir(parents=True, exist_ok=True)
    base = Image.radial_gradient("L").resize(size).convert("RGB")
    noise = Image.effect_noise(size, 60).convert("RGB")
    Image.blend(base, noise, 0.5).save(path, fmt, **save)
    return path


def srcset(page: str, alt: str) -> tuple[dict[str, str], list[tuple[str, int]]]:
    """The attributes of the ``<img>`` with ``alt``, and its ``srcset`` candidates."""
    tag = re.search(rf'<img [^>]*alt="{re.escape(alt)}"[^>]*>', page)
    assert tag is not None, f"no image with alt {alt!r}"
    attrs = {k: html.unescape(v) for k, v in re.findall(r'(\w+)="([^"]*)"', tag.group(0))}
    candidates = []
    for candidate in attrs.get("srcset", "").split(", ") if "srcset" in attrs else []:
        url, width = candidate.split(" ")
        candidates.append((url, int(width.removesuffix("w"))))
    return attrs, candidates


def output_file(out: Path, url: str, page_dir: str, base: str = "/") -> Path:
    """The output file a URL in a page at ``page_dir`` points at."""
    if url.startswith("/"):
        assert url.startswith(base)
        return out / url.removeprefix(base)
    return out / page_dir / url


def test_titled_image_is_a_figure_with_its_size_and_caption(tmp_path: Path) -> None:
    photo(tmp_path / "content/images/small.png", (150, 100))
    text = (
        NARROW
        + "-- content/posts/a.md --\n"
        + POST
        + (
            '![small](../images/small.png "小图：$x^2$ 与 *强调*")\n\n![plain](../images/small.png)\n'
        )
    )
    report, out = build_site(tmp_path, text)
    assert report.problems == [], messages(report)
    page = read(out, "posts/a/index.html")
    assert (
        '<figure class="figure"><img src="/images/small.png" alt="small" width="150" '
        'height="100" loading="lazy" decoding="async" /><figcaption>小图：<span class="katex">'
    ) in page
    assert "<em>强调</em></figcaption></figure>" in page
    assert (
        '<p><img src="/images/small.png" alt="plain" width="150" height="100" '
        'loading="lazy" decoding="async" /></p>'
    ) in page, "an image without a title is no figure"
    assert "srcset" not in page, "an image narrower than the column gets no copies"
    assert sorted(p.name for p in (out / "images").iterdir()) == ["small.png"]


def test_wide_image_gets_copies_named_in_srcset(tmp_path: Path) -> None:
    photo(tmp_path / "content/images/wide.png", (500, 300))
    text = NARROW + "-- content/posts/a.md --\n" + POST + '![wide](../images/wide.png "宽图")\n'
    report, out = build_site(tmp_path, text)
    assert report.problems == [], messages(report)
    attrs, candidates = srcset(read(out, "posts/a/index.html"), "wide")
    assert attrs["src"] == "/images/wide.png"
    assert (attrs["width"], attrs["height"]) == ("500", "300")
    assert attrs["sizes"] == "(max-width: 200px) 100vw, 200px"
    assert [w for _, w in candidates] == [200, 400, 500]
    assert candidates[-1] == ("/images/wide.png", 500), "the original is the widest candidate"
    for url, width in candidates[:-1]:
        assert re.fullmatch(rf"/images/wide-{width}w\.(webp|png)", url)
        with Image.open(output_file(out, url, "posts/a")) as copy:
            assert copy.size == (width, round(300 * width / 500))
            assert not copy.info.get("exif"), "metadata is stripped"


def test_a_copy_is_webp_only_where_webp_is_smaller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = photo(tmp_path / "content/images/wide.png", (500, 300))
    text = NARROW + "-- content/posts/a.md --\n" + POST + "![wide](../images/wide.png)\n"
    report, out = build_site(tmp_path, text)
    assert report.problems == [], messages(report)
    _, candidates = srcset(read(out, "posts/a/index.html"), "wide")
    assert len(candidates) == 3
    for url, width in candidates[:-1]:
        as_webp = encode_variant(source, width, ".webp")
        as_png = encode_variant(source, width, ".png")
        chosen = as_webp if len(as_webp) < len(as_png) else as_png
        assert url.endswith(".webp") == (chosen is as_webp)
        assert output_file(out, url, "posts/a").read_bytes() == chosen

    # an encoder whose WebP is always bigger: the copies keep the original's format
    real = images._encode

    def bloated_webp(resized: images._Resized, suffix: str) -> bytes:
        return real(resized, suffix) + (b"\0" * 10**6 if suffix == ".webp" else b"")

    monkeypatch.setattr(images, "_encode", bloated_webp)
    monkeypatch.setattr(images, "_planned", {})
    _, out = build_site(tmp_path, no_cache=True)
    _, candidates = srcset(read(out, "posts/a/index.html"), "wide")
    assert [url for url, _ in candidates] == [
        "/images/wide-200w.png",
        "/images/wide-400w.png",
        "/images/wide.png",
    ]
    for url, _ in candidates:
        with Image.open(output_file(out, url, "posts/a")) as copy:
            assert copy.format == "PNG"
    assert not list((out / "images").glob("*.webp")), "the WebP copies of the last build go"


def test_webp_can_be_turned_off(tmp_path: Path) -> None:
    photo(tmp_path / "content/images/wide.jpg", (500, 300), quality=95)
    text = NARROW.replace("[images]", "[images]\nwebp = false") + (
        "-- content/posts/a.md --\n" + POST + "![wide](../images/wide.jpg)\n"
    )
    _, out = build_site(tmp_path, text)
    _, candidates = srcset(read(out, "posts/a/index.html"), "wide")
    assert [url for url, _ in candidates] == [
        "/images/wide-200w.jpg",
        "/images/wide-400w.jpg",
        "/images/wide.jpg",
    ]


def test_a_copy_no_smaller_than_the_original_is_left_out(tmp_path: Path) -> None:
    source = photo(tmp_path / "content/images/low.jpg", (500, 300), quality=20)
    text = NARROW + "-- content/posts/a.md --\n" + POST + "![low](../images/low.jpg)\n"
    _, out = build_site(tmp_path, text)
    _, candidates = srcset(read(out, "posts/a/index.html"), "low")
    original = source.stat().st_size
    smallest = {
        w: min(len(encode_variant(source, w, s)) for s in (".jpg", ".webp")) for w in (200, 400)
    }
    expected = [w for w in (200, 400) if smallest[w] < original]
    assert expected == [200], "this image has one copy worth making and one not"
    assert [w for _, w in candidates] == [*expected, 500]


def test_missing_images_are_reported_at_their_lines(tmp_path: Path) -> None:
    body = (
        "文字里的图 ![a](gone-inline.png) 在这里。\n"  # line 5
        "\n"
        '![b](gone-figure.png "图注")\n'  # line 7
        "\n"
        "- 列表\n"
        "- ![c](gone-list.png)\n"  # line 10
        "\n"
        "[![d](gone-linked.png)](https://example.com)\n"  # line 12
        "\n"
        "引用式：\n"
        "![e][ref]\n"  # line 15
        "\n"
        "[ref]: gone-ref.png\n"
    )
    report, out = build_site(tmp_path, NARROW + "-- content/posts/a.md --\n" + POST + body)
    found = messages(report)
    for line, name in [
        (5, "gone-inline.png"),
        (7, "gone-figure.png"),
        (10, "gone-list.png"),
        (12, "gone-linked.png"),
        (15, "gone-ref.png"),
    ]:
        assert any(
            m.startswith(f"content/posts/a.md:{line}: missing image `{name}`") for m in found
        ), (
            name,
            found,
        )
    assert len(report.warnings) == 5 and report.errors == []
    assert '<figure class="figure"><img src="gone-figure.png" alt="b"' in read(
        out, "posts/a/index.html"
    ), "the page is still built"


def test_a_file_that_is_not_an_image_is_reported(tmp_path: Path) -> None:
    text = NARROW + "-- content/posts/a.md --\n" + POST + "\n![fake](fake.png)\n"
    text += "-- content/posts/fake.png --\nnot really a png\n"
    report, out = build_site(tmp_path, text)
    assert messages(report) == [
        "content/posts/a.md:6: cannot read image `fake.png`: not an image file Pillow can read "
        "(it should be a whole PNG, JPEG, WebP or GIF image, named with its suffix)"
    ]
    assert '<img src="/posts/fake.png" alt="fake" loading="lazy"' in read(out, "posts/a/index.html")


def test_page_bundle_images_get_copies_beside_the_page(tmp_path: Path) -> None:
    photo(tmp_path / "content/posts/vit/patches.png", (500, 300))
    text = NARROW + "-- content/posts/vit/index.md --\n" + POST.replace("title: A", "title: ViT")
    text += '![patches](patches.png "切成 patch")\n'
    report, out = build_site(tmp_path, text)
    assert report.problems == [], messages(report)
    attrs, candidates = srcset(read(out, "posts/vit/index.html"), "patches")
    assert attrs["src"] == "patches.png" and (attrs["width"], attrs["height"]) == ("500", "300")
    assert [w for _, w in candidates] == [200, 400, 500]
    for url, width in candidates:
        assert "/" not in url, "a bundle's files are linked relative to its page"
        with Image.open(out / "posts/vit" / url) as copy:
            assert copy.width == width


def test_second_build_keeps_the_copies_without_resizing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo(tmp_path / "content/images/wide.png", (500, 300))
    text = NARROW + "-- content/posts/a.md --\n" + POST + '![wide](../images/wide.png "宽")\n'
    _, out = build_site(tmp_path, text)
    copies = sorted((out / "images").glob("wide-*"))
    assert len(copies) == 2
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in copies}
    page_before = read(out, "posts/a/index.html")
    resized: list[int] = []
    real = images._resized

    def counting(path: Path, width: int) -> images._Resized:
        resized.append(width)
        return real(path, width)

    monkeypatch.setattr(images, "_resized", counting)
    monkeypatch.setattr(images, "_planned", {})  # as in a new process
    time.sleep(0.05)
    report, out = build_site(tmp_path)
    assert report.documents_cached == 1, "the page comes from the page cache"
    assert resized == [], "no image is decoded or resized again"
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in copies} == before
    assert read(out, "posts/a/index.html") == page_before

    # the copies a cached page names are made again when the output folder is gone
    shutil.rmtree(out)
    report, out = build_site(tmp_path)
    assert report.documents_cached == 1
    assert {p: p.read_bytes() for p in copies} == {p: b for p, (_, b) in before.items()}


def test_changing_an_image_re_renders_its_page(tmp_path: Path) -> None:
    image = photo(tmp_path / "content/images/wide.png", (500, 300))
    text = NARROW + "-- content/posts/a.md --\n" + POST + '![wide](../images/wide.png "宽")\n'
    _, out = build_site(tmp_path, text)
    assert (out / "images/wide-400w.webp").is_file()
    time.sleep(0.05)
    photo(image, (300, 500))
    report, out = build_site(tmp_path)
    assert report.documents_cached == 0, "the cached page named the old size"
    attrs, candidates = srcset(read(out, "posts/a/index.html"), "wide")
    assert (attrs["width"], attrs["height"]) == ("300", "500")
    assert [w for _, w in candidates] == [200, 300]
    with Image.open(output_file(out, candidates[0][0], "posts/a")) as copy:
        assert copy.size == (200, 333)
    assert not (out / "images/wide-400w.webp").exists(), "a copy no page names is removed"


def test_site_under_a_base_path(tmp_path: Path) -> None:
    photo(tmp_path / "content/images/wide.png", (500, 300))
    text = NARROW.replace(
        'title = "Figures"', 'title = "F"\nbase_url = "https://me.github.io/blog/"'
    )
    text += "-- content/posts/a.md --\n" + POST + "![wide](../images/wide.png)\n"
    text += "![rooted](/images/wide.png)\n"
    report, out = build_site(tmp_path, text)
    assert report.problems == [], messages(report)
    page = read(out, "posts/a/index.html")
    for alt in ("wide", "rooted"):
        attrs, candidates = srcset(page, alt)
        assert attrs["src"] == "/blog/images/wide.png" and attrs["width"] == "500"
        assert len(candidates) == 3
        for url, width in candidates:
            with Image.open(output_file(out, url, "posts/a", base="/blog/")) as copy:
                assert copy.width == width
    feed = read(out, "atom.xml")
    assert 'srcset="https://me.github.io/blog/images/wide-200w.' in feed, "feeds get whole URLs"
    assert ", /blog/" not in feed


def test_upright_size_from_exif_orientation(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown turned a quarter clockwise
    photo(tmp_path / "content/images/side.jpg", (500, 300), quality=95, exif=exif.tobytes())
    text = NARROW + "-- content/posts/a.md --\n" + POST + "![side](../images/side.jpg)\n"
    _, out = build_site(tmp_path, text)
    attrs, candidates = srcset(read(out, "posts/a/index.html"), "side")
    assert (attrs["width"], attrs["height"]) == ("300", "500")
    url, width = candidates[0]
    with Image.open(output_file(out, url, "posts/a")) as copy:
        assert (width, copy.size) == (200, (200, 333))
        assert 0x0112 not in copy.getexif(), "the copy is upright, without EXIF"


def test_svg_animated_gif_and_remote_images(tmp_path: Path) -> None:
    frames = [photo(tmp_path / f"frames/{i}.png", (500, 300)) for i in range(2)]
    first, *rest = (Image.open(f) for f in frames)
    (tmp_path / "content/images").mkdir(parents=True)
    gif = tmp_path / "content/images/anim.gif"
    first.save(gif, save_all=True, append_images=rest, duration=100, loop=0)
    text = NARROW + "-- content/images/box.svg --\n"
    text += '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"></svg>\n'
    text += "-- content/images/sized.svg --\n"
    text += '<svg xmlns="http://www.w3.org/2000/svg" width="120px" viewBox="0 0 60 30"></svg>\n'
    text += "-- content/posts/a.md --\n" + POST
    text += "![box](../images/box.svg)\n\n![sized](../images/sized.svg)\n\n"
    text += '![anim](../images/anim.gif)\n\n![remote](https://example.com/x.png "远程")\n'
    report, out = build_site(tmp_path, text)
    assert report.problems == [], messages(report)
    page = read(out, "posts/a/index.html")
    box, box_set = srcset(page, "box")
    assert (box["width"], box["height"], box_set) == ("640", "360", [])
    sized, _ = srcset(page, "sized")
    assert (sized["width"], sized["height"]) == ("120", "60")
    anim, anim_set = srcset(page, "anim")
    assert (anim["width"], anim["height"], anim_set) == ("500", "300", []), "never resized"
    assert (
        '<figure class="figure"><img src="https://example.com/x.png" alt="remote" '
        'loading="lazy" decoding="async" /><figcaption>远程</figcaption></figure>'
    ) in page


def test_default_column_matches_the_theme(tmp_path: Path) -> None:
    photo(tmp_path / "content/images/big.png", (1000, 400))
    write_site(tmp_path, '-- site.toml --\ntitle = "T"\n')
    text = "-- content/posts/a.md --\n" + POST + "![big](../images/big.png)\n"
    _, out = build_site(tmp_path, text)
    attrs, candidates = srcset(read(out, "posts/a/index.html"), "big")
    assert attrs["sizes"] == "(max-width: 704px) 100vw, 704px"
    assert [w for _, w in candidates] == [704, 1000]
    css = (out / "assets/style.css").read_text(encoding="utf-8")
    assert "--measure: 44rem;" in css, "704 px is the transmission theme's 44rem column"


def test_copies_are_the_same_whatever_the_number_of_workers(tmp_path: Path) -> None:
    text = NARROW
    for i in range(3):
        photo(tmp_path / f"content/posts/p{i}/wide.png", (500 + 50 * i, 300))
        text += f"-- content/posts/p{i}/index.md --\n" + POST.replace("title: A", f"title: P{i}")
        text += '![wide](wide.png "宽")\n'
    serial_report, serial = build_site(tmp_path, text, out_dir=tmp_path / "serial", no_cache=True)
    parallel_report, parallel = build_site(
        tmp_path, out_dir=tmp_path / "parallel", no_cache=True, jobs=2
    )
    assert serial_report.problems == parallel_report.problems == []
    files = sorted(p.relative_to(serial) for p in serial.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(parallel) for p in parallel.rglob("*") if p.is_file())
    assert len([f for f in files if "w." in f.name]) == 6, "two copies of each image"
    for rel in files:
        assert (serial / rel).read_bytes() == (parallel / rel).read_bytes(), rel


def test_a_copy_never_replaces_a_file_of_the_same_name(tmp_path: Path) -> None:
    photo(tmp_path / "content/images/wide.png", (500, 300))
    mine = photo(tmp_path / "content/images/wide-200w.webp", (20, 12))
    text = NARROW + "-- content/posts/a.md --\n" + POST + "![wide](../images/wide.png)\n"
    report, out = build_site(tmp_path, text)
    assert messages(report) == [
        "content/images/wide.png: the 200 px copy of this image would replace "
        "`images/wide-200w.webp` (rename `wide-200w.webp`: pages showing this image name it "
        "in srcset)"
    ]
    assert report.errors == []
    assert (out / "images/wide-200w.webp").read_bytes() == mine.read_bytes()


def test_a_truncated_image_keeps_its_size_and_gets_no_copies(tmp_path: Path) -> None:
    whole = photo(tmp_path / "content/images/cut.png", (500, 300)).read_bytes()
    (tmp_path / "content/images/cut.png").write_bytes(whole[: len(whole) // 2])
    text = NARROW + "-- content/posts/a.md --\n" + POST + '\n![cut](../images/cut.png "截断")\n'
    report, out = build_site(tmp_path, text)
    [problem] = report.problems
    assert str(problem).startswith(
        "content/posts/a.md:6: cannot read image `../images/cut.png`: image file is truncated"
    )
    attrs, candidates = srcset(read(out, "posts/a/index.html"), "cut")
    assert (attrs["width"], attrs["height"], candidates) == ("500", "300", [])


def test_a_jpeg_cut_short_is_reported_when_it_is_resized(tmp_path: Path) -> None:
    whole = photo(tmp_path / "content/images/cut.jpg", (500, 300), quality=95).read_bytes()
    (tmp_path / "content/images/cut.jpg").write_bytes(whole[: len(whole) // 2])
    text = NARROW + "-- content/posts/a.md --\n" + POST + '\n![cut](../images/cut.jpg "截断")\n'
    report, out = build_site(tmp_path, text)
    [problem] = [str(p) for p in report.problems]
    assert problem.startswith(
        "content/posts/a.md:6: could not resize image `images/cut.jpg`: image file is truncated"
    )
    assert problem.endswith("(the page shows the original only)")
    attrs, candidates = srcset(read(out, "posts/a/index.html"), "cut")
    assert (attrs["width"], attrs["height"], candidates) == ("500", "300", [])

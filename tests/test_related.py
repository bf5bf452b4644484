"""Related posts: shared tags first, then shared words; Chinese by bigrams; deterministic."""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import time
from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from inkstone import rendering
from inkstone.build import BuildMemory, BuildOptions, build
from inkstone.cache import Cache
from inkstone.content.model import Document, Kind, Source
from inkstone.rendering import RenderWorkers
from inkstone.site import related as related_module
from inkstone.site.related import (
    candidate_related,
    exact_related,
    extract_terms,
    post_features,
    related_posts,
)

from .sites import read, write_site

RL_BODY = "强化学习的核心是策略和价值函数。智能体在环境中采取动作，获得奖励，更新价值估计。"
PE_BODY = "位置编码给注意力提供顺序信息。旋转位置编码把位置写成旋转角度，作用在查询和键上。"


def post(
    name: str,
    body: str = "",
    tags: tuple[str, ...] = (),
    day: int = 1,
    kind: Kind = Kind.POST,
    title: str | None = None,
) -> Document:
    """A loaded post, as :func:`load_document` would make it."""
    rel = PurePosixPath("posts", f"{name}.md")
    source = Source(Path("/site/content") / rel, rel, Path("content") / rel, kind)
    date = dt.datetime(2025, 1, day, tzinfo=dt.UTC)
    url = f"/posts/{name}/" if kind is Kind.POST else f"/{name}/"
    return Document(source, kind, title or name, date, date, name, url, body, 1, tags=list(tags))


def urls(docs: list[Document]) -> list[str]:
    return [d.url for d in docs]


def test_shared_tags_rank_first() -> None:
    me = post("me", "gradient descent converges slowly", tags=("rl", "td"))
    twin = post("twin", "cooking recipes for pasta", tags=("rl", "td"), day=2)
    one = post("one", "baking bread at home", tags=("rl",), day=3)
    wordy = post("wordy", "gradient descent converges slowly and surely", day=4)
    related = related_posts([me, twin, one, wordy])
    assert urls(related[me.url]) == ["/posts/twin/", "/posts/one/", "/posts/wordy/"]


def test_words_relate_posts_without_shared_tags() -> None:
    me = post("me", "kernel methods map data into a feature space; the kernel trick")
    near = post("near", "the kernel trick avoids computing the feature map", day=2)
    far = post("far", "sourdough bread needs a starter and patience", day=3)
    assert urls(related_posts([me, near, far])[me.url]) == ["/posts/near/"]


def test_chinese_posts_relate_by_their_words() -> None:
    rl1 = post("rl1", RL_BODY, title="强化学习：策略梯度")
    rl2 = post("rl2", "价值函数与策略：强化学习中的智能体如何根据奖励更新。", day=2)
    pe1 = post("pe1", PE_BODY, title="旋转位置编码", day=3)
    pe2 = post("pe2", "绝对位置编码与相对位置编码：注意力如何知道顺序。", day=4)
    related = related_posts([rl1, rl2, pe1, pe2])
    assert urls(related[rl1.url]) == ["/posts/rl2/"]
    assert urls(related[pe1.url]) == ["/posts/pe2/"]


def test_math_and_code_do_not_make_posts_related() -> None:
    formula = r"$\mathrm{softmax}(x) = e^{x}$ and $$\sum_i \alpha_i$$ and \(\beta\)"
    code = "```python\ndef softmax(x):\n    return exp(x)\n```\n`softmax_kernel`"
    me = post("me", f"Gardening tips. {formula}\n\n{code}\n")
    other = post("other", f"Sailing lessons. {formula}\n\n{code}\n", day=2)
    assert related_posts([me, other])[me.url] == []
    terms = dict(
        extract_terms("", f"{formula}\n\n{code}\n<div class='softmax'>https://a.io/softmax</div>")
    )
    assert terms == {}


def test_at_most_five_related_posts_newest_first_on_ties() -> None:
    me = post("me", tags=("rl",))
    others = [post(f"p{day}", tags=("rl",), day=day) for day in range(2, 10)]
    related = related_posts([me, *others])
    assert urls(related[me.url]) == [f"/posts/p{day}/" for day in (9, 8, 7, 6, 5)]


def test_same_input_gives_the_same_lists_in_any_order() -> None:
    docs = [post(f"p{i}", f"notes on topic{i % 3} and shared words", day=i + 1) for i in range(9)]
    forward = related_posts(docs)
    backward = related_posts(list(reversed(docs)))
    assert {u: urls(v) for u, v in forward.items()} == {u: urls(v) for u, v in backward.items()}


def test_a_post_is_never_its_own_related_post_and_pages_take_no_part() -> None:
    me = post("me", "kernel trick", tags=("svm",))
    page = post("about", "kernel trick", tags=("svm",), kind=Kind.PAGE)
    related = related_posts([me, page])
    assert related == {me.url: []}


def test_terms_lower_case_latin_drop_stop_words_and_keep_chinese_bigrams() -> None:
    terms = dict(extract_terms("The Kernel", "the kernel of 强化学习 is it"))
    assert terms == {"kernel": 4, "强化": 1, "化学": 1, "学习": 1}


@pytest.fixture
def big_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rank as on a site too big to score every pair: through candidates."""
    monkeypatch.setattr(related_module, "EXACT_LIMIT", 0)


@pytest.mark.usefixtures("big_site")
def test_candidates_keep_tags_first_words_next_and_ties_newest_first() -> None:
    me = post("me", "gradient descent converges slowly", tags=("rl", "td"))
    twin = post("twin", "cooking recipes for pasta", tags=("rl", "td"), day=2)
    one = post("one", "baking bread at home", tags=("rl",), day=3)
    wordy = post("wordy", "gradient descent converges slowly and surely", day=4)
    related = related_posts([me, twin, one, wordy])
    assert urls(related[me.url]) == ["/posts/twin/", "/posts/one/", "/posts/wordy/"]
    me = post("me", tags=("rl",))
    others = [post(f"p{day}", tags=("rl",), day=day) for day in range(2, 10)]
    assert urls(related_posts([me, *others])[me.url]) == [
        f"/posts/p{day}/" for day in (9, 8, 7, 6, 5)
    ]


@pytest.mark.usefixtures("big_site")
def test_candidates_find_posts_related_by_words_alone() -> None:
    me = post("me", "kernel methods map data into a feature space; the kernel trick", tags=("ml",))
    near = post("near", "the kernel trick avoids computing the feature map", day=2)
    far = post("far", "sourdough bread needs a starter and patience", day=3)
    tagged = post("tagged", "sourdough starter", tags=("bread",), day=4)
    assert urls(related_posts([me, near, far, tagged])[me.url]) == ["/posts/near/"]


def test_candidates_rank_by_labels_as_exactly_as_scoring_every_pair() -> None:
    rng = random.Random(7)
    tags = [f"t{i}" for i in range(9)]
    docs = [
        post(f"p{i:03}", tags=tuple(rng.sample(tags, rng.randint(1, 4))), day=1 + i % 28)
        for i in range(300)
    ]
    order = sorted(docs, key=related_module._recency)
    features = post_features(order)
    exact = exact_related(features, np.arange(len(order)))
    assert (candidate_related(features) == exact).all()


def test_candidates_agree_with_scoring_every_pair_on_most_posts() -> None:
    rng = random.Random(11)
    tags = [f"t{i}" for i in range(12)]
    words = [f"word{i}" for i in range(60)]
    docs = [
        post(
            f"p{i:03}",
            " ".join(rng.choices(words, k=40)),
            tags=tuple(rng.sample(tags, rng.randint(0, 4))),
            day=1 + i % 28,
        )
        for i in range(400)
    ]
    order = sorted(docs, key=related_module._recency)
    features = post_features(order)
    exact = exact_related(features, np.arange(len(order)))
    same = (candidate_related(features) == exact).all(axis=1).mean()
    assert same >= 0.95


def test_a_title_bigram_counts_even_when_rare_in_the_body() -> None:
    common = "".join(chr(0x4E00 + 2 * i) + chr(0x4E01 + 2 * i) + "，" for i in range(40))
    terms = dict(extract_terms("强化学习", common * 2 + "强化"))
    assert terms["强化"] == 1 + 3
    assert terms["化学"] == terms["学习"] == 3
    assert len(terms) == 32


def test_bigrams_stop_at_particles_and_outside_chinese() -> None:
    terms = dict(extract_terms("", "模型的训练 模型训练。Ω模型"))
    assert terms == {"模型": 3, "训练": 2, "型训": 1}


def test_warm_rebuild_after_a_tag_edit_updates_related_lists(tmp_path: Path) -> None:
    site = '-- site.toml --\ntitle = "x"\ntheme = "minimal"\n'
    for name, tags, body in (
        ("a", "[svm]", "间隔 对偶"),
        ("b", "[svm]", "核函数 对偶"),
        ("c", "[rl]", "奖励 策略"),
        ("d", "[rl]", "价值 策略"),
    ):
        site += f"-- content/posts/{name}.md --\n---\ntitle: {name}\ndate: 2025-01-0{ord(name) - 96}\ntags: {tags}\n---\n{body}\n"
    write_site(tmp_path, site)
    memory, options = BuildMemory(), BuildOptions(out_dir=tmp_path / "public")
    assert build(tmp_path, options, memory).problems == []
    out = tmp_path / "public"
    assert related_links(read(out, "posts/a/index.html")) == ["/posts/b/"]
    c_page = out / "posts/c/index.html"
    c_stamp = c_page.stat().st_mtime_ns

    b = tmp_path / "content/posts/b.md"
    time.sleep(0.02)
    b.write_text(b.read_text(encoding="utf-8").replace("[svm]", "[svm, 核方法]"), encoding="utf-8")
    assert build(tmp_path, options, memory).problems == []
    assert related_links(read(out, "posts/a/index.html")) == ["/posts/b/"]
    d = tmp_path / "content/posts/d.md"
    d.write_text(d.read_text(encoding="utf-8").replace("[rl]", "[rl, svm]"), encoding="utf-8")
    assert build(tmp_path, options, memory).problems == []
    assert related_links(read(out, "posts/a/index.html")) == ["/posts/b/", "/posts/d/"]
    assert related_links(read(out, "posts/c/index.html")) == ["/posts/d/"]
    assert c_page.stat().st_mtime_ns == c_stamp  # its related list did not change


def related_links(html: str) -> list[str]:
    box = re.search(r'<nav class="related".*?</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', box.group()) if box else []


def test_pair_scores_equal_those_of_the_sparse_product_when_found_twice_or_not() -> None:
    rng = random.Random(5)
    words = [f"word{i}" for i in range(30)]
    docs = [
        post(
            f"p{i:02}",
            " ".join(rng.choices(words, k=20)),
            tags=tuple(rng.sample(["a", "b", "c", "d"], rng.randint(0, 2))),
            day=1 + i % 28,
        )
        for i in range(40)
    ]
    features = post_features(sorted(docs, key=related_module._recency))
    pool = np.array([[(i + 1) % 40, (i + 39) % 40, -1, (i * 7) % 40] for i in range(40)])
    pool[pool == np.arange(40)[:, None]] = -1
    scores = related_module._dot(features, np.arange(40), pool)
    product = features.matrix() @ features.matrix().T
    for i, row in enumerate(pool.tolist()):
        for j, found in zip(row, scores[i].tolist(), strict=True):
            assert found == (pytest.approx(product[i, j], abs=1e-12) if j >= 0 else -1)


def test_sorting_by_a_packed_key_orders_as_a_stable_argsort() -> None:
    values = np.array([5, 3, 5, 0, 3, 9, 0])
    stable = np.argsort(values, kind="stable")
    assert (related_module._argsort(values, 10) == stable).all()
    assert (related_module._argsort(values, 1 << 62) == stable).all()  # too big to pack


def test_a_label_given_twice_counts_once_and_a_category_differs_from_a_tag() -> None:
    me = post("me", tags=("RL", "rl", "ml"))
    me.categories = [("rl",)]
    features = post_features([me])
    assert int((features.label_weights > 0).sum()) == 3
    assert features.label_count == 3


def test_a_second_build_takes_terms_from_the_cache_and_extracts_only_edited_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = '-- site.toml --\ntitle = "x"\ntheme = "minimal"\n'
    for name, body in (("a", RL_BODY), ("b", RL_BODY + "价值。"), ("c", PE_BODY)):
        site += (
            f"-- content/posts/{name}.md --\n---\ntitle: {name}\ndate: 2025-01-02\n---\n{body}\n"
        )
    write_site(tmp_path, site)
    options = BuildOptions(out_dir=tmp_path / "public")
    assert build(tmp_path, options).problems == []
    first = read(tmp_path / "public", "posts/a/index.html")

    extracted: list[str] = []
    real_extract = related_module.extract_terms

    def counting_extract(title: str, body: str) -> tuple[tuple[str, int], ...]:
        extracted.append(title)
        return real_extract(title, body)

    monkeypatch.setattr(related_module, "extract_terms", counting_extract)
    assert build(tmp_path, options).problems == []  # a new process: no memory, only the cache
    assert extracted == []
    assert read(tmp_path / "public", "posts/a/index.html") == first

    c = tmp_path / "content/posts/c.md"
    c.write_text(c.read_text(encoding="utf-8").replace("旋转", "旋转矩阵"), encoding="utf-8")
    assert build(tmp_path, options).problems == []
    assert extracted == ["c"]


def test_code_fences_hide_code_up_to_their_own_closing_fence() -> None:
    body = (
        "前言 alpha\n"
        "````python\nbeta\n```\ngamma\n````\n"  # a shorter fence inside does not close it
        "delta\n"
        "  ~~~\nepsilon\n  ~~~~ \n"  # indented, closed by a longer fence with a space after
        "zeta `eta` ``theta ` iota`` kappa\n"  # inline code, one backtick inside two
        "```\nlambda never closed"
    )
    expected = {"前言": 1, "alpha": 1, "delta": 1, "zeta": 1, "kappa": 1}
    assert dict(extract_terms("", body)) == expected


def test_urls_and_astral_characters_make_no_terms() -> None:
    terms = dict(extract_terms("", "看 www.example.org 和 ftp://x.y/z 𠀀模型𠀀模型 😀"))
    assert terms == {"模型": 2}


def test_terms_are_ranked_by_count_then_by_term() -> None:
    words = " ".join(f"w{i:02d}" for i in range(40))
    terms = extract_terms("", f"{words} w39 w05 w39 模型 模型")
    assert terms[:3] == (("w39", 3), ("w05", 2), ("模型", 2))
    assert [t for t, _ in terms[3:]] == [f"w{i:02d}" for i in range(40) if i not in (5, 39)][:29]


def test_render_workers_extract_the_same_terms_for_the_posts_the_cache_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a chunk a post: the main process takes the last chunks while the workers start
    bodies = [RL_BODY, PE_BODY, "Attention is all you need: query, key, value.", ""]
    posts = [
        post(f"p{i}", body * (i + 1), title=f"第 {i} 篇 notes") for i, body in enumerate(bodies)
    ]
    page = post("about", RL_BODY, kind=Kind.PAGE)
    cache = Cache(tmp_path / "cache")
    related_module.remember_terms(posts[:1], cache)  # the first one's terms are cached
    posts[0].terms = None
    monkeypatch.setattr(rendering, "TERMS_BATCH", 1)
    workers = RenderWorkers(2)
    asked: list[list[tuple[str, str]]] = []

    def extract_all(pairs: list[tuple[str, str]]) -> list[tuple[tuple[str, int], ...]]:
        asked.append(pairs)
        return workers.extract_terms(pairs)

    try:
        related_module.remember_terms([*posts, page], cache, extract_all)
    finally:
        workers.close()
    assert asked == [[(p.title, p.body) for p in posts[1:]]], "only posts the cache lacks"
    assert page.terms is None
    for p in posts:
        assert p.terms == extract_terms(p.title, p.body)
    assert all(t is sys.intern(t) for p in posts for t, _ in p.terms or ())
    # and they are stored: a later build finds every post's terms in the cache
    fresh = [
        post(f"p{i}", body * (i + 1), title=f"第 {i} 篇 notes") for i, body in enumerate(bodies)
    ]
    related_module.remember_terms(fresh, cache, lambda pairs: pytest.fail("nothing to extract"))
    assert [p.terms for p in fresh] == [p.terms for p in posts]

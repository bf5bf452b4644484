"""Related posts: for every post, the five others most alike in tags and in words.

Called from :func:`inkstone.site.collect.collect`, before any page is rendered, on the loaded
documents (title, tags, categories, raw Markdown body). Each post gets two unit vectors:

- **labels**: its tags and categories (a category weighs half a tag; a subcategory counts
  as itself and as each category above it), each weighted by ``log(1 + n/df)``: a rare
  shared tag says more than a common one.
- **words**: TF-IDF (``(1 + log tf) · log(1 + n/df)``) of the :data:`TERMS_KEPT` most
  frequent words of its title (counted three times) and body.

``score = 0.6 · cos(labels) + 0.4 · cos(words)`` (:data:`LABEL_WEIGHT`, :data:`WORD_WEIGHT`):
tags are what the author chose, so a post sharing them comes first; words decide among posts
sharing as many, and find related posts the tags missed. Posts scoring 0 are not listed; ties
(scores rounded to 9 decimals) go to the newer post, then to the smaller URL, so the lists
are the same on every build.

Words (:func:`extract_terms`) come from the Markdown with code, math, URLs and HTML removed:
Latin words lower-cased without English stop words, Chinese as character bigrams within runs
split at particles (的, 了, 是 …): no dictionary to load, and many times faster than a word
segmenter such as jieba (see ``bench/related.py``). Bigrams are counted as pairs of code points
in one NumPy pass; only the few frequent enough to be kept become strings. Extraction is per
post and kept on the document (:attr:`Document.terms`), so the dev server extracts again only
what changed.

Ranking works on arrays (:class:`Features`: each post's label and word ids and weights).
Up to :data:`EXACT_LIMIT` posts, every pair is scored (a sparse matrix product,
:func:`exact_related`). Above, each post scores exactly only its candidates
(:func:`candidate_related`), so the cost grows linearly with the number of posts:

1. *By labels*: the :data:`CANDIDATES` posts of the highest label score. Two posts sharing
   the labels ``S`` have a label score of ``Σ_{f∈S} w_f² / (|a| |b|)`` (``w_f`` the IDF
   weight of ``f``, ``|a|`` a post's label norm), so among the posts having ``S`` those of
   the smallest norm come first whatever the other post. Each set of up to
   :data:`SUBSET_LABELS` labels lists its :data:`CANDIDATES` posts of the smallest norm; a
   post's best by labels are among the lists of the subsets of its labels (exactly so when
   posts have at most :data:`SUBSET_LABELS` labels).
2. *By words*, only for a post whose fifth best so far scores at most :data:`WORD_WEIGHT`
   (a post sharing none of its labels scores no more): the :data:`WORD_CHAMPIONS` posts that
   weigh each of its :data:`QUERY_WORDS` heaviest words most.

A post with no tags or categories has no candidates by labels; up to :data:`UNLABELLED_CELLS`,
such posts are scored against every post instead. The best :data:`RELATED_LIMIT` candidates,
by their exact score, are kept; a pair found from both sides is scored once. On 10,000
generated posts (``bench/related.py``: random words, 2–4 tags) ranking takes about 0.6 s of
CPU; 99.5% of the posts listed are those that scoring every pair lists, 97% of the lists are
identical, and the lists' summed scores are 0.9999 of the best. Scoring every pair there
takes about 6 s: its 300 or so features are shared by so many posts that nearly every pair
has one in common.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import operator
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from inkstone.cache import Cache, fingerprint
from inkstone.content.model import Document, Kind
from inkstone.content.slug import path_slug, slugify
from inkstone.version import code_version

if TYPE_CHECKING:
    from scipy import sparse

RELATED_LIMIT = 5
"""Related posts listed per post."""
LABEL_WEIGHT = 0.6
"""Share of the score that comes from shared tags and categories."""
WORD_WEIGHT = 0.4
"""Share of the score that comes from shared words."""
CATEGORY_WEIGHT = 0.5
"""A category weighs this much of a tag."""
TITLE_REPEAT = 3
"""Words of the title count as if written this many times."""
TERMS_KEPT = 32
"""Terms remembered per post: its most frequent ones."""
EXACT_LIMIT = 1000
"""Up to this many posts, every pair of posts is scored; above, only each post's candidates
(at 1,000 posts both take about as long)."""
CANDIDATES = 40
"""Candidates of a post by labels: the posts of the highest label score."""
SUBSET_LABELS = 4
"""Candidates by labels come through the subsets of a post's this many heaviest labels."""
QUERY_WORDS = 6
"""Candidates by words come through a post's this many heaviest words."""
WORD_CHAMPIONS = 4
"""Posts listed per word for candidates by words: those that weigh it most."""
UNLABELLED_CELLS = 1 << 24
"""Posts without tags or categories, whose candidates come from words only, are instead
scored against every post while their number times the number of posts stays below this."""
_EXACT_CELLS = 1 << 22
"""Scores held at once by :func:`exact_related`."""
_KEY_CELLS = 1 << 17
"""Keys held at once by :func:`_label_candidates` (a block of posts × their subsets' lists)."""
_DENSE_CELLS = 1 << 19
"""Weights held at once by :func:`_dot` (a block of posts × every feature)."""
_PAIRS = 1 << 13
"""Pairs scored at once by :func:`_dot`."""

_CLOSING_FENCE = r"[ \t]{0,3}\1[`~]*[ \t]*(?=\n)"
_FENCE = re.compile(
    r"\n[ \t]{0,3}(`{3,}|~{3,})[^\n]*+"  # the opening fence's line
    rf"(?>(?:\n(?!{_CLOSING_FENCE})[^\n]*+)*)"  # lines until one that closes it
    rf"(?:\n{_CLOSING_FENCE}|\Z)"
)
"""Fenced code (and ```math blocks), on a body with a newline put in front: from the opening
fence to the first closing one (or the end), read a line at a time. The lines are an atomic
group, not a possessive one (``(…)*+``), which Python before 3.11.5 matches wrongly."""
_HIDDEN = tuple(
    (re.compile(pattern, re.S), marks)
    for pattern, marks in (
        (r"<!--.*?-->", ("<!--",)),
        (r"\$\$.*?\$\$", ("$$",)),
        (r"\\\[.*?\\\]", ("\\[",)),
        (r"\\begin\{([A-Za-z]+\*?)\}.*?\\end\{\1\}", ("\\begin{",)),
        (r"\\\(.*?\\\)", ("\\(",)),
        (r"\$[^$\n]*\$", ("$",)),
        (r"`(`*)[^`\n].*?`\1", ("`",)),
        (r"\]\([^)]*\)", ("](",)),
        (r"(?:https?://|ftp://|www\.)\S+", ("://", "www.")),
        (r"</?[A-Za-z][^>]*>", ("<",)),
    )
)
"""What is not prose: comments, math, inline code, link targets, URLs, HTML tags; each with
what every match of it holds, so that a pass is only made over a post holding one. One
pattern per pass, starting with a literal where it can, so a pass over a post is fast."""
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9]*(?:['’-][a-z0-9]+)*")
_PARTICLE_CHARS = "的了是在和与及或也就都而被把让给之其这那它他她我你们吗呢吧啊很但若即"
_PARTICLES = re.compile(f"[{_PARTICLE_CHARS}]+")
"""Characters that glue Chinese words together without meaning much: bigrams do not cross them."""
_HAN = np.zeros(0x10000, dtype=bool)
"""Code point → whether it makes Chinese bigrams: in :data:`_CJK_RUN`, not a particle."""
for _low, _high in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)):
    _HAN[_low : _high + 1] = True
_HAN[[ord(c) for c in _PARTICLE_CHARS]] = False
_GAP = "|"
_STOP_WORDS_TEXT = """
a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from
further get got had has have having he her here hers him his how if in into is it its itself
just let me more most my no nor not now of off on once one only or other our ours out over
own same she should so some such than that the their theirs them then there these they this
those through to too two under until up use used using very via was we were what when where
which while who whom why will with would you your yours"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
"""English words too common to say what a post is about."""


def extract_terms(title: str, body: str) -> tuple[tuple[str, int], ...]:
    """The :data:`TERMS_KEPT` most frequent terms of a post with their counts, most frequent
    first (ties by term): Latin words and Chinese bigrams of its prose."""
    text = _FENCE.sub(" ", "\n" + body)
    for pattern, marks in _HIDDEN:
        if any(mark in text for mark in marks):
            text = pattern.sub(" ", text)
    titled = _count_terms(title)
    counts = _frequent_bigrams(text, [t for t in titled if _is_bigram(t)])
    counts.update(
        w for w in _LATIN_WORD.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS
    )
    for term, count in titled.items():
        counts[term] += count * TITLE_REPEAT
    # by term, then (a stable sort) by count, highest first: ties stay in the order of terms
    ranked = sorted(sorted(counts.items()), key=operator.itemgetter(1), reverse=True)
    # interned: posts share one string per term, which ranking looks up faster
    return tuple((sys.intern(term), count) for term, count in ranked[:TERMS_KEPT])


def _frequent_bigrams(text: str, also: list[str]) -> Counter[str]:
    """The Chinese bigrams of ``text`` that may be among its :data:`TERMS_KEPT` most frequent
    terms (those at least as frequent as the :data:`TERMS_KEPT`-th, and those of ``also``),
    with their counts; counted as pairs of UTF-16 code units, so only those few become
    strings (a character beyond U+FFFF, two surrogates, is not Han for :data:`_HAN`)."""
    codes = np.frombuffer(text.encode("utf-16-le"), dtype=np.uint16)
    han = _HAN[codes]
    at = np.flatnonzero(han[:-1] & han[1:])
    wide = codes.astype(np.uint32)
    pairs = np.sort((wide[at] << 16) | wide[at + 1])
    # as np.unique(pairs, return_counts=True), with less to do: where each value starts
    starts = np.ones(len(pairs) + 1, dtype=bool)
    np.not_equal(pairs[1:], pairs[:-1], out=starts[1:-1])
    first = np.flatnonzero(starts)
    values, counts = pairs[first[:-1]], first[1:] - first[:-1]
    if len(values) > TERMS_KEPT:
        floor = np.partition(counts, len(counts) - TERMS_KEPT)[len(counts) - TERMS_KEPT]
        keep = counts >= floor
        if also:
            wanted = np.array([(ord(t[0]) << 16) | ord(t[1]) for t in also], dtype=np.uint32)
            found = np.minimum(np.searchsorted(values, wanted), len(values) - 1)
            keep[found[values[found] == wanted]] = True
        values, counts = values[keep], counts[keep]
    return Counter(
        {
            chr(v >> 16) + chr(v & 0xFFFF): c
            for v, c in zip(values.tolist(), counts.tolist(), strict=True)
        }
    )


def _is_bigram(term: str) -> bool:
    return len(term) == 2 and all(ord(c) < len(_HAN) and _HAN[ord(c)] for c in term)


def _count_terms(text: str) -> Counter[str]:
    chinese = _PARTICLES.sub(_GAP, _GAP.join(_CJK_RUN.findall(text)))
    counts = Counter(map(operator.add, chinese, chinese[1:]))
    for bigram in [b for b in counts if _GAP in b]:
        del counts[bigram]
    counts.update(
        w for w in _LATIN_WORD.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS
    )
    return counts


TermsExtractor = Callable[[list[tuple[str, str]]], list[tuple[tuple[str, int], ...]]]
"""Extracts the terms of many (title, body) pairs at once, in order (:func:`extract_terms`
of each, say in worker processes)."""


def remember_terms(
    documents: Iterable[Document], cache: Cache | None, extract_all: TermsExtractor | None = None
) -> None:
    """Give every post its terms, from the persistent cache when its title and body were seen
    before (keyed with inkstone's version), and store the terms extracted anew: a warm build
    of a big site does not extract them again. ``extract_all`` extracts the others (the
    build's render workers, idle while the site loads); without it and without a cache,
    each post's terms are extracted when ranking needs them."""
    if cache is None and extract_all is None:
        return
    posts = [d for d in documents if d.kind is Kind.POST and d.terms is None]
    version = code_version()
    missing: list[tuple[str, Document]] = []
    # a new cache has no terms to find
    stored = cache if cache is not None and cache.holds("terms") else None
    for post in posts:
        key = fingerprint("terms", version, post.title, post.body) if cache is not None else ""
        raw = stored.get("terms", key) if stored is not None else None
        if raw is not None:
            post.terms = _interned(json.loads(raw))
        else:
            missing.append((key, post))
    if extract_all is not None and missing:
        extracted = extract_all([(post.title, post.body) for _, post in missing])
        for (_, post), terms in zip(missing, extracted, strict=True):
            post.terms = _interned(terms)
    if cache is not None:
        fresh = [
            (key, json.dumps(terms_of(post), ensure_ascii=False).encode()) for key, post in missing
        ]
        cache.put("terms", fresh)


def _interned(terms: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """Terms read back (from the cache or a worker), each term one string shared by all posts."""
    return tuple((sys.intern(term), count) for term, count in terms)


def terms_of(doc: Document) -> tuple[tuple[str, int], ...]:
    """``doc``'s terms, extracted once per loaded document."""
    if doc.terms is None:
        doc.terms = extract_terms(doc.title, doc.body)
    return doc.terms


def related_posts(
    documents: Iterable[Document], limit: int = RELATED_LIMIT
) -> dict[str, list[Document]]:
    """For each post among ``documents`` (by URL), up to ``limit`` other posts, most related
    first. Standalone pages neither get nor give related posts."""
    order = sorted((d for d in documents if d.kind is Kind.POST), key=operator.attrgetter("url"))
    order.sort(key=_timestamp, reverse=True)  # newest first; on equal dates, by URL
    features = post_features(order)
    if len(order) <= EXACT_LIMIT:
        ranked = exact_related(features, np.arange(len(order)), limit)
    else:
        ranked = candidate_related(features, limit)
    posts = np.empty(len(order) + 1, dtype=object)  # the last, None, for -1
    posts[: len(order)] = order
    listed: list[list[Document]] = posts[ranked].tolist()
    for row in np.flatnonzero((ranked < 0).any(axis=1)).tolist():
        listed[row] = [post for post in listed[row] if post is not None]
    return dict(zip([post.url for post in order], listed, strict=True))


Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Features:
    """Every post's labels and words, one row per post (newest first), heaviest first."""

    labels: Ints
    """Label ids, padded with :attr:`size` (a feature no post has)."""
    label_weights: Floats
    """Their weights: a row is of length √:data:`LABEL_WEIGHT` (or 0: no labels)."""
    words: Ints
    """Word ids (after the label ids), padded with :attr:`size`."""
    word_weights: Floats
    """Their weights: a row is of length √:data:`WORD_WEIGHT` (or 0: no words)."""
    label_scale: Floats
    """A post's label weights over their IDF weights: √:data:`LABEL_WEIGHT` over the norm of
    its IDF-weighted labels (0 when it has none)."""
    label_count: int
    """Label ids are ``0 … label_count - 1``."""
    size: int
    """Number of distinct labels and words."""

    def matrix(self) -> sparse.csr_matrix:
        """Post × feature weights, as a sparse matrix: its rows' dot products are scores."""
        from scipy import sparse  # slow to import; only small sites need it

        ids = np.hstack([self.labels, self.words])
        weights = np.hstack([self.label_weights, self.word_weights])
        rows = np.repeat(np.arange(len(ids)), ids.shape[1])
        keep = ids.ravel() < self.size
        return sparse.csr_matrix(
            (weights.ravel()[keep], (rows[keep], ids.ravel()[keep])),
            shape=(len(ids), self.size),
        )


def post_features(posts: list[Document]) -> Features:
    """IDF-weighted labels and TF-IDF words of ``posts``, as :class:`Features`."""
    n = len(posts)
    categories = [post.category_levels for post in posts]
    tags = [post.tags for post in posts]
    # each post's categories, then its tags, each once; ids in order of first appearance
    owner = np.hstack([_owners(categories), _owners(tags)])
    cut = int(sum(map(len, categories)))
    labels: dict[str, int] = {}
    category_codes = {
        path: labels.setdefault("@" + path_slug(path), len(labels))
        for path in dict.fromkeys(itertools.chain.from_iterable(categories))
    }
    tag_codes = {
        name: labels.setdefault("#" + slugify(name), len(labels))
        for name in dict.fromkeys(itertools.chain.from_iterable(tags))
    }
    code = np.fromiter(
        itertools.chain(
            map(category_codes.__getitem__, itertools.chain.from_iterable(categories)),
            map(tag_codes.__getitem__, itertools.chain.from_iterable(tags)),
        ),
        dtype=np.int64,
        count=len(owner),
    )
    by_post = np.argsort(owner, kind="stable")
    code, owner = code[by_post], owner[by_post]
    label_count = len(labels)
    renumber = np.empty(label_count, dtype=np.int64)
    renumber[np.argsort(np.unique(code, return_index=True)[1])] = np.arange(label_count)
    ids = renumber[code]
    once = np.sort(np.unique(owner * max(label_count, 1) + ids, return_index=True)[1])
    values = np.where(by_post < cut, CATEGORY_WEIGHT, 1.0)[once]
    label_ids, label_weights, label_scale = _weigh(
        np.bincount(owner[once], minlength=n), ids[once], values, label_count, LABEL_WEIGHT
    )
    words = [post.terms if post.terms is not None else terms_of(post) for post in posts]
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=n)
    terms = int(lengths.sum())
    ids, word_count = _ids(map(operator.itemgetter(0), itertools.chain.from_iterable(words)), terms)
    counts = np.fromiter(
        map(operator.itemgetter(1), itertools.chain.from_iterable(words)),
        dtype=np.float64,
        count=terms,
    )
    word_ids, word_weights, _ = _weigh(lengths, ids, 1 + np.log(counts), word_count, WORD_WEIGHT)
    size = label_count + word_count
    label_ids[label_weights == 0] = size
    word_ids[word_weights == 0] = size
    word_ids[word_weights > 0] += label_count
    return Features(
        label_ids, label_weights, word_ids, word_weights, label_scale, label_count, size
    )


def _owners(rows: Sequence[Sequence[object]]) -> Ints:
    """For each name of ``rows``, in order, the index of its row."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    return np.repeat(np.arange(len(rows)), lengths)


def _ids(names: Iterable[str], count: int) -> tuple[Ints, int]:
    """Ids of the ``count`` ``names``, numbered in order of first appearance, and how many."""
    index: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    return np.fromiter(map(index.__getitem__, names), dtype=np.int64, count=count), len(index)


def _weigh(
    lengths: Ints, ids: Ints, values: Floats, count: int, share: float
) -> tuple[Ints, Floats, Floats]:
    """Rows of ids (``lengths`` of them each, from ``ids``, which are ``0 … count - 1``)
    padded with 0 and their weights: each value times ``log(1 + n/df)``, each row scaled to
    length √``share`` (the scales are returned too), heaviest first (ties in the order
    given)."""
    n = len(lengths)
    width = int(lengths.max(initial=0))
    values = values * np.log1p(n / np.bincount(ids, minlength=count))[ids]
    row = np.repeat(np.arange(n), lengths)
    column = np.arange(len(ids)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    padded_ids = np.zeros((n, width), dtype=np.int64)
    weights = np.zeros((n, width))
    padded_ids[row, column] = ids
    weights[row, column] = values
    norms = np.sqrt(np.einsum("ij,ij->i", weights, weights))
    scales = np.divide(math.sqrt(share), norms, out=np.zeros(n), where=norms > 0)
    weights *= scales[:, None]
    order = np.argsort(-weights, axis=1, kind="stable")
    return (
        np.take_along_axis(padded_ids, order, axis=1),
        np.take_along_axis(weights, order, axis=1),
        scales,
    )


def exact_related(features: Features, rows: Ints, limit: int = RELATED_LIMIT) -> Ints:
    """The ``limit`` posts most related to each of ``rows``, by scoring every post (row-major
    blocks of a sparse product); ``-1`` pads a row with fewer posts scoring above 0."""
    matrix = features.matrix()
    columns = matrix.T.tocsc()
    n = matrix.shape[0]
    block = max(1, _EXACT_CELLS // max(n, 1))
    out = []
    for start in range(0, len(rows), block):
        part = rows[start : start + block]
        scores = np.asarray((matrix[part] @ columns).todense())
        scores[np.arange(len(part)), part] = 0
        out.append(_best(scores, np.broadcast_to(np.arange(n), scores.shape), limit)[0])
    return np.vstack(out) if out else np.zeros((0, limit), dtype=np.int64)


def candidate_related(features: Features, limit: int = RELATED_LIMIT) -> Ints:
    """The ``limit`` posts most related to each post, among its candidates: the
    :data:`CANDIDATES` posts of the highest label score, then, for a post whose
    ``limit``-th best so far scores at most :data:`WORD_WEIGHT`, the champions of its
    :data:`QUERY_WORDS` heaviest words (every post for a post without labels, see
    :data:`UNLABELLED_CELLS`)."""
    pool = _label_candidates(features, CANDIDATES)
    ranked, floor = _best(_dot(features, np.arange(len(pool)), pool), pool, limit)
    # a post sharing no label scores at most WORD_WEIGHT: it can only rank where the
    # limit-th best is no higher
    weak = np.flatnonzero(floor <= WORD_WEIGHT)
    if len(weak):
        more = np.hstack([pool[weak], _word_candidates(features)[weak]])
        more.sort(axis=1)
        more[:, 1:][more[:, 1:] == more[:, :-1]] = -1
        ranked[weak] = _best(_dot(features, weak, more), more, limit)[0]
    unlabelled = np.flatnonzero(features.label_weights[:, :1].sum(axis=1) == 0)
    if 0 < len(unlabelled) * len(pool) <= UNLABELLED_CELLS:
        ranked[unlabelled] = exact_related(features, unlabelled, limit)
    return ranked


def _label_candidates(features: Features, count: int) -> Ints:
    """For each post, the ``count`` posts of the highest label score (``-1`` when fewer share a
    label). Two posts sharing the labels ``S`` score ``Σ_{f∈S} w_f² / (|a| |b|)`` (``w_f`` the
    IDF weight of ``f``, ``|a|`` a post's label norm): among the posts having ``S``, those of
    the smallest norm score highest with every post. So each set ``S`` of up to
    :data:`SUBSET_LABELS` labels lists its ``count`` posts of the smallest norm, and a post's
    best ``count`` are among the lists of the subsets of its labels. Each entry of these
    lists becomes a key that orders as its score, then the newer post (:func:`_log_key`), and
    a block of posts at a time keeps its best keys."""
    n, size = len(features.labels), features.label_count + 1
    width = min(SUBSET_LABELS, features.labels.shape[1])
    while width and size**width >= 1 << 62:
        width -= 1
    if width == 0 or n < 2:
        return np.full((n, 0), -1, dtype=np.int64)
    order = np.argsort(features.labels[:, :width], axis=1)
    heavy = np.take_along_axis(features.labels[:, :width], order, axis=1)
    squares = np.take_along_axis(features.label_weights[:, :width], order, axis=1) ** 2
    has = heavy < features.size
    heavy = np.where(has, heavy + 1, 0)
    chosen = (np.arange(1, 1 << width)[:, None] >> np.arange(width)) & 1  # subset × slot
    power = np.where(chosen > 0, size ** np.maximum(np.cumsum(chosen, axis=1) - 1, 0), 0)
    code = heavy @ power.T  # post × subset: its labels in ascending order, base `size`
    valid = (~has).astype(np.int64) @ chosen.T == 0
    scale = features.label_scale
    inverse = np.divide(1, scale, out=np.zeros(n), where=scale > 0)
    # the lists: each subset's posts, smallest norm (then newest) first, the first `count`
    key = np.where(valid, code, -1).ravel()
    post = np.repeat(np.arange(n), chosen.shape[0])
    listed = np.lexsort((post, -scale[post], key))
    key, post = key[listed], post[listed]
    names, starts, sizes = np.unique(key, return_index=True, return_counts=True)
    rank = np.arange(len(key)) - np.repeat(starts, sizes)
    kept = rank < count
    table = np.full((len(names) + 1, count), -1, dtype=np.int64)
    table[np.repeat(np.arange(len(names)), sizes)[kept], rank[kept]] = post[kept]
    # a key orders as a score, then by newer post: its high half is the score's logarithm in
    # fixed point (a product of scores is a sum of keys), its low half the post's complement
    table_key = np.where(table >= 0, _log_key(scale)[table] + 0xFFFFFFFF - table, _NO_KEY)
    found = np.searchsorted(names, code)
    found[~valid] = len(names)
    per_subset = np.where(
        valid,
        _log_key(np.einsum("ij,kj->ik", squares, chosen.astype(squares.dtype)) * inverse[:, None]),
        _NO_KEY,
    )
    # the best (a post is its own best); one found through several subsets: its highest
    # score, its first, is its label score
    width = found.shape[1] * count
    span = min(width, 2 * count + 1)
    key = np.empty((n, span), dtype=np.int64)
    block = max(1, _KEY_CELLS // width)
    cells = np.empty((block, found.shape[1], count), dtype=np.int64)
    for start in range(0, n, block):
        part = cells[: min(block, n - start)]
        np.take(table_key, found[start : start + block], axis=0, out=part)
        part += per_subset[start : start + block, :, None]
        flat = part.reshape(len(part), width)
        flat.partition(width - span, axis=1)
        key[start : start + block] = flat[:, width - span :]
    # drop the post itself and, of a post found more than once, all but its highest key
    key.sort(axis=1)
    pool = 0xFFFFFFFF - (key & 0xFFFFFFFF)
    key[pool == np.arange(n)[:, None]] = _NO_KEY
    by_post = np.sort((pool << 16) | np.arange(span), axis=1)
    r, c = np.nonzero((by_post[:, 1:] >> 16) == (by_post[:, :-1] >> 16))
    key[r, by_post[r, c] & 0xFFFF] = _NO_KEY
    key.sort(axis=1)
    key = key[:, : -count - 1 : -1] if span > count else key[:, ::-1]
    return np.where(key > _NO_KEY // 2, 0xFFFFFFFF - (key & 0xFFFFFFFF), -1)


_NO_KEY = -(1 << 61)
"""Key of no post in :func:`_label_candidates`: below the sum of any two others."""


def _log_key(values: Floats) -> Ints:
    """Positive ``values`` as the high half of keys ordered as they are: their logarithm in
    fixed point (to about 10⁻⁶), so that a product of values is a sum of keys."""
    logs = np.log(np.maximum(values, 1e-26))
    return np.round(logs * (1 << 20)).astype(np.int64) << 32


def _word_candidates(features: Features) -> Ints:
    """For each post, the :data:`WORD_CHAMPIONS` posts that weigh each of its
    :data:`QUERY_WORDS` heaviest words most (``-1`` for none)."""
    n = len(features.words)
    key = features.words[:, :QUERY_WORDS]
    weight = features.word_weights[:, :QUERY_WORDS]
    post = np.repeat(np.arange(n), key.shape[1])
    listed = np.lexsort((post, -weight.ravel(), key.ravel()))
    flat, post = key.ravel()[listed], post[listed]
    names, starts, sizes = np.unique(flat, return_index=True, return_counts=True)
    rank = np.arange(len(flat)) - np.repeat(starts, sizes)
    kept = rank < WORD_CHAMPIONS
    table = np.full((len(names), WORD_CHAMPIONS), -1, dtype=np.int64)
    table[np.repeat(np.arange(len(names)), sizes)[kept], rank[kept]] = post[kept]
    table[names == features.size] = -1
    pool = table[np.searchsorted(names, key)].reshape(n, -1)
    pool[pool == np.arange(n)[:, None]] = -1
    return pool


def _dot(features: Features, rows: Ints, pool: Ints) -> Floats:
    """For each post ``rows[k]`` and each post of ``pool[k]``: their score (``-1`` for a
    ``-1`` in ``pool``). A pair found twice (each post a candidate of the other) is scored
    once, from the newer post: blocks of newer posts are spread over every feature, so that
    a score is a sum of the weights read at the older post's features."""
    n = len(features.labels)
    out = np.full(pool.shape, -1.0)
    listed = pool >= 0
    one, other = np.broadcast_to(rows[:, None], pool.shape)[listed], pool[listed]
    pair = np.minimum(one, other) * n + np.maximum(one, other)
    by_pair = _argsort(pair, n * n)
    pair = pair[by_pair]
    new = np.ones(len(pair), dtype=bool)
    new[1:] = pair[1:] != pair[:-1]
    newer, older = np.divmod(pair[new], n)
    scores = np.empty(len(newer))
    stride = features.size + 1
    block = max(1, _DENSE_CELLS // stride)
    dense = np.zeros(block * stride)
    ids = np.hstack([features.labels, features.words])
    weights = np.hstack([features.label_weights, features.word_weights])
    bounds = np.searchsorted(newer, np.arange(0, n + block, block))
    for start in np.unique(newer // block).tolist():
        low, high = bounds[start], bounds[start + 1]
        posts = np.arange(start * block, min(n, start * block + block))
        own = ((posts - posts[0]) * stride)[:, None] + ids[posts]
        dense[own] = weights[posts]
        dense[stride - 1 :: stride] = 0
        for part in range(low, high, _PAIRS):
            end = min(high, part + _PAIRS)
            j = older[part:end]
            spread = ((newer[part:end] - posts[0]) * stride)[:, None] + ids[j]
            scores[part:end] = np.einsum("ij,ij->i", dense[spread], weights[j])
        dense[own] = 0
    found = np.empty(len(pair))
    found[by_pair] = scores[np.cumsum(new) - 1]
    out[listed] = found
    return out


def _argsort(values: Ints, bound: int) -> Ints:
    """The order that sorts ``values`` (each in ``0 … bound - 1``), ties in place: a sort of
    ``value · len + index`` (several times faster) while that fits in 63 bits."""
    count = len(values)
    if bound * count < 1 << 63:
        return np.sort(values * count + np.arange(count)) % count
    return np.argsort(values, kind="stable")


def _best(scores: Floats, posts: Ints, limit: int) -> tuple[Ints, Floats]:
    """Row by row, the ``limit`` posts of ``posts`` with the highest ``scores`` above 0 (ties:
    the newer post, which has the smaller index), padded with ``-1``; and the ``limit``-th
    highest score (0 when fewer score above 0)."""
    rounded = np.round(scores, 9)
    rounded[posts < 0] = 0
    width = rounded.shape[1]
    best = np.full((len(rounded), limit), -1, dtype=np.int64)
    if limit == 0:
        return best, np.zeros(len(rounded))
    if width < limit:
        rounded = np.hstack([rounded, np.zeros((len(rounded), limit))])
        posts = np.hstack([posts, np.full((len(posts), limit), -1)])
        width += limit
    kth = np.partition(rounded, width - limit, axis=1)[:, width - limit]
    r, c = np.nonzero((rounded >= kth[:, None]) & (rounded > 0))
    score, post = rounded[r, c], posts[r, c]
    order = np.lexsort((post, -score, r))
    r, post = r[order], post[order]
    rank = np.arange(len(r)) - np.searchsorted(r, r)
    keep = rank < limit
    best[r[keep], rank[keep]] = post[keep]
    return best, np.maximum(kth, 0)


def _recency(doc: Document) -> tuple[float, str]:
    """Newest first, then by URL."""
    return (-_timestamp(doc), doc.url)


def _timestamp(doc: Document) -> float:
    return (doc.date or _EPOCH).timestamp()


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

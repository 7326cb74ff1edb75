"""Topics of a dataset: k-means over prompt vectors, labelled with c-TF-IDF keywords.

- k grows with the data (`choose_k`: the square root of half the samples, 2 to 40), and the
  seed is fixed, so the same base gives the same topics.
- Topics are fitted on the base version; other samples are assigned to the nearest centroid
  (cosine, on L2-normalised vectors).
- *Far* samples: a sample is far from the base when its nearest base sample is less similar
  than the base's own samples are to their nearest neighbour in 95% of cases (the 5% quantile
  of the base's leave-one-out nearest-neighbour cosines). A random sample of the same data is
  far 5% of the time, whatever the data's density.
- *Crowded* samples: a new sample most of whose nearest neighbours (8 of 10) are other new
  samples sits where the base has little. Maths word problems added to Alpaca are not far
  (Alpaca has a few maths questions) but crowded: 99 of 100 GSM8K prompts had 8 or more new
  neighbours, while in random 800/199 splits of Alpaca no new sample had more than 6.
- Keywords: c-TF-IDF (the class-based TF-IDF of BERTopic): a word's frequency within the topic,
  weighted by log(1 + average words per topic / the word's frequency over all topics), so the
  words that set a topic apart rank first. Words come from `words.keyword_tokens` (Chinese
  segmented).

Without embeddings, `lexical_vectors` gives the same kind of vectors from TF-IDF of character
n-grams reduced by truncated SVD (latent semantic analysis).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vectors = npt.NDArray[np.float32]

FAR_QUANTILE = 0.05
REFERENCE_SAMPLES = 2000  # base samples whose nearest neighbour sets the "far" cut
KEYWORDS = 6
EXAMPLES = 3
KEYWORD_DOCUMENTS = 400  # documents per topic read for keywords
LEXICAL_DIMENSIONS = 128
FIT_SAMPLES = 4000


def choose_k(size: int) -> int:
    return int(min(40, max(2, round((size / 2) ** 0.5))))


@dataclass(frozen=True)
class TopicModel:
    centroids: Vectors  # (k, dimensions), L2-normalised
    base_labels: npt.NDArray[np.intp]
    far_cosine: float  # nearest-base cosines below this are far from the base

    @property
    def k(self) -> int:
        return len(self.centroids)

    def assign(self, vectors: Vectors) -> npt.NDArray[np.intp]:
        import numpy as np

        if not len(vectors):
            return np.zeros(0, dtype=np.intp)
        labels: npt.NDArray[np.intp] = np.argmax(vectors @ self.centroids.T, axis=1)
        return labels


def fit_topics(base: Vectors, *, seed: int = 0, k: int | None = None) -> TopicModel:
    """k-means on the base's vectors (spherical: centroids normalised), and the far cut.

    Above FIT_SAMPLES vectors the centroids are fitted on a seeded sample of that many and every
    vector is then assigned: k-means++ seeding over 20,000 vectors was most of the time of a
    coverage check (measured in bench/drift_bench.py), and 40 topics are as well placed by
    4,000 points."""
    import numpy as np
    from sklearn.cluster import KMeans

    count = len(base)
    k = min(k or choose_k(count), count)
    fitted = base
    if count > FIT_SAMPLES:
        rng = np.random.default_rng(seed)
        fitted = base[np.sort(rng.choice(count, FIT_SAMPLES, replace=False))]
    model = KMeans(n_clusters=k, random_state=seed, n_init=1, max_iter=100).fit(fitted)
    centroids = _normalised(model.cluster_centers_.astype(np.float32))
    labels = np.argmax(base @ centroids.T, axis=1)
    return TopicModel(centroids, labels, _far_cut(base, seed))


def nearest_base_cosine(vectors: Vectors, base: Vectors) -> npt.NDArray[np.float32]:
    from datatenet.embeddings.search import top_k

    if not len(vectors):
        import numpy as np

        return np.zeros(0, dtype=np.float32)
    _, cosines = top_k(vectors, base, 1)
    return cosines[:, 0]


CROWD_NEIGHBOURS = 10
CROWDED = 8


def new_neighbours(base: Vectors, new: Vectors, neighbours: int = CROWD_NEIGHBOURS) -> Any:
    """For every new sample, how many of its `neighbours` nearest samples (base and new, itself
    left out) are new."""
    import numpy as np

    from datatenet.embeddings.search import top_k

    pool = np.vstack([base, new])
    m = min(neighbours, len(pool) - 1)
    if m < 1 or not len(new):
        return np.zeros(len(new), dtype=np.intp)
    index, _ = top_k(new, pool, m + 1)
    is_self = index == (len(base) + np.arange(len(new)))[:, None]
    is_new = (index >= len(base)) & ~is_self
    counted = is_new.sum(axis=1)
    # without itself among its m + 1 nearest (a tie with an exact copy), the last one is extra
    counted -= (~is_self.any(axis=1)) & is_new[:, m]
    return counted


def _far_cut(base: Vectors, seed: int) -> float:
    import numpy as np

    from datatenet.embeddings.search import top_k

    if len(base) < 3:
        return -1.0
    rng = np.random.default_rng(seed)
    picked = np.arange(len(base))
    if len(base) > REFERENCE_SAMPLES:
        picked = np.sort(rng.choice(len(base), REFERENCE_SAMPLES, replace=False))
    _, cosines = top_k(base[picked], base, 2)
    # the best match of a base sample is itself; its nearest *other* sample is the second
    return float(np.quantile(cosines[:, 1], FAR_QUANTILE))


def cluster(vectors: Vectors, k: int, seed: int = 0) -> npt.NDArray[np.intp]:
    """Plain k-means labels (for grouping the far samples into new topics)."""
    import numpy as np
    from sklearn.cluster import KMeans

    k = max(1, min(k, len(vectors)))
    if k == 1:
        return np.zeros(len(vectors), dtype=np.intp)
    labels: npt.NDArray[np.intp] = KMeans(n_clusters=k, random_state=seed, n_init=1).fit_predict(
        vectors
    )
    return labels


def keywords(
    documents: Sequence[str], labels: Sequence[int], topics: int, top: int = KEYWORDS
) -> list[list[str]]:
    """The c-TF-IDF keywords of each topic (label i: topic i), best first."""
    import math

    per_topic: list[Counter[str]] = [Counter() for _ in range(topics)]
    read = Counter[int]()
    from datatenet.analysis.words import keyword_tokens

    for document, label in zip(documents, labels, strict=True):
        if read[label] >= KEYWORD_DOCUMENTS:
            continue
        read[label] += 1
        per_topic[label].update(keyword_tokens(document))
    overall: Counter[str] = Counter()
    for counts in per_topic:
        overall.update(counts)
    sizes = [sum(counts.values()) for counts in per_topic]
    average = sum(sizes) / max(1, sum(1 for size in sizes if size))
    out = []
    for counts, size in zip(per_topic, sizes, strict=True):
        scored = [
            (count / size * math.log(1 + average / overall[word]), word)
            for word, count in counts.items()
            if count >= 2 or size < 50
        ]
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        out.append([word for _, word in scored[:top]])
    return out


def central_examples(
    vectors: Vectors, labels: npt.NDArray[np.intp], centroids: Vectors, count: int = EXAMPLES
) -> list[list[int]]:
    """For each topic, the indices of its members closest to its centroid."""
    import numpy as np

    out: list[list[int]] = []
    for topic in range(len(centroids)):
        members = np.flatnonzero(labels == topic)
        if not len(members):
            out.append([])
            continue
        closeness = vectors[members] @ centroids[topic]
        out.append([int(members[i]) for i in np.argsort(-closeness, kind="stable")[:count]])
    return out


def centroids_of(vectors: Vectors, labels: npt.NDArray[np.intp], k: int) -> Vectors:
    import numpy as np

    sums = np.zeros((k, vectors.shape[1]), dtype=np.float32)
    np.add.at(sums, labels, vectors)
    return _normalised(sums)


def lexical_vectors(texts: Sequence[str], seed: int = 0) -> Vectors:
    """Vectors without a model: TF-IDF of character n-grams, reduced to LEXICAL_DIMENSIONS by
    truncated SVD and L2-normalised, so that dot products are cosines like the model's."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer

    from datatenet.analysis.separability import char_ngram_counts

    counts = char_ngram_counts([text[:1000] for text in texts], sizes=(2, 3))
    if counts.shape[1] < 2 or len(texts) < 3:
        return np.zeros((len(texts), 1), dtype=np.float32) + 1.0
    weighted = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    dimensions = min(LEXICAL_DIMENSIONS, weighted.shape[1] - 1, len(texts) - 1)
    reduced = TruncatedSVD(dimensions, random_state=seed).fit_transform(weighted)
    return _normalised(reduced.astype(np.float32))


def _normalised(vectors: npt.NDArray[np.float32]) -> Vectors:
    import numpy as np

    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return out

"""Exact nearest-neighbour search by cosine over L2-normalized vectors, with numpy BLAS.

Queries are multiplied with the base vectors tile by tile (up to 1,024 queries x 8,192 base
vectors, a 32 MB block of scores), so memory stays bounded whatever the sizes, and each tile is
reduced while it is still in the CPU cache: a row maximum first, and only the rows that reach the
threshold are looked at further. That keeps a search at the cost of the matrix multiply itself
(measured in bench/semantic_bench.py), and it is exact: no index, no approximation.

Every function takes `base=None` to search one set against itself: each pair once (`j < i`:
a row is compared with the earlier rows only), or every other row (`earlier_only=False`).
Ties are broken towards the lowest base index, so results are deterministic.

Choice of library: plain numpy (its BLAS matmul) rather than faiss or usearch. At the sizes a
fine-tuning dataset has (up to a few 100,000 samples, 384 dimensions) an exact blocked matmul is
as fast as a flat faiss index, needs no extra wheel, and a threshold search ("every pair above
0.9") is what the checks need, which approximate indexes answer only through top-k.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
QUERY_BLOCK = 1024
BASE_BLOCK = 8192
_NEG = np.float32(-np.inf)
_GROUP = 64


@dataclass(frozen=True)
class Matches:
    """The best match of every query (row i is query i)."""

    index: npt.NDArray[np.intp]  # base row, -1 when nothing reaches the threshold
    score: npt.NDArray[np.float32]  # the minimum of the views' cosines; -inf without a match
    views: npt.NDArray[np.float32]  # shape (queries, views): each view's cosine for that match


def _as_vectors(array: npt.ArrayLike) -> Vectors:
    out = np.ascontiguousarray(array, dtype=np.float32)
    if out.ndim != 2:
        raise ValueError(f"expected a 2-d array of vectors, not shape {out.shape}")
    return out


class _Tiler:
    """Score tiles of queries x base, with the self-comparison masked out in one-set mode."""

    def __init__(
        self,
        queries: Vectors,
        base: Vectors | None,
        earlier_only: bool,
    ) -> None:
        self.queries = queries
        self.base = queries if base is None else base
        self.same = base is None
        self.earlier_only = earlier_only
        if self.base.shape[1] != queries.shape[1]:
            raise ValueError(
                f"queries have {queries.shape[1]} dimensions, the base {self.base.shape[1]}"
            )
        self.query_block = query_block = QUERY_BLOCK
        self.base_block = base_block = BASE_BLOCK
        self._buffer = np.empty(
            min(query_block, max(len(queries), 1)) * min(base_block, max(len(self.base), 1)),
            dtype=np.float32,
        )

    def tiles(self) -> Iterator[tuple[int, int, int, int, Vectors]]:
        """(r0, r1, c0, c1, scores of queries[r0:r1] x base[c0:c1]); the array is reused."""
        nq, nb = len(self.queries), len(self.base)
        for r0 in range(0, nq, self.query_block):
            r1 = min(r0 + self.query_block, nq)
            end = min(r1, nb) if self.same and self.earlier_only else nb
            for c0 in range(0, end, self.base_block):
                c1 = min(c0 + self.base_block, end)
                tile = self._buffer[: (r1 - r0) * (c1 - c0)].reshape(r1 - r0, c1 - c0)
                np.matmul(self.queries[r0:r1], self.base[c0:c1].T, out=tile)
                if self.same and c1 > r0 and c0 < r1:
                    self._mask_self(tile, r0, c0)
                yield r0, r1, c0, c1, tile

    def _mask_self(self, tile: Vectors, r0: int, c0: int) -> None:
        rows = np.arange(r0, r0 + tile.shape[0])[:, None]
        cols = np.arange(c0, c0 + tile.shape[1])[None, :]
        tile[(cols >= rows) if self.earlier_only else (cols == rows)] = _NEG


def best_matches(
    queries: Sequence[npt.ArrayLike],
    base: Sequence[npt.ArrayLike] | None,
    threshold: float,
    *,
    query_keys: npt.ArrayLike | None = None,
    base_keys: npt.ArrayLike | None = None,
    earlier_only: bool = True,
) -> Matches:
    """For every query, the base row whose cosines reach `threshold` in *every* view (e.g. the
    prompt view and the answer view), best by the minimum over the views.

    `queries` and `base` hold one array per view, row i of each describing the same item.
    Pairs with equal keys (`query_keys[i] == base_keys[j]`, e.g. the same sample id) are skipped.
    With `base=None` the queries are searched among themselves (`query_keys` for both sides).
    """
    views_q, views_b = _check_views(queries, base)
    same = base is None
    qkeys, bkeys = _keys(same, query_keys, base_keys)
    nq = len(views_q[0])

    index = np.full(nq, -1, dtype=np.intp)
    score = np.full(nq, _NEG, dtype=np.float32)
    found = np.full((nq, len(views_q)), _NEG, dtype=np.float32)
    limit = np.float32(threshold)
    tiler = _Tiler(views_q[0], None if same else views_b[0], earlier_only)
    for r0, _, c0, c1, tile in tiler.tiles():
        rows = np.flatnonzero(tile.max(axis=1) >= limit)
        if not len(rows):
            continue
        per_view, joint = _joint(tile, rows, r0, c0, c1, views_q, views_b, qkeys, bkeys)
        best = joint.argmax(axis=1)
        values = joint[np.arange(len(rows)), best]
        better = (values >= limit) & (values > score[r0 + rows])
        if not better.any():
            continue
        local, cols = np.flatnonzero(better), best[better]
        targets = r0 + rows[local]
        index[targets] = c0 + cols
        score[targets] = values[local]
        for v, scores in enumerate(per_view):
            found[targets, v] = scores[local, cols]
    return Matches(index, score, found)


def _check_views(
    queries: Sequence[npt.ArrayLike], base: Sequence[npt.ArrayLike] | None
) -> tuple[list[Vectors], list[Vectors]]:
    views_q = [_as_vectors(view) for view in queries]
    if not views_q:
        raise ValueError("at least one view is needed")
    views_b = views_q if base is None else [_as_vectors(view) for view in base]
    if len(views_b) != len(views_q):
        raise ValueError("queries and base need the same views")
    nq, nb = len(views_q[0]), len(views_b[0])
    if any(len(v) != nq for v in views_q) or any(len(v) != nb for v in views_b):
        raise ValueError("every view needs one row per item")
    return views_q, views_b


def _keys(
    same: bool, query_keys: npt.ArrayLike | None, base_keys: npt.ArrayLike | None
) -> tuple[npt.NDArray[np.generic] | None, npt.NDArray[np.generic] | None]:
    qkeys = None if query_keys is None else np.asarray(query_keys)
    bkeys = qkeys if same else (None if base_keys is None else np.asarray(base_keys))
    if (qkeys is None) != (bkeys is None):
        raise ValueError("give keys for both sides or for neither")
    return qkeys, bkeys


def _joint(
    tile: Vectors,
    rows: npt.NDArray[np.intp],
    r0: int,
    c0: int,
    c1: int,
    views_q: list[Vectors],
    views_b: list[Vectors],
    qkeys: npt.NDArray[np.generic] | None,
    bkeys: npt.NDArray[np.generic] | None,
) -> tuple[list[Vectors], Vectors]:
    """The cosines of tile rows `rows` in every view, and their minimum with pairs of equal
    keys masked out."""
    per_view = [tile[rows]]
    for vq, vb in zip(views_q[1:], views_b[1:], strict=True):
        per_view.append(vq[r0 + rows] @ vb[c0:c1].T)
    joint = per_view[0].copy()
    for other in per_view[1:]:
        np.minimum(joint, other, out=joint)
    if qkeys is not None and bkeys is not None:
        joint[qkeys[r0 + rows][:, None] == bkeys[None, c0:c1]] = _NEG
    return per_view, joint


def joint_pairs_above(
    queries: Sequence[npt.ArrayLike],
    base: Sequence[npt.ArrayLike] | None,
    threshold: float,
    *,
    query_keys: npt.ArrayLike | None = None,
    base_keys: npt.ArrayLike | None = None,
    earlier_only: bool = True,
    per_query: int | None = None,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """Every (query, base) pair whose cosines reach `threshold` in *every* view, as (rows,
    cols, scores) ordered by row then column; the score is the minimum over the views. Views,
    keys and `base=None` as in `best_matches`. `per_query` keeps only each query's best pairs
    (ties towards the lower column), which bounds the output on a narrow dataset."""
    views_q, views_b = _check_views(queries, base)
    qkeys, bkeys = _keys(base is None, query_keys, base_keys)
    limit = np.float32(threshold)
    found: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], Vectors]] = []
    tiler = _Tiler(views_q[0], None if base is None else views_b[0], earlier_only)
    for r0, _, c0, c1, tile in tiler.tiles():
        rows = np.flatnonzero(tile.max(axis=1) >= limit)
        if not len(rows):
            continue
        _, joint = _joint(tile, rows, r0, c0, c1, views_q, views_b, qkeys, bkeys)
        local, cols = np.nonzero(joint >= limit)
        found.append((r0 + rows[local], c0 + cols, joint[local, cols]))
    if not found:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty.copy(), np.zeros(0, dtype=np.float32)
    r = np.concatenate([f[0] for f in found])
    c = np.concatenate([f[1] for f in found])
    s = np.concatenate([f[2] for f in found])
    if per_query is not None:
        order = np.lexsort((c, -s, r))
        rank = np.arange(len(order)) - np.searchsorted(r[order], r[order])
        keep = order[rank < per_query]
        r, c, s = r[keep], c[keep], s[keep]
    order = np.lexsort((c, r))
    return r[order], c[order], s[order]


def top_k(
    queries: npt.ArrayLike,
    base: npt.ArrayLike | None,
    k: int = 1,
    *,
    earlier_only: bool = False,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """The k nearest base rows of every query, best first: (indices, cosines), each of shape
    (queries, k); padded with -1 and -inf where there are fewer than k candidates.
    With `base=None`: among the queries themselves, excluding each row itself."""
    if k < 1:
        raise ValueError("k must be at least 1")
    vq = _as_vectors(queries)
    vb = None if base is None else _as_vectors(base)
    nq = len(vq)
    best_i = np.full((nq, k), -1, dtype=np.intp)
    best_s = np.full((nq, k), _NEG, dtype=np.float32)
    tiler = _Tiler(vq, vb, earlier_only)
    for r0, r1, c0, _, tile in tiler.tiles():
        if k == 1:
            cols = tile.argmax(axis=1)
            values = tile[np.arange(r1 - r0), cols]
            better = values > best_s[r0:r1, 0]
            best_s[r0:r1, 0][better] = values[better]
            best_i[r0:r1, 0][better] = c0 + cols[better]
            continue
        _merge_top_k(tile, c0, k, best_s[r0:r1], best_i[r0:r1])
    best_i[~np.isfinite(best_s)] = -1
    return best_i, best_s


def _merge_top_k(
    tile: Vectors,
    c0: int,
    k: int,
    best_s: npt.NDArray[np.float32],
    best_i: npt.NDArray[np.intp],
) -> None:
    """Merge a tile's candidates into the running top k of its rows (in place).

    Only entries that can enter a top k are looked at: those at or above the larger of the
    row's current k-th best and a lower bound of the tile row's own k-th largest value. The
    bound comes from groups of 64 columns (k group maxima are k distinct entries, so the k-th
    largest group maximum is at most the k-th largest entry), and only the groups whose maximum
    reaches it are searched: a pass over the tile, then work in proportion to k."""
    rows, width = tile.shape
    bound = np.maximum(best_s[:, -1], np.finfo(np.float32).min)  # never a masked -inf entry
    groups = width // _GROUP
    found_rows: list[npt.NDArray[np.intp]] = []
    found_cols: list[npt.NDArray[np.intp]] = []
    if groups:
        # column c = i * groups + g sits in group g: strided groups make the maxima one
        # elementwise maximum over 64 contiguous slices
        grid = tile[:, : groups * _GROUP].reshape(rows, _GROUP, groups)
        maxima = grid.max(axis=1)
        if groups >= k:
            kth = np.partition(maxima, groups - k, axis=1)[:, groups - k]
            np.maximum(bound, kth, out=bound)
        hit_r, hit_g = np.nonzero(maxima >= bound[:, None])
        members = grid[hit_r, :, hit_g]  # (groups hit, 64)
        which, member = np.nonzero(members >= bound[hit_r][:, None])
        found_rows.append(hit_r[which])
        found_cols.append(member * groups + hit_g[which])
    if groups * _GROUP < width:
        rest_r, rest_c = np.nonzero(tile[:, groups * _GROUP :] >= bound[:, None])
        found_rows.append(rest_r)
        found_cols.append(groups * _GROUP + rest_c)
    local = np.concatenate(found_rows) if found_rows else np.zeros(0, dtype=np.intp)
    cols = np.concatenate(found_cols) if found_cols else np.zeros(0, dtype=np.intp)
    if not len(local):
        return
    cand_rows = np.concatenate([np.repeat(np.arange(rows), k), local])
    cand_s = np.concatenate([best_s.ravel(), tile[local, cols]])
    cand_i = np.concatenate([best_i.ravel(), c0 + cols])
    # best first; among equal scores the lower index (missing entries, -1, sort last)
    tie = np.where(cand_i < 0, np.iinfo(np.intp).max, cand_i)
    order = np.lexsort((tie, -cand_s, cand_rows))
    ranked_rows = cand_rows[order]
    rank = np.arange(len(order)) - np.searchsorted(ranked_rows, np.arange(rows))[ranked_rows]
    keep = order[rank < k]  # exactly k a row: every row brings its current k
    best_s[:] = cand_s[keep].reshape(rows, k)
    best_i[:] = cand_i[keep].reshape(rows, k)


def pairs_above(
    queries: npt.ArrayLike,
    base: npt.ArrayLike | None,
    threshold: float,
    *,
    earlier_only: bool = True,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """Every (query row, base row) pair whose cosine reaches `threshold`, as three arrays
    (rows, cols, cosines) ordered by row then column. With `base=None`: pairs within the
    queries, each once as (i, j) with j < i (or both ways with `earlier_only=False`).

    The output grows with the number of pairs found: meant for high thresholds, where pairs are
    rare (a threshold low enough to match most pairs returns most of n^2 pairs)."""
    vq = _as_vectors(queries)
    vb = None if base is None else _as_vectors(base)
    limit = np.float32(threshold)
    found_r: list[npt.NDArray[np.intp]] = []
    found_c: list[npt.NDArray[np.intp]] = []
    found_s: list[npt.NDArray[np.float32]] = []
    tiler = _Tiler(vq, vb, earlier_only)
    for r0, _, c0, _, tile in tiler.tiles():
        rows = np.flatnonzero(tile.max(axis=1) >= limit)
        if not len(rows):
            continue
        sub = tile[rows]
        local, cols = np.nonzero(sub >= limit)
        found_r.append(r0 + rows[local])
        found_c.append(c0 + cols)
        found_s.append(sub[local, cols])
    if not found_r:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty.copy(), np.zeros(0, dtype=np.float32)
    r = np.concatenate(found_r)
    c = np.concatenate(found_c)
    s = np.concatenate(found_s)
    order = np.lexsort((c, r))
    return r[order], c[order], s[order]

"""On-disk embedding cache: (model and settings, text) -> vector, shared by all commands.

One SQLite database (stdlib, WAL mode: readers never wait, writers queue on a busy timeout) under
`<git common dir>/datatenet/embeddings/` in a repository, `~/.cache/datatenet/embeddings/`
outside one. A vector is stored as float16 (768 bytes for 384 dimensions) in a table keyed by an
integer, so a lookup is a rowid search:

    key   = low 64 bits of xxh3-128(text, seed = xxh3-64(embedder name))   (the rowid)
    check = high 64 bits of that hash XOR xxh3-64(vector bytes)

`check` proves on every read that the row belongs to this text and model (128 bits in all) and
that its bytes are the ones written; rows that fail it, or whose vector is not finite and unit
length, are misses and get overwritten. A file that is not a database, or a corrupt one, is
deleted and rebuilt; when the cache cannot be used at all (read-only disk, locked past the
timeout), embedding goes on without it. Nothing is ever trusted that was not verified.

Vectors come back as float32 rebuilt from the stored float16 and renormalized, and a vector just
computed goes through the same rounding: a cold and a warm run see identical vectors, so they
produce identical findings. The wrapped embedder is called only for the texts the cache misses,
so a warm run never loads (or imports) the model.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import xxhash

from datatenet.embeddings.base import Embedder
from datatenet.progress import Progress

FORMAT = 1
FILENAME = f"vectors-v{FORMAT}.sqlite3"  # another format: another file, no fight over one
EMBEDDINGS_DIR = "embeddings"
BUSY_TIMEOUT_S = 10.0  # writers hold the lock for milliseconds; past this, go on without
_LOOKUP_CHUNK = 30_000  # bound parameters a statement (SQLite allows 32,766)
_CORRUPT_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
_NORM_TOLERANCE = 0.01
MISS_CHUNK = 2048  # texts embedded (and stored) at a time
_MMAP_BYTES = 1 << 30
_PAGE_SIZE = 16384
T = TypeVar("T")
Int64s = npt.NDArray[np.int64]
UInt64s = npt.NDArray[np.uint64]


def cache_directory() -> Path:
    """Where embeddings are cached when the caller names no directory: the user's cache."""
    return user_cache_directory() / EMBEDDINGS_DIR


def user_cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "datatenet"


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    bytes: int
    vectors: dict[str, int]  # embedder name -> vectors stored


class VectorStore:
    """The SQLite file. Every method degrades instead of failing: a store that cannot be used
    answers "not cached" and stores nothing; `problem` says why."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FILENAME
        self.problem: str | None = None
        self._connection: sqlite3.Connection | None = None
        self._rebuilt = False
        self._models: dict[str, tuple[int, int]] = {}  # name -> (id, dimension)

    # -- connection -------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is not None or self.problem is not None:
            return self._connection
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as error:
            self.problem = f"cannot open {self.path}: {error}"
            return None
        try:
            self._prepare(connection)
        except sqlite3.Error as error:
            connection.close()
            if _is_corrupt(error) and self._rebuild():
                return self._connect()
            self.problem = f"cannot use {self.path}: {error}"
            return None
        self._connection = connection
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")  # reads without a copy a page
        connection.execute(f"PRAGMA page_size={_PAGE_SIZE}")  # only takes effect on a new file
        # WAL is not available everywhere (network file systems): there, a rollback journal
        _retry(lambda: connection.execute("PRAGMA journal_mode=WAL").fetchone())
        with _write(connection):
            connection.execute(
                "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS models (id INTEGER PRIMARY KEY, "
                "name TEXT UNIQUE NOT NULL, dimension INTEGER NOT NULL)"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key INTEGER PRIMARY KEY, "
                "model INTEGER NOT NULL, check_ INTEGER NOT NULL, vector BLOB NOT NULL)"
            )
            row = connection.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if row is None:
                connection.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
            elif row[0] != str(FORMAT):
                raise sqlite3.DatabaseError(f"cache format {row[0]}, expected {FORMAT}")

    def _rebuild(self) -> bool:
        """Delete a corrupt or foreign file (once a process) so that it is built anew."""
        if self._rebuilt:
            return False
        self._rebuilt = True
        self.close()
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        except OSError as error:
            self.problem = f"cannot replace the corrupt cache {self.path}: {error}"
            return False
        self._models.clear()
        return True

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _failed(self, error: sqlite3.Error) -> bool:
        """Handle an error of a running store; True when the operation may be tried again."""
        if _is_corrupt(error) and self._rebuild():
            return True
        self.close()
        self.problem = self.problem or f"cannot use {self.path}: {error}"
        return False

    # -- models -----------------------------------------------------------------------------

    def _model(self, name: str, dimension: int | None) -> tuple[int, int] | None:
        """(id, dimension) of a model; registered when `dimension` is given."""
        known = self._models.get(name)
        if known is not None:
            return known
        connection = self._connect()
        if connection is None:
            return None
        row = connection.execute(
            "SELECT id, dimension FROM models WHERE name = ?", (name,)
        ).fetchone()
        if row is None and dimension is not None:
            with _write(connection):
                connection.execute(
                    "INSERT OR IGNORE INTO models (name, dimension) VALUES (?, ?)",
                    (name, dimension),
                )
            row = connection.execute(
                "SELECT id, dimension FROM models WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            return None
        self._models[name] = (int(row[0]), int(row[1]))
        return self._models[name]

    # -- vectors ----------------------------------------------------------------------------

    def get(
        self, name: str, keys: Int64s, highs: UInt64s
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float32]] | None:
        """For each text (its key and the high half of its hash): whether a sound vector is
        stored, and the stored float16 vectors as float32 (zero rows for misses). None when
        nothing is stored for this model or the cache cannot be read."""
        for _ in range(2):
            try:
                return self._get(name, keys, highs)
            except sqlite3.Error as error:
                if not self._failed(error):
                    return None
        return None

    def _get(
        self, name: str, keys: Int64s, highs: UInt64s
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float32]] | None:
        model = self._model(name, None)
        connection = self._connection
        if model is None or connection is None:
            return None
        dimension = model[1]
        order = np.argsort(keys, kind="stable")
        wanted = keys[order]
        listed = wanted.tolist()  # sorted: each statement probes one range of the table
        step = min(_LOOKUP_CHUNK, connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        rows: list[tuple[int, int, bytes]] = []
        for start in range(0, len(listed), step):
            chunk = listed[start : start + step]
            marks = ",".join("?" * len(chunk))
            rows += connection.execute(
                f"SELECT key, check_, vector FROM vectors WHERE key IN ({marks})", chunk
            ).fetchall()
        found = np.zeros(len(keys), dtype=np.bool_)
        vectors = np.zeros((len(keys), dimension), dtype=np.float32)
        size = 2 * dimension
        if any(len(row[2]) != size for row in rows):
            rows = [row for row in rows if len(row[2]) == size]
        if not rows:
            return found, vectors
        got_keys, got_checks, blobs = zip(*rows, strict=True)
        at = order[np.searchsorted(wanted, np.array(got_keys, dtype=np.int64))]
        digest = xxhash.xxh3_64_intdigest
        sums = np.array([digest(blob) for blob in blobs], dtype=np.uint64)
        sound = np.array(got_checks, dtype=np.int64) == (highs[at] ^ sums).view(np.int64)
        data = np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(blobs), dimension)
        if not sound.all():
            at, data = at[sound], data[sound]
        found[at] = True
        vectors[at] = data  # float16 -> float32 on the way
        return found, vectors

    def put(
        self, name: str, keys: Int64s, highs: UInt64s, vectors: npt.NDArray[np.float16]
    ) -> bool:
        """Store float16 vectors, one row per key; False when the cache cannot take them."""
        if not len(keys):
            return True
        for _ in range(2):
            try:
                return self._put(name, keys, highs, vectors)
            except sqlite3.Error as error:
                if not self._failed(error):
                    return False
        return False

    def _put(
        self, name: str, keys: Int64s, highs: UInt64s, vectors: npt.NDArray[np.float16]
    ) -> bool:
        model = self._model(name, int(vectors.shape[1]))
        connection = self._connection
        if model is None or connection is None:
            return False
        model_id, dimension = model
        if dimension != vectors.shape[1]:
            return False  # the same name with another dimension: a changed model, do not mix
        data = np.ascontiguousarray(vectors, dtype="<f2")
        blobs = [row.tobytes() for row in data]
        digest = xxhash.xxh3_64_intdigest
        sums = np.array([digest(blob) for blob in blobs], dtype=np.uint64)
        checks = (highs ^ sums).view(np.int64).tolist()
        rows = zip(keys.tolist(), [model_id] * len(blobs), checks, blobs, strict=True)
        with _write(connection):
            connection.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
        return True

    def info(self) -> CacheInfo:
        size = 0
        for suffix in ("", "-wal"):
            with suppress(OSError):
                size += Path(f"{self.path}{suffix}").stat().st_size
        counts: dict[str, int] = {}
        if self.path.exists():
            connection = self._connect()
            if connection is not None:
                try:
                    counts = {
                        str(name): int(count)
                        for name, count in connection.execute(
                            "SELECT models.name, count(vectors.key) FROM models "
                            "LEFT JOIN vectors ON vectors.model = models.id GROUP BY models.id"
                        )
                    }
                except sqlite3.Error:
                    counts = {}
        return CacheInfo(self.path, size, counts)


@contextmanager
def _write(connection: sqlite3.Connection) -> Iterator[None]:
    """A write transaction, taking the write lock up front (no lock upgrade, no deadlock)."""
    _retry(lambda: connection.execute("BEGIN IMMEDIATE"))
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _retry(action: Callable[[], T]) -> T:
    """Run a statement that SQLite may refuse with "locked" without waiting on its busy handler
    (changing the journal mode, BEGIN IMMEDIATE under contention), until the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.001
    while True:
        try:
            return action()
        except sqlite3.OperationalError as error:
            code = getattr(error, "sqlite_errorcode", 5) & 0xFF
            if code not in (5, 6) or time.monotonic() > deadline:  # SQLITE_BUSY, SQLITE_LOCKED
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.05)


def _is_corrupt(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT_CODES
    text = str(error).lower()
    return "not a database" in text or "malformed" in text or "cache format" in text


class CachedEmbedder:
    """Any Embedder with the on-disk cache in front: only missed texts reach the model.

    `directory` None disables the cache (every text is embedded; vectors are still rounded
    through float16, so results do not depend on whether a cache was used).
    """

    def __init__(
        self, inner: Embedder, directory: Path | None, progress: Progress | None = None
    ) -> None:
        self.inner = inner
        self.store = VectorStore(directory) if directory is not None else None
        # the bar over the texts the cache misses; the model inside advances it
        self.progress = progress if progress is not None else getattr(inner, "progress", None)
        self.hits = 0  # texts served from the cache (distinct texts), over this object's life
        self.misses = 0  # texts the model embedded

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def device(self) -> str | None:
        """The runtime and device the model ran on (e.g. "cpu (onnxruntime, 2 threads)"), or
        None when it never ran: every text came from the cache."""
        device = getattr(self.inner, "device", None)
        return device if isinstance(device, str) else None

    @property
    def problem(self) -> str | None:
        """Why the cache is not in use, if it is not (the run goes on without it)."""
        return self.store.problem if self.store is not None else None

    def close(self) -> None:
        """Close the database (it is reopened on the next call)."""
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> CachedEmbedder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        unique: dict[str, int] = {}
        positions = [unique.setdefault(text, len(unique)) for text in texts]
        distinct = list(unique)
        name = self.name
        keys, highs = text_keys(distinct, name)
        out: npt.NDArray[np.float32] | None = None
        found = np.zeros(len(distinct), dtype=np.bool_)
        cached = self.store.get(name, keys, highs) if self.store is not None and distinct else None
        if cached is not None:
            found, out = cached
            norms = _norms(out)
            found &= np.isfinite(norms) & (np.abs(norms - 1.0) <= _NORM_TOLERANCE)
        missing = np.flatnonzero(~found)
        self.hits += len(distinct) - len(missing)
        self.misses += len(missing)
        # Embedded and stored chunk by chunk (shortest texts first, so batches stay alike in
        # length): an interrupted first run over a large dataset keeps what it embedded.
        by_length = sorted(missing.tolist(), key=lambda i: len(distinct[i]))
        with self._bar(len(by_length)):
            for start in range(0, len(by_length), MISS_CHUNK):
                chunk = np.asarray(by_length[start : start + MISS_CHUNK], dtype=np.intp)
                fresh = self.inner.embed([distinct[i] for i in chunk])
                rounded = _unit(np.asarray(fresh, dtype=np.float32)).astype(np.float16)
                if out is None or out.shape[1] != rounded.shape[1]:
                    out = np.zeros((len(distinct), rounded.shape[1]), dtype=np.float32)
                out[chunk] = rounded
                sound = np.isfinite(_norms(out[chunk]))
                if self.store is not None and sound.any():
                    self.store.put(name, keys[chunk[sound]], highs[chunk[sound]], rounded[sound])
        if out is None:  # no texts at all
            return np.zeros((0, 0), dtype=np.float32)
        out = _unit(out)
        return out if len(distinct) == len(texts) else out[np.asarray(positions, dtype=np.intp)]

    def _bar(self, total: int) -> AbstractContextManager[None]:
        if self.progress is None or not total:
            return nullcontext()
        prepare = getattr(self.inner, "prepare", None)
        if prepare is not None:
            prepare()  # load the model first: its status line, then the bar
        return self.progress.bar(total, getattr(self.inner, "label", "embedding"))


def text_keys(texts: Sequence[str], name: str) -> tuple[Int64s, UInt64s]:
    """The cache key (signed 64 bits, the rowid) and the high 64 bits of each text's hash."""
    seed = xxhash.xxh3_64_intdigest(name.encode())
    digest = xxhash.xxh3_128_digest
    raw = b"".join([digest(text.encode("utf-8", "surrogatepass"), seed) for text in texts])
    halves = np.frombuffer(raw, dtype=">u8").reshape(len(texts), 2)  # big-endian: high, low
    return halves[:, 1].astype(np.uint64).view(np.int64), halves[:, 0].astype(np.uint64)


def _norms(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    squares: npt.NDArray[np.float32] = np.einsum("ij,ij->i", vectors, vectors)
    return np.sqrt(squares)


def _unit(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Rows scaled to unit length, in place (zero rows stay zero)."""
    norms = _norms(vectors)[:, None]
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors

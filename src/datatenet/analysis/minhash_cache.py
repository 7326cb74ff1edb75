"""On-disk cache of what the duplicate tiers compute for a sample: the hash of its normalised text
(the exact tier) and its MinHash signature (the near tier), keyed by sample id.

A sample id hashes the sample's content, so what is cached for it never goes stale; the settings
(shingle size, permutations, seed), the normalisation version and the Unicode version of this
Python name the file. One file per settings under `<git common dir>/datatenet/minhash/`, in
columns, so that the rows of a 200,000-sample dataset load in milliseconds:

    MAGIC | header length (u32) | header (JSON) | ids (ASCII, fixed width) |
    text hashes (16 bytes each) | signatures (uint32, little-endian, permutations each)

The header carries a digest of the body: a corrupt, truncated or foreign file is ignored (and
overwritten), never trusted. Writes go to a temporary file renamed into place, so concurrent
processes are safe (the last writer wins; a row lost that way is recomputed next time).
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import orjson
import xxhash

from datatenet.files import write_atomically

FORMAT = 1
MAGIC = b"DTNMH\x00\x00\x01"
MINHASH_DIR = "minhash"
NORMALIZE_VERSION = 2  # bump when normalize() or shingling changes (2: symbols spaced)
MAX_ROWS = 1_000_000  # beyond this, a write keeps only the rows of the current run
KEY_SIZE = 16
_LENGTH = struct.Struct("<I")


class SignatureCache:
    """The rows of one settings file, loaded once; `save` writes the rows used or made."""

    def __init__(self, directory: Path, settings_key: str, permutations: int) -> None:
        self.key = (
            f"{settings_key};normalize={NORMALIZE_VERSION};unicode={unicodedata.unidata_version}"
        )
        name = hashlib.blake2b(self.key.encode(), digest_size=12).hexdigest()
        self.path = directory / f"{name}.bin"
        self.permutations = permutations
        self.rows: dict[str, int] = {}
        self.text_keys = np.zeros((0, KEY_SIZE), dtype=np.uint8)
        self.signatures = np.zeros((0, permutations), dtype=np.uint32)
        self.used: set[int] = set()
        try:
            self._load(self.path.read_bytes())
        except (OSError, ValueError, TypeError, KeyError, struct.error, orjson.JSONDecodeError):
            self.rows = {}

    def get(self, sample_id: str) -> tuple[bytes, np.ndarray] | None:
        """(text hash, signature) of a sample seen before, or None."""
        row = self.rows.get(sample_id)
        if row is None:
            return None
        self.used.add(row)
        return self.text_keys[row].tobytes(), self.signatures[row]

    def save(
        self, sample_ids: Sequence[str], text_keys: Sequence[bytes], signatures: np.ndarray
    ) -> bool:
        """Add rows and write the file; False when it cannot be (read-only disk, odd ids)."""
        fresh = [i for i, sample_id in enumerate(sample_ids) if sample_id not in self.rows]
        if not fresh:
            return True
        keep = list(self.rows.items())
        if len(keep) + len(fresh) > MAX_ROWS:
            keep = [(sample_id, row) for sample_id, row in keep if row in self.used]
        ids = [sample_id for sample_id, _ in keep] + [sample_ids[i] for i in fresh]
        old_rows = np.array([row for _, row in keep], dtype=np.int64)
        keys = np.concatenate(
            (
                self.text_keys[old_rows],
                np.frombuffer(b"".join(text_keys[i] for i in fresh), dtype=np.uint8).reshape(
                    -1, KEY_SIZE
                ),
            )
        )
        rows = np.concatenate((self.signatures[old_rows], signatures[fresh].astype(np.uint32)))
        data = self._encode(ids, keys, rows)
        if data is None:
            return False
        return write_atomically(self.path, data)

    def _encode(self, ids: list[str], keys: np.ndarray, rows: np.ndarray) -> bytes | None:
        widths = {len(i) for i in ids}
        if len(widths) != 1 or not all(i.isascii() for i in ids):
            return None  # ids of mixed widths: not cacheable
        body = b"".join(
            (
                "".join(ids).encode("ascii"),
                np.ascontiguousarray(keys).tobytes(),
                np.ascontiguousarray(rows, dtype="<u4").tobytes(),
            )
        )
        header = orjson.dumps(
            {
                "format": FORMAT,
                "key": self.key,
                "count": len(ids),
                "id_width": widths.pop(),
                "permutations": self.permutations,
                "size": len(body),
                "digest": xxhash.xxh3_128_hexdigest(body),
            }
        )
        return MAGIC + _LENGTH.pack(len(header)) + header + body

    def _load(self, data: bytes) -> None:
        if not data.startswith(MAGIC):
            return
        start = len(MAGIC) + _LENGTH.size
        (length,) = _LENGTH.unpack_from(data, len(MAGIC))
        header = orjson.loads(data[start : start + length])
        body = data[start + length :]
        count, width = int(header["count"]), int(header["id_width"])
        if (
            header["format"] != FORMAT
            or header["key"] != self.key
            or header["permutations"] != self.permutations
            or header["size"] != len(body)
            or len(body) != count * (width + KEY_SIZE + 4 * self.permutations)
            or header["digest"] != xxhash.xxh3_128_hexdigest(body)
        ):
            return
        text = body[: count * width].decode("ascii")
        self.rows = {text[i * width : (i + 1) * width]: i for i in range(count)}
        at = count * width
        self.text_keys = np.frombuffer(body, dtype=np.uint8, count=count * KEY_SIZE, offset=at)
        self.text_keys = self.text_keys.reshape(count, KEY_SIZE)
        at += count * KEY_SIZE
        signatures = np.frombuffer(body, dtype="<u4", count=count * self.permutations, offset=at)
        self.signatures = signatures.astype(np.uint32).reshape(count, self.permutations)

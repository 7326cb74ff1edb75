"""On-disk cache of parsed versions: content address + parse options -> entries and schema.

A version is content-addressed (a git blob id, a DVC md5), so what parsing it produced never
changes: a version read once is never parsed again. One file per (address, options) in a
directory the repository names (`<git common dir>/datatenet/ids/`, see `repo/repository.py`),
binary and compact (56 bytes a sample with 128-bit ids), in columns, so that loading 200,000
entries takes a fraction of a second:

    MAGIC | header length (u32) | header (JSON) | sample ids | prompt ids | meta ids |
    positions (u64, little-endian) | keys (JSON, only with --key)

The header repeats the address, the options and the code versions, holds what else parsing
found (invalid records, mapped fields no record has), and carries a digest of the body, so a
corrupt, truncated or foreign file is ignored (and overwritten), never trusted. Writes go to
a temporary file renamed into place, so concurrent processes are safe.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from datatenet import __version__
from datatenet.files import write_atomically
from datatenet.samples import CANONICAL_VERSION
from datatenet.version import Entries, InvalidRecord, Unmapped, Version

if TYPE_CHECKING:
    from collections.abc import Callable

    from datatenet.formats.load import LoadOptions
    from datatenet.samples import Sample

FORMAT = 3  # 3: the header keeps the mapped fields no record has (`Version.unmapped`)
MAGIC = b"DTNIDS\x00\x03"
_LENGTH = struct.Struct("<I")


@dataclass(frozen=True)
class CachedVersion:
    """What parsing a version produced, without its label (the same bytes may sit anywhere)."""

    file_format: str
    schema: str
    position_kind: str
    entries: Entries
    invalid: tuple[InvalidRecord, ...]
    unmapped: tuple[Unmapped, ...] = ()

    def version(
        self, label: str, load_samples: Callable[[list[int]], list[Sample]] | None = None
    ) -> Version:
        return Version(
            label,
            self.file_format,
            self.schema,
            self.position_kind,
            self.entries,
            self.invalid,
            load_samples,
            self.unmapped,
        )


@dataclass(frozen=True)
class CacheStats:
    directory: Path
    files: int
    bytes: int


def options_key(options: LoadOptions, extra: Any = None) -> str:
    """Everything besides the bytes that decides what parsing yields, as one string.

    `extra` carries anything else that does (e.g. a dataset_info.json entry).
    """
    return orjson.dumps(
        {
            "format": FORMAT,
            "canonical": CANONICAL_VERSION,
            "datatenet": __version__,
            "schema": options.schema,
            "mapping": sorted(options.mapping.items()),
            "key": options.key,
            "skip_invalid": options.skip_invalid,
            "extra": extra,
        },
        option=orjson.OPT_SORT_KEYS,
    ).decode()


class IdCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, address: str, options: str) -> Path:
        name = hashlib.blake2b(f"{address}\0{options}".encode(), digest_size=20).hexdigest()
        return self.directory / name[:2] / name[2:]

    def get(self, address: str, options: str) -> CachedVersion | None:
        """The cached parse of this content with these options; None if absent or unsound."""
        try:
            data = self._path(address, options).read_bytes()
            return _decode(data, address, options)
        except (OSError, ValueError, TypeError, KeyError, struct.error, orjson.JSONDecodeError):
            return None

    def put(self, address: str, options: str, version: Version) -> bool:
        """Store a parsed version; False when it cannot be (odd ids, read-only disk)."""
        data = _encode(version, address, options)
        if data is None:
            return False
        return write_atomically(self._path(address, options), data)


def _encode(version: Version, address: str, options: str) -> bytes | None:
    entries = version.entries
    try:
        columns = [
            bytes.fromhex("".join(entries.sample_ids)),
            bytes.fromhex("".join(entries.prompt_ids)),
            bytes.fromhex("".join(entries.meta_ids)),
            array("Q", entries.positions),
        ]
    except (ValueError, OverflowError, TypeError):
        return None  # ids that are not hex, or odd positions: not cacheable
    id_size = len(entries.sample_ids[0]) // 2 if entries else 0
    expected = id_size * len(entries)
    sizes = {
        len(i)
        for column in (entries.sample_ids, entries.prompt_ids, entries.meta_ids)
        for i in column
    }
    if len(sizes) > 1 or any(len(column) != expected for column in columns[:3]):
        return None  # ids of mixed lengths
    positions = columns[3]
    assert isinstance(positions, array)
    if sys.byteorder != "little":
        positions.byteswap()
    body = b"".join(bytes(column) for column in columns)
    keyed = entries.keys is not None
    if keyed:
        body += orjson.dumps(entries.keys)
    header = orjson.dumps(
        {
            "address": address,
            "options": options,
            "count": len(entries),
            "id_size": id_size,
            "file_format": version.file_format,
            "schema": version.schema,
            "position_kind": version.position_kind,
            "invalid": [[item.position, item.reason] for item in version.invalid],
            "unmapped": [[u.field, list(u.fields), u.nested] for u in version.unmapped],
            "keyed": keyed,
            "size": len(body),
            "digest": hashlib.blake2b(body, digest_size=16).hexdigest(),
        }
    )
    return MAGIC + _LENGTH.pack(len(header)) + header + body


def _hex_column(data: bytes, width: int) -> list[str]:
    if not data:
        return []
    text = data.hex()
    step = 2 * width
    return [text[i : i + step] for i in range(0, len(text), step)]


def _decode(data: bytes, address: str, options: str) -> CachedVersion | None:
    if not data.startswith(MAGIC):
        return None
    start = len(MAGIC) + _LENGTH.size
    (length,) = _LENGTH.unpack_from(data, len(MAGIC))
    header = orjson.loads(data[start : start + length])
    body = data[start + length :]
    if (
        not isinstance(header, dict)
        or header["address"] != address
        or header["options"] != options
        or header["size"] != len(body)
        or header["digest"] != hashlib.blake2b(body, digest_size=16).hexdigest()
    ):
        return None
    count, width = int(header["count"]), int(header["id_size"])
    column = width * count
    positions = array("Q")
    positions.frombytes(body[3 * column : 3 * column + 8 * count])
    if sys.byteorder != "little":
        positions.byteswap()
    rest = body[3 * column + 8 * count :]
    keys: list[Any] = orjson.loads(rest) if header["keyed"] else [None] * count
    if len(keys) != count or len(positions) != count or (not header["keyed"] and rest):
        return None
    sample_ids, prompt_ids, meta_ids = (
        _hex_column(body[i * column : (i + 1) * column], width) for i in range(3)
    )
    entries = Entries(
        sample_ids, prompt_ids, meta_ids, positions, keys if header["keyed"] else None
    )
    invalid = tuple(InvalidRecord(int(pos), str(reason)) for pos, reason in header["invalid"])
    unmapped = tuple(
        Unmapped(str(name), tuple(map(str, fields)), None if nested is None else str(nested))
        for name, fields, nested in header["unmapped"]
    )
    return CachedVersion(
        str(header["file_format"]),
        str(header["schema"]),
        str(header["position_kind"]),
        entries,
        invalid,
        unmapped,
    )


def stats(directory: Path) -> CacheStats:
    """How many files and bytes a cache directory holds (`datatenet cache info`)."""
    files = size = 0
    for path in directory.rglob("*") if directory.is_dir() else ():
        try:
            if path.is_file():
                files += 1
                size += path.stat().st_size
        except OSError:
            continue
    return CacheStats(directory, files, size)


def clear(directory: Path) -> CacheStats:
    """Remove a cache directory (`datatenet cache clear`); returns what it held."""
    held = stats(directory)
    shutil.rmtree(directory, ignore_errors=True)
    return held

"""Git object ids computed as git computes them, without running git."""

from __future__ import annotations

import hashlib


def blob_id(data: bytes, algorithm: str = "sha1") -> str:
    """The id git would give these bytes as a blob (`git hash-object`, without filters)."""
    digest = hashlib.new(algorithm)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def empty_tree(object_format: str = "sha1") -> str:
    """The id of the empty tree (the base of an initial commit), in this hash."""
    return hashlib.new(object_format, b"tree 0\0").hexdigest()

"""Writing cache files so that concurrent processes never see half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> bool:
    """Write `data` to a temporary file beside `path`, then rename it over `path` (readers see
    the old file or the new one, never a mix; the last writer wins). False when the disk says
    no: a cache that cannot be written only costs time."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        temporary = Path(name)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        temporary.replace(path)
        return True
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        return False

"""Writing a file pmsdesk hands to a person (a PDF, an export, a template, the audit trail's CSV):
never half a file under the name asked for, and never readable by anyone but its owner."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to a temporary file beside ``path`` (created 0600 by ``mkstemp``, whatever
    the umask), sync it to disk, then rename it over ``path`` in one step: a crash or a full disk
    leaves the old file or the new one, and the file written is its owner's only (0600)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

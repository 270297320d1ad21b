"""Writing a file pmsdesk hands to a person (a PDF, an export, a template, the audit trail's CSV):
never half a file under the name asked for, and never readable by anyone but its owner."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def writing_atomically(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path``'s content into, piece by piece: a temporary file beside ``path``
    (created 0600 by ``mkstemp``, whatever the umask), synced to disk and renamed over ``path`` in one
    step when the block ends; if it raises, the temporary file is removed and ``path`` left as it was."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through :func:`writing_atomically`: a crash or a full disk leaves
    the old file or the new one, and the file written is its owner's only (0600)."""
    with writing_atomically(path) as file:
        file.write(content)

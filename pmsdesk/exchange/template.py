"""The import template as a file to fill in: a CSV holding the template's header and no rows.

Its columns are :data:`pmsdesk.exchange.columns.TEMPLATE_FIELDS`, in the template's order, so a file
filled in from it imports without any column mapping. It is written privately (readable by its
owner only, 0600), as the file it becomes holds patients' data.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pmsdesk.exchange.columns import TEMPLATE_FIELDS
from pmsdesk.files import write_atomically


def template_header() -> list[str]:
    return list(TEMPLATE_FIELDS)


def template_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(template_header())
    return out.getvalue().encode("utf-8")


def write_import_template(path: Path) -> Path:
    """Write the empty import template to ``path`` (``.csv`` added when it has no suffix); returns
    the path written. The file replaces any file there in one step and is its owner's only."""
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".csv")
    write_atomically(path, template_csv())
    return path

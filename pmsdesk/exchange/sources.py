"""Reading import files: CSV (UTF-8 or UTF-16, comma, semicolon or tab), Excel .xlsx, and the
whole-clinic archive (.zip of CSV files). A file that cannot be read raises :class:`SourceError`
whose message says what is wrong with it and what to do."""

from __future__ import annotations

import csv
import io
import itertools
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pmsdesk.domain.refusals import Refusal

MAX_CELL_CHARACTERS = 100_000  # far above any field's length; beyond it a file is not a visit list
MAX_ARCHIVE_MEMBER_BYTES = 500_000_000
# A CSV or .xlsx (compressed: its rows are counted too) beyond a busy clinic's twenty years of visits.
# The rows are planned in memory (about 3.6 KB a row: 100,000 rows peaked at 358 MB), so the row limit
# also bounds the memory an import takes, under 1 GB.
MAX_IMPORT_BYTES = 100_000_000
MAX_IMPORT_ROWS = 250_000


class SourceError(Refusal, ValueError):
    """A file pmsdesk cannot read as a table; ``str()`` is the one-line reason."""


@dataclass(frozen=True)
class Table:
    """A file's header and its data rows; ``rows`` gives (row number as the file counts it, cells)."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]


def _encoding(name: str, start: bytes) -> str:
    """The text encoding from the file's first bytes: UTF-16 with its byte-order mark, else UTF-8."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in start:
        raise SourceError(f"{name}: this is not a text file (it holds binary data); "
                          "save it as CSV (UTF-8) or as an Excel .xlsx workbook")
    return "utf-8-sig"


def _delimiter(header: str) -> str:
    """Comma, semicolon (spreadsheets in decimal-comma locales) or tab: the one the header uses most."""
    return max(",;\t", key=header.count)


def _keep(name: str, rows: list, number: int, cells: tuple) -> None:
    if len(rows) == MAX_IMPORT_ROWS:
        raise SourceError(f"{name} row {number}: an import file may hold {MAX_IMPORT_ROWS:,} rows at most "
                          "(split it, e.g. by year)")
    rows.append((number, cells))


def read_csv(name: str, stream: BinaryIO) -> Table:
    """A CSV file read as a stream, one row at a time (only its rows with a value are kept)."""
    encoding = _encoding(name, stream.peek(4096)[:4096])
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    rows = []
    line = 1
    try:
        header_line = text.readline()
        reader = csv.reader(itertools.chain([header_line], text), delimiter=_delimiter(header_line))
        header = next(reader, None)
        for cells in reader:
            line = reader.line_num
            if any(cell.strip() for cell in cells):
                _keep(name, rows, line, tuple(cells))
    except UnicodeDecodeError:
        if encoding == "utf-16":
            raise SourceError(f"{name}: starts as UTF-16 text but is not valid UTF-16") from None
        raise SourceError(f"{name} line {line + 1}: the text is not UTF-8 (perhaps Latin-1 or Windows-1252); "
                          "save the file as \u201cCSV UTF-8\u201d and import it again") from None
    except csv.Error as error:
        raise SourceError(f"{name} line {line + 1}: not readable as CSV ({error})") from None
    finally:
        text.detach()
    if header is None or (not any(cell.strip() for cell in header) and not rows):
        raise SourceError(f"{name}: the file is empty; it needs a header line naming its columns")
    return _table(name, header, rows)


def read_xlsx(name: str, stream: BinaryIO) -> Table:
    """The first sheet of a workbook, read row by row; row numbers are the sheet's own."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zip, XML, key errors) for a damaged file
        raise SourceError(f"{name}: not a readable Excel .xlsx workbook ({type(error).__name__})") from None
    rows: list[tuple[int, tuple[Any, ...]]] = []
    header = None
    number = 0
    try:
        if not workbook.worksheets:
            raise SourceError(f"{name}: the workbook has no sheet; its first sheet must hold the visits")
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                if any(cell is not None for cell in cells):
                    header = ["" if cell is None else str(cell) for cell in cells]
                continue
            if any(cell is not None and str(cell).strip() for cell in cells):
                _keep(name, rows, number, tuple(cells))
    except SourceError:
        raise
    except Exception as error:  # a cell openpyxl cannot convert (a 5,000-digit number), broken XML inside
        raise SourceError(f"{name} row {number + 1}: a cell cannot be read (a number far too long to be a value, "
                          f"or a damaged cell: {type(error).__name__}); save the workbook again from Excel, "
                          "or as CSV") from None
    finally:
        workbook.close()
    if header is None:
        raise SourceError(f"{name}: the first sheet is empty; it needs a header row naming its columns")
    return _table(name, header, rows)


def _table(name: str, header: list[str], rows: list[tuple[int, tuple[Any, ...]]]) -> Table:
    header = [column.strip() for column in header]
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise SourceError(f"{name}: the first line is not a header; it must name the columns "
                          "(for example clinic_id, visit_date, kind, edss.edss)")
    repeated = sorted({column for column in header if column and header.count(column) > 1})
    if repeated:
        raise SourceError(f"{name}: the header names {', '.join(repeated)} more than once; each column once")
    for number, cells in rows:
        for cell in cells:
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARACTERS:
                raise SourceError(f"{name} row {number}: a cell holds {len(cell):,} characters; "
                                  f"no field takes more than {MAX_CELL_CHARACTERS:,}")
    return Table(name, tuple(header), tuple(rows))


def read_table(path: Path) -> Table:
    """A CSV or .xlsx file as a table, read as a stream; one over :data:`MAX_IMPORT_BYTES` is refused."""
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > MAX_IMPORT_BYTES:
                raise SourceError(f"{path.name}: the file holds {size / 1e6:,.0f} MB; an import file may hold "
                                  f"{MAX_IMPORT_BYTES / 1e6:,.0f} MB at most (split it, e.g. by year)")
            if stream.peek(2)[:2] == b"PK" or path.suffix.lower() in (".xlsx", ".xlsm"):
                return read_xlsx(path.name, stream)
            return read_csv(path.name, stream)
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error.strerror or error}") from None


def is_archive(path: Path) -> bool:
    """A whole-clinic archive: a zip whose members are CSV files (a .xlsx is a zip too, of XML)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.endswith(".csv") for name in archive.namelist())


def read_archive(path: Path, members: tuple[str, ...]) -> dict[str, Table]:
    """The named CSV members of an archive (table name -> table); absent members are left out."""
    tables = {}
    try:
        with zipfile.ZipFile(path) as archive:
            present = set(archive.namelist())
            for table in members:
                member = f"{table}.csv"
                if member not in present:
                    continue
                if archive.getinfo(member).file_size > MAX_ARCHIVE_MEMBER_BYTES:
                    raise SourceError(f"{path.name}: {member} is too large to be a pmsdesk archive table")
                with archive.open(member) as stream:
                    tables[table] = read_csv(f"{path.name}:{member}", stream)
    except (zipfile.BadZipFile, OSError) as error:
        raise SourceError(f"{path.name}: not a readable archive ({error})") from None
    return tables


def rows_as_dicts(table: Table) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each row as column -> cell (missing trailing cells are blank; cells beyond the header ignored)."""
    for number, cells in table.rows:
        yield number, {column: (cells[index] if index < len(cells) else None)
                       for index, column in enumerate(table.header) if column}

"""Malformed files thrown at the importer: each ends in a clear report, and nothing is written."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sample_data import TODAY
from pmsdesk.exchange.importer import ImportRefused, apply_import, plan_import, read_file
from pmsdesk.exchange.sources import MAX_CELL_CHARACTERS
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.database import Database

GOOD_HEADER = ["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype", "visit_date", "kind",
               "edss.edss", "t25fw.trial1_s", "t25fw.trial2_s", "sdmt.score"]
GOOD_ROW = ["MS-1", "Müller", "Ana", "1970-01-01", "female", "SPMS", "2024-01-01", "assessment", "4.5", "6.1", "6.2", "40"]


def csv_bytes(header, rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


def with_cell(column: str, value: str) -> bytes:
    row = GOOD_ROW[:]
    row[GOOD_HEADER.index(column)] = value
    return csv_bytes(GOOD_HEADER, [GOOD_ROW, row])


wrong_values = st.sampled_from([
    ("edss.edss", "0.5"), ("edss.edss", "10.5"), ("edss.edss", "four"), ("edss.edss", "-1"), ("edss.edss", "NaN"),
    ("t25fw.trial1_s", "0"), ("t25fw.trial1_s", "181"), ("t25fw.trial1_s", "6.123"), ("t25fw.trial1_s", "1e400"),
    ("sdmt.score", "40.5"), ("sdmt.score", "111"), ("sdmt.score", "=1+1"), ("visit_date", "2024-13-01"),
    ("visit_date", "yesterday"), ("visit_date", "2099-01-01"), ("birth_date", "1800-01-01"), ("sex", "f"),
    ("phenotype", "PRMS"), ("kind", "visit"), ("clinic_id", ""), ("kind", ""),
])
malformed = st.one_of(
    wrong_values.map(lambda pair: with_cell(*pair)),
    st.tuples(st.sampled_from(["edss.edss", "t25fw.trial1_s", "sdmt.score", "visit_date", "birth_date"]),
              st.from_regex(r"[A-DF-MO-Za-df-mo-z][0-9a-z ]{0,20}", fullmatch=True)).map(lambda t: with_cell(*t)),
    st.sampled_from(GOOD_HEADER[:8]).map(  # a required column missing
        lambda gone: csv_bytes([c for c in GOOD_HEADER if c != gone], [[v for c, v in zip(GOOD_HEADER, GOOD_ROW) if c != gone]])),
    st.integers(1, 5).map(lambda n: csv_bytes(GOOD_HEADER, [GOOD_ROW] + [[*GOOD_ROW[:8], "5.0", *GOOD_ROW[9:]]] * n)),
    st.just(csv_bytes(GOOD_HEADER, [GOOD_ROW, [*GOOD_ROW[:8], "9", *GOOD_ROW[9:]]], "latin-1")),  # "Müller" in Latin-1
    st.just(csv_bytes(GOOD_HEADER, [[*GOOD_ROW[:8], "9.25", *GOOD_ROW[9:]]], "utf-16")),  # read, but EDSS refused
    st.integers(MAX_CELL_CHARACTERS + 1, MAX_CELL_CHARACTERS + 50_000).map(lambda n: with_cell("family_name", "x" * n)),
    st.integers(201, 5000).map(lambda n: with_cell("family_name", "y" * n)),
    st.just(b""), st.just(b"\n\n\n"), st.just("\ufeff".encode()),
    st.binary(min_size=1, max_size=400).map(lambda data: b"\x00" + data),
    st.binary(min_size=4, max_size=400).map(lambda data: b"PK\x03\x04" + data),  # a broken zip / workbook
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), min_size=1, max_size=6).map(
        lambda header: csv_bytes(header, [["1"] * len(header)])),  # a header that is not the template
)


@pytest.fixture(scope="module")
def module_clinic():
    folder = Path(tempfile.mkdtemp(prefix="pmsdesk-malformed-"))
    database = Database.open(str(folder / "clinic.sqlite3"))
    yield Clinic(database, today=lambda: TODAY), folder
    database.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(content=malformed, suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_every_malformed_file_ends_in_a_clear_report_and_writes_nothing(module_clinic, content, suffix):
    clinic, folder = module_clinic
    path = folder / f"import{suffix}"
    path.write_bytes(content)
    plan = plan_import(clinic, read_file(path, clinic))
    assert plan.problems, f"no problem found in {content[:200]!r}"
    for problem in plan.problems:
        text = str(problem)
        assert text.startswith(path.name) and len(problem.message) > 15 and "Traceback" not in text
    with pytest.raises(ImportRefused):
        apply_import(clinic, plan)
    assert clinic.patient_count() == 0


def test_the_reports_name_the_cause(module_clinic):
    clinic, folder = module_clinic

    def report(content: bytes, name="f.csv") -> str:
        (folder / name).write_bytes(content)
        return plan_import(clinic, read_file(folder / name, clinic)).summary()

    assert "not UTF-8 (perhaps Latin-1" in report(csv_bytes(GOOD_HEADER, [GOOD_ROW], "latin-1"))
    assert "the file is empty" in report(b"")
    assert "binary data" in report(b"\x00\x01garbage")
    assert "not a readable Excel .xlsx workbook" in report(b"PK\x03\x04broken", "f.xlsx")
    assert "holds 100,001 characters" in report(with_cell("family_name", "z" * (MAX_CELL_CHARACTERS + 1)))
    assert "the file needs a visit_date column" in report(csv_bytes(["clinic_id"], [["MS-1"]]))
    utf16 = report(csv_bytes(GOOD_HEADER, [GOOD_ROW], "utf-16"))
    assert "would create 1 patient, 1 visit" in utf16  # UTF-16 (with its byte-order mark) is read as text
    assert clinic.patient_count() == 0


def workbook_with_cell(path: Path, column: str, xml_value: str) -> Path:
    """An .xlsx whose ``column`` cell of the data row holds ``xml_value`` as its stored number, as a
    crafted file (not Excel) could: openpyxl writes a placeholder, then the sheet's XML is edited."""
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(GOOD_HEADER)
    sheet.append([987654321 if name == column else value for name, value in zip(GOOD_HEADER, GOOD_ROW)])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as crafted:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>987654321</v>", f"<v>{xml_value}</v>".encode())
            crafted.writestr(item, data)
    return path


def test_a_workbook_with_a_5000_digit_number_is_refused_cleanly(module_clinic):
    clinic, folder = module_clinic
    path = workbook_with_cell(folder / "crafted.xlsx", "sdmt.score", "9" * 5000)
    plan = plan_import(clinic, read_file(path, clinic))
    [problem] = plan.problems
    assert "crafted.xlsx row 2: a cell cannot be read (a number far too long" in str(problem)
    assert len(str(problem)) < 300
    with pytest.raises(ImportRefused):
        apply_import(clinic, plan)
    assert clinic.patient_count() == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_nul_in_a_cell_is_refused_by_the_field_rule(module_clinic, encoding):
    clinic, folder = module_clinic
    path = folder / "nul.csv"
    # past the first 4 KB, where a NUL is taken for a binary file
    good = [[f"MS-{number}", *GOOD_ROW[1:]] for number in range(100, 180)]
    path.write_bytes(csv_bytes(GOOD_HEADER, [*good, ["MS-1", "Mül\x00ler", *GOOD_ROW[2:]]], encoding))
    plan = plan_import(clinic, read_file(path, clinic))
    [problem] = plan.problems
    assert "column family_name" in str(problem) and "control character U+0000" in str(problem)
    assert "\x00" not in str(problem)
    assert clinic.patient_count() == 0


def test_utf16_without_its_byte_order_mark_is_refused_saying_what_to_save(module_clinic):
    clinic, folder = module_clinic
    path = folder / "no-bom.csv"
    path.write_bytes(csv_bytes(GOOD_HEADER, [GOOD_ROW], "utf-16-le"))
    [problem] = plan_import(clinic, read_file(path, clinic)).problems
    assert "binary data" in str(problem) and "CSV (UTF-8)" in str(problem)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(module_clinic, monkeypatch):
    from pmsdesk.exchange import sources

    clinic, folder = module_clinic
    monkeypatch.setattr(sources, "MAX_IMPORT_BYTES", 2_000_000)
    path = folder / "large.csv"
    path.write_bytes(csv_bytes(GOOD_HEADER, [GOOD_ROW] * 30_000))
    [problem] = plan_import(clinic, read_file(path, clinic)).problems
    assert "MB; an import file may hold 2 MB at most" in str(problem)


def test_a_workbook_without_a_sheet_is_refused_saying_so(module_clinic):
    """Found by the fuzz run (tests/test_fuzz.py): openpyxl opens it, with no worksheet to read."""
    import re
    import zipfile

    clinic, folder = module_clinic
    plain = workbook_with_cell(folder / "sheets.xlsx", "sdmt.score", "40")
    path = folder / "no-sheet.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as crafted:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data)
            crafted.writestr(item, data)
    [problem] = plan_import(clinic, read_file(path, clinic)).problems
    assert "the workbook has no sheet" in str(problem)

"""Fuzz run: generated inputs at every entry point that takes what a person typed or a file held —
the validators, the clinic's services and the import of CSV and .xlsx files. Each one either
accepts or refuses with a :class:`~pmsdesk.domain.refusals.Refusal` (never another exception, the
mark of a traceback), and a refusal writes nothing (every table's row count and the audit head as
before).

A seeded generator rather than hypothesis: 10,000 inputs per entry point cost no more than the
calls themselves. The suite runs ``PMSDESK_FUZZ_INPUTS`` per entry point (default 150, about 25 s
in all); the full run, ``PMSDESK_FUZZ_INPUTS=10000``, took about 13 minutes on two shared cores
(validators 20 s, the nine services 9 min, CSV import 3 min, .xlsx import 2.5 min); it found a
workbook without a sheet ending in a traceback (now refused, tests/exchange/test_malformed_files.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sample_data import PATIENT, TODAY
from sqlalchemy import text

from pmsdesk.domain import validation
from pmsdesk.domain.assessments import ASSESSMENT_SECTIONS
from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    VISIT_FIELDS,
    Kind,
)
from pmsdesk.domain.permissions import Actor, Role
from pmsdesk.domain.refusals import Refusal
from pmsdesk.exchange.columns import TEMPLATE_FIELDS
from pmsdesk.exchange.importer import ImportRefused, apply_import, plan_import, read_file
from pmsdesk.services.clinic import Clinic
from pmsdesk.store.tables import metadata

pytestmark = pytest.mark.slow
INPUTS = int(os.environ.get("PMSDESK_FUZZ_INPUTS", "150"))

ODD_TEXTS = ["", " ", "0", "-0", "-1", "4.5", "4,5", "7.25", "1e309", "-1e309", "1e-400", "NaN", "nan", "inf",
             "-Infinity", "2026-02-30", "2026-03-02", "1970-03-14", "0000-01-01", "9999-12-31", "12.50000001",
             "'; DROP TABLE patient; --", "=1+1", "\x00", "a\x00b", "\x1b[31m", "\ud800", "\u2028", "\ufeff",
             "\u202e", "Ö" * 301, "9" * 400, "9" * 5000, "0." + "0" * 600 + "1", "yes", "no", "TRUE", "female",
             "PPMS", "treatment", "it_methotrexate", "\t", "\r\n", "line\nbreak", "𝟜.𝟝", "٤٫٥", "Ⅳ"]
CONTROL = "".join(map(chr, [*range(0, 32), 127, *range(128, 160)])) + "\u2028\u2029\ud800\udfff"


class Inputs:
    """Raw values as a screen, a paste, a script or a file might hand them over."""

    def __init__(self, seed: int):
        self.chance = random.Random(seed)

    def text(self, limit: int = 24) -> str:
        alphabet = self.chance.choice(["abcXYZ 019.,-:", CONTROL + "ab1", "Öüß李🙂\u0301 ", "0123456789.e+-"])
        return "".join(self.chance.choice(alphabet) for _ in range(self.chance.randrange(limit)))

    def value(self, field=None):
        if field is not None and self.chance.random() < 0.6:  # a plausible value of the field, so some pass
            return self.plausible(field)
        pick = self.chance.randrange(8)
        if pick == 0:
            return None
        if pick == 1:
            return self.chance.choice(ODD_TEXTS)
        if pick == 2:
            return self.text()
        if pick == 3:
            return self.chance.choice([0, -1, 1, 2**63, -(2**70), 10**400, True, False])
        if pick == 4:
            return self.chance.choice([0.5, -0.0, float("nan"), float("inf"), 1e308, 4.25, Decimal("NaN"),
                                       Decimal("1E+999999"), Decimal("4.5"), Decimal("-0")])
        if pick == 5:
            return self.chance.choice([dt.date(1, 1, 1), dt.date(9999, 12, 31), TODAY, dt.datetime(2026, 1, 1),
                                       dt.date(2026, 3, 2)])
        if pick == 6:
            return self.chance.choice([[], [1], {}, {"a": 1}, object(), b"bytes", (1, 2)])
        return self.text()

    def plausible(self, field):
        if field.kind is Kind.CHOICE:
            member = self.chance.choice(list(field.choices))
            return self.chance.choice([member, member.value, member.label])
        if field.kind is Kind.DATE:
            return (dt.date(1990, 1, 1) + dt.timedelta(days=self.chance.randrange(13000))).isoformat()
        if field.kind is Kind.FLAG:
            return self.chance.choice([True, False, "yes", "no"])
        if field.kind in (Kind.INTEGER, Kind.DECIMAL):
            if field.allowed_values is not None:
                return str(self.chance.choice(field.allowed_values))
            low, high = float(field.minimum or 0), float(field.maximum or 100)
            return str(round(self.chance.uniform(low, high), field.decimals))
        return "".join(self.chance.choice("abcXYZÖü019-") for _ in range(self.chance.randint(1, 12)))

    def record(self, fields, prefix: str = "") -> dict:
        chosen = [f for f in fields if self.chance.random() < (0.97 if f.required else 0.5)]
        return {prefix + f.name: self.value(f) for f in chosen}

    def visit(self) -> dict:
        raw = self.record(VISIT_FIELDS)
        for section, fields in ASSESSMENT_SECTIONS.items():
            if self.chance.random() < 0.4:
                raw.update(self.record(fields, section + "."))
        if self.chance.random() < 0.2:
            raw["adverse_events"] = [self.record(ADVERSE_EVENT_FIELDS) for _ in range(self.chance.randrange(3))]
        if self.chance.random() < 0.05:
            raw[self.text(8)] = self.value()  # a key no field has
        return raw


def counts(clinic: Clinic) -> tuple:
    """Every table's row count and the audit head, in one query."""
    total = " , ".join(f'(SELECT count(*) FROM "{table.name}")' for table in metadata.sorted_tables)
    with clinic.db.engine.connect() as connection:
        return tuple(connection.execute(text(f"SELECT {total}, (SELECT last_id FROM audit_head)")).one())


ACCEPTED: dict[str, int] = {}  # per entry point, shown by the full run (-s)


def fuzz(name: str, call, make_input, clinic: Clinic | None = None) -> None:
    """``INPUTS`` inputs through ``call``; only refusals may escape, and a refusal writes nothing."""
    accepted = 0
    for number in range(INPUTS):
        value = make_input()
        before = counts(clinic) if clinic is not None else None
        try:
            call(value)
            accepted += 1
        except Refusal as refusal:
            assert str(refusal), f"{name}: an empty refusal for {value!r}"
            str(refusal).encode("utf-8")  # printable: no lone surrogate handed back
            if clinic is not None:
                assert counts(clinic) == before, f"{name}: refused {value!r} but wrote"
        except Exception as error:
            raise AssertionError(f"{name} input {number}: {type(error).__name__}: {error} for {value!r}") from error
    assert accepted < INPUTS, f"{name}: nothing was refused"
    ACCEPTED[name] = accepted


VALIDATORS = {
    "patient": (PATIENT_FIELDS, lambda raw: validation.validate_patient(raw, today=TODAY)),
    "course": (COURSE_FIELDS, lambda raw: validation.validate_course(raw, birth_date=dt.date(1970, 3, 14))),
    "adverse_event": (ADVERSE_EVENT_FIELDS, lambda raw: validation.validate_adverse_event(
        raw, birth_date=dt.date(1970, 3, 14), today=TODAY)),
    "relapse": (RELAPSE_FIELDS, lambda raw: validation.validate_relapse(raw, birth_date=dt.date(1970, 3, 14),
                                                                        today=TODAY)),
    "dmt": (DMT_FIELDS, lambda raw: validation.validate_dmt(raw, birth_date=dt.date(1970, 3, 14), today=TODAY)),
}


@pytest.mark.parametrize("name", [*VALIDATORS, "visit"])
def test_validators(name):
    inputs = Inputs([*VALIDATORS, "visit"].index(name))
    if name == "visit":
        fuzz(name, lambda raw: validation.validate_visit(raw, birth_date=dt.date(1970, 3, 14), today=TODAY),
             inputs.visit)
    else:
        fields, validate = VALIDATORS[name]
        fuzz(name, validate, lambda: inputs.record(fields))


SERVICES = ["create_patient", "update_patient", "create_course", "create_visit", "update_visit", "save_relapse",
            "save_dmt", "save_adverse_event", "save_draft"]


@pytest.mark.parametrize("name", SERVICES)
def test_services(database, name):
    neurologist = Clinic(database, actor=Actor("d.neuro", Role.NEUROLOGIST), today=lambda: TODAY)
    patient = neurologist.create_patient(PATIENT)
    visit = neurologist.create_visit(patient.id, {"visit_date": "2026-03-02", "kind": "assessment"}).visit
    inputs = Inputs(SERVICES.index(name))
    calls = {
        "create_patient": (lambda raw: neurologist.create_patient(raw), lambda: inputs.record(PATIENT_FIELDS)),
        "update_patient": (lambda raw: neurologist.update_patient(patient.id, neurologist.patient(patient.id).version,
                                                                  raw), lambda: inputs.record(PATIENT_FIELDS)),
        "create_course": (lambda raw: neurologist.create_course(patient.id, raw), lambda: inputs.record(COURSE_FIELDS)),
        "create_visit": (lambda raw: neurologist.create_visit(patient.id, raw), inputs.visit),
        "update_visit": (lambda raw: neurologist.update_visit(
            visit.id, neurologist.visit_record(visit.id).visit.version, raw), inputs.visit),
        "save_relapse": (lambda raw: neurologist.save_relapse(patient.id, raw), lambda: inputs.record(RELAPSE_FIELDS)),
        "save_dmt": (lambda raw: neurologist.save_dmt(patient.id, raw), lambda: inputs.record(DMT_FIELDS)),
        "save_adverse_event": (lambda raw: neurologist.save_adverse_event(patient.id, raw),
                               lambda: inputs.record(ADVERSE_EVENT_FIELDS)),
        "save_draft": (lambda args: neurologist.save_draft(*args), lambda: (
            inputs.chance.choice([patient.id, patient.id + 99, -1]),
            inputs.chance.choice([None, visit.id, visit.id + 99]), inputs.visit())),
    }
    call, make_input = calls[name]
    fuzz(name, call, make_input, neurologist)


# ----- import files --------------------------------------------------------------------------------
COLUMNS = list(TEMPLATE_FIELDS)


def table_rows(inputs: Inputs) -> tuple[list, list]:
    required = ["clinic_id", "visit_date"] if inputs.chance.random() < 0.9 else []
    header = required + inputs.chance.sample(COLUMNS, inputs.chance.randrange(1, 12))
    if inputs.chance.random() < 0.05:
        header.append(inputs.text(10))  # a column the template does not have
    header = list(dict.fromkeys(header))
    rows = []
    for _ in range(inputs.chance.randrange(1, 5)):
        row = []
        for column in header:
            field = TEMPLATE_FIELDS.get(column)
            value = inputs.value(field) if inputs.chance.random() < 0.3 else (
                inputs.plausible(field) if field is not None else inputs.text())
            row.append(value)
        rows.append(row)
    return header, rows


def cell_text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return "" if value is None else str(value)


def csv_file(inputs: Inputs, folder: Path) -> Path:
    header, rows = table_rows(inputs)
    out = io.StringIO()
    csv.writer(out, delimiter=inputs.chance.choice(",;\t"), lineterminator="\n").writerows(
        [header, *[[cell_text(value) for value in row] for row in rows]])
    encoding = inputs.chance.choice(["utf-8", "utf-8-sig", "utf-16", "latin-1"])
    data = out.getvalue().encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")
    if inputs.chance.random() < 0.05:  # damaged on the way: a few bytes changed
        data = bytearray(data)
        for _ in range(3):
            if data:
                data[inputs.chance.randrange(len(data))] = inputs.chance.randrange(256)
        data = bytes(data)
    path = folder / "fuzz.csv"
    path.write_bytes(data)
    return path


def _cell_xml(reference: str, value) -> str:
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)) or (isinstance(value, str) and value.strip("0123456789.-e") == ""
                                                     and value):
        return f'<c r="{reference}"><v>{escape(str(value))}</v></c>'
    if value is None:
        return ""
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(cell_text(value))}</t></is></c>'


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@pytest.fixture(scope="module")
def workbook_parts(tmp_path_factory) -> dict[str, bytes]:
    """The parts of a real workbook (written by openpyxl); the fuzz replaces its sheet's XML."""
    from openpyxl import Workbook

    path = tmp_path_factory.mktemp("workbook") / "template.xlsx"
    Workbook().save(path)
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist()}


def xlsx_file(inputs: Inputs, folder: Path, parts: dict[str, bytes]) -> Path:
    header, rows = table_rows(inputs)
    lines = []
    for number, row in enumerate([header, *rows], start=1):
        cells = "".join(_cell_xml(f"{_column_letter(index)}{number}", value) for index, value in enumerate(row))
        lines.append(f'<row r="{number}">{cells}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{"".join(lines)}</sheetData></worksheet>')
    path = folder / "fuzz.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, sheet.encode("utf-8", errors="surrogatepass")
                          if name == "xl/worksheets/sheet1.xml" else data)
    if inputs.chance.random() < 0.03:  # a damaged file
        data = bytearray(path.read_bytes())
        data[inputs.chance.randrange(len(data))] ^= 0xFF
        path.write_bytes(bytes(data))
    return path


def import_once(clinic: Clinic, path: Path, valid_rows_only: bool) -> None:
    """The dry run, then the write: all of it when the file has no problem, else refused (or, with
    "valid rows only", the valid records)."""
    plan = plan_import(clinic, read_file(path, clinic))
    for problem in plan.problems:
        str(problem).encode("utf-8")
    if plan.has_problems and not valid_rows_only:
        before = counts(clinic)
        with pytest.raises(ImportRefused):
            apply_import(clinic, plan)
        assert counts(clinic) == before
        raise ImportRefused("the file has problems")  # counted as refused
    apply_import(clinic, plan, valid_rows_only=valid_rows_only)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_import_files(database, tmp_path, workbook_parts, kind):
    clinic = Clinic(database, actor=Actor("d.neuro", Role.NEUROLOGIST), today=lambda: TODAY)
    inputs = Inputs(7 if kind == "csv" else 8)

    def make_file():
        path = csv_file(inputs, tmp_path) if kind == "csv" else xlsx_file(inputs, tmp_path, workbook_parts)
        return path, inputs.chance.random() < 0.2

    fuzz(f"import {kind}", lambda made: import_once(clinic, *made), make_file, clinic)


def teardown_module():
    print("\nfuzz inputs accepted per entry point (of", INPUTS, "):", ACCEPTED)

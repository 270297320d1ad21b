"""The columns of pmsdesk's files, derived from the field catalogue, and how a cell becomes a value.

Every column an import file may carry is a *template key*: patient fields by name (``patient.notes``
for the patient's notes, since ``notes`` is the visit's), course fields as ``course.<name>``, visit
fields by name and assessment fields as ``<section>.<name>`` (``edss.fs_visual``). Cells are only
translated into what the entry screens would hand over (a checkbox's yes/no, a chosen label, a date);
the domain rules then judge them exactly as they judge typed entries.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from pmsdesk.domain.assessments import ASSESSMENT_SECTIONS, REGISTRY
from pmsdesk.domain.fields import (
    ADVERSE_EVENT_FIELDS,
    COURSE_FIELDS,
    DMT_FIELDS,
    PATIENT_FIELDS,
    RELAPSE_FIELDS,
    VISIT_FIELDS,
    Field,
    Kind,
)
from pmsdesk.domain.procedure_safety import ANSWER_FIELDS
from pmsdesk.domain.procedure_safety import SECTION as SAFETY_SECTION
from pmsdesk.domain.recorded_elsewhere import (
    CLEARANCE_FIELDS,
    DOSE_CHECK_FIELDS,
    DOSE_CHECK_PREFIX,
    EARLIER_RELATEDNESS,
    OVERRIDE_FIELDS,
    OVERRIDE_PREFIX,
)
from pmsdesk.domain.vocab import Choice

PATIENT_NOTES_KEY = "patient.notes"
COURSE_PREFIX = "course."


def _patient_key(field: Field) -> str:
    return PATIENT_NOTES_KEY if field.name == "notes" else field.name


def visit_form_fields() -> dict[str, Field]:
    """A visit's fields keyed as the visit form and :func:`validate_visit` key them."""
    fields = {field.name: field for field in VISIT_FIELDS}
    for section, section_fields in ASSESSMENT_SECTIONS.items():
        fields.update({f"{section}.{field.name}": field for field in section_fields})
    # The pre-puncture safety check's answers (a treatment visit's dose needs them, imported or typed).
    fields.update({f"{SAFETY_SECTION}.{field.name}": field for field in ANSWER_FIELDS})
    return fields


class _Live(Mapping):
    """A mapping built from the assessment registry and built again whenever the registry changes,
    so the columns follow every assessment, including one registered after this module was imported."""

    def __init__(self, build: Callable[[], dict]) -> None:
        self._build = build
        self._built: tuple[int, dict] = (-1, {})

    def _current(self) -> dict:
        if self._built[0] != REGISTRY.generation:
            self._built = (REGISTRY.generation, self._build())
        return self._built[1]

    def __getitem__(self, key):
        return self._current()[key]

    def __iter__(self):
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())

    def __contains__(self, key) -> bool:
        return key in self._current()


VISIT_FORM_FIELDS: Mapping[str, Field] = _Live(visit_form_fields)
PATIENT_KEYS: dict[str, str] = {_patient_key(field): field.name for field in PATIENT_FIELDS}  # template -> field
COURSE_KEYS: dict[str, str] = {COURSE_PREFIX + field.name: field.name for field in COURSE_FIELDS}

# Every column of the import template, in the template's order: who, which visit, what was measured.
TEMPLATE_FIELDS: Mapping[str, Field] = _Live(lambda: {
    **{_patient_key(field): field for field in PATIENT_FIELDS},
    **{COURSE_PREFIX + field.name: field for field in COURSE_FIELDS},
    **visit_form_fields(),
})

# Fields of each kind of record, by the key its raw values use.
RECORD_FIELDS: Mapping[str, Mapping[str, Field]] = {
    "patient": {field.name: field for field in PATIENT_FIELDS},
    "course": {field.name: field for field in COURSE_FIELDS},
    "visit": VISIT_FORM_FIELDS,
    # an event's clearance comes with it from an archive (pmsdesk.domain.recorded_elsewhere)
    "adverse_event": {field.name: field for field in (*ADVERSE_EVENT_FIELDS, EARLIER_RELATEDNESS, *CLEARANCE_FIELDS)},
    # a visit's checks as recorded where it was first recorded: dose_check.csv and safety_check.csv's override
    "recorded_checks": {**{DOSE_CHECK_PREFIX + field.name: field for field in DOSE_CHECK_FIELDS},
                        **{OVERRIDE_PREFIX + field.name: field for field in OVERRIDE_FIELDS}},
    "relapse": {field.name: field for field in RELAPSE_FIELDS},
    "therapy": {field.name: field for field in DMT_FIELDS},
}

_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0"}


def cell_to_raw(field: Field, value: Any) -> Any:
    """A file cell as the entry screen would hand it to the rules: flags as yes/no, a choice's label
    as its code, a spreadsheet's midnight datetime as a date. Anything else is left as it is, so the
    rule refuses it with its own message."""
    if isinstance(value, str):
        if not value.strip():
            return None
        value = unneutralised(value)
    if field.kind is Kind.FLAG:
        if value is None:
            return False  # an unticked box
        if isinstance(value, str) and value.strip().lower() in _YES | _NO:
            return value.strip().lower() in _YES
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1):
            return bool(value)
    elif field.kind is Kind.DATE and isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    elif field.kind is Kind.CHOICE and isinstance(value, str):
        text = value.strip()
        for member in field.choices:
            if text.lower() in (member.value.lower(), member.label.lower()):
                return member.value
    return value


def stored_value(value: Any) -> Any:
    """A clean value as the database stores it (a choice as its code)."""
    return value.value if isinstance(value, Choice) else value


def cell_text(value: Any) -> str:
    """A stored value as a file cell: ISO dates, yes/no, plain numbers, '' for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(stored_value(value))


# Leading characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_QUOTE = "'"


def export_cell(value: Any) -> str:
    """A value as an exported cell. Text a spreadsheet would run as a formula gets a leading single
    quote so it stays text; only text is touched: a number (a negative one too) stays a number."""
    text = cell_text(value)
    if isinstance(value, str) and text.startswith(FORMULA_TRIGGERS):
        return NEUTRALISING_QUOTE + text
    return text


def unneutralised(text: str) -> str:
    """Undo :func:`export_cell` on import, so an exported file comes back as it was."""
    if text.startswith(NEUTRALISING_QUOTE) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


@dataclass(frozen=True)
class ColumnDescription:
    """One line of a data dictionary."""

    name: str
    label: str
    kind: str
    unit: str
    allowed: str
    meaning: str


def describe_field(name: str, field: Field) -> ColumnDescription:
    return ColumnDescription(name, field.label, field.kind.value, field.unit, field.allowed_text(), field.hint)


class CsvWriter:
    """A CSV written row by row into a binary file (UTF-8, CRLF lines as the spreadsheets expect),
    every cell through :func:`export_cell`; it counts the rows written."""

    def __init__(self, file: BinaryIO, header: Iterable[str]):
        self.file = file
        self._text = io.TextIOWrapper(file, encoding="utf-8", newline="")
        self._writer = csv.writer(self._text, lineterminator="\r\n")
        self._writer.writerow(header)
        self.rows = 0

    def write(self, row: Iterable[Any]) -> None:
        self._writer.writerow([export_cell(value) for value in row])
        self.rows += 1

    def finish(self) -> None:
        """Flush what is buffered and hand the file back (it stays open for its owner to close)."""
        self._text.flush()
        self._text.detach()

"""The neurologist's review: the visits waiting for a signature, who signed a visit and when, and a
visit's history told as a clinical record (labels, units, names, local times to the minute).

Only the presentation is made here: the audit trail is read as it is stored, never changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pmsdesk.domain.assessments import EDSS, REGISTRY
from pmsdesk.domain.audit import AuditKind
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
from pmsdesk.domain.moments import local_time
from pmsdesk.domain.permissions import Role
from pmsdesk.domain.scoring.edss import ruleset_label
from pmsdesk.domain.signatures import SignatureMeaning
from pmsdesk.domain.vocab import VisitKind
from pmsdesk.services.audit_trail import AuditEntry, record_name
from pmsdesk.store.tables import ASSESSMENT_TABLES

DASH = "\u2013"
ARROW = "\u2192"
SEPARATOR = " \u00b7 "


@dataclass(frozen=True)
class AwaitingSignature:
    """A saved visit not signed yet, as the review desk lists it."""

    visit_id: int
    version: int  # the save token Clinic.sign_visit needs
    patient_id: int
    patient_name: str
    visit_date: dt.date
    kind: str  # the visit kind's label
    recorded_by: str  # the person's full name (or user name) from the audit trail
    recorded_at: dt.datetime | None  # UTC
    summary: str  # "EDSS 3.5 · T25FW 7.6 / ..." : each recorded assessment's summary
    warnings: tuple[str, ...] = ()


def local_minute(moment: dt.datetime | str | None) -> str:
    """A stored UTC time as local time to the minute: "2026-11-20 14:05"."""
    if moment is None or moment == "":
        return DASH
    return local_time(dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment)


def visit_kind_label(kind: str) -> str:
    try:
        return VisitKind(kind).label
    except ValueError:
        return kind


def visit_summary(record: Any) -> str:
    """Each recorded assessment's short title and summary, in the registry's order."""
    parts = []
    for assessment in REGISTRY:
        values = record.assessment_values(assessment.key)
        if values is not None:
            text = assessment.summarise(values)
            parts.append(f"{assessment.short_title} {text}".rstrip())
    return SEPARATOR.join(parts)


def visit_warnings(record: Any) -> tuple[str, ...]:
    """What the neurologist should look at before signing: the measures' warnings and an EDSS step
    computed from the functional systems that differs from the clinician's."""
    found = []
    for measure in REGISTRY.measures():
        reading = record.reading(measure)
        if reading is not None:
            found += [f"{measure.label}: {warning}" for warning in reading.warnings]
    edss = record.assessment_values(EDSS.key)
    if edss is not None and edss.get("computed_edss") is not None and edss.get("edss") is not None \
            and edss["computed_edss"] != edss["edss"]:
        found.append(f"EDSS {edss['edss']:.1f} differs from the step computed from the functional systems "
                     f"({edss['computed_edss']:.1f})")
    return tuple(found)


def signature_text(visit: Any, names: Mapping[int, str]) -> str:
    """"Signed by Dr X on 2026-11-20 14:05 \u2013 Reviewed and approved" (local time): the printed name
    the signature keeps, its time and its meaning; '' for a visit not signed."""
    if visit is None or visit.signed_by is None and visit.signed_at is None:
        return ""
    who = visit.signed_name or (names.get(visit.signed_by, f"user {visit.signed_by}")
                                if visit.signed_by is not None else "a system process")
    meaning = f" \u2013 {SignatureMeaning(visit.signature_meaning).short_label}" if visit.signature_meaning else ""
    return f"Signed by {who} on {local_minute(visit.signed_at)}{meaning}"


# ----- a visit's history, and the clinic's ----------------------------------------------------
_VISIT_EXTRA_LABELS = {"status": "Status", "signed_by": "Signed by", "signed_at": "Signed at",
                       "signed_name": "Signed as", "signature_meaning": "Meaning of the signature",
                       "course_id": "Treatment course", "deleted_reason": "Reason for deleting",
                       "patient_id": "Patient", "archived": "Archived",
                       # user accounts and settings
                       "username": "User name", "full_name": "Full name", "role": "Role", "active": "Active",
                       "password_hash": "Password", "key": "Setting", "value": "Value"}  # in the order told
_SKIPPED = frozenset({"id", "visit_id", "patient_id", "deleted_at", "created_at", "updated_at", "version",
                      "signature_digest"})  # a digest means nothing to a reader; audit verify checks it
_TABLE_FIELDS = {"visit": VISIT_FIELDS, "adverse_event": ADVERSE_EVENT_FIELDS, "patient": PATIENT_FIELDS,
                 "treatment_course": COURSE_FIELDS, "relapse": RELAPSE_FIELDS, "dmt_history": DMT_FIELDS}
_NOT_CLINICAL = frozenset({"user_account", "setting"})  # created, not "recorded"


@dataclass(frozen=True)
class HistoryLine:
    """One line of a history: when (UTC), who, what happened and why; ``entry`` is the audit entry it
    tells (its patient, visit and kind)."""

    occurred_at: dt.datetime
    who: str
    what: str
    reason: str | None
    entry: AuditEntry

    @property
    def when(self) -> str:
        return local_minute(self.occurred_at)

    @property
    def text(self) -> str:
        line = f"{self.when}{SEPARATOR}{self.who}{SEPARATOR}{self.what}"
        return line + (f"{SEPARATOR}Reason: {self.reason}" if self.reason else "")


def _fields_of_table(table_name: str | None) -> tuple[tuple[Field, ...], Any]:
    """The fields of a table's rows, and the assessment it holds (None for the other records)."""
    if table_name in _TABLE_FIELDS:
        return _TABLE_FIELDS[table_name], None
    for assessment in REGISTRY:
        table = ASSESSMENT_TABLES.get(assessment.key)
        if table is not None and table.__tablename__ == table_name:
            return assessment.fields, assessment
    return (), None


def _number(value: float, decimals: int) -> str:
    """A number with its field's decimals, as the entry screens show it (a real minus sign)."""
    text = f"{float(value):.{decimals}f}"
    return "\u2212" + text[1:] if text.startswith("-") else text


class HistoryWriter:
    """Turns audit entries of one visit into lines a clinician reads: one line per change."""

    def __init__(self, user_names: Mapping[int, str]):
        self.user_names = user_names

    # labels and values
    def _field(self, table_name: str | None, name: str) -> tuple[str, Field | None]:
        fields, assessment = _fields_of_table(table_name)
        field = next((f for f in fields if f.name == name), None)
        if field is not None:
            return field.label, field
        if assessment is not None and name == "computed_edss":
            return "EDSS computed from the functional systems", None
        if assessment is not None and name == "computed_rules":
            return "EDSS suggestion computed by", None
        if assessment is not None and name in assessment.stored_extras:
            return f"{assessment.short_title} {name.replace('_', ' ')}", None
        return _VISIT_EXTRA_LABELS.get(name, name.replace("_", " ").capitalize()), None

    def _form_key(self, key: str) -> tuple[str, Field | None]:
        """A key of the visit form ("t25fw.trial1_s", "visit_date") as its label and field."""
        section, _, name = key.rpartition(".")
        if section:
            assessment = REGISTRY.get(section) if section in REGISTRY else None
            if assessment is not None:
                table = ASSESSMENT_TABLES.get(section)
                return self._field(table.__tablename__ if table is not None else None, name)
        if key == "adverse_events":
            return "Adverse events", None
        return self._field("visit", key)

    def value(self, name: str, field: Field | None, value: Any) -> str:
        if value is None or value == "":
            return DASH
        if name == "signed_by":
            return self.user_names.get(value, f"user {value}")
        if name == "computed_rules":  # the stored key of the rule set, as a person reads it
            return ruleset_label(value)
        if name.endswith("_at"):  # a stored time (signed_at, ...)
            return local_minute(value)
        if name == "status":
            return str(value).capitalize()
        if name == "role" and field is None:
            try:
                return Role(value).label
            except ValueError:
                return str(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):  # an amendment's list of adverse events
            return "; ".join(self._event(item) for item in value) or "none"
        if field is None:
            return _number(value, 1) if isinstance(value, float) else str(value)
        if field.kind is Kind.CHOICE:
            try:
                return field.choices(value).label
            except ValueError:
                return str(value)
        if field.kind is Kind.FLAG:
            return "yes" if value else "no"
        if field.kind in (Kind.DECIMAL, Kind.INTEGER) and isinstance(value, (int, float)):
            number = _number(value, field.decimals) if field.kind is Kind.DECIMAL else str(int(value))
            return f"{number} {field.unit}".rstrip()
        return str(value)

    def _event(self, values: Mapping[str, Any]) -> str:
        fields = {f.name: f for f in ADVERSE_EVENT_FIELDS}
        parts = [self.value(name, fields[name], values.get(name)) for name in ("term", "onset_date")]
        if values.get("ctcae_grade") is not None:
            parts.append(f"grade {values['ctcae_grade']}")
        return ", ".join(parts)

    def _change(self, label: str, name: str, field: Field | None, before: Any, after: Any) -> str:
        return f"{label}: {self.value(name, field, before)} {ARROW} {self.value(name, field, after)}"

    # lines
    @staticmethod
    def _line(entry: AuditEntry, what: str, reason: str | None = None) -> HistoryLine:
        return HistoryLine(entry.occurred_at, entry.actor_name, what, reason or None, entry)

    def lines(self, entries: Sequence[AuditEntry]) -> list[HistoryLine]:
        """Oldest first; see :meth:`transactions`."""
        return [line for told in self.transactions(entries) for line in told]

    def transactions(self, entries: Sequence[AuditEntry]) -> list[list[HistoryLine]]:
        """The lines of each transaction, oldest first (``entries`` too). The entries of one
        transaction share a time: a sign-off or an amendment is told once (its own entry), not again as
        the row changes it was made of."""
        groups: dict[tuple[dt.datetime, str], list[AuditEntry]] = {}
        for entry in entries:
            groups.setdefault((entry.occurred_at, entry.actor), []).append(entry)
        told: list[list[HistoryLine]] = []
        for group in groups.values():
            out: list[HistoryLine] = []
            told.append(out)
            kinds = {entry.kind for entry in group}
            if AuditKind.SIGN in kinds or AuditKind.AMEND in kinds:
                for entry in group:
                    if entry.kind is AuditKind.SIGN:
                        out.append(self._line(entry, "Signed the visit"))
                    elif entry.kind is AuditKind.AMEND:
                        for key, (before, after) in entry.changes.items():
                            label, field = self._form_key(key)
                            name = key.rpartition(".")[2]
                            out.append(self._line(entry, "Amended " + self._change(label, name, field, before, after),
                                                  entry.reason))
                continue
            voided = next((e for e in group if e.kind is AuditKind.SOFT_DELETE and e.table_name == "visit"), None)
            if voided is not None:  # the visit's deletion, told once, with the events deleted along
                events = sum(1 for e in group if e.kind is AuditKind.SOFT_DELETE and e.table_name == "adverse_event")
                along = f" with its {events} adverse event{'s' if events != 1 else ''}" if events else ""
                out.append(self._line(voided, f"Deleted the visit{along} (kept, hidden)",
                                      voided.after.get("deleted_reason") or voided.reason))
                group = [e for e in group if e.kind is not AuditKind.SOFT_DELETE]
            for entry in group:
                out += self._row_lines(entry)
        return told

    def _row_lines(self, entry: AuditEntry) -> list[HistoryLine]:
        record = record_name(entry.table_name)
        if entry.kind is AuditKind.INSERT:
            if entry.table_name == "visit":
                after = entry.after
                kind = visit_kind_label(after.get("kind", ""))
                date = after.get("visit_date") or ""
                return [self._line(entry, f"Recorded the visit ({kind}, {date})")]
            fields, _ = _fields_of_table(entry.table_name)
            order = [f.name for f in fields] or list(_VISIT_EXTRA_LABELS)
            names = sorted(entry.after, key=lambda n: order.index(n) if n in order else len(order))
            recorded = []
            for name in names:
                value = entry.after[name]
                if name in _SKIPPED or value is None or value is False:  # a box left unticked is not news
                    continue
                label, field = self._field(entry.table_name, name)
                shown = self.value(name, field, value)
                recorded.append(shown if label == record else f"{label} {shown}")  # "Adverse event" once
            verb = "Created" if entry.table_name in _NOT_CLINICAL else "Recorded"
            return [self._line(entry, f"{verb} {record}: " + ", ".join(recorded) if recorded
                               else f"{verb} {record}")]
        if entry.kind is AuditKind.SOFT_DELETE:
            what = "the visit" if entry.table_name == "visit" else record
            return [self._line(entry, f"Deleted {what} (kept, hidden)",
                               entry.after.get("deleted_reason") or entry.reason)]
        if entry.kind is AuditKind.DELETE:
            return [self._line(entry, f"Removed {record}", entry.reason)]
        if entry.kind is AuditKind.UPDATE:
            lines = []
            for name, (before, after) in entry.changes.items():
                if name in _SKIPPED:
                    continue
                label, field = self._field(entry.table_name, name)
                if entry.table_name == "adverse_event":  # "Outcome" alone would not say of what
                    label = f"{record} \u2013 {label}"
                lines.append(self._line(entry, "Changed " + self._change(label, name, field, before, after),
                                        entry.reason))
            return lines
        return [self._line(entry, event_text(entry), entry.reason)]


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


def event_text(entry: AuditEntry) -> str:
    """What an explicit event (sign-in, export, import, report, restore) did, from its details."""
    details = entry.details
    if entry.kind is AuditKind.EXPORT and "format" in details:
        how = ", pseudonymised" if details.get("pseudonymised") else ""
        how += ", dates shifted" if details.get("shifted_dates") else ""
        return (f"Exported the clinic ({str(details['format']).upper()}{how}) to {details.get('path', DASH)}: "
                f"{_count(details.get('patients', 0), 'patient')}, {_count(details.get('records', 0), 'record')}")
    if entry.kind is AuditKind.EXPORT and "what" in details:
        return f"Exported {details['what']} to {details.get('path', DASH)}: {_count(details.get('lines', 0), 'line')}"
    if entry.kind is AuditKind.REPORT:
        verb = "Printed" if details.get("output") == "printed" else "Saved as PDF"
        text = f"{verb} the summary of {_count(len(details.get('visits', ())), 'visit')}"
        if details.get("from"):
            text += f" from {details['from']} to {details.get('to', details['from'])}"
        return text + (f" to {details['file']}" if details.get("file") else "")
    if entry.kind is AuditKind.IMPORT:
        created = ", ".join(_count(count, kind.replace("_", " ")) for kind, count in details.get("created", {}).items())
        text = f"Imported {details.get('source', 'a file')}: created {created or 'nothing'}"
        if details.get("valid_rows_only"):
            text += f" (valid rows only; {_count(details.get('problems_left_out', 0), 'row')} with problems left out)"
        return text
    if entry.kind is AuditKind.RESTORE:
        return (f"Restored the database from the backup {details.get('backup', DASH)} (the file it replaced is "
                f"kept as {details.get('previous_file_kept_as', DASH)})")
    return entry.kind.label


def history_lines(entries: Sequence[AuditEntry], user_names: Mapping[int, str]) -> list[str]:
    return [line.text for line in HistoryWriter(user_names).lines(entries)]

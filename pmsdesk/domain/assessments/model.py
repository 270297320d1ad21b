"""What an assessment is, and the registry that holds every one of them.

An :class:`Assessment` is one section of a visit (the EDSS with its functional systems, the T25FW, ...):
its fields in the data model's order and in the bench's entry order, its cross-field checks, what it
derives at save, and its :class:`Measure`\\ s. A measure is one number followed over visits (the T25FW
mean, the 9HPT mean of the dominant hand): how it is read from the assessment's stored values, its
unit and decimals, the direction of worse, its meaningful-change rule, its plausibility guard, the
reference-cohort measure it compares with and its exchange codes.

Validation, the visit editor, the visit table, the series, reports and exchange iterate the
:data:`REGISTRY` instead of naming measures, so a new assessment is one declaration (plus its table,
migration and tests). Values are read from plain mappings (field name -> value), whether they come
from the database or from what is being typed, so the screen and the PDF read and format one way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pmsdesk.domain.fields import Field
from pmsdesk.domain.references import Measure as ReferenceMeasure
from pmsdesk.domain.references import NhptHand
from pmsdesk.domain.scoring.change import Measure as ScoredMeasure
from pmsdesk.domain.scoring.change import exact

Values = Mapping[str, Any]
# Adds one problem to the record being validated: (field name within the assessment, message).
AddProblem = Callable[[str, str], None]

LOCAL_CODE_SYSTEM = "urn:pmsdesk:ms-clinic-codes"  # clinical-rules spec 6.1: a local CodeSystem where no LOINC code exists
LOINC = "http://loinc.org"
MINUS = "\u2212"


@dataclass(frozen=True)
class Reading:
    """One measure at one visit: the value, or why there is none although the test was recorded."""

    value: float | None  # None: recorded as not completed
    not_completed: str | None = None  # the reason's label, when value is None
    note: str | None = None  # the free-text reason beside it
    trials: tuple[float, ...] = ()
    details: tuple[str, ...] = ()  # short facts shown beside the value, on screen and on paper (aid, computed EDSS)
    context: tuple[str, ...] = ()  # longer facts for a hover only (each functional system, the dominant hand)
    warnings: tuple[str, ...] = ()

    @property
    def completed(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class PlausibilityGuard:
    """A change between two visits far larger than a real one would be: a typing guard, never a
    clinical rule. ``ratio``: the value more than multiplies or divides by ``limit``; otherwise the
    absolute difference reaches ``limit`` (``inclusive``) or passes it."""

    limit: Decimal
    ratio: bool = False
    inclusive: bool = True
    decimals: int = 1

    def check(self, previous: float | int, current: float | int) -> str | None:
        before, now = exact(previous), exact(current)
        if self.ratio:
            if before <= 0 or now <= 0:
                return None
            if now > before * self.limit:
                return "more than double the last value" if self.limit == 2 else f"more than {self.limit}\u00d7 the last value"
            if now * self.limit < before:
                return "less than half the last value" if self.limit == 2 else f"less than 1/{self.limit} of the last value"
            return None
        difference = abs(now - before)
        if difference > self.limit or (self.inclusive and difference == self.limit):
            return f"{difference:.{self.decimals}f} points from the last value"
        return None


@dataclass(frozen=True)
class Code:
    """A code in an exchange vocabulary (LOINC, or pmsdesk's local CodeSystem)."""

    system: str
    code: str
    display: str


@dataclass(frozen=True)
class Measure:
    key: str  # "t25fw", "nhpt_dominant": unique across the registry
    assessment: str  # the key of the assessment it is read from
    label: str  # "T25FW"
    unit: str  # "s", "m", "" for a score without unit
    decimals: int
    read: Callable[[Values], Reading | None]  # None: nothing of this measure was recorded
    higher_is_worse: bool = True
    change_rule: ScoredMeasure | None = None  # the meaningful-change rule (pmsdesk.domain.scoring.change)
    plausibility: PlausibilityGuard | None = None
    reference: ReferenceMeasure | None = None  # the reference-cohort measure it is compared with
    hand: NhptHand | None = None
    code: Code | None = None  # the exchange code of its value (FHIR Observation.code)
    components: Mapping[str, Code] = field(default_factory=dict)  # fields exchanged beside the value
    optional_in_summary: bool = False  # a summary row only when one of the compared visits has it
    anchor: str = ""  # the field its earlier values are shown beside; "" = the assessment's first entry field
    followed: bool = True  # charted over visits (trajectory, overview); False: a value read per visit (labs)

    def format(self, value: float | int) -> str:
        """The value with the measure's decimals and a real minus sign: the one way it is printed."""
        text = f"{value:.{self.decimals}f}"
        return MINUS + text[1:] if text.startswith("-") else text

    def format_with_unit(self, value: float | int) -> str:
        return f"{self.format(value)} {self.unit}".rstrip()

    def format_reading(self, reading: Reading | None) -> str:
        """A reading as a short table cell: the value, "not done", or '' when not recorded."""
        if reading is None:
            return ""
        return "not done" if reading.value is None else self.format(reading.value)

    @property
    def label_with_unit(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def implausible(self, previous: float | int, current: float | int) -> str | None:
        """Why ``current`` looks mistyped after ``previous``; None when plausible or unguarded."""
        return self.plausibility.check(previous, current) if self.plausibility else None


@dataclass(frozen=True)
class Assessment:
    key: str  # the section prefix of its fields in a visit's values ("t25fw.trial1_s") and its table's key
    title: str  # "Timed 25-foot walk"
    short_title: str  # a column header: "T25FW"
    fields: tuple[Field, ...]  # the data model's order
    measures: tuple[Measure, ...]
    entry_order: tuple[str, ...] = ()  # field names in the bench's order; () = the data model's
    rows: tuple[tuple[str, ...], ...] = ()  # fields that share a line in the editor
    short_labels: Mapping[str, str] = field(default_factory=dict)  # editor labels, by field name
    check: Callable[[Values, AddProblem], None] | None = None  # cross-field rules on clean values
    derive: Callable[[Values, Values], dict[str, Any]] | None = None  # (clean values, patient) -> stored extras
    stored_extras: tuple[str, ...] = ()  # columns stored beside the fields (derived at save)
    category: str = "exam"  # FHIR Observation category: exam, survey or laboratory
    code: Code | None = None  # the exchange code of the assessment as a whole
    summary: Callable[[Values], str] | None = None  # its cell in the patient's visit table
    column_title: str = ""  # the visit table's header; "" = the short title with the measures' unit

    def __post_init__(self) -> None:
        names = {f.name for f in self.fields}
        unknown = [n for n in (*self.entry_order, *(n for row in self.rows for n in row)) if n not in names]
        if unknown:
            raise ValueError(f"assessment {self.key!r}: no field named {', '.join(unknown)}")
        if any(m.assessment != self.key for m in self.measures):
            raise ValueError(f"assessment {self.key!r}: a measure names another assessment")

    @property
    def prefix(self) -> str:
        return self.key + "."

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def entry_fields(self) -> tuple[Field, ...]:
        if not self.entry_order:
            return self.fields
        ordered = tuple(self.field(name) for name in self.entry_order)
        return ordered + tuple(f for f in self.fields if f not in ordered)

    @property
    def first_entry_key(self) -> str:
        """The prefixed key of the field its section shortcut jumps to."""
        return self.prefix + self.entry_fields()[0].name

    def stored_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields) + self.stored_extras

    def label(self, name: str) -> str:
        return self.short_labels.get(name) or self.field(name).label

    @property
    def column(self) -> str:
        units = {m.unit for m in self.measures}
        unit = units.pop() if len(units) == 1 else ""
        return self.column_title or f"{self.short_title} {unit}".rstrip()

    def summarise(self, values: Values) -> str:
        """The visit table's cell: the assessment's own summary, or its measures' readings."""
        if self.summary is not None:
            return self.summary(values)
        readings = [(m, m.read(values)) for m in self.measures]
        return " / ".join(m.format_reading(reading) for m, reading in readings if reading is not None)


class AssessmentRegistry:
    """Every assessment pmsdesk knows, in the order a visit shows them."""

    def __init__(self) -> None:
        self._assessments: dict[str, Assessment] = {}
        self.generation = 0  # moves on every change, so what is derived from the registry can be cached


    def register(self, assessment: Assessment) -> Assessment:
        if assessment.key in self._assessments:
            raise ValueError(f"an assessment {assessment.key!r} is registered already")
        taken = {m.key for m in self.measures()}
        clash = [m.key for m in assessment.measures if m.key in taken]
        if clash:
            raise ValueError(f"measure {', '.join(clash)} is registered already")
        self._assessments[assessment.key] = assessment
        self.generation += 1
        return assessment

    def unregister(self, key: str) -> None:
        del self._assessments[key]
        self.generation += 1

    @contextlib.contextmanager
    def registered(self, assessment: Assessment) -> Iterator[Assessment]:
        """Register ``assessment`` for the duration of a block (tests, plug-ins being tried)."""
        self.register(assessment)
        try:
            yield assessment
        finally:
            self.unregister(assessment.key)

    def __iter__(self) -> Iterator[Assessment]:
        return iter(tuple(self._assessments.values()))

    def __len__(self) -> int:
        return len(self._assessments)

    def __contains__(self, key: object) -> bool:
        return key in self._assessments

    def get(self, key: str) -> Assessment:
        return self._assessments[key]

    def keys(self) -> tuple[str, ...]:
        return tuple(self._assessments)

    def measures(self) -> tuple[Measure, ...]:
        return tuple(m for a in self._assessments.values() for m in a.measures)

    def followed_measures(self) -> tuple[Measure, ...]:
        """The measures followed over visits: charted, summarised per patient, given a change status."""
        return tuple(m for m in self.measures() if m.followed)

    def measure(self, key: str) -> Measure:
        return next(m for m in self.measures() if m.key == key)

    def has_measure(self, key: str) -> bool:
        return any(m.key == key for m in self.measures())

    def sections(self) -> Mapping[str, tuple[Field, ...]]:
        """Fields of each assessment by its key (a visit's values prefix them "key."): a live view,
        so a module may keep it at import time and still see assessments registered later."""
        return _SectionsView(self)


class _SectionsView(Mapping):
    def __init__(self, registry: AssessmentRegistry) -> None:
        self._registry = registry

    def __getitem__(self, key: str) -> tuple[Field, ...]:
        if key not in self._registry:
            raise KeyError(key)
        return self._registry.get(key).fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry.keys())

    def __len__(self) -> int:
        return len(self._registry)


REGISTRY = AssessmentRegistry()

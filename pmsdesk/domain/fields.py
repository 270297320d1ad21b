"""Every field a person can type, with its rule: type, range, step, unit and what is allowed.

The same catalogue drives validation (here), the labels and tooltips of the entry screens (ui)
and the columns of the tables (store; a test checks they agree). Ranges and steps come from
the clinical-rules spec; the spec section is given beside each clinical field.

A field parses raw input (text from a line edit, or a number) and either returns the clean
value or raises :class:`FieldError` whose message names the field, the value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
import unicodedata
from typing import Any

from pmsdesk.domain.procedure_record import (
    CsfAppearance,
    Interspace,
    NeedleGauge,
    NeedleType,
    Position,
    PunctureResult,
)
from pmsdesk.domain.protocols import SEED_PROTOCOLS
from pmsdesk.domain.refusals import Refusal
from pmsdesk.domain.vocab import (
    AdverseEventTerm,
    AeOutcome,
    Agent,
    Choice,
    Hand,
    Phenotype,
    Relatedness,
    Sex,
    VisitKind,
)


class Kind(Enum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    CHOICE = "choice"
    FLAG = "flag"


class FieldError(Refusal, ValueError):
    """A value refused by a field's rule; ``str()`` is the message shown to the person."""

    def __init__(self, field: "Field", raw: Any, allowed: str):
        self.field = field
        self.raw = raw
        shown = shown_escaped(raw if isinstance(raw, str) else _format_value(raw))
        if len(shown) > 40:  # a pasted page or a 400-digit number is not repeated back in full
            shown = shown[:40] + "\u2026"
        super().__init__(f"{field.label}: \u201c{shown}\u201d is not allowed; {allowed}.")


def _format_value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _decimal_places(number: Decimal) -> int:
    """Significant decimal places, counted on the digits (normalize() would round huge inputs)."""
    _, digits, exponent = number.as_tuple()
    places = -exponent
    for digit in reversed(digits):
        if places <= 0 or digit != 0:
            break
        places -= 1
    return max(places, 0)


# Free text keeps tab, line feed and carriage return; nothing keeps NUL and the other C0/C1 controls,
# lone surrogates (not encodable, refused by databases) or the line/paragraph separators.
_KEPT_IN_FREE_TEXT = frozenset("\t\n\r")


def _unprintable(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Cs", "Zl", "Zp")


def _first_unprintable(text: str, multiline: bool) -> str | None:
    return next((c for c in text if _unprintable(c) and not (multiline and c in _KEPT_IN_FREE_TEXT)), None)


def shown_escaped(text: str) -> str:
    """``text`` with its control characters written as escapes (\\u0000), so a message can show it."""
    return "".join(f"\\u{ord(c):04x}" if _unprintable(c) else c for c in text)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Kind
    required: bool = False
    unit: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    exclusive_minimum: bool = False
    decimals: int = 0  # decimal places allowed for DECIMAL fields
    allowed_values: tuple[float, ...] | None = None  # a discrete set (EDSS steps)
    choices: type[Choice] | None = None
    max_length: int | None = None
    multiline: bool = False  # free text (notes) may hold tabs and line breaks; other text is one line
    hint: str = ""  # one sentence for the tooltip: what the field means
    grade_labels: tuple[str, ...] = field(default=(), repr=False)
    time_of_day: bool = False  # a TEXT field holding a time of day, HH:MM

    # ----- what is allowed, in words ---------------------------------------------------------
    def allowed_text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.allowed_values is not None:
            return "enter 0 or 1.0 to 10.0 in steps of 0.5 (0.5 does not exist)"
        if self.kind is Kind.CHOICE:
            return "choose one of: " + ", ".join(c.label for c in self.choices)
        if self.kind is Kind.DATE:
            return "enter a date as YYYY-MM-DD"
        if self.kind is Kind.FLAG:
            return "answer yes or no"
        if self.time_of_day:
            return "enter a time of day as HH:MM, 00:00 to 23:59"
        if self.kind is Kind.TEXT:
            return f"use at most {self.max_length} characters" if self.max_length else "enter text"
        what = "a whole number" if self.kind is Kind.INTEGER else "a number"
        precision = ""
        if self.kind is Kind.DECIMAL:
            precision = f" ({self.decimals} decimal place{'s' if self.decimals > 1 else ''} at most)" if self.decimals \
                else " (whole numbers only)"
        low = _format_value(float(self.minimum)) if self.minimum is not None else None
        high = _format_value(float(self.maximum)) if self.maximum is not None else None
        if low is not None and high is not None:
            if self.exclusive_minimum:
                return f"enter {what} above {low} and at most {high}{unit}{precision}"
            return f"enter {what} from {low} to {high}{unit}{precision}"
        if low is not None:
            return f"enter {what} {'above' if self.exclusive_minimum else 'of at least'} {low}{unit}{precision}"
        return f"enter {what}{unit}{precision}"

    # ----- parsing ---------------------------------------------------------------------------
    def parse(self, raw: Any) -> Any:
        """The clean value for ``raw``; ``None`` when blank and not required."""
        if _blank(raw):
            if self.required:
                raise FieldError(self, "", "this is required: " + self.allowed_text())
            return None
        parser = {
            Kind.TEXT: self._parse_text,
            Kind.INTEGER: self._parse_number,
            Kind.DECIMAL: self._parse_number,
            Kind.DATE: self._parse_date,
            Kind.CHOICE: self._parse_choice,
            Kind.FLAG: self._parse_flag,
        }[self.kind]
        return parser(raw)

    def _fail(self, raw: Any) -> FieldError:
        return FieldError(self, raw, self.allowed_text())

    def _parse_text(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise self._fail(raw)
        text = raw.strip()
        if self.time_of_day:
            try:
                return dt.datetime.strptime(text, "%H:%M").strftime("%H:%M")
            except ValueError:
                raise self._fail(raw) from None
        if self.max_length is not None and len(text) > self.max_length:
            raise FieldError(self, text[:40] + "\u2026", self.allowed_text())
        unprintable = _first_unprintable(text, self.multiline)
        if unprintable is not None:
            raise FieldError(self, text,
                             (f"it holds the control character U+{ord(unprintable):04X}; use letters, digits, spaces"
                              f"{', tabs, line breaks' if self.multiline else ''} and punctuation only"))
        return text

    def _parse_number(self, raw: Any) -> int | float:
        if isinstance(raw, bool):
            raise self._fail(raw)
        if isinstance(raw, (int, float, Decimal)):
            number = Decimal(str(raw))
        elif isinstance(raw, str):
            # Accept a decimal comma, as typed on many clinic keyboards.
            try:
                number = Decimal(raw.strip().replace(",", "."))
            except InvalidOperation:
                raise self._fail(raw) from None
        else:
            raise self._fail(raw)
        if not number.is_finite():
            raise self._fail(raw)
        if self.kind is Kind.INTEGER and number != number.to_integral_value():
            raise self._fail(raw)
        if self.kind is Kind.DECIMAL and _decimal_places(number) > self.decimals:
            raise self._fail(raw)
        if self.minimum is not None and (
            number < self.minimum or (self.exclusive_minimum and number == self.minimum)
        ):
            raise self._fail(raw)
        if self.maximum is not None and number > self.maximum:
            raise self._fail(raw)
        if self.allowed_values is not None and float(number) not in self.allowed_values:
            raise self._fail(raw)
        return int(number) if self.kind is Kind.INTEGER else float(number)

    def _parse_date(self, raw: Any) -> dt.date:
        if isinstance(raw, dt.datetime):
            raise self._fail(raw)
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, str):
            try:
                return dt.date.fromisoformat(raw.strip())
            except ValueError:
                pass
        raise self._fail(raw)

    def _parse_choice(self, raw: Any) -> Choice:
        try:
            return self.choices(raw.strip() if isinstance(raw, str) else raw)
        except (ValueError, TypeError):
            raise self._fail(raw) from None

    def _parse_flag(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        raise self._fail(raw)


def _decimal(value: str | int) -> Decimal:
    return Decimal(str(value))


def text(name, label, *, required=False, max_length=200, hint="", multiline=False):
    return Field(name, label, Kind.TEXT, required=required, max_length=max_length, hint=hint, multiline=multiline)


def integer(name, label, low, high, *, unit="", required=False, hint="", grade_labels=()):
    return Field(
        name, label, Kind.INTEGER, required=required, unit=unit, minimum=_decimal(low),
        maximum=_decimal(high), hint=hint, grade_labels=grade_labels,
    )


def decimal(name, label, low, high, *, decimals, unit="", exclusive_minimum=False, hint=""):
    return Field(
        name, label, Kind.DECIMAL, unit=unit, minimum=_decimal(low), maximum=_decimal(high),
        exclusive_minimum=exclusive_minimum, decimals=decimals, hint=hint,
    )


def date(name, label, *, required=False, hint=""):
    return Field(name, label, Kind.DATE, required=required, hint=hint)


def choice(name, label, choices, *, required=False, hint=""):
    return Field(name, label, Kind.CHOICE, required=required, choices=choices, hint=hint)


def flag(name, label, *, hint=""):
    return Field(name, label, Kind.FLAG, hint=hint)


def clock(name, label, *, hint=""):
    """A time of day typed as HH:MM (24-hour), stored as that text."""
    return Field(name, label, Kind.TEXT, max_length=5, hint=hint or "Local time, HH:MM (24-hour).",
                 time_of_day=True)


# ----- Patient ---------------------------------------------------------------------------------
PATIENT_FIELDS: tuple[Field, ...] = (
    text("clinic_id", "Clinic identifier", required=True, max_length=40,
         hint="The clinic's own patient number; unique in this database."),
    text("family_name", "Family name", required=True, max_length=100),
    text("given_names", "Given names", required=True, max_length=100),
    date("birth_date", "Date of birth", required=True),
    choice("sex", "Sex", Sex, required=True),
    choice("phenotype", "MS phenotype", Phenotype, required=True),
    integer("onset_year", "Year of onset", 1900, 2100, hint="Year of the first MS symptoms."),
    date("diagnosis_date", "Date of diagnosis"),
    choice("dominant_hand", "Dominant hand", Hand,
           hint="Used to order the 9-hole peg test: dominant hand first."),
    integer("education_years", "Years of education", 0, 30,
            hint="Needed for education-adjusted SDMT norms."),
    text("notes", "Notes", max_length=4000, multiline=True),
)

# The seed protocol templates as a choice: stored value the template's key, label its name.
ProtocolTemplateChoice = Choice("ProtocolTemplateChoice", [(p.key.upper().replace("-", "_"), (p.key, p.name))
                                                           for p in SEED_PROTOCOLS])

# ----- Treatment course ------------------------------------------------------------------------
COURSE_FIELDS: tuple[Field, ...] = (
    choice("agent", "Agent", Agent, required=True),
    text("agent_name", "Agent name", max_length=100, hint="Required when the agent is 'Other'."),
    decimal("planned_dose", "Planned dose", 0, 100000, decimals=3, exclusive_minimum=True),
    text("dose_unit", "Dose unit", max_length=30, hint="For example mg, or million cells."),
    integer("interval_weeks_min", "Interval from (weeks)", 1, 104,
            hint="Planned weeks between treatments, for example 8 in '8-11 weeks'."),
    integer("interval_weeks_max", "Interval to (weeks)", 1, 104,
            hint="Upper end of the planned interval; the same as 'from' for a fixed interval."),
    date("start_date", "Start date", required=True),
    date("end_date", "End date"),
    text("protocol_id", "Protocol or study identifier", max_length=100),
    choice("protocol_template", "Protocol template", ProtocolTemplateChoice,
           hint="The published schedule the course follows; blank keeps the plain interval."),
    text("notes", "Notes", max_length=4000, multiline=True),
)

# ----- Visit and procedure ---------------------------------------------------------------------
VISIT_FIELDS: tuple[Field, ...] = (
    date("visit_date", "Visit date", required=True),
    choice("kind", "Visit kind", VisitKind, required=True),
    integer("treatment_number", "Treatment number", 1, 200,
            hint="Which intrathecal treatment of the course this is (1 = first)."),
    decimal("dose_given", "Dose given", 0, 100000, decimals=3, exclusive_minimum=True),
    text("dose_unit", "Dose unit", max_length=30),
    # The structured procedure record (pmsdesk.domain.procedure_record: choices and sources).
    decimal("dose_volume_ml", "Volume given", 0, 20, decimals=1, unit="mL", exclusive_minimum=True,
            hint="Volume of the intrathecal injection."),
    text("dose_batch", "Batch or lot", max_length=60,
         hint="The batch of the drug or the product/lot number of a cell product (required for cell products)."),
    text("performed_by", "Performed by", max_length=100,
         hint="The user name of the nurse or neurologist who does the puncture and gives the dose."),
    text("assisted_by", "Assisted by", max_length=100, hint="The user name of the assistant, if any."),
    clock("puncture_time", "Time of puncture"),
    choice("lp_position", "Position", Position),
    choice("lp_level", "Puncture level", Interspace, hint="The interspace where the dose was given."),
    choice("lp_needle_type", "Needle type", NeedleType,
           hint="Atraumatic needles cause less post-puncture headache (Nath et al., Lancet 2018)."),
    choice("lp_needle_gauge", "Needle gauge", NeedleGauge),
    text("lp_needle", "Needle notes", max_length=60, hint="Make or length of the needle, if worth noting."),
    integer("lp_attempts", "Attempts", 1, 10, hint="Number of needle passes."),
    integer("lp_levels_tried", "Levels tried", 1, 4, hint="How many interspaces were tried."),
    choice("lp_result", "Puncture", PunctureResult),
    decimal("opening_pressure_cmh2o", "Opening pressure", 1, 60, decimals=1, unit="cm H2O",
            hint="When measured, lying on the side with the legs extended; adults' reference interval 10-25 cm "
                 "H2O (Whiteley et al., Neurology 2006)."),
    choice("csf_appearance", "CSF appearance", CsfAppearance),
    decimal("csf_removed_ml", "CSF removed", 0, 50, decimals=1, unit="mL"),
    decimal("csf_sampled_ml", "CSF sampled", 0, 50, decimals=1, unit="mL", hint="Of the CSF removed, kept for tests."),
    text("observation_notes", "Observation after the puncture", max_length=500, multiline=True,
         hint="Pulse, blood pressure, headache and how the patient was before going home."),
    clock("discharge_time", "Discharged at"),
    text("notes", "Visit notes", max_length=4000, multiline=True),
)

# Assessment fields (EDSS, T25FW, 9HPT, SDMT, six-minute walk, ...) are declared with their
# assessment in pmsdesk.domain.assessments.

# ----- Adverse events, relapses, disease-modifying therapy ------------------------------------
ADVERSE_EVENT_FIELDS: tuple[Field, ...] = (
    choice("term", "Adverse event", AdverseEventTerm, required=True),
    text("term_other", "Description", max_length=200, hint="Required when the event is 'Other'."),
    date("onset_date", "Onset", required=True),
    integer("ctcae_grade", "CTCAE grade", 1, 5, hint="1 mild, 2 moderate, 3 severe, 4 life-threatening, 5 death."),
    flag("serious", "Serious"),
    # NCI CTEP attribution, asked for the procedure and for the drug apart (pmsdesk.domain.adverse_events)
    choice("related_procedure", "Related to the procedure", Relatedness,
           hint="Is the event caused by the lumbar puncture itself? Blank: not assessed."),
    choice("related_drug", "Related to the drug", Relatedness,
           hint="Is the event caused by the drug or cell product given? Blank: not assessed."),
    choice("outcome", "Outcome", AeOutcome),
    date("resolved_date", "Resolved on"),
    text("notes", "Notes", max_length=2000, multiline=True),
)

RELAPSE_FIELDS: tuple[Field, ...] = (
    date("onset_date", "Relapse onset", required=True),
    text("notes", "Notes", max_length=2000, multiline=True),
)

DMT_FIELDS: tuple[Field, ...] = (
    text("agent", "Therapy", required=True, max_length=100),
    date("start_date", "Started", required=True),
    date("stop_date", "Stopped"),
    text("notes", "Notes", max_length=2000, multiline=True),
)

"""Published cohort references that a patient's trajectory is compared with.

The library is read from ``resources/references/cohorts.json`` (format ``pmsdesk.reference-cohorts``,
described field by field in ``resources/references/README.md``) plus any files a clinic adds in the
same format. Loading validates everything up front, so a bad file stops the start-up with a message
naming the file, the cohort, the JSON path, what is wrong and what is allowed, instead of failing
later while a plot is drawn.

Each number keeps its statistic kind: a mean at a timepoint, a mean change from baseline and a
proportion worsened by a time answer different questions and are never mixed up by the plots.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmsdesk.domain.vocab import Choice, Phenotype
from pmsdesk.resources import resource_path

FORMAT_NAME = "pmsdesk.reference-cohorts"
SUPPORTED_FORMAT_VERSIONS = (1,)


class Measure(Choice):
    EDSS = "edss", "EDSS"
    T25FW = "t25fw", "T25FW"
    NHPT = "nhpt", "9HPT"
    SDMT = "sdmt", "SDMT"
    SIX_MINUTE_WALK = "six_minute_walk", "6MWT"
    MSFC = "msfc", "MSFC"
    PASAT = "pasat", "PASAT"
    COMPOSITE_DISABILITY = "composite_disability", "composite disability endpoint"
    MUSCLE_STRENGTH = "muscle_strength", "muscle strength"
    MRI = "mri", "MRI"
    EVOKED_POTENTIALS = "evoked_potentials", "evoked potentials"
    ADVERSE_EVENTS = "adverse_events", "adverse events"
    TREATMENT_FAILURE = "treatment_failure", "treatment failure"
    RETENTION = "retention", "retention in study"
    TREATMENT_EXPOSURE = "treatment_exposure", "treatment exposure"


class ValueKind(Choice):
    # labels read after the measure in a statement: "EDSS mean change from baseline +0.3"
    MEAN = "mean", "mean"
    MEDIAN = "median", "median"
    CENTRAL_VALUE_UNSPECIFIED = "central_value_unspecified", "mean or median (source does not say which)"
    MEAN_CHANGE = "mean_change", "mean change from baseline"
    MEDIAN_CHANGE = "median_change", "median change from baseline"
    MEAN_PERCENT_CHANGE = "mean_percent_change", "mean % change from baseline"
    BETWEEN_GROUP_DIFFERENCE = "between_group_difference", "difference between arms in mean change"
    PROPORTION_WORSENED = "proportion_worsened", "proportion worsened by a time"
    PROPORTION_STABLE = "proportion_stable", "proportion stable at a time"
    PROPORTION_IMPROVED = "proportion_improved", "proportion improved by a time"
    PROPORTION_STABLE_OR_IMPROVED = "proportion_stable_or_improved", "proportion stable or improved"
    PROPORTION_WITH_EVENT = "proportion_with_event", "proportion with an event"
    PROPORTION_WITH_CHARACTERISTIC = "proportion_with_characteristic", "proportion with a characteristic"
    COUNT = "count", "number of patients or events"
    RATE_PER_YEAR = "rate_per_year", "mean change per year"
    MODEL_ESTIMATE = "model_estimate", "model estimate"
    QUALITATIVE = "qualitative", "qualitative finding"

    @property
    def is_proportion(self) -> bool:
        return self.value.startswith("proportion_")

    @property
    def is_change(self) -> bool:
        return self in (ValueKind.MEAN_CHANGE, ValueKind.MEDIAN_CHANGE, ValueKind.MEAN_PERCENT_CHANGE)


class SignConvention(Choice):
    POSITIVE_IS_WORSE = "positive_is_worse", "positive = worse"
    POSITIVE_IS_BETTER = "positive_is_better", "positive = better"


class Arm(Choice):
    ACTIVE = "active", "treated arm"
    PLACEBO = "placebo", "placebo, sham or saline arm"
    POOLED = "pooled", "arms pooled"
    CONTRAST = "contrast", "comparison between arms"
    DELAYED_START = "delayed_start", "placebo switched to active treatment"
    NATURAL_HISTORY = "natural_history", "untreated natural history"


class NhptHand(Choice):
    DOMINANT = "dominant", "dominant hand"
    NON_DOMINANT = "non_dominant", "non-dominant hand"
    EITHER = "either", "either hand"
    BOTH_AVERAGED = "both_averaged", "average of both hands"


class SourceType(Choice):
    PRIMARY_FULLTEXT_TABLE = "primary_fulltext_table", "paper, full-text table"
    PRIMARY_ABSTRACT = "primary_abstract", "paper, abstract"
    REGISTRY = "registry", "trial registry record"
    CLINIC_RECORDS = "clinic_records", "the clinic's own records"
    CONFERENCE_ABSTRACT = "conference_abstract", "conference abstract"
    CONFERENCE_REPORT = "conference_report", "conference report"
    SECONDARY_REVIEW_TABLE = "secondary_review_table", "review table"
    SECONDARY_REVIEW = "secondary_review", "review"
    SECONDARY_SUMMARY = "secondary_summary", "secondary summary"
    SECONDARY_NEWS = "secondary_news", "news report"

    @property
    def is_primary(self) -> bool:
        return self in _PRIMARY_SOURCE_TYPES


_PRIMARY_SOURCE_TYPES = frozenset({
    SourceType.PRIMARY_FULLTEXT_TABLE, SourceType.PRIMARY_ABSTRACT, SourceType.REGISTRY,
    SourceType.CLINIC_RECORDS,
})


class CohortCategory(Choice):
    INTRATHECAL_STUDY = "intrathecal_study", "intrathecal therapy study"
    PLACEBO_CONTROLLED_TRIAL = "placebo_controlled_trial", "placebo-controlled trial"
    NATURAL_HISTORY = "natural_history", "natural history cohort"
    TRIAL_BASELINE_DATASET = "trial_baseline_dataset", "trial baseline dataset"
    CLINIC_COHORT = "clinic_cohort", "clinic's own cohort"


class Route(Choice):
    INTRATHECAL = "intrathecal", "intrathecal"
    INTRAVENOUS = "intravenous", "intravenous"
    INTRAMUSCULAR = "intramuscular", "intramuscular"
    SUBCUTANEOUS = "subcutaneous", "subcutaneous"
    ORAL = "oral", "oral"


class ReferenceFileError(ValueError):
    """A reference file that cannot be used; the message says where and why."""

    def __init__(self, path: Path | str, problem: str, *, cohort_id: str | None = None,
                 json_path: str | None = None):
        self.path = Path(path)
        self.cohort_id = cohort_id
        self.json_path = json_path
        self.problem = problem
        where = [str(path)]
        if cohort_id:
            where.append(f"cohort '{cohort_id}'")
        if json_path:
            where.append(json_path)
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True)
class Citation:
    authors: str | None
    title: str | None
    journal: str | None
    year: int | None
    details: str | None = None  # volume(issue):pages
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    registry_id: str | None = None
    unconfirmed: tuple[str, ...] = ()  # citation fields not seen in a retrieved text
    note: str | None = None
    also: tuple[str, ...] = ()  # companion publications (follow-ups, secondary analyses)

    def text(self) -> str:
        """The full citation as one line, with identifiers and any doubt about its details."""
        parts = [f"{part.rstrip('.')}." for part in (self.authors, self.title) if part]
        if self.journal or self.year:
            source = " ".join(str(part) for part in (self.journal, self.year) if part)
            parts.append(f"{source};{self.details}." if self.details else f"{source}.")
        if self.doi:
            parts.append(f"doi:{self.doi}.")
        if self.pmid:
            parts.append(f"PMID {self.pmid}.")
        if self.pmcid:
            parts.append(f"{self.pmcid}.")
        if self.registry_id:
            parts.append(f"Registry {self.registry_id}.")
        if self.unconfirmed:
            parts.append(f"[Unconfirmed: {', '.join(self.unconfirmed)}; check before citing.]")
        if self.note:
            parts.append(f"Note: {self.note}")
        parts.extend(f"See also: {other}" for other in self.also)
        return " ".join(parts)


@dataclass(frozen=True)
class Population:
    n: int | None
    n_by_group: tuple[tuple[str, int], ...]
    phenotypes: tuple[Phenotype, ...]  # empty when the source does not say
    phenotype_detail: str | None
    age: str | None
    disease_duration: str | None
    edss_at_entry: str | None
    notes: tuple[str, ...]
    edss_range: tuple[float, float] | None = None  # EDSS at entry as numbers, when the source gives a range


@dataclass(frozen=True)
class Treatment:
    description: str
    routes: tuple[Route, ...]
    # The studied treatment: a course agent code (vocab.Agent) where it is one, so a treated arm can
    # be matched with a patient's course; otherwise the drug's name. None for natural history.
    agent: str | None = None


@dataclass(frozen=True)
class Source:
    type: SourceType
    location: str  # where in the source the number was read, e.g. "Table 3"
    url: str | None
    verified: bool


@dataclass(frozen=True)
class ReferenceValue:
    cohort_id: str
    cohort_short_name: str
    measure: Measure
    kind: ValueKind
    value: float | None  # None only for qualitative findings; proportions are 0-1
    n: int | None
    timepoint_months: float | None
    timepoint_label: str | None
    group: str
    arm: Arm
    source: Source
    sd: float | None = None
    ci95: tuple[float, float] | None = None
    range: tuple[float, float] | None = None
    iqr: tuple[float, float] | None = None
    unit: str | None = None
    sign_convention: SignConvention | None = None
    outcome: str | None = None  # for proportions and counts: "had a 24-week confirmed ... worsening"
    finding: str | None = None  # for qualitative findings
    approximate: bool = False
    phenotype: Phenotype | None = None  # None: mixed or not stated
    hand: NhptHand | None = None
    note: str | None = None
    edss_range: tuple[float, float] | None = None  # a subgroup defined by EDSS at entry, e.g. (6.0, 6.5)
    selected_by_outcome: bool = False  # only patients who had an outcome (e.g. "progressors only")
    agent: str | None = None  # this arm's treatment where it differs from the cohort's

    @property
    def timepoint_text(self) -> str:
        if self.timepoint_label:
            return self.timepoint_label
        return f"month {self.timepoint_months:g}"

    @property
    def subject(self) -> str:
        """Who the number describes, e.g. "IMPACT placebo, SPMS"."""
        text = self.cohort_short_name if self.group == "all" else f"{self.cohort_short_name} {self.group}"
        if self.phenotype and self.phenotype.value not in text:
            text += f", {self.phenotype.value}"
        return text

    def short_statement(self) -> str:
        """One line for beside a plot, e.g. "IMPACT placebo, SPMS: 41.9% had ... by 2 years"."""
        about = "about " if self.approximate else ""
        if self.kind is ValueKind.QUALITATIVE:
            return f"{self.subject}: {self.finding} ({self.timepoint_text})"
        if self.kind.is_proportion:
            # proportions "stable" and "with characteristic" describe a moment; the others accumulate
            moment = self.kind in (ValueKind.PROPORTION_STABLE, ValueKind.PROPORTION_WITH_CHARACTERISTIC)
            return (f"{self.subject}: {about}{_percent(self.value)} {self.outcome} "
                    f"{'at' if moment else 'by'} {self.timepoint_text}")
        if self.kind is ValueKind.COUNT:
            # "7 of 18 had ..." only when patients are counted; events are not a share of patients
            of_n = f" of {self.n}" if self.n is not None and self.unit == "patients" else ""
            return f"{self.subject}: {about}{self.value:g}{of_n} {self.outcome} by {self.timepoint_text}"
        when = f"({self.timepoint_text})" if self.kind is ValueKind.RATE_PER_YEAR else f"at {self.timepoint_text}"
        return f"{self.subject}: {self._measure_text()} {self.kind.label} {about}{self._number_text()} {when}"

    def _measure_text(self) -> str:
        return f"{self.measure.label} ({self.hand.label})" if self.hand else self.measure.label

    def _number_text(self) -> str:
        unit = "%" if self.unit == "%" else f" {self.unit}"
        signed = self.value != 0 and (self.kind.is_change or self.kind is ValueKind.BETWEEN_GROUP_DIFFERENCE)
        text = f"{self.value:+g}{unit}" if signed else f"{self.value:g}{unit}"
        spread = []
        if self.sd is not None:
            spread.append(f"SD {self.sd:g}")
        for name, pair in (("95% CI", self.ci95), ("IQR", self.iqr), ("range", self.range)):
            if pair:
                spread.append(f"{name} {pair[0]:g} to {pair[1]:g}")
        if self.sign_convention:
            spread.append(self.sign_convention.label)
        return f"{text} ({'; '.join(spread)})" if spread else text


def _percent(proportion: float) -> str:
    return f"{round(proportion * 100, 1):g}%"


@dataclass(frozen=True)
class Cohort:
    id: str
    name: str
    short_name: str
    seed: bool
    category: CohortCategory
    citation: Citation
    design: str
    population: Population
    treatment: Treatment
    sources: tuple[tuple[str, str], ...]  # (url, what it is)
    caveats: tuple[str, ...]
    missing: tuple[str, ...]
    values: tuple[ReferenceValue, ...]
    file: Path

    @functools.cached_property
    def measures(self) -> frozenset[Measure]:
        return frozenset(value.measure for value in self.values)

    def values_for(self, measure: Measure | str) -> tuple[ReferenceValue, ...]:
        """This cohort's numbers for one measure, earliest timepoint first, undated ones last."""
        measure = Measure(measure)
        chosen = [value for value in self.values if value.measure is measure]
        return tuple(sorted(chosen, key=_timepoint_key))


def _timepoint_key(value: ReferenceValue) -> tuple[bool, float]:
    return value.timepoint_months is None, value.timepoint_months or 0.0


@dataclass(frozen=True)
class ReferenceLibrary:
    cohorts: tuple[Cohort, ...]
    files: tuple[Path, ...]

    def cohort(self, cohort_id: str) -> Cohort:
        for cohort in self.cohorts:
            if cohort.id == cohort_id:
                return cohort
        raise KeyError(f"no reference cohort '{cohort_id}'")

    def seed_cohorts(self) -> tuple[Cohort, ...]:
        return tuple(cohort for cohort in self.cohorts if cohort.seed)

    def cohorts_reporting(self, measure: Measure | str) -> tuple[Cohort, ...]:
        measure = Measure(measure)
        return tuple(cohort for cohort in self.cohorts if measure in cohort.measures)

    def values_for(self, cohort_id: str, measure: Measure | str) -> tuple[ReferenceValue, ...]:
        return self.cohort(cohort_id).values_for(measure)


def shipped_reference_file() -> Path:
    return resource_path("references", "cohorts.json")


def load_reference_library(paths: Iterable[Path] | None = None) -> ReferenceLibrary:
    """Load the shipped reference file followed by ``paths`` (a clinic's own files).

    Raises ReferenceFileError for the first problem found, including a cohort id that appears in
    two files.
    """
    files = (shipped_reference_file(), *(Path(path) for path in paths or ()))
    cohorts: list[Cohort] = []
    first_seen: dict[str, Path] = {}
    for path in files:
        for cohort in _read_file(path):
            if cohort.id in first_seen:
                raise ReferenceFileError(
                    path, f"duplicate cohort id '{cohort.id}', already defined in {first_seen[cohort.id]}; "
                          "cohort ids must be unique across all reference files",
                    cohort_id=cohort.id)
            first_seen[cohort.id] = path
            cohorts.append(cohort)
    return ReferenceLibrary(tuple(cohorts), files)


def _read_file(path: Path) -> list[Cohort]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ReferenceFileError(path, f"cannot be read ({error.strerror or error})") from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReferenceFileError(
            path, f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}") from error
    return _Reader(path).document(document)


_COHORT_KEYS = {"id", "name", "short_name", "seed", "category", "citation", "design", "population",
                "treatment", "sources", "caveats", "missing", "values"}
_CITATION_KEYS = {"authors", "title", "journal", "year", "details", "doi", "pmid", "pmcid", "registry_id",
                  "unconfirmed", "note", "also"}
_POPULATION_KEYS = {"n", "n_by_group", "phenotypes", "phenotype_detail", "age", "disease_duration",
                    "edss_at_entry", "edss_range", "notes"}
_VALUE_KEYS = {"measure", "kind", "value", "sd", "ci95", "range", "iqr", "n", "timepoint_months",
               "timepoint_label", "unit", "sign_convention", "outcome", "finding", "approximate", "group",
               "arm", "phenotype", "hand", "source", "note", "edss_range", "selected_by_outcome", "agent"}
_SOURCE_KEYS = {"type", "location", "url", "verified"}
_DOCUMENT_KEYS = {"format", "format_version", "data_version", "data_date", "title", "description",
                  "derived_from", "cohorts"}


class _Reader:
    """Turns one parsed file into domain objects, raising ReferenceFileError with the JSON path of
    the first offending field."""

    def __init__(self, path: Path):
        self.path = path
        self.cohort_id: str | None = None

    def fail(self, json_path: str, problem: str) -> ReferenceFileError:
        return ReferenceFileError(self.path, problem, cohort_id=self.cohort_id, json_path=json_path)

    # -- typed field access ---------------------------------------------------------------------

    def object(self, data: Any, json_path: str, allowed: set[str], required: set[str] = frozenset()) -> dict:
        if not isinstance(data, dict):
            raise self.fail(json_path, f"must be a JSON object, got {_json_type(data)}")
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(json_path, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
        missing = sorted(required - set(data))
        if missing:
            raise self.fail(json_path, f"missing required field(s) {', '.join(missing)}")
        return data

    def text(self, data: dict, key: str, json_path: str, *, optional: bool = False) -> str | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{json_path}.{key}", f"must be a non-empty string, got {_json_type(value)}")
        return value

    def texts(self, data: dict, key: str, json_path: str) -> tuple[str, ...]:
        items = data.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise self.fail(f"{json_path}.{key}", "must be a list of strings")
        return tuple(items)

    def number(self, data: dict, key: str, json_path: str, *, optional: bool = True,
               minimum: float | None = None, maximum: float | None = None, why: str = "") -> float | None:
        value = data.get(key)
        if value is None:
            if optional:
                return None
            raise self.fail(f"{json_path}.{key}", "is required and must be a number")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(f"{json_path}.{key}", f"must be a number, got {_json_type(value)}")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"between {minimum:g} and {maximum:g}" if maximum is not None else f"at least {minimum:g}"
            raise self.fail(f"{json_path}.{key}", f"{value:g} is out of range; must be {bounds}{why}")
        return value

    def count(self, data: dict, key: str, json_path: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{json_path}.{key}", f"must be a whole number of 0 or more, got {value!r}")
        return value

    def pair(self, data: dict, key: str, json_path: str) -> tuple[float, float] | None:
        value = data.get(key)
        if value is None:
            return None
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in value)):
            raise self.fail(f"{json_path}.{key}", f"must be [low, high] (two numbers), got {value!r}")
        if value[0] > value[1]:
            raise self.fail(f"{json_path}.{key}", f"low {value[0]:g} is above high {value[1]:g}")
        return value[0], value[1]

    def choice(self, enum: type[Choice], data: dict, key: str, json_path: str, *, optional: bool = False):
        value = data.get(key)
        if value is None and optional:
            return None
        return self._member(enum, value, f"{json_path}.{key}", key)

    def choices(self, enum: type[Choice], data: dict, key: str, json_path: str) -> tuple:
        items = data.get(key, [])
        if not isinstance(items, list):
            raise self.fail(f"{json_path}.{key}", "must be a list")
        return tuple(self._member(enum, item, f"{json_path}.{key}[{i}]", key) for i, item in enumerate(items))

    def _member(self, enum: type[Choice], value: Any, json_path: str, name: str):
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise self.fail(json_path, f"unknown {name} {value!r}; allowed: {allowed}") from None

    # -- the format -----------------------------------------------------------------------------

    def document(self, data: Any) -> list[Cohort]:
        data = self.object(data, "$", _DOCUMENT_KEYS, {"format", "format_version", "data_version", "cohorts"})
        if data["format"] != FORMAT_NAME:
            raise self.fail("$.format", f"is {data['format']!r}; a reference file must declare format {FORMAT_NAME!r}")
        if data["format_version"] not in SUPPORTED_FORMAT_VERSIONS:
            supported = ", ".join(str(v) for v in SUPPORTED_FORMAT_VERSIONS)
            raise self.fail("$.format_version",
                            f"format_version {data['format_version']!r} is not supported; this pmsdesk reads {supported}")
        self.text(data, "data_version", "$")
        if not isinstance(data["cohorts"], list):
            raise self.fail("$.cohorts", "must be a list of cohorts")
        cohorts = [self.cohort(item, f"$.cohorts[{i}]") for i, item in enumerate(data["cohorts"])]
        seen: set[str] = set()
        for cohort in cohorts:
            if cohort.id in seen:
                self.cohort_id = cohort.id
                raise self.fail("$.cohorts", f"duplicate cohort id '{cohort.id}' in this file")
            seen.add(cohort.id)
        return cohorts

    def cohort(self, data: Any, json_path: str) -> Cohort:
        self.cohort_id = None
        data = self.object(data, json_path, _COHORT_KEYS, _COHORT_KEYS - {"caveats", "missing"})
        self.cohort_id = self.text(data, "id", json_path)
        short_name = self.text(data, "short_name", json_path)
        if not isinstance(data["seed"], bool):
            raise self.fail(f"{json_path}.seed", "must be true or false")
        sources = data["sources"]
        if not isinstance(sources, list) or not sources:
            raise self.fail(f"{json_path}.sources", "must list at least one source ({\"url\", \"what\"})")
        source_pairs = []
        for i, source in enumerate(sources):
            where = f"{json_path}.sources[{i}]"
            source = self.object(source, where, {"url", "what"}, {"what"})
            source_pairs.append((self.text(source, "url", where, optional=True), self.text(source, "what", where)))
        values = data["values"]
        if not isinstance(values, list):
            raise self.fail(f"{json_path}.values", "must be a list of numbers")
        return Cohort(
            id=self.cohort_id,
            name=self.text(data, "name", json_path),
            short_name=short_name,
            seed=data["seed"],
            category=self.choice(CohortCategory, data, "category", json_path),
            citation=self.citation(data["citation"], f"{json_path}.citation"),
            design=self.text(data, "design", json_path),
            population=self.population(data["population"], f"{json_path}.population"),
            treatment=self.treatment(data["treatment"], f"{json_path}.treatment"),
            sources=tuple(source_pairs),
            caveats=self.texts(data, "caveats", json_path),
            missing=self.texts(data, "missing", json_path),
            values=tuple(self.value(item, f"{json_path}.values[{i}]", short_name) for i, item in enumerate(values)),
            file=self.path,
        )

    def citation(self, data: Any, json_path: str) -> Citation:
        data = self.object(data, json_path, _CITATION_KEYS)
        if not (data.get("authors") or data.get("title")):
            raise self.fail(json_path, "needs at least authors or title")
        year = data.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise self.fail(f"{json_path}.year", f"must be a whole year such as 2024, got {year!r}")
        unconfirmed = self.texts(data, "unconfirmed", json_path)
        unknown = sorted(set(unconfirmed) - _CITATION_KEYS)
        if unknown:
            raise self.fail(f"{json_path}.unconfirmed",
                            f"names unknown citation field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_CITATION_KEYS))}")
        fields = {key: self.text(data, key, json_path, optional=True)
                  for key in ("authors", "title", "journal", "details", "doi", "pmid", "pmcid", "registry_id", "note")}
        return Citation(year=year, unconfirmed=unconfirmed, also=self.texts(data, "also", json_path), **fields)

    def population(self, data: Any, json_path: str) -> Population:
        data = self.object(data, json_path, _POPULATION_KEYS, {"n", "phenotypes"})
        by_group = data.get("n_by_group") or {}
        if not isinstance(by_group, dict):
            raise self.fail(f"{json_path}.n_by_group", "must map group names to whole numbers")
        for group in by_group:
            self.count(by_group, group, f"{json_path}.n_by_group")
        return Population(
            n=self.count(data, "n", json_path),
            n_by_group=tuple(by_group.items()),
            phenotypes=self.choices(Phenotype, data, "phenotypes", json_path),
            phenotype_detail=self.text(data, "phenotype_detail", json_path, optional=True),
            age=self.text(data, "age", json_path, optional=True),
            disease_duration=self.text(data, "disease_duration", json_path, optional=True),
            edss_at_entry=self.text(data, "edss_at_entry", json_path, optional=True),
            notes=self.texts(data, "notes", json_path),
            edss_range=self.edss_range(data, json_path),
        )

    def edss_range(self, data: dict, json_path: str) -> tuple[float, float] | None:
        edss = self.pair(data, "edss_range", json_path)
        if edss is not None and not 0 <= edss[0] <= edss[1] <= 10:
            raise self.fail(f"{json_path}.edss_range", f"{list(edss)} is not an EDSS range; both ends must be 0 to 10")
        return edss

    def flag(self, data: dict, key: str, json_path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{json_path}.{key}", "must be true or false")
        return value

    def treatment(self, data: Any, json_path: str) -> Treatment:
        data = self.object(data, json_path, {"description", "agent", "routes"}, {"description"})
        return Treatment(self.text(data, "description", json_path), self.choices(Route, data, "routes", json_path),
                         self.text(data, "agent", json_path, optional=True))

    def source(self, data: Any, json_path: str) -> Source:
        if data is None:
            raise self.fail(json_path, "missing source: every number needs {\"type\", \"location\"} saying where it was read")
        data = self.object(data, json_path, _SOURCE_KEYS, {"type", "location"})
        return Source(
            type=self.choice(SourceType, data, "type", json_path),
            location=self.text(data, "location", json_path),
            url=self.text(data, "url", json_path, optional=True),
            verified=self.flag(data, "verified", json_path),
        )

    def value(self, data: Any, json_path: str, cohort_short_name: str) -> ReferenceValue:
        data = self.object(data, json_path, _VALUE_KEYS, {"measure", "kind", "group", "arm"})
        measure = self.choice(Measure, data, "measure", json_path)
        kind = self.choice(ValueKind, data, "kind", json_path)
        source = self.source(data.get("source"), f"{json_path}.source")
        number = self._main_number(data, kind, json_path)
        months = self.number(data, "timepoint_months", json_path, minimum=0)
        label = self.text(data, "timepoint_label", json_path, optional=True)
        if months is None and label is None:
            raise self.fail(json_path, "needs timepoint_months or timepoint_label (or both)")
        hand = self.choice(NhptHand, data, "hand", json_path, optional=True)
        if hand and measure is not Measure.NHPT:
            raise self.fail(f"{json_path}.hand", f"is only allowed for measure 'nhpt', not {measure.value!r}")
        sign = self.choice(SignConvention, data, "sign_convention", json_path,
                           optional=kind is not ValueKind.MEAN_PERCENT_CHANGE)
        unit = self.text(data, "unit", json_path,
                         optional=kind.is_proportion or kind is ValueKind.QUALITATIVE)
        return ReferenceValue(
            cohort_id=self.cohort_id,
            cohort_short_name=cohort_short_name,
            measure=measure,
            kind=kind,
            value=number,
            n=self.count(data, "n", json_path),
            timepoint_months=months,
            timepoint_label=label,
            group=self.text(data, "group", json_path),
            arm=self.choice(Arm, data, "arm", json_path),
            source=source,
            sd=self.number(data, "sd", json_path, minimum=0, why=" (a standard deviation cannot be negative)"),
            ci95=self.pair(data, "ci95", json_path),
            range=self.pair(data, "range", json_path),
            iqr=self.pair(data, "iqr", json_path),
            unit=unit,
            sign_convention=sign,
            outcome=self.text(data, "outcome", json_path,
                              optional=not (kind.is_proportion or kind is ValueKind.COUNT)),
            finding=self.text(data, "finding", json_path, optional=kind is not ValueKind.QUALITATIVE),
            approximate=self.flag(data, "approximate", json_path),
            phenotype=self.choice(Phenotype, data, "phenotype", json_path, optional=True),
            hand=hand,
            note=self.text(data, "note", json_path, optional=True),
            edss_range=self.edss_range(data, json_path),
            selected_by_outcome=self.flag(data, "selected_by_outcome", json_path),
            agent=self.text(data, "agent", json_path, optional=True),
        )

    def _main_number(self, data: dict, kind: ValueKind, json_path: str) -> float | None:
        if kind is ValueKind.QUALITATIVE:
            if data.get("value") is not None:
                raise self.fail(f"{json_path}.value", "must be null for a qualitative finding; put the text in 'finding'")
            return None
        if kind.is_proportion:
            return self.number(data, "value", json_path, optional=False, minimum=0, maximum=1,
                               why=" (proportions are written 0-1, e.g. 0.419 for 41.9%)")
        if kind is ValueKind.COUNT:
            if self.count(data, "value", json_path) is None:
                raise self.fail(f"{json_path}.value", "is required and must be a whole number")
            return data["value"]
        return self.number(data, "value", json_path, optional=False)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(type(value), "number")

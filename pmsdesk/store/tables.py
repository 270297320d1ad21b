"""The database tables (sqlmodel).

Column names match the field names of :mod:`pmsdesk.domain.fields` and of each assessment in
:mod:`pmsdesk.domain.assessments` (a test checks this), so the
rules for what may be stored live in one place. Choices are stored as their short code (the
member's value in :mod:`pmsdesk.domain.vocab`), not as database enum types, so SQLite and
PostgreSQL share one schema. Every table has created/updated timestamps (UTC); mutable clinical
rows carry ``version``, used by SQLAlchemy for optimistic locking: an UPDATE whose version no
longer matches fails instead of overwriting someone else's save.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, MetaData, text
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

# Stable constraint names make Alembic migrations reproducible on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Timestamped(SQLModel):
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        sa_type=DateTime(timezone=True),
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


class Versioned(Timestamped):
    """A mutable clinical row: SQLAlchemy checks and bumps ``version`` on every UPDATE."""

    version: int = Field(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805 - SQLAlchemy's declared_attr protocol
        return {"version_id_col": cls.__table__.c.version}


class SoftDeletable(SQLModel):
    """A clinical row that is never erased: deleting it records when and why, and hides it.

    Every ORM query leaves such rows out unless it asks for them (see pmsdesk.store.sessions).
    """

    deleted_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    deleted_reason: str | None = Field(default=None, max_length=500)


class Patient(Versioned, table=True):
    __tablename__ = "patient"

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: str = Field(max_length=40, unique=True)
    family_name: str = Field(max_length=100)
    given_names: str = Field(max_length=100)
    birth_date: dt.date
    sex: str = Field(max_length=16)
    phenotype: str = Field(max_length=16)
    onset_year: int | None = None
    diagnosis_date: dt.date | None = None
    dominant_hand: str | None = Field(default=None, max_length=8)
    education_years: int | None = None
    notes: str | None = None
    archived: bool = Field(default=False, nullable=False)


class TreatmentCourse(Versioned, table=True):
    __tablename__ = "treatment_course"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True, ondelete="CASCADE")
    agent: str = Field(max_length=32)
    agent_name: str | None = Field(default=None, max_length=100)
    planned_dose: float | None = None
    dose_unit: str | None = Field(default=None, max_length=30)
    interval_weeks_min: int | None = None
    interval_weeks_max: int | None = None
    start_date: dt.date
    end_date: dt.date | None = None
    protocol_id: str | None = Field(default=None, max_length=100)
    protocol_template: str | None = Field(default=None, max_length=60)  # a pmsdesk.domain.protocols key
    notes: str | None = None


# The visits that take a course's treatment slot (see Visit.__table_args__).
TREATMENT_SLOT = "kind = 'treatment' AND course_id IS NOT NULL AND deleted_at IS NULL"


class Visit(Versioned, SoftDeletable, table=True):
    __tablename__ = "visit"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True, ondelete="CASCADE")
    course_id: int | None = Field(default=None, foreign_key="treatment_course.id", index=True, ondelete="SET NULL")
    visit_date: dt.date = Field(index=True)
    kind: str = Field(max_length=16)
    treatment_number: int | None = None
    dose_given: float | None = None
    dose_unit: str | None = Field(default=None, max_length=30)
    lp_level: str | None = Field(default=None, max_length=20)
    lp_needle: str | None = Field(default=None, max_length=60)
    lp_attempts: int | None = None
    csf_removed_ml: float | None = None
    performed_by: str | None = Field(default=None, max_length=100)  # a user name since 0010 (free text before)
    # The structured procedure record (0010; pmsdesk.domain.procedure_record). People are user names,
    # not foreign keys: SQLite cannot drop a referencing column in place, and visit is never rebuilt.
    dose_volume_ml: float | None = None
    dose_batch: str | None = Field(default=None, max_length=60)
    assisted_by: str | None = Field(default=None, max_length=100)
    puncture_time: str | None = Field(default=None, max_length=5)
    lp_position: str | None = Field(default=None, max_length=20)
    lp_needle_type: str | None = Field(default=None, max_length=16)
    lp_needle_gauge: str | None = Field(default=None, max_length=4)
    lp_levels_tried: int | None = None
    lp_result: str | None = Field(default=None, max_length=16)
    opening_pressure_cmh2o: float | None = None
    csf_appearance: str | None = Field(default=None, max_length=20)
    csf_sampled_ml: float | None = None
    observation_notes: str | None = Field(default=None, max_length=500)
    discharge_time: str | None = Field(default=None, max_length=5)
    notes: str | None = None
    status: str = Field(default="draft", max_length=16)
    signed_by: int | None = Field(default=None, foreign_key="user_account.id")
    signed_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # The electronic signature (pmsdesk.domain.signatures): the signer's name as printed, what the
    # signature means, and the digest of the visit's content it was given to.
    signed_name: str | None = Field(default=None, max_length=120)
    signature_meaning: str | None = Field(default=None, max_length=32)
    signature_digest: str | None = Field(default=None, max_length=64)

    # One treatment per slot, held by the database across workstations and imports: among a course's
    # treatment visits not voided, a treatment number and a day are each used once (partial unique
    # indexes, which SQLite and PostgreSQL both enforce). The service refuses first, naming the visit.
    __table_args__ = (
        Index("uq_visit_course_treatment_number", "course_id", "treatment_number", unique=True,
              sqlite_where=text(TREATMENT_SLOT), postgresql_where=text(TREATMENT_SLOT)),
        Index("uq_visit_course_treatment_day", "course_id", "visit_date", unique=True,
              sqlite_where=text(TREATMENT_SLOT), postgresql_where=text(TREATMENT_SLOT)),
    )


class VisitAssessment(Versioned):
    """Common shape of the per-visit assessments: at most one of each kind per visit."""

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", unique=True, ondelete="CASCADE")


class EdssAssessment(VisitAssessment, table=True):
    __tablename__ = "edss_assessment"

    edss: float | None = None
    fs_visual: int | None = None
    fs_brainstem: int | None = None
    fs_pyramidal: int | None = None
    fs_cerebellar: int | None = None
    fs_sensory: int | None = None
    fs_bowel_bladder: int | None = None
    fs_cerebral: int | None = None
    ambulation: int | None = None
    # The step computed from the functional systems and the rule set that produced it; kept beside
    # the clinician's value, never replacing it.
    computed_edss: float | None = None
    computed_rules: str | None = Field(default=None, max_length=60)


class T25fwAssessment(VisitAssessment, table=True):
    __tablename__ = "t25fw_assessment"

    trial1_s: float | None = None
    trial2_s: float | None = None
    walking_aid: str | None = Field(default=None, max_length=16)
    not_completed: str | None = Field(default=None, max_length=16)
    not_completed_note: str | None = Field(default=None, max_length=300)
    more_than_two_attempts: bool = Field(default=False, nullable=False)


class NhptAssessment(VisitAssessment, table=True):
    __tablename__ = "nhpt_assessment"

    dominant_trial1_s: float | None = None
    dominant_trial2_s: float | None = None
    dominant_not_completed: str | None = Field(default=None, max_length=16)
    nondominant_trial1_s: float | None = None
    nondominant_trial2_s: float | None = None
    nondominant_not_completed: str | None = Field(default=None, max_length=16)
    not_completed_note: str | None = Field(default=None, max_length=300)
    # The patient's dominant hand when the test was done (it decides which trials are which).
    dominant_hand: str | None = Field(default=None, max_length=8)


class SdmtAssessment(VisitAssessment, table=True):
    __tablename__ = "sdmt_assessment"

    score: int | None = None
    modality: str | None = Field(default=None, max_length=16)
    form: str | None = Field(default=None, max_length=30)


class SixMinuteWalk(VisitAssessment, table=True):
    __tablename__ = "six_minute_walk"

    distance_m: float | None = None
    not_completed: str | None = Field(default=None, max_length=16)
    not_completed_note: str | None = Field(default=None, max_length=300)


class LabAssessment(VisitAssessment, table=True):
    """One blood sample's values (pmsdesk.domain.assessments.labs), dated by the sample, not the visit."""

    __tablename__ = "lab_assessment"

    sampled_on: dt.date | None = Field(default=None, index=True)
    platelets: float | None = None
    inr: float | None = None
    wbc: float | None = None
    lymphocytes: float | None = None
    alt: float | None = None
    creatinine: float | None = None
    egfr: float | None = None


class SafetyCheck(Versioned, table=True):
    """The pre-puncture safety check of a treatment visit (pmsdesk.domain.procedure_safety): the
    answers, the result as found when saved (with each item's finding), and a neurologist's override."""

    __tablename__ = "safety_check"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", unique=True, ondelete="CASCADE")
    antithrombotic: str | None = Field(default=None, max_length=32)
    hours_since_last_dose: float | None = None
    pregnancy_possible: bool | None = None
    active_infection: bool | None = None
    methotrexate_allergy: bool | None = None
    methotrexate_neurotoxicity: bool | None = None
    result: str = Field(max_length=16)  # passed, failed or unanswered (Outcome of the worst item)
    findings: str  # every item's outcome, finding and source, one a line, as found at the save
    override_by: str | None = Field(default=None, max_length=60)
    override_name: str | None = Field(default=None, max_length=120)
    override_reason: str | None = Field(default=None, max_length=500)
    override_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    override_items: str | None = Field(default=None, max_length=300)  # the overridden items' codes, comma-separated
    # The file an override kept from an import came from (pmsdesk.domain.recorded_elsewhere); None: made here.
    override_imported_from: str | None = Field(default=None, max_length=200)


class DoseCheck(Versioned, table=True):
    """The second-person check of a visit's intrathecal dose (pmsdesk.domain.register): who gives the
    dose, who checked it and when, and exactly what the checker confirmed."""

    __tablename__ = "dose_check"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", unique=True, ondelete="CASCADE")
    administered_by: str = Field(max_length=60)  # user names, as the register keeps them
    administered_name: str = Field(max_length=120)
    checked_by: str = Field(max_length=60)
    checked_name: str = Field(max_length=120)
    checked_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    agent: str = Field(max_length=100)
    dose: float
    dose_unit: str = Field(max_length=30)
    route: str = Field(max_length=20)
    lot: str | None = Field(default=None, max_length=60)
    patient_identity: bool
    # The file a check kept from an import came from (pmsdesk.domain.recorded_elsewhere); None: made here.
    imported_from: str | None = Field(default=None, max_length=200)


class AdverseEvent(Versioned, SoftDeletable, table=True):
    __tablename__ = "adverse_event"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True, ondelete="CASCADE")
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True, ondelete="CASCADE")
    term: str = Field(max_length=32)
    term_other: str | None = Field(default=None, max_length=200)
    onset_date: dt.date
    ctcae_grade: int | None = None
    serious: bool = Field(default=False, nullable=False)
    # Before 0009 one answer, "related to treatment", mixed the procedure and the drug: it is kept as
    # recorded (shown as the earlier single answer) and no longer asked; None is "not assessed".
    relatedness: str | None = Field(default=None, max_length=16)
    related_procedure: str | None = Field(default=None, max_length=16)
    related_drug: str | None = Field(default=None, max_length=16)
    outcome: str | None = Field(default=None, max_length=32)
    resolved_date: dt.date | None = None
    notes: str | None = None
    # A neurologist's clearance of a methotrexate neurotoxicity event (pmsdesk.domain.adverse_events);
    # people are user names, as elsewhere since 0008.
    cleared_by: str | None = Field(default=None, max_length=60)
    cleared_by_name: str | None = Field(default=None, max_length=120)
    cleared_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    clearance_reason: str | None = Field(default=None, max_length=500)
    clearance_imported_from: str | None = Field(default=None, max_length=200)  # as dose_check.imported_from


class Relapse(Versioned, SoftDeletable, table=True):
    __tablename__ = "relapse"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True, ondelete="CASCADE")
    onset_date: dt.date
    notes: str | None = None


class DmtHistory(Versioned, SoftDeletable, table=True):
    __tablename__ = "dmt_history"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True, ondelete="CASCADE")
    agent: str = Field(max_length=100)
    start_date: dt.date
    stop_date: dt.date | None = None
    notes: str | None = None


class VisitDraft(Timestamped, table=True):
    """What was typed into a visit and not saved yet, kept so a crash or a closed window loses nothing.

    ``raw`` is the editor's raw text per field as JSON (not validated values: a half-typed or
    refused entry is kept as typed); ``visit_id`` is None for a visit not saved yet. At most one
    draft per visit, and one new-visit draft per patient (the Clinic service keeps it so).
    """

    __tablename__ = "visit_draft"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True, ondelete="CASCADE")
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True, ondelete="CASCADE")
    raw: str
    # Whose draft it is: the person typing and the workstation they type on, since when they hold it.
    # Another person sees this and may take the draft over (Clinic.take_over_draft); None: kept before
    # drafts had holders, anyone's to continue.
    holder_name: str | None = Field(default=None, max_length=80)
    holder_full_name: str | None = Field(default=None, max_length=120)
    workstation: str | None = Field(default=None, max_length=100)
    held_since: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class Setting(Timestamped, table=True):
    """Clinic-wide settings kept in the database (shared by every workstation)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=100)
    value: str


class RegisterEntry(Versioned, table=True):
    """One line of the intrathecal register (pmsdesk.domain.register, HSC 2008/001): a person trained
    for a task, from the training date to the expiry; ended early by the administrator, never deleted."""

    __tablename__ = "register_entry"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    task: str = Field(max_length=16)
    trained_on: dt.date
    expires_on: dt.date
    ended_on: dt.date | None = None
    ended_reason: str | None = Field(default=None, max_length=200)


class UserAccount(Timestamped, table=True):
    """A person who signs in. Never deleted (the audit trail names them): deactivated instead.

    ``password_hash`` is an argon2id hash (salted, slow); the password itself is never stored.
    """

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    full_name: str = Field(max_length=120)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=200)
    active: bool = Field(default=True, nullable=False)
    # Lockout (pmsdesk.services.accounts): wrong passwords in a row, the last one's time, the lock's end.
    failed_sign_ins: int = Field(default=0, nullable=False, sa_column_kwargs={"server_default": "0"})
    last_failed_sign_in_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    locked_until: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AuditEvent(SQLModel, table=True):
    """One entry of the append-only audit trail, chained to the one before by its hash.

    Written only by :mod:`pmsdesk.store.audit` (ORM inserts, updates and deletes of this table are
    refused there, and database triggers refuse UPDATE and DELETE). ``id`` runs 1, 2, 3... without
    gaps; ``entry_hash`` is the SHA-256 of the canonical JSON of every other column, including
    ``previous_hash``. ``occurred_at`` is ISO-8601 UTC text so the hashed form is the stored form.
    """

    __tablename__ = "audit_event"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    occurred_at: str = Field(max_length=40)
    actor: str = Field(max_length=80)
    kind: str = Field(max_length=20)
    table_name: str | None = Field(default=None, max_length=40)
    row_key: str | None = Field(default=None, max_length=100)
    patient_id: int | None = Field(default=None, index=True)
    visit_id: int | None = Field(default=None, index=True)
    before: str | None = None
    after: str | None = None
    reason: str | None = None
    details: str | None = None
    previous_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The newest link of the audit chain, in one row. Every append first updates this row, which
    takes the write lock (SQLite) or the row lock (PostgreSQL): appends are serialised, so two
    workstations can never fork the chain. It also shows when entries were cut off the end."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_id: int = Field(nullable=False)
    last_hash: str = Field(max_length=64)


class ResearchPseudonym(Timestamped, table=True):
    """A patient's stable research identity for pseudonymised exports (pmsdesk.exchange).

    The only link between a subject code and a patient: it never leaves the clinic's database.
    ``date_shift_days`` moves every date of the patient by the same random offset when an export
    asks for shifted dates, so intervals within a patient stay true.
    """

    __tablename__ = "research_pseudonym"

    patient_id: int = Field(primary_key=True, foreign_key="patient.id", ondelete="CASCADE")
    subject_code: str = Field(max_length=20, unique=True)
    date_shift_days: int = Field(nullable=False)


class ImportColumnMapping(Timestamped, table=True):
    """A column mapping chosen for an import file, remembered for the next file with the same header."""

    __tablename__ = "import_column_mapping"

    header_key: str = Field(primary_key=True, max_length=64)  # SHA-256 of the sorted header names
    mapping: str  # JSON: file column -> template column ("" = ignored)


class PatientOverview(Timestamped, table=True):
    """A patient's row of the clinic overview as last computed (pmsdesk.services.overview): derived from
    the patient's visits, assessments and relapses, never edited, not audited. The database deletes it
    whenever one of those rows changes (triggers of migration 0011, so no write path can leave it stale);
    the overview computes what is missing and keeps it here."""

    __tablename__ = "patient_overview"

    patient_id: int = Field(primary_key=True, foreign_key="patient.id", ondelete="CASCADE")
    format: int  # pmsdesk.services.overview.ROW_FORMAT when computed: rows of another format are recomputed
    row: str  # JSON of the computed cells


# A patient's visits by date: their visit count and last visit, read for the rows a screen shows.
Index("ix_visit_patient_id_visit_date", Visit.patient_id, Visit.visit_date)

# Derived tables: rebuilt by the program from the clinical rows, so a copy of the clinic leaves them out.
DERIVED_TABLES = (PatientOverview,)

# The table of each assessment of pmsdesk.domain.assessments.REGISTRY, by the assessment's key.
ASSESSMENT_TABLES: dict[str, type[VisitAssessment]] = {
    "edss": EdssAssessment,
    "t25fw": T25fwAssessment,
    "nhpt": NhptAssessment,
    "sdmt": SdmtAssessment,
    "six_minute_walk": SixMinuteWalk,
    "labs": LabAssessment,
}

CLINICAL_TABLES = (Patient, TreatmentCourse, Visit, *ASSESSMENT_TABLES.values(), SafetyCheck, DoseCheck, AdverseEvent,
                   Relapse, DmtHistory)
# Every insert, update and delete of these is written to the audit trail by the store itself.
# (VisitAssessment covers every assessment's table, including one an assessment brings later.)
AUDITED_TABLES = (*CLINICAL_TABLES, VisitAssessment, UserAccount, RegisterEntry, Setting)
# The audit trail's own tables: its entries carry their own time and never change; the head is a pointer.
AUDIT_TRAIL_TABLES = (AuditEvent, AuditHead)

__all__ = [
    "ASSESSMENT_TABLES", "AUDITED_TABLES", "AUDIT_TRAIL_TABLES", "DERIVED_TABLES", "PatientOverview", "AuditEvent", "AuditHead", "CLINICAL_TABLES",
    "AdverseEvent", "DmtHistory", "EdssAssessment", "LabAssessment", "SafetyCheck", "ImportColumnMapping", "ResearchPseudonym", "SoftDeletable",
    "UserAccount", "DoseCheck", "RegisterEntry",
    "NhptAssessment", "Patient", "Relapse", "SdmtAssessment", "Setting", "SixMinuteWalk",
    "T25fwAssessment", "TreatmentCourse", "Visit", "VisitDraft", "metadata",
]

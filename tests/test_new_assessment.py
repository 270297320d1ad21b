"""A made-up assessment, declared only here, reaches every place an assessment shows up.

Hand-grip strength (kilograms, higher is better) is registered for the length of this module: its
declaration in the domain registry and its table in the store, nothing else. Validation, the saved
visit, the visit editor, the patient's visit table, the series and the trajectory, the visit summary
PDF, the tidy CSV, the FHIR bundle and the import template must all carry it without another file
naming it. This is the contract that keeps a new assessment to about five files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from pdf_reading import pdf_text
from sample_data import PATIENT, TODAY

from pmsdesk.domain.assessments import LOCAL_CODE_SYSTEM, REGISTRY, Assessment, Code, Measure, PlausibilityGuard, Reading
from pmsdesk.domain.fields import decimal
from pmsdesk.domain.validation import ValidationFailed, validate_visit
from pmsdesk.store.tables import ASSESSMENT_TABLES, VisitAssessment, metadata

KEY = "grip"


def _read(values) -> Reading | None:
    return None if values.get("strength_kg") is None else Reading(float(values["strength_kg"]))


GRIP = Assessment(
    KEY, "Hand-grip strength", "Grip", (decimal("strength_kg", "Grip strength", 0, 120, decimals=1, unit="kg",
                                                 exclusive_minimum=True),),
    (Measure("grip", KEY, "Grip strength", "kg", 1, _read, higher_is_worse=False,
             plausibility=PlausibilityGuard(Decimal(2), ratio=True),
             code=Code(LOCAL_CODE_SYSTEM, "GRIP-KG", "Hand-grip strength")),),
    short_labels={"strength_kg": "Strength"},
)


@pytest.fixture(scope="module")
def grip_table():
    class GripStrength(VisitAssessment, table=True):
        __tablename__ = "grip_strength_made_up"

        strength_kg: float | None = None

    yield GripStrength
    metadata.remove(GripStrength.__table__)  # later tests compare the schema with the migrations


@pytest.fixture
def registered(grip_table, database, monkeypatch):
    grip_table.__table__.create(database.engine)
    monkeypatch.setitem(ASSESSMENT_TABLES, KEY, grip_table)
    with REGISTRY.registered(GRIP):
        yield grip_table


@pytest.fixture
def visit_with_grip(registered, clinic, patient):
    clinic.create_visit(patient.id, {"visit_date": "2026-05-04", "kind": "baseline", "grip.strength_kg": "31.5",
                                     "edss.edss": "4.0"})
    return clinic.create_visit(patient.id, {"visit_date": "2026-08-03", "kind": "assessment",
                                            "grip.strength_kg": "29"})


def test_validation_reads_and_refuses_its_fields(registered):
    values = validate_visit({"visit_date": "2026-05-04", "kind": "baseline", "grip.strength_kg": "31,5"},
                            birth_date=dt.date(1970, 1, 1), today=TODAY)
    assert values.assessments[KEY] == {"strength_kg": 31.5}
    with pytest.raises(ValidationFailed) as refused:
        validate_visit({"visit_date": "2026-05-04", "kind": "baseline", "grip.strength_kg": "300"},
                       birth_date=dt.date(1970, 1, 1), today=TODAY)
    assert refused.value.for_field("grip.strength_kg") == [
        "Grip strength: \u201c300\u201d is not allowed; enter a number above 0 and at most 120 kg (1 decimal place at most)."]


def test_the_visit_is_stored_read_back_and_audited(visit_with_grip, clinic):
    assert visit_with_grip.assessments[KEY].strength_kg == 29.0
    assert visit_with_grip.reading(REGISTRY.measure("grip")).value == 29.0
    tables = {entry.table_name for entry in clinic.audit_entries(visit_id=visit_with_grip.visit.id)}
    assert "grip_strength_made_up" in tables


def test_series_and_history_follow_it(visit_with_grip, clinic, patient):
    from pmsdesk.services.history import earlier_values
    from pmsdesk.services.series import patient_series

    series = patient_series(clinic, patient.id).measures["grip"]
    assert [point.value for point in series.points] == [31.5, 29.0]
    assert series.format_value(29) == "29.0"
    earlier = earlier_values(clinic.visit_records(patient.id), before=TODAY, other_than_visit=None)
    assert earlier["grip"].last.value == 29.0 and earlier["grip"].baseline.value == 31.5


def test_csv_and_fhir_exports_carry_it(visit_with_grip, clinic, tmp_path):
    from pmsdesk.exchange.export import export_clinic

    export_clinic(clinic, "csv", tmp_path / "tidy.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "tidy.csv").read_text())))
    assert [(r["visit_date"], r["value"], r["unit"]) for r in rows if r["measure"] == "grip.strength_kg"] == [
        ("2026-05-04", "31.5", "kg"), ("2026-08-03", "29", "kg")]
    export_clinic(clinic, "fhir", tmp_path / "bundle.json")
    observations = [e["resource"] for e in json.loads((tmp_path / "bundle.json").read_text())["entry"]
                    if e["resource"]["resourceType"] == "Observation"
                    and e["resource"]["code"]["coding"][0]["code"] == "GRIP-KG"]
    assert sorted(o["valueQuantity"]["value"] for o in observations) == [29, 31.5]
    assert {o["valueQuantity"]["unit"] for o in observations} == {"kg"}


def test_the_import_template_takes_it(registered, clinic, tmp_path):
    from pmsdesk.exchange.columns import TEMPLATE_FIELDS
    from pmsdesk.exchange.importer import apply_import, plan_import, read_file

    assert TEMPLATE_FIELDS["grip.strength_kg"].unit == "kg"
    header = ["clinic_id", "family_name", "given_names", "birth_date", "sex", "phenotype", "visit_date", "kind",
              "grip.strength_kg"]
    row = [PATIENT["clinic_id"], PATIENT["family_name"], PATIENT["given_names"], PATIENT["birth_date"],
           PATIENT["sex"], PATIENT["phenotype"], "2026-09-07", "assessment", "27.5"]
    path = tmp_path / "visits.csv"
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n")
    plan = plan_import(clinic, read_file(path, clinic))
    apply_import(clinic, plan)
    patient = clinic.find_patients()[0]
    assert [r.assessments[KEY].strength_kg for r in clinic.visit_records(patient.id)] == [27.5]


def test_the_visit_summary_pdf_prints_it(visit_with_grip, clinic):
    from pmsdesk.ui.printing import visit_summary_pdf

    text = pdf_text(visit_summary_pdf(clinic, visit_with_grip.visit.id)[0])
    assert "Grip strength (kg)" in text
    assert "29.0" in text and "31.5" in text


@pytest.mark.usefixtures("qapp")
def test_the_visit_editor_visit_table_and_trajectory_show_it(visit_with_grip, clinic, patient, qtbot):
    from pmsdesk.ui.main_window import MainWindow

    window = MainWindow(clinic)
    qtbot.addWidget(window)
    window.show()
    view = window.patient_view
    view.show_patient(patient.id)
    headers = [view.visits.horizontalHeaderItem(c).text() for c in range(view.visits.columnCount())]
    column = headers.index("Grip kg")
    assert [view.visits.item(r, column).text() for r in range(view.visits.rowCount())] == ["31.5", "29.0"]

    editor = window.visit_editor
    editor.open_visit(visit_with_grip.visit.id)
    box = next(box for box, _first in editor.sections if "Hand-grip strength" in box.title())
    assert box.isVisibleTo(editor)
    assert editor.field_editor("grip.strength_kg").raw() == "29"
    assert "Last 31.5 kg" in editor.earlier_labels["grip"].text()
    editor.field_editor("grip.strength_kg").input.setText("12")
    editor.update_live_values()
    assert "less than half the last value" in editor.earlier_labels["grip"].text()

    from pmsdesk.services.series import patient_series
    from pmsdesk.ui.trajectory import TrajectoryView

    trajectory = TrajectoryView(clinic)
    qtbot.addWidget(trajectory)
    trajectory.show_patient(patient.id)
    assert "grip" in trajectory.plots.shown
    assert patient_series(clinic, patient.id).measures["grip"].spec is REGISTRY.measure("grip")

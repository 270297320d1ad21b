"""An export's memory does not grow with the clinic (issue 20): it reads and writes a batch of patients at
a time, so exporting a clinic twice as large peaks at (nearly) the same Python memory (tracemalloc)."""

from __future__ import annotations

import tracemalloc

import pytest

from big_clinic import fill_clinic
from pmsdesk.domain.permissions import SYSTEM_ACTOR
from pmsdesk.exchange.export import export_clinic
from pmsdesk.services.clinic import Clinic

PATIENTS = 400  # two batches of patients; the larger clinic has four
VISITS_PER_PATIENT = 12


def peak_of_export(clinic: Clinic, export_format: str, path) -> int:
    tracemalloc.start()
    try:
        export_clinic(clinic, export_format, path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("export_format, name", [("csv", "c.csv"), ("archive", "a.zip"), ("fhir", "f.json"),
                                                 ("msprog", "m")])
def test_an_export_of_twice_the_clinic_does_not_take_twice_the_memory(database, tmp_path, export_format, name):
    clinic = Clinic(database, actor=SYSTEM_ACTOR)
    fill_clinic(database, PATIENTS, VISITS_PER_PATIENT)
    export_clinic(clinic, export_format, tmp_path / f"warm-{name}")  # statement caches filled, modules imported
    small = peak_of_export(clinic, export_format, tmp_path / f"small-{name}")
    fill_clinic(database, PATIENTS, VISITS_PER_PATIENT, first_number=PATIENTS + 1)
    large = peak_of_export(clinic, export_format, tmp_path / f"large-{name}")
    print(f"{export_format}: peak {small / 1e6:.1f} MB at {PATIENTS} patients, {large / 1e6:.1f} MB at {2 * PATIENTS}")
    assert large < 1.25 * small

"""``pmsdesk progression`` command (issue 4 item 6)."""

import pytest
from people import signed

from pmsdesk.cli import main
from pmsdesk.commands.progression import OUTPUT_COLUMNS

HEADER = ",".join(OUTPUT_COLUMNS)
VISITS = """patient_id,date,value
A,2020-01-01,3.0
A,2020-04-01,4.0
A,2020-07-01,4.0
A,2020-10-01,4.0
B,2020-01-01,6.0
B,2020-04-01,6.0
B,2020-07-01,5.0
B,2020-10-01,5.0
"""


@pytest.fixture
def visits(tmp_path):
    path = tmp_path / "visits.csv"
    path.write_text(VISITS)
    return path


@pytest.fixture(autouse=True)
def clinic_database(tmp_path_factory, monkeypatch):
    """The clinic database the analyst signs in to: progression reads patient data, for clinicians only."""
    from pmsdesk.store.database import Database

    path = tmp_path_factory.mktemp("clinic") / "clinic.sqlite3"  # not among the test's own files
    Database.open(str(path)).close()
    monkeypatch.setenv("PMSDESK_DATABASE_URL", f"sqlite:///{path}")


def test_writes_events_to_stdout(visits, capsys):
    assert main(signed(["progression", str(visits), "--outcome", "edss", "--event", "multiple"])) == 0
    assert capsys.readouterr().out.splitlines() == [
        HEADER,
        "A,CDW,,2020-04-01,4,2020-01-01,3,2020-07-01,4",
        "B,CDI,,2020-07-01,5,2020-01-01,6,2020-10-01,5",
    ]


def test_relapses_classify_and_output_file(visits, tmp_path):
    relapses = tmp_path / "relapses.csv"
    relapses.write_text("patient_id,date\nA,2020-03-15\n")
    out = tmp_path / "events.csv"
    assert main(signed(["progression", str(visits), "--outcome", "edss", "--relapses", str(relapses), "-o", str(out)])) == 0
    assert out.read_text().splitlines() == [HEADER, "A,CDW,RAW,2020-04-01,4,2020-01-01,3,2020-07-01,4"]


def test_first_cdi_and_24_weeks(visits, capsys):
    assert main(signed(["progression", str(visits), "--outcome", "edss", "--event", "firstCDI", "--confirm-weeks", "24"])) == 0
    assert capsys.readouterr().out.splitlines() == [HEADER]  # B's improvement is only confirmed 92 days later


@pytest.mark.parametrize("bad_row,message", [
    ("C,2020-02-30,3.0", "line 10: date '2020-02-30' is not an ISO date"),
    ("C,2020-02-01,abc", "line 10: value 'abc' is not a number"),
    ("C,2020-02-01,11", "line 10: EDSS value 11 is outside 0-10"),
    (",2020-02-01,1", "line 10: empty patient_id"),
])
def test_bad_row_names_the_line_and_writes_nothing(tmp_path, capsys, bad_row, message):
    path = tmp_path / "visits.csv"
    path.write_text(VISITS + bad_row + "\n")
    out = tmp_path / "events.csv"
    assert main(signed(["progression", str(path), "--outcome", "edss", "-o", str(out)])) == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_missing_header_column_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "visits.csv"
    path.write_text("patient,date,value\nA,2020-01-01,1\n")
    assert main(signed(["progression", str(path), "--outcome", "sdmt"])) == 2
    assert "line 1: header must contain patient_id,date,value" in capsys.readouterr().err

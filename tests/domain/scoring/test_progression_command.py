"""``pmsdesk progression`` command (issue 4 item 6)."""

import subprocess
import sys

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


SIX_MINUTE_WALKS = """patient_id,date,value
worse8,2020-01-01,400
worse8,2020-04-01,392
worse8,2020-07-01,391
worse7,2020-01-01,400
worse7,2020-04-01,393
worse7,2020-07-01,393
better15,2020-01-01,400
better15,2020-04-01,415
better15,2020-07-01,415
better20,2020-01-01,400
better20,2020-04-01,420
better20,2020-07-01,421
"""


def test_six_minute_walk_has_its_own_minimal_important_change(tmp_path, capsys):
    """As on the trajectory: 7.2 m shorter is a worsening, but only 19.7 m longer an improvement
    (Oosterveer 2022), so 8 m down is confirmed, 7 m down and 15 m up are not events."""
    path = tmp_path / "walks.csv"
    path.write_text(SIX_MINUTE_WALKS)
    assert main(signed(["progression", str(path), "--outcome", "6mwt", "--event", "multiple"])) == 0
    assert capsys.readouterr().out.splitlines() == [
        HEADER,
        "worse8,CDW,,2020-04-01,392,2020-01-01,400,2020-07-01,391",
        "better20,CDI,,2020-04-01,420,2020-01-01,400,2020-07-01,421",
    ]


def test_outcomes_are_the_change_rules_of_the_followed_measures(visits, capsys):
    from pmsdesk.domain.assessments import REGISTRY

    followed = list(dict.fromkeys(m.change_rule.value for m in REGISTRY.followed_measures() if m.change_rule))
    assert followed == ["edss", "t25fw", "nhpt", "sdmt", "6mwt"]
    with pytest.raises(SystemExit) as refused:
        main(signed(["progression", str(visits), "--outcome", "walk"]))
    assert refused.value.code == 2
    assert f"(choose from {', '.join(map(repr, followed))})" in capsys.readouterr().err


def test_building_the_command_line_does_not_import_the_registry(tmp_path):
    """The choices are read when --outcome is checked, so another command's start does not pay for them."""
    done = subprocess.run([sys.executable, "-c", "import sys\nfrom pmsdesk.cli import build_parser\nbuild_parser()\n"
                           "print('pmsdesk.domain.assessments' in sys.modules)"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "False\n"

"""Benchmark: one visit summary PDF, and a day's batch of 40 visit summaries in one PDF.

    .venv/bin/python benchmarks/bench_reports.py [--visits 40] [--repeat 5]

Fills a temporary demo clinic (one patient per visit of the batch; each summary then has a full
history, charts and the default cohort overlays), and prints the time to gather the data from the
database and to lay out the PDF (processor time, median of ``--repeat`` runs). Targets: one visit well under 0.5 s,
40 visits a few seconds. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pmsdesk import __version__  # noqa: E402
from pmsdesk.reports import visit_report  # noqa: E402
from pmsdesk.reports.assemble import ReportAssembler  # noqa: E402
from pmsdesk.reports.visit_report import batch_report_pdf, visit_report_pdf  # noqa: E402
from pmsdesk.services.clinic import Clinic  # noqa: E402
from pmsdesk.services.demo import fill_demo_clinic  # noqa: E402
from pmsdesk.store.database import Database  # noqa: E402


def _median_seconds(work, repeat: int):
    """Median processor time of ``work`` (other processes on a busy machine do not count) and its result.

    Each run starts with an empty paragraph layout cache, as the first report of a session does.
    """
    times, result = [], None
    for _ in range(repeat):
        visit_report._WRAP_CACHE.clear()
        start = time.process_time()
        result = work()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(str(Path(folder) / "bench.sqlite3"))
        clinic = Clinic(database)
        fill_demo_clinic(clinic, patients=args.visits)
        patients = clinic.find_patients()
        visit_ids = [clinic.visits(p.id)[-1].id for p in patients]
        history = sum(len(clinic.visits(p.id)) for p in patients) / len(patients)
        print(f"demo clinic: {len(patients)} patients, {history:.1f} visits each on average")

        one = visit_ids[0]
        gather, data = _median_seconds(lambda: ReportAssembler(clinic).visit(one), args.repeat)
        layout, pdf = _median_seconds(lambda: visit_report_pdf(data), args.repeat)
        print(f"one visit:  gather {gather * 1000:6.0f} ms  layout {layout * 1000:6.0f} ms  "
              f"total {(gather + layout) * 1000:6.0f} ms  ({len(pdf) // 1024} KiB)")

        today = dt.date.today()
        gather, visits = _median_seconds(lambda: list(ReportAssembler(clinic).visits(visit_ids)), args.repeat)
        layout, pdf = _median_seconds(lambda: batch_report_pdf(visits, today, today, printed_at=dt.datetime.now(),
                                                               version=__version__), args.repeat)
        print(f"{len(visit_ids)} visits: gather {gather:6.2f} s   layout {layout:6.2f} s   "
              f"total {gather + layout:6.2f} s   ({len(pdf) // 1024} KiB)")
        database.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

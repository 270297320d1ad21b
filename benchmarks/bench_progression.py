"""Benchmark: pmsdesk's confirmed-worsening engine against pymsprog 1.0.7 on the same cohort.

    .venv/bin/python benchmarks/bench_progression.py [--patients 10000] [--outcomes edss t25fw nhpt sdmt]

For each outcome: generate a cohort (about 20 visits per patient, relapses for some), time the engine
and pymsprog (one MSprog call) with the same options, check the events are identical (apart from
the documented exact-threshold cases, spec 4.6) and print both times and the ratio. Not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "domain" / "scoring")]  # the package and the shared cohort generator

from cohorts import engine_rows, float_boundary_pairs, generate, run_pymsprog  # noqa: E402

from pmsdesk.domain.scoring import ProgressionOptions, detect_events  # noqa: E402

OPTIONS = ProgressionOptions(event="multiple", baseline="roving", classify_relapse_activity=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--outcomes", nargs="+", default=["edss", "t25fw", "nhpt", "sdmt"])
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    print(f"options: {OPTIONS.event.value}, {OPTIONS.baseline.value} baseline, RAW/PIRA; "
          f"{args.patients} patients x 18-22 visits")
    for outcome in args.outcomes:
        cohort = generate(outcome, args.patients, seed=args.seed, visits=(18, 22))
        start = time.perf_counter()
        ours = {p.patient_id: engine_rows(p.patient_id, detect_events(outcome, p.visits, p.relapses, OPTIONS))
                for p in cohort}
        engine_s = time.perf_counter() - start
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            reference = run_pymsprog(outcome, cohort, OPTIONS)
            pymsprog_s = time.perf_counter() - start
        theirs: dict[str, list] = {}
        for row in reference:
            theirs.setdefault(row[0], []).append(row)
        differing = [p for p in cohort if ours[p.patient_id] != theirs.get(p.patient_id, [])]
        unexplained = [p for p in differing if not float_boundary_pairs(outcome, [m.value for m in p.visits])]
        events = sum(len(rows) for rows in ours.values())
        print(f"{outcome:6s} visits {sum(len(p.visits) for p in cohort):7d}  events {events:6d}  "
              f"pmsdesk {engine_s:7.2f} s  pymsprog {pymsprog_s:8.1f} s  ratio {pymsprog_s / engine_s:6.0f}x  "
              f"differing patients {len(differing)} (exact-threshold cases, spec 4.6: "
              f"{len(differing) - len(unexplained)}; unexplained: {len(unexplained)})")
        if unexplained:
            print("UNEXPLAINED DIFFERENCES:", [p.patient_id for p in unexplained[:10]])
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

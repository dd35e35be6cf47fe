"""Benchmark: generate N complaints, then time load, validation, classification and Annex 1 aggregation.

    python benchmarks/bench_pipeline.py [--n 1000000]

Prints seconds and complaints per second for each step, the peak memory of the process, and the time
pyarrow alone takes to parse the same CSV (the floor for "load"). Speed is measured here, never asserted
in tests.
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv

from reportkit import api
from reportkit.classify import classify, redress_lines
from reportkit.config import load_config
from reportkit.extract import read_complaints, to_typed
from reportkit.returns.annex1 import build_annex1
from reportkit.returns.common import BuildInputs
from reportkit.sample import SAMPLE_BANK, SAMPLE_PERIOD_END, firm_config, generate_complaints
from reportkit.schedule import period_ending
from reportkit.schema import load_schema
from reportkit.validation.validate import TextInputs, validate_inputs


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main(n: int) -> None:
    import yaml

    profile = dataclasses.replace(SAMPLE_BANK, complaints_per_half_year=n)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        complaints_csv, config_path = folder / "complaints.csv", folder / "config.yaml"
        generate_complaints(profile, SAMPLE_PERIOD_END, seed=1, months_before=6).to_csv(complaints_csv, index=False)
        config_path.write_text(yaml.safe_dump({"firms": [firm_config(profile)]}))
        size_mb = complaints_csv.stat().st_size / 1e6
        rows = sum(1 for _ in open(complaints_csv)) - 1
        print(f"{rows:,} complaints, {size_mb:.0f} MB CSV")

        timings: list[tuple[str, float]] = []

        def timed(name, func):
            start = time.perf_counter()
            value = func()
            timings.append((name, time.perf_counter() - start))
            return value

        timed("pyarrow parse only", lambda: pyarrow.csv.read_csv(complaints_csv))
        config = load_config(config_path)
        text = timed("load (read as text)", lambda: read_complaints(complaints_csv))
        timed("import great-expectations (once)", lambda: __import__("great_expectations"))
        report = timed(
            "validation (GX suites + checks)", lambda: validate_inputs(TextInputs(text, "complaints.csv"), config)
        )
        assert report.ok, report.summary()
        typed = timed(
            "classification (typing + rules)", lambda: classify(to_typed(text, load_schema("complaints")), config)
        )
        lines = redress_lines(typed, None)
        firm = config.firms[profile.frn]
        period = period_ending(firm, "annex1", SAMPLE_PERIOD_END)
        result = timed(
            "Annex 1 aggregation (+ lineage)",
            lambda: build_annex1(BuildInputs(typed, lines, None, config, [firm], period)),
        )
        assert result.document["header"]["part_a"] == "A-2"

    print(f"{'step':36} {'seconds':>8} {'complaints/s':>14}")
    for name, seconds in timings:
        print(f"{name:36} {seconds:8.2f} {rows / seconds:14,.0f}")
    print(f"peak memory: {peak_memory_mb():,.0f} MB (python {sys.version.split()[0]}, reportkit {api.__name__})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="complaints to generate (default 1,000,000)")
    main(parser.parse_args().n)

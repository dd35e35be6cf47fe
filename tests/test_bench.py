"""`make bench`'s generator and table (speed itself is measured by make bench, never asserted in tests)."""

from __future__ import annotations

import pandas as pd
import yaml

from benchmarks import bench_pipeline as bench
from reportkit.config import load_config


def test_the_market_generator_writes_a_group_firms_of_every_size_and_a_small_firm(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(bench, "BENCH", tmp_path)
    market = bench.Market(large=1, medium=3, small=2, tiny=1, group_members=4, scale=0.01)
    files = bench.generate(market)
    config = load_config(files["config"])
    group = config.groups[bench.GROUP]
    assert len(config.firms) == 7 and len(group.members) == 4
    assert {str(config.firms[frn].ard) for frn in group.members} == {str(config.firms[group.members[0]].ard)}
    assert len({str(firm.ard) for firm in config.firms.values()}) > 1  # several reference dates in the market
    complaints = pd.read_csv(files["complaints"], dtype=str)
    assert set(complaints["firm_frn"]) <= set(config.firms)
    assert complaints.groupby("firm_frn").size().max() > complaints.groupby("firm_frn").size().min()
    small = yaml.safe_load(files["small_config"].read_text())
    assert [firm["frn"] for firm in small["firms"]] == ["299999"]
    assert bench.generate(market) == files  # cached: the second call reuses the files


def test_the_table_gives_median_spread_ratio_and_peak_memory() -> None:
    rows = [
        {"step": "parse", "median_s": 1.0, "min_s": 0.9, "max_s": 1.2, "peak_mb": 150.0},
        {"step": "validate", "median_s": 7.5, "min_s": 7.0, "max_s": 8.0, "peak_mb": 900.0, "ratio": 7.5},
    ]
    lines = bench.table(rows).splitlines()
    assert lines[0].split() == ["step", "median", "s", "min-max", "s", "ratio", "peak", "MB"]
    assert lines[2].split() == ["validate", "7.5", "7.0-8.0", "7.5x", "900"]


def test_the_joint_runs_steps_are_read_from_its_progress_lines(tmp_path) -> None:
    log = tmp_path / "joint.log"
    log.write_text(
        "settings for group g\n[   3.5s] read 10 complaints from c.csv\n[   3.6s] validating 10 complaints\n"
        "[   9.0s]   built annex1 (2025-07-01 to 2025-12-31)\n[  10.0s] writing 1 return(s)\n[  12.5s] done: out\n"
    )
    steps = bench.step_times(log)
    assert [what for what, _ in steps] == [
        "reading the inputs (until the first step is reported)",
        "read 10 complaints from c.csv",
        "validating 10 complaints",
        "writing 1 return(s)",
    ]
    assert [round(seconds, 1) for _, seconds in steps] == [3.5, 0.1, 6.4, 2.5]


def test_the_excel_benchmark_writes_the_same_export_as_csv_and_workbook(tmp_path) -> None:
    from benchmarks import bench_excel

    files = bench_excel.generate(1_000, tmp_path)
    results = bench_excel.time_reads(files, runs=1)
    assert [(r["file"], r["rows"]) for r in results] == [("csv", 1_000), ("xlsx", 1_000)]
    from reportkit.extract import read_complaints
    from reportkit.mapping import load_mapping

    mapping = load_mapping(files["mapping"])
    csv, xlsx = (read_complaints(files[k], mapping) for k in ("csv", "xlsx"))
    columns = ["complaint_id", "received_date", "closed_date", "outcome", "product", "goodwill_payment"]
    assert csv[columns].astype(str).equals(xlsx[columns].astype(str))  # the same rows, read the same
    assert "median" in bench_excel.table(results)


def test_memory_is_sampled_only_in_the_run_whose_time_is_not_counted(tmp_path, monkeypatch) -> None:
    import sys

    monkeypatch.setattr(bench, "BENCH", tmp_path)
    holds_60_mb = [sys.executable, "-c", "import time; block = bytearray(60_000_000); time.sleep(0.5)"]
    assert bench.timed(holds_60_mb)[1] == 0  # a timed run is not watched
    seconds, peak_mb = bench.timed(holds_60_mb, sample_memory=True)
    assert seconds >= 0.5 and peak_mb >= 60
    calls: list[int] = []
    row = bench.measure("holds 60 MB", lambda: calls.append(1) or holds_60_mb, runs=2)
    assert len(calls) == 3  # two timed runs and one watched for memory
    assert row["peak_mb"] >= 60 and row["min_s"] >= 0.5

"""`make bench`: reportkit at the size of the whole UK market, timed as whole processes.

    python benchmarks/bench_pipeline.py [--quick] [--runs N] [--big]

Generates once (cached in .bench/, keyed by its parameters) a market-scale extract: about 1.9 million complaints
of 200 firms of very different sizes and several accounting reference dates, with a group of 184 of them that
reports Annex 1 jointly, and a small firm's own extract. Then times, as whole processes:

- a bare pyarrow parse of the extract (the floor) and `reportkit validate` of it, in turn, with their ratio;
- the group's full joint run over the whole file (every return, notebooks, HTML);
- one large firm's full run from the same group-wide file;
- a small firm's full run (about 100 complaints);
- with --big, a full run over 3 million complaints.

Each figure is the median over the runs (min-max beside it). Memory is the peak of all the run's processes
together (the reportkit process, its notebook workers and their kernels), as the sum of their proportional set
sizes, sampled every 50 ms in one further run of each command whose time is not counted: reading a process's
proportional set size walks its page tables and holds its memory map lock, which on two cores slowed the run it
watched by about a second. Prints a table and writes .bench/results.json. Speed is measured here, never
asserted in tests.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import yaml

from reportkit.sample import SAMPLE_BANK, FirmProfile, firm_config, generate_complaints

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / ".bench"
PERIOD_END = "2025-12-31"
GROUP = "market-group"
ARDS = ["03-31", "06-30", "09-30"]
"""Reference dates of the firms outside the group (the group's members share 31 December)."""


@dataclasses.dataclass(frozen=True)
class Market:
    """The synthetic market: firm sizes (complaints a half-year), largest first."""

    large: int = 10  # 100k-150k each
    medium: int = 120  # about 5,000
    small: int = 60  # about 1,500
    tiny: int = 10  # about 100
    group_members: int = 184
    scale: float = 1.0
    seed: int = 1

    def sizes(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        parts = [
            rng.integers(100_000, 150_001, self.large),
            rng.integers(3_000, 7_001, self.medium),
            rng.integers(1_000, 2_001, self.small),
            rng.integers(80, 121, self.tiny),
        ]
        return np.maximum((np.concatenate(parts) * self.scale).astype(int), 20)

    def key(self) -> str:
        sizes = f"{self.large}-{self.medium}-{self.small}-{self.tiny}-{self.group_members}"
        return f"market-{sizes}-{self.scale:g}-{self.seed}"


def profile(frn: str, size: int, payments: bool) -> FirmProfile:
    """A firm like the sample bank, of `size` complaints a half-year; only a few offer payment services."""
    return dataclasses.replace(
        SAMPLE_BANK,
        frn=frn,
        name=f"Market Firm {frn}",
        trading_names=[],
        complaints_per_half_year=int(size),
        returns=["annex1", "annex1ad"] if payments else ["annex1"],
        payment_services=SAMPLE_BANK.payment_services if payments else [],
        payment_share=SAMPLE_BANK.payment_share if payments else 0.0,
    )


def generate(market: Market) -> dict[str, Path]:
    """The market's files (generated once, then reused): complaints.csv, config.yaml, and a small firm's own."""
    folder = BENCH / market.key()
    files = {
        "complaints": folder / "complaints.csv",
        "config": folder / "config.yaml",
        "small_complaints": folder / "small-complaints.csv",
        "small_config": folder / "small-config.yaml",
    }
    if all(path.exists() for path in files.values()):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sizes = market.sizes()
    frns = [str(200_000 + i) for i in range(len(sizes))]
    # The group: the members after the first large firm (kept outside, for the one-firm run), ARD 31 December.
    members = frns[1 : 1 + market.group_members]
    period_end = pd.Timestamp(PERIOD_END).date()
    frames, firms = [], []
    for i, (frn, size) in enumerate(zip(frns, sizes, strict=True)):
        firm = profile(frn, size, payments=i % 40 == 1)
        frames.append(generate_complaints(firm, period_end, seed=market.seed + i, months_before=6))
        config = firm_config(firm)
        if frn not in members:
            config["accounting_reference_date"] = ARDS[i % len(ARDS)] if i else "12-31"
        firms.append(config)
    complaints = pd.concat(frames, ignore_index=True)
    complaints.to_csv(files["complaints"], index=False)
    group = {"id": GROUP, "name": "Market Group", "reporting_firm": members[0], "members": members}
    files["config"].write_text(yaml.safe_dump({"firms": firms, "groups": [{**group, "returns": ["annex1"]}]}))
    small = profile("299999", 100, payments=False)
    generate_complaints(small, period_end, seed=market.seed, months_before=6).to_csv(
        files["small_complaints"], index=False
    )
    files["small_config"].write_text(yaml.safe_dump({"firms": [firm_config(small)]}))
    print(
        f"generated {len(complaints):,} complaints of {len(firms)} firms "
        f"({files['complaints'].stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s"
    )
    return files


def _tree_memory(process: psutil.Process) -> int:
    """Proportional set size of the process and its descendants, bytes (shared pages counted once)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def timed(command: list[str], log_name: str = "last.log", sample_memory: bool = False) -> tuple[float, float]:
    """(seconds, peak MB of all processes) of one whole command; its output is kept in .bench/<log_name>
    (last.log gathers every command's; a named log holds the last run of that command only). Memory is sampled
    only when asked (peak 0 otherwise), since sampling slows the command it watches."""
    BENCH.mkdir(exist_ok=True)
    with open(BENCH / log_name, "ab" if log_name == "last.log" else "wb") as log:
        started = time.perf_counter()
        process = psutil.Popen(command, stdout=log, stderr=log)
        peak = 0
        while process.poll() is None:
            if sample_memory:
                try:
                    peak = max(peak, _tree_memory(process))
                except psutil.NoSuchProcess:
                    pass
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"error: {' '.join(command[:3])} ... exited {process.returncode}; see {BENCH / 'last.log'}")
    return seconds, peak / 1e6


def reportkit(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "reportkit"), *args]


def run_command(config: Path, complaints: Path, entity: str, out: Path) -> list[str]:
    shutil.rmtree(out, ignore_errors=True)
    return reportkit(
        "run", "--config", str(config), "--complaints", str(complaints), "--entity", entity,
        "--period-end", PERIOD_END, "--out", str(out),
    )  # fmt: skip


STEP_LINE = re.compile(r"^\[\s*(?P<at>\d+(?:\.\d+)?)s\] (?P<what>\S.*)$")
"""A run's progress line: seconds since the run began, then the step ("[  20.8s] validating ...")."""


def step_times(log: Path) -> list[tuple[str, float]]:
    """Each top-level step of a run's progress log and the seconds until the next one began (the last: until
    "done"), from the run's own clock."""
    marks = [
        (m["what"], float(m["at"]))
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
        if (m := STEP_LINE.match(line)) and not m["what"].startswith(" ")
    ]
    first = [("reading the inputs (until the first step is reported)", marks[0][1])] if marks else []
    return first + [(what[:70], later - at) for (what, at), (_, later) in zip(marks, marks[1:], strict=False)]


def measure(name: str, make_command, runs: int, log_name: str = "last.log") -> dict:
    """Median, min and max seconds of `runs` unwatched runs of a command, and the peak memory of one more run."""
    seconds = [timed(make_command(), log_name)[0] for _ in range(runs)]
    _, peak_mb = timed(make_command(), "memory.log", sample_memory=True)
    return {
        "step": name,
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "peak_mb": peak_mb,
    }


def paired(files: dict[str, Path], runs: int) -> list[dict]:
    """The bare pyarrow parse and `reportkit validate`, in turn (A B A B ...), with their ratio pair by pair."""
    bare = "import pyarrow.csv, sys; pyarrow.csv.read_csv(sys.argv[1])"
    parse = [sys.executable, "-c", bare, str(files["complaints"])]
    validate = reportkit("validate", "--config", str(files["config"]), "--complaints", str(files["complaints"]))
    pairs = [(timed(parse), timed(validate)) for _ in range(runs)]
    ratios = [v[0] / p[0] for p, v in pairs]
    rows = []
    for name, index, command in (
        ("pyarrow parse of the extract (the floor)", 0, parse),
        ("reportkit validate", 1, validate),
    ):
        seconds = [pair[index][0] for pair in pairs]
        row = {"step": name, "median_s": statistics.median(seconds), "min_s": min(seconds), "max_s": max(seconds)}
        rows.append({**row, "peak_mb": timed(command, "memory.log", sample_memory=True)[1]})
    rows[1]["ratio"] = statistics.median(ratios)
    return rows


def table(rows: list[dict]) -> str:
    lines = [f"{'step':58} {'median s':>9} {'min-max s':>13} {'ratio':>6} {'peak MB':>8}"]
    for row in rows:
        ratio = f"{row['ratio']:.1f}x" if "ratio" in row else ""
        spread = f"{row['min_s']:.1f}-{row['max_s']:.1f}"
        lines.append(f"{row['step']:58} {row['median_s']:9.1f} {spread:>13} {ratio:>6} {row['peak_mb']:8.0f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the market (about 190,000 complaints)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (default 3)")
    parser.add_argument("--big", action="store_true", help="also a full run over about 3 million complaints")
    args = parser.parse_args(argv)
    market = Market(scale=0.1 if args.quick else 1.0)
    files = generate(market)
    frame = pd.read_csv(files["complaints"], usecols=["firm_frn"], dtype=str)
    counts = frame["firm_frn"].value_counts()
    config = yaml.safe_load(files["config"].read_text())
    large = next(f["frn"] for f in config["firms"] if f["frn"] not in config["groups"][0]["members"])
    print(f"{len(frame):,} complaints of {len(counts)} firms; group of {len(config['groups'][0]['members'])}")
    rows = paired(files, args.runs)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        rows.append(
            measure(
                f"full joint run of {GROUP} (all returns, notebooks, HTML)",
                lambda: run_command(files["config"], files["complaints"], GROUP, out / "g"),
                args.runs,
                "joint.log",
            )
        )
        steps = step_times(BENCH / "joint.log")
        rows.append(
            measure(
                f"one firm ({counts[large]:,} complaints) from the group-wide file",
                lambda: run_command(files["config"], files["complaints"], large, out / "f"),
                args.runs,
            )
        )
        rows.append(
            measure(
                "a small firm (about 100 complaints), full run",
                lambda: run_command(files["small_config"], files["small_complaints"], "299999", out / "s"),
                args.runs,
            )
        )
        if args.big:
            big = generate(dataclasses.replace(market, scale=market.scale * 1.6))
            rows.append(
                measure(
                    "3 million complaints, full joint run",
                    lambda: run_command(big["config"], big["complaints"], GROUP, out / "b"),
                    1,
                )
            )
    print(table(rows))
    print(f"\nsteps of the last full joint run of {GROUP} (the run's own clock; a process start-up comes before):")
    for what, seconds in steps:
        print(f"  {seconds:6.1f} s  {what}")
    results = {"market": dataclasses.asdict(market), "rows": rows, "joint_run_steps": dict(steps)}
    (BENCH / "results.json").write_text(json.dumps(results, indent=2))
    return rows


if __name__ == "__main__":
    main()

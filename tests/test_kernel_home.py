"""Nothing written outside --out: the notebook kernels keep their own files (matplotlib's font cache, IPython's
profile, connection files) in a kernel home inside --out, removed when the run ends (reportkit.kernel_home)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportkit.kernel_home import KERNEL_HOME_PREFIX, _host, new_kernel_home, remove_stale_homes
from scripts.generate_golden import sample_paths

ROOT = Path(__file__).resolve().parent.parent


def everything_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.slow
def test_a_run_and_an_mi_run_with_notebooks_write_nothing_outside_out(tmp_path: Path) -> None:
    # HOME, the XDG folders, the temporary folder and the working folder all start empty and must stay so.
    home, temp, work, out = (tmp_path / name for name in ("home", "tmp", "work", "out"))
    for folder in (home, temp, work):
        folder.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(temp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PYTHONPATH": str(ROOT),
    }
    for name in ("MPLCONFIGDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR"):
        env.pop(name, None)
    paths = sample_paths()
    common = ["--config", str(paths.config), "--complaints", str(paths.complaints), "--entity", "300001"]
    commands = [
        ["run", *common, "--period-end", "2025-12-31", "--out", str(out)],  # notebooks in worker processes
        ["mi", *common, "--to", "2025-12-31", "--out", str(out)],  # the MI page in the run's own process
    ]
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "reportkit.cli", *command], cwd=work, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert (out / "300001").is_dir()
    assert (everything_in(home), everything_in(temp), everything_in(work)) == ([], [], [])
    assert [p.name for p in out.iterdir()] == ["300001"]  # no kernel home left in --out...
    entity = out / "300001"
    assert not [p for p in entity.iterdir() if p.name.startswith(KERNEL_HOME_PREFIX)]  # ...nor beside the MI run
    assert (entity / "2025-12-31" / "html" / "annex1.html").is_file()


def test_a_kernel_home_goes_with_the_run_and_so_does_an_out_folder_it_created(tmp_path: Path) -> None:
    out = tmp_path / "new" / "deeper" / "out"
    with new_kernel_home(out) as home:
        assert home.parent == out and home.name.startswith(f"{KERNEL_HOME_PREFIX}{os.getpid()}-")
        (home / "tmp").mkdir()
        (home / "tmp" / "kernel.json").write_text("{}")
    assert list(tmp_path.iterdir()) == []  # a run refused at its start leaves no --out (nor its parents) behind
    out.mkdir(parents=True)
    (out / "kept.txt").write_text("an earlier output")
    with new_kernel_home(out):
        pass
    assert everything_in(out) == ["kept.txt"]  # an --out that was there stays, with what it held


def test_only_the_kernel_homes_of_this_hosts_runs_that_are_gone_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = _host()
    stale = tmp_path / f"{KERNEL_HOME_PREFIX}{dead.stdout.strip()}-0000abcd-{host}"
    live = tmp_path / f"{KERNEL_HOME_PREFIX}{os.getpid()}-0000abcd-{host}"
    elsewhere = tmp_path / f"{KERNEL_HOME_PREFIX}{dead.stdout.strip()}-0000abcd-{host}x"  # another machine's run
    other = tmp_path / ".reportkit-kernels-notapid"
    for folder in (stale, live, elsewhere, other):
        (folder / "ipython").mkdir(parents=True)
    remove_stale_homes(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, elsewhere.name, other.name])

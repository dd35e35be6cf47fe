"""Start-up costs a run never needs: jsonschema's optional IRI grammar, and what great-expectations imports only
for expectations reportkit has none of."""

import subprocess
import sys

import psutil


def test_the_command_process_leaves_out_only_the_iri_format_checker() -> None:
    code = (
        "import reportkit.cli, jsonschema; "
        "checker = jsonschema.Draft7Validator.FORMAT_CHECKER; "
        "print('iri' in checker.checkers, 'date' in checker.checkers)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert shown == ["False", "True"]


def _in_a_fresh_process(code: str) -> list[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def test_validating_never_imports_what_great_expectations_imports_only_for_charts_and_statistics() -> None:
    code = (
        "import sys, pandas as pd; "
        "import reportkit.cli; "  # the command's process, where they are deferred
        "from reportkit.deferred import is_loaded; "
        "from reportkit.validation import helper; "
        "from reportkit.validation.suites import run_suite, warm_up; "
        "warm_up(); "  # as a command does first
        "frame = pd.DataFrame({'complaint_id': ['C1', 'C2'], 'firm_frn': ['100001', '999999'], '_line': [2, 3]}); "
        "found = run_suite(frame, 'complaints', 'complaints.csv', {'frns': ['100001']}); "
        "print(any('firm_frn' in set(part['column']) for part in found), "
        "helper.call(is_loaded, 'altair'), helper.call(is_loaded, 'scipy.stats'), "
        "helper.call(is_loaded, 'great_expectations'), 'great_expectations' in sys.modules)"
    )
    # The unknown FRN is found (the suite really ran, both passes, in the helper: great-expectations is loaded
    # there and not in the command's process), and neither module was loaded for it.
    assert _in_a_fresh_process(code) == ["True", "False", "False", "True", "False"]


def test_a_deferred_module_loads_on_first_use_and_then_is_the_real_module() -> None:
    code = (
        "import sys; "
        "from reportkit.deferred import DeferredModule, defer_imports, is_loaded; "
        "print(defer_imports(('scipy.stats', 'os'))); "  # os is imported already: left as it is
        "from scipy import stats; "
        "print(isinstance(stats, DeferredModule), is_loaded('scipy.stats')); "
        "print(round(float(stats.entropy([0.5, 0.5], base=2)), 6), is_loaded('scipy.stats')); "
        "import scipy.stats as again; "
        "print(isinstance(again, DeferredModule), again.entropy is stats.entropy)"
    )
    assert _in_a_fresh_process(code) == ["['scipy.stats']", "True", "False", "1.0", "True", "False", "True"]


HELPER = (
    "import sys, time; from reportkit.validation import helper; from reportkit.validation.suites import warm_up; "
    "warm_up(); print(helper.helper_pid(), flush=True); "
)


def test_a_command_that_stops_at_once_leaves_no_validation_helper_and_no_traceback() -> None:
    """A command that stops early (a bad header, exit 2) exits while the helper may still be importing
    great-expectations: the helper goes with it, and the command's exit is its own."""
    done = subprocess.run([sys.executable, "-c", HELPER + "sys.exit(2)"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (2, "")
    pid = int(done.stdout)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_the_validation_helper_dies_with_a_killed_command() -> None:
    child = subprocess.Popen([sys.executable, "-c", HELPER + "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(child.stdout.readline())
        helper_process = psutil.Process(pid)
        assert helper_process.ppid() == child.pid
        child.kill()  # SIGKILL: no exit handler runs; the kernel's parent-death signal stops the helper
        child.wait(timeout=30)
        helper_process.wait(timeout=30)
    finally:
        child.kill()
    assert not psutil.pid_exists(pid)


def test_a_validation_helper_that_dies_leaves_the_validation_to_the_command_with_the_same_findings() -> None:
    code = (
        "import os, signal, pandas as pd; "
        "from reportkit.validation import helper; "
        "from reportkit.validation.suites import run_suite, warm_up; "
        "warm_up(); "
        "frame = pd.DataFrame({'complaint_id': ['C1', 'C1'], 'firm_frn': ['100001', '999999'], '_line': [2, 3]}); "
        "first = run_suite(frame, 'complaints', 'complaints.csv', {'frns': ['100001']}); "
        "os.kill(helper.helper_pid(), signal.SIGKILL); "
        "again = run_suite(frame, 'complaints', 'complaints.csv', {'frns': ['100001']}); "
        "same = len(first) == len(again) and all(a.equals(b) for a, b in zip(first, again)); "
        "print(len(first), same, helper.helper_pid())"
    )
    assert _in_a_fresh_process(code) == ["1", "True", "None"]  # the unknown FRN; same once the helper is gone


def test_an_error_in_the_helper_is_raised_in_the_command_with_its_type_and_text() -> None:
    code = (
        "from reportkit.validation import helper; from reportkit.validation.suites import warm_up\n"
        "warm_up()\n"
        "try:\n    helper.call(int, 'x')\n"
        "except ValueError as exc:\n    print(helper.helper_pid() is not None, repr(str(exc)))"
    )
    # raised in the helper (which is still there afterwards), and again here as the same error
    assert _in_a_fresh_process(code) == ["True", '"invalid', "literal", "for", "int()", "with", "base", "10:", "'x'\""]


def test_no_helper_is_forked_from_a_threaded_process_nor_inherited_by_a_forked_one() -> None:
    start = (
        "import os, threading, pandas as pd; "
        "from reportkit.validation import helper; "
        "from reportkit.validation.suites import run_suite, warm_up; "
        "frame = pd.DataFrame({'complaint_id': ['C1', 'C2'], 'firm_frn': ['100001', '999999'], '_line': [2, 3]}); "
        "found = lambda: len(run_suite(frame, 'complaints', 'complaints.csv', {'frns': ['100001']}))\n"
    )
    threaded = (  # a Jupyter kernel's process, say: validated in its own process
        "stop = threading.Event(); other = threading.Thread(target=stop.wait); other.start(); warm_up()\n"
        "print(helper.helper_pid(), found()); stop.set()"
    )
    assert _in_a_fresh_process(start + threaded) == ["None", "1"]
    forked = (
        "warm_up(); mine = helper.helper_pid(); read, write = os.pipe()\n"
        "if os.fork() == 0:\n"
        "    os.write(write, f'{helper.helper_pid()} {found()}'.encode()); os._exit(0)\n"
        "os.close(write); child = os.read(read, 100).decode(); os.wait()\n"
        "print(mine is not None, found(), child)"
    )
    # a helper in a process alone; a child forked from it has none and validates in its own process
    assert _in_a_fresh_process(start + forked) == ["True", "1", "None", "1"]

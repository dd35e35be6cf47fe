"""Start-up costs a run never needs: jsonschema's optional IRI grammar, and what great-expectations imports only
for expectations reportkit has none of."""

import subprocess
import sys


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
        "import pandas as pd; "
        "import reportkit.cli; "  # the command's process, where they are deferred
        "from reportkit.deferred import is_loaded; "
        "from reportkit.validation.suites import run_suite; "
        "frame = pd.DataFrame({'complaint_id': ['C1', 'C2'], 'firm_frn': ['100001', '999999'], '_line': [2, 3]}); "
        "found = run_suite(frame, 'complaints', 'complaints.csv', {'frns': ['100001']}); "
        "print(any('firm_frn' in set(part['column']) for part in found), "
        "is_loaded('altair'), is_loaded('scipy.stats'))"
    )
    # The unknown FRN is found (the suite really ran, both passes), and neither module was loaded for it.
    assert _in_a_fresh_process(code) == ["True", "False", "False"]


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


def test_the_great_expectations_import_thread_is_waited_for_at_exit() -> None:
    """A command that stops early exits while the import may still run: a daemon thread importing during the
    interpreter's shutdown could abort the process (exit 134) after the one-line error."""
    code = (
        "import threading; from reportkit.validation.suites import warm_up; warm_up(); "
        "print([t.daemon for t in threading.enumerate() if t.name == 'great-expectations-import'])"
    )
    assert _in_a_fresh_process(code) == ["[False]"]

"""The reportkit command skips jsonschema's optional IRI grammar (2.2 s of CPU per process, never used by a run)."""

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

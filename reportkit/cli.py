"""The `reportkit` command: each subcommand turns its arguments into one API call.

Exit codes (reportkit.errors): 0 ok; 1 validation errors in the data (rows named); 2 usage or configuration
errors (flags, the configuration, an unknown entity, a date that is not real or ends no period, an input path
that does not exist or a file that is not what its name says); 3 a check of the results or a notebook failed;
4 environment errors (EnvironmentProblem: a path that exists but cannot be read or written, a full disk, a file
where a folder should be); 5 `verify` cannot re-run: an input named in the manifest is missing or changed;
130/143 interrupted. `diff` exits 1 when the two runs differ (like diff(1)). Every failure is one line on stderr
starting `error:`, never a traceback: an OSError that reaches a command is turned into exit 4 naming the path.
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from reportkit import api
from reportkit.deferred import GREAT_EXPECTATIONS_UNUSED, defer_imports
from reportkit.errors import EnvironmentProblem, InputError, Interrupted, ReportkitError

# jsonschema (imported by great-expectations here, and by nbformat in the notebook workers forked from this
# process) compiles an RFC 3987 IRI grammar with lark at import when the optional rfc3987-syntax package is
# installed, which Jupyter's own dependencies pull in: 2.2 s of CPU in each process, on the critical path of every
# run, for the "iri" format check that nothing in a reportkit run asks for. A None entry in sys.modules makes that
# import raise ImportError, which jsonschema expects (it then leaves out that one format checker). Only the
# reportkit command does this; a Python user's own process is left as it is.
sys.modules.setdefault("rfc3987_syntax", None)
# Likewise great-expectations imports altair and scipy.stats at start, for expectations no suite of ours has
# (about 1.3 s of CPU in every validating run): in the command's process they load only if something uses them.
defer_imports(GREAT_EXPECTATIONS_UNUSED)


def _skip_final_collections() -> None:
    """At exit, move every object into the garbage collector's permanent generation (gc.freeze) and stop it.

    Finalising the interpreter runs full collections over every object still alive; after a run that is a
    quarter of a million (great-expectations alone brings most) and costs 0.8 s of the command's wall time,
    after every output is written and closed. Objects are still finalised; only cycles are left to the end of
    the process, which releases their memory.
    """
    gc.disable()
    gc.freeze()


atexit.register(_skip_final_collections)  # registered first, so it runs after every later exit handler

EXISTING_FILE = click.Path(path_type=Path)
"""An input path; its existence and kind are checked when it is read (missing: exit 2; a folder: exit 4)."""
OUT_FOLDER = click.Path(path_type=Path)
"""An output folder; a file in its place is an environment error (exit 4), checked by `_out_folder`."""


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _fail(exc: ReportkitError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


@contextmanager
def _one_line_errors(out: Path | None = None, doing: str = "write") -> Iterator[None]:
    """Every failure as one line and its exit code: reportkit's own errors, and any OSError (a read-only
    folder, a full disk, a file in the way) as an EnvironmentProblem naming the path (`out` when it names none)."""
    try:
        yield
    except ReportkitError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(EnvironmentProblem.from_os_error(exc, doing, out))


def _out_folder(out: Path, flag: str = "--out") -> None:
    """A file where the output folder should be is refused before anything is built (exit 4)."""
    if out.exists() and not out.is_dir():
        raise EnvironmentProblem(f"{flag} {out} is a file, where a folder is needed; give a folder (or a new name)")


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return api.parse_date(value, param.opts[0])
    except InputError as exc:
        _fail(exc)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _interrupt(signum: int, frame) -> None:
    """SIGINT/SIGTERM: raise Interrupted, so every `finally` cleans up (notebook workers, staging) on the way out."""
    for stop in STOP_SIGNALS:  # a second Ctrl-C must not cut the clean-up short
        signal.signal(stop, signal.SIG_IGN)
    raise Interrupted(signum)


class _Commands(click.Group):
    """The command group; a command stopped by SIGINT or SIGTERM exits 130 or 143 with one line, after clean-up,
    and a usage error (a missing or unknown option, an unknown command) is one `error:` line with exit 2, like
    every other failure, rather than click's usage block."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # `reportkit` alone: the help, as asked for
            click.echo(exc.ctx.get_help())
            sys.exit(0)
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            hint = f" (`{ctx.command_path} --help` lists what it takes)" if ctx is not None else ""
            click.echo(f"error: {exc.format_message()}{hint}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context):
        if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
            return super().invoke(ctx)
        previous = {stop: signal.signal(stop, _interrupt) for stop in STOP_SIGNALS}
        try:
            return super().invoke(ctx)
        except Interrupted as exc:
            click.echo(
                f"error: interrupted by {exc.signal_name}; stopped, and an unfinished run's folder removed "
                "(earlier outputs are untouched)",
                err=True,
            )
            sys.stdout.flush()
            sys.stderr.flush()
            # The clean-up ran on the way here; exit at once, as a signal would: the interpreter's own exit
            # would first wait for an interrupted process pool's threads.
            os._exit(exc.exit_code)
        finally:
            for stop, handler in previous.items():
                if handler is not None:  # None: set outside Python, cannot be restored from here
                    signal.signal(stop, handler)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reportkit")
def main() -> None:
    """FCA complaints returns (DISP 1) from a complaint extract."""


def input_options(func):
    func = click.option("--context", type=EXISTING_FILE, help="Context figures (CSV, Parquet or .xlsx).")(func)
    func = click.option("--redress", type=EXISTING_FILE, help="Redress lines (CSV, Parquet or .xlsx).")(func)
    func = click.option(
        "--complaints", required=True, type=EXISTING_FILE, help="Complaints extract (CSV, Parquet or .xlsx)."
    )(func)
    func = click.option("--config", required=True, type=EXISTING_FILE, help="Firm configuration (YAML).")(func)
    return func


def mapping_options(func):
    """--mapping and --sheet: read a case system's export as it comes (docs/inputs.md "Mapping your export")."""
    func = click.option(
        "--sheet", default=None, help="The sheet of an .xlsx complaints file to read (default: its first sheet)."
    )(func)
    func = click.option(
        "--mapping",
        type=EXISTING_FILE,
        default=None,
        help="Mapping file (YAML): the export's columns, labels, dates and flags as reportkit's (see init-mapping).",
    )(func)
    return func


@main.command("run")
@input_options
@mapping_options
@click.option("--entity", required=True, help="A firm's FRN or a group id from the configuration.")
@click.option("--period-end", required=True, callback=_date, help="Last day of the reporting period (YYYY-MM-DD).")
@click.option("--out", type=OUT_FOLDER, default=Path("outputs"), show_default=True)
@click.option(
    "--lineage-csv",
    is_flag=True,
    help="Also write lineage/<return>.csv (spreadsheet formulas neutralised) beside lineage/<return>.parquet.",
)
def run_command(config, complaints, redress, context, mapping, sheet, entity, period_end, out, lineage_csv) -> None:
    """Validate, build every return that applies, run the notebooks and render them."""
    from reportkit.runner import run

    with _one_line_errors(out):
        _out_folder(out)
        outcome = run(
            api.InputPaths.of(config, complaints, redress, context, mapping, sheet),
            entity,
            period_end,
            out,
            _progress,
            lineage_csv=lineage_csv,
        )
    click.echo(f"wrote {outcome.folder}")
    click.echo(f"  {outcome.redress_basis}")
    nil = [stem for stem in outcome.produced if NIL_MARK in stem]
    if nil:  # one line for every member's nil return, however many members the group has
        click.echo(f"  produced {len(nil)} member nil return(s): {', '.join(nil)}")
    for stem in outcome.produced:
        if NIL_MARK in stem:
            continue
        click.echo(f"  produced {stem}")
        if stem in outcome.notes:
            click.echo(f"    note: {outcome.notes[stem]}")
        if stem.startswith("annex1b"):
            summary = json.loads((outcome.folder / "returns" / f"{stem}.json").read_text(encoding="utf-8"))["header"]
            click.echo(
                f"    publish returns/{stem}.html by {summary['publication_deadline']} (DISP 1.10A.3R); "
                f"{summary['fca_notification']}"
            )
    for item in outcome.skipped:
        click.echo(f"  skipped {item.stem}: {item.reason}")
    if outcome.warnings:
        click.echo(f"  {outcome.warnings} warning(s): see {outcome.folder / 'validation' / 'warnings.csv'}")


NIL_MARK = "--nil-"
"""In a return's stem: a member's nil return of a joint item (returns/<return>--nil-<frn>.json)."""


@main.command("validate")
@input_options
@mapping_options
@click.option(
    "--out",
    type=OUT_FOLDER,
    default=None,
    help="Also write every finding to OUT/validation/errors.csv and warnings.csv.",
)
def validate_command(config, complaints, redress, context, mapping, sheet, out) -> None:
    """Validate the inputs only; exit 1 when there are errors."""
    with _one_line_errors(out):
        if out is not None:
            _out_folder(out)
        report = api.validate(api.InputPaths.of(config, complaints, redress, context, mapping, sheet), _progress)
        click.echo(report.summary())
        if out is not None:
            click.echo(f"full list: {report.write(out / 'validation')}")
    if not report.ok:  # the failure in one line, as every command ends one (the rows are listed above)
        click.echo(f"error: {len(report.errors)} validation error(s) in the inputs, listed above", err=True)
    sys.exit(0 if report.ok else 1)


@main.command("calendar")
@click.option("--config", required=True, type=EXISTING_FILE, help="Firm configuration (YAML).")
@click.option("--entity", required=True, help="A firm's FRN or a group id.")
@click.option("--from", "start", callback=_date, help="First period end to list (default: a year ago).")
@click.option("--to", "end", callback=_date, help="Last period end to list (default: a year from now).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
def calendar_command(config, entity, start, end, as_json) -> None:
    """Periods, due dates and publication deadlines of every return the entity owes."""
    from reportkit.calendar import Period
    from reportkit.config import load_config
    from reportkit.schedule import calendar_explanations, calendar_rows

    today = dt.date.today()
    start = start or today - dt.timedelta(days=365)
    end = end or today + dt.timedelta(days=365)
    if end < start:
        _fail(InputError(f"--to {end} is before --from {start}; give --from first"))
    with _one_line_errors():
        loaded = load_config(config)
        rows = calendar_rows(loaded, entity, Period(start, end))
        explanations = calendar_explanations(loaded, entity, rows)
    for line in explanations:  # with --json on stderr, so stdout stays one JSON list
        click.echo(line, err=as_json)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(
        f"{'return':12} {'frn':8} {'period_start':12} {'period_end':12} {'due':12} {'publication':12} "
        f"{'regime':12} note"
    )
    for row in rows:
        click.echo(
            f"{row['return']:12} {row['frn']:8} {row['period_start']:12} {row['period_end']:12} {row['due']:12} "
            f"{row['publication_deadline'] or '-':12} {row['regime']:12} {row['note'] or '-'}".rstrip()
        )


@main.command("demo")
@click.option("--out", type=OUT_FOLDER, default=Path("outputs"), show_default=True)
def demo_command(out) -> None:
    """Generate the sample data and run everything on it."""
    from reportkit.demo import run_demo

    with _one_line_errors(out):
        _out_folder(out)
        folders = run_demo(out, _progress)
    for folder in folders:
        click.echo(f"wrote {folder}")


@main.command("codes")
@click.argument("list_name", required=False, metavar="[LIST]")
@click.option("--markdown", is_flag=True, help="Print every list as Markdown (the docs/codes.md page).")
def codes_command(list_name, markdown) -> None:
    """The allowed codes: every list's names, or the codes of LIST with their labels."""
    from reportkit import codes

    if markdown:
        click.echo(codes.as_markdown(), nl=False)
        return
    if list_name is None:
        for name in codes.list_names():
            click.echo(f"{name:26} {codes.describe(name)}")
        click.echo("\nreportkit codes LIST prints a list's codes.")
        return
    if list_name not in codes.list_names():
        click.echo(f"error: no code list {list_name!r}; lists: {', '.join(codes.list_names())}", err=True)
        sys.exit(2)
    click.echo(codes.as_text(list_name))


@main.command("init-config")
@click.option("--frn", "frns", multiple=True, required=True, help="A firm's FRN; repeat for each firm of a group.")
@click.option("--name", "names", multiple=True, required=True, help="The firm's name; one --name per --frn, in order.")
@click.option("--group", default=None, help="A group id: the firms report --returns jointly (first --frn reports).")
@click.option("--group-name", default=None, help="The group's name on the pages (default: the id).")
@click.option("--ard", default="12-31", show_default=True, help="Accounting reference date (MM-DD) of every firm.")
@click.option(
    "--calendar-year", is_flag=True, help="No ARD: Annex 1AD by calendar year (only with --returns annex1ad)."
)
@click.option("--business-days", default="ENG", show_default=True, help="ENG, WLS, SCT or NIR: whose bank holidays.")
@click.option("--returns", "returns", default="annex1", show_default=True, help="Comma-separated return codes.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here (never over a file)."
)
def init_config_command(frns, names, group, group_name, ard, calendar_year, business_days, returns, out) -> None:
    """Write a commented starting configuration for a firm or a group (to stdout without --out)."""
    from reportkit.config import starting_config

    try:
        if len(frns) != len(names):
            raise InputError(
                f"give one --name per --frn, in the same order: got {len(frns)} --frn, {len(names)} --name"
            )
        text = starting_config(
            list(zip(frns, names, strict=True)),
            group=group,
            group_name=group_name,
            accounting_reference_date=None if calendar_year else ard,
            business_days=business_days,
            returns=[code.strip() for code in returns.split(",") if code.strip()],
        )
        if out is None:
            click.echo(text, nl=False)
            return
        try:
            with open(out, "x", encoding="utf-8") as handle:  # "x": never overwrite a configuration
                handle.write(text)
        except FileExistsError:
            raise InputError(
                f"{out} already exists; init-config never overwrites a file: choose another --out"
            ) from None
        except OSError as exc:  # a read-only folder, a full disk, a folder in the way: exit 4
            raise EnvironmentProblem.from_os_error(exc, "write", out) from None
    except ReportkitError as exc:
        _fail(exc)
    entity = group or frns[0]
    click.echo(f"wrote {out}", err=True)
    click.echo(
        "  check accounting_reference_date, business_days and returns (starting values), add what each firm does "
        f"business in, then: reportkit calendar --config {out} --entity {entity}",
        err=True,
    )


@main.command("init-mapping")
@click.option("--complaints", required=True, type=EXISTING_FILE, help="The complaints export (CSV, Parquet or .xlsx).")
@click.option("--redress", type=EXISTING_FILE, default=None, help="The redress lines export, if any.")
@click.option("--sheet", default=None, help="The sheet of an .xlsx complaints export (default: its first sheet).")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write here (never over a file)."
)
def init_mapping_command(complaints, redress, sheet, out) -> None:
    """Write a commented starting mapping for an export (to stdout without --out)."""
    from reportkit.mapping_init import starting_mapping, write_new

    with _one_line_errors(out):
        text = starting_mapping(complaints, redress, sheet)
        if out is None:
            click.echo(text, nl=False)
            return
        try:
            write_new(out, text)
        except FileExistsError:
            raise InputError(
                f"{out} already exists; init-mapping never overwrites a file: choose another --out"
            ) from None
    click.echo(f"wrote {out}", err=True)
    click.echo(
        "  fill in every blank and check every proposal, then: reportkit validate --config CONFIG "
        f"--complaints {complaints} --mapping {out}",
        err=True,
    )


@main.command("verify")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
def verify_command(run_dir) -> None:
    """Re-run RUN_DIR from the inputs its manifest names and compare every file byte for byte.

    Exit 0 identical, 3 files differ (listed), 5 an input is missing or its sha256 differs.
    """
    from reportkit.verify import verify

    click.echo(f"re-running {run_dir} from the inputs its manifest names, into a temporary folder", err=True)
    with _one_line_errors(run_dir, "use"):
        result = verify(run_dir)
    for line in result.lines():
        click.echo(line)
    if not result.ok:
        click.echo(f"error: the re-run does not reproduce {run_dir} byte for byte (listed above)", err=True)
    sys.exit(0 if result.ok else 3)


@main.command("diff")
@click.argument("run_a", type=click.Path(file_okay=False, path_type=Path))
@click.argument("run_b", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--html", "html_out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the differences as a page."
)
def diff_command(run_a, run_b, html_out) -> None:
    """The figures that differ between two runs of one entity and period (a restatement).

    Exit 0 no differences, 1 differences (as diff(1) does), 2 runs of different entities or periods.
    """
    from reportkit.diff import diff_runs

    with _one_line_errors(html_out, "use"):
        result = diff_runs(run_a, run_b)
        if html_out is not None:
            html_out.write_text(result.html(), encoding="utf-8")
    for line in result.lines():
        click.echo(line)
    if html_out is not None:
        click.echo(f"wrote {html_out}", err=True)
    sys.exit(0 if result.same else 1)


@main.command("explain")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--complaint", "complaint_id", required=True, help="The complaint_id as in the extract.")
@click.option("--frn", default=None, help="The firm, when several firms' complaints share the id.")
def explain_command(run_dir, complaint_id, frn) -> None:
    """Where a complaint was counted in every return of RUN_DIR, by which rule, or why it was left out."""
    from reportkit.explain import explain

    with _one_line_errors(run_dir, "read"):
        explanations = explain(run_dir, complaint_id, frn)
    for explanation in explanations:
        for line in explanation.lines():
            click.echo(line)


def mi_options(func):
    """The options `reportkit mi` and `reportkit preview-2027` share (docs/mi.md)."""
    func = click.option("--out", type=OUT_FOLDER, default=Path("outputs"), show_default=True)(func)
    func = click.option(
        "--from", "start", callback=_date, help="First day of the range (default: the 12 months up to --to)."
    )(func)
    func = click.option("--to", "end", required=True, callback=_date, help="Last day of the range (YYYY-MM-DD).")(func)
    func = click.option("--redress", type=EXISTING_FILE, help="Redress lines (CSV or Parquet).")(func)
    func = click.option("--complaints", required=True, type=EXISTING_FILE, help="Complaints extract (CSV or Parquet).")(
        func
    )
    func = click.option("--entity", required=True, help="A firm's FRN or a group id from the configuration.")(func)
    func = click.option("--config", required=True, type=EXISTING_FILE, help="Firm configuration (YAML).")(func)
    return func


def _mi(command: str, config, entity, complaints, redress, end, start, out) -> None:
    from reportkit.mi_run import run_mi

    with _one_line_errors(out):
        _out_folder(out)
        outcome = run_mi(
            api.InputPaths.of(config, complaints, redress), entity, start, end, out, _progress, command=command
        )
    click.echo(f"wrote {outcome.folder}")
    click.echo(f"  {len(outcome.tables)} table(s) in tables/ and workbook/, the page in html/mi.html")
    if command == "mi":
        click.echo(f"  {outcome.breaches:,} complaint(s) past a DISP limit or service level: see the time sections")


@main.command("mi")
@mi_options
def mi_command(config, entity, complaints, redress, end, start, out) -> None:
    """Complaints MI for an entity over a date range: volumes, time to close, root causes, outcomes, redress,
    vulnerability, Ombudsman referrals and the 2027 per-entity preview; pages and a workbook."""
    _mi("mi", config, entity, complaints, redress, end, start, out)


@main.command("preview-2027")
@mi_options
def preview_2027_command(config, entity, complaints, redress, end, start, out) -> None:
    """The 2027 consolidated return preview (PS25/19, not the final form): per legal entity and calendar
    half-year, with a data-readiness table."""
    _mi("preview-2027", config, entity, complaints, redress, end, start, out)


if __name__ == "__main__":  # pragma: no cover
    main()

"""The `reportkit` command: each subcommand turns its arguments into one API call.

Exit codes: 0 ok, 1 validation errors, 2 usage or input errors, 3 a notebook or internal failure, 4 environment
(e.g. another run of the same entity and period kept its lock too long), 130/143 interrupted (SIGINT/SIGTERM).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
import threading
from pathlib import Path

import click

from reportkit import api
from reportkit.errors import Interrupted, ReportkitError

EXISTING_FILE = click.Path(dir_okay=False, path_type=Path)


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _fail(exc: ReportkitError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _interrupt(signum: int, frame) -> None:
    """SIGINT/SIGTERM: raise Interrupted, so every `finally` cleans up (notebook workers, staging) on the way out."""
    for stop in STOP_SIGNALS:  # a second Ctrl-C must not cut the clean-up short
        signal.signal(stop, signal.SIG_IGN)
    raise Interrupted(signum)


class _Commands(click.Group):
    """The command group; a command stopped by SIGINT or SIGTERM exits 130 or 143 with one line, after clean-up."""

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
    func = click.option("--redress", type=EXISTING_FILE, help="Redress lines (CSV or Parquet).")(func)
    func = click.option("--complaints", required=True, type=EXISTING_FILE, help="Complaints extract (CSV or Parquet).")(
        func
    )
    func = click.option("--config", required=True, type=EXISTING_FILE, help="Firm configuration (YAML).")(func)
    return func


@main.command("run")
@input_options
@click.option("--entity", required=True, help="A firm's FRN or a group id from the configuration.")
@click.option("--period-end", required=True, callback=_date, help="Last day of the reporting period (YYYY-MM-DD).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"), show_default=True)
def run_command(config, complaints, redress, context, entity, period_end, out) -> None:
    """Validate, build every return that applies, run the notebooks and render them."""
    from reportkit.run import run

    try:
        outcome = run(api.InputPaths.of(config, complaints, redress, context), entity, period_end, out, _progress)
    except ReportkitError as exc:
        _fail(exc)
    click.echo(f"wrote {outcome.folder}")
    click.echo(f"  {outcome.redress_basis}")
    for stem in outcome.produced:
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


@main.command("validate")
@input_options
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write every finding to OUT/validation/errors.csv and warnings.csv.",
)
def validate_command(config, complaints, redress, context, out) -> None:
    """Validate the inputs only; exit 1 when there are errors."""
    try:
        report = api.validate(api.InputPaths.of(config, complaints, redress, context), _progress)
    except ReportkitError as exc:
        _fail(exc)
    click.echo(report.summary())
    if out is not None:
        click.echo(f"full list: {report.write(out / 'validation')}")
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
        raise click.BadParameter(f"--to {end} is before --from {start}")
    try:
        loaded = load_config(config)
        rows = calendar_rows(loaded, entity, Period(start, end))
        explanations = calendar_explanations(loaded, entity, rows)
    except ReportkitError as exc:
        _fail(exc)
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
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"), show_default=True)
def demo_command(out) -> None:
    """Generate the sample data and run everything on it."""
    from reportkit.demo import run_demo

    try:
        folders = run_demo(out, _progress)
    except ReportkitError as exc:
        _fail(exc)
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
    from reportkit.errors import InputError

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
        except OSError as exc:
            raise InputError(f"cannot write {out}: {exc.strerror or exc}") from None
    except ReportkitError as exc:
        _fail(exc)
    entity = group or frns[0]
    click.echo(f"wrote {out}", err=True)
    click.echo(
        "  check accounting_reference_date, business_days and returns (starting values), add what each firm does "
        f"business in, then: reportkit calendar --config {out} --entity {entity}",
        err=True,
    )


if __name__ == "__main__":  # pragma: no cover
    main()

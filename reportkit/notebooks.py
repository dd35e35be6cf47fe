"""Executing the parameterised notebooks with papermill and rendering them with nbconvert (code hidden).

A failing notebook keeps its executed copy (papermill writes it before raising) and the run fails with
a message naming the cell.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing.util
import re
from pathlib import Path
from typing import Any

from reportkit.errors import NotebookFailed
from reportkit.paths import NOTEBOOKS_DIR

KERNEL = "python3"

QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]
"""Kernel command-line arguments: the kernel's own log (a warning per kernel that its local TCP socket is not
encrypted, "KeyboardInterrupt caught in kernel" when it is shut down) is noise on a user's console. A cell's
error still reaches us as the cell's output (papermill raises it), and a kernel that dies is still reported."""


NO_HISTORY = ["--HistoryManager.hist_file=:memory:"]
"""A spare kernel keeps no history database, as nbclient's own kernels keep none."""


KERNEL_START_ATTEMPTS = 3
"""A kernel that dies before it answers (two kernels started at once can pick the same free port) is started
again; a cell that fails is never retried."""


KERNEL_START_FAILURES = ("before replying to kernel_info", "Address already in use", "Kernel didn't respond")


def kernel_failed_to_start(exc: BaseException) -> bool:
    """True for the transient failure of a kernel to start, not for an error in a notebook's cells."""
    text = str(exc)
    return any(sign in text for sign in KERNEL_START_FAILURES)


PRELOAD = [
    "import importlib as _preload",
    "_preload.import_module('reportkit.views')",
    "_preload.import_module('matplotlib').use('Agg')",
    "_preload.import_module('matplotlib.pyplot')",
    "del _preload",
]
"""What a spare kernel imports as it starts (IPython's exec_lines), before its notebook arrives: the rendering
module (pandas with it) and the charting library set up as the pages' charts set it up (reportkit.views,
Agg before pyplot). Start-up lines count no execution and leave no name behind, so the notebook, which
imports what it uses itself, is executed exactly as in a kernel started for it."""

SPARE_READY_SECONDS = 60
"""How long a notebook waits for its spare kernel to answer before starting a kernel of its own."""

_spare: Any | None = None
"""This process's spare kernel (a jupyter_client.AsyncKernelManager, as nbclient's own), if one is started and
not yet used."""


def start_spare_kernel() -> None:
    """Start the kernel the next notebook of this process will run in; returns at once (the kernel starts and
    imports PRELOAD in its own process, overlapping the run's reading and validation, or the rendering of the
    previous page). A kernel that fails to start is left alone: the notebook then starts one of its own."""
    global _spare
    if _spare is not None:
        return
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    try:
        manager = AsyncKernelManager(kernel_name=KERNEL)
        arguments = [*QUIET_KERNEL, *NO_HISTORY, f"--IPKernelApp.exec_lines={PRELOAD!r}"]
        run_sync(manager.start_kernel)(extra_arguments=arguments)
    except Exception:  # noqa: BLE001 - no spare: the notebook starts its own kernel, as without one
        return
    _spare = manager
    multiprocessing.util.Finalize(None, stop_spare_kernel, exitpriority=10)  # when the worker ends


def stop_spare_kernel() -> None:
    """Shut down an unused spare kernel (the worker is ending)."""
    global _spare
    spare, _spare = _spare, None
    if spare is not None:
        _shut_down(spare)


def _shut_down(manager: Any) -> None:
    from jupyter_core.utils import run_sync

    try:
        run_sync(manager.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass


async def _work_in(manager: Any, cwd: Path) -> None:
    """Wait for the kernel to answer, then move it to `cwd`, silently (no execution count, no history), with
    an async client as nbclient uses: a blocking client waits forever in a worker forked from a process that
    ran notebooks itself (an event-loop thread the fork did not copy)."""
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=SPARE_READY_SECONDS)
        reply = await client.execute_interactive(
            f"import os as _os; _os.chdir({str(cwd)!r}); del _os",
            silent=True,
            store_history=False,
            timeout=SPARE_READY_SECONDS,
        )
    finally:
        client.stop_channels()
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"the spare kernel could not work in {cwd}")


def take_spare_kernel(cwd: Path) -> Any | None:
    """The spare kernel, ready and working in `cwd` (the notebook's folder, as papermill's own kernel would),
    or None when there is none or it does not answer (it is then shut down)."""
    from jupyter_core.utils import run_sync

    global _spare
    spare, _spare = _spare, None
    if spare is None:
        return None
    try:
        cwd.mkdir(parents=True, exist_ok=True)
        run_sync(_work_in)(spare, cwd)
    except Exception:  # noqa: BLE001 - not usable: the notebook starts a kernel of its own
        _shut_down(spare)
        return None
    return spare


def execute(
    name: str, output: Path, parameters: dict[str, Any], templates: Path | None = None, kernel: Any | None = None
) -> Path:
    """Run notebooks/<name> (or <templates>/<name>) with papermill into `output`, injecting `parameters`
    (JSON-able scalars); in `kernel` (a spare kernel, take_spare_kernel) when given, else in a kernel papermill
    starts. The kernel is shut down afterwards either way.

    Each notebook runs in a kernel of its own, used once: a spare kernel has run only PRELOAD, silently, so
    the executed notebook is the same, byte for byte, as in a kernel papermill starts (tested).

    Raises:
        NotebookFailed: a cell raised; the executed notebook is at `output`.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.WARNING)
    output.parent.mkdir(parents=True, exist_ok=True)
    manager = kernel
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                papermill.execute_notebook(
                    str((templates or NOTEBOOKS_DIR) / name),
                    str(output),
                    parameters=parameters,
                    kernel_name=KERNEL,
                    progress_bar=False,
                    cwd=str(output.parent),  # never the package folder: a notebook writes nothing beside itself
                    extra_arguments=QUIET_KERNEL,
                    **({"km": manager} if manager is not None and attempt == 1 else {}),
                )
                break
            except PapermillExecutionError:
                raise
            except Exception as exc:
                if attempt == KERNEL_START_ATTEMPTS or not kernel_failed_to_start(exc):
                    raise
    except PapermillExecutionError as exc:
        raise NotebookFailed(
            f"notebook {name} failed in cell {exc.exec_count} (cell index {exc.cell_index}): {exc.ename}: "
            f"{exc.evalue}. The executed notebook is kept at {output}"
        ) from None
    except Exception as exc:  # kernel died, notebook unreadable, ...
        raise NotebookFailed(f"notebook {name} could not be executed: {exc}. Output (if any) at {output}") from None
    finally:
        if manager is not None:  # a kernel handed to papermill is ours to shut down
            _shut_down(manager)
    make_deterministic(output, name)
    return output


EXECUTION_TIMES = ("start_time", "end_time", "duration")
"""papermill's per-run timings: facts of one execution (manifest.json has the run's times), not of the result."""


def make_deterministic(notebook: Path, name: str) -> None:
    """Strip what differs between two executions of the same notebook on the same inputs: timings, the
    kernel's message timestamps, papermill's random id for the injected cell and the paths it ran from.
    So an executed notebook, and the HTML rendered from it, is a pure function of its parameters."""
    import nbformat

    document = nbformat.read(notebook, as_version=4)
    papermill = document.metadata.get("papermill", {})
    for key in EXECUTION_TIMES:
        papermill.pop(key, None)
    papermill["input_path"] = name
    papermill["output_path"] = notebook.name
    for index, cell in enumerate(document.cells):
        cell.metadata.pop("execution", None)
        for key in EXECUTION_TIMES:
            cell.metadata.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = f"injected-parameters-{index}"
    nbformat.write(document, notebook)


PAGE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style>
  /* Labels and questions read left to right; the figures stay right-aligned for comparing. */
  .jp-RenderedHTMLCommon table.dataframe tr > :first-child { text-align: left; }
  .jp-RenderedHTMLCommon table.dataframe.text td, .jp-RenderedHTMLCommon table.dataframe.text th {
    text-align: left;
  }
</style>
{%- endblock html_head_css -%}
"""
"""nbconvert's lab template without what it loads from public CDNs (require.js, MathJax, the widget manager,
mermaid): an auditor's laptop is often offline, and the pages need none of them (no widgets, no LaTeX).
Everything else (the CSS) is inlined by the template already."""

PAGE_TEMPLATE_NAME = "reportkit-page.html.j2"

SITE = "reportkit"
"""The last part of every page title, after the page's own heading."""


def page_title(document: Any) -> str:
    """The page's first level-1 heading (a markdown cell, or markdown a cell displayed) as plain text, then
    "— reportkit": a browser tab, a bookmark and a screen reader then name the page, not "Notebook"."""
    for cell in document.cells:
        texts = (
            [cell.source]
            if cell.cell_type == "markdown"
            else [output.get("data", {}).get("text/markdown", "") for output in cell.get("outputs", [])]
        )
        for text in texts:
            heading = re.search(r"^# (.+)$", text if isinstance(text, str) else "".join(text), re.MULTILINE)
            if heading:
                return f"{re.sub(r'[*_`]', '', heading.group(1)).strip()} — {SITE}"
    return SITE


@functools.lru_cache(maxsize=1)
def page_exporter() -> Any:
    """The process's HTML exporter, made once: it compiles its templates on first use (about 0.8 s of CPU), which
    every later page of the process then reuses. It keeps nothing of one page for the next. (Compiled when a
    worker renders its first page, not as it starts: then it would compete with the run's reading of the
    inputs, which every later step waits for.)"""
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        extra_loaders=[jinja2.DictLoader({PAGE_TEMPLATE_NAME: PAGE_TEMPLATE})],
        template_file=PAGE_TEMPLATE_NAME,
    )


def render_html(notebook: Path, html: Path) -> Path:
    """Render an executed notebook to a self-contained HTML page: every code cell's input hidden, no script
    or style from another host, titled by its first heading."""
    import nbformat

    document = nbformat.read(notebook, as_version=4)
    document.metadata["title"] = page_title(document)
    body, _ = page_exporter().from_notebook_node(document)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")
    return html

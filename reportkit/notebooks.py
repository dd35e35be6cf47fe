"""Executing the parameterised notebooks with papermill and rendering them with nbconvert (code hidden).

A failing notebook keeps its executed copy (papermill writes it before raising) and the run fails with
a message naming the cell.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from reportkit.errors import NotebookFailed
from reportkit.paths import NOTEBOOKS_DIR

KERNEL = "python3"


def execute(name: str, output: Path, parameters: dict[str, Any]) -> Path:
    """Run notebooks/<name> with papermill into `output`, injecting `parameters` (JSON-able scalars).

    Raises:
        NotebookFailed: a cell raised; the executed notebook is at `output`.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.WARNING)
    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(NOTEBOOKS_DIR / name),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            cwd=str(output.parent),  # never the package folder: a notebook writes nothing beside itself
        )
    except PapermillExecutionError as exc:
        raise NotebookFailed(
            f"notebook {name} failed in cell {exc.exec_count} (cell index {exc.cell_index}): {exc.ename}: "
            f"{exc.evalue}. The executed notebook is kept at {output}"
        ) from None
    except Exception as exc:  # kernel died, notebook unreadable, ...
        raise NotebookFailed(f"notebook {name} could not be executed: {exc}. Output (if any) at {output}") from None
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


def render_html(notebook: Path, html: Path) -> Path:
    """Render an executed notebook to HTML with every code cell's input hidden."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")
    return html

"""The MI page in a real browser: nothing loaded from another host, no console error, no accessibility violation."""

from __future__ import annotations

import pytest

from reportkit.mi_run import run_mi
from reportkit.paths import sample_inputs
from reportkit.pipeline import InputPaths
from reportkit.sample import SAMPLE_ENTITIES, SAMPLE_PERIOD_END
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _require_browser


@pytest.mark.slow
def test_the_sample_mi_page_is_self_contained_and_accessible(tmp_path) -> None:
    _require_browser()
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    sample = sample_inputs()
    inputs = InputPaths.of(sample["config"], sample["complaints"], sample["redress"])
    folder = run_mi(inputs, SAMPLE_ENTITIES[0], None, SAMPLE_PERIOD_END, tmp_path, lambda _: None).folder
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        outside: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto((folder / "html" / "mi.html").as_uri(), wait_until="load")
        result = Axe().run(page)
        title = page.title()
        browser.close()
    assert outside == [] and errors == []
    assert result.violations_count == 0, result.generate_report()
    assert title == "Complaints MI: Sample Banking Group — reportkit"

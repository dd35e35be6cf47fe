"""What the notebooks chart is read from the built return, never counted again."""

from __future__ import annotations

import datetime as dt

import pytest

from reportkit import views
from reportkit.calendar import Period
from tests.conftest import complaint


def view_of(document: dict) -> views.ReturnView:
    return views.ReturnView(document, None, Period(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))  # type: ignore[arg-type]


@pytest.mark.parametrize("count", [3, 500])  # Part A-1 (by group) and A-2 (by product)
def test_charts_come_from_the_return_tables(ws, count: int) -> None:
    rows = [
        complaint(f"C{i}", "2025-02-03", "2025-02-04", "upheld" if i % 3 == 0 else "not_upheld") for i in range(count)
    ]
    rows.append(complaint("T1", "2025-02-03", "2025-02-04", "upheld", product="travel", cause="other"))
    document = ws.annex1(rows)
    opened = views.opened_by_product_group(view_of(document))
    assert opened.to_dict() == {"Banking and credit cards": count, "Insurance & pure protection": 1}
    rate = views.upheld_rate_by_product_group(view_of(document))
    upheld = len(range(0, count, 3))
    assert rate.to_dict() == {
        "Banking and credit cards": round(100 * upheld / count, 1),
        "Insurance & pure protection": 100.0,
    }

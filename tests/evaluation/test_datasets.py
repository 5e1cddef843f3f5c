"""The cleaning rule reproduces the counts stated in the datasets' SOURCE.md (real data, ~5 s)."""

from __future__ import annotations

import pytest

from plugin.evaluation import evaluation as ev
from plugin.evaluation.datasets import counts, read_baskets, read_online_retail


@pytest.mark.skipif(not ev.RETAIL_PATH.is_dir(), reason="shared datasets not beside the repository")
def test_online_retail_cleaning_counts():
    found = counts(read_online_retail(ev.RETAIL_PATH))
    print(f"\nOnline Retail after cleaning: {found}")
    assert found == {"events": 386_326, "customers": 4_334, "products": 3_659, "baskets": 18_402}


@pytest.mark.skipif(not ev.GROCERIES_PATH.is_file(), reason="shared datasets not beside the repository")
def test_groceries_counts():
    baskets = read_baskets(ev.GROCERIES_PATH)
    items = {item for basket in baskets for item in basket}
    print(f"\nGroceries: {len(baskets)} baskets, {sum(map(len, baskets))} items, {len(items)} distinct")
    assert (len(baskets), sum(map(len, baskets)), len(items)) == (9_835, 43_367, 169)

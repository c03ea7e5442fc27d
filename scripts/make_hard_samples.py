"""Draw the harder table set: documents that look like the world, not like our own samples.

The bundled samples were drawn for the local engine; this set is what users send: invoices whose
line items have no borders, web tables with horizontal rules only and wrapped cells, a statement
screenshotted inside a PDF viewer, a zebra report scanned at 300 dpi A4, a form of label|value
boxes filled in a handwriting-style font, a German invoice (euro sign, decimal commas) and a
scanned-looking page (noise, skew, JPEG). Text is drawn with Debian's TrueType fonts at realistic
sizes; every bit of noise comes from a seeded generator, so one machine's fonts give one set.

Each image gets a ``<stem>.csv`` beside it holding the rows of the table a reader would copy out
(header first; a wrapped cell is one cell with its lines joined by a space). The stem starts with
the document's kind, which the bench reports on.

Fonts: ``apt-get install fonts-dejavu-core fonts-dejavu-extra fonts-liberation fonts-dkg-handwriting``
(``.ci/run`` installs them when missing).

Pages with text and graphics around their tables (issue 24) were added to measure precision: a
report PDF with a chart (vector text drawn by matplotlib), a balance sheet with a units note over
a dark header band, a statistical bulletin (two-column text, grey header band, light rules, a
chart beside the table, footnotes), a memo with bullets, a slide, a phone photo and a chart alone.
``<stem>.optional.csv`` lists rows a reader may or may not take for table rows (totals).

``--holdout`` draws the held-out pages instead (bench/holdout_samples): layouts drawn after the
engine was tuned, to estimate how it does on documents nobody tuned it for.

Usage: ``python scripts/make_hard_samples.py [--holdout] [OUT_DIR]`` (default: bench/hard_samples).
"""

from __future__ import annotations

import csv
import io
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT_DIR = Path(__file__).resolve().parents[1] / "bench" / "hard_samples"
FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype"))
FONTS = {
    "sans": "liberation/LiberationSans-Regular.ttf",
    "sans-bold": "liberation/LiberationSans-Bold.ttf",
    "serif": "dejavu/DejaVuSerif.ttf",
    "serif-bold": "dejavu/DejaVuSerif-Bold.ttf",
    "dejavu": "dejavu/DejaVuSans.ttf",
    "dejavu-bold": "dejavu/DejaVuSans-Bold.ttf",
    "condensed": "dejavu/DejaVuSansCondensed.ttf",
    "hand": "fifthhorseman/dkg.ttf",
    "times": "liberation/LiberationSerif-Regular.ttf",
    "times-bold": "liberation/LiberationSerif-Bold.ttf",
}
INK = (25, 25, 30)
GREY = (110, 110, 118)
RULE = (200, 200, 205)


def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    for folder in FONT_DIRS:
        path = folder / FONTS[name]
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    raise SystemExit(
        f"Font {FONTS[name]} is missing; install Debian's fonts-dejavu-core fonts-dejavu-extra "
        "fonts-liberation fonts-dkg-handwriting (apt-get install -y ...)."
    )


@dataclass
class Column:
    """One column of a drawn table: its left edge, width, alignment and font."""

    x: int
    width: int
    align: str = "left"


def wrap(text: str, f: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels, the way a browser or a word processor breaks lines."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and f.getlength(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def put(draw: ImageDraw.ImageDraw, col: Column, y: int, text: str, f: ImageFont.FreeTypeFont, fill=INK) -> None:  # type: ignore[no-untyped-def]
    w = f.getlength(text)
    x = col.x if col.align == "left" else col.x + col.width - w if col.align == "right" else col.x + (col.width - w) / 2
    draw.text((x, y), text, font=f, fill=fill)


def draw_rows(
    draw: ImageDraw.ImageDraw,
    cols: Sequence[Column],
    rows: Sequence[Sequence[str]],
    y: int,
    f: ImageFont.FreeTypeFont,
    *,
    pad: int,
    line_gap: float = 1.25,
    rule: tuple[int, int, int] | None = None,
    rule_x: tuple[int, int] | None = None,
    zebra: tuple[int, int, int] | None = None,
    header_font: ImageFont.FreeTypeFont | None = None,
    valign: str = "middle",
    wrap_cells: bool = True,
) -> int:
    """Draw rows of cells (wrapped to their column), vertically aligned; return the y below them."""
    size = f.size
    pitch = int(size * line_gap)
    for r, row in enumerate(rows):
        rf = header_font if (header_font is not None and r == 0) else f
        cells = [wrap(t, rf, c.width) if wrap_cells else [t] for t, c in zip(row, cols, strict=True)]
        height = max(len(c) for c in cells) * pitch + 2 * pad
        if zebra is not None and r % 2 == 1:
            x0, x1 = rule_x or (cols[0].x - pad, cols[-1].x + cols[-1].width + pad)
            draw.rectangle((x0, y, x1, y + height), fill=zebra)
        for lines, col in zip(cells, cols, strict=True):
            top = y + pad
            if valign == "middle":
                top += (height - 2 * pad - len(lines) * pitch) // 2
            for i, line in enumerate(lines):
                put(draw, col, top + i * pitch, line, rf)
        y += height
        if rule is not None:
            x0, x1 = rule_x or (cols[0].x - pad, cols[-1].x + cols[-1].width + pad)
            draw.line((x0, y, x1, y), fill=rule, width=1 if r else 2)
    return y


def save(out: Path, stem: str, image: Image.Image, rows: Sequence[Sequence[str]], fmt: str = "PNG",
         optional: Sequence[Sequence[str]] = ()) -> None:
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".jpg" if fmt == "JPEG" else ".png"
    buf = io.BytesIO()
    if fmt == "JPEG":
        image.convert("L").save(buf, "JPEG", quality=72)
    else:
        image.convert("L").save(buf, "PNG", optimize=True)
    (out / f"{stem}{suffix}").write_bytes(buf.getvalue())
    write_truth(out, stem, rows, optional)


def write_truth(out: Path, stem: str, rows: Sequence[Sequence[str]], optional: Sequence[Sequence[str]]) -> None:
    """``<stem>.csv``: the table's rows; ``<stem>.optional.csv``: rows printed with the table that a
    reader may or may not take for table rows (an invoice's totals): they count neither for nor
    against the engine."""
    with (out / f"{stem}.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    if optional:
        with (out / f"{stem}.optional.csv").open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(optional)


def invoice_items(out: Path) -> None:
    """A US invoice: address blocks, borderless line items with wide gaps, totals below."""
    img = Image.new("RGB", (1240, 1120), "white")
    d = ImageDraw.Draw(img)
    big, f, fb, small = font("sans-bold", 40), font("sans", 22), font("sans-bold", 22), font("sans", 18)
    d.text((80, 60), "INVOICE", font=big, fill=INK)
    d.text((820, 66), "Invoice No. INV-20931", font=f, fill=INK)
    d.text((820, 98), "Date: 03/14/2026", font=f, fill=INK)
    for i, line in enumerate(["Northwind Office Supply", "412 Harbor Street", "Portland, OR 97205"]):
        d.text((80, 140 + i * 30), line, font=f, fill=GREY)
    d.text((80, 260), "Bill To:", font=fb, fill=INK)
    for i, line in enumerate(["Cedar Lane Dental Group", "88 Maple Avenue, Suite 4", "Salem, OR 97301"]):
        d.text((80, 292 + i * 30), line, font=f, fill=INK)
    cols = [Column(80, 90), Column(190, 520), Column(760, 80, "right"), Column(880, 130, "right"),
            Column(1030, 130, "right")]
    rows = [
        ["Item", "Description", "Qty", "Unit Price", "Amount"],
        ["A-1001", "Copy paper, letter size, 10 reams", "4", "42.50", "170.00"],
        ["B-2210", "Gel pens, black, box of 12", "6", "9.95", "59.70"],
        ["C-0415", "Stapler, heavy duty", "2", "27.80", "55.60"],
        ["D-7730", "Toner cartridge TN-660", "3", "68.00", "204.00"],
        ["E-1002", "Sticky notes 3x3, 24 pads", "5", "14.25", "71.25"],
        ["F-3318", "Desk organizer, mesh - black", "1", "23.40", "23.40"],
    ]
    y = draw_rows(d, cols, rows[:1], 420, fb, pad=10)
    d.line((70, y + 2, 1170, y + 2), fill=INK, width=2)
    draw_rows(d, cols, rows[1:], y + 10, f, pad=9)
    for i, (label, value) in enumerate([("Subtotal", "583.95"), ("Tax 8%", "46.72"), ("Total", "630.67")]):
        d.text((880, 860 + i * 34), label, font=fb if label == "Total" else f, fill=INK)
        put(d, Column(1030, 130, "right"), 860 + i * 34, value, fb if label == "Total" else f)
    d.text((80, 1040), "Payment due within 30 days. Thank you for your business.", font=small, fill=GREY)
    save(out, "invoice_borderless", img, rows,
         optional=[["Subtotal", "583.95"], ["Tax 8%", "46.72"], ["Total", "630.67"]])


def invoice_wrapped(out: Path) -> None:
    """A serif invoice whose descriptions wrap onto a second line under their row's numbers."""
    img = Image.new("RGB", (1300, 980), "white")
    d = ImageDraw.Draw(img)
    f, fb, title = font("times", 24), font("times-bold", 24), font("times-bold", 36)
    d.text((90, 50), "Harbor Light Consulting LLC", font=title, fill=INK)
    d.text((90, 100), "Statement of services - April 2026", font=f, fill=GREY)
    d.text((900, 100), "Account 5521-07", font=f, fill=GREY)
    cols = [Column(90, 140), Column(260, 470), Column(760, 110, "right"), Column(900, 130, "right"),
            Column(1060, 150, "right")]
    rows = [
        ["Date", "Service", "Hours", "Rate", "Total"],
        ["04/02/2026", "Network assessment and written report for the main office", "6.5", "120.00", "780.00"],
        ["04/09/2026", "Firewall configuration", "3.0", "120.00", "360.00"],
        ["04/15/2026", "On-site training for staff, two sessions with handouts", "4.0", "95.00", "380.00"],
        ["04/22/2026", "Backup restore test", "1.5", "95.00", "142.50"],
        ["04/29/2026", "Remote support tickets 1184 - 1190, closed", "2.25", "95.00", "213.75"],
    ]
    y = draw_rows(d, cols, rows[:1], 190, fb, pad=10, valign="top")
    d.line((80, y, 1220, y), fill=INK, width=2)
    y = draw_rows(d, cols, rows[1:], y + 8, f, pad=12, valign="top")
    d.line((80, y + 6, 1220, y + 6), fill=INK, width=1)
    d.text((900, y + 24), "Amount due", font=fb, fill=INK)
    put(d, Column(1060, 150, "right"), y + 24, "1,876.25", fb)
    save(out, "invoice_wrapped", img, rows, optional=[["Amount due", "1,876.25"]])


def web_table(out: Path) -> None:
    """A documentation page's table: horizontal rules only, wrapped cells centred vertically."""
    img = Image.new("RGB", (1280, 900), (255, 255, 255))
    d = ImageDraw.Draw(img)
    f, fb, h1 = font("dejavu", 17), font("dejavu-bold", 17), font("dejavu-bold", 30)
    d.text((60, 40), "Document types", font=h1, fill=INK)
    d.text((60, 92), "The archive accepts the following document types; sizes are per file.", font=f, fill=GREY)
    cols = [Column(72, 230), Column(330, 520), Column(880, 130), Column(1040, 160)]
    rows = [
        ["Document Title", "Description", "Max size", "Retention"],
        ["Purchase order", "An order sent to a supplier, with line items and delivery address", "10 MB", "7 years"],
        ["Delivery note", "Signed proof of delivery scanned at the warehouse gate", "5 MB", "2 years"],
        ["Credit memo", "Reduces the amount a customer owes after a return or a price correction", "10 MB", "7 years"],
        ["Line 1 - Col 2", "Short entry", "1 MB", "30 days"],
        ["Customs declaration", "Export declaration with HS codes, values in the invoice currency and the carrier's reference", "25 MB", "10 years"],
        ["Timesheet", "Weekly hours per project", "2 MB", "3 years"],
    ]
    draw_rows(d, cols, rows, 150, f, pad=12, rule=RULE, rule_x=(60, 1220), header_font=fb)
    save(out, "web_rules_wrapped", img, rows)


def web_table_narrow(out: Path) -> None:
    """A narrow web table (pricing comparison), rules only, three-line wrapped cells, top aligned."""
    img = Image.new("RGB", (980, 760), (250, 250, 252))
    d = ImageDraw.Draw(img)
    f, fb = font("sans", 18), font("sans-bold", 18)
    d.text((40, 30), "Compare plans", font=font("sans-bold", 28), fill=INK)
    cols = [Column(50, 170), Column(240, 320), Column(590, 150), Column(770, 160)]
    rows = [
        ["Plan", "Included", "Monthly", "Support"],
        ["Starter", "One user, 5 GB storage, email import and export of CSV files", "$9.00", "Email"],
        ["Team", "Up to 10 users with shared folders", "$49.00", "Email and chat"],
        ["Business", "Unlimited users, audit log, single sign-on, retention rules per folder and API access", "$199.00", "Phone, 24 hours"],
        ["Enterprise", "Custom contract", "Contact us", "Named engineer"],
    ]
    draw_rows(d, cols, rows, 100, f, pad=10, rule=(215, 215, 220), rule_x=(40, 940), header_font=fb, valign="top")
    save(out, "web_rules_top", img, rows)


def statement_viewer(out: Path) -> None:
    """A balance sheet page as a PDF viewer shows it: toolbar, grey desk, title block, two years."""
    img = Image.new("RGB", (1366, 900), (82, 86, 89))
    d = ImageDraw.Draw(img)
    ui = font("dejavu", 15)
    d.rectangle((0, 0, 1366, 44), fill=(50, 54, 57))
    d.text((16, 13), "annual-report-2025.pdf", font=ui, fill=(235, 235, 235))
    d.text((600, 13), "14  /  86", font=ui, fill=(235, 235, 235))
    d.text((700, 13), "-   110%   +", font=ui, fill=(235, 235, 235))
    for i, x in enumerate((1200, 1240, 1280, 1320)):
        d.rectangle((x, 14, x + 18, 30), outline=(200, 200, 200), width=2 if i % 2 else 1)
    d.rectangle((283, 60, 1083, 900), fill="white")
    f, fb, fs = font("times", 18), font("times-bold", 18), font("times", 15)
    d.text((323, 90), "Harborview Holdings plc", font=font("times-bold", 22), fill=INK)
    d.text((323, 122), "Consolidated balance sheet", font=f, fill=INK)
    d.text((323, 146), "As at 31 December (in thousands of USD)", font=fs, fill=GREY)
    cols = [Column(323, 430), Column(800, 110, "right"), Column(940, 110, "right")]
    rows = [
        ["", "2025", "2024"],
        ["Assets"],
        ["Cash and cash equivalents", "12,480", "9,915"],
        ["Trade receivables", "7,302", "6,877"],
        ["Inventories", "4,118", "4,503"],
        ["Property, plant and equipment", "21,664", "19,870"],
        ["Total assets", "45,564", "41,165"],
        ["Liabilities"],
        ["Trade payables", "5,230", "4,981"],
        ["Borrowings", "11,000", "12,500"],
        ["Total liabilities", "16,230", "17,481"],
        ["Equity", "29,334", "23,684"],
    ]
    y = 200
    for row in rows:
        bold = row[0] in ("Assets", "Liabilities") or row[0].startswith("Total") or row == rows[0]
        ff = fb if bold else f
        cells = row + [""] * (3 - len(row))
        for text, col in zip(cells, cols, strict=True):
            put(d, col, y, text, ff)
        if row[0].startswith("Total"):
            d.line((800, y - 4, 1050, y - 4), fill=INK, width=1)
        y += 34 if len(row) > 1 else 40
    d.text((323, y + 30), "The notes on pages 52 to 86 form part of these financial statements.", font=fs, fill=GREY)
    save(out, "statement_viewer", img, [r + [""] * (3 - len(r)) if len(r) < 3 else r for r in rows])


def zebra_report(out: Path) -> None:
    """A sales report page at 300 dpi A4: no vertical rules, grey zebra stripes, 10 pt text."""
    img = Image.new("RGB", (2480, 3508), "white")
    d = ImageDraw.Draw(img)
    f, fb = font("sans", 42), font("sans-bold", 42)
    d.text((236, 236), "Quarterly sales by region", font=font("sans-bold", 75), fill=INK)
    d.text((236, 350), "Report generated 2026-04-02 08:15 - figures in EUR thousands", font=f, fill=GREY)
    cols = [Column(260, 520), Column(820, 330), Column(1190, 300, "right"), Column(1530, 300, "right"),
            Column(1870, 330, "right")]
    rows = [["Region", "Manager", "Q1 2026", "Q1 2025", "Change %"]]
    regions = ["North", "North-East", "East", "South-East", "South", "South-West", "West", "North-West",
               "Central", "Islands", "Online", "Export"]
    managers = ["A. Keller", "B. Novak", "C. Duarte", "D. Okafor", "E. Lindqvist", "F. Moreau", "G. Rossi",
                "H. Tanaka", "I. Petrov", "J. Walsh", "K. Singh", "L. Weber"]
    rng = random.Random(20260402)
    for region, manager in zip(regions, managers, strict=True):
        now, before = rng.randint(800, 9800), rng.randint(800, 9800)
        rows.append([region, manager, f"{now:,}", f"{before:,}", f"{(now - before) / before * 100:+.1f}"])
    y = draw_rows(d, cols, rows[:1], 520, fb, pad=22, header_font=fb, wrap_cells=False)
    d.line((236, y, 2244, y), fill=INK, width=4)
    y = draw_rows(d, cols, rows[1:], y + 4, f, pad=22, zebra=(226, 228, 232), rule_x=(236, 2244), wrap_cells=False)
    d.line((236, y, 2244, y), fill=INK, width=3)
    d.text((236, 3300), "Page 1 of 1", font=font("sans", 33), fill=GREY)
    save(out, "zebra_report_a4", img, rows)


def form(out: Path) -> None:
    """A paper form: boxes of label | value, values written in a handwriting-style font."""
    img = Image.new("RGB", (1240, 700), "white")
    d = ImageDraw.Draw(img)
    label, hand = font("sans", 19), font("hand", 32)
    d.text((60, 40), "Equipment loan request", font=font("sans-bold", 32), fill=INK)
    rows = [
        ["Employee name", "Maria Jensen"],
        ["Department", "Field service"],
        ["Employee no.", "40817"],
        ["Phone", "555-0142"],
        ["Item", "Laptop and dock"],
        ["Serial number", "XJ4-99120-B"],
        ["Loan date", "12/05/2026"],
        ["Return date", "01/30/2027"],
        ["Approved by", "Tom Becker"],
        ["Cost center", "FS-220"],
    ]
    for i, (lab, value) in enumerate(rows):
        x, y = 60 + (i % 2) * 570, 120 + (i // 2) * 100
        d.rectangle((x, y, x + 550, y + 80), outline=INK, width=2)
        d.line((x + 190, y, x + 190, y + 80), fill=INK, width=2)
        d.text((x + 14, y + 29), lab, font=label, fill=INK)
        d.text((x + 210, y + 20), value, font=hand, fill=(20, 40, 120))
    save(out, "form_handwriting", img, rows)


def german_invoice(out: Path) -> None:
    """A German invoice: umlauts, euro sign, decimal commas and dots for thousands, no rules."""
    img = Image.new("RGB", (1240, 1000), "white")
    d = ImageDraw.Draw(img)
    f, fb = font("dejavu", 20), font("dejavu-bold", 20)
    d.text((80, 50), "Werkzeughandel Brandt GmbH", font=font("dejavu-bold", 30), fill=INK)
    d.text((80, 96), "Industriestraße 14 · 70565 Stuttgart", font=f, fill=GREY)
    d.text((80, 170), "Rechnung Nr. 2026-0417", font=fb, fill=INK)
    d.text((820, 170), "Datum: 17.04.2026", font=f, fill=INK)
    cols = [Column(80, 60), Column(160, 470), Column(660, 90, "right"), Column(790, 150, "right"),
            Column(980, 170, "right")]
    rows = [
        ["Pos.", "Artikel", "Menge", "Einzelpreis", "Gesamt"],
        ["1", "Meißelsatz SDS-plus, 3-tlg.", "2", "19,90 €", "39,80 €"],
        ["2", "Ortungsgerät für Leitungen", "1", "149,00 €", "149,00 €"],
        ["3", "Schraubendreher-Set, 12 Stück", "3", "24,50 €", "73,50 €"],
        ["4", "Bohrhammer 800 W", "1", "1.249,00 €", "1.249,00 €"],
        ["5", "Arbeitshandschuhe Größe 10", "10", "3,95 €", "39,50 €"],
    ]
    y = draw_rows(d, cols, rows[:1], 250, fb, pad=10, wrap_cells=False)
    d.line((70, y, 1170, y), fill=INK, width=1)
    y = draw_rows(d, cols, rows[1:], y + 6, f, pad=10, wrap_cells=False)
    d.line((70, y + 4, 1170, y + 4), fill=INK, width=1)
    for i, (lab, val) in enumerate([("Nettobetrag", "1.550,80 €"), ("MwSt. 19 %", "294,65 €"),
                                    ("Rechnungsbetrag", "1.845,45 €")]):
        d.text((700, y + 24 + i * 34), lab, font=fb if i == 2 else f, fill=INK)
        put(d, Column(980, 170, "right"), y + 24 + i * 34, val, fb if i == 2 else f)
    d.text((80, 900), "Zahlbar innerhalb von 14 Tagen ohne Abzug.", font=font("dejavu", 17), fill=GREY)
    save(out, "german_invoice", img, rows, optional=[["Nettobetrag", "1.550,80 €"], ["MwSt. 19 %", "294,65 €"],
                                                   ["Rechnungsbetrag", "1.845,45 €"]])


def scanned(out: Path) -> None:
    """A delivery list printed, scanned 1.5 degrees off, with paper noise and JPEG blocks."""
    img = Image.new("RGB", (1400, 1000), "white")
    d = ImageDraw.Draw(img)
    f, fb = font("serif", 22), font("serif-bold", 22)
    d.text((90, 60), "Delivery list - route 7", font=font("serif-bold", 32), fill=INK)
    cols = [Column(100, 150), Column(280, 430), Column(740, 120, "right"), Column(900, 150, "right"),
            Column(1090, 200)]
    rows = [
        ["Order", "Customer", "Parcels", "Weight kg", "Window"],
        ["SO-88120", "Bakery Lindgren", "3", "14.2", "08:00-10:00"],
        ["SO-88131", "Oak Street Pharmacy", "1", "2.8", "08:30-09:30"],
        ["SO-88146", "City Library, loading bay", "6", "41.0", "10:00-12:00"],
        ["SO-88152", "Riverside Clinic", "2", "7.5", "11:00-13:00"],
        ["SO-88167", "Hotel Aurora", "4", "22.9", "13:00-15:00"],
        ["SO-88170", "Green Valley School", "5", "30.4", "14:00-16:00"],
    ]
    y = draw_rows(d, cols, rows[:1], 160, fb, pad=12, wrap_cells=False)
    d.line((90, y, 1310, y), fill=INK, width=2)
    draw_rows(d, cols, rows[1:], y + 6, f, pad=12, wrap_cells=False)
    rng = random.Random(7)
    gray = img.convert("L").rotate(1.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    gray = gray.filter(ImageFilter.GaussianBlur(0.7))
    px = gray.load()
    w, h = gray.size
    for _ in range(9000):
        x, yy = rng.randrange(w), rng.randrange(h)
        px[x, yy] = max(0, min(255, px[x, yy] + rng.randint(-90, 40)))  # type: ignore[index,operator]
    tint = Image.new("L", gray.size, 236)
    gray = Image.blend(gray, tint, 0.12)
    save(out, "scanned_delivery", gray, rows, fmt="JPEG")


def form_grid(out: Path) -> None:
    """A form printed as one grid of adjoining boxes: label | value | label | value, some values
    spanning the rest of the row, filled in by hand."""
    img = Image.new("RGB", (1240, 760), "white")
    d = ImageDraw.Draw(img)
    label, hand = font("sans", 18), font("hand", 30)
    d.text((60, 36), "Vehicle damage report", font=font("sans-bold", 30), fill=INK)
    d.text((60, 80), "Fill in one form per vehicle and hand it to the fleet office.", font=label, fill=GREY)
    xs = [60, 260, 640, 840, 1180]
    rows = [
        ["Driver", "Ana Ruiz", "Date", "03/11/2026"],
        ["Vehicle", "Van 14", "Plate", "KL-204-RT"],
        ["Location", "Depot gate, Mill Road"],
        ["Odometer", "48213 km", "Fuel", "3/4"],
        ["Damage", "Scratch on rear door"],
        ["Witness", "P. Osei", "Phone", "555-0187"],
    ]
    y0, row_h = 130, 84
    for r, row in enumerate(rows):
        y = y0 + r * row_h
        d.rectangle((xs[0], y, xs[-1], y + row_h), outline=INK, width=2)
        bounds = [xs[0], xs[1], xs[2], xs[3], xs[4]] if len(row) == 4 else [xs[0], xs[1], xs[4]]
        for x in bounds[1:-1]:
            d.line((x, y, x, y + row_h), fill=INK, width=2)
        for i, text in enumerate(row):
            x = bounds[i] + 14
            if i % 2 == 0:
                d.text((x, y + 30), text, font=label, fill=INK)
            else:
                d.text((x + 6, y + 22), text, font=hand, fill=(20, 40, 120))
    save(out, "form_grid", img, rows)


def statement_light(out: Path) -> None:
    """An income statement in a light-themed browser PDF viewer: notes column, negatives in
    parentheses, indented sub-items, a sidebar of page thumbnails."""
    img = Image.new("RGB", (1440, 960), (241, 243, 244))
    d = ImageDraw.Draw(img)
    ui = font("sans", 14)
    d.rectangle((0, 0, 1440, 40), fill=(255, 255, 255))
    d.line((0, 40, 1440, 40), fill=(218, 220, 224), width=1)
    d.text((56, 12), "Q4-results.pdf", font=ui, fill=(60, 64, 67))
    d.text((660, 12), "3 / 12", font=ui, fill=(60, 64, 67))
    d.text((760, 12), "100%", font=ui, fill=(60, 64, 67))
    for i in range(4):
        d.rectangle((30, 70 + i * 190, 170, 250 + i * 190), fill="white", outline=(200, 200, 200))
        for k in range(6):
            d.line((45, 95 + i * 190 + k * 18, 150, 95 + i * 190 + k * 18), fill=(210, 210, 210), width=2)
    d.rectangle((330, 60, 1250, 960), fill="white")
    f, fb = font("condensed", 17), font("dejavu-bold", 17)
    d.text((380, 100), "Statement of profit or loss", font=font("dejavu-bold", 22), fill=INK)
    d.text((380, 134), "For the year ended 31 December, EUR million", font=font("dejavu", 15), fill=GREY)
    cols = [Column(380, 420), Column(820, 70, "center"), Column(930, 120, "right"), Column(1080, 120, "right")]
    rows = [
        ["", "Note", "2025", "2024"],
        ["Revenue", "4", "1,284.6", "1,190.2"],
        ["Cost of sales", "5", "(802.1)", "(761.9)"],
        ["Gross profit", "", "482.5", "428.3"],
        ["Distribution costs", "", "(96.4)", "(90.0)"],
        ["Administrative expenses", "6", "(141.8)", "(133.5)"],
        ["Other operating income", "", "12.7", "9.1"],
        ["Operating profit", "", "257.0", "213.9"],
        ["Finance income", "8", "3.2", "1.8"],
        ["Finance costs", "8", "(27.5)", "(31.6)"],
        ["Profit before tax", "", "232.7", "184.1"],
        ["Income tax expense", "9", "(58.2)", "(46.0)"],
        ["Profit for the year", "", "174.5", "138.1"],
    ]
    y = 190
    for row in rows:
        bold = row[0].startswith(("Gross", "Operating", "Profit")) or row is rows[0]
        for text, col in zip(row, cols, strict=True):
            put(d, Column(col.x + (18 if col is cols[0] and not bold else 0), col.width, col.align), y, text,
                fb if bold else f)
        if row[0] in ("Other operating income", "Income tax expense", "Finance costs"):
            d.line((930, y + 27, 1200, y + 27), fill=INK, width=1)
        y += 36
    d.text((380, y + 30), "The accompanying notes are an integral part of these statements.", font=font("dejavu", 14), fill=GREY)
    save(out, "statement_light", img, rows)


def zebra_web(out: Path) -> None:
    """A dashboard table screenshotted at 96 dpi: 13 px text, striped rows, status badges."""
    img = Image.new("RGB", (1100, 560), (255, 255, 255))
    d = ImageDraw.Draw(img)
    f, fb = font("dejavu", 13), font("dejavu-bold", 13)
    d.rectangle((0, 0, 1100, 48), fill=(33, 37, 41))
    d.text((24, 16), "Shipments  -  last 7 days", font=font("dejavu-bold", 15), fill=(240, 240, 240))
    cols = [Column(40, 110), Column(170, 250), Column(440, 160), Column(620, 90, "right"), Column(740, 110, "right"),
            Column(880, 150)]
    rows = [
        ["Shipment", "Destination", "Carrier", "Parcels", "Value", "Status"],
        ["SH-40211", "Rotterdam, NL", "NorthSea Freight", "12", "4,180.00", "Delivered"],
        ["SH-40212", "Lyon, FR", "RailCargo", "3", "912.50", "In transit"],
        ["SH-40215", "Gdansk, PL", "Baltic Lines", "27", "10,044.90", "Delivered"],
        ["SH-40219", "Porto, PT", "Atlantic Road", "5", "1,275.00", "Delayed"],
        ["SH-40220", "Graz, AT", "Alpine Express", "1", "88.40", "Delivered"],
        ["SH-40224", "Malmo, SE", "NorthSea Freight", "9", "3,360.75", "Customs hold"],
        ["SH-40227", "Bilbao, ES", "Atlantic Road", "14", "5,902.10", "In transit"],
        ["SH-40231", "Brno, CZ", "RailCargo", "2", "431.00", "Delivered"],
    ]
    y = draw_rows(d, cols, rows[:1], 80, fb, pad=11, wrap_cells=False)
    d.line((24, y, 1076, y), fill=(222, 226, 230), width=2)
    draw_rows(d, cols, rows[1:], y, f, pad=11, zebra=(242, 244, 246), rule_x=(24, 1076), wrap_cells=False)
    save(out, "zebra_web", img, rows)


def scanned_ruled(out: Path) -> None:
    """A ruled stock list photocopied: grey paper, 2 degrees off, blur, speckles, low JPEG quality."""
    img = Image.new("RGB", (1300, 820), "white")
    d = ImageDraw.Draw(img)
    f, fb = font("sans", 21), font("sans-bold", 21)
    d.text((80, 50), "Stock count - aisle 12", font=font("sans-bold", 30), fill=INK)
    xs = [80, 260, 700, 860, 1040, 1220]
    rows = [
        ["Bin", "Article", "Expected", "Counted", "Difference"],
        ["12-A-01", "Hex bolts M8 x 40", "500", "488", "-12"],
        ["12-A-02", "Washers 8.4 mm", "1,000", "1,000", "0"],
        ["12-A-03", "Lock nuts M8", "750", "761", "11"],
        ["12-B-01", "Wood screws 4 x 30", "2,400", "2,350", "-50"],
        ["12-B-02", "Wall plugs 6 mm", "1,200", "1,196", "-4"],
        ["12-B-03", "Cable ties 200 mm", "300", "300", "0"],
    ]
    y0, row_h = 130, 62
    for r, row in enumerate(rows):
        y = y0 + r * row_h
        for c, text in enumerate(row):
            ff = fb if r == 0 else f
            col = Column(xs[c] + 14, xs[c + 1] - xs[c] - 28, "left" if c < 2 else "right")
            put(d, col, y + 18, text, ff)
    for r in range(len(rows) + 1):
        d.line((xs[0], y0 + r * row_h, xs[-1], y0 + r * row_h), fill=INK, width=2)
    for x in xs:
        d.line((x, y0, x, y0 + len(rows) * row_h), fill=INK, width=2)
    rng = random.Random(12)
    gray = img.convert("L").rotate(-2.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    gray = gray.filter(ImageFilter.GaussianBlur(0.9))
    gray = Image.eval(gray, lambda v: int(60 + v * 0.72))  # grey paper, washed-out ink
    px = gray.load()
    w, h = gray.size
    for _ in range(14000):
        x, yy = rng.randrange(w), rng.randrange(h)
        px[x, yy] = max(0, min(255, px[x, yy] + rng.randint(-110, 30)))  # type: ignore[index,operator]
    buf = io.BytesIO()
    gray.save(buf, "JPEG", quality=45)
    save(out, "scanned_ruled", Image.open(io.BytesIO(buf.getvalue())), rows, fmt="JPEG")


# --- Pages with text and graphics around their tables (issue 24: precision) ---------------------
# Charts are drawn by matplotlib (its own DejaVu fonts, Agg renderer) the way report tools draw
# them: ticks, gridlines, category labels, axis titles, a legend.

LOREM = (
    "The survey covers private households in all regions and is weighted to the population "
    "estimates of the census year. Figures for the latest quarter are provisional and may be "
    "revised when late returns arrive. Employment rose in most sectors, led by services, while "
    "construction was flat after two quarters of growth. Seasonal factors were re-estimated "
    "this year, which moves some earlier figures by up to one tenth of a point. Regional "
    "estimates rest on smaller samples and carry wider confidence intervals than the national "
    "totals shown in the tables."
)
LOREM_2 = (
    "Hours worked per person fell slightly, mainly because more people took part-time jobs in "
    "retail and hospitality. The number of employees on temporary contracts was 4.1 per cent "
    "lower than a year earlier. Self-employment held steady at about one in eight of all those "
    "in work. Vacancies reported by employers fell for the third quarter in a row but remain "
    "above their level before the pandemic. The participation rate of people aged 55 to 64 "
    "reached a new high of 71.3 per cent, continuing a rise that began ten years ago."
)


def chart(width: int, height: int, dpi: int, *, kind: str = "bar", title: str = "",
          categories: Sequence[str] = ("Blue", "Green", "Red"), series: Sequence[tuple[str, Sequence[float]]] = (),
          ylabel: str = "", xlabel: str = "", font_size: float = 9.0) -> Image.Image:
    """A chart as report software draws it, rendered to an RGB image of ``width`` x ``height``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    matplotlib.rcParams["svg.hashsalt"] = "hard-samples"
    positions = list(range(len(categories)))
    if kind == "bar":
        n = max(1, len(series))
        for i, (name, values) in enumerate(series):
            ax.bar([p + (i - (n - 1) / 2) * 0.8 / n for p in positions], values, 0.8 / n, label=name)
        ax.set_xticks(positions, list(categories))
    elif kind == "barh":
        name, values = series[0]
        ax.barh(positions, values, 0.6, label=name)
        ax.set_yticks(positions, list(categories))
    else:
        for name, values in series:
            ax.plot(positions, values, marker="o", label=name)
        ax.set_xticks(positions, list(categories))
    ax.grid(axis="y" if kind != "barh" else "x", color="#dddddd")
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=font_size)
    if title:
        ax.set_title(title, fontsize=font_size + 2)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=font_size)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=font_size)
    if len(series) > 1 or kind == "line":
        ax.legend(fontsize=font_size, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    with Image.open(io.BytesIO(buf.getvalue())) as drawn:
        return drawn.convert("RGB").resize((width, height))


def save_pdf(out: Path, stem: str, pdf: bytes, rows: Sequence[Sequence[str]],
             optional: Sequence[Sequence[str]] = ()) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.pdf").write_bytes(pdf)
    write_truth(out, stem, rows, optional)


def report_pdf(out: Path) -> None:
    """A report page as a PDF with vector text: a table drawn with rules and a chart, by matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=(8.27, 11.69))
    FigureCanvasPdf(fig)
    fig.text(0.08, 0.95, "Municipal water report 2025", fontsize=18, weight="bold")
    fig.text(0.08, 0.925, "Section 3 - Consumption by district", fontsize=11, color="#555555")
    body = wrap_chars(LOREM, 105)
    for i, line in enumerate(body[:4]):
        fig.text(0.08, 0.89 - i * 0.018, line, fontsize=9)
    fig.text(0.08, 0.80, "Table 3.1  Metered consumption, million litres", fontsize=10, weight="bold")
    rows = [
        ["District", "Households", "2024", "2025", "Change %"],
        ["Harbour", "12,410", "3,982", "4,105", "3.1"],
        ["Old Town", "8,225", "2,514", "2,498", "-0.6"],
        ["Riverside", "15,932", "5,120", "5,377", "5.0"],
        ["Hillcrest", "6,870", "2,011", "2,093", "4.1"],
        ["Northgate", "10,304", "3,306", "3,290", "-0.5"],
        ["Total", "53,741", "16,933", "17,363", "2.5"],
    ]
    xs = [0.08, 0.30, 0.50, 0.65, 0.80]
    y = 0.77
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            fig.text(xs[c], y, text, fontsize=10, weight="bold" if r == 0 else "normal")
        if r in (0, len(rows) - 2):
            fig.add_artist(Line2D([0.07, 0.92], [y - 0.008, y - 0.008], color="black", linewidth=0.8))
        y -= 0.028
    fig.text(0.08, y - 0.005, "Source: district meter readings, provisional.", fontsize=8, color="#555555")
    ax = fig.add_axes((0.12, 0.22, 0.6, 0.28))
    districts = ["Harbour", "Old Town", "Riverside", "Hillcrest", "Northgate"]
    for i, (year, values) in enumerate((("2024", [3982, 2514, 5120, 2011, 3306]),
                                        ("2025", [4105, 2498, 5377, 2093, 3290]))):
        ax.bar([p + (i - 0.5) * 0.38 for p in range(5)], values, 0.38, label=year)
    ax.set_xticks(range(5), districts, fontsize=9)
    ax.set_ylabel("million litres", fontsize=9)
    ax.set_title("Figure 3.1  Consumption by district", fontsize=10)
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.text(0.5, 0.05, "Page 14", fontsize=8, ha="center", color="#555555")
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf", metadata={"CreationDate": None, "ModDate": None, "Producer": None,
                                                "Creator": None})
    save_pdf(out, "report_water_pdf", buf.getvalue(), rows)


def wrap_chars(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def balance_band(out: Path) -> None:
    """A bank's balance sheet: title, a units note right above a dark header band, schedules."""
    img = Image.new("RGB", (1400, 1180), "white")
    d = ImageDraw.Draw(img)
    f, fb = font("times", 22), font("times-bold", 22)
    d.text((80, 50), "Coastal Cooperative Bank Ltd.", font=font("times-bold", 34), fill=INK)
    d.text((80, 100), "Balance Sheet as on 31st March 2025", font=font("times-bold", 24), fill=INK)
    d.text((1130, 160), "(Rs. in '000)", font=f, fill=INK)
    cols = [Column(100, 560), Column(700, 140, "center"), Column(880, 180, "right"), Column(1100, 180, "right")]
    rows = [
        ["Particulars", "Schedule", "As on 31.03.2025", "As on 31.03.2024"],
        ["CAPITAL AND LIABILITIES", "", "", ""],
        ["Capital", "1", "48,250", "46,900"],
        ["Reserves and Surplus", "2", "3,12,418", "2,87,655"],
        ["Deposits", "3", "41,06,772", "38,54,120"],
        ["Borrowings", "4", "2,15,000", "2,40,500"],
        ["Other Liabilities and Provisions", "5", "1,02,336", "96,418"],
        ["Total", "", "47,84,776", "45,25,593"],
        ["ASSETS", "", "", ""],
        ["Cash and Balances with Reserve Bank", "6", "2,45,118", "2,31,007"],
        ["Balances with Banks and Money at Call", "7", "3,88,420", "3,40,212"],
        ["Investments", "8", "14,62,905", "13,88,740"],
        ["Advances", "9", "25,71,334", "24,17,690"],
        ["Fixed Assets", "10", "58,212", "60,115"],
        ["Other Assets", "11", "58,787", "87,829"],
        ["Total", "", "47,84,776", "45,25,593"],
    ]
    d.rectangle((80, 196, 1310, 252), fill=(31, 56, 100))
    for text, col in zip(rows[0], cols, strict=True):
        w = fb.getlength(text)
        x = col.x if col.align == "left" else col.x + col.width - w if col.align == "right" else col.x + (col.width - w) / 2
        d.text((x, 210), text, font=fb, fill=(255, 255, 255))
    y = 268
    for row in rows[1:]:
        bold = row[0].isupper() or row[0] == "Total"
        for text, col in zip(row, cols, strict=True):
            put(d, col, y, text, fb if bold else f)
        if row[0] == "Total":
            d.line((860, y - 6, 1310, y - 6), fill=INK, width=1)
            d.line((860, y + 32, 1310, y + 32), fill=INK, width=1)
        y += 50 if row[0] == "Total" else 44
    d.text((80, y + 30), "Schedules 1 to 18 form an integral part of the Balance Sheet.", font=font("times", 18),
           fill=GREY)
    save(out, "balance_sheet_band", img, rows)


def statistical_report(out: Path) -> None:
    """A statistical report page at 300 dpi A4: running header, two-column body text, a table with
    a grey header band and light rules, a chart beside it, footnotes and a page number."""
    img = Image.new("RGB", (2480, 3508), "white")
    d = ImageDraw.Draw(img)
    f, fb, small = font("dejavu", 38), font("dejavu-bold", 38), font("dejavu", 31)
    d.text((200, 150), "Labour Force Survey - Quarter 2, 2025", font=small, fill=GREY)
    d.text((1800, 150), "Statistical Bulletin 27/2025", font=small, fill=GREY)
    d.line((200, 205, 2280, 205), fill=(150, 150, 150), width=2)
    d.text((200, 260), "3. Employment by industry", font=font("dejavu-bold", 58), fill=INK)
    colw = 1000
    for c, x in enumerate((200, 1280)):
        lines = wrap(LOREM if c == 0 else LOREM_2, f, colw)
        for i, line in enumerate(lines[:12]):
            d.text((x, 380 + i * 56), line, font=f, fill=INK)
    d.text((200, 1120), "Table 3. Employed persons by industry, thousands (1)", font=fb, fill=INK)
    cols = [Column(220, 560), Column(800, 210, "right"), Column(1040, 210, "right"), Column(1280, 160, "right")]
    rows = [
        ["Industry", "Q2 2024", "Q2 2025", "Change"],
        ["Agriculture", "412.6", "405.1", "-7.5"],
        ["Manufacturing", "1,884.0", "1,902.3", "18.3"],
        ["Construction", "731.9", "733.0", "1.1"],
        ["Trade and repair", "1,296.4", "1,318.8", "22.4"],
        ["Transport", "544.7", "561.2", "16.5"],
        ["Finance and insurance", "289.3", "296.0", "6.7"],
        ["Public administration", "615.0", "621.4", "6.4"],
        ["Education and health", "1,402.2", "1,447.9", "45.7"],
        ["Other services (2)", "498.5", "507.6", "9.1"],
    ]
    y = 1200
    d.rectangle((200, y, 1460, y + 80), fill=(208, 208, 208))
    for text, col in zip(rows[0], cols, strict=True):
        put(d, col, y + 20, text, fb)
    y += 80
    for row in rows[1:]:
        for text, col in zip(row, cols, strict=True):
            put(d, col, y + 18, text, f)
        y += 76
        d.line((200, y, 1460, y), fill=(205, 205, 205), width=2)
    picture = chart(820, 900, 200, kind="barh", title="Change on a year earlier",
                    categories=["Agric.", "Manuf.", "Constr.", "Trade", "Transp.", "Finance", "Public", "Educ.", "Other"],
                    series=[("thousands", [-7.5, 18.3, 1.1, 22.4, 16.5, 6.7, 6.4, 45.7, 9.1])],
                    xlabel="thousands", font_size=10)
    img.paste(picture, (1520, 1160))
    y += 40
    for i, note in enumerate(["(1) Persons aged 15 and over, seasonally adjusted; figures may not add up due to rounding.",
                              "(2) Includes arts, entertainment, households as employers and extraterritorial bodies.",
                              "Source: Labour Force Survey, National Statistics Office."]):
        d.text((200, y + i * 46), note, font=small, fill=GREY)
    y += 200
    for c, x in enumerate((200, 1280)):
        lines = wrap(LOREM_2 if c == 0 else LOREM, f, colw)
        for i, line in enumerate(lines[: 10 - 3 * c]):
            d.text((x, y + i * 56), line, font=f, fill=INK)
    d.line((200, 3290, 2280, 3290), fill=(150, 150, 150), width=2)
    d.text((1200, 3320), "12", font=small, fill=GREY)
    save(out, "statistical_bulletin", img, rows)


def bullets_page(out: Path) -> None:
    """A memo page: heading, bullet points (some with a number after a dash), a small table."""
    img = Image.new("RGB", (1240, 1300), "white")
    d = ImageDraw.Draw(img)
    f, fb = font("sans", 22), font("sans-bold", 22)
    d.text((80, 60), "Warehouse move - status", font=font("sans-bold", 34), fill=INK)
    bullets = ["Racking in hall B installed and inspected - 96 bays",
               "Forklift training finished for the night shift",
               "Open items: dock door 4 sensor, label printer network",
               "Next review: Friday 10:00, room 2.14"]
    for i, text in enumerate(bullets):
        d.ellipse((92, 146 + i * 44, 102, 156 + i * 44), fill=INK)
        d.text((120, 138 + i * 44), text, font=f, fill=INK)
    d.text((80, 340), "Pallet locations moved so far:", font=fb, fill=INK)
    cols = [Column(90, 260), Column(400, 180, "right"), Column(620, 180, "right"), Column(840, 220)]
    rows = [
        ["Zone", "Planned", "Moved", "Owner"],
        ["Bulk A", "1,200", "1,180", "K. Brandt"],
        ["Bulk B", "950", "612", "L. Osei"],
        ["Picking", "2,400", "2,400", "M. Duval"],
        ["Cold store", "300", "45", "N. Ito"],
        ["Returns", "180", "180", "K. Brandt"],
    ]
    y = draw_rows(d, cols, rows[:1], 400, fb, pad=10, wrap_cells=False)
    d.line((80, y, 1080, y), fill=INK, width=2)
    draw_rows(d, cols, rows[1:], y + 4, f, pad=10, rule=(210, 210, 210), rule_x=(80, 1080), wrap_cells=False)
    more = ["Cold store waits for the new compressor (delivery week 19).",
            "Bulk B continues on Monday with two extra drivers;",
            "  returns are done and signed off."]
    for i, text in enumerate(more):
        if not text.startswith("  "):
            d.ellipse((92, 768 + i * 44, 102, 778 + i * 44), fill=INK)
        d.text((120, 760 + i * 44), text.strip(), font=f, fill=INK)
    d.text((80, 1200), "Prepared by the logistics office - internal", font=font("sans", 17), fill=GREY)
    save(out, "bullets_memo", img, rows)


def slide(out: Path) -> None:
    """A 16:9 presentation slide: coloured title bar, bullets on the left, a table and a chart."""
    img = Image.new("RGB", (1920, 1080), (250, 250, 250))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 1920, 150), fill=(0, 84, 147))
    d.text((80, 45), "Q3 results at a glance", font=font("sans-bold", 60), fill=(255, 255, 255))
    f, fb = font("sans", 30), font("sans-bold", 30)
    for i, text in enumerate(["Revenue up 8% on Q2", "Two new regions live", "Churn below 2%"]):
        d.ellipse((90, 222 + i * 70, 104, 236 + i * 70), fill=(0, 84, 147))
        d.text((125, 210 + i * 70), text, font=f, fill=INK)
    cols = [Column(100, 260), Column(380, 180, "right"), Column(580, 180, "right")]
    rows = [
        ["Region", "Q2", "Q3"],
        ["Nordics", "4.1", "4.6"],
        ["DACH", "6.3", "6.8"],
        ["Benelux", "2.2", "2.5"],
        ["Iberia", "1.4", "1.6"],
    ]
    y = draw_rows(d, cols, rows[:1], 480, fb, pad=12, wrap_cells=False)
    d.line((90, y, 780, y), fill=(0, 84, 147), width=3)
    draw_rows(d, cols, rows[1:], y + 4, f, pad=12, wrap_cells=False)
    picture = chart(900, 720, 120, kind="line", title="Revenue, EUR m",
                    categories=["Q4", "Q1", "Q2", "Q3"],
                    series=[("Nordics", [3.6, 3.9, 4.1, 4.6]), ("DACH", [5.8, 6.0, 6.3, 6.8])], font_size=12)
    img.paste(picture, (940, 220))
    d.text((80, 1020), "Confidential - for internal use only", font=font("sans", 20), fill=GREY)
    d.text((1780, 1020), "7", font=font("sans", 20), fill=GREY)
    save(out, "slide_results", img, rows)


def photo_table(out: Path) -> None:
    """A phone photo of a printed price list: slight perspective, uneven light, blur, noise, JPEG."""
    img = Image.new("RGB", (1500, 1100), (246, 244, 238))
    d = ImageDraw.Draw(img)
    f, fb = font("serif", 26), font("serif-bold", 26)
    d.text((120, 80), "Garden centre - price list", font=font("serif-bold", 38), fill=INK)
    d.text((120, 135), "Valid from 1 May. Prices include VAT.", font=font("serif", 22), fill=GREY)
    cols = [Column(130, 120), Column(290, 520), Column(850, 160, "right"), Column(1070, 250, "right")]
    rows = [
        ["Code", "Plant", "Pot cm", "Price"],
        ["P-101", "Lavender, English", "12", "4.50"],
        ["P-118", "Rosemary, upright", "14", "5.90"],
        ["P-131", "Hydrangea, white", "19", "17.50"],
        ["P-147", "Japanese maple", "24", "39.00"],
        ["P-152", "Boxwood ball", "22", "29.90"],
        ["P-166", "Climbing rose, red", "17", "14.90"],
    ]
    y = draw_rows(d, cols, rows[:1], 220, fb, pad=14, wrap_cells=False)
    d.line((110, y, 1340, y), fill=INK, width=3)
    draw_rows(d, cols, rows[1:], y + 6, f, pad=14, rule=(170, 170, 170), rule_x=(110, 1340), wrap_cells=False)
    gray = img.convert("L")
    w, h = gray.size
    # A slight keystone: the top edge a little narrower, as when the phone leans back.
    gray = gray.transform((w, h), Image.Transform.QUAD, (12, 0, 0, h, w, h, w - 12, 0),
                          resample=Image.Resampling.BICUBIC, fillcolor=235)
    gray = gray.rotate(-1.2, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=90)
    light = Image.linear_gradient("L").rotate(90).resize(gray.size)
    gray = Image.composite(gray, Image.eval(gray, lambda v: int(v * 0.78)), light)
    gray = gray.filter(ImageFilter.GaussianBlur(1.1))
    rng = random.Random(24)
    px = gray.load()
    gw, gh = gray.size
    for _ in range(20000):
        x, yy = rng.randrange(gw), rng.randrange(gh)
        px[x, yy] = max(0, min(255, px[x, yy] + rng.randint(-40, 40)))  # type: ignore[index,operator]
    buf = io.BytesIO()
    gray.save(buf, "JPEG", quality=60)
    save(out, "photo_price_list", Image.open(io.BytesIO(buf.getvalue())), rows, fmt="JPEG")


def chart_only(out: Path) -> None:
    """A chart exported on its own (what the issue's charts were): no table in it at all."""
    picture = chart(1000, 700, 100, title="Votes by colour", categories=["Blue", "Green", "Red"],
                    series=[("2024", [64, 81, 47]), ("2025", [72, 77, 58])], ylabel="Share of votes (%)",
                    xlabel="Colour")
    save(out, "chart_votes", picture, [])


MAKERS = (invoice_items, invoice_wrapped, web_table, web_table_narrow, statement_viewer, statement_light,
          zebra_report, zebra_web, form, form_grid, german_invoice, scanned, scanned_ruled)
"""The first set, tuned against for recall (issue 14)."""
PRECISION_MAKERS = (report_pdf, balance_band, statistical_report, bullets_page, slide, photo_table, chart_only)
"""Pages with text and graphics around their tables, tuned against for precision (issue 24)."""


# --- Held out (issue 24): drawn after the engine was tuned, never tuned against -----------------

def holdout_price_report(out: Path) -> None:
    """An energy price report page: a pie chart above, a table with a grey band and zebra rows
    below, a sidebar of notes in small type to its right, a footer."""
    img = Image.new("RGB", (1654, 2339), "white")
    d = ImageDraw.Draw(img)
    f, fb, small = font("sans", 27), font("sans-bold", 27), font("sans", 21)
    d.text((130, 110), "Household energy prices - March 2026", font=font("sans-bold", 44), fill=INK)
    d.text((130, 175), "Prices per kWh including taxes; survey of 14 suppliers.", font=f, fill=GREY)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=130)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.pie([41, 27, 18, 14], labels=["Energy", "Network", "Taxes", "Levies"], autopct="%1.0f%%")
    ax.set_title("What a kWh pays for")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130)
    with Image.open(io.BytesIO(buf.getvalue())) as pie:
        img.paste(pie.convert("RGB"), (130, 260))
    cols = [Column(150, 380), Column(560, 200, "right"), Column(790, 200, "right"), Column(1020, 160, "right")]
    rows = [
        ["Supplier", "Base EUR/kWh", "Green EUR/kWh", "Change %"],
        ["Nordwerk Energie", "0.312", "0.334", "-2.1"],
        ["Stadtwerke Alsen", "0.298", "0.319", "-0.7"],
        ["Rheinstrom", "0.327", "0.341", "1.2"],
        ["Havel Power", "0.305", "0.305", "0.0"],
        ["Sudlicht", "0.289", "0.312", "-3.4"],
        ["Bergmann & Sohn", "0.334", "0.352", "2.6"],
    ]
    y = 860
    d.rectangle((130, y, 1200, y + 64), fill=(215, 218, 222))
    for text, col in zip(rows[0], cols, strict=True):
        put(d, col, y + 17, text, fb)
    y = draw_rows(d, cols, rows[1:], y + 64, f, pad=16, zebra=(242, 243, 245), rule_x=(130, 1200), wrap_cells=False)
    d.line((130, y, 1200, y), fill=(190, 190, 190), width=2)
    for i, line in enumerate(wrap("Notes. Base is the supplier's standard tariff; green is its "
                                  "certified renewable tariff. Change is against February.", small, 320)):
        d.text((1260, 880 + i * 30), line, font=small, fill=GREY)
    d.text((130, y + 40), "Source: price survey of the consumer office.", font=small, fill=GREY)
    d.text((780, 2230), "- 5 -", font=small, fill=GREY)
    save(out, "holdout_energy_prices", img, rows)


def holdout_minutes(out: Path) -> None:
    """Meeting minutes: numbered paragraphs, a short action table ruled at top and bottom only,
    a signature line and a two-column list of attendees that is not a table of data."""
    img = Image.new("RGB", (1240, 1754), "white")
    d = ImageDraw.Draw(img)
    f, fb = font("serif", 23), font("serif-bold", 23)
    d.text((100, 90), "Minutes of the facilities committee", font=font("serif-bold", 34), fill=INK)
    d.text((100, 140), "Held on 4 February 2026 in room 3.02", font=f, fill=GREY)
    paras = ["1. The chair opened the meeting at 14:00 and the minutes of the last meeting were approved "
             "without changes.",
             "2. The heating contract runs out in June; three offers were received and are compared "
             "in the table below."]
    y = 210
    for para in paras:
        for line in wrap(para, f, 1040):
            d.text((100, y), line, font=f, fill=INK)
            y += 32
        y += 18
    cols = [Column(110, 330), Column(470, 200, "right"), Column(700, 180, "right"), Column(910, 220)]
    rows = [
        ["Offer", "Price per year", "Term years", "Response time"],
        ["ThermoServ GmbH", "18,400", "3", "4 hours"],
        ["Kessel & Partner", "16,950", "5", "next day"],
        ["Warmhaus AG", "19,100", "2", "2 hours"],
    ]
    y += 20
    d.line((100, y, 1140, y), fill=INK, width=2)
    y = draw_rows(d, cols, rows[:1], y + 4, fb, pad=10, wrap_cells=False)
    d.line((100, y, 1140, y), fill=INK, width=1)
    y = draw_rows(d, cols, rows[1:], y + 4, f, pad=10, wrap_cells=False)
    d.line((100, y, 1140, y), fill=INK, width=2)
    y += 40
    for line in wrap("3. The committee chose Kessel & Partner; the office will sign the contract "
                     "before the end of March.", f, 1040):
        d.text((100, y), line, font=f, fill=INK)
        y += 32
    y += 40
    d.text((100, y), "Present:", font=fb, fill=INK)
    for i, (a, b) in enumerate([("A. Fischer (chair)", "D. Meyer"), ("B. Schulz", "E. Wagner"),
                                ("C. Koch", "F. Becker (minutes)")]):
        d.text((260, y + i * 34), a, font=f, fill=INK)
        d.text((640, y + i * 34), b, font=f, fill=INK)
    d.text((100, 1640), "Page 1 of 1", font=font("serif", 18), fill=GREY)
    save(out, "holdout_minutes", img, rows)


HOLDOUT_DIR = Path(__file__).resolve().parents[1] / "bench" / "holdout_samples"
HOLDOUT_MAKERS = (holdout_price_report, holdout_minutes)


def main(argv: list[str]) -> int:
    """Draw the harder set into OUT_DIR, or with ``--holdout`` the held-out pages into theirs."""
    holdout = "--holdout" in argv
    args = [a for a in argv if a != "--holdout"]
    out = Path(args[0]) if args else HOLDOUT_DIR if holdout else OUT_DIR
    makers = HOLDOUT_MAKERS if holdout else MAKERS + PRECISION_MAKERS
    for make in makers:
        make(out)
    print(f"Wrote {len(makers)} documents with ground truth to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

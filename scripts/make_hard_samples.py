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

Usage: ``python scripts/make_hard_samples.py [OUT_DIR]`` (default: bench/hard_samples).
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


def save(out: Path, stem: str, image: Image.Image, rows: Sequence[Sequence[str]], fmt: str = "PNG") -> None:
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".jpg" if fmt == "JPEG" else ".png"
    buf = io.BytesIO()
    if fmt == "JPEG":
        image.convert("L").save(buf, "JPEG", quality=72)
    else:
        image.convert("L").save(buf, "PNG", optimize=True)
    (out / f"{stem}{suffix}").write_bytes(buf.getvalue())
    with (out / f"{stem}.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


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
    save(out, "invoice_borderless", img, rows)


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
    save(out, "invoice_wrapped", img, rows)


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
    save(out, "german_invoice", img, rows)


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


MAKERS = (invoice_items, invoice_wrapped, web_table, web_table_narrow, statement_viewer, statement_light,
          zebra_report, zebra_web, form, form_grid, german_invoice, scanned, scanned_ruled)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT_DIR
    for make in MAKERS:
        make(out)
    print(f"Wrote {len(MAKERS)} images with ground truth to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Regenerate the bundled sample table images and their ground-truth CSVs.

The samples are the emulator's fixtures and the ground truth of the local engine's tests and
bench, so they must come out byte-identical on any machine: the text is drawn with Pillow's
built-in scalable font (no system fonts), and every bit of noise comes from a seeded generator.

Usage: ``python scripts/make_samples.py [OUT_DIR]`` (default: aspose_ocr_provider/samples).
"""

from __future__ import annotations

import csv
import io
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT_DIR = Path(__file__).resolve().parents[1] / "aspose_ocr_provider" / "samples"
FONT_SIZE = 22
PAD_X = 14
ROW_H = 40
MARGIN = 40
INK = 20
PAPER = 250


@dataclass
class Spec:
    """One table to draw: rows (header first), which columns are right-aligned, and the style."""

    rows: list[list[str]]
    ruled: bool = True
    zebra: bool = False
    right: set[int] = field(default_factory=set)
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Merged cells as (row, col, row_span, col_span); the text sits in the top-left cell."""
    title: str | None = None
    col_gap: int = 0


def font(bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=FONT_SIZE)


def col_widths(spec: Spec) -> list[int]:
    f = font()
    n = max(len(r) for r in spec.rows)
    widths = [0] * n
    covered = {
        (r + dr, c + dc) for r, c, rs, cs in spec.spans for dr in range(rs) for dc in range(cs) if cs > 1
    }
    for r, row in enumerate(spec.rows):
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            widths[c] = max(widths[c], int(f.getlength(text)) + 2 * PAD_X)
    return [max(w, 60) + spec.col_gap for w in widths]


def table_size(spec: Spec) -> tuple[int, int]:
    title_h = ROW_H if spec.title else 0
    return sum(col_widths(spec)), len(spec.rows) * ROW_H + title_h


def draw_table(draw: ImageDraw.ImageDraw, spec: Spec, x0: int, y0: int) -> None:
    f = font()
    widths = col_widths(spec)
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    if spec.title:
        draw.text((x0, y0 + 6), spec.title, font=f, fill=INK)
        y0 += ROW_H
    ys = [y0 + i * ROW_H for i in range(len(spec.rows) + 1)]
    if spec.zebra:
        for r in range(1, len(spec.rows)):
            if r % 2 == 0:
                draw.rectangle([xs[0], ys[r], xs[-1], ys[r + 1]], fill=228)
    owner: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for r, c, rs, cs in spec.spans:
        for dr in range(rs):
            for dc in range(cs):
                owner[(r + dr, c + dc)] = (r, c, rs, cs)
    if spec.ruled:
        draw.rectangle([xs[0], ys[0], xs[-1], ys[-1]], outline=INK, width=2)
        for r in range(1, len(spec.rows)):
            for c in range(len(widths)):
                above, below = owner.get((r - 1, c)), owner.get((r, c))
                if above is None or above != below:
                    draw.line([xs[c], ys[r], xs[c + 1], ys[r]], fill=INK, width=2 if r == 1 else 1)
        for c in range(1, len(widths)):
            for r in range(len(spec.rows)):
                left, right = owner.get((r, c - 1)), owner.get((r, c))
                if left is None or left != right:
                    draw.line([xs[c], ys[r], xs[c], ys[r + 1]], fill=INK, width=1)
    else:
        draw.line([xs[0], ys[1] - 2, xs[-1], ys[1] - 2], fill=INK, width=1)
    for r, row in enumerate(spec.rows):
        for c, text in enumerate(row):
            if not text:
                continue
            span = owner.get((r, c))
            rs, cs = (span[2], span[3]) if span else (1, 1)
            left, right_edge = xs[c], xs[c + cs]
            top, bottom = ys[r], ys[r + rs]
            tw = f.getlength(text)
            if span and cs > 1:
                tx = (left + right_edge - tw) / 2
            elif c in spec.right:
                tx = right_edge - PAD_X - tw - spec.col_gap / 2
            else:
                tx = left + PAD_X + spec.col_gap / 2
            ty = (top + bottom) / 2 - FONT_SIZE / 2 - 2
            draw.text((tx, ty), text, font=f, fill=INK)


def render(tables: list[Spec], *, angle: float = 0.0, noise: float = 0.0, seed: int = 0) -> Image.Image:
    sizes = [table_size(t) for t in tables]
    width = max(w for w, _ in sizes) + 2 * MARGIN
    height = sum(h for _, h in sizes) + 2 * MARGIN + (len(tables) - 1) * 70
    img = Image.new("L", (width, height), PAPER)
    draw = ImageDraw.Draw(img)
    y = MARGIN
    for spec, (_, h) in zip(tables, sizes, strict=True):
        draw_table(draw, spec, MARGIN, y)
        y += h + 70
    if angle:
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=PAPER)
    if noise:
        rng = random.Random(seed)
        px = img.load()
        assert px is not None
        w, h = img.size
        for _ in range(int(w * h * noise)):
            x, yy = rng.randrange(w), rng.randrange(h)
            px[x, yy] = rng.choice((INK + 40, 120, 200))
        img = img.filter(ImageFilter.GaussianBlur(0.6))
    return img


def money(v: float) -> str:
    return f"${v:,.2f}"


def samples() -> dict[str, tuple[list[Spec], dict[str, float]]]:
    rng = random.Random(7)
    products = ["Widget", "Gadget", "Sprocket", "Flange", "Bracket", "Gasket", "Spindle", "Valve"]
    invoice = [["Item", "Qty", "Unit Price", "Amount"]]
    for p in products[:6]:
        q = rng.randint(1, 2400)
        u = rng.randint(100, 99999) / 100
        invoice.append([p, f"{q:,}", money(u), money(q * u)])

    cities = ["Berlin", "Madrid", "Lisbon", "Oslo", "Vienna", "Prague", "Dublin", "Warsaw"]
    zebra = [["City", "Population", "Area km2", "Founded"]]
    for c in cities:
        zebra.append(
            [
                c,
                f"{rng.randint(200_000, 3_900_000):,}",
                f"{rng.randint(80, 900):,}",
                str(rng.randint(800, 1400)),
            ]
        )

    merged = [
        ["Region", "Sales 2025", "", "Growth"],
        ["", "H1", "H2", ""],
    ]
    for r in ["North", "South", "East", "West", "Central"]:
        merged.append(
            [
                r,
                f"{rng.randint(10_000, 99_999):,}",
                f"{rng.randint(10_000, 99_999):,}",
                f"{rng.randint(-9, 25)}%",
            ]
        )

    rotated = [["Date", "Account", "Debit", "Credit"]]
    for d in range(1, 7):
        rotated.append(
            [
                f"2025-03-{d * 4:02d}",
                f"ACC-{rng.randint(1000, 9999)}",
                money(rng.randint(100, 500000) / 100),
                money(rng.randint(100, 90000) / 100),
            ]
        )

    staff = [["Employee", "Department", "Salary", "Start"]]
    names = ["Alice Brown", "Omar Haddad", "Mei Chen", "Lars Olsen", "Ines Costa", "Tom Becker", "Sara Novak"]
    depts = ["Finance", "Sales", "Research", "Support", "Legal"]
    for n in names:
        staff.append(
            [n, rng.choice(depts), money(rng.randint(38_000, 140_000)), f"{rng.randint(2010, 2025)}"]
        )

    stock = [["Ticker", "Open", "Close", "Volume"]]
    for t in ["ACME", "BOLT", "CRUX", "DYNA", "EVRA", "FLUX", "GRID", "HALO"]:
        o = rng.randint(1000, 50000) / 100
        stock.append(
            [t, f"{o:,.2f}", f"{o * rng.uniform(0.9, 1.1):,.2f}", f"{rng.randint(10_000, 9_000_000):,}"]
        )

    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]
    wide = [["Store", *months]]
    for s in ["Alpha", "Bravo", "Delta", "Echo", "Kilo"]:
        wide.append([s, *(f"{rng.randint(100, 9999):,}" for _ in months)])

    noisy = [["Code", "Description", "Price", "Stock"]]
    for code, desc in [
        ("A-101", "Copper wire"),
        ("B-220", "Steel bolt"),
        ("C-305", "Rubber seal"),
        ("D-410", "Brass hinge"),
        ("E-512", "Nylon strap"),
        ("F-618", "Glass fuse"),
    ]:
        noisy.append([code, desc, money(rng.randint(50, 250000) / 100), f"{rng.randint(0, 12000):,}"])

    first = [["Team", "Wins", "Losses"]]
    for t in ["Falcons", "Rovers", "Titans", "Comets"]:
        first.append([t, str(rng.randint(0, 30)), str(rng.randint(0, 30))])
    second = [["Player", "Goals", "Assists"]]
    for p in ["Jonas", "Pedro", "Kenji", "Liam", "Yusuf"]:
        second.append([p, str(rng.randint(0, 40)), str(rng.randint(0, 40))])

    return {
        "ruled_invoice": ([Spec(invoice, right={1, 2, 3})], {}),
        "ruled_zebra": ([Spec(zebra, zebra=True, right={1, 2, 3})], {}),
        "ruled_merged_header": (
            [Spec(merged, right={1, 2, 3}, spans=[(0, 0, 2, 1), (0, 1, 1, 2), (0, 3, 2, 1)])],
            {},
        ),
        "ruled_rotated": ([Spec(rotated, right={2, 3})], {"angle": 2.5}),
        "ruled_two_tables": ([Spec(first, right={1, 2}), Spec(second, right={1, 2})], {}),
        "unruled_staff": ([Spec(staff, ruled=False, right={2}, col_gap=40)], {}),
        "unruled_zebra": ([Spec(stock, ruled=False, zebra=True, right={1, 2, 3}, col_gap=40)], {}),
        "unruled_wide": ([Spec(wide, ruled=False, right=set(range(1, 10)), col_gap=30)], {}),
        "unruled_noisy": ([Spec(noisy, ruled=False, right={2, 3}, col_gap=40)], {"noise": 0.004, "seed": 11}),
    }


def write_csv(path: Path, tables: list[Spec]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for i, spec in enumerate(tables):
        if i:
            buf.write("\n")
        writer.writerows(spec.rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    for stem, (tables, style) in samples().items():
        img = render(
            tables,
            angle=float(style.get("angle", 0.0)),
            noise=float(style.get("noise", 0.0)),
            seed=int(style.get("seed", 0)),
        )
        img.save(out / f"{stem}.png", optimize=True)
        write_csv(out / f"{stem}.csv", tables)
        print(f"{stem}: {img.size[0]}x{img.size[1]}, {(out / f'{stem}.png').stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

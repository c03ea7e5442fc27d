"""Tables of real kinds of documents, as Aspose.OCR Cloud's CSV returns them (the shapes issue 32
met on a scanned invoice, a bank statement photo and a German receipt): wrapped lines, totals
and amounts where row detection put them. The emulator adds the ``0,1,2,...`` row the cloud puts
before each table."""

from __future__ import annotations

INVOICE_CSV = """\
Description,Qty,Unit Price,Total
Bible,1,20.00,20.00
Emancipation,2,5.00,10.00
Proclamation,,,
Fountain pen,3,4.00,12.00
,,TOTAL DUE,42.00
"""
"""A two-line article name whose second line is a row of its own, and a total whose label sits
in the unit price column."""

CENTRED_CSV = """\
Description,Qty,Unit Price,Total
Emancipation,,,
Proclamation,2,5.00,10.00
Bible,1,20.00,20.00
"""
"""Vertically centred rows: the wrapped name's first line sits in a row of its own, above."""

BANK_ROWS = [
    ["Particulars", "Previous Quarter Ending (2078 Asoj End) 3,787,113.71",
     "Corresponding Previous Year Quarter Ending (2077 Paush End) 2,979,354.20"],
    ["Share Capital", "", ""],
    ["Reserves", "998,210.55", "1,204,330.10"],
    ["Deposits", "120,000.00", "135,500.00"],
]  # fmt: skip
"""The header cells hold the first row's amounts; that row came out empty."""

RECEIPT_ROWS = [
    ["Artikel", "Menge", "Preis"],
    ["Kaffee", "2", "19,90 €"],
    ["Milch", "1", "1,29 €"],
    ["Papier", "4", "1.234,56 €"],
    ["Zwischensumme (inkl. MwSt.)", "", "1.255,75 €"],
]
"""A German receipt: decimal commas, a euro sign after the amount, a Zwischensumme line."""

LAYOUTS = [
    [["Sample", "Result", "Unit"], ["A-1", "7.2", "pH"], ["A-2", "6.9", "pH"]],
    [["Water Sample", "Result", "Units"], ["B-1", "12.5", "mg/L"]],
    [["SAMPLE", "Resuit", "Unit", "Analyst"], ["C-1", "0.4", "mg/L", "Ann Lee"]],
    [["Sample", "Result", "Unit", "Method", "Date"], ["D-1", "3.3", "NTU", "ISO 7027", "2025-03-04"]],
]
"""Four layouts of one kind of document (lab reports): a renamed header, an OCR slip
(``Resuit``), a case variant, and new columns."""

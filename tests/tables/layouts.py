"""Table layouts found in real documents that once read wrong, as the OCR returns their rows."""

from __future__ import annotations

WEB_HEADER = ["Customer ID", "User", "Joined", "Status", "", "Actions"]
"""A web table: the plan column has no title, the actions column holds icons (no text) in every row."""
WEB_ROWS = [
    [
        f"#{1006 + i}",
        f"{name} {name.split()[0].lower()}@shuffle.dev",
        f"09/{4 + i:02d}/2021",
        status,
        plan,
        "",
    ]
    for i, (name, status, plan) in enumerate(
        [
            ("John Smith", "Paid", "Monthly Subscription"),
            ("Ana Lopez", "Paid", "Annual Subscription"),
            ("Wei Chen", "Unpaid", "Monthly Subscription"),
        ]
        * 5
    )
]
BALANCE = [
    ["(Rs. in '000)", "", ""],
    ["", "Previous Corresponding Quarter Previous Year Ending", "Previous Quarter Ending 2078 Asoj End"],
    # Lakh grouping, as the statement prints it: no number grammar reads it, yet it is a value.
    ["Share Capital", "", "37,87,113.71"],
    ["Reserves", "9,98,210.55", "12,04,330.10"],
    ["Deposits", "1,20,000.00", "1,35,500.00"],
]

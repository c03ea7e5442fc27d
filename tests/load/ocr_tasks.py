"""Put tables into the emulator and get task ids for them, over real HTTP (no hook involved)."""

from __future__ import annotations

import csv
import io
import json
import os
import urllib.parse
import urllib.request
from collections.abc import Sequence

from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TOKEN_PATH, recognize_table_body


def fake_png() -> bytes:
    """Bytes the service takes for a PNG; the emulator's fixtures engine knows them by hash."""
    return b"\x89PNG\r\n\x1a\n" + os.urandom(24)


def tables_csv(*tables: Sequence[Sequence[str]]) -> str:
    """A fixture CSV: the tables' rows, a blank line between tables (no index row)."""
    out = io.StringIO()
    for i, table in enumerate(tables):
        if i:
            out.write("\n")
        csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue()


def submit(emu: object, *tables: Sequence[Sequence[str]]) -> str:
    """Teach the emulator a new image holding ``tables``, submit it, wait until it is recognised."""
    image = fake_png()
    emu.add_fixture(image, tables_csv(*tables))  # type: ignore[attr-defined]
    return submit_image(emu, image)


def submit_image(emu: object, image: bytes) -> str:
    """Submit image bytes the emulator already knows; return the task id once it is recognised."""
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": emu.client_id, "client_secret": emu.client_secret}  # type: ignore[attr-defined]
    ).encode()
    with urllib.request.urlopen(urllib.request.Request(emu.url + TOKEN_PATH, data=form), timeout=10) as resp:  # type: ignore[attr-defined]
        token = json.load(resp)["access_token"]
    request = urllib.request.Request(
        emu.url + RECOGNIZE_TABLE_PATH,  # type: ignore[attr-defined]
        data=json.dumps(recognize_table_body(image)).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        task_id = resp.read().decode().strip().strip('"')
    emu.wait_idle()  # type: ignore[attr-defined]
    return task_id

"""The local engine never opens a socket: every model comes from a file inside its wheel.

Checked in a fresh interpreter, so the models really load there (a process-wide model already
loaded by another test would prove nothing): every way Python opens a network connection or looks
up a host is replaced by one that records the attempt and fails, then the engine is built and
reads a page that takes every stage (orientation, layout, structure model, OCR).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

GUARDED_RUN = r"""
import json, socket, sys
attempts = []
def refuse(what):
    def call(*args, **kwargs):
        attempts.append(what + " " + repr(args[1:2] if what.startswith("socket.") else args[:1]))
        raise OSError("network use refused by the test: " + what)
    return call
socket.socket.connect = refuse("socket.connect")
socket.socket.connect_ex = refuse("socket.connect_ex")
socket.create_connection = refuse("create_connection")
socket.getaddrinfo = refuse("getaddrinfo")

sys.path.insert(0, sys.argv[1])
from aspose_ocr_provider.emulator.engines import local_models
from aspose_ocr_provider.emulator.engines.local import LocalTableEngine
from aspose_ocr_provider.models import TableSettings
from tests.local_engine.drawn_pages import band_table, turned

tables = LocalTableEngine().recognize(turned(band_table(), 90), TableSettings())
from aspose_ocr_provider.emulator.engines.local_cells import fill
from aspose_ocr_provider.emulator.engines.local_table_model import predict_cells
import cv2, numpy as np
gray = cv2.imdecode(np.frombuffer(band_table(), np.uint8), cv2.IMREAD_GRAYSCALE)
cells = predict_cells(gray[150:620, 50:1050])
print(json.dumps({"attempts": attempts, "loaded": sorted(local_models._models), "cells": len(cells),
                  "tables": [[list(r) for r in t.rows] for t in tables]}))
"""


def test_the_engine_opens_no_socket_while_loading_models_and_reading() -> None:
    done = subprocess.run(
        [sys.executable, "-c", GUARDED_RUN, str(REPO)], capture_output=True, text=True, timeout=280, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["attempts"] == []
    assert report["loaded"] == ["layout", "orientation", "table"]
    assert report["cells"] > 0
    assert report["tables"] and report["tables"][0][0] == ["Region", "Orders", "Shipped", "Returned"]

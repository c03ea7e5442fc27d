"""Bad inputs through the example DAG: each gets a clear error naming the file, or loads correctly.

Input files are checked by the submit task before anything is paid for; what the service sends
back (empty, header-only, one-column, 500-column tables, duplicated and unicode headers) must
load as the ground-truth CSV says; results no client could read (invalid base64, CSV that is not
UTF-8) must fail the load naming the image and leave the warehouse untouched.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from airflow.utils.state import DagRunState
from PIL import Image

from aspose_ocr_provider.emulator.app import create_app
from aspose_ocr_provider.emulator.config import EmulatorConfig
from aspose_ocr_provider.emulator.engines.base import RecognitionError, Table
from aspose_ocr_provider.emulator.engines.fixtures import FixturesEngine
from aspose_ocr_provider.emulator.state import EmulatorState
from aspose_ocr_provider.emulator.testing import EmulatorHandle, _ServerThread, run_emulator
from aspose_ocr_provider.models import RECOGNIZE_TABLE_PATH, TableSettings
from tests.airflow_runs import task_states, xcom
from tests.faults.images import FaultImages, png
from tests.ground_truth import assert_exactly_once, sqlite_rows


def _run(dag: Any, folder: Path) -> Any:
    return dag.test(run_conf={"images_folder": folder.as_uri()})


class DecodingEngine(FixturesEngine):
    """The fixtures engine, but an image that does not decode fails its task, as a real OCR would."""

    def recognize(self, image: bytes, settings: TableSettings) -> list[Table]:
        try:
            Image.open(io.BytesIO(image)).load()
        except Exception as exc:
            raise RecognitionError(f"Image cannot be decoded: {exc}") from None
        return super().recognize(image, settings)


def test_bad_files_are_refused_before_anything_is_paid(
    example_dag: Any, images: FaultImages, warehouse: Path, connect: Any, failures: Any
) -> None:
    noise = io.BytesIO()
    Image.effect_noise((96, 96), 64).save(noise, format="PNG")
    example_dag.get_task("submit").max_image_bytes = 4096
    assert len(noise.getvalue()) > 4096
    (images.folder / "empty.png").write_bytes(b"")
    (images.folder / "notes.png").write_bytes(b"date,amount\n2026-01-01,3\n")
    (images.folder / "huge.png").write_bytes(noise.getvalue())
    with run_emulator() as emu:
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images.folder)
        posts = emu.count("POST", RECOGNIZE_TABLE_PATH)

    assert run.state == DagRunState.FAILED
    assert posts == 0, "a bad batch must cost nothing"
    message = failures.text("submit")
    lines = {name: [ln for ln in message.splitlines() if name in ln] for name in ("empty", "notes", "huge")}
    assert all(lines.values()), f"every bad file is named: {message}"
    assert "is empty (0 bytes)" in lines["empty"][0]
    assert "not an image format" in lines["notes"][0]
    assert "over the limit of 4,096 bytes" in lines["huge"][0]
    assert sqlite_rows(warehouse).empty


def test_corrupt_image_fails_naming_the_image_and_the_service_message(
    example_dag: Any, images: FaultImages, warehouse: Path, connect: Any, failures: Any
) -> None:
    good = png(7)
    corrupt = images.add("torn.png", good[: len(good) // 2], "a,b\n1,2\n")
    with run_emulator(engine=DecodingEngine(images.folder)) as emu:
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images.folder)

    assert run.state == DagRunState.FAILED
    message = failures.text("wait_for_ocr")
    line = next(ln for ln in message.splitlines() if corrupt.name in ln)
    assert "Error: Image cannot be decoded" in line and str(corrupt) in line
    assert task_states(run)["load"][0] == "upstream_failed"
    assert sqlite_rows(warehouse).empty


def test_odd_but_valid_tables_load_exactly_as_written(
    example_dag: Any, tmp_path: Path, warehouse: Path, connect: Any
) -> None:
    wide_header = ",".join(f"c{i}" for i in range(500))
    wide_rows = "\n".join(",".join(str(r * 1000 + i) for i in range(500)) for r in range(3))
    images = FaultImages(tmp_path / "odd")
    images.folder.mkdir()
    images.add("one-column.png", png(1), "city\nLyon\nGraz\nTurku\n")
    images.add("wide.png", png(2), f"{wide_header}\n{wide_rows}\n")
    images.add("dupes.png", png(3), "qty,qty,Qty,,price\n1,2,3,4,5.5\n6,7,8,9,10.5\n")
    images.add("unicode.png", png(4), "Größe,价格 (¥),Ünïcode ✓,naïve café\nL,12,ja,oui\nS,9,nein,non\n")
    images.add("header-only.png", png(5), "item,qty,price\n")
    images.add("no-table.png", png(6), "")
    with run_emulator() as emu:
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images.folder)

    assert run.state == DagRunState.SUCCESS
    report = xcom(run, "load")
    loaded = sqlite_rows(warehouse)
    with_rows = {k: v for k, v in images.csv.items() if k not in ("header-only.png", "no-table.png")}
    assert_exactly_once(loaded, run.run_id, with_rows)
    per_image = {src.rsplit("/", 1)[-1]: n for src, n in report["rows_per_source"].items()}
    assert per_image["header-only.png"] == 0 and per_image["no-table.png"] == 0
    texts = set(report["columns"].values())
    assert {"Größe", "价格 (¥)", "Ünïcode ✓", "naïve café", "qty", "Qty", "price"} <= texts
    dupes = [name for name, text in report["columns"].items() if text.lower() == "qty"]
    assert len(dupes) == 3 and len(set(dupes)) == 3
    assert {f"c{i}" for i in range(500)} <= set(loaded.columns)


Corrupter = Callable[[str], str]


def _invalid_base64(data: str) -> str:
    return "!!" + data[2:]


def _latin1(data: str) -> str:
    return base64.b64encode(base64.b64decode(data).decode("utf-8").encode("latin-1")).decode("ascii")


def _corrupting(corrupt: Corrupter) -> Any:
    """Middleware: Csv results of GET RecognizeTable arrive damaged by ``corrupt``."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        response = await handler(request)
        if request.method != "GET" or request.path.lower() != RECOGNIZE_TABLE_PATH.lower():
            return response
        assert isinstance(response, web.Response) and response.body is not None
        body = json.loads(bytes(response.body))
        for item in body.get("results") or []:
            if item.get("type") == "Csv" and item.get("data"):
                item["data"] = corrupt(item["data"])
        return web.json_response(body, status=response.status)

    return middleware


def _zero_bytes(data: str) -> str:
    return ""


@pytest.mark.parametrize(
    ("corrupt", "words"),
    [
        pytest.param(_invalid_base64, "holds invalid base64 data", id="invalid-base64"),
        pytest.param(_latin1, "is not valid UTF-8", id="csv-not-utf8"),
        pytest.param(_zero_bytes, None, id="zero-byte-csv-result"),
    ],
)
def test_damaged_results_fail_the_load_naming_the_image(
    example_dag: Any,
    tmp_path: Path,
    warehouse: Path,
    connect: Any,
    failures: Any,
    corrupt: Corrupter,
    words: str | None,
) -> None:
    """Unreadable results fail the load, naming the image; a zero-byte CSV is a table with no rows."""
    images = FaultImages(tmp_path / "scans")
    images.folder.mkdir()
    images.add("prices.png", png(11), "item,price\ncafé,3.5\ncrème,4\n")
    state = EmulatorState(EmulatorConfig(pending_polls=0, processing_polls=0))
    app = create_app(state=state)
    app.middlewares.append(_corrupting(corrupt))
    server = _ServerThread(app, "127.0.0.1", 0)
    server.start()
    server.ready.wait(timeout=30)
    try:
        emu = EmulatorHandle(state, server.loop, f"http://127.0.0.1:{server.port}")
        images.teach(emu)
        connect(emu)
        run = _run(example_dag, images.folder)
    finally:
        server.stop()

    source = (images.folder / "prices.png").as_uri()
    if words is None:
        assert run.state == DagRunState.SUCCESS
        assert xcom(run, "load")["rows_per_source"] == {source: 0}
        return
    assert run.state == DagRunState.FAILED
    message = failures.text("load")
    assert f"Cannot read the tables recognised in {source}: " in message
    assert words in message
    assert sqlite_rows(warehouse).empty

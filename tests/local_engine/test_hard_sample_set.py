"""The harder set in bench/hard_samples is what scripts/make_hard_samples.py draws, on any machine
with the fonts .ci/run installs: the committed ground truth cannot drift from the drawing code."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import pytest
from PIL import Image

from aspose_ocr_provider.documents.pages import rendered_pages

from .conftest import HARD_SAMPLES, hard_samples

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_hard_samples.py"


def test_generator_redraws_the_committed_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("make_hard_samples", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    try:
        assert module.main([str(tmp_path)]) == 0
    except SystemExit as exc:  # a font is missing: the message says which package to install
        pytest.fail(str(exc))
    redrawn = sorted(p.name for p in tmp_path.iterdir())
    assert redrawn == sorted(p.name for p in HARD_SAMPLES.iterdir() if p.is_file())
    for truth in HARD_SAMPLES.glob("*.csv"):  # ground truth and optional rows
        assert (tmp_path / truth.name).read_text(encoding="utf-8") == truth.read_text(encoding="utf-8")
    for image, _ in hard_samples():
        with Image.open(image) as committed, Image.open(tmp_path / image.name) as drawn:
            assert drawn.size == committed.size
    for pdf in HARD_SAMPLES.glob("*.pdf"):  # vector pages: same page count and rendered size
        committed_pages, drawn_pages = rendered_pages(pdf.read_bytes()), rendered_pages((tmp_path / pdf.name).read_bytes())
        assert len(drawn_pages) == len(committed_pages)
        for a, b in zip(committed_pages, drawn_pages, strict=True):
            with Image.open(io.BytesIO(a)) as committed, Image.open(io.BytesIO(b)) as drawn:
                assert drawn.size == committed.size

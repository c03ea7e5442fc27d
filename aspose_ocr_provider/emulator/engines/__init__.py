"""Engines by name, so the CLI and configs can say ``--engine fixtures`` or ``--engine local``."""

from __future__ import annotations

from typing import Any

from aspose_ocr_provider.emulator.engines.base import RecognitionError, Table, TableEngine

ENGINE_NAMES: tuple[str, ...] = ("fixtures", "local")

__all__ = ["ENGINE_NAMES", "RecognitionError", "Table", "TableEngine", "get_engine"]


def get_engine(name: str, **options: Any) -> TableEngine:
    """Build the engine called ``name`` with ``options`` as its keyword arguments.

    The ``local`` engine needs optional OCR packages; it is imported only when asked for, and a
    missing package is reported with the install command.
    """
    if name == "fixtures":
        from aspose_ocr_provider.emulator.engines.fixtures import FixturesEngine

        return FixturesEngine(**options)
    if name == "local":
        try:
            from aspose_ocr_provider.emulator.engines.local import LocalTableEngine
        except ImportError as exc:
            raise RuntimeError(
                f"The 'local' OCR engine could not be imported ({exc}). Install its extras with: "
                "pip install 'airflow-provider-aspose-ocr[local]'"
            ) from exc
        engine: TableEngine = LocalTableEngine(**options)
        return engine
    raise ValueError(f"Unknown emulator engine {name!r}; valid engines are: {', '.join(ENGINE_NAMES)}.")

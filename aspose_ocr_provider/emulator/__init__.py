"""A local Aspose.OCR Cloud v5.0 emulator: a real HTTP server that speaks the table-recognition API.

Start it with ``aspose-ocr-emulator`` (see ``cli.py``), or inside tests with
``aspose_ocr_provider.emulator.testing.run_emulator``. Nothing here contacts the real cloud.
"""

from __future__ import annotations

from aspose_ocr_provider.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmulatorConfig

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "EmulatorConfig"]

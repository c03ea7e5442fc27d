"""``python -m aspose_ocr_provider.emulator``: the same as the ``aspose-ocr-emulator`` command."""

from __future__ import annotations

from aspose_ocr_provider.emulator.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

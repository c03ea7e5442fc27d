"""DataFrames to warehouse tables through any common-sql hook: one transaction per load.

The DataFrames come from :mod:`aspose_ocr_provider.tables`; this package imports from there,
never the other way round.
"""

from __future__ import annotations

from aspose_ocr_provider.warehouse.batch import TableBatch
from aspose_ocr_provider.warehouse.dialects import SqlDialect, dialect_for
from aspose_ocr_provider.warehouse.writer import LoadError, SchemaMismatchError, TableWriter, write_frames

__all__ = [
    "LoadError",
    "SchemaMismatchError",
    "SqlDialect",
    "TableBatch",
    "TableWriter",
    "dialect_for",
    "write_frames",
]

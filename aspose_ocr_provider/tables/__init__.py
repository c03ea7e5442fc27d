"""Recognised tables to DataFrames (no database needed) and DataFrames to warehouse tables."""

from __future__ import annotations

from aspose_ocr_provider.tables.clean import CleanTable, clean_table, is_index_row, normalize_rows
from aspose_ocr_provider.tables.decode import decode_csv_base64, decode_csv_bytes, decode_result, parse_csv
from aspose_ocr_provider.tables.dialects import SqlDialect, dialect_for
from aspose_ocr_provider.tables.provenance import DEFAULT_PROVENANCE, provenance_columns
from aspose_ocr_provider.tables.results import csv_to_table, result_tables, result_to_dataframe
from aspose_ocr_provider.tables.schema import Column, TableSchema
from aspose_ocr_provider.tables.sql_names import sql_safe_names
from aspose_ocr_provider.tables.types import infer_types
from aspose_ocr_provider.tables.writer import (
    LoadError,
    SchemaMismatchError,
    TableBatch,
    TableWriter,
    write_frames,
)

__all__ = [
    "DEFAULT_PROVENANCE",
    "CleanTable",
    "Column",
    "LoadError",
    "SchemaMismatchError",
    "SqlDialect",
    "TableBatch",
    "TableSchema",
    "TableWriter",
    "clean_table",
    "csv_to_table",
    "decode_csv_base64",
    "decode_csv_bytes",
    "decode_result",
    "dialect_for",
    "infer_types",
    "is_index_row",
    "normalize_rows",
    "parse_csv",
    "provenance_columns",
    "result_tables",
    "result_to_dataframe",
    "sql_safe_names",
    "write_frames",
]

"""Recognised tables to clean, typed DataFrames; no database is needed or imported here.

Writing those frames to a warehouse is :mod:`aspose_ocr_provider.warehouse`'s job.
"""

from __future__ import annotations

from aspose_ocr_provider.tables.clean import CleanTable, clean_table, is_index_row, normalize_rows
from aspose_ocr_provider.tables.decode import decode_csv_base64, decode_csv_bytes, decode_result, parse_csv
from aspose_ocr_provider.tables.provenance import DEFAULT_PROVENANCE, provenance_columns
from aspose_ocr_provider.tables.results import csv_to_table, result_tables, result_to_dataframe
from aspose_ocr_provider.tables.schema import Column, TableSchema
from aspose_ocr_provider.tables.sql_names import sql_safe_names
from aspose_ocr_provider.tables.types import infer_types

__all__ = [
    "DEFAULT_PROVENANCE",
    "CleanTable",
    "Column",
    "TableSchema",
    "clean_table",
    "csv_to_table",
    "decode_csv_base64",
    "decode_csv_bytes",
    "decode_result",
    "infer_types",
    "is_index_row",
    "normalize_rows",
    "parse_csv",
    "provenance_columns",
    "result_tables",
    "result_to_dataframe",
    "sql_safe_names",
]

"""The warehouse a load writes to: its common-sql hook, and the checks worth making before paying.

Every image submitted is billed, so a wrong connection id or a table name the database cannot take
should fail the submit step, not the load step after the recognitions were paid for. The same
lookup serves the load step, so both steps describe a bad connection in the same words.
"""

from __future__ import annotations

from typing import Any

from aspose_ocr_provider.compat import SUPERVISOR_LOCK, AirflowNotFoundException, BaseHook
from aspose_ocr_provider.exceptions import AsposeOcrConfigError, AsposeOcrError
from aspose_ocr_provider.warehouse.dialects import dialect_for
from aspose_ocr_provider.warehouse.writer import TableWriter

MAX_NAME_LENGTH = {"postgresql": 63, "mysql": 64, "mssql": 128, "oracle": 128, "snowflake": 255}
"""Longest identifier each database keeps; PostgreSQL silently truncates longer ones, so a long
name would load into a different table than the one named."""


def warehouse_hook(conn_id: str) -> Any:
    """The common-sql ``DbApiHook`` of Airflow connection ``conn_id``.

    :raises AsposeOcrError: the connection is not defined, or is not a database connection.
    """
    from airflow.providers.common.sql.hooks.sql import DbApiHook

    try:
        with SUPERVISOR_LOCK:
            connection = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        raise AsposeOcrConfigError(
            f"Warehouse connection {conn_id!r} is not defined; create it (UI, `airflow connections add`, "
            f"or AIRFLOW_CONN_{conn_id.upper()}) or fix the connection id."
        ) from None
    try:
        hook = connection.get_hook()
    except Exception as exc:
        raise AsposeOcrConfigError(
            f"Warehouse connection {conn_id!r} (type {connection.conn_type!r}) gives no database hook: "
            f"{type(exc).__name__}: {exc}. Install the provider of that connection type."
        ) from None
    if not isinstance(hook, DbApiHook):
        raise AsposeOcrConfigError(
            f"Connection {conn_id!r} gives a {type(hook).__name__}, not a common-sql DbApiHook; "
            "use a database connection (sqlite, postgres, mysql, snowflake...)."
        )
    return hook


def check_table_name(hook: Any, table: str, *suffixes: str) -> None:
    """Raise ValueError unless ``table`` (and ``table`` + each suffix) is a name the database keeps as written."""
    dialect = dialect_for(getattr(hook, "dialect_name", None))
    parts = dialect.split_table(table)
    for part in parts:
        dialect.quote(part)
    limit = MAX_NAME_LENGTH.get(dialect.name)
    room = limit - max((len(s.encode()) for s in suffixes), default=0) if limit else None
    if room is not None and len(parts[-1].encode()) > room:
        companions = (
            f" (the provider adds {' and '.join(map(repr, suffixes))} for companion tables)"
            if suffixes
            else ""
        )
        raise ValueError(
            f"table name {parts[-1]!r} is longer than the {room} bytes {dialect.name} keeps here{companions}; "
            "choose a shorter name."
        )


def check_warehouse(conn_id: str, table: str, *suffixes: str) -> TableWriter:
    """Check, before anything is paid for, that a load into ``table`` over ``conn_id`` can work.

    The connection exists and is a common-sql database, ``table`` (and its companion tables'
    names, ``table`` + each suffix) is valid for that database, and the database answers a
    query about the table. Returns a writer for the table.

    :raises AsposeOcrError: naming the connection or table and what to fix.
    """
    hook = warehouse_hook(conn_id)
    try:
        check_table_name(hook, table, *suffixes)
    except ValueError as exc:
        raise AsposeOcrConfigError(f"Warehouse table {table!r} on connection {conn_id!r}: {exc}") from None
    writer = TableWriter(hook, table)
    try:
        writer.existing_columns()
    except Exception as exc:
        raise AsposeOcrError(
            f"Warehouse connection {conn_id!r} does not answer: {type(exc).__name__}: {exc}. "
            "Check its host, port, credentials and database."
        ) from None
    return writer

"""What differs between warehouses for the writer: identifier quoting, column types, introspection.

Keyed by the SQLAlchemy dialect name that ``DbApiHook.dialect_name`` reports. Quoting doubles the
closing quote character inside a name, which is the one escape every listed database accepts, so
any text a scanned header holds stays a name and never becomes SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SqlDialect:
    """The writer's view of one database family."""

    name: str
    quote_open: str = '"'
    quote_close: str = '"'
    types: dict[str, str] = field(default_factory=dict)
    current_schema_sql: str | None = "current_schema()"
    transactional_ddl: bool = True
    copy: bool = False
    add_column_sql: str = "ALTER TABLE {table} ADD COLUMN {column} {type}"
    alter_type_sql: str | None = "ALTER TABLE {table} ALTER COLUMN {column} TYPE {type}"
    """Changes a column's type (widening); None where values keep their own type (SQLite)."""
    spool_sql: str | None = None
    """Creates the temporary table a streamed load holds rows in until its columns' final types are
    known, with a ``_seq`` column numbering the rows in the order they came; dropped at COMMIT or
    ROLLBACK. None where the writer does not stream (every row is then held until the end)."""
    date_to_timestamp_sql: str = "CAST({column} AS {type})"
    """A date column's values as the timestamps a widened column holds (midnight)."""
    create_view_sql: str | None = None
    """Makes ``{view}`` as ``{query}``, doing nothing harmful when it exists (it is made with every
    load that writes input records); None where the provider makes no views."""

    def quote(self, identifier: str) -> str:
        """``identifier`` as a quoted SQL name, whatever characters it holds."""
        if not isinstance(identifier, str) or not identifier:
            raise ValueError(f"An SQL name must be a non-empty string, got {identifier!r}.")
        if "\x00" in identifier:
            raise ValueError(f"An SQL name cannot contain a NUL character: {identifier!r}.")
        inner = identifier.replace(self.quote_close, self.quote_close * 2)
        return f"{self.quote_open}{inner}{self.quote_close}"

    def split_table(self, table: str) -> list[str]:
        """Parts of ``[db.][schema.]table``; a part may be quoted to hold dots or quotes itself."""
        if not isinstance(table, str) or not table.strip():
            raise ValueError(f"The target table must be a non-empty name like 'schema.table', got {table!r}.")
        parts: list[str] = []
        i, text = 0, table.strip()
        while True:
            if text.startswith(self.quote_open, i):
                j, buf = i + len(self.quote_open), []
                while True:
                    k = text.find(self.quote_close, j)
                    if k < 0:
                        raise ValueError(f"Unclosed quote in table name {table!r}.")
                    buf.append(text[j:k])
                    if text.startswith(self.quote_close * 2, k):
                        buf.append(self.quote_close)
                        j = k + 2 * len(self.quote_close)
                        continue
                    i = k + len(self.quote_close)
                    break
                parts.append("".join(buf))
            else:
                k = text.find(".", i)
                parts.append(text[i:] if k < 0 else text[i:k])
                i = len(text) if k < 0 else k
            if i >= len(text):
                break
            if text[i] != ".":
                raise ValueError(f"Cannot read table name {table!r}: expected '.' after a quoted part.")
            i += 1
        if len(parts) > 3 or any(not p for p in parts):
            raise ValueError(
                f"Cannot read table name {table!r}: give 'table', 'schema.table' or 'database.schema.table'."
            )
        return parts

    def quote_table(self, table: str) -> str:
        return ".".join(self.quote(part) for part in self.split_table(table))

    def column_type(self, kind: str) -> str:
        return self.types.get(kind) or _ANSI_TYPES[kind]


_ANSI_TYPES = {
    "text": "TEXT",
    "integer": "BIGINT",
    "float": "DOUBLE PRECISION",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}

_DIALECTS: dict[str, SqlDialect] = {
    "postgresql": SqlDialect(
        "postgresql",
        types={"timestamp": "TIMESTAMPTZ"},
        copy=True,
        alter_type_sql="ALTER TABLE {table} ALTER COLUMN {column} TYPE {type} USING {column}::{type}",
        spool_sql="CREATE TEMPORARY TABLE {table} (_seq BIGSERIAL, {columns}) ON COMMIT DROP",
        create_view_sql="CREATE OR REPLACE VIEW {view} AS {query}",
    ),
    # Redshift speaks PostgreSQL's SQL but not COPY FROM STDIN.
    "redshift": SqlDialect("redshift", types={"text": "VARCHAR(65535)", "timestamp": "TIMESTAMPTZ"}),
    "sqlite": SqlDialect(
        "sqlite",
        types={"integer": "INTEGER", "float": "REAL", "timestamp": "TEXT", "date": "TEXT"},
        current_schema_sql=None,
        alter_type_sql=None,
        # Dropped by the writer before COMMIT; a ROLLBACK undoes its creation.
        spool_sql="CREATE TEMPORARY TABLE {table} (_seq INTEGER PRIMARY KEY, {columns})",
        # Dates and timestamps are ISO text: midnight is the text the writer gives a date as a timestamp.
        date_to_timestamp_sql="{column} || 'T00:00:00'",
        create_view_sql="CREATE VIEW IF NOT EXISTS {view} AS {query}",
    ),
    "mysql": SqlDialect(
        "mysql",
        "`",
        "`",
        types={"float": "DOUBLE", "timestamp": "DATETIME(6)"},
        current_schema_sql="DATABASE()",
        transactional_ddl=False,
        alter_type_sql="ALTER TABLE {table} MODIFY COLUMN {column} {type}",
    ),
    "mssql": SqlDialect(
        "mssql",
        "[",
        "]",
        types={"text": "NVARCHAR(MAX)", "float": "FLOAT", "timestamp": "DATETIMEOFFSET", "boolean": "BIT"},
        current_schema_sql="SCHEMA_NAME()",
        add_column_sql="ALTER TABLE {table} ADD {column} {type}",
        alter_type_sql="ALTER TABLE {table} ALTER COLUMN {column} {type}",
    ),
    "snowflake": SqlDialect(
        "snowflake",
        types={"text": "VARCHAR", "float": "FLOAT", "timestamp": "TIMESTAMP_TZ"},
        current_schema_sql="CURRENT_SCHEMA()",
        transactional_ddl=False,
        alter_type_sql="ALTER TABLE {table} ALTER COLUMN {column} SET DATA TYPE {type}",
    ),
    "oracle": SqlDialect(
        "oracle",
        types={
            "text": "VARCHAR2(4000)",
            "integer": "NUMBER(19)",
            "float": "BINARY_DOUBLE",
            "boolean": "NUMBER(1)",
        },
        current_schema_sql="SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')",
        transactional_ddl=False,
        add_column_sql="ALTER TABLE {table} ADD ({column} {type})",
        alter_type_sql="ALTER TABLE {table} MODIFY ({column} {type})",
    ),
}
_ALIASES = {"postgres": "postgresql", "mariadb": "mysql", "sqlserver": "mssql"}
_DEFAULT = SqlDialect("default")


def dialect_for(name: str | None) -> SqlDialect:
    """The dialect for a SQLAlchemy dialect name; ANSI double quotes for any database not listed."""
    key = (name or "").lower().split("+")[0]
    return _DIALECTS.get(_ALIASES.get(key, key), _DEFAULT)

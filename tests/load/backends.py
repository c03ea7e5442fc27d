"""The two real warehouses the load tests run against: a SQLite file and the session PostgreSQL."""

from __future__ import annotations

import sqlite3
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.postgres import PostgresServer


@dataclass
class Warehouse:
    """A database reachable as Airflow connection ``conn_id`` plus a direct driver for checking it."""

    kind: str
    conn_id: str
    uri: str
    sqlite_path: Path | None = None
    server: PostgresServer | None = None

    def connect(self) -> Any:
        if self.sqlite_path is not None:
            return sqlite3.connect(self.sqlite_path)
        import psycopg

        assert self.server is not None
        return psycopg.connect(self.server.dsn, autocommit=True)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        conn = self.connect()
        try:
            return [tuple(row) for row in conn.execute(sql).fetchall()]
        finally:
            conn.close()

    def execute(self, *statements: str) -> None:
        conn = self.connect()
        try:
            for sql in statements:
                conn.execute(sql)
            if self.sqlite_path is not None:
                conn.commit()
        finally:
            conn.close()

    def columns(self, table: str, schema: str | None = None) -> list[str]:
        if self.sqlite_path is not None:
            conn = sqlite3.connect(self.sqlite_path)
            try:
                return [row[1] for row in conn.execute("SELECT * FROM pragma_table_info(?)", (table,))]
            finally:
                conn.close()
        conn = self.connect()
        try:
            rows = conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND table_schema = coalesce(%s, current_schema()) ORDER BY ordinal_position",
                (table, schema),
            ).fetchall()
            return [row[0] for row in rows]
        finally:
            conn.close()

    def hook(self) -> Any:
        from aspose_ocr_provider.compat import BaseHook

        return BaseHook.get_connection(self.conn_id).get_hook()


@pytest.fixture(params=["sqlite", "postgres"])
def warehouse(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Warehouse]:
    """A fresh warehouse of each kind, registered as connection ``warehouse`` via AIRFLOW_CONN_*."""
    if request.param == "sqlite":
        path = tmp_path / "warehouse.db"
        sqlite3.connect(path).close()
        uri = "sqlite://" + urllib.parse.quote(str(path), safe="")
        found = Warehouse("sqlite", "warehouse", uri, sqlite_path=path)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_database")
        found = Warehouse("postgres", "warehouse", server.uri, server=server)
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", found.uri)
    yield found

"""Identifier quoting and table-name parsing per dialect: any text stays one name."""

from __future__ import annotations

import pytest

from aspose_ocr_provider.warehouse import dialect_for

NASTY = 'x"; DROP TABLE t; --'


@pytest.mark.parametrize(
    ("dialect", "name", "quoted"),
    [
        ("postgresql", NASTY, '"x""; DROP TABLE t; --"'),
        ("sqlite", 'a"b', '"a""b"'),
        ("snowflake", "'", '"\'"'),
        ("mysql", "a`b", "`a``b`"),
        ("mariadb", "`", "````"),
        ("mssql", "a]b", "[a]]b]"),
        ("mssql", "[x]", "[[x]]]"),
        ("somethingelse", "Größe 📦", '"Größe 📦"'),
    ],
)
def test_quote_escapes_the_closing_quote_by_doubling(dialect: str, name: str, quoted: str) -> None:
    assert dialect_for(dialect).quote(name) == quoted


@pytest.mark.parametrize("bad", ["", "a\x00b"])
def test_quote_refuses_empty_and_nul(bad: str) -> None:
    with pytest.raises(ValueError, match="SQL name"):
        dialect_for("postgresql").quote(bad)


@pytest.mark.parametrize(
    ("dialect", "table", "parts"),
    [
        ("postgresql", "invoices", ["invoices"]),
        ("postgresql", "analytics.invoices", ["analytics", "invoices"]),
        ("postgresql", "db.analytics.invoices", ["db", "analytics", "invoices"]),
        ("postgresql", '"my.schema"."in""voices"', ["my.schema", 'in"voices']),
        ("postgresql", NASTY, [NASTY]),
        ("mysql", "`a.b`.c", ["a.b", "c"]),
        ("mssql", "[dbo].[x]]y]", ["dbo", "x]y"]),
    ],
)
def test_split_table(dialect: str, table: str, parts: list[str]) -> None:
    assert dialect_for(dialect).split_table(table) == parts


@pytest.mark.parametrize("bad", ["", "a..b", "a.b.c.d", '"unclosed', '"a"b'])
def test_split_table_refuses_unreadable_names(bad: str) -> None:
    with pytest.raises(ValueError, match=r"table name|non-empty"):
        dialect_for("postgresql").split_table(bad)


def test_dialect_aliases_and_driver_suffixes() -> None:
    assert dialect_for("postgresql+psycopg").copy
    assert dialect_for("postgres").name == "postgresql"
    assert not dialect_for("redshift").copy
    assert dialect_for("mssql+pyodbc").quote_open == "["
    assert dialect_for(None).quote("a") == '"a"'

"""The warehouse writer against a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from aspose_ocr_provider.tables import clean_table, sql_safe_names
from aspose_ocr_provider.tables.quarantine import CellOrigin
from aspose_ocr_provider.warehouse import LoadError, SchemaMismatchError, TableBatch, write_frames
from aspose_ocr_provider.warehouse.type_conflicts import TypeConflictError
from tests.fixtures.warehouses import Warehouse

HOSTILE = ['x"; DROP TABLE t; --', "'", "]", "`", "Größe 📦", "qty", "QTY", "", "a.b", "[x]"]


def _frame(rows: list[list[object]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _sorted(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return sorted(rows, key=repr)


@pytest.mark.parametrize("sanitize", [True, False])
def test_hostile_header_cells_load_as_column_names_and_other_tables_survive(
    warehouse: Warehouse, sanitize: bool
) -> None:
    warehouse.execute("CREATE TABLE t (id INTEGER)", "INSERT INTO t VALUES (1)")
    names, mapping = sql_safe_names(HOSTILE, sanitize=sanitize)
    rows = [[f"r{r}c{c}" for c in range(len(names))] for r in range(3)]
    table = 'x"; DROP TABLE t; --'
    counts = write_frames(warehouse.hook(), table, [TableBatch(_frame(rows, names))])
    assert counts == [3]
    assert warehouse.columns(table) == names
    quoted = '"' + table.replace('"', '""') + '"'
    assert _sorted(warehouse.query(f"SELECT * FROM {quoted}")) == _sorted([tuple(r) for r in rows])
    assert warehouse.query("SELECT id FROM t") == [(1,)]
    assert set(mapping.values()) == {h for h in HOSTILE}


def test_schema_qualified_table(warehouse: Warehouse) -> None:
    schema = "main" if warehouse.kind == "sqlite" else "analytics"
    if warehouse.kind == "postgres":
        warehouse.execute("CREATE SCHEMA analytics")
    write_frames(warehouse.hook(), f"{schema}.invoices", [TableBatch(_frame([["a", "1"]], ["item", "qty"]))])
    assert warehouse.query(f"SELECT item, qty FROM {schema}.invoices") == [("a", "1")]


def test_types_nulls_provenance_constants_and_index(warehouse: Warehouse) -> None:
    frame = pd.DataFrame(
        {
            "n": pd.Series([1, None, 3], dtype="Int64"),
            "x": pd.Series([1.5, 2.25, None], dtype="Float64"),
            "d": pd.Series([dt.datetime(2024, 1, 31), None, dt.datetime(2023, 2, 1)], dtype="datetime64[us]"),
            "s": pd.Series(["a", None, "c"], dtype=object),
        }
    ).set_axis(pd.Index([2, 3, 5], name="source_row"))
    loaded_at = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    batch = TableBatch(frame, constants={"_source": "scan.png", "_loaded_at": loaded_at}, index_column="_row")
    write_frames(warehouse.hook(), "typed", [batch])
    rows = warehouse.query('SELECT n, x, d, s, "_row", "_source", "_loaded_at" FROM typed ORDER BY "_row"')
    if warehouse.kind == "sqlite":
        expected_d: list[object] = ["2024-01-31", None, "2023-02-01"]
        expected_at: object = loaded_at.isoformat()
    else:
        expected_d = [dt.date(2024, 1, 31), None, dt.date(2023, 2, 1)]
        expected_at = loaded_at
    assert rows == [
        (1, 1.5, expected_d[0], "a", 2, "scan.png", expected_at),
        (None, 2.25, expected_d[1], None, 3, "scan.png", expected_at),
        (3, None, expected_d[2], "c", 5, "scan.png", expected_at),
    ]


def _run_key(run: str) -> dict[str, str]:
    return {"_dag_run_id": run, "_loaded_by": "dag.load"}


def _batch(rows: list[list[object]], run: str) -> TableBatch:
    return TableBatch(_frame(rows, ["item", "qty"]), constants=_run_key(run))


def test_idempotent_rerun_of_the_same_run_replaces_its_rows(warehouse: Warehouse) -> None:
    hook = warehouse.hook()
    write_frames(hook, "inv", [_batch([["a", "1"]], "run1")], mode="idempotent", replace_key=_run_key("run1"))
    first = [["b", "2"], ["c", "3"]]
    for _ in range(2):
        write_frames(hook, "inv", [_batch(first, "run2")], mode="idempotent", replace_key=_run_key("run2"))
    rows = warehouse.query('SELECT item, qty, "_dag_run_id" FROM inv ORDER BY item')
    assert rows == [("a", "1", "run1"), ("b", "2", "run2"), ("c", "3", "run2")]


def test_append_and_replace_modes(warehouse: Warehouse) -> None:
    hook = warehouse.hook()
    batch = TableBatch(_frame([["a"]], ["item"]))
    write_frames(hook, "m", [batch], mode="append")
    write_frames(hook, "m", [batch], mode="append")
    assert warehouse.query("SELECT count(*) FROM m") == [(2,)]
    write_frames(hook, "m", [TableBatch(_frame([["z"]], ["item"]))], mode="replace")
    assert warehouse.query("SELECT item FROM m") == [("z",)]


def test_new_columns_are_added_or_refused(warehouse: Warehouse) -> None:
    hook = warehouse.hook()
    write_frames(hook, "evo", [TableBatch(_frame([["a"]], ["item"]))])
    with pytest.raises(SchemaMismatchError, match=r"no column.*'price'.*schema_evolution='add'"):
        write_frames(
            hook, "evo", [TableBatch(_frame([["b", "9"]], ["item", "price"]))], schema_evolution="fail"
        )
    assert warehouse.columns("evo") == ["item"]
    assert warehouse.query("SELECT item FROM evo") == [("a",)]
    write_frames(hook, "evo", [TableBatch(_frame([["b", "9"]], ["item", "price"]))])
    assert warehouse.query("SELECT item, price FROM evo ORDER BY item") == [("a", None), ("b", "9")]


class _Unadaptable:
    """A value no driver can bind: the load fails part-way through sending rows.

    It cannot be written as text either, which is how psycopg2's COPY path (Airflow 3.0, where
    the postgres provider runs on psycopg2) sends every value.
    """

    def __str__(self) -> str:
        raise TypeError("this value cannot be sent to a database")


def _snapshot(warehouse: Warehouse, table: str) -> tuple[list[str], list[tuple[object, ...]]]:
    return warehouse.columns(table), _sorted(warehouse.query(f"SELECT * FROM {table}"))


def test_failure_mid_load_leaves_the_table_exactly_as_it_was(warehouse: Warehouse) -> None:
    hook = warehouse.hook()
    write_frames(
        hook,
        "inv",
        [_batch([["a", "1"], ["b", "2"]], "run1")],
        mode="idempotent",
        replace_key=_run_key("run1"),
    )
    before = _snapshot(warehouse, "inv")
    good = TableBatch(
        _frame([[f"n{i}", str(i)] for i in range(5000)], ["item", "qty"]), constants=_run_key("run1")
    )
    # A new column (DDL), the idempotent DELETE, a full good table, then a row that cannot be sent.
    bad_rows = [[f"m{i}", str(i), "new"] for i in range(3000)] + [["boom", _Unadaptable(), "new"]]
    bad = TableBatch(_frame(bad_rows, ["item", "qty", "extra"]), constants=_run_key("run1"))
    with pytest.raises(Exception):  # noqa: B017 - the driver's own error type differs per database
        write_frames(hook, "inv", [good, bad], mode="idempotent", replace_key=_run_key("run1"))
    assert _snapshot(warehouse, "inv") == before


def test_database_error_mid_load_rolls_back_a_table_it_created(warehouse: Warehouse) -> None:
    warehouse.execute("CREATE TABLE guarded (item TEXT CHECK (item <> 'forbidden'))")
    warehouse.execute("INSERT INTO guarded VALUES ('kept')")
    before = _snapshot(warehouse, "guarded")
    hook = warehouse.hook()
    fresh = TableBatch(_frame([["x"]], ["item"]))
    bad = TableBatch(_frame([["ok"], ["forbidden"]], ["item"]))
    with pytest.raises(Exception):  # noqa: B017
        write_frames(hook, "guarded", [fresh, bad])
    assert _snapshot(warehouse, "guarded") == before
    # A table the failed load itself created does not linger either.
    new_then_bad = TableBatch(_frame([["a", _Unadaptable()]], ["item", "qty"]))
    with pytest.raises(Exception):  # noqa: B017
        write_frames(hook, "never_created", [new_then_bad])
    assert warehouse.columns("never_created") == []


def test_cleaned_ocr_table_round_trips(warehouse: Warehouse) -> None:
    table = clean_table([["0", "1"], [" Name ", " Score"], ["Ann", " 3 "], ["Bob"], ["", ""]])
    write_frames(warehouse.hook(), "scores", [TableBatch(table.frame, index_column="_source_row")])
    assert warehouse.query('SELECT name, score, "_source_row" FROM scores ORDER BY 3') == [
        ("Ann", "3", 2),
        ("Bob", None, 3),
    ]


def test_psycopg2_copy_expert_path_escapes_every_awkward_character(
    postgres_database: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg2
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    from tests.fixtures.postgres import PostgresServer

    assert isinstance(postgres_database, PostgresServer)
    server = postgres_database

    class Psycopg2PostgresHook(PostgresHook):
        """PostgresHook on psycopg2, as on installations without psycopg 3."""

        def get_conn(self) -> object:
            return psycopg2.connect(server.dsn)

    monkeypatch.setenv("AIRFLOW_CONN_PG2", server.uri)
    hook = Psycopg2PostgresHook(postgres_conn_id="pg2")
    awkward = ["tab\there", "new\nline", "back\\slash \\N", "cr\rlf", "ünï 📦", None, ""]
    frame = _frame([[v, i] for i, v in enumerate(awkward)], ["text", "pos"])
    frame["pos"] = frame["pos"].astype("Int64")
    loaded_at = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    write_frames(hook, "awkward", [TableBatch(frame, constants={"_loaded_at": loaded_at})])
    conn = psycopg2.connect(server.dsn)
    try:
        cur = conn.cursor()
        cur.execute('SELECT text, pos, "_loaded_at" FROM awkward ORDER BY pos')
        rows = cur.fetchall()
    finally:
        conn.close()
    assert [r[0] for r in rows] == awkward
    assert {r[2] for r in rows} == {loaded_at}


def test_pandas_missing_markers_load_as_null(warehouse: Warehouse) -> None:
    """A transform may hand back NaN, pd.NA, NaT or pandas' str dtype; all become SQL NULL."""
    frame = pd.DataFrame(
        {
            "pos": pd.Series([1, 2, 3, 4], dtype="Int64"),
            "obj": pd.Series(["a", float("nan"), pd.NA, None], dtype=object),
            "strs": pd.Series(["x", None, "z", None], dtype="str"),
            "when": pd.Series(
                [pd.NaT, dt.datetime(2024, 5, 6, 7, 8), pd.NaT, pd.NaT], dtype="datetime64[us]"
            ),
        }
    )
    write_frames(warehouse.hook(), "gaps", [TableBatch(frame)])
    rows = warehouse.query(
        'SELECT pos, obj, strs, when_ IS NULL FROM (SELECT pos, obj, strs, "when" AS when_ FROM gaps) g ORDER BY pos'
    )
    assert rows == [(1, "a", "x", True), (2, None, None, False), (3, None, "z", True), (4, None, None, True)]


def test_a_value_that_no_longer_fits_the_column_type_fails_in_words_when_told_to(
    warehouse: Warehouse,
) -> None:
    warehouse.execute("CREATE TABLE counts (item TEXT, qty BIGINT)", "INSERT INTO counts VALUES ('a', 1)")
    frame = _frame([["b", "2"], ["c", "many"]], ["item", "qty"])
    origin = CellOrigin("scans/c.png", source_table=1)
    with pytest.raises(
        TypeConflictError, match=r"scans/c.png, table 1, row 1, column 'qty': 'many' is not a number"
    ):
        write_frames(warehouse.hook(), "counts", [TableBatch(frame, origin=origin)], type_conflicts="fail")
    assert warehouse.query("SELECT item, qty FROM counts") == [("a", 1)]


def test_a_column_that_cannot_change_type_rolls_back_in_words(warehouse: Warehouse) -> None:
    # A STRICT SQLite table (or a column a view depends on in PostgreSQL) refuses the widened values.
    if warehouse.kind == "sqlite":
        warehouse.execute("CREATE TABLE counts (item TEXT, qty INTEGER) STRICT")
    else:
        warehouse.execute(
            "CREATE TABLE counts (item TEXT, qty BIGINT)", "CREATE VIEW qtys AS SELECT qty FROM counts"
        )
    warehouse.execute("INSERT INTO counts VALUES ('a', 1)")
    frame = _frame([["b", "2"], ["c", "many"]], ["item", "qty"])
    with pytest.raises(
        LoadError, match=r"(?s)Loading into counts failed and was rolled back.*type_conflicts"
    ):
        write_frames(warehouse.hook(), "counts", [TableBatch(frame)])
    assert warehouse.query("SELECT item, qty FROM counts") == [("a", 1)]


def test_concurrent_loads_into_a_new_table_both_succeed(warehouse: Warehouse) -> None:
    """Mapped load tasks start together; the second must not trip over the first's CREATE TABLE."""
    import threading

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def load(name: str) -> None:
        hook = warehouse.hook()
        barrier.wait()
        try:
            write_frames(hook, "raced", [TableBatch(_frame([[name, i] for i in range(2000)], ["who", "n"]))])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert warehouse.query("SELECT who, count(*) FROM raced GROUP BY who ORDER BY who") == [
        ("a", 2000),
        ("b", 2000),
    ]

"""
### Two kinds of documents -> two declared tables (Aspose.OCR Cloud)

Invoices and stock lists arrive as scans. Each run recognises them and loads each table into
the table of its kind, with the columns and types declared below (`INVOICES`, `STOCK`), whatever
the scans' headers look like:

1. **find_scans** takes the images matched by `invoices` and `stock_lists` (paths, globs or
   URIs; at least one is required: a run with neither fails at once, saying how to set them);
   **submit** sends them. With `incremental` (default) it first leaves out every
   image already in the warehouse: its rows are in `invoices` or `stock`, or it has a record in
   `ocr_quarantine` (waiting for review or answered). So a re-run pays only for new images and
   never reloads one, which would replace the values a person corrected in review. Delete an
   image's rows from all three tables and the next run recognises it again. Nothing new: submit,
   wait and load are skipped;
2. **wait_for_ocr** waits in the triggerer (deferrable) until every recognition is done;
3. **load** matches each recognised table to a declared layout by its headers (tolerant of
   case, punctuation and OCR slips such as `Amout`), parses the cells as the declared types, and
   writes `invoices` and `stock` in one transaction. A cell that does not read (`12,5O`), a
   header no column accepts, or a table of neither kind goes to `ocr_quarantine` with its image,
   row, text and reason; the other rows load. An image loaded again (`incremental` off) has its
   rows replaced, not added: corrections made in review included.
4. **review** (Airflow 3.1+) asks a person, under "Required actions" in the Airflow UI, about
   every withheld row still waiting: they type the values the image shows (`12.50`) or reject
   the row. Corrections are checked against the declared types and loaded with the row's
   provenance; the records are marked resolved or rejected. Unanswered after `review_hours`
   hours, the step ends without failing the run and the rows wait for the next run's review,
   which asks about them even when that run has nothing new to load. No withheld row, no
   question. On Airflow 3.0 (no human-in-the-loop tasks) the DAG runs
   without this step.

Query what was set aside: `SELECT source, source_row, column_name, raw_text, reason, resolution
FROM ocr_quarantine ORDER BY source, source_row`.

Connections (environment variables shown; the UI or a secrets backend work the same way):

- `aspose_ocr_default` (type `aspose_ocr`): your Client Id as login and Client Secret as password.
  Against the local emulator, add `"host": "http://127.0.0.1:PORT"`.
- `warehouse` (default of `warehouse_conn_id`): any common-sql database, e.g. SQLite
  `AIRFLOW_CONN_WAREHOUSE='sqlite://%2Fpath%2Fto%2Fwarehouse.db'` (the file path percent-encoded).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import airflow
from airflow.sdk import Param, dag, task

from aspose_ocr_provider.compat import HITL_AVAILABLE, AirflowFailException
from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator
from aspose_ocr_provider.operators.review import AsposeOcrQuarantineReviewOperator
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from aspose_ocr_provider.sensors.task import AsposeOcrTaskSensor
from aspose_ocr_provider.tables.schema import Column, TableSchema

ASPOSE_OCR_CONN_ID = "aspose_ocr_default"
QUARANTINE_TABLE = "ocr_quarantine"

REVIEW_PARAMS = (
    {
        "review_hours": Param(
            20,
            type="number",
            exclusiveMinimum=0,
            title="Review time limit (hours)",
            description="How long the review step waits for a person's answers; then the run succeeds "
            "and the withheld rows wait for the next run's review.",
        )
    }
    if HITL_AVAILABLE
    else {}
)

if not HITL_AVAILABLE:
    NO_REVIEW = (
        f"aspose_ocr_declared_tables: Airflow {airflow.__version__} has no human-in-the-loop tasks "
        f"(Airflow 3.1+), so this DAG runs without its review step; withheld rows wait in {QUARANTINE_TABLE}."
    )
    logging.getLogger(__name__).warning(NO_REVIEW)
    __doc__ = f"{__doc__}\n**Note:** {NO_REVIEW}\n"

# The warehouse tables, as the data team wants them. Aliases are the header texts each column
# accepts besides its name; required columns decide which layout a recognised table is.
INVOICES = TableSchema(
    "invoices",
    [
        Column("item", "text", aliases=["Item", "Description", "Product"], required=True),
        Column("qty", "integer", aliases=["Qty", "Quantity"], required=True),
        Column("unit_price", "decimal", aliases=["Unit Price", "Price"]),
        Column("amount", "decimal", aliases=["Amount", "Total", "Line Total"]),
    ],
)
STOCK = TableSchema(
    "stock",
    [
        Column("code", "text", aliases=["Code", "SKU", "Article"], required=True),
        Column("description", "text", aliases=["Description", "Name"]),
        Column("price", "decimal", aliases=["Price", "Unit Price"]),
        Column("on_hand", "integer", aliases=["Stock", "On hand", "Qty"], required=True),
    ],
)


@dag(
    dag_id="aspose_ocr_declared_tables",
    schedule="@daily",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    # Each run reads the inputs as they are now; missed days have nothing different to load.
    catchup=False,
    # Runs write the same tables: one at a time.
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={
        "invoices": Param(
            "",
            type="string",
            title="Invoice scans",
            description="Invoice images: a path, a glob (/data/invoices/*.png) or a URI "
            "(s3://bucket/invoices/*.png with the Amazon provider). Give this, stock_lists or both.",
        ),
        "stock_lists": Param(
            "",
            type="string",
            title="Stock list scans",
            description="Stock list images, given like invoices. "
            "Any scan may go in either: the load step routes each table by its headers.",
        ),
        "warehouse_conn_id": Param(
            "warehouse",
            type="string",
            minLength=1,
            title="Warehouse connection",
            description="Id of a common-sql connection (SQLite, PostgreSQL, MySQL, Snowflake...) holding "
            "the tables invoices, stock and ocr_quarantine (created on the first load).",
        ),
        "language": Param(
            "English",
            type="string",
            title="Language",
            description="Language of the text in the images, as Aspose.OCR names it (English, German...).",
        ),
        "incremental": Param(
            True,
            type="boolean",
            title="Only new images",
            description="Submit only images the warehouse does not hold yet (no rows in invoices or "
            "stock, no record in ocr_quarantine): a re-run pays for nothing twice and keeps the values "
            "corrected in review. Off: every image is recognised and loaded again, replacing its rows "
            "and corrections.",
        ),
        "on_bad_input": Param(
            "fail",
            type="string",
            enum=["fail", "skip"],
            title="Bad inputs",
            description="fail: a file that cannot be submitted (empty, not an image, unreadable, too "
            "many pixels or pages) fails the run before anything is paid for, naming every bad file. "
            "skip: bad files are set aside and recorded in invoices__rejected_inputs, the good ones "
            "are submitted and loaded; a file rejected once is not looked at again until it changes.",
        ),
        # Only where the review step exists (Airflow 3.1+).
        **REVIEW_PARAMS,
    },
    tags=["aspose-ocr", "example"],
    doc_md=__doc__,
)
def aspose_ocr_declared_tables() -> None:
    @task
    def find_scans(invoices: str, stock_lists: str) -> list[str]:
        """The paths, globs or URIs given; none fails the run at once (never a default input)."""
        given = [value.strip() for value in (invoices, stock_lists) if value.strip()]
        if not given:
            from aspose_ocr_provider.sample_data import sample_dir

            raise AirflowFailException(
                "No invoices or stock_lists given: name the scans to load when you trigger the run, "
                'e.g. airflow dags test aspose_ocr_declared_tables -c \'{"invoices": "/data/invoices/*.png", '
                '"stock_lists": "/data/stock/*.png"}\' (or the Trigger form); for scheduled runs, set the '
                "params' defaults in the DAG file. The sample scans bundled with the provider are in "
                f"{sample_dir()} (ruled_invoice.png, unruled_noisy.png)."
            )
        return given

    submit = AsposeOcrSubmitTableOperator(
        task_id="submit",
        images=find_scans("{{ params.invoices }}", "{{ params.stock_lists }}"),
        aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
        language="{{ params.language }}",
        result_type_table="Csv",
        max_concurrency=4,
        on_bad_input="{{ params.on_bad_input }}",
        # The load's tables, for the check of what the warehouse already holds (and for the
        # connection check before anything is paid for): an image's rows may be in any of them.
        warehouse_conn_id="{{ params.warehouse_conn_id }}",
        table=INVOICES.table,
        other_tables=[STOCK.table],
        quarantine_table=QUARANTINE_TABLE,
        incremental="{{ params.incremental }}",
    )

    wait_for_ocr = AsposeOcrTaskSensor(
        task_id="wait_for_ocr",
        # The submit records, not bare ids, so a failed recognition names the image it came from.
        ocr_task_ids=submit.output["submissions"],
        aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
        deferrable=True,
        poll_interval=3,
        max_poll_interval=60,
        timeout=2 * 3600,
    )

    load = AsposeOcrTableToSqlOperator(
        task_id="load",
        ocr_task_ids=submit.output["submissions"],
        conn_id="{{ params.warehouse_conn_id }}",
        aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
        # Each recognised table goes to the declared table its headers fit.
        schemas=[INVOICES, STOCK],
        # What fits neither, or does not parse, is set aside with its reason; the rest loads.
        on_bad_data="quarantine",
        quarantine_table=QUARANTINE_TABLE,
        mode="idempotent",
        # What became of each file, kept beside the first declared table (invoices__inputs).
        input_records=submit.output["inputs"],
    )

    wait_for_ocr >> load

    if HITL_AVAILABLE:
        review = AsposeOcrQuarantineReviewOperator(
            task_id="review",
            conn_id="{{ params.warehouse_conn_id }}",
            schemas=[INVOICES, STOCK],
            quarantine_table=QUARANTINE_TABLE,
            # Seconds, rendered per run from the hours the run was given.
            response_timeout="{{ params.review_hours * 3600 }}",
            subject="Correct the invoice and stock values OCR could not read",
            # Also when nothing new was loaded (load skipped): rows left unanswered are asked again.
            trigger_rule="none_failed",
        )
        load >> review


aspose_ocr_declared_tables()

"""
### Images of tables -> warehouse rows, every day (Aspose.OCR Cloud)

Copy this file into your DAGs folder, set two connections, and each run:

1. **find_images** lists the images, PDFs and multi-page TIFFs in a folder (`images_folder`, any
   `ObjectStoragePath` URI or local path; required: a run without it fails at once, saying how
   to set it), each with its listing fingerprint (size + ETag on object storage, size + modification time on
   disk), reading no document;
2. **submit** checks the warehouse connection and table, skips unread every document whose
   fingerprint is unchanged since it was loaded (recorded in `<table>__inputs`), reads and hashes
   the others, leaves out the pages whose bytes the table already holds (param `incremental`),
   takes at most `max_documents_per_run` documents (oldest first; the rest wait for the next run),
   and sends the new ones, as one batch, to Aspose.OCR
   Cloud table recognition: every page of a PDF or TIFF is its own recognition, and its rows carry
   its page number (`_source_page`). With nothing new, it logs "0 new of N images; nothing to
   submit" and the run ends there, successfully;
3. **wait_for_ocr** waits for the recognitions to finish. It is *deferrable*: the waiting happens in
   the triggerer, so no worker slot is held while the cloud works;
4. **load** writes every recognised table into `table` over the `warehouse_conn_id` connection in
   one transaction, with provenance columns (`_source`, `_source_sha256`, `_source_page`,
   `_ocr_task_id`, `_dag_run_id`, ...). Rows are keyed by the image's bytes: loading an image
   again (a re-run, a cleared task, `incremental` off) replaces its rows instead of duplicating
   them, and a file rewritten in place replaces its older version's rows.

Connections (environment variables shown; the UI or a secrets backend work the same way):

- `aspose_ocr_default` (type `aspose_ocr`): your Client Id as login and Client Secret as password.
  Against the local emulator, add `"host": "http://127.0.0.1:PORT"`.
- `warehouse` (default of `warehouse_conn_id`): any common-sql database, e.g. SQLite
  `AIRFLOW_CONN_WAREHOUSE='sqlite://%2Fpath%2Fto%2Fwarehouse.db'` (the file path percent-encoded).
- Scans in S3 or an S3-compatible store (`pip install 'airflow-provider-aspose-ocr[s3]'`): an `aws`
  connection, named in the folder URI as `s3://CONN_ID@bucket/prefix` (without one, `aws_default`),
  e.g. `AIRFLOW_CONN_SCANS='{"conn_type": "aws", "login": "KEY_ID", "password": "SECRET",
  "extra": {"endpoint_url": "https://s3.example.internal", "region_name": "us-east-1"}}'`
  (leave `endpoint_url` out for AWS itself).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, task

from aspose_ocr_provider.compat import AirflowFailException, ObjectStoragePath
from aspose_ocr_provider.documents.listing import list_documents
from aspose_ocr_provider.documents.reading import INPUT_SUFFIXES
from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from aspose_ocr_provider.sensors.task import AsposeOcrTaskSensor

# The Aspose.OCR connection. Pointing the DAG at the real service or at the emulator changes this
# connection only, never the DAG.
ASPOSE_OCR_CONN_ID = "aspose_ocr_default"

# Images, and documents whose pages the submit operator renders or splits into one image each
# (PDFs, multi-page TIFF scans): every page is recognised, and its rows carry `_source_page`.
IMAGE_SUFFIXES = INPUT_SUFFIXES


@dag(
    dag_id="aspose_ocr_tables_to_warehouse",
    schedule="@daily",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    # Each run reads the folder as it is now; missed days have nothing different to load.
    catchup=False,
    # Runs write the same table: one at a time.
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    params={
        "images_folder": Param(
            "",
            type="string",
            title="Images folder",
            description="Folder of table images: a local path or an ObjectStoragePath URI "
            "(file:///data/scans, s3://bucket/scans with the Amazon provider). Required: a run "
            "without it fails at once (set a default here to run on a schedule).",
        ),
        "warehouse_conn_id": Param(
            "warehouse",
            type="string",
            minLength=1,
            title="Warehouse connection",
            description="Id of a common-sql connection (SQLite, PostgreSQL, MySQL, Snowflake...).",
        ),
        "table": Param(
            "ocr_tables",
            type="string",
            minLength=1,
            title="Warehouse table",
            description="Target table, 'table' or 'schema.table'; created on the first load, new "
            "columns added when a later image has them.",
        ),
        "language": Param(
            "English",
            type="string",
            title="Language",
            description="Language of the text in the images, as Aspose.OCR names it (English, "
            "German, French...).",
        ),
        "max_documents_per_run": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            title="Most documents a run",
            description="Read and submit at most this many new or changed documents a run; the rest "
            "wait for the next run, oldest first. Empty: no limit. Works off a backlog in steady runs.",
        ),
        "incremental": Param(
            True,
            type="boolean",
            title="Only new images",
            description="Skip images whose bytes already have rows in the table (or were recognised "
            "with no table): they are not submitted, paid for or loaded again. Off: recognise and "
            "reload every image (its rows are replaced, not duplicated).",
        ),
        "on_bad_input": Param(
            "fail",
            type="string",
            enum=["fail", "skip"],
            title="Bad inputs",
            description="fail: a file that cannot be submitted (empty, not an image, unreadable, too "
            "many pixels or pages) fails the run before anything is paid for, naming every bad file. "
            "skip: bad files are set aside and recorded in <table>__rejected_inputs, the good ones "
            "are submitted and loaded; a file rejected once is not looked at again until it changes.",
        ),
    },
    tags=["aspose-ocr", "example"],
    doc_md=__doc__,
)
def aspose_ocr_tables_to_warehouse() -> None:
    @task
    def find_images(images_folder: str) -> list[dict[str, Any]]:
        """The folder's documents with their listing fingerprints, sorted, read from the listing alone.

        The submit step skips, unread, every document whose fingerprint is unchanged since it was
        loaded: a run over a bucket of years of scans costs what is new, not the whole bucket.
        """
        if not images_folder.strip():
            # Never a default folder: a run nobody pointed anywhere must not load anything.
            from aspose_ocr_provider.sample_data import sample_dir

            raise AirflowFailException(
                "No images_folder given: name the folder to load when you trigger the run, e.g. "
                'airflow dags test aspose_ocr_tables_to_warehouse -c \'{"images_folder": "/data/scans"}\' '
                "(or the Trigger form's Images folder); for scheduled runs, set the param's default in "
                f"the DAG file. The sample scans bundled with the provider are in {sample_dir()}."
            )
        folder = ObjectStoragePath(images_folder.strip())
        try:
            listed = list_documents(folder, IMAGE_SUFFIXES)
        except FileNotFoundError:
            # A retry finds the same folder missing: fail now, not after the retries.
            raise AirflowFailException(
                f"images_folder {images_folder!r} is not a folder that exists; give a local path or a URI "
                "such as file:///data/scans or s3://CONN_ID@bucket/scans."
            ) from None
        return [document.to_xcom() for document in listed]

    images = find_images("{{ params.images_folder }}")

    submit = AsposeOcrSubmitTableOperator(
        task_id="submit",
        images=images,
        aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
        language="{{ params.language }}",
        result_type_table="Csv",
        # Submissions in flight at once; the service documents no limit, keep it polite.
        max_concurrency=4,
        # The load's target: checked before the first POST, and images it already holds are
        # skipped (not submitted, not paid for, not loaded again).
        warehouse_conn_id="{{ params.warehouse_conn_id }}",
        table="{{ params.table }}",
        incremental="{{ params.incremental }}",
        # "skip": bad files are set aside and recorded, the good ones go on.
        on_bad_input="{{ params.on_bad_input }}",
        # A backlog is worked off this many documents a run, oldest first.
        max_documents_per_run="{{ params.max_documents_per_run }}",
    )

    wait_for_ocr = AsposeOcrTaskSensor(
        task_id="wait_for_ocr",
        # The submit records, not bare ids, so a failed recognition names the image it came from.
        ocr_task_ids=submit.output["submissions"],
        aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
        # Wait in the triggerer (needs `airflow triggerer` running), not in a worker slot.
        deferrable=True,
        # The service takes "a few seconds" per image: first poll after 3 s, then backing off.
        poll_interval=3,
        max_poll_interval=60,
        timeout=2 * 3600,
    )

    load = AsposeOcrTableToSqlOperator(
        task_id="load",
        # The submit records carry the image each OCR task came from, for the _source column.
        ocr_task_ids=submit.output["submissions"],
        conn_id="{{ params.warehouse_conn_id }}",
        table="{{ params.table }}",
        aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
        # Rows keyed by each image's sha256: a reload replaces them (keep_history=True keeps the
        # rows of a file's older versions).
        mode="idempotent",
        # What became of each file (loaded, no table, rejected and why), kept in <table>__inputs.
        input_records=submit.output["inputs"],
        # A folder of mixed documents into one table: each layout's headers become columns
        # (a misread header goes into the column it meant). For a folder of ONE kind of
        # document use "rescue": the first load fixes the columns, other headers' cells go as
        # JSON into _rescued. Why: docs/tables.md, "A schema that does not grow by accident".
        on_new_columns="add",
    )

    wait_for_ocr >> load


aspose_ocr_tables_to_warehouse()

"""
### Many images of tables -> PostgreSQL, in batches (Aspose.OCR Cloud)

The pattern for thousands of images a day. The images are split into batches of `batch_size`;
each batch goes through the same three steps, as one mapped task group:

- **submit** sends the whole batch (up to `max_concurrency` requests in flight),
- **wait** is *one* deferrable sensor for the whole batch (one trigger in the triggerer polls every
  id of the batch, instead of one sensor per image),
- **load** COPYs the batch's tables into PostgreSQL in one transaction.

A failed batch is retried on its own; the others keep their rows. A retried submit reuses the
ids an earlier try obtained instead of paying for the images again, and (param `incremental`, on
by default) images whose bytes the table already holds are not submitted at all.

Respecting the API's limits: `max_active_tis_per_dag` below caps how many batches submit at the
same time, and `max_concurrency` how many requests each has in flight. To share one budget
between several DAGs, create a pool (`airflow pools set aspose_ocr_api 2 "Aspose.OCR Cloud"`)
and uncomment the `pool=` lines.

Connections: `aspose_ocr_default` (Client Id / Client Secret) and a PostgreSQL connection
(default `postgres_warehouse`), e.g.
`AIRFLOW_CONN_POSTGRES_WAREHOUSE='postgresql://etl:secret@db.example.com:5432/warehouse'`.
Install the provider with its PostgreSQL extra: `pip install "airflow-provider-aspose-ocr[postgres]"`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag, task, task_group

from aspose_ocr_provider.compat import AirflowFailException, ObjectStoragePath
from aspose_ocr_provider.documents.reading import INPUT_SUFFIXES
from aspose_ocr_provider.operators.load import AsposeOcrTableToSqlOperator
from aspose_ocr_provider.operators.submit import AsposeOcrSubmitTableOperator
from aspose_ocr_provider.sensors.task import AsposeOcrTaskSensor

ASPOSE_OCR_CONN_ID = "aspose_ocr_default"

# Images, and PDFs and multi-page TIFFs (the submit operator sends each page as an image).
IMAGE_SUFFIXES = INPUT_SUFFIXES


@dag(
    dag_id="aspose_ocr_tables_to_postgres",
    schedule="@daily",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 3, "retry_delay": timedelta(minutes=2), "retry_exponential_backoff": True},
    params={
        "images_folder": Param(
            "",
            type="string",
            title="Images folder",
            description="Folder of table images (searched recursively): a local path or an "
            "ObjectStoragePath URI (s3://bucket/scans/2026-11-29 with the Amazon provider). Required: a run "
            "without it fails at once (set a default here to run on a schedule).",
        ),
        "postgres_conn_id": Param(
            "postgres_warehouse",
            type="string",
            minLength=1,
            title="PostgreSQL connection",
            description="Id of a postgres connection to the warehouse; the provider COPYs rows into it.",
        ),
        "table": Param(
            "ocr_tables",
            type="string",
            minLength=1,
            title="Warehouse table",
            description="Target table, 'table' or 'schema.table' (the schema must exist).",
        ),
        "batch_size": Param(
            200,
            type="integer",
            minimum=1,
            maximum=5000,
            title="Images per batch",
            description="Images submitted, waited for and loaded together.",
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
    tags=["aspose-ocr", "example", "postgres"],
    doc_md=__doc__,
)
def aspose_ocr_tables_to_postgres() -> None:
    @task
    def find_batches(images_folder: str, batch_size: int) -> list[list[str]]:
        """The folder's images, sorted, in batches: the same batches on every try of the run."""
        if not images_folder.strip():
            # Never a default folder: a run nobody pointed anywhere must not load anything.
            from aspose_ocr_provider.sample_data import sample_dir

            raise AirflowFailException(
                "No images_folder given: name the folder to load when you trigger the run, e.g. "
                'airflow dags test aspose_ocr_tables_to_postgres -c \'{"images_folder": "/data/scans"}\' '
                "(or the Trigger form's Images folder); for scheduled runs, set the param's default in "
                f"the DAG file. The sample scans bundled with the provider are in {sample_dir()}."
            )
        folder = ObjectStoragePath(images_folder.strip())
        if not folder.is_dir():
            # A retry finds the same folder missing: fail now, not after the retries.
            raise AirflowFailException(
                f"images_folder {images_folder!r} is not a folder that exists; give a local path or a URI "
                "such as s3://bucket/scans."
            )
        images = sorted(
            str(p) for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
        )
        size = int(batch_size)
        return [images[i : i + size] for i in range(0, len(images), size)]

    @task_group(group_id="ocr_batch")
    def ocr_batch(images: list[str]) -> None:
        submit = AsposeOcrSubmitTableOperator(
            task_id="submit",
            images=images,
            aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
            max_concurrency=16,
            # At most this many batches submitting at once, across runs of this DAG.
            max_active_tis_per_dag=2,
            # pool="aspose_ocr_api",
            # Checked before the first POST; images the table already holds are skipped. A batch
            # with nothing new skips its submit, wait and load.
            warehouse_conn_id="{{ params.postgres_conn_id }}",
            table="{{ params.table }}",
            incremental="{{ params.incremental }}",
            on_bad_input="{{ params.on_bad_input }}",
        )
        wait = AsposeOcrTaskSensor(
            task_id="wait",
            # Inside a mapped task group these are this batch's records only; records rather
            # than bare ids, so a failed recognition names the image it came from.
            ocr_task_ids=submit.output["submissions"],
            aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
            deferrable=True,
            poll_interval=10,
            max_poll_interval=120,
            timeout=6 * 3600,
            # pool="aspose_ocr_api",
        )
        load = AsposeOcrTableToSqlOperator(
            task_id="load",
            ocr_task_ids=submit.output["submissions"],
            conn_id="{{ params.postgres_conn_id }}",
            table="{{ params.table }}",
            aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
            # Rows keyed by each image's sha256: loading an image again replaces its rows.
            mode="idempotent",
            input_records=submit.output["inputs"],
        )
        wait >> load

    ocr_batch.expand(images=find_batches("{{ params.images_folder }}", "{{ params.batch_size }}"))


aspose_ocr_tables_to_postgres()

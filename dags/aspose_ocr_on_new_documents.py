"""
### New scans -> warehouse rows within seconds (Aspose.OCR Cloud, event-driven)

The scheduled example (`aspose_ocr_tables_to_warehouse`) loads a folder once a day. This one
starts a run as soon as documents land in a folder: an asset watcher in the triggerer lists the
folder every few seconds (reading no file) and fires an event naming each new or changed
document. Each run is one task, **load_new_documents**, which

1. takes exactly the documents its triggering events name (those still in the folder), or, in a
   sweep or a run you start by hand, every document of the folder;
2. checks the warehouse connection and table, leaves out documents the table already holds
   (param `incremental`; by their listing fingerprint, unread) and sends the rest to Aspose.OCR
   Cloud;
3. waits for the recognitions, polling from the task (a run handles a few documents: a task of
   its own per step would cost more seconds than the work);
4. writes the rows in one transaction, keyed by each document's bytes (idempotent).

A restarted triggerer names every document in the folder again: that run costs a listing and a
check of the warehouse, never a submission or a duplicate row.

Deployment settings (environment variables of the DAG processor, triggerer and workers; nothing
to edit here):

- `ASPOSE_OCR_WATCH_URI`: the folder to watch, a local path or URI (`/data/inbox`,
  `file:///data/inbox`, `s3://bucket/inbox/` with the Amazon provider). Unset: nothing is watched
  and the DAG only runs when triggered by hand. Write files under a temporary name and rename them
  when complete (object stores do this for you).
- `ASPOSE_OCR_WATCH_TABLE`: the warehouse table, `table` or `schema.table` (default `ocr_tables`).
- `ASPOSE_OCR_WATCH_POKE_INTERVAL`: seconds between listings (default 10).
- `ASPOSE_OCR_WATCH_QUEUE`: for a big bucket, the SQS queue URL its S3 event notifications for the
  folder go to (or another `common.messaging` queue URI): the watcher then reads the queue and
  never lists; each run asks the store about the objects its messages name (one HEAD each).
  Unset: the folder is listed every poke interval.
- `ASPOSE_OCR_WATCH_SWEEP`: cron schedule of a sweep run that takes the whole folder and skips
  what is loaded (default `@hourly`, `@daily` with a queue; `none` for no sweep). It catches an
  event Airflow left unconsumed (apache/airflow#56050: one arriving while a run is being created
  can wait for the next event) and a notification the queue lost.

Connections (environment variables shown; the UI or a secrets backend work the same way):

- `aspose_ocr_default` (type `aspose_ocr`): your Client Id as login and Client Secret as password.
  Against the local emulator, add `"host": "http://127.0.0.1:PORT"`.
- `warehouse`: any common-sql database, e.g. SQLite
  `AIRFLOW_CONN_WAREHOUSE='sqlite://%2Fpath%2Fto%2Fwarehouse.db'` (the file path percent-encoded).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, dag

from aspose_ocr_provider.compat import Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable
from aspose_ocr_provider.documents.events import TriggeringDocuments
from aspose_ocr_provider.operators.documents_to_sql import AsposeOcrDocumentsToSqlOperator
from aspose_ocr_provider.triggers.new_documents import AsposeOcrNewDocumentsTrigger
from aspose_ocr_provider.triggers.s3_notifications import queue_watcher_trigger

ASPOSE_OCR_CONN_ID = "aspose_ocr_default"
WAREHOUSE_CONN_ID = "warehouse"

# Where this deployment's documents land, and where their rows go: read from the environment
# when the DAG is parsed (no file or network access).
WATCH_URI = os.environ.get("ASPOSE_OCR_WATCH_URI", "").strip()
WATCH_TABLE = os.environ.get("ASPOSE_OCR_WATCH_TABLE", "").strip() or "ocr_tables"
try:
    POKE_INTERVAL = float(os.environ.get("ASPOSE_OCR_WATCH_POKE_INTERVAL", "").strip() or 10)
except ValueError:
    raise ValueError(
        "ASPOSE_OCR_WATCH_POKE_INTERVAL must be a number of seconds (e.g. 10), got "
        f"{os.environ['ASPOSE_OCR_WATCH_POKE_INTERVAL']!r}."
    ) from None

# The store's notifications instead of a listing: an SQS queue URL (or another common.messaging
# queue URI) that the bucket's s3:ObjectCreated:* events for WATCH_URI go to.
WATCH_QUEUE = os.environ.get("ASPOSE_OCR_WATCH_QUEUE", "").strip()

# A sweep now and then loads whatever no event brought (its run has no watcher event, so it takes
# the whole folder and skips what is loaded): Airflow can leave an asset event that arrives while
# a run is being created unconsumed until the next event (apache/airflow#56050), and a queue can
# lose a notification (purged, or a message kept past its retention). With notifications the sweep
# is the only thing that lists a big bucket: daily.
SWEEP = os.environ.get("ASPOSE_OCR_WATCH_SWEEP", "").strip() or ("@daily" if WATCH_QUEUE else "@hourly")


def _watchers() -> list[AssetWatcher]:
    if not WATCH_URI:
        return []
    if WATCH_QUEUE:
        return [AssetWatcher(name="aspose_ocr_queue_watcher", trigger=queue_watcher_trigger(WATCH_QUEUE, WATCH_URI))]
    return [
        AssetWatcher(
            name="aspose_ocr_folder_watcher",
            trigger=AsposeOcrNewDocumentsTrigger(folder=WATCH_URI, poke_interval=POKE_INTERVAL),
        )
    ]


NEW_DOCUMENTS = Asset(name="aspose_ocr_new_documents", watchers=_watchers())


@dag(
    dag_id="aspose_ocr_on_new_documents",
    schedule=(
        [NEW_DOCUMENTS]
        if SWEEP.lower() == "none"
        else AssetOrTimeSchedule(
            timetable=CronTriggerTimetable(SWEEP, timezone="UTC"), assets=[NEW_DOCUMENTS]
        )
    ),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    # Every event gets its run at once (with max_active_runs=1, events arriving while a run works
    # can wait for the next event: apache/airflow#56050); the task itself runs one run at a time
    # (max_active_tis_per_dag below), so a run sees what the one before it loaded.
    max_active_runs=16,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    description=(
        f"Loads new documents of {WATCH_URI} into {WATCH_TABLE} as they land"
        + (f", as {WATCH_QUEUE} notifies them" if WATCH_QUEUE else "")
        if WATCH_URI
        else "Watching nothing: set ASPOSE_OCR_WATCH_URI to the folder to watch"
    ),
    params={
        "language": Param(
            "English",
            type="string",
            title="Language",
            description="Language of the text in the documents, as Aspose.OCR names it (English, "
            "German, French...).",
        ),
        "incremental": Param(
            True,
            type="boolean",
            title="Only new documents",
            description="Skip documents whose bytes already have rows in the table (or were "
            "recognised with no table): they are not submitted, paid for or loaded again. Off: "
            "recognise and reload them (their rows are replaced, not duplicated).",
        ),
        # "skip" here, unlike the folder DAG's "fail": an inbox is written to all day, and the
        # hourly sweep names every document, so one bad file would otherwise fail a run an hour.
        "on_bad_input": Param(
            "skip",
            type="string",
            enum=["fail", "skip"],
            title="Bad inputs",
            description="skip: bad files (empty, not an image, unreadable, too many pixels or pages) "
            "are set aside and recorded in <table>__rejected_inputs, the good ones are loaded; a "
            "rejected file is not looked at again until it changes. fail: a bad file fails the run "
            "before anything is paid for, naming every bad file.",
        ),
    },
    tags=["aspose-ocr", "example"],
    doc_md=__doc__,
)
def aspose_ocr_on_new_documents() -> None:
    # One task, not submit -> wait -> load: a run handles a few documents, and each task of a run
    # costs a process start and a scheduler round, seconds that dwarf the work.
    AsposeOcrDocumentsToSqlOperator(
        task_id="load_new_documents",
        # One run's task at a time: two runs naming the same document (a restarted watcher names
        # every document again) must not both submit and load it; the second finds it loaded.
        max_active_tis_per_dag=1,
        # The documents this run's watcher events name, as the folder lists them now (so the
        # fingerprint of each is today's); a sweep or a run started by hand takes the folder.
        images=TriggeringDocuments(NEW_DOCUMENTS, folder=WATCH_URI),
        aspose_ocr_conn_id=ASPOSE_OCR_CONN_ID,
        conn_id=WAREHOUSE_CONN_ID,
        table=WATCH_TABLE,
        submit_kwargs={
            "language": "{{ params.language }}",
            "result_type_table": "Csv",
            "max_concurrency": 4,
            # Checked before the first POST; documents the table already holds are skipped (by
            # their listing fingerprint, unread), so a watcher that names a document twice costs
            # nothing twice.
            "incremental": "{{ params.incremental }}",
            "on_bad_input": "{{ params.on_bad_input }}",
        },
        # Keyed by each document's bytes: a reload replaces its rows, never duplicates them.
        load_kwargs={"mode": "idempotent"},
        # A run handles a few documents: poll soon, so rows land seconds after the scan.
        poll_interval=1,
        max_poll_interval=30,
        wait_timeout=2 * 3600,
    )


aspose_ocr_on_new_documents()

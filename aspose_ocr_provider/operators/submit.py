"""Submit table images to Aspose.OCR Cloud and hand their task ids on through XCom."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aspose_ocr_provider.compat import AirflowSkipException, AirflowTaskTimeout, BaseOperator
from aspose_ocr_provider.documents.events import TriggeringDocuments
from aspose_ocr_provider.documents.identity import submission_record
from aspose_ocr_provider.documents.pages import DEFAULT_DPI, DEFAULT_MAX_PAGES, PageSelection
from aspose_ocr_provider.documents.reading import (
    DEFAULT_MAX_IMAGE_BYTES,
    ImageSource,
    check_images,
    describe,
    input_items,
    prepared_pages,
)
from aspose_ocr_provider.exceptions import AsposeOcrError, clause
from aspose_ocr_provider.hooks.aspose_ocr import AsposeOcrHook
from aspose_ocr_provider.lineage import LineageNotes
from aspose_ocr_provider.models import RETENTION_SECONDS, TableSettings, TaskStatus
from aspose_ocr_provider.operators.bad_inputs import (
    INPUTS_XCOM_KEY,
    SetAside,
    parse_on_bad_input,
    set_aside,
    submitted_records,
)
from aspose_ocr_provider.operators.execution_deadline import ExecutionDeadline, min_timeout
from aspose_ocr_provider.operators.final_errors import fail_without_retry
from aspose_ocr_provider.operators.incremental import (
    WarehouseTarget,
    nothing_to_submit,
    parse_flag,
    parse_other_tables,
    parse_quarantine_table,
)
from aspose_ocr_provider.operators.listed_inputs import plan_reads
from aspose_ocr_provider.operators.submission_ledger import LedgerEntry, SubmissionLedger, image_key
from aspose_ocr_provider.tables.provenance import ProvenanceSpec
from aspose_ocr_provider.warehouse.input_records import InputRecord, input_records_target, read_input_records
from aspose_ocr_provider.warehouse.writer import TableWriter, write_together

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage

    from aspose_ocr_provider.compat import Context

SUBMISSIONS_XCOM_KEY = "submissions"
"""XCom key of the per-page provenance records (source, task_id, sha256, page, submitted_at)."""

KILL_BUDGET_SECONDS = 4.0
"""Time ``on_kill`` allows itself: Airflow escalates SIGTERM to SIGKILL after 5 seconds."""

REUSE_MARGIN_SECONDS = 3600
"""An earlier try's id is reused only if it has at least this long left before the service
forgets it, so the sensor and the load step still find its result."""

SETTING_ARGS: tuple[str, ...] = (
    "language",
    "result_type_table",
    "make_skew_correct",
    "make_spell_check",
    "make_contrast_correction",
    "make_binarization",
    "make_upsampling",
    "dsr_mode",
    "dsr_confidence",
    "result_type",
    "rotate",
    "regions",
)
_BOOL_ARGS = frozenset(a for a in SETTING_ARGS if a.startswith("make_"))


def _is_static(value: Any) -> bool:
    """Whether a value is final at parse time (no Jinja, no XComArg), so it can be checked then."""
    if value is None or isinstance(value, (bool, int, float, bytes, TableSettings)):
        return True
    if isinstance(value, str):
        return "{{" not in value and "{%" not in value
    if isinstance(value, Mapping):
        return all(_is_static(k) and _is_static(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_is_static(v) for v in value)
    return False


def _coerce_rendered(name: str, value: Any) -> Any:
    """Undo Jinja's stringification of booleans and integers (``"True"``, ``"90"``)."""
    if isinstance(value, str):
        text = value.strip()
        if name in _BOOL_ARGS and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if name == "rotate" and text.lstrip("-").isdigit():
            return int(text)
    return value


def parse_limit(name: str, value: Any) -> int | None:
    """A positive whole number or None (no limit), also as a template renders it (``"10"``, ``"None"``)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ValueError(f"{name} must be a whole number >= 1, or None for no limit; got {value!r}.")


def _first_documents(sources: list[ImageSource], limit: int) -> tuple[list[ImageSource], int]:
    """The pages of the first ``limit`` documents, and how many documents were left out."""
    documents: list[str] = []
    for src in sources:
        if src.document.sha256 not in documents:
            documents.append(src.document.sha256)
    kept = set(documents[:limit])
    return [s for s in sources if s.document.sha256 in kept], len(documents) - len(kept)


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _age_seconds(iso: str) -> float:
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return float("inf")
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return (datetime.now(UTC) - then).total_seconds()


class AsposeOcrSubmitTableOperator(BaseOperator):
    """
    Submit images of tables to Aspose.OCR Cloud table recognition (``POST /v5.0/ocr/RecognizeTable``).

    Every input is resolved, read, format-sniffed and size-checked before the first request, so a
    bad batch costs nothing. Images are then submitted over a bounded pool of connections. The
    task ids are returned (XCom ``return_value``) in input order, and a provenance record per input
    is pushed under XCom key ``submissions``.

    A retried try of the same task instance reuses the ids an earlier try obtained for the same
    image bytes and settings instead of paying again. The ids are kept as they arrive in the task
    state store on Airflow 3.3+, in Airflow Variables on older Airflow (XCom cannot carry them:
    Airflow clears a task's XComs when a new try starts; see ``submission_ledger``), re-checked
    against the API on retry, and resubmitted only if the service no longer knows them or they are within an hour of the 24-hour retention. The same
    image given twice in one batch is submitted once. ``on_kill`` cancels what this try submitted
    that has not finished, except after ``execution_timeout``, when the ids are kept for the retry.

    .. seealso::
        For how to wait for the results, see :class:`~aspose_ocr_provider.sensors.task.AsposeOcrTaskSensor`.

    :param images: What to recognise (templated): a local path, a glob (``/data/*.png``,
        ``**`` recursive), a URI read through ``ObjectStoragePath`` (``file://`` and any scheme
        an installed filesystem provider adds, e.g. ``s3://`` with the Amazon provider), raw
        ``bytes``, or a list of those. Globs expand in sorted order. Or a
        :class:`~aspose_ocr_provider.documents.events.TriggeringDocuments`: the documents the
        run's folder-watcher events name (the event-driven example DAG).
    :param aspose_ocr_conn_id: The Aspose.OCR connection to use.
    :param settings: Recognition settings as a ``TableSettings`` or a dict with Python or wire
        names (templated). The keyword arguments below override its members.
    :param language: Language of the text, e.g. ``"English"`` (templated).
    :param result_type_table: Table output: ``Csv`` (default), ``Excel``, ``CsvAndExcel`` or ``Text`` (templated).
    :param make_skew_correct: Straighten skew up to about 15 degrees (templated; default true).
    :param make_spell_check: Spell-check recognised text (templated; default false).
    :param make_contrast_correction: Correct contrast first (templated; default false; deprecated by the API).
    :param make_binarization: Binarize before recognition (templated; default true).
    :param make_upsampling: Upscale small images (templated; default false).
    :param dsr_mode: Document structure recognition mode, e.g. ``Regions`` (templated).
    :param dsr_confidence: Confidence of structure detection, e.g. ``Mid`` (templated).
    :param result_type: Extra result format, e.g. ``JSON`` (templated).
    :param rotate: Rotate the image by this many degrees first (templated).
    :param regions: Areas to recognise: ``(x1, y1, x2, y2)`` tuples or the API's region objects (templated).
    :param max_concurrency: Most submissions in flight at once.
    :param max_image_bytes: Refuse images (and rendered pages) larger than this many bytes (the
        API documents no limit).
    :param pages: Which pages of each PDF or multi-frame TIFF to submit (templated): ``"all"``
        (default), or 1-based pages and ranges such as ``"1-3,7"`` or ``"2-"`` (page 2 to the end).
        A page the document does not have is an error naming the file.
    :param dpi: Resolution PDF pages are rendered at (default 300, what OCR is tuned for; lower
        it for large pages, raise it for small print).
    :param max_pages: Refuse a document with more selected pages than this (default 500): each
        page is one billed recognition.
    :param warehouse_conn_id: The common-sql connection the results will be loaded over (templated).
        With ``table``, it is checked before the first POST (connection exists, is a database,
        answers, the table name suits it), so a wrong warehouse costs nothing.
    :param table: The table the load step writes (templated), for that check and for ``incremental``.
    :param incremental: With a warehouse, leave out inputs whose identity (sha256 of the document's
        bytes and page) already has rows in ``table`` or a "no table" record in
        ``<table>__no_table`` (templated; default True), or in ``other_tables`` or
        ``quarantine_table``. When none is new the task skips, and so do the steps after it.
        Delete an input's rows from all of them and the next run recognises it again.
    :param other_tables: The other tables the load step writes (templated; a list of names), when
        it routes tables into several declared tables (``schemas``): give the first as ``table``
        and the rest here, so an input whose rows went to any of them counts as loaded.
    :param quarantine_table: The load step's ``quarantine_table`` (templated), when it sets bad
        data aside (``on_bad_data="quarantine"``): an input with a record there, waiting for
        review or answered, counts as loaded, so a re-run does not reload it and undo a person's
        corrections.
    :param provenance: The load step's ``provenance`` option, when it renames the identity
        columns (``_source``, ``_source_sha256``, ``_source_page``).
    :param on_bad_input: ``"fail"`` (default): an input that cannot be submitted (empty, not an
        image, unreadable, over ``max_image_bytes``, over 100 megapixels by its header, a PDF page
        over the pixel cap, over ``max_pages``, changed while read) fails the task before any POST,
        naming every bad input, without retries; ``"skip"``: bad inputs are set aside, the good
        ones submitted, and each bad one is recorded in ``<table>__inputs`` (view
        ``<table>__rejected_inputs``) with its reason, by the load step (give it this task's
        ``inputs`` XCom as ``input_records``), or here when nothing is submitted. An input
        rejected before with the same bytes (or, given as a listing entry, the same listing
        fingerprint: then not even read) is passed over without a word beyond the log's one-line
        summary (templated).
    :param max_documents_per_run: Read and submit at most this many documents a run (templated;
        default None, no limit). The rest wait for later runs, oldest first by the listing's
        modification time (input order for plain paths), so a backlog is worked off in steady runs
        instead of one giant task.

    Inputs given as listing entries (dicts from :func:`aspose_ocr_provider.documents.listing.list_documents`,
    ``entry.to_xcom()``; the example DAG's find step returns them) carry a fingerprint (size and
    ETag, version id or modification time). With a warehouse and ``incremental``, an entry whose
    fingerprint is the one recorded in ``<table>__inputs`` is skipped without reading its bytes;
    a changed fingerprint means read and hash (the sha256 stays the identity). Plain paths, globs,
    URIs and bytes are read and hashed every run, as before.
    """

    template_fields: Sequence[str] = (
        "images",
        "settings",
        "pages",
        *SETTING_ARGS,
        "warehouse_conn_id",
        "table",
        "other_tables",
        "quarantine_table",
        "incremental",
        "on_bad_input",
        "max_documents_per_run",
    )
    ui_color = "#f4a261"

    def __init__(
        self,
        *,
        images: Any,
        aspose_ocr_conn_id: str = "aspose_ocr_default",
        settings: TableSettings | Mapping[str, Any] | None = None,
        language: str | None = None,
        result_type_table: str | None = None,
        make_skew_correct: bool | None = None,
        make_spell_check: bool | None = None,
        make_contrast_correction: bool | None = None,
        make_binarization: bool | None = None,
        make_upsampling: bool | None = None,
        dsr_mode: str | None = None,
        dsr_confidence: str | None = None,
        result_type: str | None = None,
        rotate: int | None = None,
        regions: Sequence[Any] | None = None,
        max_concurrency: int = 8,
        max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
        pages: str | int | Sequence[int] = "all",
        dpi: int = DEFAULT_DPI,
        max_pages: int = DEFAULT_MAX_PAGES,
        warehouse_conn_id: str | None = None,
        table: str | None = None,
        other_tables: Sequence[str] | None = None,
        quarantine_table: str | None = None,
        incremental: bool | str = True,
        provenance: ProvenanceSpec = True,
        on_bad_input: str = "fail",
        max_documents_per_run: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if _is_static(on_bad_input):
            parse_on_bad_input(on_bad_input)
        self.on_bad_input = on_bad_input
        if _is_static(max_documents_per_run):
            parse_limit("max_documents_per_run", max_documents_per_run)
        self.max_documents_per_run = max_documents_per_run
        if (warehouse_conn_id is None) != (table is None):
            raise ValueError(
                "Give both warehouse_conn_id and table (the load step's target) or neither; "
                f"got warehouse_conn_id={warehouse_conn_id!r}, table={table!r}."
            )
        self.warehouse_conn_id = warehouse_conn_id
        self.table = table
        if _is_static(table) and _is_static(quarantine_table):
            parse_quarantine_table(quarantine_table, table)
            if _is_static(other_tables):
                parse_other_tables(other_tables, table, quarantine_table)
        self.other_tables = other_tables
        self.quarantine_table = quarantine_table
        self.incremental = incremental
        self.provenance = provenance
        if _is_static(incremental):
            parse_flag("incremental", incremental)
        if table is not None and incremental is True:
            WarehouseTarget("", "", provenance).identity_columns()
        self.images = images
        self.aspose_ocr_conn_id = aspose_ocr_conn_id
        self.settings = settings
        self.language = language
        self.result_type_table = result_type_table
        self.make_skew_correct = make_skew_correct
        self.make_spell_check = make_spell_check
        self.make_contrast_correction = make_contrast_correction
        self.make_binarization = make_binarization
        self.make_upsampling = make_upsampling
        self.dsr_mode = dsr_mode
        self.dsr_confidence = dsr_confidence
        self.result_type = result_type
        self.rotate = rotate
        self.regions = regions
        if not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise ValueError(f"max_concurrency must be a positive integer, got {max_concurrency!r}.")
        if not isinstance(max_image_bytes, int) or max_image_bytes < 1:
            raise ValueError(f"max_image_bytes must be a positive number of bytes, got {max_image_bytes!r}.")
        if not isinstance(dpi, int) or not 36 <= dpi <= 1200:
            raise ValueError(f"dpi must be a whole number from 36 to 1200 (default 300), got {dpi!r}.")
        if not isinstance(max_pages, int) or max_pages < 1:
            raise ValueError(f"max_pages must be a positive number of pages, got {max_pages!r}.")
        self.max_concurrency = max_concurrency
        self.max_image_bytes = max_image_bytes
        self.pages = pages
        self.dpi = dpi
        self.max_pages = max_pages
        if _is_static(pages):
            PageSelection.parse(pages)  # a typo fails when the DAG is parsed
        if _is_static(settings) and all(_is_static(getattr(self, a)) for a in SETTING_ARGS):
            self.table_settings()  # a typo in a static setting fails when the DAG is parsed

    def _reset_try_state(self) -> None:
        # Made per try, not in __init__: operators get deep-copied, and locks cannot be.
        self._lock = threading.Lock()
        self._kill = threading.Event()
        self._futures: list[Future[Any]] = []
        self._ids_this_try: list[str] = []
        self._keep_on_kill = False
        self._keep_ids = False
        self._ledger: SubmissionLedger | None = None
        self._lineage = LineageNotes()
        # Airflow arms execution_timeout's alarm just before execute: read it now, so a timeout
        # whose exception Python dropped still ends the try (see execution_deadline).
        self._deadline = ExecutionDeadline.armed()
        # This try's XComs, also kept here for an operator that runs this one's work in its task.
        self.inputs_pushed: list[dict[str, Any]] = []
        self.submissions_pushed: list[dict[str, Any]] = []

    def table_settings(self) -> TableSettings:
        """The validated settings; raises ValueError naming the bad setting and the valid values."""
        overrides = {
            name: _coerce_rendered(name, getattr(self, name))
            for name in SETTING_ARGS
            if getattr(self, name) is not None
        }
        try:
            return TableSettings.from_kwargs(self.settings, **overrides)
        except ValueError as exc:
            raise ValueError(f"{self.task_id}: invalid recognition settings: {exc}") from None

    def _hook(self) -> AsposeOcrHook:
        return AsposeOcrHook(aspose_ocr_conn_id=self.aspose_ocr_conn_id, pool_size=self.max_concurrency)

    def execute(self, context: Context) -> list[str]:
        return self.submit_inputs(context)

    def submit_inputs(self, context: Context, *, keep_ids: bool = False) -> list[str]:
        """What ``execute`` does, callable by an operator that runs this one's work inside its own
        task (Airflow warns when one operator calls another's ``execute``).

        :param keep_ids: keep the accepted ids in the ledger after success (``execute`` drops them:
            its XCom holds them from then on). For a caller that waits and loads in the same task:
            its retry re-runs this step and must reuse the ids, its XComs being cleared; it calls
            :meth:`forget_ids` once the rows are committed.
        """
        self._reset_try_state()
        self._keep_ids = keep_ids
        try:
            # A bad input, setting or connection fails the same way on every try: no retries.
            with fail_without_retry():
                return self._execute(context)
        except AirflowTaskTimeout:
            # Airflow calls on_kill next. The service bills per request and a DELETE refunds
            # nothing, so keep the ids for the retry to reuse rather than cancel and pay again.
            self.keep_ids_on_kill()
            raise

    def _execute(self, context: Context) -> list[str]:
        settings = self.table_settings()
        settings_json = settings.to_json()
        target = writer = None
        incremental = False
        if self.warehouse_conn_id is not None and self.table is not None:
            quarantine_table = parse_quarantine_table(self.quarantine_table, self.table)
            target = WarehouseTarget(
                self.warehouse_conn_id,
                self.table,
                self.provenance,
                other_tables=parse_other_tables(self.other_tables, self.table, quarantine_table),
                quarantine_table=quarantine_table,
            )
            incremental = parse_flag("incremental", self.incremental)
            if incremental:
                target.identity_columns()
            writer = target.check()
        limit = parse_limit("max_documents_per_run", self.max_documents_per_run)
        images = self.images
        if isinstance(images, TriggeringDocuments):
            images = images.for_run(context, self.log)
        items = input_items(images)
        if not items:  # an empty folder on a schedule: nothing to do, not an error
            raise nothing_to_submit(0)
        skip_bad = parse_on_bad_input(self.on_bad_input) == "skip"
        reads = plan_reads(
            items,
            target=target,
            writer=writer,
            incremental=incremental,
            limit=limit,
            log=self.log,
            skip_rejected=skip_bad,
        )
        fingerprints = reads.fingerprints()
        if not reads.to_read and not reads.plain:
            self._set_aside([], writer, reads.rejected_unread)
            raise nothing_to_submit(len(items))
        checked = check_images(
            reads.inputs(), self.max_image_bytes, pages=self.pages, dpi=self.dpi, max_pages=self.max_pages
        )
        checked.raise_if_any(skip_rejected=skip_bad)
        sources = checked.sources
        aside = self._set_aside(checked.rejected, writer, reads.rejected_unread)
        try:
            if not sources:
                raise nothing_to_submit(0)
            if target is not None and writer is not None and incremental:
                found = target.held(writer, sources)
                refreshed = target.record_fingerprints(
                    writer, sources, found, reads.listed, reads.records, context["run_id"]
                )
                if refreshed:
                    self.log.info(
                        "%d document(s) touched but unchanged (same sha256): their new fingerprint is "
                        "recorded, so the next run skips them unread.",
                        refreshed,
                    )
                sources = target.new_inputs(writer, sources, self.log, found=found, total=len(items))
        except AirflowSkipException:
            if aside.new and writer is not None:
                # No load follows: the rejections are the run's only rows, written here.
                now = datetime.now(UTC)
                rejections = aside.records(fingerprints)
                write_together(
                    [input_records_target(writer.hook, writer.table, rejections, context["run_id"], now)]
                )
            raise
        if limit is not None:
            sources, waiting = _first_documents(sources, limit)
            if waiting:
                self.log.info(
                    "max_documents_per_run=%d: %d more new document(s) wait for a later run.", limit, waiting
                )
        self.inputs_pushed = [
            r.to_xcom() for r in [*submitted_records(sources, fingerprints), *aside.records(fingerprints)]
        ]
        context["ti"].xcom_push(key=INPUTS_XCOM_KEY, value=self.inputs_pushed)
        keys = [image_key(s.sha256, settings_json, page=s.page) for s in sources]
        self._lineage.inputs = [s.source for s in sources]
        self.log.info("Submitting %s with settings %s", describe(sources), settings_json)

        ledger = self._ledger = SubmissionLedger.for_context(context)
        earlier = ledger.load()
        entries = self._reusable(earlier, set(keys), ledger)

        first_source: dict[str, ImageSource] = {}
        for key, src in zip(keys, sources, strict=True):
            if key not in entries:
                first_source.setdefault(key, src)
        reused = len(entries)
        entries.update(self._submit_all(first_source, settings, ledger))

        submitted: list[dict[str, Any]] = [
            submission_record(
                src.source,
                entries[key].task_id,
                src.identity,
                entries[key].submitted_at,
            )
            for key, src in zip(keys, sources, strict=True)
        ]
        self.submissions_pushed = submitted
        self._deadline.check()  # a try past its limit ends as timed out, its ids kept for the retry
        context["ti"].xcom_push(key=SUBMISSIONS_XCOM_KEY, value=submitted)
        if not self._keep_ids:
            ledger.clear()
        self.log.info(
            "Submitted %d page(s): %d distinct, %d reused from an earlier try, %d new; %s.",
            len(keys),
            len(set(keys)),
            reused,
            len(first_source),
            ledger.account(),
        )
        return [str(record["task_id"]) for record in submitted]

    def _set_aside(
        self, rejected: Any, writer: TableWriter | None, unread: Sequence[InputRecord] = ()
    ) -> SetAside:
        """The rejected inputs, split by whether the warehouse's records rejected the same bytes
        before (``unread``: those passed over by their listing fingerprint); summed up in one log line."""
        if not rejected and not unread:
            return SetAside()
        known = (
            read_input_records(writer.hook, writer.table, [r.source for r in rejected])
            if writer and rejected
            else {}
        )
        aside = set_aside(rejected, known, unread)
        self.log.warning("%s", aside.summary(self.table))
        return aside

    def _reusable(
        self, earlier: dict[str, LedgerEntry], wanted: set[str], ledger: SubmissionLedger
    ) -> dict[str, LedgerEntry]:
        """Earlier tries' ids that the service still holds long enough to be worth reusing."""
        candidates = {k: e for k, e in earlier.items() if k in wanted}
        stale = [
            k
            for k, e in candidates.items()
            if _age_seconds(e.submitted_at) > RETENTION_SECONDS - REUSE_MARGIN_SECONDS
        ]
        for key in stale:
            candidates.pop(key)
        if not candidates:
            ledger.forget(stale)
            return {}
        hook = self._hook()
        hook.prepare()  # connection and token read here, not by the pool's threads at once
        with ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(candidates))) as pool:
            answers = pool.map(lambda e: hook.get_status(e.task_id).task_status, candidates.values())
            statuses = dict(zip(candidates, answers, strict=True))
        gone = [k for k, status in statuses.items() if status == TaskStatus.NOT_EXIST]
        ledger.forget(stale + gone)
        if stale or gone:
            self.log.info(
                "Resubmitting %d image(s) whose earlier ids expired or are unknown.", len(stale) + len(gone)
            )
        reused = {k: candidates[k] for k in candidates if k not in gone}
        with self._lock:
            self._ids_this_try.extend(e.task_id for e in reused.values())
        return reused

    def _submit_all(
        self, todo: dict[str, ImageSource], settings: TableSettings, ledger: SubmissionLedger
    ) -> dict[str, LedgerEntry]:
        """POST every page over a bounded pool; record each id as soon as it arrives.

        A page is rendered here, on this thread, only when the pool has room for it, then encoded
        and POSTed by a worker. Bitmaps are the big part (8 MB for a letter page at 300 dpi), so
        no more than one per CPU core waits to be encoded, however long the documents are.
        """
        if not todo:
            return {}
        hook = self._hook()  # thread-safe: one HTTP session per thread, one shared token
        hook.prepare()  # connection and token read here, not by the pool's threads at once

        workers = min(self.max_concurrency, len(todo))
        unencoded = threading.BoundedSemaphore(max(1, min(workers, os.cpu_count() or 1)))

        def submit(src: ImageSource, image: Callable[[], bytes]) -> LedgerEntry:
            try:
                if self._kill.is_set():
                    raise AsposeOcrError("Submission stopped: the task is being killed.")
                data = image()
            finally:
                unencoded.release()
            stamp = _now_iso()
            task_id = hook.submit_table(data, settings)
            with self._lock:
                self._ids_this_try.append(task_id)
            return LedgerEntry(
                task_id=task_id, sha256=src.sha256, source=src.source, submitted_at=stamp, page=src.page
            )

        done: dict[str, LedgerEntry] = {}
        failure: BaseException | None = None
        pool = ThreadPoolExecutor(max_workers=workers)
        by_future: dict[Future[LedgerEntry], str] = {}
        self._futures = []
        keys = iter(todo)
        rendered = prepared_pages(todo.values())  # lazy: a page is rendered when next() asks

        seen: set[Future[LedgerEntry]] = set()

        def collect(finished: set[Future[LedgerEntry]]) -> None:
            nonlocal failure
            for future in finished - seen:
                seen.add(future)
                if future.cancelled():
                    continue
                exc = future.exception()
                if exc is None:
                    entry = future.result()
                    done[by_future[future]] = entry
                    ledger.record(by_future[future], entry)
                elif failure is None:
                    failure = exc
                    for other in by_future:
                        other.cancel()
            ledger.flush_if_due()  # soon: a hard kill loses at most FLUSH_GAP plus one write of ids

        try:
            pending: set[Future[LedgerEntry]] = set()
            exhausted = False
            while True:
                self._deadline.check()
                while not exhausted and failure is None and len(pending) < workers + 2:
                    if self._kill.is_set():
                        exhausted = True
                        break
                    # Released by the page's worker once encoded, or when the page is cancelled
                    # unrun (on_kill, a failure): waiting here always ends.
                    unencoded.acquire()
                    try:
                        src, image = next(rendered)
                    except StopIteration:
                        unencoded.release()
                        exhausted = True
                        break
                    except AsposeOcrError as exc:  # a page that cannot be made: stop feeding
                        unencoded.release()
                        failure = exc
                        break
                    future = pool.submit(submit, src, image)
                    future.add_done_callback(lambda f: unencoded.release() if f.cancelled() else None)
                    del image  # the pool's work item holds the only reference until it is POSTed
                    by_future[future] = next(keys)
                    self._futures.append(future)
                    pending.add(future)
                if not pending:
                    break
                finished, pending = wait(
                    pending,
                    timeout=min_timeout(ledger.due_in(), self._deadline.wake_in()),
                    return_when=FIRST_COMPLETED,
                )
                collect(finished)  # also when only the ledger's write fell due
        except BaseException:
            # Interrupted (execution_timeout, kill): stop queued submissions, but record the ones
            # already on the wire, since the service will charge for them.
            for future in by_future:
                future.cancel()
            wait(by_future, timeout=60)
            collect({f for f in by_future if f.done()})
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            rendered.close()  # closes the document being rendered, if any
            ledger.flush()  # whatever happened, every accepted id is written before we leave
            if note := hook.tally.summary():
                self.log.warning("Submitting %d page(s): %s.", len(todo), note)
        if self._kill.is_set():
            raise AsposeOcrError(f"Submission stopped by a kill after {len(done)} of {len(todo)} page(s).")
        if failure is not None:
            reason = clause(failure)
            self._lineage.problems = [
                (src.source, f"not submitted: {reason}") for key, src in todo.items() if key not in done
            ]
            if not done:
                raise AsposeOcrError(
                    f"Submitting stopped before any of {len(todo)} page(s) was accepted: {reason}. "
                    "Nothing was paid for; fix the cause and retry the task."
                ) from failure
            kept = (
                f"The accepted ids are kept in {ledger.pages.name}, so a retry of this task reuses them instead "
                "of paying again."
                if ledger.durable
                else f"The accepted ids could not be kept ({ledger.pages.name} unreachable): a retry "
                "submits those pages again."
            )
            raise AsposeOcrError(
                f"Submitting stopped after {len(done)} of {len(todo)} page(s) were accepted: {reason}. {kept}"
            ) from failure
        return done

    def _lineage_notes(self) -> LineageNotes:
        return getattr(self, "_lineage", None) or LineageNotes()

    def get_openlineage_facets_on_start(self) -> OperatorLineage:
        """Nothing is resolved before the task runs: the images are known once it has read them."""
        from aspose_ocr_provider.lineage import operator_lineage

        return operator_lineage(LineageNotes())

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage:
        """Inputs: every image submitted (or reused from an earlier try)."""
        from aspose_ocr_provider.lineage import operator_lineage

        return operator_lineage(self._lineage_notes())

    def get_openlineage_facets_on_failure(self, task_instance: Any) -> OperatorLineage:
        """Inputs read so far; images not submitted are reported as extraction errors."""
        from aspose_ocr_provider.lineage import operator_lineage

        return operator_lineage(self._lineage_notes())

    def forget_ids(self) -> None:
        """Drop the ids ``submit_inputs(keep_ids=True)`` kept, once what they were for is done."""
        if self._ledger is not None:
            self._ledger.clear()

    def keep_ids_on_kill(self) -> None:
        """Have ``on_kill`` keep this try's ids for the retry (an ``execution_timeout`` later on,
        in an operator that waits in the same task): a DELETE refunds nothing."""
        self._keep_on_kill = True

    def on_kill(self) -> None:
        """Stop submitting and cancel (DELETE) what this try submitted that has not finished."""
        if not hasattr(self, "_kill"):
            return  # killed before execute started: nothing submitted
        self._kill.set()
        if self._keep_on_kill:
            self.log.info(
                "execution_timeout: keeping the %d submitted Aspose.OCR task(s) for the retry to reuse.",
                len(self._ids_this_try),
            )
            return
        for future in self._futures:
            future.cancel()
        # Airflow sends SIGKILL 5 s after SIGTERM: give in-flight POSTs a moment to return their
        # ids, then cancel newest first (the likeliest unfinished), concurrently, within budget.
        deadline = time.monotonic() + KILL_BUDGET_SECONDS
        running = [f for f in self._futures if not f.done()]
        if running:
            wait(running, timeout=KILL_BUDGET_SECONDS / 4)
        with self._lock:
            ids = list(dict.fromkeys(reversed(self._ids_this_try)))
        if not ids:
            return
        hook = self._hook()

        def stop(task_id: str) -> bool | None:
            if time.monotonic() > deadline:
                return None
            try:
                if hook.get_status(task_id).task_status.is_final:
                    return False
                hook.cancel(task_id)
                return True
            except Exception as exc:
                self.log.warning("Could not cancel Aspose.OCR task %s: %s", task_id, exc)
                return None

        with ThreadPoolExecutor(max_workers=max(8, self.max_concurrency)) as pool:
            outcome = list(pool.map(stop, ids))
        cancelled = outcome.count(True)
        skipped = outcome.count(None)
        if skipped:
            self.log.warning("%d Aspose.OCR task(s) could not be checked or cancelled in time.", skipped)
        self.log.info("Cancelled %d unfinished of %d submitted Aspose.OCR task(s).", cancelled, len(ids))

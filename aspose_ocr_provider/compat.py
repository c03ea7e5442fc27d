"""The one place that knows which Airflow version is running.

We support Airflow 3.0.6 to 3.3 (``pyproject.toml`` declares exactly what CI tests). Names moved
between those releases (3.0 has no ``airflow.sdk.BaseHook``, 3.1 no
``airflow.sdk.exceptions.AirflowSkipException``), so every module and example DAG imports them from
here; ``airflow.providers.common.compat``, the bridge the official providers use, does the
resolving. Features that only newer Airflow has are announced by the flags below, and each user of
such a feature keeps a fallback for the older releases.
"""

from __future__ import annotations

import threading
from typing import Any

from airflow.providers.common.compat.sdk import (
    AIRFLOW_V_3_3_PLUS,
    AirflowFailException,
    AirflowNotFoundException,
    AirflowSensorTimeout,
    AirflowSkipException,
    AirflowTaskTimeout,
    Asset,
    AssetAlias,
    BaseHook,
    BaseOperator,
    BaseSensorOperator,
    Connection,
    Context,
    ObjectStoragePath,
    PokeReturnValue,
    Variable,
    conf,
)
from airflow.providers.common.compat.version_compat import AIRFLOW_V_3_1_PLUS, AIRFLOW_V_3_2_PLUS
from airflow.sdk import AssetWatcher
from airflow.triggers.base import BaseEventTrigger, TriggerEvent

try:  # Airflow >= 3.1: masks in the task process and tells the supervisor too.
    from airflow.sdk.log import mask_secret
except ImportError:  # Airflow 3.0
    from airflow.sdk.execution_time.secrets_masker import mask_secret  # type: ignore[no-redef]

try:  # Airflow >= 3.1
    from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable
except ImportError:  # Airflow 3.0: the core timetables
    from airflow.timetables.assets import AssetOrTimeSchedule  # type: ignore[assignment]
    from airflow.timetables.trigger import CronTriggerTimetable  # type: ignore[assignment]

amask_secret: Any
try:  # Airflow >= 3.1: the async variant a triggerer must use (no blocking supervisor call).
    from airflow.sdk.log import amask_secret
except ImportError:  # Airflow 3.0
    amask_secret = None

HITLOperator: Any
try:  # Airflow >= 3.1: human-in-the-loop tasks ("Required actions" in the UI).
    from airflow.providers.standard.operators.hitl import HITLOperator

    HITL_AVAILABLE = True
except Exception:  # Airflow 3.0: the standard provider refuses the import (an optional-feature error)
    HITLOperator = None
    HITL_AVAILABLE = False

SHARED_TRIGGER_STREAMS: bool = hasattr(BaseEventTrigger, "shared_stream_key")
"""Whether the triggerer runs one poll loop for event triggers that share a ``shared_stream_key``
(Airflow 3.3). Event triggers exist from 3.0 (``BaseEventTrigger`` watched by an ``AssetWatcher``);
before 3.3 each runs its own ``run()``, and a trigger that wants to share I/O shares it itself."""

SharedStreamProducer: Any
reject_shared_stream_event: Any
try:  # Airflow >= 3.3: a shared stream in ack mode advances its broker once events are stored
    from airflow.triggers.shared_stream import SharedStreamProducer, reject_shared_stream_event

    ACKED_TRIGGER_STREAMS = True
except ImportError:  # Airflow < 3.3: a trigger acknowledges what it received itself, after yielding
    SharedStreamProducer = object
    reject_shared_stream_event = None
    ACKED_TRIGGER_STREAMS = False

SUPERVISOR_LOCK = threading.RLock()
"""Held around every call this package makes to the task supervisor from a task process.

Connection lookups, Variables, the task state store and secret masking are requests over one
channel to the supervisor. From Airflow 3.2 that channel takes a lock of its own; on 3.0 and 3.1 it
has none, so two threads of one task (the submit and load pools, the ledger beside them) could read
each other's answers, and ``dag.test()``'s in-process channel loses its handle altogether
(``NameError: SUPERVISOR_COMMS``). Holding this lock makes our calls take turns on every version.
"""

__all__ = [
    "ACKED_TRIGGER_STREAMS",
    "AIRFLOW_V_3_1_PLUS",
    "AIRFLOW_V_3_2_PLUS",
    "AIRFLOW_V_3_3_PLUS",
    "HITL_AVAILABLE",
    "SHARED_TRIGGER_STREAMS",
    "SUPERVISOR_LOCK",
    "AirflowFailException",
    "AirflowNotFoundException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "AirflowTaskTimeout",
    "Asset",
    "AssetAlias",
    "AssetOrTimeSchedule",
    "AssetWatcher",
    "BaseEventTrigger",
    "BaseHook",
    "BaseOperator",
    "BaseSensorOperator",
    "Connection",
    "Context",
    "CronTriggerTimetable",
    "HITLOperator",
    "ObjectStoragePath",
    "PokeReturnValue",
    "SharedStreamProducer",
    "TriggerEvent",
    "Variable",
    "amask_secret",
    "conf",
    "mask_secret",
    "reject_shared_stream_event",
]

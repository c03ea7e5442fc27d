"""List a folder's documents with a fingerprint each, reading no document's bytes.

A scheduled run over a folder of 100,000 scans must not download them all to learn that almost
every one is loaded already. A listing gives, for every object, what the store already knows
without reading it: its size and an ETag, a version id or a modification time. That fingerprint
changes whenever the bytes may have changed, so an input whose fingerprint is the one recorded
when it was last loaded (or rejected, or found to hold no table) can be skipped unread; a changed
fingerprint only means "read and hash it": the SHA-256 of the bytes stays the input's identity.

The folder DAG's find step, the submit step's skip and the event trigger all list through here, so
one folder is fingerprinted the same way wherever it is looked at.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from aspose_ocr_provider.documents.reading import INPUT_SUFFIXES

_LOCAL_PROTOCOLS = frozenset({"", "file", "local"})


@dataclass(frozen=True)
class ListedDocument:
    """One document as a listing shows it.

    :param source: how the submit step names the input: the absolute path of a local file, the URI
        (``s3://bucket/key``) of an object.
    :param size: bytes, as listed.
    :param fingerprint: changes whenever the bytes may have changed (see :func:`fingerprint_of`).
    :param modified: seconds since the epoch, if the store tells; backlogs are worked oldest first.
    """

    source: str
    size: int
    fingerprint: str
    modified: float | None = None

    def to_xcom(self) -> dict[str, Any]:
        """The entry as plain JSON values, for a find step to hand to the submit step."""
        return {"source": self.source, "size": self.size, "fingerprint": self.fingerprint, "modified": self.modified}

    @classmethod
    def from_xcom(cls, value: Mapping[str, Any]) -> ListedDocument:
        """An entry from :meth:`to_xcom`'s dict (unknown keys ignored).

        :raises ValueError: when ``source`` or ``fingerprint`` is missing or empty.
        """
        source, fingerprint = value.get("source"), value.get("fingerprint")
        if not isinstance(source, str) or not source or not isinstance(fingerprint, str) or not fingerprint:
            raise ValueError(
                "A listing entry needs a non-empty 'source' and 'fingerprint' (as list_documents gives "
                f"them), got {dict(value)!r}."
            )
        modified = value.get("modified")
        return cls(source, int(value.get("size") or 0), fingerprint, None if modified is None else float(modified))

    @staticmethod
    def is_entry(value: Any) -> bool:
        """Whether an input is a listing entry (a mapping with a ``fingerprint``), not a path or bytes."""
        return isinstance(value, Mapping) and "fingerprint" in value


def oldest_first(documents: Iterable[ListedDocument]) -> list[ListedDocument]:
    """``documents`` by listed modification time, oldest first (unknown times last, then by source).

    A backlog worked off a bounded number of documents per run takes them in this order, so every
    document's turn comes, and the one waiting longest comes first.
    """
    return sorted(documents, key=lambda d: (d.modified is None, d.modified or 0.0, d.source))


def fingerprint_of(info: Mapping[str, Any]) -> str:
    """A listing entry's fingerprint: its size and the strongest change marker the store gives.

    A version id names one immutable version; an ETag changes with the content (multipart ETags
    too, though they are not a content hash); a modification time is what a plain filesystem has,
    at the best precision it reports. Size is kept beside each so a marker that survives a
    truncation (a coarse mtime) still changes the fingerprint.
    """
    size = int(info.get("size") or 0)
    for key, tag in (("VersionId", "version"), ("version_id", "version"), ("ETag", "etag"), ("etag", "etag")):
        value = info.get(key)
        if value not in (None, "", "null"):
            return f"{size}:{tag}:{str(value).strip(chr(34))}"
    if info.get("mtime_ns") is not None:
        return f"{size}:mtime_ns:{int(info['mtime_ns'])}"
    modified = _seconds(info.get("mtime", info.get("LastModified", info.get("last_modified"))))
    return f"{size}:mtime:{modified!r}"


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return dt.datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def list_documents(folder: Any, suffixes: Iterable[str] = INPUT_SUFFIXES) -> list[ListedDocument]:
    """The documents directly in ``folder`` whose names end in ``suffixes``, sorted by source.

    :param folder: a local path or an ``ObjectStoragePath`` (or its URI as text).
    :param suffixes: file name endings to keep, compared case-insensitively.
    :raises FileNotFoundError: when the folder does not exist (or is not a folder).
    """
    endings = tuple(s.lower() for s in suffixes)
    path = _storage_path(folder)
    if getattr(path, "protocol", "") in _LOCAL_PROTOCOLS:
        entries = _local_entries(os.path.abspath(path.path))
        if path.protocol:  # a file:// folder names its documents as URIs, as ObjectStoragePath does
            entries = [(str(path / os.path.basename(source)), info) for source, info in entries]
    else:
        invalidate = getattr(path.fs, "invalidate_cache", None)
        if callable(invalidate):
            invalidate(path.path)
        if not path.is_dir():
            raise FileNotFoundError(f"{folder} is not a folder that exists.")
        entries = _object_entries(path)
    listed = [
        ListedDocument(source, int(info.get("size") or 0), fingerprint_of(info), _modified(info))
        for source, info in entries
        if source.lower().endswith(endings)
    ]
    return sorted(listed, key=lambda d: d.source)


def describe_documents(sources: Iterable[str]) -> dict[str, ListedDocument]:
    """The named documents as the store describes them now, by source; those gone are left out.

    One ``stat`` (local) or ``HEAD`` (object storage) per document, reading no bytes: for a run
    that names a few documents of a big folder, where listing the whole folder would cost a
    request per 1,000 objects. The fingerprints are the ones :func:`list_documents` gives, so a
    document described here and listed later (or the other way round) is recognised unchanged.

    :param sources: sources as :func:`list_documents` names them (absolute paths or URIs).
    """
    described: dict[str, ListedDocument] = {}
    for source in sources:
        path = _storage_path(source)
        try:
            if getattr(path, "protocol", "") in _LOCAL_PROTOCOLS:
                stat = os.stat(os.path.abspath(path.path))
                info: dict[str, Any] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
            else:
                invalidate = getattr(path.fs, "invalidate_cache", None)
                if callable(invalidate):
                    invalidate(path.path)
                info = dict(path.fs.info(path.path))
                # A listing carries no version id (a HEAD may): keep the fingerprint a listing gives.
                info.pop("VersionId", None)
                info.pop("version_id", None)
        except FileNotFoundError:
            continue
        if info.get("type", "file") != "file":
            continue
        described[source] = ListedDocument(source, int(info.get("size") or 0), fingerprint_of(info), _modified(info))
    return described


def _storage_path(folder: Any) -> Any:
    from aspose_ocr_provider.compat import ObjectStoragePath

    if hasattr(folder, "protocol") and hasattr(folder, "fs"):
        return folder
    return ObjectStoragePath(str(folder))


def _modified(info: Mapping[str, Any]) -> float | None:
    if info.get("mtime_ns") is not None:
        return int(info["mtime_ns"]) / 1e9
    return _seconds(info.get("mtime", info.get("LastModified", info.get("last_modified"))))


def _local_entries(folder: str) -> list[tuple[str, dict[str, Any]]]:
    """``os.scandir``: one directory read, stat from the entry, nanosecond modification times."""
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{folder} is not a folder that exists.")
    found = []
    with os.scandir(folder) as scan:
        for entry in scan:
            if entry.is_file():
                stat = entry.stat()
                found.append((entry.path, {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}))
    return found


def _object_entries(path: Any) -> list[tuple[str, dict[str, Any]]]:
    """One listing call (paged by the filesystem): no per-object HEAD, no object read.

    Filesystems such as s3fs cache listings for the life of the process; a long-lived worker (or
    ``dag.test()``) would then see the folder as it was at the first run: the caller drops that
    cache first, so every call lists the store as it is now.
    """
    found = []
    for info in path.fs.ls(path.path, detail=True):
        if info.get("type") != "file":
            continue
        found.append((str(path / PurePosixPath(str(info["name"])).name), dict(info)))
    return found

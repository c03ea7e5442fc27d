"""Listing a prefix in SeaweedFS: fingerprints from the listing alone, and always the store as it is now."""

from __future__ import annotations

from typing import Any

import pytest

from aspose_ocr_provider.documents.listing import (
    ListedDocument,
    describe_documents,
    list_documents,
    oldest_first,
)
from tests.object_storage.conftest import BucketFolder


def test_a_listing_reads_no_object_and_fingerprints_change_with_the_bytes(
    bucket: BucketFolder, s3_server: Any
) -> None:
    bucket.add("a.png", b"\x89PNG version-1", "")
    bucket.add("b.pdf", b"%PDF-1.4 other", "")
    bucket.add("notes.txt", b"not a document", "")

    first = list_documents(bucket.uri)

    tally = s3_server.proxy.reset()
    assert tally.requests["get"] == 0 and tally.requests["head"] == 0
    assert [d.source for d in first] == [f"{bucket.uri}/a.png", f"{bucket.uri}/b.pdf"]
    assert [d.size for d in first] == [14, 14]
    assert all(d.fingerprint.startswith("14:etag:") for d in first)

    bucket.add("a.png", b"\x89PNG version-2", "")  # same size, other bytes
    bucket.add("b.pdf", b"%PDF-1.4 other", "")  # the same bytes uploaded again
    again = list_documents(bucket.uri)
    assert again[0].fingerprint != first[0].fingerprint
    assert again[1].fingerprint == first[1].fingerprint  # an ETag is the content's MD5 here


def test_a_second_listing_in_the_same_process_sees_new_objects(bucket: BucketFolder, s3_server: Any) -> None:
    # s3fs caches listings per process (a worker, dag.test()): the next run must see today's scans.
    bucket.add("a.png", b"\x89PNG one", "")
    assert len(list_documents(bucket.uri)) == 1
    bucket.add("b.png", b"\x89PNG two", "")
    assert len(list_documents(bucket.uri)) == 2
    assert s3_server.proxy.reset().requests["list"] >= 2


def test_a_missing_prefix_is_named(bucket: BucketFolder) -> None:
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        list_documents(f"{bucket.uri}/nothing-here")


def test_entries_travel_as_xcom_and_a_backlog_goes_oldest_first() -> None:
    entries = [
        ListedDocument("s3://c@b/new.png", 3, "3:etag:x", 300.0),
        ListedDocument("s3://c@b/unknown.png", 3, "3:etag:y", None),
        ListedDocument("s3://c@b/old-b.png", 3, "3:etag:z", 100.0),
        ListedDocument("s3://c@b/old-a.png", 3, "3:etag:w", 100.0),
    ]
    assert [ListedDocument.from_xcom(e.to_xcom()) for e in entries] == entries
    assert [e.source.rsplit("/", 1)[1] for e in oldest_first(entries)] == [
        "old-a.png",
        "old-b.png",
        "new.png",
        "unknown.png",
    ]
    with pytest.raises(ValueError, match="fingerprint"):
        ListedDocument.from_xcom({"source": "s3://c@b/x.png", "fingerprint": ""})


def test_named_objects_are_described_by_one_head_each_with_the_listings_fingerprints(
    bucket: BucketFolder, s3_server: Any
) -> None:
    for name in ("a.png", "b.png", "c.png"):
        bucket.add(name, name.encode() * 5, "")
    listed = {d.source: d for d in list_documents(bucket.uri)}
    s3_server.proxy.reset()
    named = [f"{bucket.uri}/a.png", f"{bucket.uri}/b.png"]
    described = describe_documents(named)
    tally = s3_server.proxy.reset()
    # A run naming 2 documents of a folder asks about those 2, lists nothing and reads nothing.
    assert tally.requests["list"] == 0 and tally.requests["get"] == 0
    assert tally.requests["head"] == 2, dict(tally.requests)
    assert described == {s: listed[s] for s in named}
    # One deleted since it was named is left out (s3fs then also lists that one key's prefix).
    assert describe_documents([f"{bucket.uri}/gone.png"]) == {}

"""Listing fingerprints on a local folder: what the skip-without-reading decision rests on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aspose_ocr_provider.documents.listing import describe_documents, fingerprint_of, list_documents


def test_lists_documents_only_with_size_and_a_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"\x89PNG one")
    (tmp_path / "B.PDF").write_bytes(b"%PDF two!")
    (tmp_path / "notes.txt").write_text("not a document")
    (tmp_path / "sub").mkdir()

    listed = list_documents(tmp_path)

    assert [Path(d.source).name for d in listed] == ["B.PDF", "a.png"]
    assert [d.size for d in listed] == [9, 8]
    assert all(d.source == str(tmp_path / Path(d.source).name) for d in listed)


def test_a_rewrite_of_the_same_size_changes_the_fingerprint(tmp_path: Path) -> None:
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"version-1")
    before = list_documents(tmp_path)[0].fingerprint
    scan.write_bytes(b"version-2")
    stat = scan.stat()
    os.utime(scan, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000))  # a clock that did not move on

    assert list_documents(tmp_path)[0].fingerprint != before


def test_an_untouched_file_keeps_its_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "scan.png").write_bytes(b"same")
    assert list_documents(tmp_path) == list_documents(tmp_path)


def test_a_file_uri_folder_names_documents_by_uri(tmp_path: Path) -> None:
    (tmp_path / "scan.png").write_bytes(b"same")
    assert [d.source for d in list_documents(f"file://{tmp_path}")] == [f"file://{tmp_path}/scan.png"]


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        list_documents(tmp_path / "nope")


def test_object_store_markers_prefer_a_version_then_the_etag() -> None:
    assert fingerprint_of({"size": 5, "VersionId": "v1", "ETag": '"e"'}) == "5:version:v1"
    assert fingerprint_of({"size": 5, "VersionId": "null", "ETag": '"abc"'}) == "5:etag:abc"
    assert fingerprint_of({"size": 5, "mtime": 12.5}) == "5:mtime:12.5"


@pytest.mark.parametrize("as_uri", [False, True], ids=["path", "file-uri"])
def test_documents_described_one_by_one_carry_the_listings_fingerprints(tmp_path: Path, as_uri: bool) -> None:
    for name in ("a.png", "b.pdf", "c.png"):
        (tmp_path / name).write_bytes(name.encode() * 3)
    folder = tmp_path.as_uri() if as_uri else str(tmp_path)
    listed = {d.source: d for d in list_documents(folder)}
    wanted = [s for s in listed if not s.endswith("c.png")]
    (tmp_path / "b.pdf").unlink()  # gone since it was named
    described = describe_documents([*wanted, str(tmp_path / "never.png")])
    assert list(described) == [wanted[0]]
    assert described[wanted[0]] == listed[wanted[0]]

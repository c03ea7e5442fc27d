"""Input resolution: every bad input is refused, in words, before anything is submitted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from job_images import png

from aspose_ocr_provider.documents import reading
from aspose_ocr_provider.documents.reading import resolve_images
from aspose_ocr_provider.exceptions import AsposeOcrError


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_paths_globs_uris_and_bytes_resolve_in_input_order(tmp_path: Path) -> None:
    a = _write(tmp_path, "b.png", png(1))
    b = _write(tmp_path, "a.png", png(2))
    jpeg = _write(tmp_path, "c.jpg", png(3, "JPEG"))
    raw = png(4, "GIF")
    sources = resolve_images([str(jpeg), str(tmp_path / "*.png"), f"file://{a}", raw, [str(jpeg)]])
    assert [s.source for s in sources] == [
        str(jpeg),
        str(b),
        str(a),
        f"file://{a}",
        "<bytes input #3>",
        str(jpeg),
    ]
    assert [s.format for s in sources] == ["jpeg", "png", "png", "png", "gif", "jpeg"]
    assert sources[1].sha256 == hashlib.sha256(png(2)).hexdigest()
    assert sources[4].read() == raw


def test_uri_glob_through_object_storage(tmp_path: Path) -> None:
    for i in range(3):
        _write(tmp_path, f"t{i}.bmp", png(i, "BMP"))
    _write(tmp_path, "notes.txt", b"not an image")
    sources = resolve_images(f"file://{tmp_path}/*.bmp")
    assert [Path(s.source.replace("file://", "")).name for s in sources] == ["t0.bmp", "t1.bmp", "t2.bmp"]
    assert {s.format for s in sources} == {"bmp"}


def test_every_problem_is_named_in_one_error(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.png", png(1))
    pdf = _write(tmp_path, "scan.pdf", b"%PDF-1.7\n...")
    text = _write(tmp_path, "notes.txt", b"hello, world")
    big = _write(tmp_path, "big.png", png(2) + b"\0" * 5000)
    with pytest.raises(AsposeOcrError) as err:
        resolve_images(
            [
                str(good),
                str(tmp_path / "missing.png"),
                str(tmp_path / "*.tif"),
                str(pdf),
                str(text),
                str(big),
                str(tmp_path),
                "s3://no-such-bucket/x.png",
            ],
            max_image_bytes=2000,
        )
    message = str(err.value)
    assert message.startswith("Nothing was submitted: 7 problem(s)")
    assert "missing.png' does not exist" in message
    assert "*.tif' matches no file" in message
    assert "scan.pdf: the PDF is truncated" in message
    assert "notes.txt is not an image format the API takes" in message
    assert "big.png is" in message and "over the limit of 2,000 bytes" in message
    assert "is a directory; give a glob" in message
    assert "s3://no-such-bucket/x.png' cannot be read" in message
    assert "good.png" not in message


def test_nothing_given_is_an_error() -> None:
    with pytest.raises(AsposeOcrError, match="no images were given"):
        resolve_images([])


def test_the_bytes_checked_are_the_bytes_sent_and_a_second_read_refuses_a_change(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.png", png(1))
    (source,) = resolve_images(str(path))
    path.write_bytes(png(2))
    # Kept from the check (the file is read once): what is sent is what was hashed.
    assert source.document.read() == png(1)
    # Read again (a retried submission): the change is refused, not sent under the old digest.
    with pytest.raises(AsposeOcrError, match="changed after it was checked"):
        source.document.read()


def test_past_the_memory_budget_inputs_are_read_again_and_a_change_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _write(tmp_path, "a.png", png(1)), _write(tmp_path, "b.png", png(2))
    monkeypatch.setattr(reading, "KEPT_BYTES", len(png(1)))  # room for the first file only
    kept, reread = resolve_images([str(first), str(second)])
    first.write_bytes(png(3))
    second.write_bytes(png(4))
    assert kept.document.read() == png(1)
    with pytest.raises(AsposeOcrError, match="changed after it was checked"):
        reread.document.read()


def test_an_existing_file_with_glob_characters_is_taken_literally(tmp_path: Path) -> None:
    path = _write(tmp_path, "scan[1].png", png(1))
    (source,) = resolve_images(str(path))
    assert source.source == str(path)

"""Bad inputs are found cheaply: by size, header and page count, never by decoding or rendering."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest
from PIL import Image

from aspose_ocr_provider.documents.image_headers import MAX_IMAGE_PIXELS, declared_size, pixel_problem
from aspose_ocr_provider.documents.reading import check_images, resolve_images
from aspose_ocr_provider.exceptions import AsposeOcrInputError
from tests.faults.images import giant_png, pdf_with_page, png


def _encoded(size: tuple[int, int], fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 200).save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "TIFF"])
def test_every_format_declares_its_size_in_its_header(fmt: str) -> None:
    data = _encoded((321, 123), fmt)
    assert declared_size(data, fmt.lower()) == (321, 123)
    assert pixel_problem(data, fmt.lower()) is None


def test_a_multi_frame_tiff_is_measured_by_its_largest_frame() -> None:
    buffer = io.BytesIO()
    small, large = Image.new("L", (10, 10)), Image.new("L", (300, 200))
    small.save(buffer, format="TIFF", save_all=True, append_images=[large])
    assert declared_size(buffer.getvalue(), "tiff") == (300, 200)


def test_a_jpeg_header_over_the_cap_is_refused_without_decoding() -> None:
    # A JPEG's frame header with 20,000 x 20,000 pixels and no image data: nothing to decode.
    header = bytes.fromhex("ffd8ffe000104a46494600010100000100010000")
    frame = bytes.fromhex("ffc0000b08") + (20_000).to_bytes(2, "big") * 2 + bytes.fromhex("01011100")
    reason = pixel_problem(header + frame + b"\xff\xd9", "jpeg")
    assert reason is not None and "20,000 x 20,000 pixels (400 megapixels)" in reason


def test_the_giant_png_is_refused_from_its_header_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "giant.png"
    path.write_bytes(giant_png())
    assert path.stat().st_size < 2_000_000
    checked = check_images(str(path))
    assert checked.sources == []
    (rejection,) = checked.rejected
    assert "40,000 x 40,000 pixels (1,600 megapixels)" in rejection.reason
    assert f"limit of {MAX_IMAGE_PIXELS // 1_000_000} megapixels" in rejection.reason
    assert rejection.size == path.stat().st_size and rejection.sha256 is not None


def test_pdfs_are_refused_by_page_size_and_count_with_what_was_learnt(tmp_path: Path) -> None:
    (tmp_path / "poster.pdf").write_bytes(pdf_with_page(200, 200))
    (tmp_path / "ledger.pdf").write_bytes(pdf_with_page(8.5, 11, pages=1000))
    (tmp_path / "good.png").write_bytes(png(1))
    checked = check_images(str(tmp_path / "*"))
    assert [s.source.rsplit("/", 1)[-1] for s in checked.sources] == ["good.png"]
    by_name = {r.source.rsplit("/", 1)[-1]: r for r in checked.rejected}
    assert by_name["ledger.pdf"].page_count == 1000 and "over max_pages=500" in by_name["ledger.pdf"].reason
    assert by_name["poster.pdf"].page_count == 1 and "60000 x 60000 pixels" in by_name["poster.pdf"].reason
    with pytest.raises(AsposeOcrInputError, match="on_bad_input='skip'"):
        checked.raise_if_any()
    checked.raise_if_any(skip_rejected=True)  # only rejections: the good file may go on


def test_a_glob_matching_nothing_is_not_a_bad_file_and_fails_either_way(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    checked = check_images([str(tmp_path / "empty.png"), str(tmp_path / "*.tif")])
    assert [r.reason.split(";")[0] for r in checked.rejected] == ["is empty (0 bytes)"]
    with pytest.raises(AsposeOcrInputError, match="matches no file"):
        checked.raise_if_any(skip_rejected=True)


def test_a_file_that_vanished_after_listing_is_rejected(tmp_path: Path) -> None:
    gone = tmp_path / "gone.png"
    checked = check_images(gone.as_uri())
    (rejection,) = checked.rejected
    assert rejection.source == gone.as_uri() and "moved or deleted after it was listed" in rejection.reason
    assert rejection.sha256 is None


def test_a_file_still_being_written_is_rejected_not_half_submitted(tmp_path: Path) -> None:
    path = tmp_path / "growing.png"
    path.write_bytes(png(3))
    grown = threading.Event()
    real_open = open

    def open_and_grow(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]
        if str(file) == str(path) and "rb" in mode and not grown.is_set():
            grown.set()
            with real_open(path, "ab") as writer:  # the writer appends while we read
                writer.write(b"\0" * 4096)
        return handle

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("builtins.open", open_and_grow)
        checked = check_images(str(path))
    assert grown.is_set()
    (rejection,) = checked.rejected
    assert "changed while it was being read" in rejection.reason
    assert checked.sources == []


def test_an_unreadable_file_is_rejected_with_no_digest(tmp_path: Path) -> None:
    path = tmp_path / "locked.png"
    path.write_bytes(png(4))
    path.chmod(0)
    real_open = open

    def denied(file: object, *args: object, **kwargs: object) -> object:
        # Root reads a mode-000 file anyway: what an unprivileged worker gets, it gets here.
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    with pytest.MonkeyPatch.context() as patch:
        if os.geteuid() == 0:
            patch.setattr("builtins.open", denied)
        (rejection,) = check_images(str(path)).rejected
    assert "cannot be read: PermissionError" in rejection.reason and rejection.sha256 is None


def test_resolve_images_still_refuses_the_whole_batch(tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "good.png").write_bytes(png(5))
    with pytest.raises(AsposeOcrInputError, match="1 problem"):
        resolve_images(str(tmp_path / "*.png"))
